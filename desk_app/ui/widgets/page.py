"""The frame every page shares: a title, a one-line description, then its content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from desk_app.ui.widgets.fields import heading_label


class DialogHost:
    """A widget that opens one dialog at a time over itself (a page, a panel)."""

    open_dialog: QDialog | None = None  # the dialog on screen (tests drive it)

    def refresh(self) -> None:
        """Show the current data again (after a dialog changed it)."""

    def run_dialog(self, dialog: QDialog, done: Callable[[Any], object] | None = None, *,
                   accepted_only: bool = True) -> QDialog:
        """Open ``dialog`` window-modal, kept in ``open_dialog`` while it is on screen. When it
        finishes it is deleted, and if it was accepted ``done(dialog.result_value)`` runs
        (``refresh()`` without ``done``). ``accepted_only=False``: also when it was closed
        with a ``result_value`` (a loan registered whose slip was not signed)."""
        self.open_dialog = dialog

        def finished(result: int) -> None:
            self.open_dialog = None
            dialog.deleteLater()
            value = getattr(dialog, "result_value", None)
            if result or (not accepted_only and value is not None):
                if done is None:
                    self.refresh()
                else:
                    done(value)

        dialog.finished.connect(finished)
        dialog.open()
        return dialog


class Page(QWidget, DialogHost):
    """Pages know nothing of each other: to send the user elsewhere a page emits
    ``navigate(page key, view)`` and the main window shows that page's view."""

    navigate = Signal(str, str)
    settings_changed = Signal(dict)  # shared settings were saved (the values)

    def __init__(self, title: str, description: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = heading_label(title, "page_title", 1.5)
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

    # Set by a page whose constructor reads everything it shows: the main window then does
    # not call ``activated`` right after building it (that read it all a second time).
    loaded_when_built = False

    def activated(self) -> None:
        """Called when the page is shown in the main window; pages refresh here."""

    def can_leave(self) -> bool:
        """Asked before the user signs out, switches user or quits: False keeps the window
        (a page with unfinished work asks the user first)."""
        return True
