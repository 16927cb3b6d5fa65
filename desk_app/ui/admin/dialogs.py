"""Dialogs of the Admin page. Every check is done by the services; errors show at the field."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QWidget,
)

from desk_app.domain.errors import ValidationError
from desk_app.domain.roles import Role, role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog

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


class _NewPasswordDialog(FormDialog):
    """A form with a new password typed twice (the services check its rules)."""

    def add_new_password(self, label: str) -> None:
        self.password_edit = line_edit("password", password=True)
        self.repeat_edit = line_edit("repeat", password=True)
        self.add_field("password", label, self.password_edit)
        self.add_field("repeat", _("&Repeat password:"), self.repeat_edit)

    def new_password(self) -> str:
        if self.password_edit.text() != self.repeat_edit.text():
            raise ValidationError(_("The passwords do not match."), field="repeat")
        return self.password_edit.text()


class AddUserDialog(_NewPasswordDialog):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setWindowTitle(_("Add user"))
        self.name_edit = line_edit("name", placeholder=_("e.g. wangfang"))
        self.full_name_edit = line_edit("full_name")
        self.roles = RolePicker(frozenset({Role.CLERK}))
        self.add_field("name", _("&User name:"), self.name_edit)
        self.add_field("full_name", _("&Full name:"), self.full_name_edit)
        self.add_new_password(_("&Password:"))
        self.add_field("roles", _("Roles:"), self.roles)
        self.ok_button.setText(_("&Add user"))
        self.name_edit.setFocus()

    def submit(self):
        return self.desk.users.add(self.actor, self.name_edit.text(), self.new_password(),
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


class ResetPasswordDialog(_NewPasswordDialog):
    def __init__(self, desk, actor: Actor, user, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.user = desk, actor, user
        self.setWindowTitle(_("Reset the password of {name}").format(name=user.name))
        self.add_new_password(_("&New password:"))
        self.ok_button.setText(_("&Reset password"))
        self.password_edit.setFocus()

    def submit(self):
        return self.desk.users.reset_password(self.actor, self.user.name, self.new_password())
