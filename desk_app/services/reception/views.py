"""What reception's services return and take: views of its rows, filters, statistics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from desk_app.domain import complaints as complaint_rules
from desk_app.domain import reception as rules
from desk_app.domain.clock import local_day_start
from desk_app.domain.errors import ValidationError
from desk_app.domain.reception import Channel, Level, Targets, TimerStatus
from desk_app.domain.text import LookupFilter
from desk_app.i18n import N_, _
from desk_app.store.models import User
from desk_app.store.reception import CallBack, Complaint, ScriptVersion, Visit


@dataclass(frozen=True)
class ScriptView:
    key: str
    situation: str
    lang: str
    version: int
    title: str
    text: str
    created_at: datetime
    created_by: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "situation": self.situation, "lang": self.lang,
                "version": self.version, "title": self.title, "text": self.text,
                "changed_at": self.created_at,
                "changed_by": self.created_by}


def script_view(row: ScriptVersion) -> ScriptView:
    return ScriptView(row.key, row.situation, row.lang, row.version, row.title, row.text,
                      row.created_at, row.created_by)


@dataclass(frozen=True)
class VisitView:
    id: int
    channel: Channel
    name: str
    caller_title: str
    contact: str
    company: str
    request: str
    result: str
    handler: str
    arrived_at: datetime
    answered_at: datetime | None
    resolved_at: datetime | None
    ended_at: datetime | None
    timeout_level: Level
    escalated_at: datetime | None
    reviewed_by: str
    reviewed_at: datetime | None
    review_note: str
    handler_name: str = ""  # the handler's full name, in lists (staff are shown by name)
    promised_at: datetime | None = None  # a reply promised by then
    promised_by: str = ""
    request_type: str = "enquiry"  # domain.timeouts.RequestType: sets the reply targets
    urgency: str = "normal"

    @property
    def open(self) -> bool:
        return self.ended_at is None

    def promise(self, now: datetime) -> str:
        """"" (none), "pending", "kept" (resolved by the promised time) or "broken"."""
        return rules.promise_state(self.promised_at, self.resolved_at, now)

    def status(self, now: datetime, targets: Targets) -> TimerStatus:
        return rules.timer_status(self.arrived_at, self.answered_at, self.resolved_at, now,
                                  targets.for_request(self.request_type, self.urgency),
                                  answer_timed=self.channel is not Channel.PHONE_OUT)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "channel": self.channel.value, "name": self.name,
                "title": self.caller_title, "contact": self.contact, "company": self.company,
                "request": self.request, "result": self.result, "handler": self.handler,
                "time_in": self.arrived_at, "answered": self.answered_at,
                "resolved": self.resolved_at, "time_out": self.ended_at,
                "timeout_level": self.timeout_level.name.lower(),
                "escalated": self.escalated_at, "reviewed_by": self.reviewed_by or None,
                "promised": self.promised_at, "request_type": self.request_type,
                "urgency": self.urgency}


def staff_names() -> dict[str, str]:
    """Every user's full name by user name (a short table, read once per list): staff are
    shown by full name, 王芳 rather than wangfang."""
    return {user.name: user.full_name or user.name
            for user in User.select(User.name, User.full_name)}


def _full(names: Mapping[str, str] | None, user_name: str) -> str:
    return (names or {}).get(user_name, user_name)


def visit_view(row: Visit, names: Mapping[str, str] | None = None) -> VisitView:
    return VisitView(row.id, Channel(row.channel), row.name, row.caller_title, row.contact,
                     row.company, row.request, row.result, row.handler, row.arrived_at,
                     row.answered_at, row.resolved_at, row.ended_at, Level(row.timeout_level),
                     row.escalated_at, row.reviewed_by, row.reviewed_at, row.review_note,
                     _full(names, row.handler), row.promised_at, row.promised_by,
                     row.request_type, row.urgency)


@dataclass(frozen=True)
class CallBackView:
    id: int
    visit_id: int | None
    name: str
    caller_title: str
    contact: str
    purpose: str
    due_at: datetime
    handler: str
    status: str
    done_at: datetime | None
    done_by: str
    result: str
    satisfaction: str
    created_at: datetime
    created_by: str
    handler_name: str = ""  # full names, in lists
    done_by_name: str = ""
    channel: str = "phone"  # phone, email, online
    complaint_id: int | None = None  # the complaint it follows up


def callback_view(row: CallBack, names: Mapping[str, str] | None = None) -> CallBackView:
    return CallBackView(row.id, row.__data__.get("visit"), row.name, row.caller_title, row.contact,
                        row.purpose, row.due_at, row.handler, row.status, row.done_at,
                        row.done_by, row.result, row.satisfaction, row.created_at, row.created_by,
                        _full(names, row.handler), _full(names, row.done_by), row.channel,
                        row.__data__.get("complaint"))


@dataclass(frozen=True)
class ComplaintView:
    id: int
    visit_id: int | None
    received_at: datetime
    category: str
    name: str
    contact: str
    description: str
    handler: str
    promised_at: datetime
    replied_at: datetime | None
    replied_by: str
    result: str
    handler_name: str = ""  # full names, in lists
    replied_by_name: str = ""
    # the closed loop (domain.complaints)
    severity: int = 1
    status: str = "open"
    cause: str = ""
    cause_text: str = ""
    reopened: int = 0
    closed_at: datetime | None = None

    @property
    def on_time(self) -> bool | None:
        return None if self.replied_at is None else self.replied_at <= self.promised_at

    @property
    def number(self) -> str:
        return complaint_rules.number(self.id)


def complaint_view(row: Complaint, names: Mapping[str, str] | None = None) -> ComplaintView:
    return ComplaintView(row.id, row.__data__.get("visit"), row.received_at, row.category, row.name,
                         row.contact, row.description, row.handler, row.promised_at,
                         row.replied_at, row.replied_by, row.result, _full(names, row.handler),
                         _full(names, row.replied_by), row.severity, row.status, row.cause,
                         row.cause_text, row.reopened, row.closed_at)


@dataclass(frozen=True)
class VisitFilter(LookupFilter):
    channel: Channel | None = None
    open_only: bool = False
    escalated_only: bool = False
    since: date | None = None  # local calendar days, inclusive
    until: date | None = None
    text: str = ""


@dataclass(frozen=True)
class StatRow:
    category: str
    label: str
    total: int
    replied: int
    on_time: int
    open: int
    average_hours: float | None


@dataclass(frozen=True)
class ComplaintStats:
    year: int
    month: int
    rows: list[StatRow] = field(default_factory=list)
    total: StatRow | None = None

    def header(self) -> list[str]:
        return [_("Category"), _("Complaints"), _("Replied"), _("Replied on time"), _("Open"),
                _("Average hours to reply"), _("Share")]

    def table(self) -> list[list[Any]]:
        grand = self.total.total if self.total and self.total.total else 0
        out = []
        for row in [*self.rows, *([self.total] if self.total else [])]:
            share = f"{100 * row.total / grand:.1f}%" if grand else "—"
            hours = "—" if row.average_hours is None else f"{row.average_hours:.1f}"
            out.append([row.label, row.total, row.replied, row.on_time, row.open, hours, share])
        return out


def month_range(year: int, month: int) -> tuple[datetime, datetime]:
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise ValidationError(_("Give a month as YYYY-MM, from 2000-01 to 2999-12."),
                              field="month")
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return local_day_start(first), local_day_start(following)


@dataclass(frozen=True)
class CallBackFilter:
    pending_only: bool = False
    since: date | None = None  # local calendar days of the due time, inclusive
    until: date | None = None


@dataclass(frozen=True)
class ComplaintFilter:
    since: date | None = None  # local calendar days of receipt, inclusive
    until: date | None = None
    open_only: bool = False
    status: str = ""  # one state of domain.complaints.Status, or all


CALLBACK_STATUS = {"scheduled": N_("Scheduled"), "done": N_("Done"),
                   "unreachable": N_("Not reached")}


def callback_status_text(status: str) -> str:
    return _(CALLBACK_STATUS[status]) if status in CALLBACK_STATUS else status


def satisfaction_text(key: str) -> str:
    return _(rules.SATISFACTION[key]) if key in rules.SATISFACTION else ""
