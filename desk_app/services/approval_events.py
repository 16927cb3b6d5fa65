"""One access request as the record shows it (R5): its fields, items, copies made, and its
history as events — filed, decided, expired, revoked, copies, loans made under it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import peewee

from desk_app.domain import approvals as rules
from desk_app.domain.approvals import RequestStatus
from desk_app.i18n import N_, _
from desk_app.store.approvals import AccessRequest, AccessRequestItem, CopyRecord
from desk_app.store.archive import Item, Loan, LoanSlip, ReturnReceipt, tuples
from desk_app.store.models import User


def _fk(row: Any, name: str) -> Any:
    """The id a foreign key of ``row`` holds (peewee's ``<name>_id``, typed)."""
    return row.__data__.get(name)


def _name(user: User | None) -> str:
    return (user.full_name or user.name) if user is not None else ""


def _users(ids: set[int]) -> dict[int, str]:
    ids.discard(None)  # type: ignore[arg-type]
    return {user.id: _name(user) for user in User.select().where(User.id.in_(list(ids)))}


def request_dict(row: AccessRequest, now: datetime) -> dict[str, Any]:
    status = rules.status_of(row.status, row.window_to, now)
    access = rules.Access(row.access)
    items = list(Item.select(Item.id, Item.ref, Item.title, Item.level)
                 .join(AccessRequestItem).where(AccessRequestItem.request == row.id)
                 .order_by(Item.ref))
    copies = list(CopyRecord.select(CopyRecord, Item.ref).join(Item)
                  .where(CopyRecord.request == row.id).order_by(CopyRecord.id))
    people = _users({_fk(row, "requested_by"), _fk(row, "decided_by"), _fk(row, "revoked_by"),
                     *(_fk(c, "made_by") for c in copies), *(_fk(c, "disposed_by") for c in copies)})
    person = row.borrower
    return {
        "id": row.id, "number": row.number, "status": status.value, "status_label": status.label,
        "borrower": person.name, "contact": person.contact, "organisation": person.organisation,
        "purpose": row.purpose, "access": access.value, "access_label": access.label,
        "copies": row.copies, "window_from": row.window_from, "window_to": row.window_to,
        "requested_by": people.get(_fk(row, "requested_by"), ""), "requested_at": row.requested_at,
        "decided_by": people.get(_fk(row, "decided_by"), ""), "decided_at": row.decided_at,
        "decision_reason": row.decision_reason,
        "revoked_by": people.get(_fk(row, "revoked_by"), ""), "revoked_at": row.revoked_at,
        "revoke_reason": row.revoke_reason, "signed": row.document_id is not None,
        "items": [{"id": item.id, "ref": item.ref, "title": item.title, "level": item.level}
                  for item in items],
        "copies_made": [{"id": c.id, "ref": c.item.ref, "copies": c.copies,
                         "made_by": people.get(_fk(c, "made_by"), ""), "made_at": c.made_at,
                         "disposal": c.disposal, "disposed_by": people.get(_fk(c, "disposed_by"), ""),
                         "disposed_at": c.disposed_at} for c in copies],
    }


EVENT_LABELS = {
    "requested": N_("Requested"), "approved": N_("Approved"), "refused": N_("Refused"),
    "revoked": N_("Revoked"), "expired": N_("Expired"), "copies": N_("Copies made"),
    "copies_returned": N_("Copies returned"), "copies_destroyed": N_("Copies destroyed"),
    "lent": N_("Lent"), "returned": N_("Returned"),
}


def events(row: AccessRequest, data: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The request's history, oldest first: {at, what, what_label, who, text}."""
    return [{**event, "what_label": _(EVENT_LABELS.get(event["what"], event["what"]))}
            for event in _events(row, data, now)]


def _events(row: AccessRequest, data: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    found = [{"at": row.requested_at, "what": "requested", "who": data["requested_by"],
              "text": _("Requested {access} for {borrower}: {purpose}").format(
                  access=data["access_label"].lower(), borrower=data["borrower"],
                  purpose=data["purpose"])}]
    if row.decided_at is not None:
        approved = row.status != RequestStatus.REFUSED.value
        found.append({"at": row.decided_at, "what": "approved" if approved else "refused",
                      "who": data["decided_by"],
                      "text": (_("Approved and signed: {reason}") if approved
                               else _("Refused and signed: {reason}")).format(
                                   reason=row.decision_reason)})
    if row.revoked_at is not None:
        found.append({"at": row.revoked_at, "what": "revoked", "who": data["revoked_by"],
                      "text": _("Revoked: {reason}").format(reason=row.revoke_reason)})
    if data["status"] == RequestStatus.EXPIRED.value:
        found.append({"at": rules.window_end(row.window_to), "what": "expired", "who": "",
                      "text": _("The window ended on {day}.").format(
                          day=row.window_to.isoformat())})
    for copy in data["copies_made"]:
        found.append({"at": copy["made_at"], "what": "copies", "who": copy["made_by"],
                      "text": _("{n} copies of {ref} made").format(n=copy["copies"],
                                                                   ref=copy["ref"])})
        if copy["disposal"]:
            found.append({"at": copy["disposed_at"], "what": "copies_" + copy["disposal"],
                          "who": copy["disposed_by"],
                          "text": _("{n} copies of {ref}: {what}").format(
                              n=copy["copies"], ref=copy["ref"],
                              what=rules.Disposal(copy["disposal"]).label.lower())})
    receipts = ReturnReceipt.alias()
    handler, taker = User.alias("handler"), User.alias("taker")
    loans = (Loan.select(Loan.lent_at, Loan.returned_at, Item.ref, LoanSlip.number,
                         receipts.number, handler.full_name, handler.name, taker.full_name,
                         taker.name)
             .join_from(Loan, Item).join_from(Loan, LoanSlip)
             .join_from(Loan, handler, on=(Loan.handler == handler.id))
             .join_from(Loan, taker, peewee.JOIN.LEFT_OUTER, on=(Loan.returned_by == taker.id))
             .join_from(Loan, receipts, peewee.JOIN.LEFT_OUTER, on=(Loan.receipt == receipts.id))
             .where(Loan.approval_id == row.id).order_by(Loan.id))
    for (lent_at, returned_at, ref, slip, receipt, lent_full, lent_name, taken_full,
         taken_name) in tuples(loans):
        found.append({"at": lent_at, "what": "lent", "who": lent_full or lent_name,
                      "text": _("{ref} lent on slip {slip}").format(ref=ref, slip=slip)})
        if returned_at is not None:
            found.append({"at": returned_at, "what": "returned",
                          "who": taken_full or taken_name or "",
                          "text": _("{ref} returned on receipt {receipt}").format(
                              ref=ref, receipt=receipt)})
    return sorted(found, key=lambda event: event["at"])
