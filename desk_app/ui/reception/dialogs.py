"""Small keyboard-friendly forms of the Reception page, built from a list of fields.

Free-text fields are checked for forbidden phrases as you type (R13); the service checks them
again and, when one is found, the dialog offers "Save anyway" (the note may quote someone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import _
from desk_app.services.reception import ForbiddenPhraseFound, check_text
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.fields import FieldError

WARNING_STYLE = "color: #8a5a00;"


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str = "line"  # line | password | text | choice | datetime
    choices: Sequence[tuple[str, str]] = ()  # (value, label)
    value: Any = None
    editable_choice: bool = False


class FormDialog(QDialog):
    """``submit(values, confirm)`` calls the service; errors are shown at their field."""

    def __init__(self, title: str, fields: Sequence[FieldSpec],
                 submit: Callable[[dict[str, Any], bool], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = submit
        self.result_value: Any = None
        self.confirm = False
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        self.warnings: dict[str, QLabel] = {}
        form = QFormLayout()
        for spec in fields:
            widget = self._widget(spec)
            widget.setObjectName(f"field_{spec.name}")
            self.widgets[spec.name] = widget
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(widget)
            if spec.kind == "text":
                warning = QLabel()
                warning.setStyleSheet(WARNING_STYLE)
                warning.setWordWrap(True)
                warning.hide()
                self.warnings[spec.name] = warning
                column.addWidget(warning)
                assert isinstance(widget, QPlainTextEdit)
                widget.textChanged.connect(lambda n=spec.name: self._check_phrases(n))
            error = FieldError()
            self.errors[spec.name] = error
            column.addWidget(error)
            label = QLabel(spec.label)
            label.setBuddy(widget)
            form.addRow(label, holder)
        self.general_error = FieldError()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        save = QAction(self)
        save.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        save.triggered.connect(lambda _checked=False: self.save())
        self.addAction(save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def _widget(self, spec: FieldSpec) -> QWidget:
        if spec.kind == "text":
            text = QPlainTextEdit(str(spec.value or ""))
            text.setTabChangesFocus(True)
            text.setFixedHeight(80)
            text.installEventFilter(self)
            return text
        if spec.kind == "choice":
            combo = QComboBox()
            combo.setEditable(spec.editable_choice)
            for value, label in spec.choices:
                combo.addItem(label, value)
            if spec.value is not None:
                index = combo.findData(spec.value)
                if index >= 0:
                    combo.setCurrentIndex(index)
                elif spec.editable_choice:
                    combo.setEditText(str(spec.value))
            return combo
        if spec.kind == "datetime":
            edit = QDateTimeEdit(spec.value)  # the page gives the default (standard clock, R8)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
            return edit
        line = QLineEdit(str(spec.value or ""))
        if spec.kind == "password":
            line.setEchoMode(QLineEdit.EchoMode.Password)
        # Enter reaches the dialog's default button (OK → save) by itself: connecting
        # returnPressed as well saved twice — a wrong password counted twice.
        return line

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Enter in a text field saves the form (Enter alone starts a new line)."""
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.save()
            return True
        return super().eventFilter(watched, event)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText()
            elif isinstance(widget, QComboBox):
                data = widget.currentData()
                out[name] = (widget.currentText() if widget.isEditable()
                             and widget.currentText() != widget.itemText(widget.currentIndex())
                             else data if data is not None else widget.currentText())
            elif isinstance(widget, QDateTimeEdit):
                out[name] = widget.dateTime().toPython()
            elif isinstance(widget, QLineEdit):
                out[name] = widget.text()
        return out

    def _check_phrases(self, name: str) -> None:
        widget = self.widgets[name]
        assert isinstance(widget, QPlainTextEdit)
        findings = check_text(widget.toPlainText())
        label = self.warnings[name]
        label.setText("\n".join(_("Avoid “{found}”: {suggestion}").format(
            found=f.found, suggestion=f.suggestion) for f in findings))
        label.setVisible(bool(findings))
        if self.confirm and not findings:
            self._set_confirm(False)

    def _set_confirm(self, on: bool) -> None:
        self.confirm = on
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        button.setText(_("Save anyway") if on else _("OK"))

    def save(self) -> None:
        for error in (*self.errors.values(), self.general_error):
            error.clear_message()
        try:
            self.result_value = self.submit(self.values(), self.confirm)
        except ForbiddenPhraseFound as error:
            self.errors.get(error.field or "", self.general_error).show_message(str(error))
            self._set_confirm(True)
            return
        except ValidationError as error:
            self.errors.get(error.field or "", self.general_error).show_message(str(error))
            return
        except DeskError as error:
            show_error(self, error)
            return
        self.accept()
