"""The Admin page's "Departments" tab: who belongs to which department and who heads it.
Circulation of incoming documents and liaison sheets go to a department's heads, and only a
department's staff record its handling result (docs/documents.md)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.fields import button_row
from desk_app.ui.widgets.form_dialog import FieldsDialog, FieldSpec
from desk_app.ui.widgets.page import DialogHost

USER_ROLE = Qt.ItemDataRole.UserRole
DEPT_ROLE = Qt.ItemDataRole.UserRole + 1  # a department's code, on its row and its members'
HEAD_ROLE = Qt.ItemDataRole.UserRole + 2


class DepartmentsPanel(QWidget, DialogHost):
    """Departments (a handful) with their members: a bounded tree, not a register."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        explain = QLabel(_("Incoming documents circulate to the heads of the departments the "
                           "manager names; the handling department's staff record the result; "
                           "a department's head reviews its outgoing drafts and signs its "
                           "liaison sheets."))
        explain.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("departments_tree")
        self.tree.setHeaderLabels([_("Department / person"), _("User name"), _("Head")])
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 140)
        self.tree.itemActivated.connect(lambda *_args: self.assign_selected())
        row, self.buttons = button_row("departments", (
            ("assign", _("&Assign a user…"), lambda: self.assign_selected()),
            ("clear", _("&Remove from the department"), self.clear)))
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(row)
        layout.addWidget(self.tree, 1)

    def _selected_user(self) -> str:
        item = self.tree.currentItem()
        return str(item.data(0, USER_ROLE) or "") if item is not None else ""

    def assign_selected(self) -> None:
        """Assign… with what is selected filled in: a member (their name, department and
        whether they head it), or a department."""
        item = self.tree.currentItem()
        if item is None:
            self.assign()
            return
        self.assign(self._selected_user(), item.data(0, DEPT_ROLE) or None,
                    bool(item.data(0, HEAD_ROLE)))

    def refresh(self) -> None:
        try:
            departments = self.desk.documents.departments(self.actor)
        except DeskError as error:
            show_error(self, error)
            return
        self.tree.clear()
        self.codes = [(dept["code"], f"{dept['name']} ({dept['code']})") for dept in departments]
        for dept in departments:
            top = QTreeWidgetItem([f"{dept['name']} ({dept['code']})", "", ""])
            top.setData(0, DEPT_ROLE, dept["code"])
            for member in dept["members"]:
                child = QTreeWidgetItem([member["full_name"] or member["name"], member["name"],
                                         _("Head") if member["head"] else ""])
                child.setData(0, USER_ROLE, member["name"])
                child.setData(0, DEPT_ROLE, dept["code"])
                child.setData(0, HEAD_ROLE, bool(member["head"]))
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)

    def assign(self, user_name: str = "", dept: str | None = None, head: bool = False) -> None:
        fields = [FieldSpec("user", _("&User name:"), value=user_name),
                  FieldSpec("dept", _("&Department:"), "choice", choices=self.codes, value=dept),
                  FieldSpec("head", _("&Heads the department:"), "choice",
                            choices=[("no", _("No")), ("yes", _("Yes"))],
                            value="yes" if head else "no")]

        def submit(values: dict[str, Any], _confirm: bool) -> Any:
            return self.desk.documents.set_department(self.actor, values["user"].strip(),
                                                      values["dept"], values["head"] == "yes")

        self.run_dialog(FieldsDialog(_("Assign to a department"), fields, submit, self),
                        lambda _value: self.refresh())

    def clear(self) -> None:
        name = self._selected_user()
        if not name:
            return
        try:
            self.desk.documents.set_department(self.actor, name, None)
        except DeskError as error:
            show_error(self, error)
            return
        self.refresh()
