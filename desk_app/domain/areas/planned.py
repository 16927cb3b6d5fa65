"""Areas announced in the navigation before they are built: a page that says what is coming.

When an area is built, its entry moves to its own module with services, tables and a page.
"""

from __future__ import annotations

from desk_app.domain.area import AreaSpec, PageSpec
from desk_app.domain.roles import Role
from desk_app.i18n import N_

HANDOVER = AreaSpec(key="handover", pages=(PageSpec(
    "handover", N_("Handover"), "SP_BrowserReload",
    frozenset({Role.CLERK, Role.SUPERVISOR, Role.AUDITOR}), 40,
    description=N_("Shift handover: issues, instructions and checklists handed over face to "
                   "face, signed by both and countersigned.")),))

KEYS = AreaSpec(key="keys", pages=(PageSpec(
    "keys", N_("Keys & equipment"), "SP_DriveHDIcon",
    frozenset({Role.CLERK, Role.SUPERVISOR, Role.AUDITOR}), 50,
    description=N_("Keys and equipment: who holds which key, phone or radio now, and every "
                   "hand-over of them.")),))
