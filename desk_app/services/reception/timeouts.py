"""Timeouts and responsibility (002, issue 18): the supervisor's review of a timed-out log
entry with its cause, the directly responsible person, a supervisor's joint liability,
evidence files (stored with their SHA-256), the measure from the office's table and any
retraining; the appeal of the person held responsible, within the appeal window; its decision
by a supervisor other than the reviewer and the appellant, or by the manager.

Each step is one transaction with one audit entry (R16). Staff see their own record, the
supervisors and the manager everyone's; nothing is deleted (R3).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import peewee

from desk_app.domain import reception as rules
from desk_app.domain import timeouts as policy
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.reception import Level
from desk_app.domain.roles import Role, parse_roles
from desk_app.domain.timeouts import Cause, Measure, Outcome
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception.base import ReceptionBase
from desk_app.services.reception.views import staff_names
from desk_app.store.models import AuditEntry, User
from desk_app.store.reception import TimeoutAppeal, TimeoutEvidence, TimeoutReview, Visit

MAX_EVIDENCE_FILES = 10
P = ReceptionPermission


@dataclass(frozen=True)
class Evidence:
    id: int
    file_name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class TimeoutCase:
    """A timed-out entry with its review and appeal, as the tab, Today and the CLI show it."""

    visit_id: int
    channel: str
    name: str
    request: str
    request_type: str
    urgency: str
    handler: str
    arrived_at: datetime
    level: Level
    review_id: int | None = None
    cause: str = ""
    cause_text: str = ""
    responsible: str = ""
    joint_supervisor: str = ""
    measure: str = ""
    measure_text: str = ""
    retraining: bool = False
    retraining_note: str = ""
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    appeal_until: datetime | None = None
    evidence: tuple[Evidence, ...] = ()
    appellant: str = ""
    appeal_reason: str = ""
    appealed_at: datetime | None = None
    decided_by: str = ""
    decided_at: datetime | None = None
    outcome: str = ""
    decision: str = ""
    measure_after: str = ""
    names: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def full(self, user_name: str) -> str:
        """A user's full name (王芳), or the user name."""
        return self.names.get(user_name, user_name)

    @property
    def state(self) -> str:
        """to_review (a severe timeout, escalated), not_reviewed (a minor or moderate one: a
        supervisor may review it), reviewed, appealed or decided."""
        if self.review_id is None:
            if self.reviewed_at is not None:  # a review note from before schema 21
                return "reviewed"
            return "to_review" if self.level is Level.SEVERE else "not_reviewed"
        if self.appealed_at is None:
            return "reviewed"
        return "appealed" if self.decided_at is None else "decided"

    @property
    def measure_now(self) -> str:
        """The measure that stands: the reviewed one, or the appeal's."""
        return self.measure_after or self.measure

    def appealable(self, now: datetime) -> bool:
        return (self.state == "reviewed" and self.appeal_until is not None
                and now <= self.appeal_until)

    def as_dict(self) -> dict[str, Any]:
        return {"entry": self.visit_id, "channel": self.channel, "name": self.name,
                "request": self.request,
                "request_type": self.request_type, "urgency": self.urgency,
                "handler": self.handler, "time_in": self.arrived_at,
                "level": self.level.name.lower(), "state": self.state, "cause": self.cause,
                "cause_text": self.cause_text, "responsible": self.responsible,
                "joint_supervisor": self.joint_supervisor or None, "measure": self.measure,
                "measure_text": self.measure_text, "retraining": self.retraining,
                "retraining_note": self.retraining_note, "reviewed_by": self.reviewed_by,
                "reviewed_at": self.reviewed_at, "appeal_until": self.appeal_until,
                "evidence": [{"id": e.id, "file": e.file_name, "size": e.size,
                              "sha256": e.sha256} for e in self.evidence],
                "appellant": self.appellant or None, "appeal_reason": self.appeal_reason,
                "appealed_at": self.appealed_at, "decided_by": self.decided_by or None,
                "decided_at": self.decided_at, "outcome": self.outcome or None,
                "decision": self.decision, "measure_now": self.measure_now}


