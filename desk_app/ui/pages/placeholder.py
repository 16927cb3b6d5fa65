"""Areas whose capabilities come in later releases: a clean page saying what they will do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desk_app.i18n import _
from desk_app.ui.widgets.page import Page


class PlaceholderPage(Page):
    def __init__(self, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(title, description, parent)
        note = QLabel(_("This area is being built and will be available in a coming version."))
        note.setObjectName("placeholder_note")
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        note.setStyleSheet("color: palette(placeholder-text);")
        self.body.addWidget(note)
        self.body.addStretch(1)
