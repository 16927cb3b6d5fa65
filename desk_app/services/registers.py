"""Register sources: one description of a register serves its page, its exports and the CLI.

A source names its columns (title, PDF width, how a row reads) and answers ``count``,
``page`` (for the paged table model, newest first) and ``rows`` (every row of a filter in
keyset order with flat memory, for CSV, XLSX and the signed PDF), always through the
actor's visibility (R6, R7) and permission. ``ExportService`` writes any source; the area
manifest lists each area's sources (``RegisterSpec``), and ``Desk.registers`` holds them.
"""

from __future__ import annotations

import itertools
import operator
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

import peewee

from desk_app.domain.clock import format_datetime_cached, format_stored_datetime
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.store.db import is_postgresql

FORMATS = ("pdf", "csv", "xlsx")
BATCH = 2000


@dataclass(frozen=True)
class RegisterColumn:
    title: str  # untranslated (N_); shown through _()
    width: float  # relative width in the PDF
    text: Callable[[Any], str]  # one row -> the cell's text
    # For a column of a tuple row (``positional``): its position and how its value reads,
    # so an export can read the values straight from SQLite (``texts_in_id_order``).
    position: int | None = None
    show: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Period:
    """What an export covers: local calendar days (inclusive), up to an audit head."""

    since: date | None = None
    until: date | None = None
    up_to_seq: int | None = None  # the audit chain head the export is stamped with


