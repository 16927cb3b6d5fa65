"""The "Log" tab: every visit and call, newest first, searchable; whether the reply promised
was kept; and the actions on a past entry: its details (with its hand-offs), a reply
promised, a transfer or an escalation (the page's actions, on the selected row)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from desk_app.domain import reception as rules
from desk_app.i18n import _
from desk_app.services.reception import VisitFilter
from desk_app.ui.models.live import select_id
from desk_app.ui.models.paged import Column
from desk_app.ui.reception.common import (
    Host,
    ListTab,
    channel_text,
    number_column,
    time_text,
    who,
)
from desk_app.ui.reception.follow_up import promise_cell, promise_tooltip
from desk_app.ui.reception.timeout_case import type_text


class LogTab(ListTab):
    register = "visits"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.filter = VisitFilter()
        self.search = QLineEdit()
        self.search.setObjectName("log_search")
        self.search.setPlaceholderText(_("Search name, contact, company, request…"))
        self.search.returnPressed.connect(self.apply_filter)
        now = host.desk.now
        columns = [
            number_column(),
            Column(lambda: _("Channel"), channel_text),
            Column(lambda: _("Name"), who),
            Column(lambda: _("Contact"), lambda v: v.contact),
            Column(lambda: _("Request"), lambda v: v.request, tooltip=lambda v: v.request),
            Column(lambda: _("Type"), lambda v: type_text(v.request_type, v.urgency)),
            Column(lambda: _("Handler"), lambda v: v.handler_name),
            Column(lambda: _("Time in"), lambda v: time_text(v.arrived_at)),
            Column(lambda: _("Left / ended"), lambda v: time_text(v.ended_at)),
            Column(lambda: _("Timeout"), lambda v: rules.level_label(v.timeout_level)
                   if v.timeout_level else ""),
            Column(lambda: _("Promise"), lambda v: promise_cell(v, now()),
                   tooltip=lambda v: promise_tooltip(v, now(), host.staff_name) or None),
            Column(lambda: _("Result"), lambda v: v.result, tooltip=lambda v: v.result),
        ]
        self.layout_.addWidget(self.search)
        self.set_list(
            "log_table", lambda: host.desk.visits.count_visits(host.actor, self.filter),
            lambda offset, limit: host.desk.visits.visits(host.actor, self.filter, offset,
                                                             limit),
            columns, (50, 70, 90, 110, 180, 110, 70, 90, 90, 112, 96), (7, 8))
        self.count = QLabel()
        self.count.setObjectName("log_count")
        self.layout_.addWidget(self.count)
        # the page's actions on the selected entry (F8, Ctrl+Shift+R / T / L)
        self.add_buttons([
            ("log_details", _("&Details…"), host.details, host.can_use),
            ("log_promise", _("Promise &reply…"), host.promise_reply, host.can_use),
            ("log_transfer", _("&Transfer…"), host.transfer, host.can_use),
            ("log_escalate", _("E&scalate…"), host.escalate, host.can_use),
        ])

    def refresh(self) -> None:
        super().refresh()
        self.count.setText(_("{count} entries").format(count=self.model.rowCount()))

    def apply_filter(self) -> None:
        self.filter = VisitFilter(text=self.search.text())
        self.host.run(self.refresh)

    def select_visit(self, visit_id: int) -> bool:
        """Select the entry if it is on the Log's first page (the newest entries)."""
        return select_id(self.table, visit_id)
