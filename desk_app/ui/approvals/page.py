"""The Approvals area (R5, R2, R3, R6): confidential access requests and the manager's signed
decisions; retention (due for review, holds, destruction lists); personnel grants.

Each tab is shown only to roles that hold its permission. Other pages send the user here
with ``navigate("approvals", view)``: ``waiting`` / ``all`` / ``expiring`` / ``ended`` (a
requests view), ``decide:ID`` (the decision dialog of one request), ``request:REF,REF``
(a new request for those files), ``due`` / ``holds`` / ``destructions``, ``grants``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from desk_app.domain.areas.approvals import ApprovalsPermission
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.approvals.grants_tab import GrantsTab
from desk_app.ui.approvals.requests_tab import RequestsTab
from desk_app.ui.approvals.retention_tab import RetentionTab
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.page import Page

REQUEST_VIEWS = ("waiting", "all", "expiring", "ended")
RETENTION_VIEWS = ("due", "holds", "destructions")


class ApprovalsPage(Page):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Approvals"), _(
            "Secret files are read, copied or taken out only with the manager's signed approval; "
            "files past their retention are destroyed only on a signed destruction list."), parent)
        self.desk, self.actor = desk, actor
        self.tabs = QTabWidget()
        self.tabs.setObjectName("approvals_tabs")
        self.requests: RequestsTab | None = None
        self.retention: RetentionTab | None = None
        self.grants: GrantsTab | None = None
        if actor.can(ApprovalsPermission.APPROVAL_VIEW):
            self.requests = RequestsTab(desk, actor)
            self._add(self.requests, "requests", _("Access re&quests"))
        if actor.can(ApprovalsPermission.RETENTION_VIEW):
            self.retention = RetentionTab(desk, actor)
            self._add(self.retention, "retention", _("Re&tention"))
        if actor.can(ArchivePermission.PERSONNEL_GRANTS_VIEW):
            self.grants = GrantsTab(desk, actor)
            self._add(self.grants, "grants", _("Personnel &grants"))
        self.body.addWidget(self.tabs, 1)
        if self.tabs.count() == 0:
            self.description_label.setText(_("Nothing here for your roles."))

    def _add(self, tab: QWidget, key: str, title: str) -> None:
        tab.setObjectName(f"approvals_{key}_tab")
        self.tabs.addTab(tab, title)

    # ---------------------------------------------------------------- views

    def show_view(self, view: str) -> None:
        if self.requests is not None and (view in REQUEST_VIEWS or view.startswith("decide:")
                                          or view.startswith("request:")):
            self.tabs.setCurrentWidget(self.requests)
            if view.startswith("decide:"):
                self.requests.show_tab("waiting")
                self.requests.decide(int(view.removeprefix("decide:")))
            elif view.startswith("request:"):
                self.requests.new_request([ref for ref in view.removeprefix("request:").split(",")
                                           if ref])
            else:
                self.requests.show_tab(view)
        elif self.retention is not None and view in RETENTION_VIEWS:
            self.tabs.setCurrentWidget(self.retention)
            self.retention.show_tab(view)
        elif self.grants is not None and view == "grants":
            self.tabs.setCurrentWidget(self.grants)

    def refresh(self) -> None:
        for tab in (self.requests, self.retention, self.grants):
            if tab is not None:
                try:
                    tab.refresh()
                except DeskError as error:
                    show_error(self, error)

    def activated(self) -> None:
        self.refresh()
