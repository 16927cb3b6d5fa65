"""The dialog every form of the program builds on: labelled fields, an error line under
each, OK/Cancel; ``submit`` calls a service, and a ``ValidationError.field`` puts the message
under the field it names (the dialog stays open, nothing changed)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import _
from desk_app.ui.widgets.fields import FieldError, show_field_error


class FormDialog(QDialog):
    """A form whose ``submit`` calls a service; ``ValidationError.field`` picks the label."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
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
        return show_field_error(self.field_errors, self.general_error, field, message)

    def submit(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _on_ok(self) -> None:
        try:
            self.result_value = self.submit()
        except ValidationError as error:
            self.error_at(error.field, str(error))
            return
        except DeskError as error:
            self.error_at(None, str(error))
            return
        self.accept()
