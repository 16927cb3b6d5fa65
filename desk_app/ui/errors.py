"""The one way the GUI shows an error a service raised, and the crash dialog."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desk_app.domain.errors import DeskError, PermissionDenied, TargetExists, ValidationError
from desk_app.i18n import _

log = logging.getLogger(__name__)
T = TypeVar("T")

_orphans: list[QMessageBox] = []  # boxes without a parent stay referenced while open


def _title(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return _("Please check your input")
    if isinstance(error, PermissionDenied):
        return _("Not allowed")
    return _("Cannot do this")


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """Show ``error`` (normally a DeskError, already translated) in a window-modal box.

    Non-blocking (``open``): the caller's code goes on; the box is returned so tests can
    read and close it.
    """
    if not isinstance(error, DeskError):
        log.error("unexpected error shown to the user", exc_info=error)
    box = QMessageBox(QMessageBox.Icon.Warning, _title(error), str(error),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if parent is None:
        _orphans.append(box)
        box.destroyed.connect(lambda *_args, b=box: _orphans.remove(b) if b in _orphans else None)
    box.open()
    return box


def replacing(parent: QWidget | None, write: Callable[[bool], T]) -> T:
    """``write(force)``; if the file exists already, ask whether to replace it and, if so,
    write again with ``force``. "No" leaves the refusal to be shown at the file field."""
    try:
        return write(False)
    except TargetExists as error:
        answer = QMessageBox.question(
            parent, _("Replace the file?"), _("{path} exists already. Replace it?").format(
                path=error.path),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            raise
        return write(True)


def crash_dialog(details: str, log_path: str) -> QMessageBox:
    """The dialog an unexpected exception shows: short text, copyable details."""
    parent = QApplication.activeWindow()
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(_("Unexpected error"))
    box.setText(_("Something went wrong. The operation in progress was not completed."))
    box.setInformativeText(
        _("The details are in the log file {path}. Click “Show Details…” to copy them.")
        .format(path=log_path)
    )
    box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box
