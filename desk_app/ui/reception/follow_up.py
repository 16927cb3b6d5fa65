"""What the desk owes a caller after the first answer (the service is
``services/reception/follow_up.py``): a reply promised by a time — shown on the Now tab
(highlighted once it is due within the reminder, or late) and kept or broken in the Log —, and
the colleague or department an entry was transferred or escalated to (listed in its
Details).

The forms act on the entry selected on the Now, Timeouts or Log tab; a time typed is local and
stored as naive UTC; a service's ``ValidationError`` shows at its field, nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
)

from desk_app.domain import reception as rules
from desk_app.domain.clock import format_clock, format_datetime, to_local
from desk_app.domain.errors import Conflict
from desk_app.i18n import _
from desk_app.services.reception import VisitView
from desk_app.services.reception.follow_up import HandoffView
from desk_app.ui.reception.common import Host, channel_text, who
from desk_app.ui.reception.complaint_dialogs import host_widget
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.reception.messages_tab import addressee
from desk_app.ui.widgets.fields import local_qdatetime

DUE_SOON = "#fff3c4"  # due within the reminder (the Now tab's minor timeout colour)
LATE = "#ffb3b3"  # broken (the severe one)
DEFAULT_PROMISE_MINUTES = 30
HANDOFF_ROWS = 6  # the Details' list of hand-offs scrolls beyond this


def to_stored(moment: datetime) -> datetime:
    """A local date-time from a form as stored naive UTC."""
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC).replace(
        tzinfo=None)


def promise_time(promised: datetime, day_of: datetime) -> str:
    """The promised time: "10:30" on the day of ``day_of`` (local), else with its date."""
    if to_local(promised).date() == to_local(day_of).date():
        return format_clock(promised)
    return format_datetime(promised)


def promise_state_label(state: str) -> str:
    """Pending, Kept or Broken (the Log's Promise column)."""
    return {"pending": _("Pending"), "kept": _("Kept"), "broken": _("Broken")}.get(state, "")


def promise_cell(view: VisitView, now: datetime) -> str:
    """The Log's Promise cell: "Kept 10:30" (the time with its date when another day)."""
    state = view.promise(now)
    if not state or view.promised_at is None:
        return ""
    return _("{state} {time}").format(state=promise_state_label(state),
                                      time=promise_time(view.promised_at, view.arrived_at))


def now_promise_text(view: VisitView, now: datetime) -> str:
    """What the Now tab's Status says first of a promise: "Reply by 10:30", "Reply late
    (10:30)", "Reply kept (10:30)"."""
    state = view.promise(now)
    if not state or view.promised_at is None:
        return ""
    time = promise_time(view.promised_at, now)
    if state == "pending":
        return _("Reply by {time}").format(time=time)
    if state == "kept":
        return _("Reply kept ({time})").format(time=time)
    return _("Reply late ({time})").format(time=time)


def promise_colour(view: VisitView, now: datetime, remind_minutes: int) -> str | None:
    """Amber once the promised time is within the reminder, red once it has passed."""
    state = view.promise(now)
    if state == "broken":
        return LATE
    if (state == "pending" and view.promised_at is not None
            and view.promised_at - now <= timedelta(minutes=remind_minutes)):
        return DUE_SOON
    return None


def promise_tooltip(view: VisitView, now: datetime, name: Callable[[str], str]) -> str:
    """The promise in a sentence: by when, who promised it, kept or broken."""
    state = view.promise(now)
    if not state or view.promised_at is None:
        return ""
    promised, by = format_datetime(view.promised_at), name(view.promised_by)
    resolved = format_datetime(view.resolved_at)
    if state == "pending":
        return _("{name} promised a reply by {time}; not resolved yet.").format(
            name=by, time=promised)
    if state == "kept":
        return _("{name} promised a reply by {time}; resolved at {resolved}: kept.").format(
            name=by, time=promised, resolved=resolved)
    if view.resolved_at is not None:
        return _("{name} promised a reply by {time}; resolved only at {resolved}: "
                 "broken.").format(name=by, time=promised, resolved=resolved)
    return _("{name} promised a reply by {time}; the time has passed unresolved: "
             "broken.").format(name=by, time=promised)


def entry_line(view: VisitView) -> str:
    """The entry a form is about: "Entry 12 · Incoming call · 李女士 · 咨询停车"."""
    parts = [_("Entry {id}").format(id=view.id), channel_text(view), who(view)]
    if view.request:
        request = view.request if len(view.request) <= 60 else view.request[:59] + "…"
        parts.append(request)
    return " · ".join(parts)


def _entry_label(view: VisitView) -> QLabel:
    label = QLabel(entry_line(view))
    label.setObjectName("entry_line")
    label.setWordWrap(True)
    label.setToolTip(view.request)
    return label


# ---------------------------------------------------------------------- promise a reply

def promise_reply(host: Host, view: VisitView) -> FormDialog:
    """The caller is promised a reply by a time (now + 30 min to start with); a later promise
    replaces an earlier one."""
    if view.resolved_at is not None:
        raise Conflict(_("Log entry {id} is resolved already: there is no reply left to "
                         "promise.").format(id=view.id))
    start = local_qdatetime(host.desk.now()).addSecs(DEFAULT_PROMISE_MINUTES * 60)
    start = QDateTime(start.date(), QTime(start.time().hour(), start.time().minute()))

    def submit(values: dict[str, Any], _confirm: bool):
        return host.desk.follow_up.promise_reply(host.actor, view.id,
                                                 to_stored(values["promised_at"]))

    dialog = FormDialog(_("Promise a reply: {who} (entry {id})").format(who=who(view),
                                                                         id=view.id),
                        [FieldSpec("promised_at", _("Reply &by"), "datetime", value=start)],
                        submit, host_widget(host))
    dialog.setObjectName("promise_dialog")
    dialog.form.insertRow(0, _entry_label(view))
    if view.promised_at is not None:
        earlier = QLabel(_("This replaces the reply promised by {time}.").format(
            time=format_datetime(view.promised_at)))
        earlier.setObjectName("earlier_promise")
        earlier.setWordWrap(True)
        dialog.form.insertRow(1, earlier)
    minutes = int(host.desk.settings.value("promise_remind_minutes"))
    hint = QLabel(_("The Now tab turns it amber, and Today lists it, {minutes} minutes "
                    "before the time; red once it has passed.").format(minutes=minutes))
    hint.setObjectName("promise_hint")
    hint.setWordWrap(True)
    hint.setEnabled(False)  # greyed: a note, not a field
    dialog.form.addRow("", hint)
    dialog.ok_button.setText(_("&Promise"))
    host.show_dialog(dialog)
    return dialog


# ---------------------------------------------------------------------- transfer, escalate

def hand_off(host: Host, view: VisitView, kind: str) -> FormDialog:
    """Transferred (``kind`` "transfer") or escalated ("escalate") to a colleague — chosen, or
    typed and completed — or to a department, with a note."""
    staff = [(name, label) for name, label in host.desk.messages.addressees(host.actor)
             if name != host.actor.name]

    def submit(values: dict[str, Any], _confirm: bool):
        return host.desk.follow_up.hand_off(
            host.actor, view.id, kind, addressee(str(values["to_user"] or ""), staff),
            str(values["to_dept"]).strip(), values["note"])

    title = (_("Transfer: {who} (entry {id})") if kind == "transfer"
             else _("Escalate: {who} (entry {id})"))
    dialog = FormDialog(title.format(who=who(view), id=view.id), [
        # no one chosen at first: a department alone is enough
        FieldSpec("to_user", _("To a &colleague"), "choice", [("", ""), *staff], "",
                  editable_choice=True),
        FieldSpec("to_dept", _("or to a &department"), value=""),
        FieldSpec("note", _("&Note"), "text"),
    ], submit, host_widget(host))
    dialog.setObjectName(f"{kind}_dialog")
    colleague = dialog.widgets["to_user"]
    assert isinstance(colleague, QComboBox)
    completer = colleague.completer()  # "li" offers 李强 (liqiang), 孙丽 (sunli)…
    if completer is not None:
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    dialog.form.insertRow(0, _entry_label(view))
    department = dialog.widgets["to_dept"]
    assert isinstance(department, QLineEdit)
    department.setPlaceholderText(_("e.g. Engineering"))
    dialog.ok_button.setText(_("&Transfer") if kind == "transfer" else _("&Escalate"))
    host.show_dialog(dialog)
    return dialog


# ---------------------------------------------------------------------- in the Details

def handoff_kind_text(kind: str) -> str:
    return _(rules.HANDOFF_KINDS[kind]) if kind in rules.HANDOFF_KINDS else kind


def handoffs_list(handoffs: list[HandoffView], name: Callable[[str], str]) -> QTreeWidget:
    """The entry's hand-offs, oldest first: kind, to whom, when, by whom, the note."""
    tree = QTreeWidget()
    tree.setObjectName("handoffs")
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setHeaderLabels([_("Hand-off"), _("To"), _("When"), _("By"), _("Note")])
    tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # notes: tooltips
    when_width = tree.fontMetrics().horizontalAdvance("2026-11-30 10:52") + 16
    for column, width in enumerate((80, 100, when_width, 60)):
        tree.setColumnWidth(column, width)
    for handoff in handoffs:
        item = QTreeWidgetItem([handoff_kind_text(handoff.kind), handoff.to_name,
                                format_datetime(handoff.at), name(handoff.by), handoff.note])
        item.setToolTip(4, handoff.note)
        if handoff.to_dept and handoff.to_user:
            item.setToolTip(1, handoff.to_dept)
        tree.addTopLevelItem(item)
    line = tree.sizeHintForRow(0) if handoffs else tree.fontMetrics().height() + 6
    rows = min(max(len(handoffs), 1), HANDOFF_ROWS)
    tree.setFixedHeight(tree.header().sizeHint().height() + rows * line
                        + 2 * tree.frameWidth() + 4)
    tree.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return tree


def add_follow_up(dialog: FormDialog, host: Host, view: VisitView) -> None:
    """Under an entry's details: the reply promised (if any) and its hand-offs."""
    now = host.desk.now()
    if view.promised_at is not None:
        promise = QLabel(promise_tooltip(view, now, host.staff_name))
        promise.setObjectName("promise_info")
        promise.setWordWrap(True)
        dialog.form.addRow(_("Reply promised"), promise)
    handoffs = host.desk.follow_up.handoffs(host.actor, view.id)
    if handoffs:
        dialog.form.addRow(_("Hand-offs"), handoffs_list(handoffs, host.staff_name))
        dialog.setMinimumWidth(max(dialog.minimumWidth(), 660))  # the note has room
    else:
        none = QLabel(_("Not transferred or escalated."))
        none.setObjectName("no_handoffs")
        dialog.form.addRow(_("Hand-offs"), none)
