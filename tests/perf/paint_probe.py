"""Helpers of tests/perf/test_first_paint.py, importable by its fresh processes without
importing the main window (which a first sign-in has to import itself)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

from tests.perf.figures import raw_sqlite

# The first rows of each register as its page lists them, written by hand.
BASELINE_SQL = {
    "archive": (
        "SELECT (SELECT count(*) FROM item) - "
        "(SELECT count(*) FROM item WHERE level = 'personnel')",
        "SELECT i.ref, i.title, i.keywords, k.name, d.name, i.doc_date, i.level, i.status, "
        "l.path FROM item i JOIN kind k ON k.id = i.kind_id JOIN department d ON "
        "d.id = i.dept_id LEFT JOIN location l ON l.id = i.location_id "
        "WHERE i.level != 'personnel' ORDER BY i.ref LIMIT 200"),
    "loans": (
        "SELECT count(*) FROM loan WHERE returned_at IS NULL",
        "SELECT s.number, i.ref, i.title, b.name, lo.lent_at, lo.due_on, u.full_name "
        "FROM loan lo JOIN item i ON i.id = lo.item_id JOIN borrower b ON b.id = lo.borrower_id "
        "LEFT JOIN loan_slip s ON s.id = lo.slip_id JOIN app_user u ON u.id = lo.handler_id "
        "WHERE lo.returned_at IS NULL ORDER BY lo.lent_at DESC, lo.id DESC LIMIT 200"),
    "audit": (
        "SELECT max(seq) FROM audit_entry",
        "SELECT seq, at, actor, action, entity, entity_id, change FROM audit_entry "
        "ORDER BY seq DESC LIMIT 200"),
}


class _FirstPaint(QObject):
    """Notes when a table's viewport is first painted with rows in it."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.at: float | None = None
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.at is not None or event.type() != QEvent.Type.Paint:
            return False
        model = self.table.model()
        if model is not None and model.rowCount() > 0:
            self.at = time.perf_counter()
        return False


def painted_at(app: QApplication, table: QTableView) -> float:
    watcher = _FirstPaint(table)
    viewport = table.viewport()
    viewport.update()
    deadline = time.perf_counter() + 60
    try:
        while watcher.at is None and time.perf_counter() < deadline:
            app.processEvents()
    finally:
        # Off again before the window goes: a filter left on a viewport outlived its table
        # and raised in later tests' event loops (the soak).
        viewport.removeEventFilter(watcher)
        watcher.deleteLater()
    assert watcher.at is not None, "the register was never painted with rows"
    return watcher.at


class _RawModel(QAbstractTableModel):
    def __init__(self, count: int, rows: list[tuple[Any, ...]]) -> None:
        super().__init__()
        self.count, self.rows = count, rows

    def rowCount(self, parent: QModelIndex | Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.count

    def columnCount(self, parent: QModelIndex | Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows[0]) if self.rows else 0

    def data(self, index: QModelIndex | Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or index.row() >= len(self.rows):
            return None
        value = self.rows[index.row()][index.column()]
        return "" if value is None else str(value)


def bare(app: QApplication, register: str, path: Path | str) -> float:
    """A bare window over raw sqlite3 showing the first rows: ms to their first paint."""
    started = time.perf_counter()
    raw = raw_sqlite(path)
    count_sql, rows_sql = BASELINE_SQL[register]
    count = raw.execute(count_sql).fetchone()[0] or 0
    rows = raw.execute(rows_sql).fetchall()
    window = QMainWindow()
    table = QTableView()
    table.setModel(_RawModel(count, rows))
    window.setCentralWidget(table)
    window.resize(1100, 720)
    window.show()
    painted = painted_at(app, table)
    window.close()
    window.deleteLater()
    raw.close()
    return (painted - started) * 1000


def table_of(window: Any, register: str) -> QTableView:
    page: Any = window.page(register)
    if register == "loans":  # the Open tab, as a user clicks it (Circulation comes first)
        return page.show_tab("open").table
    return page.table
