"""The "Now" tab: open entries with their response timers and where each stands, who is on
site, the targets; and the actions on an entry (visitor arrives, phone rings, call out, mark
answered, mark resolved, sign the visitor out / end the call, details).

The timers are live columns: computed from the entry and the current time, repainted by the
page's one-second tick (no database, no page fetched again).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QLabel, QListWidget, QSplitter, QVBoxLayout, QWidget

from desk_app.domain import reception as rules
from desk_app.domain.errors import ValidationError
from desk_app.domain.reception import Channel, Level
from desk_app.domain.timeouts import RequestType, Urgency
from desk_app.i18n import _
from desk_app.services.reception import VisitView
from desk_app.ui.models.live import (
    LiveColumn,
    LiveTableModel,
    refresh_keeping_selection,
    select_id,
    selected_row,
)
from desk_app.ui.reception.common import Host, list_view, time_text, title_choices, visit_columns, who
from desk_app.ui.reception.complaint_dialogs import host_widget
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.reception.follow_up import (
    add_follow_up,
    now_promise_text,
    promise_colour,
    promise_tooltip,
)

LEVEL_COLOURS = {Level.MINOR: "#fff3c4", Level.MODERATE: "#ffd8a8", Level.SEVERE: "#ffb3b3"}
TIMER_COLUMNS = (6, 7, 8, 9)  # the timers, and the status with its promise (due, late)


def progress_of(view: VisitView) -> tuple[str, str]:
    return rules.progress(view.channel, view.answered_at is not None,
                          view.resolved_at is not None)


def end_action_text(view: VisitView | None) -> str:
    """What F7 does to ``view``: a visitor is signed out, a call ended."""
    if view is None:
        return _("Sign out / end call…")
    return _("Sign out visitor…") if view.channel is Channel.VISIT else _("End call…")


def visit_fields(view: VisitView | None = None) -> list[FieldSpec]:
    """An entry's details; its request type and urgency set its reply targets (002)."""
    return [
        FieldSpec("name", _("&Name"), value=view.name if view else ""),
        FieldSpec("caller_title", _("&Title"), "choice", title_choices(),
                  view.caller_title if view else "", editable_choice=True),
        FieldSpec("contact", _("&Contact"), value=view.contact if view else ""),
        FieldSpec("company", _("C&ompany"), value=view.company if view else ""),
        FieldSpec("request", _("&Request"), "text", value=view.request if view else ""),
        FieldSpec("request_type", _("Request t&ype"), "choice",
                  [(kind.value, kind.label) for kind in RequestType],
                  view.request_type if view else RequestType.ENQUIRY.value),
        FieldSpec("urgent", _("&Urgent"), "check",
                  value=bool(view and view.urgency == Urgency.URGENT.value)),
    ]


