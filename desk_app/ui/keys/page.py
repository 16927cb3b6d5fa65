"""The Keys & equipment page (R10): the register with who holds what now, overdue ones in
red; check out and in by scanning a tag; the history of an article or of a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QWidget,
)

from desk_app.domain.areas.handover import HandoverPermission, KeysPermission
from desk_app.domain.equipment import CONDITION_LABELS, Condition
from desk_app.domain.errors import DeskError, NotFound
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.handover.equipment import EquipmentFilter
from desk_app.ui.errors import show_error
from desk_app.ui.keys.dialogs import (
    AddArticleDialog,
    CheckinDialog,
    CheckoutDialog,
    HistoryDialog,
    describe,
    kind_combo,
)
from desk_app.ui.keys.manage import EditArticleDialog, TemplateDialog, confirm
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.export_dialog import ExportButton, can_export
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.page import Page
from desk_app.ui.widgets.registers import apply_widths, local_text, register_table
from desk_app.ui.widgets.scan_box import ScanBox

K = KeysPermission
OVERDUE_COLOUR = QColor("#b00020")


def holder_text(row: dict[str, Any]) -> str:
    full, login = row.get("holder_full_name"), row.get("holder")
    if not login:
        return ""
    return f"{full} ({login})" if full and full != login else login


def key_columns() -> list[Column]:
    right = Qt.AlignmentFlag.AlignRight
    return [
        Column(lambda: _("Tag"), lambda row: row["tag"]),
        Column(lambda: _("Name"), lambda row: row["name"] if row.get("active", True)
               else _("{name} (retired)").format(name=row["name"]),
               tooltip=lambda row: row["name"]),
        Column(lambda: _("Kind"), lambda row: row.get("kind_label") or row["kind"],
               tooltip=lambda row: row.get("kind_label") or row["kind"]),
        Column(lambda: _("Count"), lambda row: row["count"], align=right),
        Column(lambda: _("Holder"), holder_text, tooltip=lambda row: _("out since {at}").format(
            at=local_text(row["out_at"])) if row.get("out_at") else None),
        Column(lambda: _("Due"), lambda row: (local_text(row["due_at"])
                                              + ("  " + _("overdue") if row["overdue"] else ""))),
        Column(lambda: _("Reason"), lambda row: row.get("reason") or "",
               tooltip=lambda row: row.get("reason")),
        Column(lambda: _("Home"), lambda row: row.get("home") or ""),
        Column(lambda: _("Condition"), lambda row: _(CONDITION_LABELS[Condition(row["condition"])])
               if row.get("condition") and row["condition"] != "good" else ""),
    ]


class KeysModel(PagedTableModel):
    """The register, with overdue articles in red and bold."""

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole):
            row = self.row(index.row()) if index.isValid() else None
            if row is None or not row.get("overdue"):
                return None
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(OVERDUE_COLOUR)
            owner = self.parent()
            if not isinstance(owner, QWidget):
                return None
            font = owner.font()
            font.setBold(True)
            return font
        return super().data(index, role)


class KeysPage(Page):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Keys & equipment"), _(
            "Keys and equipment: who holds which key, phone or radio now, and every hand-over "
            "of them."), parent)
        self.desk, self.actor = desk, actor
        self.can_lend, self.can_manage = actor.can(K.KEYS_LEND), actor.can(K.KEYS_MANAGE)
        self.can_template = actor.can(HandoverPermission.HANDOVER_TEMPLATE)
        self.flt = EquipmentFilter()

        self.scan_box = ScanBox(_("S&can a tag:"))
        self.scan_box.setObjectName("keys_scan")
        self.scan_box.setVisible(self.can_lend)
        self.scan_box.scanned.connect(self.scanned)
        self.scan_box.add_shortcuts(self)
        self.body.addWidget(self.scan_box)

        self.text_edit = line_edit("keys_filter_text", placeholder=_("tag, name or holder"))
        self.text_edit.setClearButtonEnabled(True)
        text_label = QLabel(_("&Find:"))
        text_label.setBuddy(self.text_edit)
        self.kind = kind_combo(with_all=True)
        self.kind.setObjectName("keys_filter_kind")
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(10)
        kind_label = QLabel(_("&Kind:"))
        kind_label.setBuddy(self.kind)
        self.out_box = QCheckBox(_("O&ut only"))
        self.out_box.setObjectName("keys_out_only")
        self.overdue_box = QCheckBox(_("O&verdue only"))
        self.overdue_box.setObjectName("keys_overdue_only")
        self.retired_box = QCheckBox(_("Re&tired"))
        self.retired_box.setObjectName("keys_show_retired")
        self.retired_box.setToolTip(_("Show retired articles too"))
        self.retired_box.setVisible(self.can_manage)
        self.count_label = QLabel()
        self.count_label.setObjectName("keys_count")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top = QHBoxLayout()
        for widget in (text_label, self.text_edit, kind_label, self.kind, self.out_box,
                       self.overdue_box, self.retired_box):
            top.addWidget(widget)
        top.setStretchFactor(self.text_edit, 1)
        top.addStretch(1)
        top.addWidget(self.count_label)
        self.body.addLayout(top)

        self.model = KeysModel(self._count, self._fetch, key_columns(), parent=self)
        self.table: QTableView = register_table("keys_table")
        self.table.setModel(self.model)
        apply_widths(self.table, (65, 140, 100, 50, 125, 190, 120, 100))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.activated.connect(lambda _index: self._activated())
        self.body.addWidget(self.table, 1)

        self.actions_by_name: dict[str, QAction] = {}
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, text, shortcut, slot, allowed in (
            ("add", _("&Add article…"), "Ctrl+N", self.add_article, self.can_manage),
            ("checkout", _("Check &out…"), "F5", self.checkout_selected, self.can_lend),
            ("checkin", _("Check &in…"), "F6", self.checkin_selected, self.can_lend),
            ("history", _("&History of the article…"), "F7", self.article_history, True),
            ("person", _("History of the &holder…"), "Shift+F7", self.person_history, True),
            ("edit", _("&Edit article…"), "Ctrl+E", self.edit_selected, self.can_manage),
            ("retire", _("&Retire article…"), "Ctrl+Del", self.retire_selected, self.can_manage),
            ("template", _("Check&list template…"), "Ctrl+T", self.edit_template,
             self.can_template),
        ):
            action = self._add_action(name, text, shortcut, slot)
            action.setVisible(allowed)
            if name in ("person", "edit", "retire", "template"):
                continue  # in the History and Manage buttons' menus
            if name == "history":
                text = _("&History")
            button = QPushButton(text)
            button.setObjectName(f"keys_{name}")
            button.setToolTip(action.toolTip())
            if name != "history":  # that one opens its menu
                button.clicked.connect(lambda _checked=False, a=action: a.trigger())
            button.setVisible(allowed)
            row.addWidget(button)
            self.buttons[name] = button
        history_menu = QMenu(self)
        history_menu.addAction(self.actions_by_name["history"])
        history_menu.addAction(self.actions_by_name["person"])
        self.buttons["history"].setMenu(history_menu)
        manage_menu = QMenu(self)
        for name in ("edit", "retire", "template"):
            manage_menu.addAction(self.actions_by_name[name])
        self.manage_button = QPushButton(_("&Manage"))
        self.manage_button.setObjectName("keys_manage")
        self.manage_button.setToolTip(_("Edit or retire the selected article; the handover "
                                        "checklist template"))
        self.manage_button.setMenu(manage_menu)
        self.manage_button.setVisible(self.can_manage or self.can_template)
        row.addWidget(self.manage_button)
        row.addStretch(1)
        self.export_button = ExportButton(desk, actor, "keys", self)
        self.export_button.setVisible(can_export(desk, actor, "keys"))
        row.addWidget(self.export_button)
        self.body.addLayout(row)

        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(300)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.text_edit.textChanged.connect(lambda _text: self.filter_timer.start())
        self.text_edit.returnPressed.connect(self.apply_filter)
        self.kind.currentIndexChanged.connect(self.apply_filter)
        self.out_box.toggled.connect(self.apply_filter)
        self.overdue_box.toggled.connect(self.apply_filter)
        self.retired_box.toggled.connect(self.apply_filter)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.initial_focus = self.scan_box.edit if self.can_lend else self.text_edit
        self._update_count()
        self._update_actions()

    def _add_action(self, name: str, text: str, shortcut: str,
                    slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{name}")
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False, s=slot: s())
        keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{text.replace('&', '')} ({keys})")
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    # ---------------------------------------------------------------- data

    def _count(self) -> int:
        return self.desk.equipment.count(self.actor, self.flt)

    def _fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.desk.equipment.page(self.actor, self.flt, offset, limit)

    def apply_filter(self, *_args) -> None:
        self.filter_timer.stop()
        self.flt = EquipmentFilter(text=self.text_edit.text().strip(), kind=self.kind.currentData(),
                                   out_only=self.out_box.isChecked(),
                                   overdue_only=self.overdue_box.isChecked(),
                                   include_retired=self.retired_box.isChecked())
        self.refresh()

    def refresh(self) -> None:
        try:
            self.model.refresh()
        except DeskError as error:
            show_error(self, error)
        self._update_count()

    def activated(self) -> None:
        self.refresh()

    def show_view(self, view: str) -> None:
        """``overdue``: only overdue articles; ``out``: only those out."""
        if view == "overdue":
            self.overdue_box.setChecked(True)
        elif view == "out":
            self.out_box.setChecked(True)
        self.apply_filter()

    def _update_count(self) -> None:
        count = self.model.rowCount()
        self.count_label.setText(ngettext("{count} article", "{count} articles", count)
                                 .format(count=count))

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if len(rows) == 1 else None

    def _update_actions(self, *_args) -> None:
        row = self.selected()
        out = row is not None and row["holder"] is not None
        active = row is not None and row.get("active", True)
        enabled = {"checkout": active and not out, "checkin": out,
                   "history": row is not None, "person": out, "edit": row is not None,
                   "retire": active and not out}
        for name, on in enabled.items():
            self.actions_by_name[name].setEnabled(on)
            if name in self.buttons:
                self.buttons[name].setEnabled(on)

    def select_tag(self, tag: str) -> bool:
        for number in range(min(self.model.rowCount(), self.model.page_size)):
            row = self.model.row(number)
            if row is not None and row["tag"] == tag:
                # not selectRow: a held Ctrl would add the row to the selection
                flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                         | QItemSelectionModel.SelectionFlag.Rows)
                self.table.selectionModel().setCurrentIndex(self.model.index(number, 0), flags)
                return True
        return False

    def _context_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if index.isValid():
            self.table.selectRow(index.row())
        menu = QMenu(self)
        for name, action in self.actions_by_name.items():
            if name == "edit" and not menu.isEmpty():
                menu.addSeparator()
            if action.isVisible():
                menu.addAction(action)
        menu.popup(self.table.viewport().mapToGlobal(point))

    def _activated(self) -> None:
        """Enter or a double click: check out or in, whichever the article needs."""
        row = self.selected()
        if row is not None and self.can_lend:
            self.open_for(row)

    # ---------------------------------------------------------------- actions

    def scanned(self, text: str) -> None:
        try:
            row = self.desk.equipment.get(self.actor, text.strip())
        except NotFound:
            self.scan_box.show_message(_("Unknown tag scanned: {tag}").format(tag=text))
            return
        except DeskError as error:
            self.scan_box.show_message(str(error))
            return
        self.open_for(row)

    def open_for(self, row: dict[str, Any]) -> CheckoutDialog | CheckinDialog:
        if row["holder"] is None:
            return self.checkout(row)
        return self.checkin(row)

    def _done(self, row: dict[str, Any] | None) -> None:
        self.refresh()
        if row is not None:
            self.select_tag(row["tag"])
        self.scan_box.focus()

    def checkout(self, row: dict[str, Any]) -> CheckoutDialog:
        dialog = CheckoutDialog(self.desk, self.actor, row, self)
        self.run_dialog(dialog, self._done)
        return dialog

    def checkin(self, row: dict[str, Any]) -> CheckinDialog:
        dialog = CheckinDialog(self.desk, self.actor, row, self)
        self.run_dialog(dialog, self._done)
        return dialog

    def checkout_selected(self) -> None:
        row = self.selected()
        if row is not None and row["holder"] is None:
            self.checkout(row)

    def checkin_selected(self) -> None:
        row = self.selected()
        if row is not None and row["holder"] is not None:
            self.checkin(row)

    def add_article(self) -> AddArticleDialog:
        dialog = AddArticleDialog(self.desk, self.actor, self)
        self.run_dialog(dialog, self._done)
        return dialog

    def article_history(self) -> HistoryDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = HistoryDialog(self.desk, self.actor, tag=row["tag"], parent=self)
        self.run_dialog(dialog, lambda _value: None)
        return dialog

    def person_history(self) -> HistoryDialog | None:
        row = self.selected()
        if row is None or row["holder"] is None:
            return None
        dialog = HistoryDialog(self.desk, self.actor, holder=row["holder"], parent=self)
        self.run_dialog(dialog, lambda _value: None)
        return dialog


    # ---------------------------------------------------------------- managing the register

    def edit_selected(self) -> EditArticleDialog | None:
        row = self.selected()
        if row is None or not self.can_manage:
            return None
        dialog = EditArticleDialog(self.desk, self.actor, row, self)
        self.run_dialog(dialog, self._done)
        return dialog

    def retire_selected(self) -> bool:
        """Retire the selected article (after a question): it leaves the register and the
        handover checklist; its history stays."""
        row = self.selected()
        if row is None or not self.can_manage or not row.get("active", True):
            return False
        if not confirm(self, _("Retire article"), _(
                "Retire {article}? It leaves the register and the handover checklist; its "
                "history stays. \u201cRetired\u201d shows it again.").format(
                    article=describe(row))):
            return False
        try:
            self.desk.equipment.edit(self.actor, row["tag"], active=False)
        except DeskError as error:
            show_error(self, error)
            return False
        self._done(None)
        return True

    def edit_template(self) -> TemplateDialog | None:
        if not self.can_template:
            return None
        dialog = TemplateDialog(self.desk, self.actor, self)
        self.run_dialog(dialog, lambda _value: None, accepted_only=False)
        return dialog
