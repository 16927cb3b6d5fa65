"""Small pieces the Handover page's tabs share (each area's UI stands alone, so these few
lines are not taken from the Keys page)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QMessageBox, QWidget

from desk_app.domain.equipment import CONDITION_LABELS, Condition
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.errors import show_error


def condition_combo() -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("condition")
    for condition in Condition:
        combo.addItem(_(CONDITION_LABELS[condition]), condition.value)
    return combo


def people_completer(desk: Any, actor: Actor, parent: QWidget) -> QCompleter | None:
    """User names on the rota of today and tomorrow, to complete a user name field."""
    try:
        today = desk.today()
        slots = desk.shifts.rota(actor, today, today + timedelta(days=1))
    except (DeskError, AttributeError):
        return None
    names = sorted({person["name"] for slot in slots for person in slot["people"]})
    if not names:
        return None
    completer = QCompleter(names, parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return completer


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
