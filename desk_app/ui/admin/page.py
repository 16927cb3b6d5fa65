"""The Admin area: the users register with its actions, the shared settings, the signing
keys and the backups."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.clock import format_date, format_datetime
from desk_app.domain.errors import DeskError
from desk_app.domain.roles import role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.admin.backups_panel import BackupsPanel
from desk_app.ui.admin.departments_panel import DepartmentsPanel
from desk_app.ui.admin.dialogs import AddUserDialog, ResetPasswordDialog, RolesDialog
from desk_app.ui.admin.imports_panel import ImportsPanel
from desk_app.ui.admin.keys_panel import KeysPanel
from desk_app.ui.admin.settings_form import SettingsForm
from desk_app.ui.errors import show_error
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.page import DialogHost, Page

log = logging.getLogger(__name__)


def user_columns() -> list[Column]:
    def roles(user) -> str:
        return "、".join(role_label(role) for role in sorted(user.roles))

    return [
        Column(lambda: _("User name"), lambda user: user.name),
        Column(lambda: _("Full name"), lambda user: user.full_name),
        Column(lambda: _("Roles"), roles),
        Column(lambda: _("Status"),
               lambda user: _("active") if user.active else _("deactivated")),
        Column(lambda: _("Locked until"),
               lambda user: format_datetime(user.locked_until)),
        Column(lambda: _("Created"), lambda user: format_date(user.created_at)),
    ]


class UsersPanel(QWidget, DialogHost):
    changed = Signal()

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.model = PagedTableModel(lambda: desk.users.count(actor),
                                     lambda offset, limit: desk.users.page(actor, offset, limit),
                                     user_columns(), parent=self)
        self.table = QTableView()
        self.table.setObjectName("users_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((120, 120, 180, 90, 130)):
            self.table.setColumnWidth(column, width)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda _index: self.change_roles())

        self.add_action = QAction(_("&Add user…"), self)
        self.roles_action = QAction(_("Change &roles…"), self)
        self.password_action = QAction(_("Reset &password…"), self)
        self.deactivate_action = QAction(_("&Deactivate"), self)
        self.reactivate_action = QAction(_("Reac&tivate"), self)
        self.add_action.triggered.connect(self.add_user)
        self.roles_action.triggered.connect(self.change_roles)
        self.password_action.triggered.connect(self.reset_password)
        self.deactivate_action.triggered.connect(lambda: self.set_active(False))
        self.reactivate_action.triggered.connect(lambda: self.set_active(True))

        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, action in (("add", self.add_action), ("roles", self.roles_action),
                            ("password", self.password_action),
                            ("deactivate", self.deactivate_action),
                            ("reactivate", self.reactivate_action)):
            button = QPushButton(action.text())
            button.setObjectName(f"user_{key}")
            button.clicked.connect(action.trigger)
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self._update_actions()

    def selected_user(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select_name(self, name: str) -> bool:
        for number in range(self.model.rowCount()):
            user = self.model.row(number)
            if user is not None and user.name == name:
                self.table.selectRow(number)
                return True
        return False

    def _update_actions(self, *_args) -> None:
        user = self.selected_user()
        for action, enabled in (
            (self.roles_action, user is not None),
            (self.password_action, user is not None),
            (self.deactivate_action, user is not None and user.active),
            (self.reactivate_action, user is not None and not user.active),
        ):
            action.setEnabled(enabled)
        for key, action in (("roles", self.roles_action), ("password", self.password_action),
                            ("deactivate", self.deactivate_action),
                            ("reactivate", self.reactivate_action)):
            self.buttons[key].setEnabled(action.isEnabled())

    def _context_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if index.isValid():
            self.table.selectRow(index.row())
        menu = QMenu(self)
        for action in (self.add_action, self.roles_action, self.password_action,
                       self.deactivate_action, self.reactivate_action):
            menu.addAction(action)
        menu.popup(self.table.viewport().mapToGlobal(point))

    def _run(self, dialog: QDialog) -> None:
        self.run_dialog(dialog, self._dialog_done)

    def _dialog_done(self, value: Any) -> None:
        self.refresh(getattr(value, "name", None))
        self.changed.emit()

    def refresh(self, select: str | None = None) -> None:
        current = select or getattr(self.selected_user(), "name", None)
        self.model.refresh()
        if current:
            self.select_name(current)

    def add_user(self) -> None:
        self._run(AddUserDialog(self.desk, self.actor, self))

    def change_roles(self) -> None:
        user = self.selected_user()
        if user is not None:
            self._run(RolesDialog(self.desk, self.actor, user, self))

    def reset_password(self) -> None:
        user = self.selected_user()
        if user is not None:
            self._run(ResetPasswordDialog(self.desk, self.actor, user, self))

    def set_active(self, active: bool, confirm: bool = True) -> None:
        user = self.selected_user()
        if user is None:
            return
        if confirm and not active:
            answer = QMessageBox.question(
                self, _("Deactivate user"),
                _("Deactivate {name}? The account can no longer sign in; its history stays.")
                .format(name=user.name),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            self.desk.users.set_active(self.actor, user.name, active)
        except DeskError as error:
            show_error(self, error)
            return
        self.refresh(user.name)
        self.changed.emit()


class AdminPage(Page):
    settings_saved = Signal(dict)

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Administration"), _("Users, their roles and the settings shared by "
                                                "every desk."), parent)
        self.tabs = QTabWidget()
        self.users = UsersPanel(desk, actor)
        self.settings = SettingsForm(desk, actor)
        self.tabs.addTab(self.users, _("&Users"))
        self.tabs.addTab(self.settings, _("S&ettings"))
        self.keys = KeysPanel(desk, actor)
        self.tabs.addTab(self.keys, _("Signing &keys"))
        self.backups = BackupsPanel(desk, actor)
        self.tabs.addTab(self.backups, _("&Backups"))
        self.departments = DepartmentsPanel(desk, actor)
        self.tabs.addTab(self.departments, _("&Departments"))
        self.imports = ImportsPanel(desk, actor)
        self.tabs.addTab(self.imports, _("&Import"))
        self.settings.saved.connect(self.settings_saved)
        self.settings.saved.connect(self.settings_changed)
        self.settings.saved.connect(lambda _values: self.backups.refresh())
        self.body.addWidget(self.tabs, 1)

    def activated(self) -> None:
        self.users.refresh()
        self.keys.refresh()
        self.backups.refresh()
        self.departments.refresh()
