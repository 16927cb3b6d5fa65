"""Access requests (R5): waiting for the manager, all, expiring soon, ended; the request's
record (items, copies, events) beside the list; file, decide, revoke, copies, the form."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.areas.approvals import ApprovalsPermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.approvals.common import ReasonDialog, RegisterPanel
from desk_app.ui.approvals.dialogs import (
    DecisionDialog,
    DisposeCopiesDialog,
    NewRequestDialog,
    RecordCopiesDialog,
)
from desk_app.ui.errors import show_error
from desk_app.ui.models.paged import Column
from desk_app.ui.widgets.export_dialog import ExportButton
from desk_app.ui.widgets.page import DialogHost
from desk_app.ui.widgets.registers import day_text, local_text, local_time_text
from desk_app.ui.widgets.signing import show_document

WAITING, ALL, EXPIRING, ENDED = "waiting", "all", "expiring", "ended"
P = ApprovalsPermission


def request_columns() -> list[Column]:
    return [
        Column(lambda: _("Number"), lambda row: row["number"]),
        Column(lambda: _("Status"), lambda row: row["status_label"]),
        Column(lambda: _("Requester"), lambda row: row["borrower"]),
        Column(lambda: _("Access"), lambda row: row["access_label"]),
        Column(lambda: _("Valid from"), lambda row: day_text(row["window_from"])),
        Column(lambda: _("Valid until"), lambda row: day_text(row["window_to"])),
        Column(lambda: _("Requested"), lambda row: local_text(row["requested_at"])),
        Column(lambda: _("Decided by"), lambda row: row["decided_by"] or ""),
        Column(lambda: _("Items"), lambda row: row["refs"], tooltip=lambda row: row["refs"]),
    ]


def _at(value: Any) -> str:
    """An event time: a stored datetime or the audit trail's ISO text."""
    if isinstance(value, str):
        return local_time_text(value)
    return local_text(value)


