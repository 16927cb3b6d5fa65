"""The Loans page's Borrowers tab (issue 14): the outside borrowers the desk remembers, in
pinyin order, with their contact, organisation, open and overdue loans and last loan — like
Koha's patron list. Type to narrow (name, pinyin, initials, phone); Enter or a double click
opens the borrower card, where the contact details can be corrected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.borrowers import BorrowerFilter
from desk_app.ui.errors import show_error
from desk_app.ui.models.paged import PagedTableModel
from desk_app.ui.widgets.export_dialog import ExportButton
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.registers import apply_widths, register_table

REGISTER = "borrowers"


class BorrowersTab(QWidget):
    """``card(key)`` opens a borrower's card (the page passes its own)."""

    counted = Signal(str)  # how many borrowers the list holds now (the page shows it)

    def __init__(self, desk, actor: Actor, card: Callable[[str], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.card = desk, actor, card
        self.setObjectName("borrowers_tab")
        self.source = desk.registers[REGISTER]
        self.search_edit = line_edit(
            "borrowers_search", placeholder=_("name, pinyin (zhangwei, zw) or phone"))
        self.search_edit.setClearButtonEnabled(True)
        label = QLabel(_("&Find:"))
        label.setBuddy(self.search_edit)
        self.model = PagedTableModel.for_register(self.source, actor, BorrowerFilter(), self)
        self.table = register_table("borrowers_table")
        self.table.setModel(self.model)
        apply_widths(self.table, (160, 160, 220, 90, 90, 140))
        for column in (3, 4):  # the counts, right-aligned like every number column
            self.model.columns[column] = dataclasses.replace(
                self.model.columns[column], align=Qt.AlignmentFlag.AlignRight)
        self.card_button = QPushButton(_("Borrower c&ard…"))
        self.card_button.setObjectName("borrowers_card")
        self.card_button.clicked.connect(lambda _checked=False: self.open_card())
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _text: self.timer.start())
        self.search_edit.returnPressed.connect(self.refresh)
        self.table.doubleClicked.connect(lambda index: self.open_card(index))
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(lambda: self.open_card())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update())
        self.model.modelReset.connect(self._update)

        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.search_edit, 1)
        top.addStretch(1)  # the count: the page's count label reads count_text()
        bottom = QHBoxLayout()
        bottom.addWidget(self.card_button)
        bottom.addStretch(1)
        bottom.addWidget(ExportButton(desk, actor, REGISTER, self))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._update()

    def borrower_filter(self) -> BorrowerFilter:
        return BorrowerFilter(text=self.search_edit.text().strip())

    def refresh(self) -> None:
        self.timer.stop()
        flt = self.borrower_filter()
        try:
            self.model.set_source(lambda: self.source.count(self.actor, flt),
                                  lambda offset, limit: self.source.page(self.actor, flt,
                                                                         offset, limit))
        except DeskError as error:
            show_error(self, error)
        self._update()

    def selected_rows(self) -> list[Any]:
        """No loans here: the page's loan actions stay disabled on this tab."""
        return []

    def count_text(self) -> str:
        count = self.model.rowCount()
        return ngettext("{count} outside borrower", "{count} outside borrowers", count).format(
            count=count)

    def _current(self, index: QModelIndex | None = None) -> Any | None:
        if index is None or not index.isValid():
            index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def open_card(self, index: QModelIndex | None = None) -> None:
        row = self._current(index)
        if row is not None:
            self.card(f"borrower:{row[0]}")

    def _update(self, *_args) -> None:
        self.card_button.setEnabled(self._current() is not None)
        self.counted.emit(self.count_text())
