"""Queries of retention and destruction shared by the service, its registers and the demo
(services/retention.py): open holds, review dates, what is due, the signed-decision check."""


import hashlib
from datetime import date, datetime
from typing import Any

import peewee

from desk_app.domain import archive as rules
from desk_app.domain import retention as retention_rules
from desk_app.domain.retention import DestructionStatus
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import (
    visible_levels,
)
from desk_app.store import audit_chain
from desk_app.store.approvals import Destruction, DisposalHold
from desk_app.store.archive import Item, SignedDocument

S = DestructionStatus
DESTROYED = rules.Status.DESTROYED.value


def document_link(record: Destruction, field: str) -> int | None:
    """The id a foreign key holds, without loading the row it points to."""
    return record.__data__.get(field)


def open_hold(item_id: int) -> Any:
    return DisposalHold.select().where((DisposalHold.item == item_id)
                                       & DisposalHold.released_at.is_null())


def refresh_review_dates(scope: Any, years: int | None) -> int:
    """Set the review date of the files of ``scope`` kept ``years`` (None or 0: permanent):
    one UPDATE per file year present, found by index probes — no date functions, the same SQL
    on SQLite and PostgreSQL. The file year is the document's, else the registration's."""
    if not years:
        return int(Item.update(review_on=None).where(scope).execute())
    updated = 0
    for column, dated in ((Item.doc_date, Item.doc_date.is_null(False)),
                          (Item.created_at, Item.doc_date.is_null())):
        where = scope & dated
        first = Item.select(peewee.fn.MIN(column)).where(where).scalar()
        while first is not None:
            year = first.year if isinstance(first, date) else int(str(first)[:4])
            low, high = ((date(year, 1, 1), date(year + 1, 1, 1)) if column is Item.doc_date
                         else (datetime(year, 1, 1), datetime(year + 1, 1, 1)))
            updated += Item.update(review_on=retention_rules.review_on(year, None, years)).where(
                where & (column >= low) & (column < high)).execute()
            if year >= 9998:
                break
            first = Item.select(peewee.fn.MIN(column)).where(where & (column >= high)).scalar()
    return updated


def listable_levels(actor: Actor) -> tuple[rules.Level, ...]:
    """The levels whose files ``actor`` may hold, list or review for destruction: personnel
    files never go through destruction lists (not yet, docs/approvals.md), for anyone."""
    return tuple(level for level in visible_levels(actor) if level != rules.Level.PERSONNEL)


def due_where(actor: Actor, today: date) -> Any:
    """Items due for review on ``today`` that ``actor`` may see (review_on is indexed)."""
    return ((Item.review_on <= today) & (Item.status != DESTROYED)
            & Item.level.in_(listable_levels(actor)))


def decision_problem(record: Destruction) -> str | None:
    """None when list ``record`` carries a genuine signed approval: its own form (record
    number), unchanged (the row's hash, the signature check), and the audit trail's
    ``destruction_decision.sign`` entry of THIS list recorded that hash and "approved". Else
    why: a stored status or document link rewritten in the database approves nothing."""
    document = SignedDocument.get_or_none(SignedDocument.id == document_link(record, "decision_document"))
    if document is None:
        return _("{number}: the manager's signed decision is missing; the list cannot be "
                 "carried out.").format(number=record.number)
    digest = hashlib.sha256(bytes(document.pdf)).hexdigest()
    if (document.kind == "destruction_decision" and document.record_no == record.number
            and digest == document.sha256 and any(
                after.get("sha256") == digest and after.get("decision") == S.APPROVED.value
                for after in audit_chain.recorded_after("destruction_decision", record.id,
                                                        "destruction_decision.sign"))):
        return None
    return _("{number}: the manager's signed decision does not match the list or the signature "
             "recorded in the audit trail: it was changed in the database.").format(
                 number=record.number)
