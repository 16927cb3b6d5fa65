"""Importing an office's existing ledgers from Excel and CSV (issue 16): the archive
catalogue, the loan book, outside borrowers, the staff list and the key list.

No page of its own: the wizard opens from File → Import… and the Admin page."""

from __future__ import annotations

from enum import StrEnum

from desk_app.domain.area import AreaSpec, ServiceSpec, grants
from desk_app.domain.roles import Role


class ImportPermission(StrEnum):
    # Running an import at all; each kind of ledger also needs the permission its typed
    # entries need (services/imports/service.py, KIND_PERMISSIONS).
    IMPORT_RUN = "import.run"


AREA = AreaSpec(
    key="imports",
    permissions=ImportPermission,
    grants=grants({
        Role.ADMIN: {ImportPermission.IMPORT_RUN},
        Role.PERSONNEL: {ImportPermission.IMPORT_RUN},
    }),
    models="desk_app.store.imports",
    services=(
        ServiceSpec("imports", "desk_app.services.imports.service:ImportService",
                    ("settings", "archive", "personnel", "keys")),
    ),
    cli=("desk_app.cli.imports",),
)
