"""A paged model with live columns: values computed from the row and the current time.

A register such as the reception's open entries shows timers (waiting time, timeout level)
that change every second. They are never written into cells: each live column computes its
text (and background) from the row and ``now``; :meth:`LiveTableModel.tick` takes the new
time and emits ``dataChanged`` for the live columns only, so no page is fetched again and the
other columns are not repainted.

:func:`refresh_keeping_selection` refreshes any paged model and selects the row with the same
id again (looked up on the page where it was, then on the first page).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableView

from desk_app.ui.models.paged import Column, Index, PagedTableModel


@dataclass(frozen=True)
class LiveColumn:
    """A column whose text depends on the time: ``value(row, now)``; ``background(row, now)``
    gives a colour name or None; ``tooltip(row)`` (not live) explains the cell."""

    title: Callable[[], str]
    value: Callable[[Any, datetime], Any]
    background: Callable[[Any, datetime], str | None] | None = None
    align: Qt.AlignmentFlag | None = None
    tooltip: Callable[[Any], str | None] | None = None


class LiveTableModel(PagedTableModel):
    def __init__(self, count: Callable[[], int], fetch: Callable[[int, int], Sequence[Any]],
                 columns: Sequence[Column | LiveColumn], now: Callable[[], datetime],
                 page_size: int = 200, max_pages: int = 10, parent=None) -> None:
        self._now_fn = now
        self.now = now()
        self.live = [number for number, column in enumerate(columns)
                     if isinstance(column, LiveColumn)]
        plain = [column if isinstance(column, Column) else Column(
            column.title, lambda _row: "", align=column.align, tooltip=column.tooltip)
                 for column in columns]
        self.live_columns: dict[int, LiveColumn] = {
            number: column for number, column in enumerate(columns)
            if isinstance(column, LiveColumn)}
        super().__init__(count, fetch, plain, page_size, max_pages, parent)

    def tick(self) -> None:
        """A new current time: the live columns of every row change, nothing else."""
        self.now = self._now_fn()
        if not self.live or not self.rowCount():
            return
        last = self.rowCount() - 1
        roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole]
        for column in self.live:
            self.dataChanged.emit(self.index(0, column), self.index(last, column), roles)

    def refresh(self) -> None:
        self.now = self._now_fn()
        super().refresh()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        live = self.live_columns.get(index.column()) if index.isValid() else None
        if live is None or role not in (Qt.ItemDataRole.DisplayRole,
                                        Qt.ItemDataRole.BackgroundRole):
            return super().data(index, role)
        row = self.row(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = live.background(row, self.now) if live.background else None
            return QBrush(QColor(colour)) if colour else None
        value = live.value(row, self.now)
        return "" if value is None else str(value)


def row_id(row: Any) -> Any:
    return getattr(row, "id", None) if not isinstance(row, dict) else row.get("id")


def selected_row(view: QTableView) -> Any | None:
    """The service row of the view's current selection (the first selected row)."""
    model = view.model()
    selection = view.selectionModel()
    rows = selection.selectedRows() if selection is not None else []
    if not rows or not isinstance(model, PagedTableModel):
        return None
    return model.row(rows[0].row())


def select_id(view: QTableView, wanted: Any, near: int = 0) -> bool:
    """Select the row whose id is ``wanted``: looked up on the page of row ``near``, then on
    the first page (a register of thousands is never scanned whole)."""
    model = view.model()
    if wanted is None or not isinstance(model, PagedTableModel):
        return False
    size = model.page_size
    for start in dict.fromkeys(((max(0, near) // size) * size, 0)):
        for number in range(start, min(start + size, model.rowCount())):
            if row_id(model.row(number)) == wanted:
                view.selectRow(number)
                view.scrollTo(model.index(number, 0))
                return True
    return False


def refresh_keeping_selection(view: QTableView) -> None:
    """Refresh the view's paged model; the row that was selected (by id) stays selected."""
    model = view.model()
    assert isinstance(model, PagedTableModel)
    selection = view.selectionModel()
    rows = selection.selectedRows() if selection is not None else []
    near = rows[0].row() if rows else 0
    wanted = row_id(model.row(near)) if rows else None
    model.refresh()
    if wanted is not None:
        select_id(view, wanted, near)

