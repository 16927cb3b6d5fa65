"""Fields the Keys & equipment page and the Handover page both ask for: an article's
condition, and a user name completed from the people on the rota."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from desk_app.domain.equipment import CONDITION_LABELS, Condition
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _


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
