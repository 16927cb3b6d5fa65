"""The "Complaint register" tab: take a complaint, record the reply, the
monthly statistics report."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from desk_app.domain import reception as rules
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.ui.models.paged import Column
from desk_app.ui.reception.common import (
    Host,
    ListTab,
    number_column,
    time_text,
    who,
)
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.reception.export import ComplaintStatsDialog


class ComplaintsTab(ListTab):
    register = "complaints"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        columns = [
            number_column(),
            Column(lambda: _("Received"), lambda c: time_text(c.received_at)),
            Column(lambda: _("Category"), lambda c: rules.category_label(c.category)),
            Column(lambda: _("Customer"), lambda c: c.name),
            Column(lambda: _("Complaint"), lambda c: c.description,
                   tooltip=lambda c: c.description),
            Column(lambda: _("Reply promised"), lambda c: time_text(c.promised_at)),
            Column(lambda: _("Replied at"), lambda c: time_text(c.replied_at)),
            Column(lambda: _("Reply"), lambda c: c.result, tooltip=lambda c: c.result),
        ]
        self.set_list(
            "complaint_table", lambda: host.desk.complaints.count_complaints(host.actor),
            lambda offset, limit: host.desk.complaints.complaints(host.actor, offset=offset,
                                                                 limit=limit),
            columns, (50, 90, 120, 80, 220, 100, 90), (1, 5, 6))
        self.add_buttons([
            ("reply_complaint", _("Reply…"), self.reply_selected, host.can_use),
            ("complaint_stats", _("Monthly statistics…"), self.statistics, True),
        ])
        self.stats_dialog: ComplaintStatsDialog | None = None

    def statistics(self) -> ComplaintStatsDialog:
        """The monthly statistics dialog, kept: a next report starts from what was typed."""
        if self.stats_dialog is None:
            self.stats_dialog = ComplaintStatsDialog(self.host.desk, self.host.actor,
                                                     self.window())
        if not self.stats_dialog.isVisible():
            self.stats_dialog.open()
        return self.stats_dialog

    def new_complaint(self, view) -> FormDialog:
        """A complaint, about the selected visit ``view`` if there is one."""
        host = self.host
        choices = [(key, _(label)) for key, label in rules.COMPLAINT_CATEGORIES.items()]

        def submit(values: dict[str, Any], confirm: bool):
            return host.desk.complaints.add_complaint(
                host.actor, values["category"], values["description"], values["name"],
                values["contact"], view.id if view else None, confirm_phrases=confirm)

        return host.dialog_for(_("Complaint"), [
            FieldSpec("category", _("C&ategory"), "choice", choices),
            FieldSpec("name", _("&Name"), value=who(view) if view and view.name else ""),
            FieldSpec("contact", _("&Contact"), value=view.contact if view else ""),
            FieldSpec("description", _("Co&mplaint as told"), "text"),
        ], submit)

    def reply_selected(self) -> FormDialog:
        complaint, host = self.selected(), self.host
        if complaint is None:
            raise ValidationError(_("Select a complaint first."))

        def submit(values: dict[str, Any], confirm: bool):
            return host.desk.complaints.reply_complaint(host.actor, complaint.id, values["result"],
                                                       confirm_phrases=confirm)

        return host.dialog_for(_("Reply to complaint {id}").format(id=complaint.id),
                           [FieldSpec("result", _("&Reply given"), "text")], submit)