def visit_values(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the service takes them: the Urgent box as the urgency."""
    values = dict(values)
    values["urgency"] = (Urgency.URGENT if values.pop("urgent", False) else Urgency.NORMAL).value
    return values


class NowTab(QWidget):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.views: list[VisitView] = []
        self.targets = rules.Targets()
        self.remind_minutes = 15  # the setting promise_remind_minutes, read at each refresh
        columns: list[Any] = [
            *visit_columns(),
            LiveColumn(lambda: _("Time to answer"), self._answer_text, self._colour),
            LiveColumn(lambda: _("Time to reply"),
                       lambda v, now: rules.format_elapsed(self._status(v, now).reply_elapsed),
                       self._colour),
            LiveColumn(lambda: _("Timeout"), self._level_text, self._colour),
            # where the entry stands, and the reply promised (amber when due, red late)
            LiveColumn(lambda: _("Status"), self._status_text,
                       lambda v, now: promise_colour(v, now, self.remind_minutes),
                       tooltip=self._status_tip),
        ]
        self.model = LiveTableModel(lambda: len(self.views),
                                    lambda offset, limit: self.views[offset:offset + limit],
                                    columns, host.desk.ctx.clock.now, parent=self)
        self.table = list_view("active_table", self.model,
                               (44, 64, 80, 140, 64, 90, 70, 70, 112), (5,))
        self.visitors_list = QListWidget()
        self.visitors_list.setObjectName("current_visitors")
        self.visitors_list.setWordWrap(True)  # the narrow side column: no sideways scrolling
        self.targets_label = QLabel()
        self.targets_label.setObjectName("targets")
        self.targets_label.setWordWrap(True)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel(_("On site now")))
        column.addWidget(self.visitors_list, 1)
        column.addWidget(self.targets_label)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([940, 200])  # the timers and the status visible at 1366 × 768
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # ---------------------------------------------------------------- live columns

    def _status(self, view: VisitView, now: datetime):
        return view.status(now, self.targets)

    def _answer_text(self, view: VisitView, now: datetime) -> str:
        if view.channel is Channel.PHONE_OUT:
            return "—"
        return rules.format_elapsed(self._status(view, now).answer_elapsed)

    def _level_text(self, view: VisitView, now: datetime) -> str:
        level = self._status(view, now).level
        return rules.level_label(level) if level else ""

    def _colour(self, view: VisitView, now: datetime) -> str | None:
        return LEVEL_COLOURS.get(self._status(view, now).level)

    def _status_text(self, view: VisitView, now: datetime) -> str:
        """Where it stands; a promise first (the cell is narrow): "Reply by 10:30 · Being
        helped"."""
        status, promise = progress_of(view)[0], now_promise_text(view, now)
        return _("{promise} · {status}").format(promise=promise, status=status) if promise \
            else status

    def _status_tip(self, view: VisitView) -> str:
        tip = progress_of(view)[1]
        promise = promise_tooltip(view, self.model.now, self.host.staff_name)
        return f"{tip}\n{promise}" if promise else tip

    # ---------------------------------------------------------------- refresh

    def refresh(self) -> None:
        host = self.host
        self.targets = host.desk.visits.targets()
        self.remind_minutes = int(host.desk.settings.value("promise_remind_minutes"))
        self.views = host.desk.visits.active(host.actor)
        refresh_keeping_selection(self.table)
        self.visitors_list.clear()
        for view in self.views:
            if view.channel is Channel.VISIT:
                line = _("{who}  {company}  since {time}").format(
                    who=who(view), company=view.company, time=time_text(view.arrived_at))
                self.visitors_list.addItem(re.sub(r"\s{3,}", "  ", line))  # (no company)
        t = self.targets
        self.targets_label.setText(_(
            "Targets: answer within {answer} s, reply within {reply} min. Minor after the target, "
            "moderate after {am} s / {rm} min, severe after {as_} s / {rs} min.").format(
            answer=t.answer, reply=t.reply // 60, am=t.answer_moderate,
            rm=t.reply_moderate // 60, as_=t.answer_severe, rs=t.reply_severe // 60))

    def tick(self) -> None:
        self.model.tick()

    def selected(self) -> VisitView | None:
        return selected_row(self.table)

    def select_visit(self, visit_id: int) -> None:
        ids = [view.id for view in self.views]
        select_id(self.table, visit_id, ids.index(visit_id) if visit_id in ids else 0)

    # ---------------------------------------------------------------- actions

    def _need_selection(self) -> VisitView:
        view = self.selected()
        if view is None:
            raise ValidationError(_("Select an entry in the list first."))
        return view

    def _open(self, channel: Channel, title: str) -> FormDialog:
        host = self.host

        def submit(values: dict[str, Any], confirm: bool):
            return host.desk.visits.open_visit(host.actor, channel, confirm_phrases=confirm,
                                               **visit_values(values))

        return host.dialog_for(title, visit_fields(), submit, self.opened)

    def opened(self, view: VisitView) -> None:
        self.host.refresh()
        self.host.show_now()
        self.select_visit(view.id)

    def new_visitor(self) -> FormDialog:
        return self._open(Channel.VISIT, _("Visitor arrives"))

    def outgoing_call(self) -> FormDialog:
        return self._open(Channel.PHONE_OUT, _("Call out"))

    def incoming_call(self) -> VisitView:
        """The phone rings: the entry (and its timer) starts now; details come later (F8)."""
        view = self.host.desk.visits.open_visit(self.host.actor, Channel.PHONE_IN)
        self.opened(view)
        self.table.setFocus()
        return view

    def answer(self, view: VisitView) -> None:
        self.host.desk.visits.answer(self.host.actor, view.id)
        self.host.refresh()
        self.select_visit(view.id)

    def answer_selected(self) -> None:
        self.answer(self._need_selection())

    def edit_selected(self) -> FormDialog:
        return self.details(self._need_selection())

    def details(self, view: VisitView) -> FormDialog:
        """Correct or complete an entry's details; below them the reply promised and where
        the entry was transferred or escalated."""
        host = self.host

        def submit(values: dict[str, Any], confirm: bool):
            return host.desk.visits.update_visit(host.actor, view.id, confirm_phrases=confirm,
                                                 **visit_values(values))

        dialog = FormDialog(_("Details of entry {id}").format(id=view.id), visit_fields(view),
                            submit, host_widget(host))
        dialog.setObjectName("details_dialog")
        add_follow_up(dialog, host, view)
        return host.show_dialog(dialog)

    def resolve_selected(self) -> FormDialog:
        """Mark the request resolved; a call usually ends with it (checked), a visitor may
        stay on site (unchecked): what is not ended stays on this tab, saying why."""
        view, host = self._need_selection(), self.host
        visit = view.channel is Channel.VISIT
        end_label = _("&Sign the visitor out too") if visit else _("&End the call too")

        def submit(values: dict[str, Any], confirm: bool):
            if values["end"]:
                return host.desk.visits.close_visit(host.actor, view.id,
                                                    values["result"] or None,
                                                    confirm_phrases=confirm)
            return host.desk.visits.resolve(host.actor, view.id, values["result"],
                                            confirm_phrases=confirm)

        return host.dialog_for(_("Mark resolved: {who} (entry {id})").format(
            who=who(view), id=view.id), [
            FieldSpec("result", _("&Result"), "text", value=view.result),
            FieldSpec("end", end_label, "check", value=not visit),
        ], submit)

    def close_selected(self) -> FormDialog:
        """The visitor leaves (signed out) or the call ends: the entry leaves this tab."""
        view, host = self._need_selection(), self.host

        def submit(values: dict[str, Any], confirm: bool):
            return host.desk.visits.close_visit(host.actor, view.id, values["result"] or None,
                                                   confirm_phrases=confirm)

        title = (_("Sign out visitor: {who} (entry {id})") if view.channel is Channel.VISIT
                 else _("End call: {who} (entry {id})"))
        return host.dialog_for(title.format(who=who(view), id=view.id),
                           [FieldSpec("result", _("&Result"), "text", value=view.result)], submit)
