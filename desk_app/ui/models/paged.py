"""One thin table model for every register: a row count plus a small LRU page cache.

``rowCount`` is the register's full count, so the scrollbar reflects the whole register,
while only the pages in view (at most ``max_pages`` of ``page_size`` rows) are held in
memory. Rows come from the services; the model never touches the database itself.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desk_app.i18n import _

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """``title`` is a thunk so a language switch shows at the next header paint."""

    title: Callable[[], str]
    value: Callable[[Any], Any]
    align: Qt.AlignmentFlag | None = None
    tooltip: Callable[[Any], str | None] | None = None


class PagedTableModel(QAbstractTableModel):
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the raw row object of the service

    def __init__(self, count: Callable[[], int], fetch: Callable[[int, int], Sequence[Any]],
                 columns: Sequence[Column], page_size: int = 200, max_pages: int = 10,
                 parent=None) -> None:
        super().__init__(parent)
        self._count_fn, self._fetch_fn = count, fetch
        self.columns = list(columns)
        self.page_size, self.max_pages = page_size, max_pages
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._count = 0
        self.fetches = 0  # how many pages were fetched (tests and diagnostics)
        self._count = max(0, int(self._count_fn()))

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

    def refresh(self) -> None:
        """Forget every cached page and ask the source for the count again."""
        self.beginResetModel()
        self._pages.clear()
        self._count = max(0, int(self._count_fn()))
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
        if not index.isValid() or not 0 <= index.column() < len(self.columns):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.TextAlignmentRole, self.ROW_ROLE):
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align | Qt.AlignmentFlag.AlignVCenter) if column.align else None
        row = self.row(index.row())
        if row is None:
            return None
        if role == self.ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip else None
        value = column.value(row)
        return "" if value is None else str(value)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title() if 0 <= section < len(self.columns) else None
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