class RequestDetail(QGroupBox):
    """One request's record: who, what, the decision, items, copies and events."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Access request"), parent)
        self.setObjectName("request_detail")
        self.summary = QLabel(_("Select a request in the list."))
        self.summary.setObjectName("request_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.items = QTreeWidget()
        self.items.setObjectName("request_items")
        self.items.setRootIsDecorated(False)
        self.items.setHeaderLabels([_("Reference"), _("Title")])
        self.items.setColumnWidth(0, 150)
        self.copies = QTreeWidget()
        self.copies.setObjectName("request_copies")
        self.copies.setRootIsDecorated(False)
        self.copies.setHeaderLabels([_("Reference"), _("Copies"), _("Made by"), _("Made"),
                                     _("Returned / destroyed")])
        self.events = QTreeWidget()
        self.events.setObjectName("request_events")
        self.events.setRootIsDecorated(False)
        self.events.setHeaderLabels([_("Time"), _("What"), _("Who"), _("Note")])
        for column, width in enumerate((125, 80, 60)):
            self.events.setColumnWidth(column, width)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        self.copies_title = QLabel(_("Copies made"))
        for title, widget, stretch in ((QLabel(_("Files")), self.items, 1),
                                       (self.copies_title, self.copies, 1),
                                       (QLabel(_("History")), self.events, 2)):
            font = title.font()
            font.setBold(True)
            title.setFont(font)
            layout.addWidget(title)
            layout.addWidget(widget, stretch)
        self.show_request(None)

    def show_request(self, request: dict[str, Any] | None) -> None:
        for tree in (self.items, self.copies, self.events):
            tree.clear()
        self.copies.setVisible(bool(request and request["copies_made"]))
        self.copies_title.setVisible(self.copies.isVisibleTo(self))
        if request is None:
            self.summary.setText(_("Select a request in the list."))
            return
        lines = [
            _("{number} · {status}").format(number=request["number"],
                                            status=request["status_label"]),
            _("Requester: {name}").format(name=request["borrower"])
            + "".join(f" · {part}" for part in (request.get("organisation"), request.get("contact"))
                      if part),
            _("Access: {access}").format(access=request["access_label"])
            + (_(" ({copies} copies)").format(copies=request["copies"])
               if request.get("copies") else ""),
            _("Window: {start} to {end}").format(start=day_text(request["window_from"]),
                                                  end=day_text(request["window_to"])),
            _("Purpose: {purpose}").format(purpose=request["purpose"]),
        ]
        if request.get("decided_by"):
            lines.append(_("Decided by {who}: {reason}").format(
                who=request["decided_by"], reason=request.get("decision_reason") or ""))
        if request.get("revoked_by"):
            lines.append(_("Revoked by {who}: {reason}").format(
                who=request["revoked_by"], reason=request.get("revoke_reason") or ""))
        self.summary.setText("\n".join(lines))
        for item in request["items"]:
            self.items.addTopLevelItem(QTreeWidgetItem([item["ref"], item["title"]]))
        for made in request["copies_made"]:
            disposal = made.get("disposal") or ""
            if disposal:
                disposal = (_("Returned") if disposal == "returned" else _("Destroyed")) + \
                    " " + _at(made.get("disposed_at"))
            self.copies.addTopLevelItem(QTreeWidgetItem([
                made["ref"], str(made["copies"]), made["made_by"], _at(made["made_at"]),
                disposal]))
        for event in request["events"]:
            entry = QTreeWidgetItem([_at(event["at"]), event.get("what_label") or event["what"],
                                     event.get("who") or "",
                                     event.get("text") or ""])
            entry.setToolTip(3, event.get("text") or "")
            self.events.addTopLevelItem(entry)


class RequestsTab(QWidget, DialogHost):
    """The access requests, under four views, with the request's record beside them."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.current_request: dict[str, Any] | None = None
        self.last_opened: dict[str, Any] | None = None  # the last record read with show()
        from desk_app.services.approvals import ApprovalFilter

        def panel(view: str) -> RegisterPanel:
            flt = ApprovalFilter(view=view)
            return RegisterPanel(f"approvals_{view}", lambda: desk.approvals.count(actor, flt),
                                 lambda offset, limit: desk.approvals.page(actor, flt, offset, limit),
                                 request_columns(), (110, 130, 120, 140, 90, 90, 130, 90))

        self.tabs = QTabWidget()
        self.tabs.setObjectName("request_tabs")
        self.panels: dict[str, RegisterPanel] = {}
        views = [(ALL, _("A&ll requests")), (EXPIRING, _("Expiring &soon")), (ENDED, _("&Ended"))]
        if actor.can(P.APPROVAL_DECIDE):
            views.insert(0, (WAITING, _("&Waiting for me")))
        else:
            views.insert(1, (WAITING, _("&Waiting")))
        for view, title in views:
            self.panels[view] = panel(view)
            self.tabs.addTab(self.panels[view], title)
        self.detail = RequestDetail()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 440])
        splitter.setChildrenCollapsible(False)

        self.count_label = QLabel()
        self.count_label.setObjectName("approvals_count")
        can_request, can_decide = actor.can(P.APPROVAL_REQUEST), actor.can(P.APPROVAL_DECIDE)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addStretch(1)
        for key, text, slot, visible in (
            ("new", _("&New request…"), self.new_request, can_request),
            ("decide", _("&Decide…"), self.decide, can_decide),
            ("revoke", _("Re&voke…"), self.revoke, can_decide),
            ("form", _("Show &form"), self.show_form, True),
            ("copies", _("Record &copies…"), self.record_copies, can_request),
            ("disposed", _("Copies &back…"), self.dispose_copies, can_request),
        ):
            button = QPushButton(text)
            button.setObjectName(f"approval_{key}")
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            button.setVisible(visible)
            row.addWidget(button)
            self.buttons[key] = button
        self.export_button = ExportButton(desk, actor, "approvals", self)
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        layout.addLayout(row)
        for each in self.panels.values():
            each.rows_changed.connect(self._selection_changed)
            each.table.activated.connect(lambda _index: self._activated())
        self.tabs.currentChanged.connect(lambda *_args: self._selection_changed())
        self._selection_changed()

    # ---------------------------------------------------------------- data

    def panel(self) -> RegisterPanel:
        return self.tabs.currentWidget()  # type: ignore[return-value]

    def show_tab(self, view: str) -> RegisterPanel:
        panel = self.panels[view]
        self.tabs.setCurrentWidget(panel)
        return panel

    def refresh(self, keep: int | None = None) -> None:
        """Read every view again, keeping the selected request selected (or ``keep``)."""
        if keep is None and self.current_request:
            keep = self.current_request["id"]
        for panel in self.panels.values():
            try:
                panel.model.refresh()
            except DeskError as error:
                show_error(self, error)
                break
        if keep is not None:
            self.panel().select_id(keep)
        self._selection_changed()

    def _selection_changed(self) -> None:
        panel = self.panel()
        count = panel.model.rowCount()
        self.count_label.setText(ngettext("{count} request", "{count} requests", count)
                                 .format(count=count))
        row = panel.current()
        request = None
        if row is not None:
            opened = self.last_opened
            if opened and opened["id"] == row["id"] and opened["status"] == row["status"]:
                request = opened  # the same record: not opened (and audited, R7) again
            else:
                try:
                    request = self.desk.approvals.show(self.actor, row["id"])
                except DeskError as error:
                    show_error(self, error)
                self.last_opened = request
        if request is not self.current_request or request is None:
            self.detail.show_request(request)
        self.current_request = request
        status = request["status"] if request else None
        self.buttons["decide"].setEnabled(status == "pending")
        self.buttons["revoke"].setEnabled(status == "approved")
        self.buttons["form"].setEnabled(bool(request and request.get("signed")))
        copying = bool(request and status == "approved" and request.get("access") == "copy")
        self.buttons["copies"].setEnabled(copying)
        self.buttons["disposed"].setEnabled(bool(request) and any(
            not made.get("disposal") for made in (request or {}).get("copies_made", [])))

    def _changed(self, request: dict[str, Any] | None) -> None:
        self.last_opened = None
        if request is not None and "id" in request and "events" in request:
            self.refresh(request["id"])
            if self.current_request is None:  # not in this view: show it all the same
                self.detail.show_request(request)
                self.current_request = request
        else:
            self.refresh()

    # ---------------------------------------------------------------- actions

    def _activated(self) -> None:
        """Enter or a double click on a row: the manager decides a pending request."""
        if self.buttons["decide"].isVisible() and self.buttons["decide"].isEnabled():
            self.decide()

    def new_request(self, refs: list[str] | None = None) -> NewRequestDialog:
        dialog = NewRequestDialog(self.desk, self.actor, self, refs)
        self.run_dialog(dialog, self._filed)
        return dialog

    def _filed(self, request: dict[str, Any]) -> None:
        self.show_tab(WAITING if self.actor.can(P.APPROVAL_DECIDE) else ALL)
        self._changed(request)

    def decide(self, request_id: int | None = None) -> DecisionDialog | None:
        """The manager's decision on the selected (or given) request, signed."""
        request = self.current_request
        try:
            if request_id is not None and (request is None or request["id"] != request_id):
                request = self.desk.approvals.show(self.actor, request_id)
        except DeskError as error:
            show_error(self, error)
            return None
        if request is None:
            return None
        refs = ", ".join(item["ref"] for item in request["items"])
        about = "\n".join((
            _("{number}: {name} asks for access ({access}).").format(
                number=request["number"], name=request["borrower"],
                access=request["access_label"]),
            _("Files: {refs}").format(refs=refs),
            _("Window: {start} to {end}").format(start=day_text(request["window_from"]),
                                                  end=day_text(request["window_to"])),
            _("Purpose: {purpose}").format(purpose=request["purpose"])))
        number, request_id = request["number"], request["id"]
        dialog = DecisionDialog(
            self.actor, _("Decide request {number}").format(number=number), about,
            _("the approval form {number}").format(number=number),
            lambda approve, reason, password, png: self.desk.approvals.decide(
                self.actor, request_id, approve, reason, password, png), self)
        self.run_dialog(dialog, self._changed)
        return dialog

    def revoke(self) -> None:
        request = self.current_request
        if request is None:
            return
        request_id = request["id"]
        self.run_dialog(ReasonDialog(
            _("Revoke approval {number}").format(number=request["number"]),
            _("The approval ends now; loans under it stay on record."), _("Re&voke"),
            lambda reason: self.desk.approvals.revoke(self.actor, request_id, reason), self,
            "revoke_dialog"), self._changed)

    def show_form(self) -> None:
        request = self.current_request
        if request is None:
            return
        request_id, actor, desk = request["id"], self.actor, self.desk
        show_document(self, desk, lambda: desk.approvals.document(actor, request_id),
                      f"{request['number']}.pdf")

    def record_copies(self) -> None:
        if self.current_request is not None:
            self.run_dialog(RecordCopiesDialog(self.desk, self.actor, self.current_request, self),
                            lambda _made: self._reload())

    def dispose_copies(self) -> None:
        if self.current_request is not None:
            self.run_dialog(DisposeCopiesDialog(self.desk, self.actor, self.current_request, self),
                            lambda _made: self._reload())

    def _reload(self) -> None:
        self.last_opened = None
        self.refresh()
