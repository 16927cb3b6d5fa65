"""Dialogs of the Admin page. Every check is done by the services; errors show at the field."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.roles import Role, role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.widgets.fields import FieldError, show_field_error

log = logging.getLogger(__name__)


class RolePicker(QWidget):
    """One check box per role, two columns."""

    def __init__(self, checked: frozenset[Role] = frozenset(), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[Role, QCheckBox] = {}
        for index, role in enumerate(Role):
            box = QCheckBox(role_label(role))
            box.setObjectName(f"role_{role.value}")
            box.setChecked(role in checked)
            grid.addWidget(box, index // 2, index % 2)
            self.boxes[role] = box

    def selected(self) -> list[str]:
        return [role.value for role, box in self.boxes.items() if box.isChecked()]


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


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class AddUserDialog(FormDialog):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setWindowTitle(_("Add user"))
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("name")
        self.name_edit.setPlaceholderText(_("e.g. wangfang"))
        self.full_name_edit = QLineEdit()
        self.full_name_edit.setObjectName("full_name")
        self.password_edit = _password_edit("password")
        self.repeat_edit = _password_edit("repeat")
        self.roles = RolePicker(frozenset({Role.CLERK}))
        self.add_field("name", _("&User name:"), self.name_edit)
        self.add_field("full_name", _("&Full name:"), self.full_name_edit)
        self.add_field("password", _("&Password:"), self.password_edit)
        self.add_field("repeat", _("&Repeat password:"), self.repeat_edit)
        self.add_field("roles", _("Roles:"), self.roles)
        self.ok_button.setText(_("&Add user"))
        self.name_edit.setFocus()

    def submit(self):
        if self.password_edit.text() != self.repeat_edit.text():
            raise ValidationError(_("The passwords do not match."), field="repeat")
        return self.desk.users.add(self.actor, self.name_edit.text(), self.password_edit.text(),
                                   self.roles.selected(), self.full_name_edit.text())


class RolesDialog(FormDialog):
    def __init__(self, desk, actor: Actor, user, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.user = desk, actor, user
        self.setWindowTitle(_("Change roles of {name}").format(name=user.name))
        self.roles = RolePicker(user.roles)
        self.add_field("roles", _("Roles:"), self.roles)
        self.ok_button.setText(_("&Save roles"))

    def submit(self):
        return self.desk.users.set_roles(self.actor, self.user.name, self.roles.selected())


class ResetPasswordDialog(FormDialog):
    def __init__(self, desk, actor: Actor, user, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.user = desk, actor, user
        self.setWindowTitle(_("Reset the password of {name}").format(name=user.name))
        self.password_edit = _password_edit("password")
        self.repeat_edit = _password_edit("repeat")
        self.add_field("password", _("&New password:"), self.password_edit)
        self.add_field("repeat", _("&Repeat password:"), self.repeat_edit)
        self.ok_button.setText(_("&Reset password"))
        self.password_edit.setFocus()

    def submit(self):
        if self.password_edit.text() != self.repeat_edit.text():
            raise ValidationError(_("The passwords do not match."), field="repeat")
        return self.desk.users.reset_password(self.actor, self.user.name, self.password_edit.text())
