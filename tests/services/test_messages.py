"""Messages for an absent colleague (issue 18): taken at the desk, confirmed by the addressee
only, chased while unconfirmed; bad input says why and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.reception import Channel
from desk_app.domain.users import Actor
from desk_app.services.reception.messages import MessageFilter
from desk_app.store.models import AuditEntry
from desk_app.store.reception import PhoneMessage
from tests.conftest import add_user


@pytest.fixture
def clerk(desk, admin):
    return add_user(desk, admin, "wangfang", "clerk", "王芳")


@pytest.fixture
def absent(desk, admin):
    return add_user(desk, admin, "liqiang", "supervisor", "李强")


def _written() -> tuple[int, int]:
    return PhoneMessage.select().count(), AuditEntry.select().count()


def test_a_message_is_taken_confirmed_by_its_addressee_and_audited(desk, clerk, absent, clock):
    call = desk.visits.open_visit(clerk, Channel.PHONE_IN)
    before = _written()
    taken = desk.messages.take_message(clerk, "liqiang", "赵先生", "请回电，关于12栋漏水。",
                                       contact="13800000000", caller_title="先生",
                                       visit_id=call.id)
    assert _written() == (before[0] + 1, before[1] + 1)
    assert (taken.caller, taken.caller_title, taken.for_user, taken.taken_by) == (
        "赵", "先生", "liqiang", "wangfang")
    assert taken.visit_id == call.id and not taken.confirmed
    (mine,) = desk.messages.my_messages(absent)
    assert mine.id == taken.id and mine.taken_by_name == "王芳" and mine.for_name == "李强"
    assert desk.messages.my_messages(clerk) == []
    assert ("liqiang", "李强 (liqiang)") in desk.messages.addressees(clerk)

    clock.advance(minutes=20)
    confirmed = desk.messages.confirm_message(absent, taken.id)
    assert confirmed.confirmed_at == clock.now()
    assert desk.messages.my_messages(absent) == []
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id.desc()).limit(2)]
    assert actions == ["message.confirm", "message.take"]


def test_only_the_addressee_confirms_and_only_once(desk, clerk, absent):
    taken = desk.messages.take_message(clerk, "liqiang", "赵先生", "请回电")
    before = _written()
    with pytest.raises(PermissionDenied, match="only they can confirm"):
        desk.messages.confirm_message(clerk, taken.id)
    desk.messages.confirm_message(absent, taken.id)
    after = _written()
    with pytest.raises(Conflict):
        desk.messages.confirm_message(absent, taken.id)
    with pytest.raises(Conflict):
        desk.messages.chase_message(clerk, taken.id)
    with pytest.raises(NotFound):
        desk.messages.confirm_message(absent, 999_999)
    assert after == (before[0], before[1] + 1) and _written() == after


def test_an_unconfirmed_message_is_due_for_a_chase_after_the_set_time(desk, admin, clerk,
                                                                       absent, clock):
    desk.settings.set_many(admin, {"message_chase_minutes": 30})
    early = desk.messages.take_message(clerk, "liqiang", "赵先生", "请回电")
    clock.advance(minutes=20)
    late = desk.messages.take_message(clerk, "liqiang", "钱女士", "合同已寄出")
    clock.advance(minutes=15)  # early: 35 minutes, late: 15
    due = desk.messages.to_chase(clerk)
    assert [m.id for m in desk.messages.page_messages(clerk, due)] == [early.id]
    assert desk.messages.count_messages(clerk, due) == 1
    chased = desk.messages.chase_message(clerk, early.id)
    assert (chased.chases, chased.chased_at) == (1, clock.now())
    assert desk.messages.chase_message(clerk, early.id).chases == 2
    desk.messages.confirm_message(absent, early.id)
    assert desk.messages.count_messages(clerk, desk.messages.to_chase(clerk)) == 0
    listed = desk.messages.page_messages(clerk, MessageFilter(for_user="liqiang"))
    assert [m.id for m in listed] == [late.id, early.id]  # newest first
    assert desk.messages.count_messages(clerk, MessageFilter(unconfirmed_only=True)) == 1


@pytest.mark.parametrize(("args", "field"), [
    (("liqiang", "", "请回电"), "caller"),
    (("liqiang", "赵先生", "   "), "text"),
    (("liqiang", "赵\x07先生", "请回电"), "caller"),  # a control character
    (("liqiang", "赵先生", "x" * 2001), "text"),
    (("nobody", "赵先生", "请回电"), "for_user"),
    (("", "赵先生", "请回电"), "for_user"),  # "Choose whom the message is for."
])
def test_bad_input_says_which_field_and_writes_nothing(desk, clerk, absent, args, field):
    before = _written()
    with pytest.raises(ValidationError) as raised:
        desk.messages.take_message(clerk, *args)
    assert raised.value.field == field
    assert _written() == before


def test_no_message_for_a_colleague_who_cannot_sign_in(desk, admin, clerk, absent):
    desk.users.set_active(admin, "liqiang", False)
    assert "liqiang" not in dict(desk.messages.addressees(clerk))
    before = _written()
    with pytest.raises(ValidationError, match="not an active user"):
        desk.messages.take_message(clerk, "liqiang", "赵先生", "请回电")
    assert _written() == before


def test_a_message_about_an_unknown_log_entry_is_refused(desk, clerk, absent):
    before = _written()
    with pytest.raises(NotFound):
        desk.messages.take_message(clerk, "liqiang", "赵先生", "请回电", visit_id=424242)
    assert _written() == before


def test_chasing_is_only_for_the_desk(desk, clerk, absent, clock):
    taken = desk.messages.take_message(clerk, "liqiang", "赵先生", "请回电")
    clock.advance(hours=2)
    with pytest.raises(PermissionDenied):
        desk.messages.chase_message(Actor(user_id=None, name="x", roles=frozenset()),
                                    taken.id)
    assert desk.messages.to_chase(clerk).to_chase_before == clock.now() - timedelta(minutes=60)
