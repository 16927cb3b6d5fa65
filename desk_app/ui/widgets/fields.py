"""Helpers for forms: a red message under a field, and mapping a ValidationError to it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, cast

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

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


def line_edit(name: str, text: str = "", placeholder: str = "",
              password: bool = False) -> QLineEdit:
    """A one-line field named ``name`` (tests and the smoke hook find it by that name)."""
    edit = QLineEdit(text)
    edit.setObjectName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def button_row(prefix: str, entries: Sequence[tuple[str, str, Callable[[], Any]]]
               ) -> tuple[QHBoxLayout, dict[str, QPushButton]]:
    """A row of push buttons (key, text, slot), left-aligned; each named ``{prefix}_{key}``."""
    row = QHBoxLayout()
    buttons: dict[str, QPushButton] = {}
    for key, text, slot in entries:
        button = QPushButton(text)
        button.setObjectName(f"{prefix}_{key}")
        button.clicked.connect(slot)
        row.addWidget(button)
        buttons[key] = button
    row.addStretch(1)
    return row, buttons


def grow_form(parent: QWidget | None = None) -> QFormLayout:
    """A form layout whose fields take the width the dialog has."""
    form = QFormLayout(parent)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def heading_label(text: str, name: str, scale: float = 1.2) -> QLabel:
    """A bold title ``scale`` times the normal font size (a page's title, a dialog's)."""
    label = QLabel(text)
    label.setObjectName(name)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


def widget_value(widget: QWidget) -> Any:
    """What a form's field holds: a text, a spin box's number, a date-time, a choice's data
    (an editable choice: the text typed when it is none of the choices)."""
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        if widget.isEditable() and widget.currentText() != widget.itemText(widget.currentIndex()):
            return widget.currentText()
        return data if data is not None else widget.currentText()
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QDateTimeEdit):
        return widget.dateTime().toPython()
    if isinstance(widget, QLineEdit):
        return widget.text()
    return None


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
