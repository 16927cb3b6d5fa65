"""The Service report tab's tables (``report_tab``): a dozen rows each, shown whole inside the
tab's scroll area, each column as wide as its longest text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

MAX_COLUMN_PX = 280  # a wider cell is cut off; its tooltip holds the whole text


def two_lines(text: str) -> str:
    """A long column title on two lines, broken at the space nearest its middle (a header
    does not wrap by itself)."""
    if len(text) < 12 or " " not in text:
        return text
    middle = len(text) / 2
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
    return f"{text[:cut]}\n{text[cut + 1:]}"


class ReportTable(QTableView):
    """A read-only table of a dozen rows (its ``cells``), as tall and wide as its contents:
    the tab's scroll area scrolls, the table never does, and Tab leaves it instead of moving
    between cells. (Bounded tables: the registers' paged models are not needed here.)"""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.cells = QStandardItemModel(self)
        self.setModel(self.cells)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

    def item(self, row: int, column: int) -> QStandardItem | None:
        return self.cells.item(row, column)

    def fill(self, header: Sequence[str], rows: Sequence[Sequence[Any]],
             bold_last: bool = False) -> None:
        """Replace the cells; numbers right-aligned, the first column left."""
        cells = self.cells
        cells.clear()
        cells.setColumnCount(len(header))
        cells.setRowCount(len(rows))
        for column, title in enumerate(header):
            item = QStandardItem(two_lines(title))
            item.setToolTip(title)
            cells.setHorizontalHeaderItem(column, item)
        for number, row in enumerate(rows):
            for column, value in enumerate(row):
                cell = QStandardItem(str(value))
                cell.setEditable(False)
                cell.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | (
                    Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight))
                if bold_last and number == len(rows) - 1:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                cells.setItem(number, column, cell)
        self.fit()

    def fit(self) -> None:
        """Columns and rows sized to their contents (a column at most ``MAX_COLUMN_PX``, its
        cut-off cells with a tooltip), the table exactly that size."""
        self.resizeColumnsToContents()
        self.resizeRowsToContents()
        metrics = self.fontMetrics()
        columns, rows = self.cells.columnCount(), self.cells.rowCount()
        for column in range(columns):
            width = min(self.columnWidth(column), MAX_COLUMN_PX)
            self.setColumnWidth(column, width)
            for row in range(rows):
                item = self.cells.item(row, column)
                if item is not None and metrics.horizontalAdvance(item.text()) + 12 > width:
                    item.setToolTip(item.text())
        frame = 2 * self.frameWidth()
        width = frame + sum(self.columnWidth(c) for c in range(columns))
        height = frame + self.horizontalHeader().sizeHint().height() + sum(
            self.rowHeight(r) for r in range(rows))
        self.setFixedSize(width, height)
