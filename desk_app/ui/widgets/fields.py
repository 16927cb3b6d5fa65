"""Helpers for forms: a red message under a field, and mapping a ValidationError to it."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QLabel, QWidget

from desk_app.domain.clock import to_local

ERROR_STYLE = "color: #b00020;"


class FieldError(QLabel):
    """A red, word-wrapped message shown below its field; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_message(self) -> None:
        self.show_message("")


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    """``QDate.toPython()`` typed: the stubs say ``object``, it returns a ``date``."""
    return cast(date, day.toPython())


def local_qdatetime(moment_utc: datetime) -> QDateTime:
    """A stored (naive UTC) moment, e.g. the standard clock's now, as a local QDateTime."""
    local = to_local(moment_utc)
    return QDateTime(QDate(local.year, local.month, local.day),
                     QTime(local.hour, local.minute, local.second))


def show_field_error(labels: dict[str, FieldError], fallback: FieldError, field: str | None,
                     message: str) -> FieldError:
    """Show ``message`` at the label for ``field`` (or ``fallback``); clear the others."""
    for label in {*labels.values(), fallback}:
        label.clear_message()
    target = labels.get(field or "", fallback)
    target.show_message(message)
    return target
