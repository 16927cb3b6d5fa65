"""A field for a USB barcode scanner: it types like a keyboard and ends with Enter.

``scanned(str)`` carries the trimmed text; the field clears itself for the next scan. A
message (e.g. "Unknown reference scanned: …") is shown under the field until the next input.
The page sets the shortcuts that focus it (F2 and Ctrl+Shift+S) with :meth:`add_shortcuts`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desk_app.i18n import _
from desk_app.ui.widgets.fields import FieldError

SCAN_SHORTCUTS = ("F2", "Ctrl+Shift+S")


class ScanEdit(QLineEdit):
    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan_edit")
        self.setClearButtonEnabled(True)
        self.setPlaceholderText(_("Scan a barcode or type a reference, then Enter (F2)"))

    def keyPressEvent(self, event) -> None:
        # Enter ends a scan: handled here, so a dialog's default button is not pressed too.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._enter()
            event.accept()
            return
        super().keyPressEvent(event)

    def _enter(self) -> None:
        text = self.text().strip()
        self.clear()
        if text:
            self.scanned.emit(text)


class ScanBox(QWidget):
    """A labelled scan field with a message line below it."""

    scanned = Signal(str)

    def __init__(self, label: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = ScanEdit()
        self.message = FieldError()
        self.message.setObjectName("scan_message")
        caption = QLabel(label if label is not None else _("S&can:"))
        caption.setBuddy(self.edit)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(caption)
        row.addWidget(self.edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.edit.scanned.connect(self._scanned)
        self.edit.textEdited.connect(lambda _text: self.message.clear_message())
        self.setFocusProxy(self.edit)
        self.shortcuts: list[QShortcut] = []

    def _scanned(self, text: str) -> None:
        self.message.clear_message()
        self.scanned.emit(text)

    def show_message(self, text: str) -> None:
        self.message.show_message(text)

    def message_text(self) -> str:
        return self.message.text()

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def add_shortcuts(self, owner: QWidget, keys: tuple[str, ...] = SCAN_SHORTCUTS) -> None:
        """Shortcuts on ``owner`` (a page or dialog) that put the cursor in the scan field."""
        self.shortcuts += scan_shortcuts(owner, self.focus, keys)


def scan_shortcuts(owner: QWidget, focus: Callable[[], object],
                   keys: tuple[str, ...] = SCAN_SHORTCUTS) -> list[QShortcut]:
    """Shortcuts on ``owner`` that call ``focus`` (put the cursor in a scan field).

    Window-wide, so F2 works wherever the cursor is (the navigation list, a filter);
    Qt ignores shortcuts of hidden widgets, so only the page on screen answers."""
    made = []
    for key in keys:
        shortcut = QShortcut(QKeySequence(key), owner)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(focus)
        made.append(shortcut)
    return made
