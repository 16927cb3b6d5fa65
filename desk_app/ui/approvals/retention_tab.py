"""Retention and destruction (R2, R3): files due for review, disposal holds, destruction
lists proposed by a clerk, decided (signed) by the manager, carried out with a witness."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.areas.approvals import ApprovalsPermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, display_name, ngettext
from desk_app.ui.approvals.common import (
    ReasonDialog,
    RegisterPanel,
    reason_field,
)
from desk_app.ui.approvals.dialogs import CarryOutDialog, DecisionDialog, split_refs
from desk_app.ui.errors import show_error
from desk_app.ui.models.paged import Column
from desk_app.ui.widgets.export_dialog import ExportButton, can_export
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.page import DialogHost
from desk_app.ui.widgets.registers import day_text, local_text
from desk_app.ui.widgets.signing import ctrl_enter_saves, show_document

DUE, HOLDS, LISTS = "due", "holds", "destructions"
P = ApprovalsPermission


def due_columns() -> list[Column]:
    return [
        Column(lambda: _("Reference"), lambda row: row["ref"]),
        Column(lambda: _("Title"), lambda row: row["title"], tooltip=lambda row: row["title"]),
        Column(lambda: _("Kind"), lambda row: display_name(row["kind"])),
        Column(lambda: _("Department"), lambda row: display_name(row["dept"])),
        Column(lambda: _("Date"), lambda row: day_text(row["doc_date"])),
        Column(lambda: _("Kept (years)"), lambda row: row["retention_years"] or "",
               align=Qt.AlignmentFlag.AlignRight),
        Column(lambda: _("Review on"), lambda row: day_text(row["review_on"])),
        Column(lambda: _("Note"), lambda row: "; ".join(
            text for flag, text in ((row["held"], _("on hold")), (row["on_loan"], _("on loan")))
            if flag)),
    ]


def hold_columns() -> list[Column]:
    return [
        Column(lambda: _("Reference"), lambda row: row["ref"]),
        Column(lambda: _("Title"), lambda row: row["title"], tooltip=lambda row: row["title"]),
        Column(lambda: _("Placed by"), lambda row: row["placed_by"]),
        Column(lambda: _("Placed"), lambda row: local_text(row["placed_at"])),
        Column(lambda: _("Reason"), lambda row: row["reason"], tooltip=lambda row: row["reason"]),
    ]


def _file_count(row: dict[str, Any]) -> Any:
    items = row.get("items")
    return len(items) if isinstance(items, list) else items


def list_columns() -> list[Column]:
    return [
        Column(lambda: _("Number"), lambda row: row.get("number")),
        Column(lambda: _("Status"), lambda row: row.get("status_label")),
        Column(lambda: _("Files"), _file_count),
        Column(lambda: _("Proposed by"), lambda row: row.get("proposed_by")),
        Column(lambda: _("Proposed"), lambda row: local_text(row.get("proposed_at"))),
        Column(lambda: _("Decided by"), lambda row: row.get("decided_by") or ""),
        Column(lambda: _("Reason"), lambda row: row.get("reason"),
               tooltip=lambda row: row.get("reason")),
    ]


class HoldDialog(FormDialog):
    """Place or lift a disposal hold on one file, with a reason."""

    def __init__(self, desk, actor: Actor, release: bool, ref: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.release = desk, actor, release
        self.setObjectName("release_dialog" if release else "hold_dialog")
        self.setWindowTitle(_("Release a disposal hold") if release else _("Disposal hold"))
        self.ref_edit = line_edit("ref", ref)
        self.reason_edit = reason_field()
        self.add_field("ref", _("&File:"), self.ref_edit)
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.ok_button.setText(_("Re&lease") if release else _("&Hold"))
        ctrl_enter_saves(self)
        (self.reason_edit if ref else self.ref_edit).setFocus()

    def submit(self) -> Any:
        ref = self.ref_edit.text().strip()
        reason = self.reason_edit.toPlainText()
        call = self.desk.retention.release if self.release else self.desk.retention.hold
        return call(self.actor, ref, reason)


class RetentionTab(QWidget, DialogHost):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        from desk_app.services.retention import DestructionFilter

        lists_filter = DestructionFilter()
        self._hold_rows: list[dict[str, Any]] | None = None
        self.panels = {
            DUE: RegisterPanel("retention_due", lambda: desk.retention.due_count(actor),
                               lambda offset, limit: desk.retention.due_page(actor, offset, limit),
                               due_columns(), (140, 240, 80, 80, 90, 80, 90)),
            HOLDS: RegisterPanel("retention_holds", lambda: len(self._holds()),
                                 lambda offset, limit: self._holds()[offset:offset + limit],
                                 hold_columns(), (140, 240, 90, 130)),
            LISTS: RegisterPanel("retention_lists",
                                 lambda: desk.retention.count(actor, lists_filter),
                                 lambda offset, limit: desk.retention.page(actor, lists_filter,
                                                                           offset, limit),
                                 list_columns(), (120, 80, 60, 100, 130, 100)),
        }
        self.tabs = QTabWidget()
        self.tabs.setObjectName("retention_tabs")
        for key, title in ((DUE, _("Due for re&view")), (HOLDS, _("Hold&s")),
                           (LISTS, _("Destruction &lists"))):
            self.tabs.addTab(self.panels[key], title)
        self.count_label = QLabel()
        self.count_label.setObjectName("retention_count")
        manage, decide = actor.can(P.RETENTION_MANAGE), actor.can(P.RETENTION_DECIDE)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addStretch(1)
        self.allowed: dict[str, bool] = {}
        self.shown_on: dict[str, tuple[str, ...]] = {}  # the sub-tabs that show each button
        for key, text, slot, allowed, tabs in (
            ("hold", _("&Hold…"), self.hold, manage, (DUE, HOLDS)),
            ("release", _("R&elease…"), self.release, manage, (HOLDS,)),
            ("propose", _("&Propose destruction…"), self.propose, manage, (DUE,)),
            ("decide", _("&Decide…"), self.decide, decide, (LISTS,)),
            ("carry_out", _("&Carry out…"), self.carry_out, manage, (LISTS,)),
            ("record", _("Show rec&ord"), self.show_record, True, (LISTS,)),
        ):
            button = QPushButton(text)
            button.setObjectName(f"retention_{key}")
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            row.addWidget(button)
            self.buttons[key] = button
            self.allowed[key], self.shown_on[key] = allowed, tabs
        self.export_buttons = {DUE: ExportButton(desk, actor, "review_due", self),
                               LISTS: ExportButton(desk, actor, "destructions", self)}
        self.exportable = {key: can_export(desk, actor, button.register)
                           for key, button in self.export_buttons.items()}
        for button in self.export_buttons.values():
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(row)
        for panel in self.panels.values():
            panel.rows_changed.connect(self._update)
        self.panels[LISTS].table.activated.connect(lambda _index: self._list_activated())
        self.tabs.currentChanged.connect(lambda *_args: self._update())
        self._update()

    def _holds(self) -> list[dict[str, Any]]:
        if self._hold_rows is None:
            self._hold_rows = self.desk.retention.holds(self.actor, current_only=True)
        return self._hold_rows

    def current_key(self) -> str:
        for key, panel in self.panels.items():
            if panel is self.tabs.currentWidget():
                return key
        return DUE

    def show_tab(self, key: str) -> RegisterPanel:
        self.tabs.setCurrentWidget(self.panels[key])
        return self.panels[key]

    def refresh(self) -> None:
        self._hold_rows = None
        for panel in self.panels.values():
            try:
                panel.model.refresh()
            except DeskError as error:
                show_error(self, error)
                break
        self._update()

    def _update(self) -> None:
        key = self.current_key()
        panel = self.panels[key]
        count = panel.model.rowCount()
        texts = {DUE: ngettext("{count} file due for review", "{count} files due for review", count),
                 HOLDS: ngettext("{count} hold", "{count} holds", count),
                 LISTS: ngettext("{count} destruction list", "{count} destruction lists", count)}
        self.count_label.setText(texts[key].format(count=count))
        for tab, export in self.export_buttons.items():
            export.setVisible(tab == key and self.exportable[tab])
        for name, button in self.buttons.items():
            button.setVisible(self.allowed[name] and key in self.shown_on[name])
        rows = panel.selected_rows()
        one = panel.current()
        self.buttons["release"].setEnabled(key == HOLDS and one is not None)
        self.buttons["propose"].setEnabled(key == DUE and bool(rows))
        status = one["status"] if key == LISTS and one is not None else None
        self.buttons["decide"].setEnabled(status == "proposed")
        self.buttons["carry_out"].setEnabled(status == "approved")
        self.buttons["record"].setEnabled(status in ("approved", "refused", "done"))

    # ---------------------------------------------------------------- actions

    def _list_activated(self) -> None:
        """Enter or a double click on a destruction list: its next step, or its record."""
        for key in ("decide", "carry_out", "record"):
            button = self.buttons[key]
            if button.isVisible() and button.isEnabled():
                button.click()
                return

    def hold(self) -> None:
        panel = self.panels[self.current_key()]
        one = panel.current()
        ref = one["ref"] if one is not None and "ref" in one else ""
        self.run_dialog(HoldDialog(self.desk, self.actor, False, ref, self))

    def release(self) -> None:
        one = self.panels[HOLDS].current()
        self.run_dialog(HoldDialog(self.desk, self.actor, True, one["ref"] if one else "", self))

    def propose(self, refs: list[str] | None = None) -> ReasonDialog:
        chosen = refs or [row["ref"] for row in self.panels[DUE].selected_rows()]
        about = ngettext("Propose {count} file for destruction: {refs}",
                         "Propose {count} files for destruction: {refs}", len(chosen)).format(
            count=len(chosen), refs=", ".join(chosen[:20]) + ("…" if len(chosen) > 20 else ""))
        dialog = ReasonDialog(_("Propose destruction"), about, _("&Propose"),
                              lambda reason: self.desk.retention.propose(self.actor, chosen, reason),
                              self, "propose_dialog")
        self.run_dialog(dialog, self._proposed)
        return dialog

    def _proposed(self, _destruction: dict[str, Any]) -> None:
        self.refresh()
        self.show_tab(LISTS)

    def _selected_list(self) -> dict[str, Any] | None:
        one = self.panels[LISTS].current()
        if one is None:
            return None
        try:
            return self.desk.retention.show(self.actor, one["id"])
        except DeskError as error:
            show_error(self, error)
            return None

    def decide(self) -> DecisionDialog | None:
        destruction = self._selected_list()
        if destruction is None:
            return None
        refs = split_refs(", ".join(item["ref"] for item in destruction["items"]))
        about = "\n".join((
            ngettext("{number}: destroy {count} file: {refs}",
                     "{number}: destroy {count} files: {refs}", len(refs)).format(
                number=destruction["number"], count=len(refs), refs=", ".join(refs[:20])),
            _("Proposed by {who}: {reason}").format(who=destruction["proposed_by"],
                                                     reason=destruction["reason"])))
        destruction_id, number = destruction["id"], destruction["number"]
        dialog = DecisionDialog(
            self.actor, _("Decide destruction list {number}").format(number=number), about,
            _("the destruction decision {number}").format(number=number),
            lambda approve, reason, password, png: self.desk.retention.decide(
                self.actor, destruction_id, approve, reason, password, png), self)
        self.run_dialog(dialog)
        return dialog

    def carry_out(self) -> CarryOutDialog | None:
        destruction = self._selected_list()
        if destruction is None:
            return None
        dialog = CarryOutDialog(self.desk, self.actor, destruction, self)
        self.run_dialog(dialog)
        return dialog

    def show_record(self) -> None:
        one = self.panels[LISTS].current()
        if one is None:
            return
        desk, actor, destruction_id = self.desk, self.actor, one["id"]
        show_document(self, desk, lambda: desk.retention.document(actor, destruction_id),
                      f"{one['number']}.pdf")
