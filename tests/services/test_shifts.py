"""Shifts and the rota (seed 001 part 4) and swaps a supervisor approves beforehand (R12):
planning, requests and decisions with their refusals, and what the rota then shows."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.services.handover.shifts import to_utc
from desk_app.store.handover import RotaLine, ShiftSwap
from desk_app.store.models import AuditEntry
from tests.conftest import add_user

TOMORROW = date(2026, 11, 3)


def move_to(clock, local: datetime) -> None:
    clock.advance(seconds=(to_utc(local) - clock.now()).total_seconds())


@pytest.fixture
def people(desk, admin, clock):
    move_to(clock, datetime(2026, 11, 2, 10, 0))
    return {"admin": admin,
            "boss": add_user(desk, admin, "boss", "supervisor", "李强"),
            "boss2": add_user(desk, admin, "boss2", "supervisor", "周敏"),
            "amy": add_user(desk, admin, "amy", "clerk", "王芳"),
            "ben": add_user(desk, admin, "ben", "clerk", "Ben"),
            "cat": add_user(desk, admin, "cat", "clerk"),
            "auditor": add_user(desk, admin, "audit", "auditor"),
            "manager": add_user(desk, admin, "mgr", "manager")}


@pytest.fixture
def planned(desk, people):
    """Tomorrow: amy and ben on the day shift, cat on the night."""
    desk.shifts.assign(people["boss"], TOMORROW, "day", ["amy", "ben"])
    desk.shifts.assign(people["boss"], TOMORROW, "night", ["cat"])
    return desk.shifts


def _state():
    return tuple(model.select().count() for model in (RotaLine, ShiftSwap, AuditEntry))


def _names(line):
    return [person["name"] for person in line["people"]]


def test_rota_lists_every_slot(planned, people):
    lines = planned.rota(people["auditor"], date(2026, 11, 2), TOMORROW)
    assert [(line["day"], line["shift"]) for line in lines] == [
        (date(2026, 11, 2), "day"), (date(2026, 11, 2), "night"), (TOMORROW, "day"),
        (TOMORROW, "night")]
    assert lines[0]["people"] == [] and lines[1]["people"] == []
    assert sorted(_names(lines[2])) == ["amy", "ben"] and _names(lines[3]) == ["cat"]
    assert lines[2]["start"] == to_utc(datetime(2026, 11, 3, 8, 30))
    assert lines[3]["end"] == to_utc(datetime(2026, 11, 4, 0, 0))
    amy = next(p for p in lines[2]["people"] if p["name"] == "amy")
    assert amy == {"name": "amy", "full_name": "王芳", "planned": None, "swap": None}
    with pytest.raises(ValidationError):
        planned.rota(people["amy"], TOMORROW, date(2026, 11, 2))
    with pytest.raises(ValidationError):
        planned.rota(people["amy"], date(2026, 1, 1), date(2026, 12, 31))


def test_assign_replaces_and_audits(planned, people):
    entries = AuditEntry.select().where(AuditEntry.action == "rota.assign").count()
    assert entries == 2
    line = planned.assign(people["boss"], TOMORROW, "DAY", ["ben", "cat", "ben"])
    assert sorted(_names(line)) == ["ben", "cat"] and line["shift"] == "day"
    before = _state()
    planned.assign(people["boss"], TOMORROW, "day", ["cat", "ben"])  # the same: nothing
    assert _state() == before
    assert _names(planned.assign(people["boss"], TOMORROW, "day", [])) == []  # unplanned
    assert AuditEntry.select().where(AuditEntry.action == "rota.assign").count() == 4


@pytest.mark.parametrize(("shift", "users", "message"), [
    ("evening", ["amy"], "No shift evening"),
    ("", ["amy"], "No shift"),
    ("day", ["nobody"], "No active user nobody"),
    ("day", ["amy", "\x1b"], "No active user"),
])
def test_bad_assignments_write_nothing(planned, people, shift, users, message):
    before = _state()
    with pytest.raises(ValidationError, match=message):
        planned.assign(people["boss"], TOMORROW, shift, users)
    assert _state() == before


def test_request_and_approve_rewrites_the_rota(planned, people, clock):
    swap = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "家中有事")
    assert swap["number"] == "TB2026-0001" and swap["status"] == "pending"
    assert (swap["absent"], swap["substitute"], swap["requested_by"]) == ("amy", "cat", "amy")
    assert planned.waiting_swaps(people["boss"]) == 1
    assert planned.waiting_swaps(people["amy"]) == 0  # cannot decide: nothing waits for them
    # not approved yet: the rota is unchanged
    day_line = planned.rota(people["amy"], TOMORROW, TOMORROW)[0]
    assert sorted(_names(day_line)) == ["amy", "ben"]
    clock.advance(minutes=5)
    decided = planned.decide_swap(people["boss"], swap["id"], True, "同意")
    assert (decided["status"], decided["decided_by"], decided["decision_reason"]) == (
        "approved", "boss", "同意")
    assert decided["decided_at"] == clock.now()
    day_line = planned.rota(people["auditor"], TOMORROW, TOMORROW)[0]
    cat = next(p for p in day_line["people"] if p["name"] == "cat")
    assert cat["planned"] == "amy" and cat["swap"] == "TB2026-0001"
    assert sorted(_names(day_line)) == ["ben", "cat"]
    assert planned.waiting_swaps(people["boss"]) == 0
    # the handover's rota check now follows the approved swap
    slot = planned.slot(TOMORROW, "day")
    cat_user = RotaLine.select().where(RotaLine.swap == swap["id"]).get().user
    planned.check_on_rota(slot, cat_user, "incoming person")
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.seq)]
    assert actions[-2:] == ["shift_swap.request", "shift_swap.decide"]
    # the next number of the series
    second = planned.request_swap(people["ben"], TOMORROW, "night", "cat", "amy", "x")
    assert second["number"] == "TB2026-0002"


def test_refuse_leaves_the_rota(planned, people):
    swap = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "trip")
    decided = planned.decide_swap(people["boss"], swap["id"], False, "人手不够")
    assert decided["status"] == "refused" and decided["status_label"] == "refused"
    assert sorted(_names(planned.rota(people["amy"], TOMORROW, TOMORROW)[0])) == ["amy", "ben"]
    before = _state()
    with pytest.raises(Conflict, match="refused"):
        planned.decide_swap(people["boss2"], swap["id"], True, "again")
    assert _state() == before
    # refused: a new request for the same line may be made
    assert planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "trip")


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"absent": "cat", "substitute": "ben"}, ValidationError, "cat is not on the rota"),
    ({"substitute": "ben"}, ValidationError, "ben is on the day shift"),
    ({"substitute": "amy"}, ValidationError, "someone else"),
    ({"substitute": "nobody"}, ValidationError, "No active user nobody"),
    ({"absent": ""}, ValidationError, "No active user"),
    ({"shift": "late"}, ValidationError, "No shift late"),
    ({"reason": " "}, ValidationError, "reason"),
    ({"reason": "ill\x1b[2J"}, ValidationError, "control character"),
    ({"day": date(2026, 11, 2), "shift": "night"}, ValidationError, "not on the rota"),
    ({"day": date(2026, 11, 2)}, ValidationError, "already started"),  # today's day shift
])
def test_bad_requests_write_nothing(planned, people, kwargs, error, message):
    given = {"day": TOMORROW, "shift": "day", "absent": "amy", "substitute": "cat",
             "reason": "ill", **kwargs}
    before = _state()
    with pytest.raises(error, match=message):
        planned.request_swap(people["amy"], given["day"], given["shift"], given["absent"],
                             given["substitute"], given["reason"])
    assert _state() == before


def test_a_started_slot_is_too_late(planned, people, clock):
    move_to(clock, datetime(2026, 11, 3, 8, 0))
    swap = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "ill")
    move_to(clock, datetime(2026, 11, 3, 8, 30))  # the shift started
    before = _state()
    with pytest.raises(ValidationError, match="already started"):
        planned.request_swap(people["ben"], TOMORROW, "day", "ben", "cat", "ill")
    with pytest.raises(ValidationError, match="already started"):
        planned.decide_swap(people["boss"], swap["id"], True, "ok")
    assert _state() == before
    assert planned.swaps(people["boss"], "pending")[0]["id"] == swap["id"]


def test_the_rota_of_a_past_shift_is_not_rewritten(planned, people, clock):
    move_to(clock, datetime(2026, 11, 3, 12, 0))  # tomorrow's day shift is running
    running = planned.assign(people["boss"], TOMORROW, "day", ["amy"])  # corrected, audited
    assert _names(running) == ["amy"]
    move_to(clock, datetime(2026, 11, 3, 17, 30))  # and now over
    before = _state()
    with pytest.raises(ValidationError, match="is over"):
        planned.assign(people["boss"], TOMORROW, "day", ["cat"])
    assert _state() == before


def test_a_second_pending_request_for_the_same_line(planned, people):
    planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "ill")
    before = _state()
    with pytest.raises(Conflict, match="TB2026-0001"):
        planned.request_swap(people["ben"], TOMORROW, "day", "amy", "cat", "ill too")
    assert _state() == before


def test_those_involved_do_not_decide(desk, planned, people, admin):
    # a supervisor who is also on the rota
    planned.assign(people["boss"], TOMORROW, "night", ["cat", "boss2"])
    swap = planned.request_swap(people["boss"], TOMORROW, "night", "boss2", "amy", "x")
    before = _state()
    for decider in ("boss", "boss2"):  # the requester, the absent person
        with pytest.raises(PermissionDenied, match="another supervisor"):
            planned.decide_swap(people[decider], swap["id"], True, "ok")
    assert _state() == before
    # the substitute, a supervisor too
    boss3 = add_user(desk, admin, "boss3", "supervisor")
    other = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "boss3", "x")
    with pytest.raises(PermissionDenied):
        planned.decide_swap(boss3, other["id"], True, "ok")
    assert ShiftSwap.select().count() == 2
    assert not AuditEntry.select().where(AuditEntry.action == "shift_swap.decide").exists()
    assert planned.decide_swap(people["boss"], other["id"], True, "ok")["status"] == "approved"


def test_approve_after_the_rota_changed(planned, people):
    swap = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "x")
    planned.assign(people["boss"], TOMORROW, "day", ["ben"])  # amy taken off meanwhile
    before = _state()
    with pytest.raises(Conflict, match="rota of that shift changed"):
        planned.decide_swap(people["boss2"], swap["id"], True, "ok")
    assert _state() == before


def test_decide_refusals(planned, people):
    swap = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "x")
    before = _state()
    with pytest.raises(NotFound):
        planned.decide_swap(people["boss"], 999, True, "ok")
    with pytest.raises(ValidationError, match="reason"):
        planned.decide_swap(people["boss"], swap["id"], True, "\u200b")
    assert _state() == before


def test_roles(planned, people):
    swap = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "x")
    before = _state()
    with pytest.raises(PermissionDenied):
        planned.decide_swap(people["ben"], swap["id"], True, "ok")  # a clerk cannot decide
    with pytest.raises(PermissionDenied):
        planned.assign(people["amy"], TOMORROW, "day", ["amy"])  # nor plan
    with pytest.raises(PermissionDenied):
        planned.assign(people["admin"], TOMORROW, "day", ["amy"])
    for reader in ("auditor", "manager"):
        with pytest.raises(PermissionDenied):
            planned.request_swap(people[reader], TOMORROW, "day", "ben", "cat", "x")
        assert planned.swap_count(people[reader]) == 1
        assert planned.waiting_swaps(people[reader]) == 0
    assert _state() == before
    assert planned.rota(people["admin"], TOMORROW, TOMORROW)  # admins read the rota


def test_swap_lists(planned, people):
    first = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "a")
    second = planned.request_swap(people["ben"], TOMORROW, "night", "cat", "ben", "b")
    planned.decide_swap(people["boss"], first["id"], False, "no")
    viewer = people["auditor"]
    assert [s["id"] for s in planned.swaps(viewer)] == [second["id"], first["id"]]
    assert [s["id"] for s in planned.swaps(viewer, "pending")] == [second["id"]]
    assert planned.swap_count(viewer) == 2 and planned.swap_count(viewer, "refused") == 1
    assert len(planned.swaps(viewer, limit=1)) == 1
    assert planned.swaps(viewer, offset=1)[0]["id"] == first["id"]
    with pytest.raises(ValidationError):
        planned.swaps(viewer, "maybe")


def test_swap_register(desk, planned, people):
    from desk_app.services.registers import Period

    swap = planned.request_swap(people["amy"], TOMORROW, "day", "amy", "cat", "trip")
    planned.decide_swap(people["boss"], swap["id"], True, "ok")
    register = desk.registers["shift_swaps"]
    count, rows = register.export_rows(people["amy"], Period(since=date(2026, 11, 2)))
    (cells,) = list(rows)
    assert count == 1 and cells[:5] == ["TB2026-0001", "2026-11-03", "day", "王芳", "cat"]
    assert cells[6] == "approved" and len(cells) == len(register.header())
    assert register.count(people["auditor"], register.period(Period(since=TOMORROW))) == 0
