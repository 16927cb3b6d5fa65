"""The archive's registers for pages and exports: items (by registration date) and loans
(by lending date), each only as far as the actor may see (R6)."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import Any, ClassVar

import peewee

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.clock import local_day_range
from desk_app.domain.users import Actor
from desk_app.i18n import N_, display_name
from desk_app.services.archive import ArchiveService, sealed_loans, visible_items, visible_loans
from desk_app.services.registers import (
    Period,
    RegisterSource,
    in_chunks,
    in_id_order,
    positional,
    texts_in_id_order,
)
from desk_app.store.archive import (
    Borrower,
    Department,
    Item,
    Kind,
    Loan,
    Location,
    full_name_of,
    shown_title,
)
from desk_app.store.models import User


class _ArchiveRegister(RegisterSource):
    archive: ArchiveService
    view_permission = ArchivePermission.ARCHIVE_VIEW
    export_permission = ArchivePermission.REGISTER_EXPORT
    date_field: ClassVar[Any]  # what the period filters on

    def period(self, period: Period) -> Any:
        start, end = local_day_range(period.since, period.until)
        where = []
        if start:
            where.append(self.date_field >= start)
        if end:
            where.append(self.date_field < end)
        return where

    def _scope(self, actor: Actor) -> Any:
        """The rows this actor may see at all."""
        raise NotImplementedError

    def _select(self) -> Any:
        raise NotImplementedError

    def _visible(self, actor: Actor, flt: Any) -> Any:
        where = self._scope(actor)
        for condition in flt:
            where &= condition
        return where

    def _count(self, actor: Actor, flt: Any) -> int:
        # From the register's own table alone (an index), not through the joins.
        return int(self.date_field.model.select().where(self._visible(actor, flt)).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        query = self._select().where(self._visible(actor, flt))
        return list(query.order_by(self.date_field.model.id.desc()).offset(offset).limit(limit)
                    .tuples())

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return in_id_order(self._select().where(self._visible(actor, flt)),
                           self.date_field.model.id)


class ItemRegister(_ArchiveRegister):
    name = "items"
    title = N_("Archive items")
    date_field = Item.created_at
    columns = positional(
        (N_("Reference"), 12), (N_("Title"), 30), (N_("Kind"), 8, display_name),
        (N_("Department"), 9, display_name),
        (N_("Date"), 8), (N_("Level"), 6, rules.level_label),
        (N_("Status"), 6, rules.status_label), (N_("Location"), 21), first=1)

    def _select(self) -> Any:
        return (Item.select(Item.id, Item.ref, shown_title(), Kind.name, Department.name,
                            Item.doc_date, Item.level, Item.status, Location.path)
                .join_from(Item, Kind).join_from(Item, Department)
                .join_from(Item, Location, peewee.JOIN.LEFT_OUTER))

    def _scope(self, actor: Actor) -> Any:
        return visible_items(actor)  # R6: personnel files only to the role and grantees

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return self._opened(actor, list(super()._page(actor, flt, offset, limit)))

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        for chunk in in_chunks(super()._rows(actor, flt)):
            yield from self._opened(actor, chunk)

    def _opened(self, actor: Actor, rows: list[Any]) -> list[Any]:
        """The titles of the personnel files ``actor`` reads (an admitted officer, a live
        grant) opened; "—" stays for everyone else (R6)."""
        sealed = [(row[0], row[1]) for row in rows if row[6] == rules.Level.PERSONNEL.value]
        if not sealed:
            return rows
        shown = self.archive.personnel.readable(actor, sealed)
        return [(*row[:2], shown[row[0]][0], *row[3:]) if row[0] in shown else row
                for row in rows]


_handler = User.alias("handler")
_CHECKED_PER_LOAN = 5000  # up to this many loans, a count checks each (faster than ~40 ms)


class LoanRegister(_ArchiveRegister):
    name = "loans"
    title = N_("Loan register")
    view_permission = ArchivePermission.LOAN_VIEW
    date_field = Loan.lent_at
    columns = positional(
        (N_("No."), 5), (N_("Reference"), 11), (N_("Title"), 20), (N_("Borrower"), 7),
        (N_("Purpose"), 17), (N_("Handled by"), 7), (N_("Lent at"), 10), (N_("Due"), 7),
        (N_("Returned at"), 10), (N_("Condition"), 6))

    def _select(self) -> Any:
        return (Loan.select(Loan.id, Item.ref, shown_title(), Borrower.name, Loan.purpose,
                            full_name_of(_handler), Loan.lent_at, Loan.due_on, Loan.returned_at,
                            Loan.return_condition)
                .join_from(Loan, Item).join_from(Loan, Borrower)
                .join_from(Loan, _handler, on=(Loan.handler == _handler.id)))

    def _scope(self, actor: Actor) -> Any:
        return visible_loans(actor)  # R6: loans of sealed files are as invisible as the files

    def _count(self, actor: Actor, flt: Any) -> int:
        # As LoanService.count: all loans of the period from the lending-date index, less
        # those of sealed files from the item-history index (~40 ms at scale 100, however
        # long the period). The "not sealed" check per loan of the period cost an export of
        # 100,000 loans 0.3 s (and a count of all million 1.2 s); it stays for short periods.
        total = int(_loans_where(flt).count())
        hidden = sealed_loans(actor)
        if hidden is None:
            return total
        if total <= _CHECKED_PER_LOAN:
            return super()._count(actor, flt)
        return total - int(_loans_where([*flt, hidden]).count())

    def _texts(self, actor: Actor, flt: Any) -> Generator[list[str]]:
        # The rows as ``_rows`` reads them, each straight to its cells (no row is changed
        # after reading, as ItemRegister opens titles): the register of a million loans.
        return texts_in_id_order(self._select().where(self._visible(actor, flt)), Loan.id,
                                 self.columns)


def _loans_where(conditions: list[Any]) -> Any:
    query = Loan.select()
    for condition in conditions:
        query = query.where(condition)  # each where() adds its condition with AND
    return query
