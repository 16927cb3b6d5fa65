"""Helpers for forms: a red message under a field, and mapping a ValidationError to it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

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


def show_field_error(labels: dict[str, FieldError], fallback: FieldError, field: str | None,
                     message: str) -> FieldError:
    """Show ``message`` at the label for ``field`` (or ``fallback``); clear the others."""
    for label in {*labels.values(), fallback}:
        label.clear_message()
    target = labels.get(field or "", fallback)
    target.show_message(message)
    return target
