"""The handover's rules (issue 13): each R12 refusal alone and all together, recorded on the
record; the R12 flags and the substitute; role checks (R11); bad input leaves nothing
written; two desks counting the same line."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from desk_app.domain.errors import AuthenticationFailed, Conflict, PermissionDenied, ValidationError
from desk_app.services.handover.handovers import HandoverRefused
from desk_app.store.handover import ChecklistLine, HandoverRefusal
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD
from tests.services.handover_helpers import count_all, make_crew, ready, state


@pytest.fixture
def crew(desk, admin, clock):
    return make_crew(desk, admin, clock)


def _conditions(desk, crew, data, which):
    bob = crew["bob"]
    if "major_event" in which:
        desk.handovers.add_entry(bob, data["id"], "problem", "火警", cause="烟雾", process="疏散",
                                 result="处理中", major=True)
    if "equipment" in which:
        desk.handovers.flag_equipment(bob, data["id"], "发电机正在切换")
    if "preparation" in which:
        desk.handovers.add_entry(bob, data["id"], "problem", "门禁故障")  # no cause/process
    if "unfit" in which:
        desk.handovers.flag_unfit(bob, data["id"], "身体不适")


CONDITIONS = ("major_event", "equipment", "preparation", "unfit")


@pytest.mark.parametrize("which", [(c,) for c in CONDITIONS] + [CONDITIONS])
def test_each_refusal_alone_and_together_is_recorded(desk, crew, which):
    data = ready(desk, crew)
    _conditions(desk, crew, data, which)
    assert [b["code"] for b in desk.handovers.check(crew["bob"], data["id"])] == list(which)
    entries = AuditEntry.select().count()
    with pytest.raises(HandoverRefused) as refused:
        desk.handovers.sign(crew["bob"], data["id"], PASSWORD)
    assert isinstance(refused.value, Conflict)
    assert [b["code"] for b in refused.value.blockers] == list(which)
    for blocker in refused.value.blockers:
        assert blocker["message"] in str(refused.value)
    [row] = HandoverRefusal.select()
    assert [r["code"] for r in json.loads(row.reasons)] == list(which)
    assert row.by.name == "bob"
    last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert AuditEntry.select().count() == entries + 1 and last.action == "handover.refuse"
    shown = desk.handovers.show(crew["sue"], data["id"])
    assert shown["status"] == "preparing"
    assert [r["code"] for r in shown["refusals"][0]["reasons"]] == list(which)
    assert desk.handovers.page(crew["sue"], _filter(), 0, 1)[0]["refusals"] == 1


def _filter():
    from desk_app.services.handover.handovers import HandoverFilter

    return HandoverFilter()


def test_blockers_cleared_then_signed(desk, crew):
    bob = crew["bob"]
    data = ready(desk, crew)
    _conditions(desk, crew, data, CONDITIONS)
    desk.handovers.resolve(bob, data["id"], 1, "已扑灭")
    desk.handovers.flag_equipment(bob, data["id"], None)
    desk.handovers.edit_entry(bob, data["id"], 2, cause="线路", process="报修", result="待修")
    desk.handovers.flag_unfit(bob, data["id"], "身体不适", substitute="tom")
    # amy's counts do not stand for tom: he counts every line again himself, face to face
    (left,) = desk.handovers.check(bob, data["id"])
    assert left["code"] == "preparation" and "not counted: 1, 2" in left["message"]
    with pytest.raises(ValidationError, match="Only tom"):
        desk.handovers.count(crew["amy"], data["id"], 1, 1)
    count_all_again(desk, crew["tom"], desk.handovers.show(bob, data["id"]))
    assert desk.handovers.check(bob, data["id"]) == []
    desk.handovers.sign(bob, data["id"], PASSWORD)
    with pytest.raises(ValidationError, match="substitute signs"):
        desk.handovers.sign(crew["amy"], data["id"], PASSWORD)
    assert desk.handovers.sign(crew["tom"], data["id"], PASSWORD)["status"] == "handed_over"


def count_all_again(desk, who, data) -> None:
    for line in data["lines"]:
        desk.handovers.count(who, data["id"], line["no"], line["expected"])


def test_refused_at_the_incoming_signature_too(desk, crew):
    data = ready(desk, crew)
    desk.handovers.sign(crew["bob"], data["id"], PASSWORD)
    flagged = desk.handovers.flag_equipment(crew["amy"], data["id"], "空调机组启动中")
    assert flagged["status"] == "preparing"  # the outgoing signature is withdrawn
    assert flagged["outgoing_signed_at"] is None
    with pytest.raises(ValidationError, match=r"signs .* first"):
        desk.handovers.sign(crew["amy"], data["id"], PASSWORD)
    desk.handovers.flag_equipment(crew["amy"], data["id"], None)
    desk.handovers.sign(crew["bob"], data["id"], PASSWORD)
    # a count cannot change after the outgoing signature, a flag can (and withdraws it)
    with pytest.raises(Conflict):
        desk.handovers.count(crew["amy"], data["id"], 1, 5, recount=True)


def test_substitute_rules(desk, crew):
    bob, amy = crew["bob"], crew["amy"]
    data = desk.handovers.start(bob, "amy")
    before = state()
    with pytest.raises(ValidationError, match="unfit"):
        desk.handovers.flag_unfit(bob, data["id"], "不适", substitute="amy")  # the unfit one
    with pytest.raises(ValidationError, match="outgoing"):
        desk.handovers.flag_unfit(bob, data["id"], "不适", substitute="bob")
    with pytest.raises(ValidationError):
        desk.handovers.flag_unfit(bob, data["id"], "不适", substitute="nobody")
    with pytest.raises(ValidationError):
        desk.handovers.flag_unfit(bob, data["id"], None, substitute="tom")
    with pytest.raises(ValidationError):
        desk.handovers.flag_unfit(bob, data["id"], "  ")
    assert state() == before
    shown = desk.handovers.flag_unfit(bob, data["id"], "发烧", substitute="tom")
    assert shown["substitute"]["name"] == "tom" and shown["blockers"][0]["code"] == "preparation"
    with pytest.raises(ValidationError, match="Only tom"):
        desk.handovers.count(amy, data["id"], 1, 1)
    assert desk.handovers.count(crew["tom"], data["id"], 1, 1)["counted_by"] == "tom"


def test_role_checks(desk, crew):
    bob, amy, tom, sue = crew["bob"], crew["amy"], crew["tom"], crew["sue"]
    data = ready(desk, crew)
    before = state()
    with pytest.raises(ValidationError, match="Only amy"):
        desk.handovers.count(bob, data["id"], 1, 1, recount=True)  # only the incoming counts
    with pytest.raises(ValidationError, match="Only amy"):
        desk.handovers.count(sue, data["id"], 1, 1, recount=True)
    with pytest.raises(ValidationError, match="nobody signs for someone else"):
        desk.handovers.sign(tom, data["id"], PASSWORD)
    with pytest.raises(ValidationError, match="not a party"):
        desk.handovers.add_entry(tom, data["id"], "problem", "x")
    with pytest.raises(PermissionDenied):
        desk.handovers.countersign(bob, data["id"], PASSWORD)  # clerks do not countersign
    with pytest.raises(PermissionDenied):
        desk.handovers.start(crew["admin"], "amy")
    with pytest.raises(AuthenticationFailed):
        desk.handovers.sign(bob, data["id"], "wrong-password")
    assert state()[:5] == before[:5]  # (a wrong password is audited as such)
    desk.handovers.sign(bob, data["id"], PASSWORD)
    desk.handovers.sign(amy, data["id"], PASSWORD)
    before = state()
    with pytest.raises(PermissionDenied):
        desk.handovers.countersign(tom, data["id"], PASSWORD)  # only a supervisor
    assert state() == before
    assert desk.handovers.countersign(crew["ann"], data["id"], PASSWORD)["status"] == "locked"


def test_a_supervisor_who_took_part_does_not_countersign(desk, crew, admin):
    from tests.conftest import add_user

    boss = add_user(desk, admin, "boss", "clerk,supervisor", "老板")
    data = desk.handovers.start(boss, "amy")
    count_all(desk, crew["amy"], data)
    desk.handovers.sign(boss, data["id"], PASSWORD)
    desk.handovers.sign(crew["amy"], data["id"], PASSWORD)
    before = state()
    with pytest.raises(ValidationError, match="another supervisor"):
        desk.handovers.countersign(boss, data["id"], PASSWORD)
    assert state() == before


def test_bad_input_writes_nothing(desk, crew):
    bob, amy, sue = crew["bob"], crew["amy"], crew["sue"]
    data = desk.handovers.start(bob, "amy")
    desk.handovers.add_entry(bob, data["id"], "problem", "漏水", cause="a", process="b",
                             result="c")
    desk.handovers.count(amy, data["id"], 1, 1)
    before = state()
    bad = [
        (ValidationError, lambda: desk.handovers.count(amy, data["id"], 2, -1)),
        (ValidationError, lambda: desk.handovers.count(amy, data["id"], 2, "abc")),
        (ValidationError, lambda: desk.handovers.count(amy, data["id"], 2, "1.5")),
        (ValidationError, lambda: desk.handovers.count(amy, data["id"], 2, None)),
        (ValidationError, lambda: desk.handovers.count(amy, data["id"], 2, 1, "broken")),
        (ValidationError, lambda: desk.handovers.count(amy, data["id"], 99, 1)),
        (ValidationError, lambda: desk.handovers.edit_entry(bob, data["id"], 9, text="x")),
        (ValidationError, lambda: desk.handovers.resolve(bob, data["id"], 9, "x")),
        (ValidationError, lambda: desk.handovers.resolve(bob, data["id"], 1, " ")),
        (ValidationError, lambda: desk.handovers.add_entry(bob, data["id"], "gossip", "x")),
        (ValidationError, lambda: desk.handovers.add_entry(bob, data["id"], "problem", " ")),
        (ValidationError, lambda: desk.handovers.add_entry(bob, data["id"], "repair", "x",
                                                          major=True)),
        (ValidationError, lambda: desk.handovers.add_entry(bob, data["id"], "problem",
                                                          "x\x07")),
        (ValidationError, lambda: desk.handovers.edit_entry(bob, data["id"], 1)),
        (ValidationError, lambda: desk.handovers.sign(amy, data["id"], PASSWORD)),  # order
        (ValidationError, lambda: desk.handovers.countersign(sue, data["id"], PASSWORD)),
        (Conflict, lambda: desk.handovers.count(amy, data["id"], 1, 2)),  # counted already
        (ValidationError, lambda: desk.handovers.start(bob, "bob")),
        (ValidationError, lambda: desk.handovers.start(bob, "ghost")),
    ]
    for error, call in bad:
        with pytest.raises(error):
            call()
    assert state() == before


def test_signing_twice(desk, crew):
    data = ready(desk, crew)
    desk.handovers.sign(crew["bob"], data["id"], PASSWORD)
    before = state()
    with pytest.raises(Conflict, match=r"signed .* already"):
        desk.handovers.sign(crew["bob"], data["id"], PASSWORD)
    assert state() == before
    desk.handovers.sign(crew["amy"], data["id"], PASSWORD)
    before = state()
    for who in ("bob", "amy"):
        with pytest.raises(Conflict, match="signed by both"):
            desk.handovers.sign(crew[who], data["id"], PASSWORD)
    assert state() == before
    desk.handovers.countersign(crew["sue"], data["id"], PASSWORD)
    before = state()
    with pytest.raises(Conflict, match="countersigned already"):
        desk.handovers.countersign(crew["sue"], data["id"], PASSWORD)
    assert state() == before


def test_recount(desk, crew):
    amy = crew["amy"]
    data = desk.handovers.start(crew["bob"], "amy")
    desk.handovers.count(amy, data["id"], 1, 0, "missing", "没找到")
    line = desk.handovers.count(amy, data["id"], 1, 1, recount=True)
    assert line["found"] == 1 and not line["discrepancy"]
    last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert last.action == "handover.count" and json.loads(last.change)["after"]["recount"] is True


# ------------------------------------------------------------------ two desks


def _other_desk_counts(url: str, handover_id: int, found: int, results) -> None:
    from desk_app.domain.errors import Conflict as Clash
    from tests.desks import close_desk, first_line, open_desk

    desk = None
    try:
        desk, amy = open_desk(url, "amy")
        line = desk.handovers.count(amy, handover_id, 1, found)
        results.put(("counted", line["found"]))
    except Clash as error:
        results.put(("conflict", first_line(error)))
    except Exception as error:  # reported to the parent
        results.put((type(error).__name__, first_line(error)))
    finally:
        close_desk(desk)


def test_two_desks_counting_the_same_line(desk, crew, db_url):
    """Desk A shows the line uncounted; desk B (another process) counts it; A's count then
    gets a clear conflict naming B's count, which is kept."""
    amy = crew["amy"]
    data = desk.handovers.start(crew["bob"], "amy")
    shown = desk.handovers.show(amy, data["id"])
    assert shown["lines"][0]["found"] is None
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    process = ctx.Process(target=_other_desk_counts, args=(db_url, data["id"], 1, results))
    process.start()
    outcome = results.get(timeout=120)
    process.join(30)
    assert outcome == ("counted", 1)
    before = state()
    with pytest.raises(Conflict, match="counted already by amy") as clash:
        desk.handovers.count(amy, data["id"], 1, 0, "missing")
    assert "found 1" in str(clash.value)
    assert state() == before
    line = ChecklistLine.get((ChecklistLine.handover == data["id"]) & (ChecklistLine.no == 1))
    assert line.found == 1 and not line.discrepancy
