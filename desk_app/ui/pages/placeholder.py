"""Areas whose capabilities come in later releases: a clean page saying what they will do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QWidget

from desk_app.i18n import _
from desk_app.ui.widgets.page import Page


class PlaceholderPage(Page):
    def __init__(self, title: str, description: str, icon: QIcon | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, description, parent)
        self.body.addStretch(1)
        if icon is not None:
            picture = QLabel()
            picture.setPixmap(icon.pixmap(96, 96, QIcon.Mode.Disabled))
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body.addWidget(picture)
        note = QLabel(_("This area is being built and will be available in a coming version."))
        note.setObjectName("placeholder_note")
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note.setStyleSheet("color: palette(placeholder-text);")
        self.body.addWidget(note)
        self.body.addStretch(2)
