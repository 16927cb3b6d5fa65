"""The "Call-backs" tab: scheduled and made call-backs, by phone, e-mail or online; schedule
one, record its result, save its record form as a PDF. A call-back that follows up a complaint
(scheduled when the customer signed its resolution) shows the complaint's number; recording
it closes the complaint, or reopens it when the customer is dissatisfied (the service)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from desk_app.domain import complaints as complaint_rules
from desk_app.domain import reception as rules
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.services.output import check_target, save_bytes
from desk_app.services.reception import CallBackView
from desk_app.services.reception.views import callback_status_text
from desk_app.ui.errors import replacing
from desk_app.ui.models.paged import Column
from desk_app.ui.reception.common import (
    Host,
    ListTab,
    number_column,
    time_text,
    title_choices,
)
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.widgets.fields import local_qdatetime


class CallbacksTab(ListTab):
    register = "callbacks"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        columns = [
            number_column(),
            Column(lambda: _("Scheduled for"), lambda c: time_text(c.due_at)),
            Column(lambda: _("Customer"), lambda c: rules.addressed(c.name, c.caller_title)),
            Column(lambda: _("Contact"), lambda c: c.contact),
            Column(lambda: _("Channel"), lambda c: complaint_rules.channel_label(c.channel)),
            Column(lambda: _("Complaint"), lambda c: complaint_rules.number(c.complaint_id)
                   if c.complaint_id else ""),
            Column(lambda: _("Purpose"), lambda c: c.purpose, tooltip=lambda c: c.purpose),
            Column(lambda: _("Handler"), lambda c: c.handler_name),
            Column(lambda: _("Status"), lambda c: callback_status_text(c.status)),
            Column(lambda: _("Result"), lambda c: c.result, tooltip=lambda c: c.result),
        ]
        self.set_list("callback_table", self._count, self._fetch, columns,
                      (50, 90, 90, 110, 70, 90, 220, 80, 80), (1,))
        self.add_buttons([
            ("record_callback", _("Record result…"), self.record_selected, host.can_use),
            ("callback_pdf", _("Save form as PDF…"), self.form_pdf, True),
        ])

    def _count(self) -> int:
        return self.host.desk.callbacks.count_callbacks(self.host.actor, pending_only=False)

    def _fetch(self, offset: int, limit: int) -> list[CallBackView]:
        return self.host.desk.callbacks.page_callbacks(self.host.actor, False, offset, limit)

    def need_selection(self) -> CallBackView:
        callback = self.selected()
        if callback is None:
            raise ValidationError(_("Select a call-back first."))
        return callback

    def schedule(self, view) -> FormDialog:
        """A new call-back, about the selected visit ``view`` if there is one."""
        host = self.host
        channels = [(key, _(label)) for key, label in complaint_rules.CALLBACK_CHANNELS.items()]

        def submit(values: dict[str, Any], _confirm: bool):
            due = values["due_at"]
            due = (due if due.tzinfo else due.astimezone()).astimezone(UTC).replace(tzinfo=None)
            return host.desk.callbacks.schedule_callback(
                host.actor, values["contact"], values["purpose"], due, values["name"],
                values["caller_title"], view.id if view else None, channel=values["channel"])

        return host.dialog_for(_("Schedule a call-back"), [
            FieldSpec("name", _("&Name"), value=view.name if view else ""),
            FieldSpec("caller_title", _("&Title"), "choice", title_choices(),
                      view.caller_title if view else "", editable_choice=True),
            FieldSpec("contact", _("&Contact"), value=view.contact if view else ""),
            FieldSpec("channel", _("C&hannel"), "choice", channels, "phone"),
            FieldSpec("purpose", _("&Purpose"), "text", value=view.request if view else ""),
            FieldSpec("due_at", _("&When"), "datetime",
                      value=local_qdatetime(host.desk.now()).addSecs(3600)),
        ], submit)

    def record_selected(self) -> FormDialog:
        callback, host = self.need_selection(), self.host
        choices = [(key, _(label)) for key, label in rules.SATISFACTION.items()]

        def submit(values: dict[str, Any], confirm: bool):
            return host.desk.callbacks.record_callback(host.actor, callback.id, values["result"],
                                                       values["satisfaction"],
                                                       confirm_phrases=confirm)

        title = (_("Call-back {id}: result").format(id=callback.id) if not callback.complaint_id
                 else _("Call-back {id} on complaint {number}: result").format(
                     id=callback.id, number=complaint_rules.number(callback.complaint_id)))
        return host.dialog_for(title, [
            FieldSpec("satisfaction", _("&Satisfaction"), "choice", choices),
            FieldSpec("result", _("&Result"), "text"),
        ], submit)

    def form_pdf(self) -> FormDialog:
        callback, host = self.need_selection(), self.host

        def submit(values: dict[str, Any], _confirm: bool):
            # The file is checked (and "replace?" asked) before anything is signed.
            path = replacing(self, lambda force: check_target(values["file"], force=force,
                                                                field="file"))
            data = host.desk.callbacks.callback_form(host.actor, callback.id,
                                                     values["password"] or None)
            save_bytes(path, data, force=True)
            return path

        return host.dialog_for(_("Call-back record form"), [
            FieldSpec("file", _("&File"), value=str(Path.home() / f"callback-{callback.id}.pdf")),
            FieldSpec("password", _("&Password to sign (empty: sign by hand)"), "password"),
        ], submit)