def cell_text(value: Any) -> str:
    """A stored value as a register cell: local times, ISO dates, "" for nothing."""
    if value.__class__ is str:  # most cells (a register export reads this per cell)
        return value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime_cached(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def by_position(position: int, show: Callable[[Any], str] = cell_text) -> Callable[[Any], str]:
    """The cell text of a tuple row's ``position``."""
    if show is not cell_text:
        return lambda row: show(row[position])

    def text(row: Any) -> str:  # cell_text, with its commonest case (text) without a call
        value = row[position]
        return value if value.__class__ is str else cell_text(value)

    return text


def positional(*columns: tuple[Any, ...], first: int = 0) -> tuple[RegisterColumn, ...]:
    """Columns of a tuple row, in order from position ``first``: each ``(title, width)`` or
    ``(title, width, show)`` (how the value reads; ``cell_text`` by default)."""
    return tuple(RegisterColumn(title, width, by_position(first + offset, *rest),
                                first + offset, rest[0] if rest else cell_text)
                 for offset, (title, width, *rest) in enumerate(columns))


def by_attribute(*columns: tuple[Any, ...]) -> tuple[RegisterColumn, ...]:
    """Columns of object rows (views): each ``(title, width, attribute)`` or
    ``(title, width, attribute, show)``; an attribute may also be a function of the row."""

    def reader(attribute: Any, show: Callable[[Any], str] = cell_text) -> Callable[[Any], str]:
        if callable(attribute):
            return attribute
        return lambda row: show(getattr(row, attribute))

    return tuple(RegisterColumn(title, width, reader(*rest)) for title, width, *rest in columns)


def in_id_order(query: Any, id_field: Any) -> Iterator[Any]:
    """Every row of a peewee ``query`` (tuples) by ascending id, read as it goes: flat memory
    however big the register. ONE statement, sorted once — keyset batches made SQLite sort
    every row of the period again for each batch (issue 17). SQLite steps through it (one
    statement sees one snapshot; an export also holds a read transaction around it).
    PostgreSQL fetches it through a server-side cursor, ``BATCH`` rows at a time, when a
    transaction is open (the export's read-only snapshot); outside one it cannot keep a
    cursor without spooling the result, so it reads keyset batches instead."""
    ordered = query.order_by(id_field).tuples()
    database = _database_of(query)
    if not is_postgresql(database):
        converters = _sqlite_converters(ordered)
        if converters is None:
            yield from ordered.iterator()
        else:
            yield from _converted(database, ordered, converters)
    elif database.in_transaction():
        yield from _server_side(database, ordered)
    else:
        yield from _keyset_batches(query, id_field)


# SQLite hands back text for these; everything else in a register's select it hands back as
# peewee would (text, integers). Parsed in C by the datetime module, not by peewee's
# strptime chain per value: 40% of a 100,000-row CSV export (issue 17).
_AS_IS = (peewee.CharField, peewee.TextField, peewee.IntegerField, peewee.AutoField,
          peewee.ForeignKeyField)


def _sqlite_datetime(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _sqlite_date(value: Any) -> Any:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _sqlite_converters(query: Any) -> list[Callable[[Any], Any] | None] | None:
    """Per selected column: how SQLite's value becomes what peewee would give (None: as
    it is); None for a select with a column of any other kind (peewee converts those)."""
    converters: list[Callable[[Any], Any] | None] = []
    for node in query._returning:
        field = node.node if isinstance(node, peewee.Alias) else node
        if isinstance(field, peewee.DateTimeField):
            converters.append(_sqlite_datetime)
        elif isinstance(field, peewee.DateField):
            converters.append(_sqlite_date)
        elif isinstance(field, peewee.BooleanField):
            converters.append(bool)
        elif isinstance(field, _AS_IS) or not isinstance(field, peewee.Field):
            converters.append(None)  # text, numbers, and expressions over text (titles, names)
        else:
            return None
    return converters


def _converted(database: Any, query: Any, converters: list[Callable[[Any], Any] | None]
               ) -> Iterator[tuple[Any, ...]]:
    converting = [(position, convert) for position, convert in enumerate(converters)
                  if convert is not None]  # only these: a row's other values are as they are
    sql, params = query.sql()
    cursor = database.execute_sql(sql, params)
    try:
        if not converting:
            yield from cursor
            return
        for row in cursor:
            values = list(row)
            for position, convert in converting:
                value = values[position]
                if value is not None:
                    values[position] = convert(value)
            yield tuple(values)
    finally:
        cursor.close()


def texts_in_id_order(query: Any, id_field: Any, columns: Sequence[RegisterColumn]
                      ) -> Generator[list[str]]:
    """The cells of ``columns`` for every row of ``query`` by ascending id: what
    ``in_id_order`` and each column's ``text`` give, for an export. On SQLite, when every
    column is ``positional``, each value goes from the cursor to its text in one step: text
    as it is (no call), stored times through ``format_stored_datetime`` without making a
    datetime, each distinct day once. (Making datetimes, and a call or two per cell, were
    most of the Python time of a 100,000-row CSV export, issue 17.)"""
    ordered = query.order_by(id_field).tuples()
    database = _database_of(query)
    converters = None if is_postgresql(database) else _sqlite_converters(ordered)
    positions = [column.position for column in columns if column.position is not None]
    if converters is None or len(positions) < max(2, len(columns)):
        texts = [column.text for column in columns]
        for row in in_id_order(query, id_field):
            yield [text(row) for text in texts]
        return
    plain: list[int] = []  # cells that are SQLite's text, or cell_text of what else it gave
    shown: list[tuple[int, Callable[[Any], str]]] = []  # the others, with how they read
    for index, (position, column) in enumerate(zip(positions, columns, strict=True)):
        show = column.show or cell_text
        if converters[position] is None and show is cell_text:
            plain.append(index)
        else:
            shown.append((index, _raw_text(converters[position], show)))
    pick = None if positions == list(range(len(converters))) else operator.itemgetter(*positions)
    sql, params = ordered.sql()
    cursor = database.execute_sql(sql, params)
    try:
        for row in cursor:
            cells = [*row] if pick is None else [*pick(row)]
            for index in plain:
                if cells[index].__class__ is not str:
                    cells[index] = cell_text(cells[index])
            for index, show in shown:
                cells[index] = show(cells[index])
            yield cells
    finally:
        cursor.close()


def _raw_text(convert: Callable[[Any], Any] | None, show: Callable[[Any], str]
              ) -> Callable[[Any], str]:
    """SQLite's value of a column -> the cell's text: ``show`` of what ``_converted`` gives."""
    if convert is None:
        return show
    if show is not cell_text:
        return lambda value: show(value if value is None else convert(value))
    if convert is _sqlite_datetime:
        return _stored_datetime_text
    if convert is _sqlite_date:
        days: dict[Any, str] = {}  # an export's due dates are a few hundred days

        def day_text(value: Any) -> str:
            text = days.get(value)
            if text is None:
                text = days[value] = cell_text(_sqlite_date(value))
            return text

        return day_text
    return lambda value: cell_text(value if value is None else convert(value))


def _stored_datetime_text(value: Any) -> str:
    if value.__class__ is str:
        return format_stored_datetime(value)
    return cell_text(value)  # None, or what the connection's own converters made


def keyset(query: Any, id_field: Any) -> Iterator[Any]:
    """The former name of ``in_id_order``, kept for the registers that still call it."""
    return in_id_order(query, id_field)


def _database_of(query: Any) -> Any:
    database = query.model._meta.database
    return getattr(database, "obj", None) or database  # the DatabaseProxy's target


def _server_side(database: Any, query: Any) -> Iterator[Any]:
    """``query``'s rows through a named (server-side) cursor of the open transaction, with
    peewee's own conversion of each row (as ``playhouse.postgres_ext.ServerSide`` does)."""
    from playhouse.postgres_ext import FetchManyCursor

    sql, params = query.sql()
    cursor = database.connection().cursor(name=f"desk_rows_{uuid.uuid4().hex}")
    try:
        cursor.execute(sql, params)
        yield from query._get_cursor_wrapper(FetchManyCursor(cursor, BATCH)).iterator()
    finally:
        # Inside the transaction: CLOSE it. After it (its end dropped the cursor) psycopg
        # only marks it closed. Exports close their rows before the transaction ends.
        cursor.close()


def _keyset_batches(query: Any, id_field: Any) -> Iterator[Any]:
    last: Any = None
    while True:
        page = query if last is None else query.where(id_field > last)
        rows = list(page.order_by(id_field).limit(BATCH).tuples())
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def in_chunks(rows: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    """``rows`` as lists of ``size``: for registers that look something up per chunk."""
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


class RegisterSource(Service):
    """One register. Subclasses set the class attributes and the three queries."""

    name: ClassVar[str]
    title: ClassVar[str]  # untranslated (N_)
    view_permission: ClassVar[str]  # to see the register's rows (page, count)
    export_permission: ClassVar[str]  # to export it
    formats: ClassVar[tuple[str, ...]] = FORMATS
    columns: ClassVar[tuple[RegisterColumn, ...]]
    wrapped: ClassVar[tuple[str, ...]] = ()  # column titles the PDF wraps in full (not cut)

    # ------------------------------------------------------------ what subclasses answer

    def period(self, period: Period) -> Any:
        """The filter of an export of ``period``."""
        raise NotImplementedError

    def _count(self, actor: Actor, flt: Any) -> int:
        raise NotImplementedError

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        raise NotImplementedError

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        raise NotImplementedError

    # ------------------------------------------------------------ what callers use

    def count(self, actor: Actor, flt: Any) -> int:
        self.require(actor, self.view_permission)
        return self._count(actor, flt)

    def page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        self.require(actor, self.view_permission)
        return self._page(actor, flt, offset, limit)

    def rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        """Every row of ``flt`` in register order (exports); checked before the first row."""
        self.require(actor, self.view_permission)
        return self._rows(actor, flt)

    def export_rows(self, actor: Actor, period: Period) -> tuple[int, Generator[list[str]]]:
        """How many rows an export of ``period`` holds, and their cells. Exporting needs the
        export permission, which an administrator holds without reading the register. Close
        the rows when done with them early (a cancel), while the reading transaction is open."""
        self.require(actor, self.export_permission)
        flt = self.period(period)
        return self._count(actor, flt), self._texts(actor, flt)

    def _texts(self, actor: Actor, flt: Any) -> Generator[list[str]]:
        """The cells of every row of ``flt`` in register order; a register may read them
        faster (``texts_in_id_order``)."""
        texts = [column.text for column in self.columns]
        return ([text(row) for text in texts] for row in self._rows(actor, flt))

    def header(self) -> list[str]:
        return [_(column.title) for column in self.columns]

    def cells(self, row: Any) -> list[str]:
        return [column.text(row) for column in self.columns]

    def widths(self) -> list[float]:
        return [column.width for column in self.columns]

    def wrapped_columns(self) -> tuple[int, ...]:
        """Positions of the columns the PDF wraps over several lines instead of cutting."""
        return tuple(index for index, column in enumerate(self.columns)
                     if column.title in self.wrapped)
