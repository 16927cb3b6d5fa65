"""The frame every page shares: a title, a one-line description, then its content."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class Page(QWidget):
    """Pages know nothing of each other: to send the user elsewhere a page emits
    ``navigate(page key, view)`` and the main window shows that page's view."""

    navigate = Signal(str, str)
    settings_changed = Signal(dict)  # shared settings were saved (the values)

    def __init__(self, title: str, description: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("page_title")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title_label.setFont(font)
        self.description_label = QLabel(description)
        self.description_label.setObjectName("page_description")
        self.description_label.setWordWrap(True)
        self.description_label.setVisible(bool(description))
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(20, 16, 20, 12)
        self.body.setSpacing(10)
        self.body.addWidget(self.title_label)
        self.body.addWidget(self.description_label)

    def focus_first(self) -> None:
        """Put the cursor where work on this page starts (``initial_focus``, else the first
        widget that takes focus), so a clerk who switched pages by keyboard can type at once."""
        target = getattr(self, "initial_focus", None)
        if target is not None and target.isEnabled():
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.focusNextChild()

    def show_view(self, view: str) -> None:
        """Show a named part of the page (a tab) when another page sends the user here."""

    def activated(self) -> None:
        """Called when the page is shown in the main window; pages refresh here."""
