"""Several desks on one database at once, for timeout reviews and appeals (issue 18, 002),
on SQLite and (DESK_TEST_PG) PostgreSQL.

Desk processes (the "spawn" context, each with its own ``Desk``), each signed in as its own
supervisor, are released together at a barrier: each reviews a timed-out entry of its own
and all review one same entry; then the clerk held responsible appeals that entry from every
desk at once; then every supervisor decides the appeal at once. Afterwards the database holds
exactly what the desks were told: one review per acknowledged review, one appeal, one
decision (the reviewer refused, the others too late), and an audit chain that verifies.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta
from typing import Any

from desk_app.domain.errors import Conflict, PermissionDenied
from desk_app.store.models import AuditEntry
from desk_app.store.reception import TimeoutAppeal, TimeoutReview, Visit
from tests.conftest import PASSWORD
from tests.desks import (
    CLEAR,
    chain_verifies,
    close_desk,
    first_line,
    open_desk,
    recorder,
    run_desks,
)

DESKS = int(os.environ.get("DESK_MULTI_DESKS", "6"))
TIMEOUT = 240.0


def _worker(url: str, index: int, own_id: int, shared_id: int, barrier, results) -> None:
    out: dict[str, Any] = {}
    # the reviewer may not decide: refused with PermissionDenied when its desk comes first,
    # with Conflict once another desk has decided
    call = recorder(out, clear=(*CLEAR, PermissionDenied))
    desk = None
    try:
        desk, supervisor = open_desk(url, f"sup{index:02d}")
        clerk = desk.auth.login("resp", PASSWORD)
        barrier.wait(timeout=120)
        call("review", lambda: desk.timeouts.review(supervisor, own_id, cause="staff",
                                                    responsible="resp").review_id)
        call("shared", lambda: desk.timeouts.review(supervisor, shared_id, cause="peak",
                                                    responsible="resp").reviewed_by)
        barrier.wait(timeout=120)
        call("appeal", lambda: desk.timeouts.appeal(clerk, shared_id, f"申诉 {index}").state)
        barrier.wait(timeout=120)
        call("decide", lambda: desk.timeouts.decide_appeal(
            supervisor, shared_id, "upheld", f"维持 {index}").decided_by)
    except Exception as error:
        out["unexpected"].append(("desk", type(error).__name__, first_line(error)))
    finally:
        close_desk(desk)
        results.put((index, out))


def _timed_out() -> int:
    from datetime import datetime

    at = datetime(2026, 11, 2, 1, 0)
    return Visit.create(channel="visit", handler="resp", arrived_at=at, created_by="resp",
                        answered_at=at, resolved_at=at + timedelta(minutes=40),
                        timeout_level=3, escalated_at=at).id


def test_desks_review_appeal_and_decide_at_once(db_url):
    from desk_app.desk import Desk

    desk = Desk.open(db_url, create=True)
    try:
        desk.users.create_first_admin("boss", PASSWORD, "Boss")
        admin = desk.auth.login("boss", PASSWORD)
        for index in range(DESKS):
            desk.users.add(admin, f"sup{index:02d}", PASSWORD, "supervisor")
        desk.users.add(admin, "resp", PASSWORD, "clerk")
        own = [_timed_out() for _ in range(DESKS)]
        shared_id = _timed_out()
    finally:
        desk.close()

    outs = run_desks(_worker, [(db_url, i, own[i], shared_id) for i in range(DESKS)], TIMEOUT)
    assert len(outs) == DESKS, f"desks that sent no result: {set(range(DESKS)) - set(outs)}"
    unexpected = [u for out in outs.values() for u in out["unexpected"]]
    assert not unexpected, unexpected
    acks = [ack for out in outs.values() for ack in out["acks"]]
    by_op = Counter(op for op, _value in acks)
    assert by_op == {"review": DESKS, "shared": 1, "appeal": 1, "decide": 1}, by_op
    refused = Counter()
    for out in outs.values():
        refused.update(out["refused"])
    assert refused[("shared", Conflict.__name__)] == DESKS - 1, refused
    assert refused[("appeal", Conflict.__name__)] == DESKS - 1, refused
    reviewer = next(value for op, value in acks if op == "shared")
    decider = next(value for op, value in acks if op == "decide")
    assert decider != reviewer
    # the others came after the one decision, or (the reviewer) may not decide at all
    assert refused[("decide", PermissionDenied.__name__)] <= 1, refused
    assert (refused[("decide", PermissionDenied.__name__)]
            + refused[("decide", Conflict.__name__)]) == DESKS - 1, refused

    desk = Desk.open(db_url)
    try:
        assert TimeoutReview.select().count() == DESKS + 1
        assert {r.visit_id for r in TimeoutReview.select()} == {*own, shared_id}
        assert TimeoutAppeal.select().count() == 1
        appeal = TimeoutAppeal.get()
        assert appeal.decided_by == decider and appeal.outcome == "upheld"
        actions = Counter(action for (action,) in AuditEntry.select(AuditEntry.action).tuples())
        assert actions["timeout.review"] == DESKS + 1
        assert actions["timeout.appeal"] == 1 and actions["timeout.decide_appeal"] == 1
        chain_verifies(desk)
    finally:
        desk.close()
