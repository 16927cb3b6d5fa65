"""One thin table model for every register: a row count plus a small LRU page cache.

``rowCount`` is the register's full count, so the scrollbar reflects the whole register,
while only the pages in view (at most ``max_pages`` of ``page_size`` rows) are held in
memory. Rows come from the services; the model never touches the database itself.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desk_app.i18n import _
from desk_app.ui.widgets.jobs import Job

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

# Plain ints and one precomputed flag value: ``data`` and ``flags`` run for every painted
# cell, and comparing with or combining PySide6's enum members costs more than the lookup.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_ROW = int(Qt.ItemDataRole.UserRole.value) + 1
_ROW_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
              | Qt.ItemFlag.ItemNeverHasChildren)
_VCENTER = int(Qt.AlignmentFlag.AlignVCenter.value)


@dataclass(frozen=True)
class Column:
    """``title`` is a thunk so a language switch shows at the next header paint."""

    title: Callable[[], str]
    value: Callable[[Any], Any]
    align: Qt.AlignmentFlag | None = None
    tooltip: Callable[[Any], str | None] | None = None


class PagedTableModel(QAbstractTableModel):
    """Given ``desk``, a count that may be slow (a million loans) does not hold up the first
    paint: the first page is read at once, and if it is full the exact count follows from a
    worker thread (``counted``); until then ``rowCount`` is an estimate (the last count, or
    the first page) and ``count_known`` is False. A short first page is the count."""

    ROW_ROLE = _ROW  # the raw row object of the service
    counted = Signal(int)  # the exact count arrived from the worker thread

    # Off in the GUI tests (tests/gui/conftest.py), which read counts right after a refresh;
    # tests/gui/test_paged_model.py checks the background count.
    count_in_background = True

    def __init__(self, count: Callable[[], int], fetch: Callable[[int, int], Sequence[Any]],
                 columns: Sequence[Column], page_size: int = 200, max_pages: int = 10,
                 parent=None, desk: Any = None, lazy: bool = False) -> None:
        """``lazy``: nothing is read until ``ensure_loaded`` or ``refresh`` (a tab not shown
        yet costs nothing at the page's first paint)."""
        super().__init__(parent)
        self._count_fn, self._fetch_fn = count, fetch
        self.columns = list(columns)
        self.page_size, self.max_pages = page_size, max_pages
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._count = 0
        self._desk = desk
        self._generation = 0  # a count started before the last refresh is dropped
        self.count_known = True
        self.fetches = 0  # how many pages were fetched (tests and diagnostics)
        self.loaded = not lazy
        if self.loaded:
            self._count = self._first_count()

    def _first_count(self) -> int:
        self._generation += 1
        if self._desk is None or not self.count_in_background:
            self.count_known = True
            return max(0, int(self._count_fn()))
        first = list(self._fetch_fn(0, self.page_size))
        self.fetches += 1
        self._pages[0] = first
        if len(first) < self.page_size:
            self.count_known = True
            return len(first)
        self.count_known = False
        generation, count = self._generation, self._count_fn
        Job(lambda _progress: count(), desk=self._desk,
            on_success=lambda total: self._counted(generation, total),
            on_failure=lambda error: self._count_failed(generation, error)).start()
        return max(self._count, len(first))

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        total = max(0, int(total))
        if total > self._count:
            self.beginInsertRows(QModelIndex(), self._count, total - 1)
            self._count = total
            self.endInsertRows()
        elif total < self._count:
            self.beginRemoveRows(QModelIndex(), total, self._count - 1)
            self._count = total
            for page_number in [n for n in self._pages if n * self.page_size >= total]:
                del self._pages[page_number]
            self.endRemoveRows()
        self.count_known = True
        self.counted.emit(total)

    def _count_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        log.warning("counting a register failed; its first pages stay listed: %s", error)
        self.count_known = True
        self.counted.emit(self._count)

    @classmethod
    def for_register(cls, source: Any, actor: Any, flt: Any, parent=None) -> PagedTableModel:
        """The model of a register source (``desk.registers[name]``): its columns, its
        count and pages for ``flt``, through the actor's visibility — the same rows its
        exports write."""

        def title(text: str) -> Callable[[], str]:
            return lambda: _(text)

        return cls(lambda: source.count(actor, flt),
                   lambda offset, limit: source.page(actor, flt, offset, limit),
                   [Column(title(column.title), column.text) for column in source.columns],
                   parent=parent)

    # ---------------------------------------------------------------- API

    def ensure_loaded(self) -> None:
        """A lazy model's first read (once)."""
        if not self.loaded:
            self.refresh()

    def refresh(self) -> None:
        """Forget every cached page and ask the source for the count again."""
        self.loaded = True
        self.beginResetModel()
        self._pages.clear()
        try:
            self._count = self._first_count()
        finally:
            self.endResetModel()

    def set_source(self, count: Callable[[], int], fetch: Callable[[int, int], Sequence[Any]]) -> None:
        """New source (e.g. a changed filter), then refresh."""
        self._count_fn, self._fetch_fn = count, fetch
        self.refresh()

    def row(self, number: int) -> Any | None:
        """The source row at ``number``, fetched with its page if not cached."""
        if not 0 <= number < self._count:
            return None
        page_number, position = divmod(number, self.page_size)
        page = self._pages.get(page_number)
        if page is None:
            page = list(self._fetch_fn(page_number * self.page_size, self.page_size))
            self.fetches += 1
            self._pages[page_number] = page
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[position] if position < len(page) else None

    def cached_pages(self) -> list[int]:
        return list(self._pages)

    # ---------------------------------------------------------------- Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role != _DISPLAY and role != _ALIGNMENT and role != _TOOLTIP and role != _ROW:
            return None
        column_number = index.column()
        if not 0 <= column_number < len(self.columns) or not index.isValid():
            return None
        column = self.columns[column_number]
        if role == _ALIGNMENT:
            return int(column.align.value) | _VCENTER if column.align else None
        row = self.row(index.row())
        if row is None:
            return None
        if role == _DISPLAY:
            value = column.value(row)
            return "" if value is None else str(value)
        if role == _ROW:
            return row
        return column.tooltip(row) if column.tooltip else None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title() if 0 <= section < len(self.columns) else None
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
