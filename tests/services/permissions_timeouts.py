"""The role × action rows of timeouts and responsibility (issue 18, 002: TimeoutService),
merged into ``tests/services/test_permissions.py``'s tables.

Only a supervisor reviews; a supervisor (not the reviewer) or the manager decides an appeal;
anyone who reads the reception log may appeal or read a review held against them — whether it
is theirs is the service's rule beyond the role (``tests/services/test_timeouts.py``), so
each call here acts on a review naming the caller."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.store.reception import TimeoutAppeal, TimeoutReview, Visit

READ = frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR})

ALLOWED: dict[str, frozenset[Role]] = {
    "TimeoutService.review": frozenset({Role.SUPERVISOR}),
    "TimeoutService.decide_appeal": frozenset({Role.SUPERVISOR, Role.MANAGER}),
    "TimeoutService.appeal": READ,
    "TimeoutService.case": READ,
    "TimeoutService.cases": READ,
    "TimeoutService.count_cases": READ,
    "TimeoutService.evidence_file": READ,
    "TimeoutService.supervisors": frozenset({Role.SUPERVISOR}),
    # what Today asks for everyone: empty for those with nothing to appeal or decide
    "TimeoutService.waiting_for_me": frozenset(Role),
}

Call = Callable[[Actor], Any]


def _timed_out(w: Any) -> int:
    at = w.desk.ctx.clock.now() - timedelta(minutes=40)
    return Visit.create(channel="visit", handler="target", arrived_at=at, created_by="target",
                        answered_at=at, resolved_at=at + timedelta(minutes=35),
                        timeout_level=3, escalated_at=at).id


def _reviewed(w: Any) -> dict[str, int]:
    """One reviewed timeout per role's user, naming that user responsible (by "target")."""
    now = w.desk.ctx.clock.now()
    made = {}
    for actor in w.actors.values():
        visit_id = _timed_out(w)
        TimeoutReview.create(visit=visit_id, level=3, cause="staff",
                                      responsible=actor.name, measure="verbal",
                                      reviewed_by="target", reviewed_at=now,
                                      appeal_until=now + timedelta(days=5))
        made[actor.name] = visit_id
    return made


def _mine(made: dict[str, int], actor: Actor) -> int:
    return made.get(actor.name) or next(iter(made.values()))


def _review(w: Any) -> Call:
    visit_id = _timed_out(w)
    return lambda a: w.desk.timeouts.review(a, visit_id, cause="staff", responsible="target")


def _appeal(w: Any) -> Call:
    made = _reviewed(w)
    return lambda a: w.desk.timeouts.appeal(a, _mine(made, a), "当时系统故障")


def _decide(w: Any) -> Call:
    """An appeal by "target", reviewed by "target": the caller has no part in it."""
    now = w.desk.ctx.clock.now()
    visit_id = _timed_out(w)
    review = TimeoutReview.create(visit=visit_id, level=3, cause="staff", responsible="target",
                                  measure="verbal", reviewed_by="target", reviewed_at=now,
                                  appeal_until=now + timedelta(days=5))
    TimeoutAppeal.create(review=review.id, appellant="target", reason="系统故障", filed_at=now)
    return lambda a: w.desk.timeouts.decide_appeal(a, visit_id, "upheld", "维持")


def _case(w: Any) -> Call:
    made = _reviewed(w)
    return lambda a: w.desk.timeouts.case(a, _mine(made, a))


def _evidence(w: Any) -> Call:
    """Evidence stored by a real review (its audit entry holds the file's hash), one per
    role's user, naming that user responsible."""
    shot = w.tmp / "屏幕截图.png"
    shot.write_bytes(b"\x89PNG screenshot")
    evidence = {}
    for actor in w.actors.values():
        case = w.desk.timeouts.review(w.staff, _timed_out(w), cause="staff",
                                      responsible=actor.name, evidence=[shot])
        evidence[actor.name] = case.evidence[0].id
    return lambda a: w.desk.timeouts.evidence_file(
        a, evidence.get(a.name) or next(iter(evidence.values())))


ACTIONS: dict[str, Callable[[Any], Call]] = {
    "TimeoutService.review": _review,
    "TimeoutService.appeal": _appeal,
    "TimeoutService.decide_appeal": _decide,
    "TimeoutService.case": _case,
    "TimeoutService.cases": lambda w: lambda a: w.desk.timeouts.cases(a),
    "TimeoutService.count_cases": lambda w: lambda a: w.desk.timeouts.count_cases(a),
    "TimeoutService.evidence_file": _evidence,
    "TimeoutService.waiting_for_me": lambda w: lambda a: w.desk.timeouts.waiting_for_me(a),
    "TimeoutService.supervisors": lambda w: lambda a: w.desk.timeouts.supervisors(a),
}
