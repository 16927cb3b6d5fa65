"""Register sources: one description of a register serves its page, its exports and the CLI.

A source names its columns (title, PDF width, how a row reads) and answers ``count``,
``page`` (for the paged table model, newest first) and ``rows`` (every row of a filter in
keyset order with flat memory, for CSV, XLSX and the signed PDF), always through the
actor's visibility (R6, R7) and permission. ``ExportService`` writes any source; the area
manifest lists each area's sources (``RegisterSpec``), and ``Desk.registers`` holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from desk_app.domain.clock import format_datetime
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service

FORMATS = ("pdf", "csv", "xlsx")
BATCH = 2000


@dataclass(frozen=True)
class RegisterColumn:
    title: str  # untranslated (N_); shown through _()
    width: float  # relative width in the PDF
    text: Callable[[Any], str]  # one row -> the cell's text


@dataclass(frozen=True)
class Period:
    """What an export covers: local calendar days (inclusive), up to an audit head."""

    since: date | None = None
    until: date | None = None
    up_to_seq: int | None = None  # the audit chain head the export is stamped with


def cell_text(value: Any) -> str:
    """A stored value as a register cell: local times, ISO dates, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def by_position(position: int, show: Callable[[Any], str] = cell_text) -> Callable[[Any], str]:
    """The cell text of a tuple row's ``position``."""
    return lambda row: show(row[position])


def positional(*columns: tuple[Any, ...], first: int = 0) -> tuple[RegisterColumn, ...]:
    """Columns of a tuple row, in order from position ``first``: each ``(title, width)`` or
    ``(title, width, show)`` (how the value reads; ``cell_text`` by default)."""
    return tuple(RegisterColumn(title, width, by_position(first + offset, *rest))
                 for offset, (title, width, *rest) in enumerate(columns))


def by_attribute(*columns: tuple[Any, ...]) -> tuple[RegisterColumn, ...]:
    """Columns of object rows (views): each ``(title, width, attribute)`` or
    ``(title, width, attribute, show)``; an attribute may also be a function of the row."""

    def reader(attribute: Any, show: Callable[[Any], str] = cell_text) -> Callable[[Any], str]:
        if callable(attribute):
            return attribute
        return lambda row: show(getattr(row, attribute))

    return tuple(RegisterColumn(title, width, reader(*rest)) for title, width, *rest in columns)


def keyset(query: Any, id_field: Any, position: int = 0, batch: int = BATCH) -> Iterator[Any]:
    """Every row of a peewee ``query`` (tuples) by ascending id, ``batch`` at a time: flat
    memory however big the register, and no OFFSET that slows down towards the end."""
    last: Any = None
    while True:
        page = query if last is None else query.where(id_field > last)
        rows = list(page.order_by(id_field).limit(batch).tuples())
        if not rows:
            return
        yield from rows
        last = rows[-1][position]


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

    def export_rows(self, actor: Actor, period: Period) -> tuple[int, Iterator[list[str]]]:
        """How many rows an export of ``period`` holds, and their cells. Exporting needs the
        export permission, which an administrator holds without reading the register."""
        self.require(actor, self.export_permission)
        flt = self.period(period)
        return self._count(actor, flt), (self.cells(row) for row in self._rows(actor, flt))

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
