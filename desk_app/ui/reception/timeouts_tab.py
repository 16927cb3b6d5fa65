"""The "Timeouts" tab: severe timeouts escalated to the supervisor, waiting for review."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.services.reception import VisitFilter
from desk_app.ui.models.paged import Column
from desk_app.ui.reception.common import (
    Host,
    ListTab,
    time_text,
    visit_columns,
)
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog

ESCALATED = VisitFilter(escalated_only=True)


class TimeoutsTab(ListTab):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.layout_.addWidget(QLabel(_("Severe timeouts are escalated to the supervisor for "
                                        "review.")))
        columns = [*visit_columns(),
                   Column(lambda: _("Escalated"), lambda v: time_text(v.escalated_at))]
        self.set_list(
            "timeout_table", lambda: host.desk.visits.count_visits(host.actor, ESCALATED),
            lambda offset, limit: host.desk.visits.visits(host.actor, ESCALATED, offset,
                                                             limit),
            columns, (50, 80, 100, 220, 80), (5, 6))
        self.add_buttons([("review_button", _("Review…"), self.review_selected,
                           host.can_review)])

    def review_selected(self) -> FormDialog:
        view, host = self.selected(), self.host
        if view is None:
            raise ValidationError(_("Select an entry in the list first."))

        def submit(values: dict[str, Any], _confirm: bool):
            return host.desk.visits.review(host.actor, view.id, values["note"])

        return host.dialog_for(_("Review timeout of entry {id}").format(id=view.id),
                           [FieldSpec("note", _("What was &done"), "text")], submit)
