"""The Audit page's details pane: the selected entry as a sentence, then its change as a
field / old / new table (``domain.audit_text``), and the entry's number underneath (the
stored names as its tooltip, for an auditor comparing with an export or the CLI)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.i18n import _
from desk_app.ui.widgets.registers import local_time_text


class EntryDetails(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_details")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.sentence_label = QLabel(_("Select an entry to see what changed."))
        self.sentence_label.setObjectName("audit_sentence")
        self.sentence_label.setWordWrap(True)
        self.sentence_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.sentence_label.font()
        font.setBold(True)
        self.sentence_label.setFont(font)
        layout.addWidget(self.sentence_label)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("audit_changes")
        self.table.setHorizontalHeaderLabels([_("Field"), _("Before"), _("After")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.technical_label = QLabel()
        self.technical_label.setObjectName("audit_technical")
        self.technical_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.technical_label.setStyleSheet("color: palette(mid);")
        layout.addWidget(self.technical_label)

    def show_entry(self, entry: dict[str, Any] | None) -> None:
        self.table.setRowCount(0)
        if entry is None:
            self.sentence_label.setText(_("Select an entry to see what changed."))
            self.technical_label.clear()
            self.technical_label.setToolTip("")
            return
        self.sentence_label.setText(_("{time}: {sentence}").format(
            time=local_time_text(entry["at"], with_seconds=True), sentence=entry["sentence"]))
        rows = entry.get("rows") or ()
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            for column, text in enumerate((row.field, row.old, row.new)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(number, column, item)
        self.table.resizeRowsToContents()
        self.technical_label.setText(_("Entry {seq}").format(seq=entry["seq"]))
        # The stored names, as the CLI and the hash chain know them, for an auditor who
        # compares with an export; not words anyone else should have to read.
        self.technical_label.setToolTip("{action} · {entity} {id}".format(
            action=entry["action"], entity=entry["entity"], id=entry.get("entity_id") or ""))