class TimeoutService(ReceptionBase):
    # ------------------------------------------------------------------ reading

    def _sees_all(self, actor: Actor) -> bool:
        return actor.can(P.RECEPTION_SUPERVISE) or actor.can(P.RECEPTION_MANAGE)

    def _query(self, actor: Actor, state: str = "", mine: bool = False) -> Any:
        """Timed-out entries with their review and appeal; anyone but a supervisor or the
        manager sees only those held against them."""
        query = (Visit.select(Visit, TimeoutReview, TimeoutAppeal)
                 .join(TimeoutReview, peewee.JOIN.LEFT_OUTER,
                       on=(TimeoutReview.visit == Visit.id))
                 .join(TimeoutAppeal, peewee.JOIN.LEFT_OUTER,
                       on=(TimeoutAppeal.review == TimeoutReview.id))
                 .where(Visit.timeout_level > 0))
        if mine or not self._sees_all(actor):
            query = query.where((TimeoutReview.responsible == actor.name)
                                | (TimeoutReview.joint_supervisor == actor.name))
        # an entry reviewed before schema 21 kept only a note on the log: it is reviewed
        unreviewed = TimeoutReview.id.is_null() & Visit.reviewed_at.is_null()
        states = {"to_review": unreviewed & (Visit.timeout_level == int(Level.SEVERE)),
                  "not_reviewed": unreviewed & (Visit.timeout_level < int(Level.SEVERE)),
                  "reviewed": (TimeoutReview.id.is_null(False) & TimeoutAppeal.id.is_null())
                  | (TimeoutReview.id.is_null() & Visit.reviewed_at.is_null(False)),
                  "appealed": TimeoutAppeal.id.is_null(False) & TimeoutAppeal.decided_at.is_null(),
                  "decided": TimeoutAppeal.decided_at.is_null(False)}
        if state:
            if state not in states:
                raise ValidationError(_("Unknown state {state}: use {states}.").format(
                    state=state, states=", ".join(states)), field="state")
            query = query.where(states[state])
        return query

    def count_cases(self, actor: Actor, state: str = "", mine: bool = False) -> int:
        self.require(actor, P.RECEPTION_VIEW)
        return self._query(actor, state, mine).count()

    def cases(self, actor: Actor, state: str = "", mine: bool = False, offset: int = 0,
              limit: int = 200) -> list[TimeoutCase]:
        """Timed-out entries, newest first: all of them for supervisors and the manager,
        one's own otherwise (``mine`` for anyone's own)."""
        self.require(actor, P.RECEPTION_VIEW)
        rows: list[Any] = list(self._query(actor, state, mine)
                    .order_by(Visit.arrived_at.desc(), Visit.id.desc())
                    .offset(offset).limit(limit))
        names = staff_names()
        evidence = self._evidence_of([row.timeoutreview.id for row in rows
                                      if _review_of(row) is not None])
        return [_case(row, names, evidence) for row in rows]

    def case(self, actor: Actor, visit_id: int) -> TimeoutCase:
        self.require(actor, P.RECEPTION_VIEW)
        row: Any = self._query(actor).where(Visit.id == visit_id).first()
        if row is None:
            if self._sees_all(actor) or not Visit.select().where(
                    (Visit.id == visit_id) & (Visit.timeout_level > 0)).exists():
                raise NotFound(_("No timeout on log entry {id}.").format(id=visit_id))
            raise PermissionDenied(_("The review of entry {id} is not yours: staff see their "
                                     "own record.").format(id=visit_id))
        review = _review_of(row)
        evidence = self._evidence_of([review.id] if review is not None else [])
        return _case(row, staff_names(), evidence)

    def waiting_for_me(self, actor: Actor) -> list[TimeoutCase]:
        """Today's "my appeals": my reviews I may still appeal, my appeals waiting or decided
        in the last appeal window, and the appeals I may decide. Empty for those who do not
        use reception (asked for everyone's Today)."""
        if not actor.can(P.RECEPTION_VIEW):
            return []
        now = self.now()
        recent = now - timedelta(days=int(self.settings.value("timeout_appeal_days")))
        mine = (self._query(actor, mine=True)
                .where((TimeoutAppeal.id.is_null() & (TimeoutReview.appeal_until >= now))
                       | (TimeoutAppeal.id.is_null(False) & TimeoutAppeal.decided_at.is_null())
                       | (TimeoutAppeal.decided_at >= recent)))
        wanted = [mine]
        if self._sees_all(actor):
            deciding = self._query(actor, state="appealed").where(
                TimeoutAppeal.appellant != actor.name)
            if not actor.can(P.RECEPTION_MANAGE):  # a supervisor with no part in the case
                deciding = deciding.where(
                    (TimeoutReview.reviewed_by != actor.name)
                    & (TimeoutReview.responsible != actor.name)
                    & (TimeoutReview.joint_supervisor != actor.name))
            wanted.append(deciding)
        rows: list[Any] = []
        for query in wanted:
            rows += [row for row in query.order_by(Visit.arrived_at.desc()).limit(50)
                     if row.id not in {seen.id for seen in rows}]
        names = staff_names()
        evidence = self._evidence_of([row.timeoutreview.id for row in rows
                                      if _review_of(row) is not None])
        return [_case(row, names, evidence) for row in rows]

    def supervisors(self, actor: Actor) -> list[tuple[str, str]]:
        """(user name, full name) of the active supervisors: who may be held jointly liable."""
        self.require(actor, P.RECEPTION_SUPERVISE)
        return [(str(user.name), str(user.full_name or user.name))
                for user in User.select(User.name, User.full_name, User.roles)
                .where(User.active == True).order_by(User.name)  # noqa: E712
                if Role.SUPERVISOR in parse_roles(user.roles)]

    def evidence_file(self, actor: Actor, evidence_id: int) -> tuple[str, bytes]:
        """An evidence file's name and bytes, checked against the SHA-256 stored with it."""
        self.require(actor, P.RECEPTION_VIEW)
        row: Any = TimeoutEvidence.get_or_none(TimeoutEvidence.id == evidence_id)
        if row is None:
            raise NotFound(_("No evidence file {id}.").format(id=evidence_id))
        self.case(actor, row.review.visit_id)  # the same rule as the review it belongs to
        data = bytes(row.data)
        if hashlib.sha256(data).hexdigest() != row.sha256 or row.sha256 not in self._recorded(
                row.review.visit_id):
            raise Conflict(_("Evidence file {id} ({name}) no longer matches the SHA-256 the "
                             "review recorded: it was changed in the database.").format(
                                 id=evidence_id, name=row.file_name))
        return row.file_name, data

    @staticmethod
    def _recorded(visit_id: int) -> set[str]:
        """The SHA-256 of each evidence file as the review's audit entry recorded them: the
        audit chain protects them, so a file and its stored hash replaced together in the
        database are still found out."""
        entry = (AuditEntry.select(AuditEntry.change)
                 .where((AuditEntry.action == "timeout.review") & (AuditEntry.entity == "visit")
                        & (AuditEntry.entity_id == str(visit_id))).first())
        if entry is None:
            return set()
        return set((json.loads(entry.change).get("after") or {}).get("evidence", {}).values())

    def measure_for(self, level: int) -> str:
        """The office's table's measure for a timeout level (the review starts from it)."""
        table = policy.parse_measures(str(self.settings.value("timeout_measures")))
        return table.get(level, Measure.NONE).value

    # ------------------------------------------------------------------ writing

    def review(self, actor: Actor, visit_id: int, *, cause: str, responsible: str,
               cause_text: str = "", joint_supervisor: str = "", measure: str | None = None,
               measure_text: str = "", retraining: bool = False, retraining_note: str = "",
               evidence: Sequence[Path | str] = ()) -> TimeoutCase:
        """A supervisor reviews a timed-out entry, once. ``measure`` defaults to the table's
        for its level; ``evidence`` are files read now and stored with their SHA-256."""
        self.require(actor, P.RECEPTION_SUPERVISE)
        cause = policy.parse_choice(Cause, cause, "cause", _("The cause"))
        cause_text = rules.text_field(cause_text, "cause_text", _("The cause analysis"), 2000)
        responsible = self._user(responsible, "responsible",
                                 _("Name the person directly responsible for the timeout."))
        if responsible == actor.name:
            raise PermissionDenied(_("You are named responsible for this timeout: another "
                                     "supervisor reviews it."))
        joint = (self._user(joint_supervisor, "joint_supervisor", "", Role.SUPERVISOR)
                 if joint_supervisor.strip() else "")
        measure_text = rules.text_field(measure_text, "measure_text", _("The measure"), 500)
        retraining_note = rules.text_field(retraining_note, "retraining_note",
                                           _("The retraining"), 500)
        if retraining and not retraining_note:
            raise ValidationError(_("Write what retraining is ordered."),
                                  field="retraining_note")
        files = self._read_evidence(evidence)
        days = int(self.settings.value("timeout_appeal_days"))
        with self.write() as tx:
            row = self._visit(visit_id)
            if row.timeout_level <= 0:
                raise Conflict(_("Log entry {id} did not time out: there is nothing to "
                                 "review.").format(id=visit_id))
            if row.reviewed_at is not None or TimeoutReview.select().where(
                    TimeoutReview.visit == row.id).exists():
                raise Conflict(_("The timeout of entry {id} was already reviewed.").format(
                    id=visit_id))
            chosen = (policy.parse_choice(Measure, measure, "measure", _("The measure"))
                      if measure else self.measure_for(row.timeout_level))
            policy.check_measure_text(chosen, measure_text)
            review = TimeoutReview.create(
                visit=row.id, level=row.timeout_level, cause=cause, cause_text=cause_text,
                responsible=responsible, joint_supervisor=joint, measure=chosen,
                measure_text=measure_text, retraining=retraining,
                retraining_note=retraining_note, reviewed_by=actor.name, reviewed_at=tx.at,
                appeal_until=policy.appeal_deadline(tx.at, days))
            for name, data in files:
                TimeoutEvidence.create(review=review.id, file_name=name, size=len(data),
                                       sha256=hashlib.sha256(data).hexdigest(), data=data,
                                       added_at=tx.at, added_by=actor.name)
            # the log's own review columns, as the Timeouts list shows them
            row.reviewed_by, row.reviewed_at = actor.name, tx.at
            row.review_note = cause_text or Cause(cause).label
            row.save()
            tx.audit(actor, "timeout.review", "visit", row.id, after={
                "level": Level(row.timeout_level).name.lower(), "cause": cause,
                "cause_text": cause_text, "responsible": responsible,
                "joint_supervisor": joint or None, "measure": chosen,
                "measure_text": measure_text, "retraining": retraining_note or None,
                "evidence": {name: hashlib.sha256(data).hexdigest() for name, data in files},
                "appeal_until": review.appeal_until})
        return self.case(actor, visit_id)

    def appeal(self, actor: Actor, visit_id: int, reason: str) -> TimeoutCase:
        """The person held responsible (or the supervisor held jointly liable) appeals,
        once, before the window closes."""
        self.require(actor, P.RECEPTION_VIEW)
        reason = rules.text_field(reason, "reason", _("The reason"), 2000)
        if not reason:
            raise ValidationError(_("Write why you appeal."), field="reason")
        with self.write() as tx:
            review = self._review(visit_id)
            policy.check_appeal(visit_id, actor.name, review.responsible,
                                review.joint_supervisor, review.appeal_until, tx.at,
                                TimeoutAppeal.select().where(
                                    TimeoutAppeal.review == review.id).exists())
            TimeoutAppeal.create(review=review.id, appellant=actor.name, reason=reason,
                                 filed_at=tx.at)
            tx.audit(actor, "timeout.appeal", "visit", visit_id,
                     after={"reason": reason, "measure": review.measure})
        return self.case(actor, visit_id)

    def decide_appeal(self, actor: Actor, visit_id: int, outcome: str, decision: str,
                      measure: str = "") -> TimeoutCase:
        """A supervisor other than the reviewer and the appellant, or the manager, decides:
        upheld, changed (to ``measure``) or annulled."""
        self.require_any(actor, P.RECEPTION_SUPERVISE, P.RECEPTION_MANAGE)
        outcome = policy.parse_choice(Outcome, outcome, "outcome", _("The outcome"))
        decision = rules.text_field(decision, "decision", _("The decision"), 2000)
        if not decision:
            raise ValidationError(_("Write the reasons for the decision."), field="decision")
        new = (policy.parse_choice(Measure, measure, "measure", _("The measure"))
               if measure else "")
        with self.write() as tx:
            review = self._review(visit_id)
            appeal = self.locked(TimeoutAppeal.select().where(
                TimeoutAppeal.review == review.id)).first()
            if appeal is None:
                raise Conflict(_("The review of entry {id} was not appealed.").format(
                    id=visit_id))
            if appeal.decided_at is not None:
                raise Conflict(_("The appeal on entry {id} was already decided.").format(
                    id=visit_id))
            policy.check_decider(visit_id, actor.name, actor.can(P.RECEPTION_MANAGE),
                                 actor.can(P.RECEPTION_SUPERVISE),
                                 {review.reviewed_by, appeal.appellant, review.responsible,
                                  review.joint_supervisor})
            standing = policy.measure_after(outcome, review.measure, new)
            appeal.decided_by, appeal.decided_at = actor.name, tx.at
            appeal.outcome, appeal.decision, appeal.measure = outcome, decision, standing
            appeal.save()
            tx.audit(actor, "timeout.decide_appeal", "visit", visit_id, after={
                "outcome": outcome, "decision": decision, "appellant": appeal.appellant,
                "measure": standing})
        return self.case(actor, visit_id)

    # ------------------------------------------------------------------ helpers

    def _review(self, visit_id: int) -> TimeoutReview:
        review = self.locked(TimeoutReview.select().where(
            TimeoutReview.visit == visit_id)).first()
        if review is None:
            raise NotFound(_("The timeout of entry {id} has not been reviewed.").format(
                id=visit_id))
        return review

    @staticmethod
    def _user(name: str, field_name: str, missing: str, role: Role | None = None) -> str:
        """An active user's name (a user name, or a full name only one user has)."""
        name = (name or "").strip()
        if not name:
            raise ValidationError(missing, field=field_name)
        rows = list(User.select().where(((User.name == name) | (User.full_name == name))
                                        & (User.active == True)))  # noqa: E712
        exact = [row for row in rows if row.name == name] or rows
        if len(exact) != 1:
            raise ValidationError(_("{name} is not one active user: name a colleague by user "
                                    "name.").format(name=name), field=field_name)
        user = exact[0]
        if role is not None and role not in parse_roles(user.roles):
            raise ValidationError(_("{name} is not a supervisor: joint liability is a "
                                    "supervisor's.").format(name=name), field=field_name)
        return str(user.name)

    def _read_evidence(self, paths: Sequence[Path | str]) -> list[tuple[str, bytes]]:
        """Each file's name and bytes, read before the transaction; unreadable, empty, too
        large or too many: ValidationError naming the file."""
        if len(paths) > MAX_EVIDENCE_FILES:
            raise ValidationError(_("At most {count} evidence files per review.").format(
                count=MAX_EVIDENCE_FILES), field="evidence")
        limit = int(self.settings.value("timeout_evidence_mb")) * 1024 * 1024
        files: list[tuple[str, bytes]] = []
        for given in paths:
            path = Path(given)
            try:
                size = path.stat().st_size
                if not path.is_file():
                    raise OSError("not a file")
                if size > limit:
                    raise ValidationError(_("{name} is {size:.1f} MB: evidence files may be "
                                            "{limit} MB at most.").format(
                                                name=path.name, size=size / 1048576,
                                                limit=limit // 1048576), field="evidence")
                data = path.read_bytes()
            except OSError as error:
                raise ValidationError(_("The evidence file {path} cannot be read: {error}")
                                      .format(path=path, error=error.strerror or error),
                                      field="evidence") from None
            if not data or len(data) > limit:
                raise ValidationError(_("{name} is empty or changed while it was read.")
                                      .format(name=path.name), field="evidence")
            name = rules.text_field(path.name, "evidence", _("The file name"), 255) or "evidence"
            if name in {seen for seen, _data in files}:
                raise ValidationError(_("Two evidence files are called {name}: rename one, so "
                                        "each is known by its name.").format(name=name),
                                      field="evidence")
            files.append((name, data))
        return files

    @staticmethod
    def _evidence_of(review_ids: list[int]) -> dict[int, tuple[Evidence, ...]]:
        found: dict[int, list[Evidence]] = {}
        if review_ids:
            row: Any
            for row in (TimeoutEvidence.select(TimeoutEvidence.id, TimeoutEvidence.review,
                                               TimeoutEvidence.file_name, TimeoutEvidence.size,
                                               TimeoutEvidence.sha256)
                        .where(TimeoutEvidence.review.in_(review_ids))
                        .order_by(TimeoutEvidence.id)):
                found.setdefault(row.review_id, []).append(
                    Evidence(row.id, row.file_name, row.size, row.sha256))
        return {key: tuple(value) for key, value in found.items()}


def _review_of(row: Visit) -> TimeoutReview | None:
    review = getattr(row, "timeoutreview", None)
    return review if review is not None and review.id is not None else None


def _case(row: Visit, names: dict[str, str],
          evidence: dict[int, tuple[Evidence, ...]]) -> TimeoutCase:
    base: dict[str, Any] = {
        "visit_id": row.id, "channel": row.channel, "name": row.name, "request": row.request,
        "request_type": row.request_type, "urgency": row.urgency, "handler": row.handler,
        "arrived_at": row.arrived_at, "level": Level(row.timeout_level), "names": names}
    review = _review_of(row)
    if review is None:  # not reviewed, or only noted on the log before schema 21
        return TimeoutCase(**base, reviewed_by=row.reviewed_by, reviewed_at=row.reviewed_at,
                           cause_text=row.review_note)
    base.update(review_id=review.id, cause=review.cause, cause_text=review.cause_text,
                responsible=review.responsible, joint_supervisor=review.joint_supervisor,
                measure=review.measure, measure_text=review.measure_text,
                retraining=review.retraining, retraining_note=review.retraining_note,
                reviewed_by=review.reviewed_by, reviewed_at=review.reviewed_at,
                appeal_until=review.appeal_until, evidence=evidence.get(review.id, ()))
    appeal = getattr(review, "timeoutappeal", None) or getattr(row, "timeoutappeal", None)
    if appeal is not None and appeal.id is not None:
        base.update(appellant=appeal.appellant, appeal_reason=appeal.reason,
                    appealed_at=appeal.filed_at, decided_by=appeal.decided_by,
                    decided_at=appeal.decided_at, outcome=appeal.outcome,
                    decision=appeal.decision, measure_after=appeal.measure)
    return TimeoutCase(**base)
