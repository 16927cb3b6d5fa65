"""The "Messages" tab: messages taken at the phone for absent colleagues (issue 18), newest
first; take one (Ctrl+Shift+M), chase one still unconfirmed, confirm one left for me."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from desk_app.domain import reception as rules
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.services.reception.messages import MessageView
from desk_app.ui.models.paged import Column
from desk_app.ui.reception.common import Host, ListTab, number_column, time_text, title_choices
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog


def _state(message: MessageView) -> str:
    if message.confirmed:
        return _("confirmed {time}").format(time=time_text(message.confirmed_at))
    if message.chases:
        return _("chased {count}×").format(count=message.chases)
    return _("waiting")


def addressee(typed: str, choices: list[tuple[str, str]]) -> str:
    """The user name behind what was typed or completed in the "For" box: a choice's label
    ("李强 (liqiang)"), a full name that only one user has, or the user name itself."""
    typed = typed.strip()
    by_label = {label: name for name, label in choices}
    if typed in by_label:
        return by_label[typed]
    named = [name for name, label in choices if label.rsplit(" (", 1)[0] == typed]
    return named[0] if len(named) == 1 else typed


class MessagesTab(ListTab):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        columns = [
            number_column(),
            Column(lambda: _("Taken"), lambda m: time_text(m.taken_at)),
            Column(lambda: _("For"), lambda m: m.for_name),
            Column(lambda: _("Caller"), lambda m: rules.addressed(m.caller, m.caller_title)),
            Column(lambda: _("Contact"), lambda m: m.contact),
            Column(lambda: _("Message"), lambda m: m.text, tooltip=lambda m: m.text),
            Column(lambda: _("Taken by"), lambda m: m.taken_by_name),
            Column(lambda: _("State"), _state),
        ]
        self.set_list("message_table", lambda: host.desk.messages.count_messages(host.actor),
                      lambda offset, limit: host.desk.messages.page_messages(
                          host.actor, None, offset, limit),
                      columns, (50, 90, 90, 90, 110, 240, 80), (1,))
        self.add_buttons([
            ("chase_message", _("&Chase"), self.chase_selected, host.can_use),
            ("confirm_message", _("Con&firm (for me)"), self.confirm_selected, True),
        ])

    def need_selection(self) -> MessageView:
        message = self.selected()
        if message is None:
            raise ValidationError(_("Select a message first."))
        return message

    def take(self, view) -> FormDialog:
        """A message, from the selected call ``view`` if there is one."""
        host = self.host
        choices = host.desk.messages.addressees(host.actor)

        def submit(values: dict[str, Any], _confirm: bool):
            return host.desk.messages.take_message(
                host.actor, addressee(str(values["for_user"] or ""), choices), values["caller"],
                values["text"], values["contact"], values["caller_title"],
                view.id if view else None)

        return host.dialog_for(_("Take a message"), [
            # no one chosen at first: OK without a choice must not leave it for the first name
            FieldSpec("for_user", _("&For"), "choice", [("", ""), *choices], "",
                      editable_choice=True),
            FieldSpec("caller", _("C&aller"), value=view.name if view else ""),
            FieldSpec("caller_title", _("&Title"), "choice", title_choices(),
                      view.caller_title if view else "", editable_choice=True),
            FieldSpec("contact", _("&Contact"), value=view.contact if view else ""),
            FieldSpec("text", _("&Message"), "text"),
        ], submit)

    def chase_selected(self) -> MessageView:
        message = self.need_selection()
        view = self.host.desk.messages.chase_message(self.host.actor, message.id)
        self.refresh()
        return view

    def confirm_selected(self) -> MessageView:
        message = self.need_selection()
        view = self.host.desk.messages.confirm_message(self.host.actor, message.id)
        self.refresh()
        return view
