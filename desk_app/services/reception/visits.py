"""The visitor and call log (R14): each visitor or call with its response timers, timeouts
recorded and severe ones escalated to the supervisor. Every change is one transaction with one
audit entry (R16); every time comes from the standard clock (R8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.errors import Conflict, ValidationError
from desk_app.domain.reception import Channel, Level, Targets
from desk_app.domain.timeouts import RequestType, Urgency, parse_choice
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception.base import ReceptionBase, visit_query
from desk_app.services.reception.views import VisitFilter, VisitView, staff_names, visit_view
from desk_app.store.reception import Visit

# A log entry's timers stop in this order: first answer, resolution, time out.
_TIMERS = ("answered_at", "resolved_at", "ended_at")
_KINDS = ("request_type", "urgency")


def _request_kind(**values: str | None) -> dict[str, str]:
    """What is asked and how urgently (002), checked: they set the reply targets."""
    kinds = {"request_type": (RequestType, _("The request type")),
             "urgency": (Urgency, _("The urgency"))}
    return {key: parse_choice(kinds[key][0], value, key, kinds[key][1])
            for key, value in values.items() if value is not None}


class VisitService(ReceptionBase):
    def open_visit(self, actor: Actor, channel: str | Channel, name: str = "",
                   contact: str = "", company: str = "", request: str = "",
                   caller_title: str = "", handler: str | None = None,
                   confirm_phrases: bool = False, request_type: str = "enquiry",
                   urgency: str = "normal") -> VisitView:
        """A visitor arrives or the phone rings (or we call out): the timers start now."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        fields = self._visit_fields(name=name, contact=contact, company=company,
                                    request=request, caller_title=caller_title)
        kinds = _request_kind(request_type=request_type, urgency=urgency)
        kind = rules.parse_channel(str(channel))
        self._check_someone(kind, fields)
        fields["name"], fields["caller_title"] = rules.split_title(fields["name"],
                                                                   fields["caller_title"])
        self._notes(confirm_phrases, request=fields["request"])
        with self.write() as tx:
            row = Visit.create(channel=kind.value, handler=handler or actor.name,
                               arrived_at=tx.at, created_by=actor.name, **fields, **kinds)
            tx.audit(actor, "visit.open", "visit", row.id,
                     after={"channel": kind.value, **fields, **kinds})
        return visit_view(row)

    @staticmethod
    def _check_someone(kind: Channel, fields: dict[str, str]) -> None:
        """A visitor's entry says who came or what for; a call out says whom we call. Only
        the ringing phone starts with nothing filled in (its details follow with F8)."""
        if kind is Channel.VISIT and not any(fields[key] for key in
                                             ("name", "contact", "company", "request")):
            raise ValidationError(_("Write the visitor's name, company or request: an "
                                    "empty arrival is not logged."), field="name")
        if kind is Channel.PHONE_OUT and not (fields["name"] or fields["contact"]):
            raise ValidationError(_("Write whom you are calling: a name or a number."),
                                  field="name")

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
                                 "caller_title", *_KINDS}
        if unknown:
            raise ValidationError(_("Unknown field {name}.").format(name=", ".join(unknown)))
        fields: dict[str, str] = {
            **self._visit_fields(**{k: v for k, v in values.items() if k not in _KINDS}),
            **_request_kind(**{k: v for k, v in values.items() if k in _KINDS})}
        self._notes(confirm_phrases, **{k: v for k, v in fields.items()
                                        if k in ("request", "result")})
        with self.write() as tx:
            row = self._visit(visit_id)
            if "name" in fields or "caller_title" in fields:  # 李女士 with 女士: name 李
                fields["name"], fields["caller_title"] = rules.split_title(
                    fields.get("name", row.name), fields.get("caller_title", row.caller_title))
            before = {key: getattr(row, key) for key in fields}
            changed = {key: value for key, value in fields.items() if before[key] != value}
            if not changed:  # nothing happened: nothing is recorded
                tx.unchanged()
                return visit_view(row)
            for key, value in changed.items():
                setattr(row, key, value)
            row.save()
            tx.audit(actor, "visit.edit", "visit", row.id,
                     before={k: before[k] for k in changed}, after=changed)
        return visit_view(row)

    def _apply_level(self, row: Visit, at: datetime, targets: Targets) -> dict[str, Any]:
        """Raise the stored timeout level to what the timers show; escalate a severe one."""
        status = visit_view(row).status(at, targets)
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
        return self._stop_timers(actor, visit_id, "answered_at", None, "visit.answer",
                                 _("Log entry {id} was already answered."),
                                 lambda row: {"answered": True})

    def resolve(self, actor: Actor, visit_id: int, result: str = "",
                confirm_phrases: bool = False) -> VisitView:
        """The request is answered or solved: the reply timer stops."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        result = self._visit_fields(result=result)["result"]
        self._notes(confirm_phrases, result=result)
        return self._stop_timers(actor, visit_id, "resolved_at", result, "visit.resolve",
                                 _("Log entry {id} was already resolved."),
                                 lambda row: {"result": row.result})

    def close_visit(self, actor: Actor, visit_id: int, result: str | None = None,
                    confirm_phrases: bool = False) -> VisitView:
        """Time out: the visitor leaves or the call ends (resolving it if not yet done)."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        fields = self._visit_fields(result=result)
        self._notes(confirm_phrases, **fields)
        return self._stop_timers(actor, visit_id, "ended_at", fields.get("result"), "visit.close",
                                 _("Log entry {id} is already closed."),
                                 lambda row: {"result": row.result})

    def _stop_timers(self, actor: Actor, visit_id: int, stop: str, result: str | None,
                     action: str, already: str,
                     audited: Callable[[Visit], dict[str, Any]]) -> VisitView:
        """Set ``stop`` (answered_at, resolved_at or ended_at) to now, and the earlier of
        these still unset too (a call closed unanswered was answered and resolved when it
        ended); Conflict saying ``already`` (with {id}) if ``stop`` is set. A ``result``
        replaces the stored one; ``audited`` says what the audit entry records."""
        targets = self.targets()
        with self.write() as tx:
            row = self._visit(visit_id)
            if getattr(row, stop) is not None:
                raise Conflict(already.format(id=visit_id))
            for name in _TIMERS[:_TIMERS.index(stop) + 1]:
                if getattr(row, name) is None:
                    setattr(row, name, tx.at)
            if result:
                row.result = result
            extra = self._apply_level(row, tx.at, targets)
            row.save()
            tx.audit(actor, action, "visit", row.id, after={**audited(row), **extra})
        return visit_view(row)

    def sweep_timeouts(self, actor: Actor) -> list[VisitView]:
        """Record the timeout level of every running entry; returns those newly escalated."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        targets = self.targets()
        now = self.now()
        due = []
        for row in Visit.select().where(Visit.resolved_at.is_null()):
            status = visit_view(row).status(now, targets)
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
                        escalated.append(visit_view(row))
            if not changes:
                tx.unchanged()
                return []
            tx.audit(actor, "visit.timeouts", "visit", None, after=changes)
        return escalated

    def get_visit(self, actor: Actor, visit_id: int) -> VisitView:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        return visit_view(self._visit(visit_id))

    def count_visits(self, actor: Actor, flt: VisitFilter | None = None) -> int:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        return visit_query(flt or VisitFilter()).count()

    def visits(self, actor: Actor, flt: VisitFilter | None = None, offset: int = 0,
               limit: int = 200) -> list[VisitView]:
        """Newest first."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = (visit_query(flt or VisitFilter())
                 .order_by(Visit.arrived_at.desc(), Visit.id.desc()).offset(offset).limit(limit))
        names = staff_names()
        return [visit_view(row, names) for row in query]

    def active(self, actor: Actor) -> list[VisitView]:
        """Entries still open (visitors on site, calls in progress), oldest first."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = Visit.select().where(Visit.ended_at.is_null()).order_by(Visit.arrived_at)
        names = staff_names()
        return [visit_view(row, names) for row in query]

    def current_visitors(self, actor: Actor) -> list[VisitView]:
        """Who is on site now."""
        return [v for v in self.active(actor) if v.channel is Channel.VISIT]

    def escalations(self, actor: Actor) -> list[VisitView]:
        """Severe timeouts waiting for the supervisor's review."""
        return self.visits(actor, VisitFilter(escalated_only=True), 0, 1000)
