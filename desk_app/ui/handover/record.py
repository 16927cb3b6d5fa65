"""One handover record on screen: header, entries, the checklist counted by scan, the R12
flags, the live blocking conditions, and the signatures. The current handover and a record
opened from the history use the same view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QGroupBox,
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
from desk_app.domain.errors import Conflict, DeskError, NotFound
from desk_app.domain.handover import Status
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.errors import show_error
from desk_app.ui.handover.dialogs import (
    CorrectionDialog,
    CountDialog,
    EntryDialog,
    EquipmentFlagDialog,
    ResolveDialog,
    UnfitFlagDialog,
)
from desk_app.ui.handover.lines import LinesModel, header_text
from desk_app.ui.handover.signing import Signing
from desk_app.ui.widgets.page import DialogHost
from desk_app.ui.widgets.registers import apply_widths, register_table
from desk_app.ui.widgets.scan_box import ScanBox

H = HandoverPermission
OPEN_MAJOR = QColor("#b00020")
BLOCKED_STYLE = "color: #b00020;"
FREE_STYLE = "color: #1b6e20;"
PLAIN_STYLE = "color: palette(window-text);"


class RecordView(QWidget, DialogHost):
    changed = Signal()  # the record changed (signed, counted, …)

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.record: dict[str, Any] | None = None
        self.signing = Signing(self)

        self.header = QLabel()
        self.header.setObjectName("handover_header")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.flags_label = QLabel()
        self.flags_label.setObjectName("handover_flags")
        self.flags_label.setWordWrap(True)

        self.entries = QTreeWidget()
        self.entries.setObjectName("handover_entries")
        self.entries.setRootIsDecorated(False)
        self.entries.setUniformRowHeights(True)
        self.entries.setHeaderLabels([_("No."), _("Kind"), _("What"), _("Cause"), _("Handling"),
                                      _("Result"), _("Major"), _("Done"), _("Carried from")])
        for column, width in enumerate((35, 110, 190, 105, 105, 105, 45, 40)):
            self.entries.setColumnWidth(column, width)
        self.entries.itemActivated.connect(lambda *_args: self.edit_entry())
        self.entries.currentItemChanged.connect(lambda *_args: self._update_actions())

        self.scan_box = ScanBox(_("Scan to cou&nt:"))
        self.scan_box.setObjectName("handover_scan")
        self.scan_box.scanned.connect(self.scanned)
        self.lines = LinesModel(self)
        self.table: QTableView = register_table("handover_lines")
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setModel(self.lines)
        apply_widths(self.table, (40, 160, 65, 65, 140, 50, 75))
        self.table.activated.connect(lambda _index: self.count_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_actions())
        self.lines_status = QLabel()
        self.lines_status.setObjectName("handover_lines_status")
        self.lines_status.setWordWrap(True)
        self.lines_status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.blockers_box = QGroupBox(_("Blocking conditions"))
        self.blockers_box.setObjectName("handover_blockers")
        self.blockers_label = QLabel()
        self.blockers_label.setObjectName("handover_blockers_text")
        self.blockers_label.setWordWrap(True)
        self.blockers_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self.blockers_box).addWidget(self.blockers_label)

        self.actions_by_name: dict[str, QAction] = {}
        self.buttons: dict[str, QPushButton] = {}

        def button(name: str, text: str, shortcut: str | None,
                   slot: Callable[[], object]) -> QPushButton:
            action = QAction(text, self)
            action.setObjectName(f"action_{name}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
                action.setToolTip(f"{text.replace('&', '')} ({keys})")
            action.triggered.connect(lambda _checked=False, s=slot: s())
            self.addAction(action)
            self.actions_by_name[name] = action
            push = QPushButton(text)
            push.setObjectName(f"handover_{name}")
            push.setToolTip(action.toolTip())
            push.clicked.connect(lambda _checked=False, a=action: a.trigger())
            self.buttons[name] = push
            return push

        entry_row = QHBoxLayout()
        for name, text, shortcut, slot in (
                ("add", _("&Add entry…"), "Ctrl+N", self.add_entry),
                ("edit", _("&Edit…"), "Ctrl+E", self.edit_entry),
                ("resolve", _("&Resolve…"), "Ctrl+R", self.resolve_entry)):
            entry_row.addWidget(button(name, text, shortcut, slot))
        entry_row.addStretch(1)
        count_row = QHBoxLayout()
        count_row.addWidget(button("count", _("C&ount line…"), "Ctrl+K", self.count_selected))
        count_row.addWidget(button("counter", _("Incoming counts &here…"), None,
                                   self.signing.sign_in_counter))
        count_row.addWidget(self.lines_status, 1)

        entries_box = QGroupBox(_("Handover entries"))
        entries_box.setToolTip(_("Problems of the shift, instructions from superiors, "
                                 "unfinished work, public-area repairs"))
        entries_layout = QVBoxLayout(entries_box)
        entries_layout.addWidget(self.entries, 1)
        entries_layout.addLayout(entry_row)
        lines_box = QGroupBox(_("Checklist"))
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.addWidget(self.scan_box)
        lines_layout.addWidget(self.table, 1)
        lines_layout.addLayout(count_row)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(entries_box)
        self.splitter.addWidget(lines_box)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        side = QVBoxLayout()
        side.addWidget(self.blockers_box)
        flags_box = QGroupBox(_("Conditions (R12)"))
        flags_layout = QVBoxLayout(flags_box)
        flags_layout.addWidget(self.flags_label)
        flags_layout.addWidget(button("equipment", _("E&quipment starting/stopping…"), None,
                                      self.flag_equipment))
        flags_layout.addWidget(button("unfit", _("Incoming &unfit…"), None, self.flag_unfit))
        side.addWidget(flags_box)
        signatures = QGroupBox(_("Signatures"))
        signatures_layout = QVBoxLayout(signatures)
        signature_buttons: tuple[tuple[str, str, str | None, Callable[[], object]], ...] = (
                ("sign_outgoing", _("&Sign as outgoing…"), "Ctrl+Shift+O", self.signing.sign_outgoing),
                ("sign_incoming", _("Incoming person si&gns…"), "Ctrl+Shift+I",
                 self.signing.sign_incoming),
                ("countersign", _("Co&untersign…"), "Ctrl+Shift+K", self.signing.countersign),
                ("correct", _("Correc&tion…"), None, self.correct),
                ("pdf", _("&Print preview / PDF…"), "Ctrl+P", self.signing.open_pdf))
        for spec in signature_buttons:
            signatures_layout.addWidget(button(*spec))
        side.addWidget(signatures)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setMinimumWidth(225)
        side_widget.setMaximumWidth(300)
        side.setContentsMargins(0, 0, 0, 0)

        middle = QHBoxLayout()
        middle.addWidget(self.splitter, 3)
        middle.addWidget(side_widget, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addLayout(middle, 1)
        self._update_actions()

    # ---------------------------------------------------------------- who may do what

    def _name(self, key: str) -> str | None:
        person = (self.record or {}).get(key)
        return person["name"] if person else None

    def status(self) -> str | None:
        return self.record["status"] if self.record else None

    def receiver(self) -> dict[str, Any] | None:
        """Who counts and signs as incoming: the substitute if one is named."""
        if self.record is None:
            return None
        return self.record.get("substitute") or self.record["incoming"]

    def counter(self) -> Actor | None:
        receiver = self.receiver()
        if receiver and receiver["name"] == self.actor.name:
            return self.actor
        return self.signing.counter if (self.signing.counter is not None and receiver and
                                        self.signing.counter.name == receiver["name"]) else None

    def _update_actions(self) -> None:
        status, work = self.status(), self.actor.can(H.HANDOVER_WORK)
        preparing = status == Status.PREPARING and work
        entry = self.current_entry()
        line = self.selected_line()
        receiver = self.receiver()
        is_receiver = receiver is not None and receiver["name"] == self.actor.name
        state = {
            "add": (preparing, preparing),
            "edit": (preparing, entry is not None),
            "resolve": (preparing, entry is not None and not entry["resolved"]),
            "count": (preparing, line is not None),
            "counter": (preparing and not is_receiver, self.counter() is None),
            "equipment": (work and status in (Status.PREPARING, Status.OUTGOING_SIGNED), True),
            "unfit": (preparing, True),
            "sign_outgoing": (preparing and self._name("outgoing") == self.actor.name, True),
            "sign_incoming": (status == Status.OUTGOING_SIGNED and work, True),
            "countersign": (status == Status.HANDED_OVER and self.actor.can(H.HANDOVER_COUNTERSIGN)
                            and self.actor.name not in (self._name("outgoing"),
                                                        self._name("incoming"),
                                                        self._name("substitute")), True),
            "correct": (status == Status.LOCKED and (work or self.actor.can(H.HANDOVER_COUNTERSIGN)),
                        True),
            "pdf": (self.record is not None, True),
        }
        for name, (visible, enabled) in state.items():
            self.buttons[name].setVisible(visible)
            self.buttons[name].setEnabled(visible and enabled and not self.signing.busy())
            self.actions_by_name[name].setEnabled(visible and enabled and not self.signing.busy())
        self.scan_box.setVisible(status == Status.PREPARING and work)

    # ---------------------------------------------------------------- showing the record

    def set_record(self, record: dict[str, Any] | None) -> None:
        self.record = record
        if record is None:
            self.header.clear()
            self.entries.clear()
            self.lines.set_lines([])
            self._update_actions()
            return
        self.header.setText(header_text(record))
        flags = []
        if record.get("equipment_note") is not None:
            flags.append(_("Equipment starting/stopping: {note}").format(note=record["equipment_note"]))
        if record.get("unfit_note") is not None:
            flags.append(_("Incoming person unfit: {note}").format(note=record["unfit_note"]))
        corrections = [_("Correction by {who}: {text}").format(who=c["by"], text=c["text"])
                       for c in record.get("corrections") or []]
        self.flags_label.setText("\n".join(flags + corrections) or _("No flag set."))
        self.flags_label.setStyleSheet(BLOCKED_STYLE if flags else PLAIN_STYLE)
        self._fill_entries(record["entries"])
        self.lines.set_lines(record["lines"])
        self.show_blockers(record.get("blockers") or [])
        self._update_lines_status()
        self._update_actions()

    def _fill_entries(self, entries: list[dict[str, Any]]) -> None:
        current = self.current_entry()
        self.entries.clear()
        for entry in entries:
            item = QTreeWidgetItem([
                str(entry["no"]), entry["kind_label"], entry["text"], entry["cause"] or "",
                entry["process"] or "", entry["result"] or "",
                _("yes") if entry["major"] else "", "✓" if entry["resolved"] else "",
                entry.get("carried_from") or ""])
            item.setData(0, Qt.ItemDataRole.UserRole, entry)
            for column in (2, 3, 4, 5):
                item.setToolTip(column, item.text(column))
            if entry["major"] and not entry["resolved"]:
                for column in range(item.columnCount()):
                    item.setForeground(column, QBrush(OPEN_MAJOR))
                font = item.font(0)
                font.setBold(True)
                for column in range(item.columnCount()):
                    item.setFont(column, font)
            self.entries.addTopLevelItem(item)
            if current is not None and current["no"] == entry["no"]:
                self.entries.setCurrentItem(item)

    def show_blockers(self, blockers: list[dict[str, Any]]) -> None:
        status = self.status()
        if status in (Status.HANDED_OVER, Status.LOCKED):
            self.blockers_label.setText(_("Handed over."))
            self.blockers_label.setStyleSheet(FREE_STYLE)
        elif blockers:
            self.blockers_label.setText("\n".join("• " + b["message"] for b in blockers))
            self.blockers_label.setStyleSheet(BLOCKED_STYLE)
        else:
            self.blockers_label.setText(_("None: the handover may be signed."))
            self.blockers_label.setStyleSheet(FREE_STYLE)

    def refresh_blockers(self) -> None:
        if self.record is None or self.status() not in (Status.PREPARING, Status.OUTGOING_SIGNED):
            return
        try:
            self.show_blockers(self.desk.handovers.check(self.actor, self.record["id"]))
        except DeskError as error:
            self.blockers_label.setText(str(error))

    def _update_lines_status(self) -> None:
        total = self.lines.rowCount()
        self.lines_status.setText(
            ngettext("{total} line", "{total} lines", total).format(total=total) + " · "
            + _("{uncounted} to count").format(uncounted=self.lines.uncounted()) + " · "
            + ngettext("{count} discrepancy", "{count} discrepancies", self.lines.discrepancies())
            .format(count=self.lines.discrepancies()))

    def reload(self) -> None:
        if self.record is None:
            return
        try:
            self.set_record(self.desk.handovers.show(self.actor, self.record["id"]))
        except DeskError as error:
            show_error(self, error)

    def refresh(self) -> None:  # DialogHost: after a dialog without ``done``
        self.reload()

    def _changed(self, record: Any = None) -> None:
        if isinstance(record, dict) and "entries" in record:
            self.set_record(record)
        else:
            self.reload()
        self.changed.emit()

    # ---------------------------------------------------------------- entries

    def current_entry(self) -> dict[str, Any] | None:
        item = self.entries.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def add_entry(self) -> EntryDialog | None:
        if self.record is None:
            return None
        dialog = EntryDialog(self.desk, self.actor, self.record["id"], parent=self)
        self.run_dialog(dialog, self._changed)
        return dialog

    def edit_entry(self) -> EntryDialog | None:
        entry = self.current_entry()
        if self.record is None or entry is None or not self.buttons["edit"].isEnabled():
            return None
        dialog = EntryDialog(self.desk, self.actor, self.record["id"], entry, parent=self)
        self.run_dialog(dialog, self._changed)
        return dialog

    def resolve_entry(self) -> ResolveDialog | None:
        entry = self.current_entry()
        if self.record is None or entry is None:
            return None
        dialog = ResolveDialog(self.desk, self.actor, self.record["id"], entry, parent=self)
        self.run_dialog(dialog, self._changed)
        return dialog

    # ---------------------------------------------------------------- the count

    def selected_line(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.lines.line(rows[0].row()) if rows else None

    def select_line(self, line_no: int) -> None:
        number = self.lines.row_of(line_no)
        if number is not None:
            self.table.selectionModel().select(
                self.lines.index(number, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(self.lines.index(number, 0))

    def _need_counter(self) -> Actor | None:
        counter = self.counter()
        if counter is None:
            receiver = self.receiver() or {}
            self.scan_box.show_message(_(
                "Only the incoming person ({name}) counts: sign them in here with "
                "“Incoming counts here…”.").format(name=receiver.get("name", "")))
        return counter

    def scanned(self, tag: str) -> None:
        if self.record is None or self.status() != Status.PREPARING:
            return
        counter = self._need_counter()
        if counter is None:
            return
        try:
            line = self.desk.handovers.line_for_tag(self.actor, self.record["id"], tag)
        except NotFound:
            self.scan_box.show_message(_("{tag} is not on this checklist.").format(tag=tag))
            return
        except DeskError as error:
            self.scan_box.show_message(str(error))
            return
        self.select_line(line["no"])
        if line["expected"] > 1 or line.get("found") is not None:
            self.count_line(line, counter)
            return
        try:
            counted = self.desk.handovers.count(counter, self.record["id"], line["no"], 1)
        except Conflict as error:
            self.scan_box.show_message(str(error))
            return
        except DeskError as error:
            show_error(self, error)
            return
        self.line_counted(counted)
        self.scan_box.show_message(_("Line {no} counted: {label}, found 1.").format(
            no=counted["no"], label=counted.get("label", line["label"])))

    def count_selected(self) -> CountDialog | None:
        line = self.selected_line()
        if line is None or self.status() != Status.PREPARING:
            return None
        counter = self._need_counter()
        return self.count_line(line, counter) if counter is not None else None

    def count_line(self, line: dict[str, Any], counter: Actor) -> CountDialog | None:
        if self.record is None:
            return None
        dialog = CountDialog(self.desk, counter, self.record["id"], line, parent=self)
        self.run_dialog(dialog, self.line_counted)
        return dialog

    def line_counted(self, line: dict[str, Any]) -> None:
        """One line repainted and the blocking conditions asked again; no full reload."""
        self.lines.update_line(line)
        self.select_line(line["no"])
        self._update_lines_status()
        self.refresh_blockers()
        self.scan_box.focus()
        self.changed.emit()

    # ---------------------------------------------------------------- flags, correction

    def flag_equipment(self) -> None:
        if self.record is not None:
            self.run_dialog(EquipmentFlagDialog(self.desk, self.actor, self.record, self),
                            self._changed)

    def flag_unfit(self) -> None:
        if self.record is not None:
            self.run_dialog(UnfitFlagDialog(self.desk, self.actor, self.record, self),
                            self._changed)

    def correct(self) -> None:
        if self.record is not None:
            self.run_dialog(CorrectionDialog(self.desk, self.actor, self.record, self),
                            self._changed)
