"""Promised replies and hand-offs at the desk (issue 18, 003 第一章): a reply promised by a
time is reminded before it passes and shows as kept or broken; a transfer or escalation
records its target. Bad input says why and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.reception import Channel
from desk_app.store.models import AuditEntry
from desk_app.store.reception import Visit, VisitHandoff
from tests.conftest import add_user


@pytest.fixture
def clerk(desk, admin):
    return add_user(desk, admin, "wangfang", "clerk", "王芳")


@pytest.fixture
def supervisor(desk, admin):
    return add_user(desk, admin, "liqiang", "supervisor", "李强")


def _written() -> tuple[int, int, int]:
    promised = Visit.select().where(Visit.promised_at.is_null(False)).count()
    return promised, VisitHandoff.select().count(), AuditEntry.select().count()


def test_a_promise_is_reminded_then_kept_or_broken(desk, clerk, clock):
    kept = desk.visits.open_visit(clerk, Channel.PHONE_IN, name="赵", request="查询水费")
    broken = desk.visits.open_visit(clerk, Channel.PHONE_IN, name="钱", request="报修进度")
    desk.follow_up.promise_reply(clerk, kept.id, clock.now() + timedelta(minutes=30))
    view = desk.follow_up.promise_reply(clerk, broken.id, clock.now() + timedelta(minutes=60))
    assert view.promised_by == "wangfang" and view.promise(clock.now()) == "pending"
    assert desk.follow_up.promises_due(clerk) == []  # both more than 15 minutes away
    clock.advance(minutes=20)
    assert [v.id for v in desk.follow_up.promises_due(clerk)] == [kept.id]
    desk.visits.resolve(clerk, kept.id, "已告知水费金额")
    clock.advance(minutes=50)  # the second promise's time has passed, not resolved
    assert [v.id for v in desk.follow_up.promises_due(clerk)] == [broken.id]
    assert desk.visits.get_visit(clerk, kept.id).promise(clock.now()) == "kept"
    assert desk.visits.get_visit(clerk, broken.id).promise(clock.now()) == "broken"
    desk.visits.resolve(clerk, broken.id, "已回复")
    assert desk.visits.get_visit(clerk, broken.id).promise(clock.now()) == "broken"
    assert desk.follow_up.promises_due(clerk) == []


def test_a_promise_in_the_past_or_on_a_resolved_entry_is_refused(desk, clerk, clock):
    call = desk.visits.open_visit(clerk, Channel.PHONE_IN, name="赵", request="查询")
    before = _written()
    with pytest.raises(ValidationError, match="already passed"):
        desk.follow_up.promise_reply(clerk, call.id, clock.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="60 days"):
        desk.follow_up.promise_reply(clerk, call.id, clock.now() + timedelta(days=61))
    with pytest.raises(NotFound):
        desk.follow_up.promise_reply(clerk, 999, clock.now() + timedelta(hours=1))
    desk.visits.resolve(clerk, call.id, "已答复")
    before = _written()
    with pytest.raises(Conflict, match="resolved already"):
        desk.follow_up.promise_reply(clerk, call.id, clock.now() + timedelta(hours=1))
    assert _written() == before


def test_a_transfer_and_an_escalation_record_their_target(desk, clerk, supervisor):
    call = desk.visits.open_visit(clerk, Channel.PHONE_IN, name="孙", request="投诉噪音")
    desk.follow_up.hand_off(clerk, call.id, "transfer", to_dept="工程部", note="报修转工程部")
    desk.follow_up.hand_off(clerk, call.id, "escalate", to_user="liqiang")
    transfer, escalation = desk.follow_up.handoffs(clerk, call.id)
    assert (transfer.kind, transfer.to_dept, transfer.to_name) == ("transfer", "工程部", "工程部")
    assert (escalation.kind, escalation.to_user, escalation.to_name) == ("escalate", "liqiang",
                                                                         "李强")
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id.desc()).limit(2)]
    assert actions == ["visit.escalate", "visit.transfer"]


def test_a_hand_off_without_a_target_is_refused(desk, clerk, admin):
    call = desk.visits.open_visit(clerk, Channel.PHONE_IN, name="孙", request="投诉噪音")
    add_user(desk, admin, "gone", "clerk")
    desk.users.set_active(admin, "gone", False)
    before = _written()
    with pytest.raises(ValidationError, match="to whom"):
        desk.follow_up.hand_off(clerk, call.id, "transfer")
    with pytest.raises(ValidationError, match="transferred or escalated"):
        desk.follow_up.hand_off(clerk, call.id, "forward", to_dept="工程部")
    with pytest.raises(ValidationError, match="not an active user"):
        desk.follow_up.hand_off(clerk, call.id, "transfer", to_user="gone")
    with pytest.raises(ValidationError):
        desk.follow_up.hand_off(clerk, call.id, "transfer", to_dept="工程部\x1b[31m")
    with pytest.raises(ValidationError):
        desk.follow_up.hand_off(clerk, call.id, "transfer", to_dept="部" * 65)
    with pytest.raises(NotFound):
        desk.follow_up.hand_off(clerk, 999, "transfer", to_dept="工程部")
    assert _written() == before
