"""The destruction list (销毁清册, R3): every file, the proposal, the manager's decision, and
three signature boxes — the manager signs when deciding; the executor (whose box names the
method) and the witness (监销人) sign the same file when the files are destroyed, which makes
it the destruction record.
"""

from __future__ import annotations

from typing import Any

from desk_app.domain.clock import format_datetime
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec
from desk_app.i18n import _


def destruction_pdf(company: str, data: dict[str, Any], decision: dict[str, Any]) -> bytes:
    """``data``: the list as ``RetentionService.show`` gives it; ``decision``: approved (bool),
    by, at, reason. Dated by the decision; ready for the manager's signature."""
    spec = FormSpec(company, _("Destruction list"), data["number"], decision["at"])
    spec.key_values([
        (_("List"), data["number"]),
        (_("Proposed by"), data["proposed_by"] or ""),
        (_("Proposed at"), format_datetime(data["proposed_at"])),
        (_("Reason for destruction"), data["reason"]),
        (_("Files"), str(len(data["items"]))),
    ])
    spec.table([_("Reference"), _("Title"), _("Kind"), _("Department"), _("Year"),
                _("Retention")],
               [[i["ref"], i["title"], i["kind"], i["dept"], str(i["year"]), i["retention"]]
                for i in data["items"]], col_widths=[3.6, 5.4, 2, 2, 1, 2])
    spec.heading(_("Decision"))
    spec.key_values([
        (_("Decision"), _("Approved: the files listed may be destroyed.") if decision["approved"]
         else _("Refused: the files listed are kept.")),
        (_("Decided by"), decision["by"] or ""),
        (_("Decided at"), format_datetime(decision["at"])),
        (_("Reason"), decision["reason"]),
    ])
    if decision["approved"]:
        spec.paragraph(_("The files are destroyed completely, in the presence of the witness; "
                         "the executor's signature names the method. The executor's and the "
                         "witness's signatures below make this list the destruction record."))
    else:
        spec.paragraph(_("This list was refused: it is not carried out, and the executor's and "
                         "the witness's boxes stay empty."))
    spec.signatures([("manager", _("Manager")), ("executor", _("Carried out by")),
                     ("witness", _("Witness"))])
    return ready_to_sign(spec)
