"""The dialog every form of the program builds on: labelled fields, an error line under
each, OK/Cancel; ``submit`` calls a service, and a ``ValidationError.field`` puts the message
under the field it names (the dialog stays open, nothing changed)."""

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
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import _
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.fields import FieldError, grow_form, show_field_error, widget_value

WARNING_STYLE = "color: #8a5a00;"


def checked(error_at: Callable[[str | None, str], object],
            call: Callable[[], Any]) -> tuple[bool, Any]:
    """``(True, call())``; or ``(False, None)`` after showing its ``ValidationError`` at the
    field it names, another ``DeskError`` below the form (``error_at(None, …)``)."""
    try:
        return True, call()
    except ValidationError as error:
        error_at(error.field, str(error))
    except DeskError as error:
        error_at(None, str(error))
    return False, None


class FormDialog(QDialog):
    """A form whose ``submit`` calls a service; ``ValidationError.field`` picks the label."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = grow_form()
        self.field_errors: dict[str, FieldError] = {}
        self.general_error = FieldError()
        self.general_error.setObjectName("general_error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.ok_button.setDefault(True)  # after the layout: needs the dialog as parent
        self.setMinimumWidth(440)
        self.result_value: Any = None

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        title = QLabel(label)
        title.setBuddy(widget)
        self.form.addRow(title, widget)
        error = FieldError()
        error.setObjectName(f"error_{key}")
        self.form.addRow("", error)
        self.field_errors[key] = error
        return widget

    def error_at(self, field: str | None, message: str) -> FieldError:
        label = show_field_error(self.field_errors, self.general_error, field, message)
        self.fit_height()
        return label

    def fit_height(self) -> None:
        """Grow to show a message that wrapped onto more lines: a window's minimum size
        ignores the height a word-wrapped label needs at its width, so without this the
        buttons slid over the last field."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = (layout.heightForWidth(self.width()) if layout.hasHeightForWidth()
                  else layout.sizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def submit(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _on_ok(self) -> None:
        ok, value = checked(self.error_at, self.submit)
        if ok:
            self.result_value = value
            self.accept()


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str = "line"  # line | password | text | choice | datetime
    choices: Sequence[tuple[str, str]] = ()  # (value, label)
    value: Any = None
    editable_choice: bool = False


class FieldsDialog(FormDialog):
    """A keyboard-friendly form built from a list of :class:`FieldSpec`:
    ``submit(values, confirm)`` calls the service. Ctrl+Enter saves (also in a text field).

    A subclass may warn under text fields as they are typed (``text_warnings``) and name
    errors the user may overrule (``confirmable``): the OK button then reads "Save anyway"
    and the next save passes ``confirm=True``. Other errors than validation ones are shown
    in a message box."""

    confirmable: tuple[type[ValidationError], ...] = ()

    def __init__(self, title: str, fields: Sequence[FieldSpec],
                 submit: Callable[[dict[str, Any], bool], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit_values = submit
        self.confirm = False
        self.widgets: dict[str, QWidget] = {}
        self.warnings: dict[str, QLabel] = {}
        self.errors = self.field_errors
        for spec in fields:
            widget = self._widget(spec)
            widget.setObjectName(f"field_{spec.name}")
            self.widgets[spec.name] = widget
            self.add_field(spec.name, spec.label, widget)
            if isinstance(widget, QPlainTextEdit):
                warning = QLabel()
                warning.setStyleSheet(WARNING_STYLE)
                warning.setWordWrap(True)
                warning.hide()
                self.warnings[spec.name] = warning
                self.form.addRow("", warning)
                widget.textChanged.connect(lambda n=spec.name: self._check_text(n))
        if fields:  # keyboard work starts in the first field (else the OK button had focus,
            # and the space in a typed name pressed it)
            self.widgets[fields[0].name].setFocus()
        save = QAction(self)
        save.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        save.triggered.connect(lambda _checked=False: self.save())
        self.addAction(save)
        self.setMinimumWidth(460)

    def text_warnings(self, text: str) -> list[str]:
        """Warnings shown under a text field as it is typed (none here)."""
        return []

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
            edit = QDateTimeEdit(spec.value)  # the caller gives the default (standard clock)
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
        return {name: widget_value(widget) for name, widget in self.widgets.items()}

    def _check_text(self, name: str) -> None:
        widget = self.widgets[name]
        assert isinstance(widget, QPlainTextEdit)
        found = self.text_warnings(widget.toPlainText())
        self.warnings[name].setText("\n".join(found))
        self.warnings[name].setVisible(bool(found))
        self.fit_height()
        if self.confirm and not found:
            self._set_confirm(False)

    def _set_confirm(self, on: bool) -> None:
        self.confirm = on
        self.ok_button.setText(_("Save anyway") if on else _("OK"))

    def submit(self) -> Any:
        return self.submit_values(self.values(), self.confirm)

    def save(self) -> None:
        self._on_ok()

    def _on_ok(self) -> None:
        try:
            self.result_value = self.submit()
        except DeskError as error:
            self.show_refusal(error)
            return
        self.accept()

    def show_refusal(self, error: BaseException) -> None:
        """A ``ValidationError`` at the field it names (a confirmable one turns OK into
        *Save anyway*); any other refusal in a message box. The form stays open."""
        if isinstance(error, ValidationError):
            self.error_at(error.field, str(error))
            if isinstance(error, self.confirmable):
                self._set_confirm(True)
            return
        self.error_at(None, "")
        show_error(self, error)
