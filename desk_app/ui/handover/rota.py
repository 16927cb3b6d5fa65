"""Rota & swaps (R12): who works the next seven days' shifts (approved swaps shown), swap
requests, and the supervisor's decision on them — beforehand."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.areas.handover import HandoverPermission
from desk_app.domain.clock import format_clock
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.shifts import SwapStatus, shift_label
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.errors import show_error
from desk_app.ui.handover.assign import AssignDialog
from desk_app.ui.handover.dialogs import ctrl_enter, text_field
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.equipment import people_completer
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.page import DialogHost
from desk_app.ui.widgets.registers import apply_widths, register_table

H = HandoverPermission
DAYS = 7


def swap_columns() -> list[Column]:
    return [
        Column(lambda: _("Number"), lambda row: row["number"]),
        Column(lambda: _("Shift"), lambda row: f"{row['day']} {row['shift']}"),
        Column(lambda: _("Absent"), lambda row: row.get("absent_full_name") or row["absent"]),
        Column(lambda: _("Substitute"),
               lambda row: row.get("substitute_full_name") or row["substitute"]),
        Column(lambda: _("Status"), lambda row: row["status_label"]),
        Column(lambda: _("Requested by"),
               lambda row: row.get("requested_by_full_name") or row["requested_by"]),
        Column(lambda: _("Decided by"),
               lambda row: row.get("decided_by_full_name") or row.get("decided_by") or ""),
        Column(lambda: _("Reason"), lambda row: row["reason"], tooltip=lambda row: row["reason"]),
        Column(lambda: _("Decision"), lambda row: row.get("decision_reason") or "",
               tooltip=lambda row: row.get("decision_reason")),
    ]


class SwapRequestDialog(FormDialog):
    def __init__(self, desk, actor: Actor, shifts: list[str], day: date | None = None,
                 shift: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("swap_request_dialog")
        self.setWindowTitle(_("Request a swap"))
        self.day_edit = DateField(day or desk.today(), name="day")
        self.shift_combo = QComboBox()
        self.shift_combo.setObjectName("shift")
        for name in shifts:
            self.shift_combo.addItem(name, name)
        if shift:
            self.shift_combo.setCurrentIndex(max(0, self.shift_combo.findData(shift)))
        self.absent_edit = line_edit("absent", actor.name)
        self.substitute_edit = line_edit("substitute", placeholder=_("user name of the substitute"))
        completer = people_completer(desk, actor, self)
        if completer is not None:
            self.substitute_edit.setCompleter(completer)
        self.reason_edit = text_field("reason")
        self.add_field("day", _("&Day:"), self.day_edit)
        self.add_field("shift", _("S&hift:"), self.shift_combo)
        self.add_field("absent", _("&Absent:"), self.absent_edit)
        self.add_field("substitute", _("&Substitute:"), self.substitute_edit)
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.ok_button.setText(_("&Request"))
        ctrl_enter(self)
        self.substitute_edit.setFocus()

    def submit(self) -> dict[str, Any]:
        day = self.day_edit.value()
        if day is None:  # not a date: said at the field, nothing asked
            raise ValidationError(self.day_edit.error() or "", "day")
        return self.desk.shifts.request_swap(
            self.actor, day, self.shift_combo.currentData(),
            self.absent_edit.text().strip(), self.substitute_edit.text().strip(),
            self.reason_edit.toPlainText().strip())


class DecideSwapDialog(FormDialog):
    def __init__(self, desk, actor: Actor, swap: dict[str, Any], approve: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.swap, self.approve = desk, actor, swap, approve
        self.setObjectName("decide_swap_dialog")
        self.setWindowTitle((_("Approve swap {number}") if approve
                             else _("Refuse swap {number}")).format(number=swap["number"]))
        about = QLabel(_("{day} {shift}: {substitute} works instead of {absent}. {reason}").format(
            day=swap["day"], shift=shift_label(swap["shift"]), substitute=swap["substitute"],
            absent=swap["absent"], reason=swap["reason"]))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.reason_edit = text_field("reason")
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.ok_button.setText(_("&Approve") if approve else _("Re&fuse"))
        ctrl_enter(self)
        self.reason_edit.setFocus()

    def submit(self) -> dict[str, Any]:
        reason = self.reason_edit.toPlainText().strip()
        if not reason:
            raise ValidationError(_("Please give a reason."), "reason")
        return self.desk.shifts.decide_swap(self.actor, self.swap["id"], self.approve, reason)


class RotaTab(QWidget, DialogHost):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.shift_names: list[str] = []
        self.rota = QTreeWidget()
        self.rota.setObjectName("rota")
        self.rota.setRootIsDecorated(False)
        self.rota.setUniformRowHeights(True)
        self.rota.setHeaderLabels([_("Day"), _("Shift"), _("Time"), _("Who works it")])
        for column, width in enumerate((110, 80, 120)):
            self.rota.setColumnWidth(column, width)
        self.swaps = PagedTableModel(lambda: desk.shifts.swap_count(actor),
                                     lambda offset, limit: desk.shifts.swaps(
                                         actor, None, offset, limit), swap_columns(), parent=self)
        self.table: QTableView = register_table("swaps")
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setModel(self.swaps)
        apply_widths(self.table, (110, 120, 100, 100, 160, 100, 100, 180))
        self.count_label = QLabel()
        self.count_label.setObjectName("swaps_count")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot, allowed in (
                ("request", _("Re&quest swap…"), self.request, actor.can(H.SHIFT_REQUEST)),
                ("approve", _("&Approve…"), lambda: self.decide(True), actor.can(H.SHIFT_DECIDE)),
                ("refuse", _("Re&fuse…"), lambda: self.decide(False), actor.can(H.SHIFT_DECIDE))):
            button = QPushButton(text)
            button.setObjectName(f"swap_{key}")
            button.clicked.connect(lambda _checked=False, s=slot: s())
            button.setVisible(allowed)
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)
        row.addWidget(self.count_label)
        swaps_box = QWidget()
        swaps_layout = QVBoxLayout(swaps_box)
        swaps_layout.setContentsMargins(0, 0, 0, 0)
        swaps_layout.addWidget(QLabel(_("Swap requests (approved beforehand by a supervisor):")))
        swaps_layout.addWidget(self.table, 1)
        swaps_layout.addLayout(row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.rota)
        splitter.addWidget(swaps_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.assign_button = QPushButton(_("A&ssign people…"))
        self.assign_button.setObjectName("rota_assign")
        self.assign_button.setToolTip(_("Who works the selected shift (Enter on a shift)"))
        self.assign_button.clicked.connect(lambda _checked=False: self.assign())
        self.assign_button.setVisible(actor.can(H.SHIFT_PLAN))
        head = QHBoxLayout()
        head.addWidget(QLabel(_("The next {days} days:").format(days=DAYS)))
        head.addStretch(1)
        head.addWidget(self.assign_button)
        layout.addLayout(head)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update())
        self.swaps.modelReset.connect(self._update)
        self.rota.currentItemChanged.connect(lambda *_args: self._update())
        self.rota.itemActivated.connect(lambda *_args: self.assign())
        self.load_rota()
        self._update()

    def load_rota(self) -> None:
        current = self.selected_slot()
        self.rota.clear()
        today = self.desk.today()
        try:
            slots = self.desk.shifts.rota(self.actor, today, today + timedelta(days=DAYS - 1))
        except DeskError as error:
            self.rota.addTopLevelItem(QTreeWidgetItem([str(error)]))
            return
        names: list[str] = []
        for slot in slots:
            if slot["shift"] not in names:
                names.append(slot["shift"])
            people = []
            for person in slot["people"]:
                text = person["full_name"] or person["name"]
                if person.get("planned"):
                    text += " " + _("(for {planned}, swap {swap})").format(
                        planned=person["planned"], swap=person.get("swap") or "")
                people.append(text)
            item = QTreeWidgetItem([str(slot["day"]), shift_label(slot["shift"]),
                                    f"{format_clock(slot['start'])}–{format_clock(slot['end'])}",
                                    "、".join(people) or _("(nobody planned)")])
            item.setData(0, Qt.ItemDataRole.UserRole, slot)
            if any(person.get("planned") for person in slot["people"]):
                item.setToolTip(3, item.text(3))
            self.rota.addTopLevelItem(item)
            if current is not None and (current["day"], current["shift"]) == (
                    slot["day"], slot["shift"]):
                self.rota.setCurrentItem(item)
        self.shift_names = names

    def refresh(self) -> None:
        self.load_rota()
        try:
            self.swaps.refresh()
        except DeskError as error:
            show_error(self, error)
        self._update()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.swaps.row(rows[0].row()) if rows else None

    def _update(self, *_args) -> None:
        count = self.swaps.rowCount()
        self.count_label.setText(ngettext("{count} swap request", "{count} swap requests", count)
                                 .format(count=count))
        swap = self.selected()
        pending = swap is not None and swap["status"] == SwapStatus.PENDING
        self.buttons["approve"].setEnabled(pending)
        self.buttons["refuse"].setEnabled(pending)
        self.assign_button.setEnabled(self.selected_slot() is not None)

    def selected_slot(self) -> dict[str, Any] | None:
        item = self.rota.currentItem()
        slot = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return slot if isinstance(slot, dict) else None

    def select_slot(self, day: date, shift: str) -> bool:
        for number in range(self.rota.topLevelItemCount()):
            item = self.rota.topLevelItem(number)
            if item is None:
                continue
            slot = item.data(0, Qt.ItemDataRole.UserRole)
            if isinstance(slot, dict) and (slot["day"], slot["shift"]) == (day, shift):
                self.rota.setCurrentItem(item)
                return True
        return False

    def assign(self) -> AssignDialog | None:
        """The supervisor sets who works the selected shift."""
        slot = self.selected_slot()
        if slot is None or not self.actor.can(H.SHIFT_PLAN):
            return None
        dialog = AssignDialog(self.desk, self.actor, slot["day"], slot["shift"],
                              slot["people"], self)
        self.run_dialog(dialog, lambda _value: self.refresh())
        return dialog

    def request(self) -> SwapRequestDialog:
        item = self.rota.currentItem()
        day = date.fromisoformat(item.text(0)) if item is not None and item.text(1) else None
        dialog = SwapRequestDialog(self.desk, self.actor, self.shift_names, day,
                                   item.text(1) if item is not None else None, self)
        self.run_dialog(dialog)
        return dialog

    def decide(self, approve: bool) -> DecideSwapDialog | None:
        swap = self.selected()
        if swap is None:
            return None
        dialog = DecideSwapDialog(self.desk, self.actor, swap, approve, self)
        self.run_dialog(dialog)
        return dialog

    def show_waiting(self) -> None:
        for number in range(min(self.swaps.rowCount(), self.swaps.page_size)):
            row = self.swaps.row(number)
            if row is not None and row["status"] == SwapStatus.PENDING:
                self.table.selectRow(number)
                return
