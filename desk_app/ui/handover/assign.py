"""The supervisor plans the rota: who works one shift of one day (R12: the rota is the plan a
swap changes only with approval beforehand)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from desk_app.domain import pinyin
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.shifts import shift_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog

KNOWN_DAYS = 28  # people on the rota of the last four weeks and the next two are offered


def known_people(desk: Any, actor: Actor) -> dict[str, str]:
    """login name → full name of the active users the actor may list, else of those on the
    rota lately (a supervisor does not see the user list)."""
    people: dict[str, str] = {}
    try:
        for user in desk.users.list(actor, include_inactive=False):
            people[user.name] = user.full_name or user.name
        return people
    except DeskError:
        pass
    try:
        today = desk.today()
        slots = desk.shifts.rota(actor, today - timedelta(days=KNOWN_DAYS),
                                 today + timedelta(days=14))
    except DeskError:
        return people
    for slot in slots:
        for person in slot["people"]:
            people[person["name"]] = person.get("full_name") or person["name"]
    return people


def person_text(name: str, full_name: str) -> str:
    return f"{full_name} ({name})" if full_name and full_name != name else name


class AssignDialog(FormDialog):
    """Tick who works the slot; a name not in the list is typed and added. OK replaces the
    slot's people (none ticked: nobody planned)."""

    def __init__(self, desk, actor: Actor, day: date, shift: str,
                 people: list[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.day, self.shift = desk, actor, day, shift
        self.setObjectName("assign_dialog")
        self.setWindowTitle(_("Who works {day} {shift}").format(day=day.isoformat(),
                                                                 shift=shift_label(shift)))
        about = QLabel(_("Tick who works this shift. Someone not in the list: type the user "
                         "name under Other."))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.list = QListWidget()
        self.list.setObjectName("people")
        self.list.setMinimumHeight(180)
        planned = {person["name"] for person in people}
        known = known_people(desk, actor)
        for person in people:
            known.setdefault(person["name"], person.get("full_name") or person["name"])
        # Planned people first, then everyone in pinyin order of their names (R1).
        for name in sorted(known, key=lambda n: (n not in planned, pinyin.name_sort_key(known[n]), n)):
            self._add_item(name, known[name], name in planned)
        self.name_edit = line_edit("add_name", placeholder=_("user name"))
        completer = QCompleter(sorted(known), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.name_edit.setCompleter(completer)
        self.name_edit.returnPressed.connect(self.add_typed)
        self.add_button = QPushButton(_("A&dd to the list"))
        self.add_button.setObjectName("add_person")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda _checked=False: self.add_typed())
        add_row = QHBoxLayout()
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.add_button)
        add_box = QWidget()
        add_box.setLayout(add_row)
        add_row.setContentsMargins(0, 0, 0, 0)
        self.add_field("users", _("&People:"), self.list)
        self.add_field("add_name", _("&Other:"), add_box)
        self.ok_button.setText(_("&Save"))
        self.ok_button.setObjectName("assign")
        self.list.setFocus()
        if self.list.count():
            self.list.setCurrentRow(0)

    def _add_item(self, name: str, full_name: str, checked: bool) -> QListWidgetItem:
        item = QListWidgetItem(person_text(name, full_name))
        item.setData(Qt.ItemDataRole.UserRole, name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.addItem(item)
        return item

    def keyPressEvent(self, event) -> None:
        """Enter in the name field adds the name; it does not save the dialog."""
        if self.name_edit.hasFocus() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)

    def add_typed(self) -> None:
        """Tick the typed user name (added to the list if new; the service checks it)."""
        name = self.name_edit.text().strip()
        if not name:
            return
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == name:
                break
        else:
            item = self._add_item(name, "", True)
        item.setCheckState(Qt.CheckState.Checked)
        self.list.setCurrentItem(item)
        self.name_edit.clear()

    def chosen(self) -> list[str]:
        names = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                names.append(item.data(Qt.ItemDataRole.UserRole))
        return names

    def error_at(self, field: str | None, message: str):
        return super().error_at("users" if field in ("user", "users") else field, message)

    def submit(self) -> dict[str, Any]:
        if self.name_edit.text().strip():
            raise ValidationError(_("Add or clear the typed name first."), "add_name")
        return self.desk.shifts.assign(self.actor, self.day, self.shift, self.chosen())
