"""The demo's timeouts and responsibility (002, issue 18; demo/reception_timeouts.py): every
state of a review, made through the services (each step audited), on the Today lists of
those who must act; the log's request types and urgencies, with levels the timers give."""

from __future__ import annotations

import hashlib

from desk_app.demo.reception_timeouts import call_log_screenshot
from desk_app.demo.service import DEMO_PASSWORD
from desk_app.domain.reception import Level
from desk_app.store.archive import tuples
from desk_app.store.models import AuditEntry
from desk_app.store.reception import TimeoutReview, Visit


def test_the_demo_shows_every_state_of_a_timeout_review(demo_desk):
    manager = demo_desk.auth.login("zhangwei", DEMO_PASSWORD)
    cases = demo_desk.timeouts.cases(manager, limit=1000)
    by_state: dict[str, list] = {}
    for case in cases:
        by_state.setdefault(case.state, []).append(case)
    assert set(by_state) == {"to_review", "not_reviewed", "reviewed", "appealed", "decided"}
    assert {case.level for case in by_state["to_review"]} == {Level.SEVERE}
    # the demo log's older escalations carry a note from before reviews had a responsible
    # person: reviewed, never appealable
    noted = [case for case in by_state["reviewed"] if case.review_id is None]
    assert noted and not any(case.appealable(demo_desk.now()) for case in noted)
    [reviewed] = [case for case in by_state["reviewed"] if case.review_id is not None]
    assert reviewed.appealable(demo_desk.now()) and reviewed.responsible == "wangfang"
    [evidence] = reviewed.evidence
    assert evidence.sha256 == hashlib.sha256(call_log_screenshot()).hexdigest()
    name, data = demo_desk.timeouts.evidence_file(manager, evidence.id)
    assert name.endswith(".png") and data.startswith(b"\x89PNG")
    [appealed] = by_state["appealed"]
    assert (appealed.appellant, appealed.reviewed_by) == ("wangfang", "zhoumin")
    outcomes = {case.outcome: case for case in by_state["decided"]}
    assert set(outcomes) == {"upheld", "changed"}
    assert outcomes["upheld"].decided_by == "liqiang"
    assert (outcomes["changed"].decided_by, outcomes["changed"].measure_now) == (
        "zhangwei", "verbal")
    # who must act sees it on Today: 李强 decides the appeal 周敏 reviewed; 王芳 may appeal
    supervisor = demo_desk.auth.login("liqiang", DEMO_PASSWORD)
    assert appealed.visit_id in [c.visit_id for c in demo_desk.timeouts.waiting_for_me(supervisor)]
    clerk = demo_desk.auth.login("wangfang", DEMO_PASSWORD)
    mine = {c.visit_id: c.state for c in demo_desk.timeouts.waiting_for_me(clerk)}
    assert mine[reviewed.visit_id] == "reviewed" and mine[appealed.visit_id] == "appealed"
    # every step through the services: one audit entry each, the trail intact
    actions = [action for (action,) in tuples(AuditEntry.select(AuditEntry.action)
                                              .where(AuditEntry.action.startswith("timeout.")))]
    assert sorted(set(actions)) == ["timeout.appeal", "timeout.decide_appeal", "timeout.review"]
    assert len(actions) == TimeoutReview.select().count() + 3 + 2
    assert demo_desk.audit.verify(demo_desk.auth.login("admin", DEMO_PASSWORD)).ok


def test_the_demo_log_has_request_types_and_the_levels_they_give(demo_desk):
    clerk = demo_desk.auth.login("wangfang", DEMO_PASSWORD)
    kinds = set(tuples(Visit.select(Visit.request_type, Visit.urgency).distinct()))
    assert {("enquiry", "normal"), ("technical", "urgent"), ("complaint", "normal"),
            ("query", "normal")} <= kinds
    targets = demo_desk.visits.targets()
    for view in demo_desk.visits.visits(clerk, limit=5000):
        if view.resolved_at is not None:  # the stored level is what the timers gave
            assert view.status(view.resolved_at, targets).level == view.timeout_level, view.id
