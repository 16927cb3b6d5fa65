"""PySide6 6.12.0 on CPython 3.11 drops one reference to ``None`` on many void Qt calls;
when the count reaches zero CPython aborts (``Fatal Python error: none_dealloc``). The
Reception page's one-second timer got there in about eight minutes. This test calls the Qt
API the app uses thousands of times each and fails if ``None`` lost references, so a
resolve that picks a drifting wheel fails here instead of at a clerk's desk.

Each probe is checked after its own batch, long before the count could reach zero, so a
drifting wheel fails with a list of culprits rather than aborting the test run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

CALLS = 2000
# Unrelated allocations may move None's count a little; a drifting call moves it by CALLS.
TOLERANCE = 50


def _probes() -> tuple[list[tuple[str, Callable[[int], object]]], list[object]]:
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
    from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import (
        QCheckBox,
        QComboBox,
        QLabel,
        QLineEdit,
        QListWidget,
        QPlainTextEdit,
        QProgressBar,
        QPushButton,
        QSpinBox,
        QStatusBar,
        QTableWidget,
        QTableWidgetItem,
        QTreeWidget,
        QTreeWidgetItem,
    )

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):  # noqa: B008 (Qt's signature)
            return 0 if parent.isValid() else 10

        def columnCount(self, parent=QModelIndex()):  # noqa: B008
            return 0 if parent.isValid() else 3

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return f"{index.row()}" if role == Qt.ItemDataRole.DisplayRole else None

    keep: list[object] = []  # widgets must outlive the probes
    table = QTableWidget(100, 3)
    tree = QTreeWidget()
    button, label, line, check = QPushButton(), QLabel(), QLineEdit(), QCheckBox()
    combo, spin, progress, status = QComboBox(), QSpinBox(), QProgressBar(), QStatusBar()
    text, listing = QPlainTextEdit(), QListWidget()
    combo.addItems(["a", "b", "c"])
    spin.setRange(0, 10_000)
    progress.setRange(0, 10_000)
    model, standard = Model(), QStandardItemModel(10, 3)
    item = QTableWidgetItem("x")
    table.setItem(0, 0, item)
    timer = QTimer()
    keep += [table, tree, button, label, line, check, combo, spin, progress, status, text, listing,
             model, standard, item, timer]
    red, font = QBrush(QColor("red")), QFont()

    def add_tree_item(i: int) -> None:
        tree.addTopLevelItem(QTreeWidgetItem([str(i)]))
        if tree.topLevelItemCount() > 100:
            tree.clear()

    def emit_data_changed(i: int) -> None:
        model.dataChanged.emit(model.index(0, 0), model.index(9, 2), [Qt.ItemDataRole.DisplayRole])

    def reset_model(i: int) -> None:
        model.beginResetModel()
        model.endResetModel()

    probes: list[tuple[str, Callable[[int], object]]] = [
        ("QTableWidget.setItem", lambda i: table.setItem(i % 100, 1, QTableWidgetItem(str(i)))),
        ("QTableWidgetItem.setData", lambda i: item.setData(Qt.ItemDataRole.UserRole, i)),
        ("QTableWidgetItem.setText", lambda i: item.setText(str(i))),
        ("QTableWidgetItem.setBackground", lambda i: item.setBackground(red)),
        ("QTableWidgetItem.setFont", lambda i: item.setFont(font)),
        ("QTreeWidget.addTopLevelItem", add_tree_item),
        ("QPushButton.setEnabled", lambda i: button.setEnabled(i % 2 == 0)),
        ("QPushButton.setText", lambda i: button.setText(str(i))),
        ("QWidget.setVisible", lambda i: label.setVisible(i % 2 == 0)),
        ("QWidget.setToolTip", lambda i: label.setToolTip(str(i))),
        ("QLabel.setText", lambda i: label.setText(str(i))),
        ("QLabel.setStyleSheet", lambda i: label.setStyleSheet("color: red" if i % 2 else "")),
        ("QLineEdit.setText", lambda i: line.setText(str(i))),
        ("QCheckBox.setChecked", lambda i: check.setChecked(i % 2 == 0)),
        ("QComboBox.setCurrentIndex", lambda i: combo.setCurrentIndex(i % 3)),
        ("QSpinBox.setValue", lambda i: spin.setValue(i)),
        ("QProgressBar.setValue", lambda i: progress.setValue(i)),
        ("QStatusBar.showMessage", lambda i: status.showMessage(str(i))),
        ("QPlainTextEdit.setPlainText", lambda i: text.setPlainText(str(i))),
        ("QListWidget.addItem", lambda i: listing.addItem(str(i)) if i % 100 else listing.clear()),
        ("QStandardItem.setText", lambda i: standard.setItem(i % 10, 0, QStandardItem(str(i)))),
        ("QAbstractItemModel.dataChanged.emit", emit_data_changed),
        ("QAbstractItemModel.beginResetModel", reset_model),
        ("QTimer.start/stop", lambda i: (timer.start(1000), timer.stop())),
    ]
    return probes, keep


def _lost(call: Callable[[int], object]) -> int:
    before = sys.getrefcount(None)
    for i in range(CALLS):
        call(i)
    return before - sys.getrefcount(None)


@pytest.mark.gui
def test_qt_calls_keep_references_to_none(qapp) -> None:
    import gc

    from PySide6.QtCore import QThreadPool

    # Work of earlier tests still finishing in other threads (a background job's frames and
    # results going away) drops references to None too: let it end first, and measure a
    # drifting probe again — the bug drifts on every batch, a stray thread once (CI saw one).
    QThreadPool.globalInstance().waitForDone(10_000)
    qapp.processEvents()
    gc.collect()
    probes, _widgets = _probes()
    drifting = []
    for name, call in probes:
        lost = _lost(call)
        if lost > TOLERANCE and sys.getrefcount(None) > 5 * CALLS:
            QThreadPool.globalInstance().waitForDone(10_000)
            gc.collect()
            lost = _lost(call)
        if lost > TOLERANCE:
            drifting.append(f"{name}: {lost} per {CALLS} calls")
            break  # the next batch could reach zero and abort the whole test run
    import PySide6

    assert not drifting, (
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} loses references to "
        f"None ({'; '.join(drifting)}); the GUI would abort with none_dealloc. Use the pinned "
        "wheel from requirements/constraints.txt."
    )
    assert len(probes) * CALLS >= 40_000
