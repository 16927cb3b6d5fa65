"""Reception (R13, R14): the script library, the visitor and call log with response timers,
call-backs and complaints, and their forms and exports.

Over 500 lines because it still holds several rooms; issue 10 splits it by concern (scripts,
visits, call-backs, complaints) and moves its exports onto the one output pipeline.

Every change is one transaction with one audit entry (R16); every time comes from the standard
clock (R8). Default scripts ship in ``resources/scripts/<lang>.json`` and are copied into the
database (as version 1, by "system") the first time the library is used.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import peewee

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.clock import format_clock, format_datetime, local_day_range, local_day_start, to_local
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.reception import (
    LANGS,
    Channel,
    Finding,
    ForbiddenPhrase,
    Level,
    Targets,
    TimerStatus,
)
from desk_app.domain.roles import role_label
from desk_app.domain.text import clean_lookups
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.resources import resource_path
from desk_app.services import output
from desk_app.services.base import Service
from desk_app.services.exports import (
    ExportResult,
    check_target,
    exporter_text,
    period_text,
    write_failed,
)
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store import audit_chain
from desk_app.store.models import User
from desk_app.store.reception import CallBack, Complaint, ScriptVersion, Visit

_KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


# ------------------------------------------------------------------------------ shipped data


@functools.cache
def default_library(lang: str) -> dict[str, Any]:
    """The shipped scripts and forbidden phrases of one language."""
    with resource_path("scripts", f"{lang}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def forbidden_phrases() -> tuple[ForbiddenPhrase, ...]:
    return tuple(
        ForbiddenPhrase(item["phrase"], item["suggestion"], lang, tuple(item.get("allowed", ())))
        for lang in LANGS for item in default_library(lang).get("forbidden", ())
    )


@functools.cache
def chinese_fold() -> Callable[[str], str]:
    """Traditional → Simplified with OpenCC when it is installed, else the built-in table."""
    try:
        import opencc

        converter = opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - opencc missing or broken
        return rules.builtin_fold

    def fold(text: str) -> str:
        return rules.builtin_fold(converter.convert(text))

    return fold


def check_text(text: str, lang: str = "") -> list[Finding]:
    """Forbidden phrases in ``text`` (any language), suggestions preferably in ``lang``."""
    return rules.find_forbidden(text or "", forbidden_phrases(), chinese_fold(), prefer_lang=lang)


class ForbiddenPhraseFound(ValidationError):
    def __init__(self, findings: Sequence[Finding], field_name: str) -> None:
        lines = [_("“{found}” is on the list of phrases not to use. Say instead: {suggestion}")
                 .format(found=f.found, suggestion=f.suggestion) for f in findings]
        super().__init__("\n".join(lines), field=field_name)
        self.findings = list(findings)


# ------------------------------------------------------------------------------ views


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


def _script_view(row: ScriptVersion) -> ScriptView:
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

    @property
    def open(self) -> bool:
        return self.ended_at is None

    def status(self, now: datetime, targets: Targets) -> TimerStatus:
        return rules.timer_status(self.arrived_at, self.answered_at, self.resolved_at, now,
                                  targets, answer_timed=self.channel is not Channel.PHONE_OUT)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "channel": self.channel.value, "name": self.name,
                "title": self.caller_title, "contact": self.contact, "company": self.company,
                "request": self.request, "result": self.result, "handler": self.handler,
                "time_in": self.arrived_at, "answered": self.answered_at,
                "resolved": self.resolved_at, "time_out": self.ended_at,
                "timeout_level": self.timeout_level.name.lower(),
                "escalated": self.escalated_at, "reviewed_by": self.reviewed_by or None}


def _visit_view(row: Visit) -> VisitView:
    return VisitView(row.id, Channel(row.channel), row.name, row.caller_title, row.contact,
                     row.company, row.request, row.result, row.handler, row.arrived_at,
                     row.answered_at, row.resolved_at, row.ended_at, Level(row.timeout_level),
                     row.escalated_at, row.reviewed_by, row.reviewed_at, row.review_note)


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


def _callback_view(row: CallBack) -> CallBackView:
    return CallBackView(row.id, row.__data__.get("visit"), row.name, row.caller_title, row.contact,
                        row.purpose, row.due_at, row.handler, row.status, row.done_at,
                        row.done_by, row.result, row.satisfaction, row.created_at, row.created_by)


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

    @property
    def on_time(self) -> bool | None:
        return None if self.replied_at is None else self.replied_at <= self.promised_at


def _complaint_view(row: Complaint) -> ComplaintView:
    return ComplaintView(row.id, row.__data__.get("visit"), row.received_at, row.category, row.name,
                         row.contact, row.description, row.handler, row.promised_at,
                         row.replied_at, row.replied_by, row.result)


@dataclass(frozen=True)
class VisitFilter:
    channel: Channel | None = None
    open_only: bool = False
    escalated_only: bool = False
    since: date | None = None  # local calendar days, inclusive
    until: date | None = None
    text: str = ""

    def __post_init__(self) -> None:
        clean_lookups(self)


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
        raise ValidationError(_("Give a month as YYYY-MM."), field="month")
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return local_day_start(first), local_day_start(following)


_time_text = format_datetime
_clock_text = format_clock  # time of day only (the entry's date is in its time-in column)


# ------------------------------------------------------------------------------ the service


class ReceptionService(Service):
    settings: SettingsService
    keys: KeyService

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def require_any(actor: Actor, *permissions: str) -> None:
        if not any(actor.can(p) for p in permissions):
            Service.require(actor, permissions[0])

    def targets(self) -> Targets:
        return Targets.from_settings(self.settings.all())

    def now(self) -> datetime:
        return self.ctx.clock.now()

    # ---------------------------------------------------------------- script library

    def on_open(self) -> None:
        """Shipped data belongs with the schema it needs: a new database, or an update that
        ships new scripts, gets them when a desk opens it (a cheap check otherwise)."""
        if "script_version" in self.ctx.db.get_tables():  # (a test may stop at an old schema)
            self.ensure_scripts()

    def ensure_scripts(self) -> int:
        """Copy shipped scripts missing from the database. Runs when a database is opened,
        after its migrations (desk.Desk.open): a new database, or an update that ships new
        scripts, gets them then — reading the library never writes."""
        have = {(row.key, row.lang) for row in
                ScriptVersion.select(ScriptVersion.key, ScriptVersion.lang).distinct()}
        missing = [(lang, item) for lang in LANGS for item in default_library(lang)["scripts"]
                   if (item["key"], lang) not in have]
        if not missing:
            return 0
        try:
            with self.write() as tx:
                ScriptVersion.insert_many([
                    {"key": item["key"], "lang": lang, "version": 1,
                     "situation": item["situation"], "title": item.get("title", ""),
                     "text": item["text"], "created_at": tx.at, "created_by": "system"}
                    for lang, item in missing]).execute()
                tx.audit("system", "script.seed", "script", None,
                         after={"count": len(missing),
                                "languages": sorted({lang for lang, _item in missing})})
        except peewee.IntegrityError:
            return 0  # another desk seeded at the same moment
        return len(missing)

    def _current_rows(self, lang: str | None = None) -> list[ScriptVersion]:
        latest = (ScriptVersion.select(ScriptVersion.key, ScriptVersion.lang,
                                       peewee.fn.MAX(ScriptVersion.version).alias("top"))
                  .group_by(ScriptVersion.key, ScriptVersion.lang))
        if lang:
            latest = latest.where(ScriptVersion.lang == lang)
        sub = latest.alias("latest")
        query = (ScriptVersion.select()
                 .join(sub, on=((ScriptVersion.key == sub.c.key)
                                & (ScriptVersion.lang == sub.c.lang)
                                & (ScriptVersion.version == sub.c.top)))
                 .order_by(ScriptVersion.key, ScriptVersion.lang))
        return list(query)

    def scripts(self, actor: Actor, lang: str | None = None) -> list[ScriptView]:
        """The current version of every script, ordered by situation, then key."""
        self.require_any(actor, ReceptionPermission.RECEPTION_VIEW, ReceptionPermission.SCRIPTS_EDIT)
        if lang is not None:
            self._check_lang(lang)
        order = {s.key: n for n, s in enumerate(rules.SITUATIONS)}
        views = [_script_view(row) for row in self._current_rows(lang)]
        return sorted(views, key=lambda v: (LANGS.index(v.lang) if v.lang in LANGS else 9,
                                            order.get(v.situation, 999), v.key))

    def script(self, actor: Actor, key: str, lang: str) -> ScriptView:
        self.require_any(actor, ReceptionPermission.RECEPTION_VIEW, ReceptionPermission.SCRIPTS_EDIT)
        self._check_lang(lang)
        row = self._latest(key, lang)
        if row is None:
            raise NotFound(_("No script {key} in {lang}.").format(key=key, lang=lang))
        return _script_view(row)

    def history(self, actor: Actor, key: str, lang: str) -> list[ScriptView]:
        """Every version of a script, newest first (who changed what, and when)."""
        self.require_any(actor, ReceptionPermission.RECEPTION_VIEW, ReceptionPermission.SCRIPTS_EDIT)
        rows = (ScriptVersion.select()
                .where((ScriptVersion.key == key) & (ScriptVersion.lang == lang))
                .order_by(ScriptVersion.version.desc()))
        return [_script_view(row) for row in rows]

    @staticmethod
    def _latest(key: str, lang: str) -> ScriptVersion | None:
        return (ScriptVersion.select()
                .where((ScriptVersion.key == key) & (ScriptVersion.lang == lang))
                .order_by(ScriptVersion.version.desc()).first())

    @staticmethod
    def _check_lang(lang: str) -> None:
        if lang not in LANGS:
            raise ValidationError(_("Unknown language {lang}: use {choices}.").format(
                lang=lang, choices=", ".join(LANGS)), field="lang")

    def save_script(self, actor: Actor, key: str, lang: str, text: str,
                    title: str | None = None, situation: str | None = None) -> ScriptView:
        """A new version of a script (or a new script). Old versions stay."""
        self.require(actor, ReceptionPermission.SCRIPTS_EDIT)
        self._check_lang(lang)
        key = (key or "").strip()
        if not _KEY.match(key) or len(key) > 64:
            raise ValidationError(_("A script key looks like visitor.greet: letters a-z, digits "
                                    "and _, one dot."), field="key")
        text = rules.check_script_text(text)
        findings = check_text(text, lang)
        if findings:
            raise ForbiddenPhraseFound(findings, "text")
        current = self._latest(key, lang)
        situation = situation or (current.situation if current else None)
        if situation not in rules.SITUATION_BY_KEY:
            raise ValidationError(_("Choose the situation of the script."), field="situation")
        title = rules.text_field(title if title is not None else (current.title if current else ""),
                                 "title", _("The title"), 120)
        if current and (current.text, current.title, current.situation) == (text, title,
                                                                            situation):
            return _script_view(current)
        version = current.version + 1 if current else 1
        try:
            with self.write() as tx:
                row = ScriptVersion.create(key=key, lang=lang, version=version,
                                           situation=situation, title=title, text=text,
                                           created_at=tx.at, created_by=actor.name)
                tx.audit(actor, "script.edit", "script", f"{key}/{lang}",
                         before={"version": current.version, "text": current.text,
                                 "title": current.title} if current else None,
                         after={"version": version, "text": text, "title": title})
        except peewee.IntegrityError:
            raise Conflict(_("Someone else changed this script just now; reload it and try "
                             "again.")) from None
        return _script_view(row)

    def automatic_values(self, actor: Actor, lang: str) -> dict[str, str]:
        """Values the desk fills itself: company, agent (the signed-in user), time greeting."""
        self.require_any(actor, ReceptionPermission.RECEPTION_VIEW, ReceptionPermission.SCRIPTS_EDIT)
        user = User.get_or_none(User.id == actor.user_id) if actor.user_id else None
        agent = (user.full_name if user and user.full_name else actor.name)
        return {"company": str(self.settings.value("company_name")),
                "agent": agent,
                "time_greeting": rules.time_greeting(to_local(self.now()), lang)}

    def render(self, actor: Actor, key: str, lang: str,
               values: dict[str, str] | None = None) -> str:
        """The script's text with placeholders filled; MissingValues names what is missing."""
        view = self.script(actor, key, lang)
        merged = {**self.automatic_values(actor, lang),
                  **{k: v for k, v in (values or {}).items() if v}}
        return rules.render(view.text, merged)

    # ---------------------------------------------------------------- visitor and call log

    def _notes(self, confirm: bool, **texts: str) -> None:
        if confirm:
            return
        for name, text in texts.items():
            findings = check_text(text)
            if findings:
                raise ForbiddenPhraseFound(findings, name)

    def _visit(self, visit_id: int) -> Visit:
        row = self.locked(Visit.select().where(Visit.id == visit_id)).first()
        if row is None:
            raise NotFound(_("No log entry {id}.").format(id=visit_id))
        return row

    def open_visit(self, actor: Actor, channel: str | Channel, name: str = "",
                   contact: str = "", company: str = "", request: str = "",
                   caller_title: str = "", handler: str | None = None,
                   confirm_phrases: bool = False) -> VisitView:
        """A visitor arrives or the phone rings (or we call out): the timers start now."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        fields = self._visit_fields(name=name, contact=contact, company=company,
                                    request=request, caller_title=caller_title)
        kind = rules.parse_channel(str(channel))
        self._notes(confirm_phrases, request=fields["request"])
        with self.write() as tx:
            row = Visit.create(channel=kind.value, handler=handler or actor.name,
                               arrived_at=tx.at, created_by=actor.name, **fields)
            tx.audit(actor, "visit.open", "visit", row.id,
                     after={"channel": kind.value, **fields})
        return _visit_view(row)

    @staticmethod
    def _visit_fields(**values: str | None) -> dict[str, str]:
        limits = {"name": (_("The name"), 64), "contact": (_("The contact"), 64),
                  "company": (_("The company"), 120), "request": (_("The request"), 4000),
                  "result": (_("The result"), 4000), "caller_title": (_("The title"), 16)}
        return {key: rules.text_field(value, key, *limits[key]) for key, value in values.items()
                if value is not None}

    def update_visit(self, actor: Actor, visit_id: int, confirm_phrases: bool = False,
                     **values: str | None) -> VisitView:
        """Correct or complete the details of an entry (name, contact, request, result…)."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        unknown = set(values) - {"name", "contact", "company", "request", "result",
                                 "caller_title"}
        if unknown:
            raise ValidationError(_("Unknown field {name}.").format(name=", ".join(unknown)))
        fields = self._visit_fields(**values)
        self._notes(confirm_phrases, **{k: v for k, v in fields.items()
                                        if k in ("request", "result")})
        with self.write() as tx:
            row = self._visit(visit_id)
            before = {key: getattr(row, key) for key in fields}
            changed = {key: value for key, value in fields.items() if before[key] != value}
            if not changed:  # nothing happened: nothing is recorded
                tx.unchanged()
                return _visit_view(row)
            for key, value in changed.items():
                setattr(row, key, value)
            row.save()
            tx.audit(actor, "visit.edit", "visit", row.id,
                     before={k: before[k] for k in changed}, after=changed)
        return _visit_view(row)

    def _apply_level(self, row: Visit, at: datetime, targets: Targets) -> dict[str, Any]:
        """Raise the stored timeout level to what the timers show; escalate a severe one."""
        status = _visit_view(row).status(at, targets)
        out: dict[str, Any] = {}
        if status.level > row.timeout_level:
            row.timeout_level = int(status.level)
            out["timeout_level"] = status.level.name.lower()
        if status.level is Level.SEVERE and row.escalated_at is None:
            row.escalated_at = at
            out["escalated"] = True
        return out

    def answer(self, actor: Actor, visit_id: int) -> VisitView:
        """The first answer: greeting the visitor or picking up the phone."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        targets = self.targets()
        with self.write() as tx:
            row = self._visit(visit_id)
            if row.answered_at is not None:
                raise Conflict(_("Log entry {id} was already answered.").format(id=visit_id))
            row.answered_at = tx.at
            extra = self._apply_level(row, tx.at, targets)
            row.save()
            tx.audit(actor, "visit.answer", "visit", row.id, after={"answered": True, **extra})
        return _visit_view(row)

    def resolve(self, actor: Actor, visit_id: int, result: str = "",
                confirm_phrases: bool = False) -> VisitView:
        """The request is answered or solved: the reply timer stops."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        result = self._visit_fields(result=result)["result"]
        self._notes(confirm_phrases, result=result)
        targets = self.targets()
        with self.write() as tx:
            row = self._visit(visit_id)
            if row.resolved_at is not None:
                raise Conflict(_("Log entry {id} was already resolved.").format(id=visit_id))
            row.answered_at = row.answered_at or tx.at
            row.resolved_at = tx.at
            if result:
                row.result = result
            extra = self._apply_level(row, tx.at, targets)
            row.save()
            tx.audit(actor, "visit.resolve", "visit", row.id, after={"result": row.result,
                                                                    **extra})
        return _visit_view(row)

    def close_visit(self, actor: Actor, visit_id: int, result: str | None = None,
                    confirm_phrases: bool = False) -> VisitView:
        """Time out: the visitor leaves or the call ends (resolving it if not yet done)."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        fields = self._visit_fields(result=result)
        self._notes(confirm_phrases, **fields)
        targets = self.targets()
        with self.write() as tx:
            row = self._visit(visit_id)
            if row.ended_at is not None:
                raise Conflict(_("Log entry {id} is already closed.").format(id=visit_id))
            row.answered_at = row.answered_at or tx.at
            row.resolved_at = row.resolved_at or tx.at
            row.ended_at = tx.at
            if fields.get("result"):
                row.result = fields["result"]
            extra = self._apply_level(row, tx.at, targets)
            row.save()
            tx.audit(actor, "visit.close", "visit", row.id, after={"result": row.result,
                                                                  **extra})
        return _visit_view(row)

    def sweep_timeouts(self, actor: Actor) -> list[VisitView]:
        """Record the timeout level of every running entry; returns those newly escalated."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        targets = self.targets()
        now = self.now()
        due = []
        for row in Visit.select().where(Visit.resolved_at.is_null()):
            status = _visit_view(row).status(now, targets)
            if status.level > row.timeout_level or (status.level is Level.SEVERE
                                                    and row.escalated_at is None):
                due.append(row.id)
        if not due:
            return []
        escalated: list[VisitView] = []
        with self.write() as tx:
            changes: dict[str, Any] = {}
            # Locked and judged again: another desk's sweep may have recorded them already.
            for row in self.locked(Visit.select().where(Visit.id.in_(due)).order_by(Visit.id)):
                extra = self._apply_level(row, tx.at, targets)
                if extra:
                    row.save()
                    changes[str(row.id)] = extra
                    if extra.get("escalated"):
                        escalated.append(_visit_view(row))
            if not changes:
                tx.unchanged()
                return []
            tx.audit(actor, "visit.timeouts", "visit", None, after=changes)
        return escalated

    def review(self, actor: Actor, visit_id: int, note: str) -> VisitView:
        """The supervisor reviews an escalated (severe) timeout."""
        self.require(actor, ReceptionPermission.RECEPTION_SUPERVISE)
        note = rules.text_field(note, "note", _("The note"), 2000)
        if not note:
            raise ValidationError(_("Write what was done about the timeout."), field="note")
        with self.write() as tx:
            row = self._visit(visit_id)
            if row.escalated_at is None:
                raise Conflict(_("Log entry {id} was not escalated.").format(id=visit_id))
            if row.reviewed_at is not None:
                raise Conflict(_("Log entry {id} was already reviewed.").format(id=visit_id))
            row.reviewed_by, row.reviewed_at, row.review_note = actor.name, tx.at, note
            row.save()
            tx.audit(actor, "visit.review", "visit", row.id, after={"note": note})
        return _visit_view(row)

    def get_visit(self, actor: Actor, visit_id: int) -> VisitView:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        return _visit_view(self._visit(visit_id))

    def _visit_query(self, flt: VisitFilter):
        query = Visit.select()
        if flt.channel:
            query = query.where(Visit.channel == flt.channel.value)
        if flt.open_only:
            query = query.where(Visit.ended_at.is_null())
        if flt.escalated_only:
            query = query.where(Visit.escalated_at.is_null(False) & Visit.reviewed_at.is_null())
        if flt.since:
            query = query.where(Visit.arrived_at >= local_day_start(flt.since))
        if flt.until:
            query = query.where(Visit.arrived_at < local_day_start(flt.until + timedelta(days=1)))
        text = flt.text.strip()
        if text:
            like = f"%{text}%"
            query = query.where(Visit.name ** like | Visit.contact ** like
                                | Visit.company ** like | Visit.request ** like)
        return query

    def count_visits(self, actor: Actor, flt: VisitFilter | None = None) -> int:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        return self._visit_query(flt or VisitFilter()).count()

    def visits(self, actor: Actor, flt: VisitFilter | None = None, offset: int = 0,
               limit: int = 200) -> list[VisitView]:
        """Newest first."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = (self._visit_query(flt or VisitFilter())
                 .order_by(Visit.arrived_at.desc(), Visit.id.desc()).offset(offset).limit(limit))
        return [_visit_view(row) for row in query]

    def active(self, actor: Actor) -> list[VisitView]:
        """Entries still open (visitors on site, calls in progress), oldest first."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = Visit.select().where(Visit.ended_at.is_null()).order_by(Visit.arrived_at)
        return [_visit_view(row) for row in query]

    def current_visitors(self, actor: Actor) -> list[VisitView]:
        """Who is on site now."""
        return [v for v in self.active(actor) if v.channel is Channel.VISIT]

    def escalations(self, actor: Actor) -> list[VisitView]:
        """Severe timeouts waiting for the supervisor's review."""
        return self.visits(actor, VisitFilter(escalated_only=True), 0, 1000)

    # ---------------------------------------------------------------- call-backs

    def schedule_callback(self, actor: Actor, contact: str, purpose: str, due_at: datetime,
                          name: str = "", caller_title: str = "", visit_id: int | None = None,
                          handler: str | None = None) -> CallBackView:
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        contact = rules.text_field(contact, "contact", _("The contact"), 64)
        purpose = rules.text_field(purpose, "purpose", _("The purpose"), 2000)
        if not contact:
            raise ValidationError(_("Give a phone number or other contact."), field="contact")
        if not purpose:
            raise ValidationError(_("Say what the call-back is about."), field="purpose")
        name = rules.text_field(name, "name", _("The name"), 64)
        caller_title = rules.text_field(caller_title, "caller_title", _("The title"), 16)
        with self.write() as tx:
            if due_at < tx.at - timedelta(minutes=5):
                raise ValidationError(_("The call-back time is in the past."), field="due_at")
            if visit_id is not None:
                self._visit(visit_id)
            row = CallBack.create(visit=visit_id, name=name, caller_title=caller_title,
                                  contact=contact, purpose=purpose, due_at=due_at,
                                  handler=handler or actor.name, created_at=tx.at,
                                  created_by=actor.name)
            tx.audit(actor, "callback.schedule", "call_back", row.id,
                     after={"contact": contact, "purpose": purpose, "due": due_at.isoformat(),
                            "visit": visit_id})
        return _callback_view(row)

    def record_callback(self, actor: Actor, callback_id: int, result: str,
                        satisfaction: str, confirm_phrases: bool = False) -> CallBackView:
        """The call-back was made (or the customer could not be reached)."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        if satisfaction not in rules.SATISFACTION:
            raise ValidationError(_("Choose how satisfied the customer was."),
                                  field="satisfaction")
        result = rules.text_field(result, "result", _("The result"), 4000)
        if not result:
            raise ValidationError(_("Write down the result of the call-back."), field="result")
        self._notes(confirm_phrases, result=result)
        with self.write() as tx:
            row = self.locked(CallBack.select().where(CallBack.id == callback_id)).first()
            if row is None:
                raise NotFound(_("No call-back {id}.").format(id=callback_id))
            if row.status != "scheduled":
                raise Conflict(_("Call-back {id} was already recorded.").format(id=callback_id))
            row.status = "unreachable" if satisfaction == "unreachable" else "done"
            row.done_at, row.done_by = tx.at, actor.name
            row.result, row.satisfaction = result, satisfaction
            row.save()
            tx.audit(actor, "callback.record", "call_back", row.id,
                     after={"status": row.status, "satisfaction": satisfaction,
                            "result": result})
        return _callback_view(row)

    def callbacks(self, actor: Actor, pending_only: bool = False) -> list[CallBackView]:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = CallBack.select()
        if pending_only:
            query = query.where(CallBack.status == "scheduled").order_by(CallBack.due_at)
        else:
            query = query.order_by(CallBack.due_at.desc())
        return [_callback_view(row) for row in query.limit(2000)]

    def callback_form(self, actor: Actor, callback_id: int, password: str | None = None,
                      handwriting_png: bytes | None = None) -> bytes:
        """The call-back record form (回访记录表) as a PDF, signed by the actor if a password
        is given (else with an empty signature box for a pen)."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        row = CallBack.get_or_none(CallBack.id == callback_id)
        if row is None:
            raise NotFound(_("No call-back {id}.").format(id=callback_id))
        view = _callback_view(row)
        from desk_app.forms.spec import SignatureSlot

        spec = self._spec(_("Call-back record"), f"CB-{view.id:06d}")
        origin = ""
        if view.visit_id:
            visit = _visit_view(self._visit(view.visit_id))
            channel = _(rules.CHANNEL_LABELS[visit.channel])
            origin = f"{channel} {_time_text(visit.arrived_at)} {visit.request}"
        spec.key_values([
            (_("Customer"), f"{view.name}{view.caller_title}"),
            (_("Contact"), view.contact),
            (_("Scheduled for"), _time_text(view.due_at)),
            (_("Handler"), view.handler),
            (_("Scheduled by"), f"{view.created_by}  {_time_text(view.created_at)}"),
            (_("Origin"), origin or "—"),
        ])
        spec.heading(_("Purpose of the call-back"))
        spec.paragraph(view.purpose)
        spec.heading(_("Result"))
        status = {"scheduled": _("Not yet called"), "done": _("Done"),
                  "unreachable": _("Customer not reached")}.get(view.status, view.status)
        spec.key_values([
            (_("Status"), status),
            (_("Called at"), _time_text(view.done_at) or "—"),
            (_("Called by"), view.done_by or "—"),
            (_("Satisfaction"), _(rules.SATISFACTION[view.satisfaction])
             if view.satisfaction in rules.SATISFACTION else "—"),
        ])
        spec.paragraph(view.result or "")
        spec.signatures([SignatureSlot("handler", _("Handled by"))])
        pdf = self._finish_pdf(actor, spec, "handler", password, handwriting_png)
        if password is not None:  # a signature is an action: recorded once it exists
            with self.write() as tx:
                tx.audit(actor, "callback.sign", "call_back", view.id, after={
                    "record": f"CB-{view.id:06d}", "sha256": hashlib.sha256(pdf).hexdigest()})
        return pdf

    # ---------------------------------------------------------------- complaints

    def add_complaint(self, actor: Actor, category: str, description: str, name: str = "",
                      contact: str = "", visit_id: int | None = None,
                      confirm_phrases: bool = False) -> ComplaintView:
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        category = rules.parse_category(category)
        description = rules.text_field(description, "description", _("The description"), 4000)
        if not description:
            raise ValidationError(_("Describe the complaint."), field="description")
        name = rules.text_field(name, "name", _("The name"), 64)
        contact = rules.text_field(contact, "contact", _("The contact"), 64)
        self._notes(confirm_phrases, description=description)
        hours = int(self.settings.value("complaint_reply_hours"))
        with self.write() as tx:
            if visit_id is not None:
                self._visit(visit_id)
            row = Complaint.create(visit=visit_id, received_at=tx.at, category=category,
                                   name=name, contact=contact, description=description,
                                   handler=actor.name, promised_at=tx.at + timedelta(hours=hours),
                                   created_by=actor.name)
            tx.audit(actor, "complaint.add", "complaint", row.id,
                     after={"category": category, "description": description,
                            "visit": visit_id, "promised": row.promised_at.isoformat()})
        return _complaint_view(row)

    def reply_complaint(self, actor: Actor, complaint_id: int, result: str,
                        confirm_phrases: bool = False) -> ComplaintView:
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        result = rules.text_field(result, "result", _("The result"), 4000)
        if not result:
            raise ValidationError(_("Write down the reply given."), field="result")
        self._notes(confirm_phrases, result=result)
        with self.write() as tx:
            row = self.locked(Complaint.select().where(Complaint.id == complaint_id)).first()
            if row is None:
                raise NotFound(_("No complaint {id}.").format(id=complaint_id))
            if row.replied_at is not None:
                raise Conflict(_("Complaint {id} was already replied to.").format(
                    id=complaint_id))
            row.replied_at, row.replied_by, row.result = tx.at, actor.name, result
            row.save()
            tx.audit(actor, "complaint.reply", "complaint", row.id,
                     after={"result": result, "on_time": row.replied_at <= row.promised_at})
        return _complaint_view(row)

    def _complaint_query(self, since: datetime | None, until: datetime | None):
        query = Complaint.select()
        if since:
            query = query.where(Complaint.received_at >= since)
        if until:
            query = query.where(Complaint.received_at < until)
        return query

    def complaints(self, actor: Actor, since: date | None = None, until: date | None = None,
                   open_only: bool = False, offset: int = 0,
                   limit: int = 1000) -> list[ComplaintView]:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = self._complaint_query(*self._days(since, until))
        if open_only:
            query = query.where(Complaint.replied_at.is_null())
        query = query.order_by(Complaint.received_at.desc()).offset(offset).limit(limit)
        return [_complaint_view(row) for row in query]

    def count_complaints(self, actor: Actor, since: date | None = None,
                         until: date | None = None, open_only: bool = False) -> int:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = self._complaint_query(*self._days(since, until))
        if open_only:
            query = query.where(Complaint.replied_at.is_null())
        return query.count()

    @staticmethod
    def _days(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
        if since and until and since > until:
            raise ValidationError(_("The start date is after the end date."), field="from")
        return local_day_range(since, until)

    def complaint_stats(self, actor: Actor, year: int, month: int) -> ComplaintStats:
        """The monthly complaint statistics by category (顾客投诉分类统计表)."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        start, end = month_range(year, month)
        return self._stats(year, month, self._complaint_query(start, end))

    def _stats(self, year: int, month: int, query) -> ComplaintStats:
        buckets: dict[str, list[Complaint]] = {key: [] for key in rules.COMPLAINT_CATEGORIES}
        for row in query:
            buckets.setdefault(row.category, []).append(row)

        def summarise(key: str, label: str, rows: list[Complaint]) -> StatRow:
            replies: list[tuple[datetime, datetime, datetime]] = [
                (r.received_at, r.replied_at, r.promised_at) for r in rows
                if r.replied_at is not None]
            hours = [(replied - received).total_seconds() / 3600
                     for received, replied, _promised in replies]
            on_time = sum(1 for _received, replied, promised in replies if replied <= promised)
            return StatRow(key, label, len(rows), len(replies), on_time, len(rows) - len(replies),
                           sum(hours) / len(hours) if hours else None)

        rows = [summarise(key, rules.category_label(key), items)
                for key, items in buckets.items()]
        everything = [r for items in buckets.values() for r in items]
        return ComplaintStats(year, month, rows, summarise("total", _("Total"), everything))

    # ---------------------------------------------------------------- exports and forms

    def _spec(self, title: str, record_no: str, landscape: bool = False):
        from desk_app.forms.spec import FormSpec

        company = str(self.settings.value("company_name"))
        return FormSpec(company, title, record_no, self.now(), landscape=landscape)

    def _finish_pdf(self, actor: Actor, spec, slot: str, password: str | None,
                    handwriting_png: bytes | None) -> bytes:
        from desk_app.forms import signing
        from desk_app.forms.render import render_form

        rendered = render_form(spec)
        pdf = signing.prepare_fields(rendered.pdf, rendered.slots)
        if password is None:
            return pdf
        role = role_label(sorted(actor.roles)[0]) if actor.roles else ""
        return self.keys.sign_pdf(actor, pdf, slot, password, handwriting_png, role)

    def _export(self, actor: Actor, action: str, out: Path, fmt: str, details: dict[str, Any],
                write: Callable[[Path], int], password: str | None) -> ExportResult:
        """The order of every export (services.output): signing password first, then
        ``FILE.partial``, then the audit entry with the file's hash and the rename."""
        if fmt == "pdf" and password is not None:
            self.keys.check_signing_password(actor, password)
        head_seq, head_hash = audit_chain.head()
        with output.OutputFile(out) as target:
            try:
                rows = write(target.partial)
            except InterruptedError:
                raise  # cancelled (an OSError too, but not a write failure)
            except OSError as error:
                raise write_failed(out, error) from None
            target.publish(self, actor, action, "export", {**details, "format": fmt, "rows": rows})
        return ExportResult(out, rows, head_seq, head_hash)

    def export_visits(self, actor: Actor, since: date | None, until: date | None, fmt: str,
                      out: Path, password: str | None = None,
                      handwriting_png: bytes | None = None, force: bool = False) -> ExportResult:
        """The visitor and call log of a period (CSV, or PDF signed when a password is given)."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        out = check_target(out, fmt, ("pdf", "csv"), force)
        flt = VisitFilter(since=since, until=until)
        self._days(since, until)
        header = [_("No."), _("Channel"), _("Name"), _("Contact"), _("Company"), _("Request"),
                  _("Handler"), _("Time in"), _("Answered"), _("Resolved"), _("Time out"),
                  _("Timeout")]

        def rows() -> Iterable[list[str]]:
            query = self._visit_query(flt).order_by(Visit.arrived_at, Visit.id)
            for row in query.iterator():
                v = _visit_view(row)
                short = _time_text if fmt == "csv" else _clock_text
                yield [str(v.id), _(rules.CHANNEL_LABELS[v.channel]),
                       f"{v.name}{v.caller_title}", v.contact, v.company, v.request, v.handler,
                       _time_text(v.arrived_at), short(v.answered_at),
                       short(v.resolved_at), short(v.ended_at),
                       rules.level_label(v.timeout_level) if v.timeout_level else ""]

        total = self._visit_query(flt).count()

        def write(path: Path) -> int:
            if fmt == "csv":
                with path.open("w", newline="", encoding="utf-8-sig") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(header)
                    writer.writerows(rows())
                return total
            spec = self._spec(_("Visitor and call log"), f"VIS-{audit_chain.head()[0]:08d}",
                              landscape=True)
            spec.key_values([(_("Period"), period_text(since, until)),
                             (_("Entries"), str(total)), (_("Exported by"), exporter_text(actor))])
            spec.rows(header, rows(), col_widths=[4, 6, 8, 10, 9, 20, 7, 12, 6, 6, 6, 11],
                      total=total)
            spec.signatures([("exporter", _("Exported by"))])
            path.write_bytes(self._finish_pdf(actor, spec, "exporter", password,
                                              handwriting_png))
            return total

        return self._export(actor, "export.visits", out, fmt, {
            "from": since.isoformat() if since else None,
            "to": until.isoformat() if until else None}, write, password)

    def export_complaints(self, actor: Actor, since: date | None, until: date | None, fmt: str,
                          out: Path, password: str | None = None,
                          handwriting_png: bytes | None = None, force: bool = False) -> ExportResult:
        """The complaint register of a period; the PDF starts with the counts by category."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        out = check_target(out, fmt, ("pdf", "csv"), force)
        start, end = self._days(since, until)
        header = [_("No."), _("Received"), _("Category"), _("Customer"), _("Contact"),
                  _("Complaint"), _("Handler"), _("Reply promised"), _("Replied"), _("Reply")]
        views = [_complaint_view(r) for r in
                 self._complaint_query(start, end).order_by(Complaint.received_at)]
        rows = [[str(c.id), _time_text(c.received_at), rules.category_label(c.category), c.name,
                 c.contact, c.description, c.handler, _time_text(c.promised_at),
                 _time_text(c.replied_at), c.result] for c in views]

        def write(path: Path) -> int:
            if fmt == "csv":
                with path.open("w", newline="", encoding="utf-8-sig") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(header)
                    writer.writerows(rows)
                return len(rows)
            stats = self._stats(0, 0, self._complaint_query(start, end))
            spec = self._spec(_("Complaint register"), f"CPL-{audit_chain.head()[0]:08d}",
                              landscape=True)
            spec.key_values([(_("Period"), period_text(since, until)),
                             (_("Complaints"), str(len(rows))), (_("Exported by"), exporter_text(actor))])
            spec.heading(_("By category"))
            spec.table(stats.header(), stats.table())
            spec.heading(_("Complaints"))
            spec.table(header, rows, col_widths=[4, 9, 8, 7, 9, 24, 6, 9, 9, 18])
            spec.signatures([("exporter", _("Exported by"))])
            path.write_bytes(self._finish_pdf(actor, spec, "exporter", password,
                                              handwriting_png))
            return len(rows)

        return self._export(actor, "export.complaints", out, fmt, {
            "from": since.isoformat() if since else None,
            "to": until.isoformat() if until else None}, write, password)

    def export_complaint_stats(self, actor: Actor, year: int, month: int, fmt: str, out: Path,
                               password: str | None = None,
                               handwriting_png: bytes | None = None,
                               force: bool = False) -> ExportResult:
        """The monthly complaint statistics table as PDF (signed with a password) or XLSX."""
        stats = self.complaint_stats(actor, year, month)
        out = check_target(out, fmt, ("pdf", "xlsx"), force)
        month_text = f"{year:04d}-{month:02d}"
        title = _("Complaint statistics by category")

        def write(path: Path) -> int:
            if fmt == "xlsx":
                _write_xlsx(path, title, month_text, stats)
                return len(stats.rows)
            spec = self._spec(title, f"CPS-{year:04d}{month:02d}")
            spec.key_values([(_("Month"), month_text),
                             (_("Complaints"), str(stats.total.total if stats.total else 0)),
                             (_("Prepared by"), actor.name)])
            spec.table(stats.header(), stats.table(), col_widths=[22, 10, 10, 12, 8, 14, 9])
            spec.paragraph(_("“Replied on time” counts replies given by the promised time."))
            spec.signatures([("preparer", _("Prepared by")), ("supervisor", _("Supervisor"))])
            path.write_bytes(self._finish_pdf(actor, spec, "preparer", password,
                                              handwriting_png))
            return len(stats.rows)

        return self._export(actor, "export.complaint_stats", out, fmt, {"month": month_text},
                            write, password)


def _write_xlsx(path: Path, title: str, month_text: str, stats: ComplaintStats) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = month_text
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Month"), month_text])
    sheet.append([])
    sheet.append(stats.header())
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in [*stats.rows, *([stats.total] if stats.total else [])]:
        share = row.total / stats.total.total if stats.total and stats.total.total else None
        sheet.append([row.label, row.total, row.replied, row.on_time, row.open,
                      None if row.average_hours is None else round(row.average_hours, 1), share])
        sheet.cell(sheet.max_row, 7).number_format = "0.0%"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (24, 12, 12, 16, 10, 22, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    book.save(path)
