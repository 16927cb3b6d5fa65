"""Small pieces the Handover page's tabs share (the fields it shares with the Keys page are
in ``ui/widgets/equipment.py``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desk_app.i18n import _
from desk_app.ui.errors import show_error


def refusal_text(blockers: list[dict[str, Any]]) -> str:
    return "\n".join("• " + blocker["message"] for blocker in blockers)


def show_refusal(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """A refused signature (``HandoverRefused``): every blocking condition, one a line;
    other errors the usual way."""
    blockers = getattr(error, "blockers", None)
    if not blockers:
        return show_error(parent, error)
    box = QMessageBox(QMessageBox.Icon.Warning, _("The handover cannot be signed yet"),
                      _("The rules forbid the handover while these conditions hold (R12):")
                      + "\n\n" + refusal_text(blockers) + "\n\n"
                      + _("The refusal is recorded. Clear the conditions, then sign again."),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("refusal_box")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box
