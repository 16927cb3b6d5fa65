"""The rows of the item and loan registers for exports (see ExportService)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import peewee

from desk_app.domain import archive as rules
from desk_app.domain.clock import format_datetime, local_day_range
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import visible_levels, visible_loans
from desk_app.services.exports import Register
from desk_app.store.archive import Borrower, Department, Item, Kind, Loan, Location, tuples
from desk_app.store.models import User

BATCH = 2000


def _keyset(query: Any, id_field: Any) -> Iterator[tuple[Any, ...]]:
    """All rows of ``query`` by id in batches: flat memory for any register size."""
    last = 0
    while True:
        batch = tuples(query.where(id_field > last).order_by(id_field).limit(BATCH))
        if not batch:
            return
        yield from batch
        last = batch[-1][0]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def items(actor: Actor, since: date | None, until: date | None) -> Register:
    start, end = local_day_range(since, until)
    where = Item.level.in_(visible_levels(actor))
    if start:
        where &= Item.created_at >= start
    if end:
        where &= Item.created_at < end
    query = (Item.select(Item.id, Item.ref, Item.title, Kind.name, Department.name, Item.doc_date,
                         Item.level, Item.status, Location.path)
             .join_from(Item, Kind).join_from(Item, Department)
             .join_from(Item, Location, peewee.JOIN.LEFT_OUTER)
             .where(where))
    rows = ([_text(v) for v in row[1:6]] + [rules.level_label(row[6]), rules.status_label(row[7]),
                                             _text(row[8])] for row in _keyset(query, Item.id))
    return Register("items", _("Archive items"),
                    [_("Reference"), _("Title"), _("Kind"), _("Department"), _("Date"), _("Level"),
                     _("Status"), _("Location")],
                    rows, Item.select().where(where).count(), [12, 30, 8, 9, 8, 6, 6, 21])


def loans(actor: Actor, since: date | None, until: date | None) -> Register:
    start, end = local_day_range(since, until)
    where = visible_loans(actor)  # R6: loans of sealed files are as invisible as the files
    if start:
        where &= Loan.lent_at >= start
    if end:
        where &= Loan.lent_at < end
    handler = User.alias("handler")
    query = (Loan.select(Loan.id, Item.ref, Item.title, Borrower.name, Loan.purpose, handler.name,
                         Loan.lent_at, Loan.due_on, Loan.returned_at, Loan.return_condition)
             .join_from(Loan, Item).join_from(Loan, Borrower)
             .join_from(Loan, handler, on=(Loan.handler == handler.id)).where(where))
    rows = ([_text(v) for v in row] for row in _keyset(query, Loan.id))
    return Register("loans", _("Loan register"),
                    [_("No."), _("Reference"), _("Title"), _("Borrower"), _("Purpose"),
                     _("Handled by"), _("Lent at"), _("Due"), _("Returned at"), _("Condition")],
                    rows, Loan.select().where(where).count(), [5, 11, 20, 7, 17, 7, 10, 7, 10, 6])
