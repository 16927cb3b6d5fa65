"""The "Log" tab: every visit and call, newest first, searchable."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from desk_app.domain import reception as rules
from desk_app.i18n import _
from desk_app.services.reception import VisitFilter
from desk_app.ui.models.paged import Column
from desk_app.ui.reception.common import (
    Host,
    ListTab,
    channel_text,
    number_column,
    time_text,
    who,
)


class LogTab(ListTab):
    register = "visits"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.filter = VisitFilter()
        self.search = QLineEdit()
        self.search.setObjectName("log_search")
        self.search.setPlaceholderText(_("Search name, contact, company, request…"))
        self.search.returnPressed.connect(self.apply_filter)
        columns = [
            number_column(),
            Column(lambda: _("Channel"), channel_text),
            Column(lambda: _("Name"), who),
            Column(lambda: _("Contact"), lambda v: v.contact),
            Column(lambda: _("Request"), lambda v: v.request, tooltip=lambda v: v.request),
            Column(lambda: _("Handler"), lambda v: v.handler_name),
            Column(lambda: _("Time in"), lambda v: time_text(v.arrived_at)),
            Column(lambda: _("Left / ended"), lambda v: time_text(v.ended_at)),
            Column(lambda: _("Timeout"), lambda v: rules.level_label(v.timeout_level)
                   if v.timeout_level else ""),
            Column(lambda: _("Result"), lambda v: v.result, tooltip=lambda v: v.result),
        ]
        self.layout_.addWidget(self.search)
        self.set_list(
            "log_table", lambda: host.desk.visits.count_visits(host.actor, self.filter),
            lambda offset, limit: host.desk.visits.visits(host.actor, self.filter, offset,
                                                             limit),
            columns, (50, 70, 90, 110, 200, 70, 90, 90, 112), (6, 7))
        self.count = QLabel()
        self.count.setObjectName("log_count")
        self.layout_.addWidget(self.count)
        self.add_buttons([])

    def refresh(self) -> None:
        super().refresh()
        self.count.setText(_("{count} entries").format(count=self.model.rowCount()))

    def apply_filter(self) -> None:
        self.filter = VisitFilter(text=self.search.text())
        self.host.run(self.refresh)
