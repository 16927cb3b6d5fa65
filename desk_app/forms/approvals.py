"""The access approval form (R5): what was asked — requester, secret items, purpose, kind of
access, window — and the manager's decision with its reason, signed in the "manager" box.

A refusal is the same form with the decision "Refused"; it is signed too.
"""

from __future__ import annotations

from typing import Any

from desk_app.domain.archive import level_label
from desk_app.domain.clock import format_datetime
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec
from desk_app.i18n import _


def approval_pdf(company: str, request: dict[str, Any]) -> bytes:
    """The decided request with its empty manager signature field, ready to sign."""
    spec = FormSpec(company, _("Confidential access approval"), request["number"],
                    request["decided_at"] or request["requested_at"])
    requester = request["borrower"] + (
        f" · {request['organisation']}" if request["organisation"] else "")
    access = request["access_label"]
    if request["copies"]:
        access = _("{access}, {n} copies").format(access=access, n=request["copies"])
    spec.key_values([
        (_("Requester"), requester), (_("Contact"), request["contact"] or "—"),
        (_("Purpose"), request["purpose"]), (_("Access"), access),
        (_("Window"), _("{since} to {until}").format(since=request["window_from"].isoformat(),
                                                     until=request["window_to"].isoformat())),
        (_("Requested by"), request["requested_by"]),
        (_("Requested at"), format_datetime(request["requested_at"])),
    ])
    spec.table([_("Reference"), _("Title"), _("Level")],
               [[i["ref"], i["title"], level_label(i["level"])] for i in request["items"]],
               col_widths=[4, 9, 2])
    spec.heading(_("Decision"))
    spec.key_values([
        (_("Decision"), request["status_label"]), (_("Reason"), request["decision_reason"]),
        (_("Decided by"), request["decided_by"]),
        (_("Decided at"), format_datetime(request["decided_at"])),
    ])
    spec.paragraph(_("Secret files are read, copied or taken out only as approved here, by the "
                     "person named, within the window; copies are recorded and returned or "
                     "destroyed."))
    spec.signatures([("manager", _("Manager"))])
    return ready_to_sign(spec)
