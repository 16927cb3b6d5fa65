"""Holes found by the adversarial test of the handover (issue 13): what a holder of the
database file, a desk user or two desks at once tried, and what the app must do."""

from __future__ import annotations

from typing import Any

import pytest

from desk_app.domain.errors import Conflict, Tampered, ValidationError
from desk_app.forms.verify import verify_pdf
from desk_app.store.handover import ChecklistLine, Handover, HandoverEntry, RotaLine
from desk_app.store.models import User
from tests.conftest import PASSWORD, add_user
from tests.services.handover_helpers import make_crew, ready, state


@pytest.fixture
def crew(desk, admin, clock):
    return make_crew(desk, admin, clock)


def _pending(handover_id: int) -> bytes:
    return bytes(Handover.get_by_id(handover_id).pending_pdf)


def test_an_older_outgoing_form_put_back_is_not_taken_over(desk, crew):
    """The outgoing person signed, the signature was withdrawn by a flag, the record changed
    and was signed again; a database holder puts the first signed form back. The incoming
    person must not sign content the outgoing person no longer vouches for."""
    bob, amy = crew["bob"], crew["amy"]
    data = ready(desk, crew)
    desk.handovers.sign(bob, data["id"], PASSWORD)
    first = _pending(data["id"])
    desk.handovers.flag_equipment(amy, data["id"], "锅炉启动中")
    desk.handovers.flag_equipment(amy, data["id"], None)
    desk.handovers.add_entry(bob, data["id"], "problem", "锅炉启动时漏水", cause="阀门",
                             process="关阀", result="已修")
    desk.handovers.sign(bob, data["id"], PASSWORD)
    Handover.update(pending_pdf=first).where(Handover.id == data["id"]).execute()
    before = state()
    with pytest.raises(Tampered):
        desk.handovers.sign(amy, data["id"], PASSWORD)
    assert state() == before and Handover.get_by_id(data["id"]).status == "outgoing_signed"


def test_a_withdrawn_outgoing_signature_restored_is_not_taken_over(desk, crew):
    """A flag withdrew the outgoing signature; a holder sets the status back and restores the
    withdrawn form: the incoming person must not sign over it."""
    bob, amy = crew["bob"], crew["amy"]
    data = ready(desk, crew)
    desk.handovers.sign(bob, data["id"], PASSWORD)
    withdrawn = _pending(data["id"])
    desk.handovers.flag_equipment(amy, data["id"], "锅炉启动中")
    desk.handovers.flag_equipment(amy, data["id"], None)
    Handover.update(pending_pdf=withdrawn, status="outgoing_signed").where(
        Handover.id == data["id"]).execute()
    before = state()
    with pytest.raises(Tampered):
        desk.handovers.sign(amy, data["id"], PASSWORD)
    assert state() == before


def test_a_form_without_the_incoming_signature_is_not_countersigned(desk, crew):
    """Both signed; a holder puts the form signed by the outgoing person alone back: the
    supervisor must not lock a record whose form lacks the incoming signature."""
    bob, amy, sue = crew["bob"], crew["amy"], crew["sue"]
    data = ready(desk, crew)
    desk.handovers.sign(bob, data["id"], PASSWORD)
    outgoing_only = _pending(data["id"])
    desk.handovers.sign(amy, data["id"], PASSWORD)
    Handover.update(pending_pdf=outgoing_only).where(Handover.id == data["id"]).execute()
    before = state()
    with pytest.raises(Tampered):
        desk.handovers.countersign(sue, data["id"], PASSWORD)
    assert state() == before and Handover.get_by_id(data["id"]).status == "handed_over"


def test_another_handovers_form_is_not_countersigned(desk, crew, clock):
    """A holder swaps in a fully signed form of another handover by the same people."""
    bob, amy, sue = crew["bob"], crew["amy"], crew["sue"]
    data = ready(desk, crew)
    desk.handovers.sign(bob, data["id"], PASSWORD)
    desk.handovers.sign(amy, data["id"], PASSWORD)
    genuine = _pending(data["id"])
    assert verify_pdf(genuine, desk.keys.ca_certificate()).ok
    other = Handover.get_by_id(data["id"])
    Handover.update(pending_pdf=genuine + b"\n%junk\n").where(Handover.id == other.id).execute()
    before = state()
    with pytest.raises(Tampered):
        desk.handovers.countersign(sue, data["id"], PASSWORD)
    assert state() == before


def test_pdf_of_an_open_handover_with_a_swapped_form_is_refused(desk, crew):
    bob, amy = crew["bob"], crew["amy"]
    data = ready(desk, crew)
    desk.handovers.sign(bob, data["id"], PASSWORD)
    Handover.update(pending_pdf=_pending(data["id"]) + b"%x\n").where(
        Handover.id == data["id"]).execute()
    with pytest.raises(Tampered):
        desk.handovers.pdf(amy, data["id"])




def _rota_after(desk, who: str, admin) -> None:
    after = desk.shifts.following(desk.shifts.slot_now())
    RotaLine.create(day=after.day, shift=after.name, user=User.get(User.name == who).id,
                    created_by=admin.user_id, created_at=desk.ctx.clock.now())


def test_a_supervisor_handing_over_does_not_approve_their_own_substitute(desk, crew, admin):
    """R12: a substitute off the rota needs a supervisor's approval; the outgoing person who is
    also a supervisor cannot give it for their own handover (as with swaps: whoever asks or
    takes part does not decide)."""
    zoe = add_user(desk, admin, "zoe", "clerk,supervisor", "佐伊")
    _rota_after(desk, "amy", admin)
    data = desk.handovers.start(zoe, "amy")
    before = state()
    with pytest.raises(Conflict, match="not on the rota"):
        desk.handovers.flag_unfit(zoe, data["id"], "发烧", substitute="tom")
    with pytest.raises(Conflict, match="not on the rota"):  # naming oneself: the same
        desk.handovers.flag_unfit(crew["sue"], data["id"], "发烧", substitute="sue")
    assert state() == before
    shown = desk.handovers.flag_unfit(crew["sue"], data["id"], "发烧", substitute="tom")
    assert shown["substitute"]["name"] == "tom"



def test_rows_edited_after_the_outgoing_signature_are_not_taken_over(desk, crew):
    """A holder edits a counted line while the outgoing form waits for the incoming signature:
    the incoming person does not sign, the record says it changed, the PDF is still given."""
    bob, amy = crew["bob"], crew["amy"]
    data = ready(desk, crew)
    desk.handovers.sign(bob, data["id"], PASSWORD)
    assert not desk.handovers.show(amy, data["id"])["changed_since_signed"]
    ChecklistLine.update(found=7, discrepancy=True).where(
        (ChecklistLine.handover == data["id"]) & (ChecklistLine.no == 1)).execute()
    before = state()
    with pytest.raises(Tampered, match="after the outgoing person signed"):
        desk.handovers.sign(amy, data["id"], PASSWORD)
    assert state() == before
    assert desk.handovers.show(amy, data["id"])["changed_since_signed"]
    assert verify_pdf(desk.handovers.pdf(amy, data["id"]), desk.keys.ca_certificate()).ok


def test_a_locked_record_edited_in_the_database_says_so(desk, crew):
    bob, amy, sue = crew["bob"], crew["amy"], crew["sue"]
    data = ready(desk, crew)
    desk.handovers.add_entry(bob, data["id"], "unfinished", "归档未完成")
    desk.handovers.sign(bob, data["id"], PASSWORD)
    desk.handovers.sign(amy, data["id"], PASSWORD)
    desk.handovers.countersign(sue, data["id"], PASSWORD)
    signed = desk.handovers.pdf(sue, data["id"])
    assert not desk.handovers.show(sue, data["id"])["changed_since_signed"]
    HandoverEntry.update(text="一切正常").where(HandoverEntry.handover == data["id"]).execute()
    shown = desk.handovers.show(sue, data["id"])
    assert shown["changed_since_signed"] and shown["entries"][0]["text"] == "一切正常"
    assert desk.handovers.pdf(sue, data["id"]) == signed  # the record of truth, unchanged


# ------------------------------------------------------------ two desks at the same moment

def _race_worker(url: str, index: int, barrier, results) -> None:
    """Desk 0 and desk 1 each do their side of every race, released together."""
    from tests.desks import CLEAR, close_desk, first_line, open_desk

    out: dict[str, Any] = {}
    desk = None

    def call(op: str, fn) -> None:
        try:
            fn()
            out[op] = "ok"
        except CLEAR as error:
            out[op] = type(error).__name__
        except Exception as error:  # a defect
            out[op] = f"UNEXPECTED {type(error).__name__}: {first_line(error)}"

    try:
        desk, me = open_desk(url, ("sup0", "sup1")[index])
        bob, amy = desk.auth.login("bob", PASSWORD), desk.auth.login("amy", PASSWORD)
        swap = desk.shifts.swaps(me)[0]["id"]
        barrier.wait(timeout=120)
        call("decide", lambda: desk.shifts.decide_swap(me, swap, index == 0, f"desk {index}"))
        barrier.wait(timeout=120)
        handover = desk.handovers.current(me)["id"]
        barrier.wait(timeout=120)
        if index == 0:  # the outgoing signature against a flag from the incoming person
            call("sign", lambda: desk.handovers.sign(bob, handover, PASSWORD))
        else:
            call("flag", lambda: desk.handovers.flag_equipment(amy, handover, "锅炉启动"))
        barrier.wait(timeout=120)
        if index == 1:
            desk.handovers.flag_equipment(amy, handover, None)
        barrier.wait(timeout=120)
        if index == 0:  # the outgoing signature against a recount
            call("sign2", lambda: desk.handovers.sign(bob, handover, PASSWORD))
        else:
            call("recount", lambda: desk.handovers.count(amy, handover, 1, 0, "missing",
                                                         "不见了", recount=True))
    except Exception as error:
        out["desk"] = f"UNEXPECTED {type(error).__name__}: {first_line(error)}"
    finally:
        close_desk(desk)
        results.put((index, out))


def test_two_desks_decide_sign_flag_and_count_at_once(db_url):
    import multiprocessing
    from datetime import timedelta

    from desk_app.desk import Desk
    from desk_app.domain.clock import local_today
    from desk_app.services.handover import handover_queries as q
    from desk_app.store.handover import ShiftSwap

    desk = Desk.open(db_url, create=True)
    try:
        desk.users.create_first_admin("boss", PASSWORD, "Boss")
        admin = desk.auth.login("boss", PASSWORD)
        for name, roles in (("bob", "clerk"), ("amy", "clerk"), ("tom", "clerk"),
                            ("sup0", "supervisor"), ("sup1", "supervisor")):
            desk.users.add(admin, name, PASSWORD, roles)
        sup = desk.auth.login("sup0", PASSWORD)
        day = local_today(desk.ctx.clock.now()) + timedelta(days=3)
        desk.shifts.assign(sup, day, "day", ["bob"])
        desk.shifts.request_swap(desk.auth.login("bob", PASSWORD), day, "day", "bob", "tom",
                                 "家里有事")
        desk.equipment.add(sup, "K-1", "钥匙", "key")
        bob, amy = desk.auth.login("bob", PASSWORD), desk.auth.login("amy", PASSWORD)
        data = desk.handovers.start(bob, "amy")
        for line in data["lines"]:
            desk.handovers.count(amy, data["id"], line["no"], line["expected"])
    finally:
        desk.close()

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    processes = [ctx.Process(target=_race_worker, args=(db_url, i, barrier, results))
                 for i in range(2)]
    for process in processes:
        process.start()
    outs = {}
    try:
        while len(outs) < 2:
            index, out = results.get(timeout=240)
            outs[index] = out
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.terminate()
    assert not [v for out in outs.values() for v in out.values()
                if v.startswith("UNEXPECTED")], outs
    desk = Desk.open(db_url)
    try:
        assert [outs[0]["decide"], outs[1]["decide"]].count("ok") == 1, outs
        swap = ShiftSwap.get()
        assert swap.status == ("approved" if outs[0]["decide"] == "ok" else "refused")
        record = Handover.get()
        # whatever the order, the flag withdrew or prevented the signature, then was cleared
        assert outs[1]["flag"] == "ok", outs
        assert record.equipment_note is None
        if outs[0]["sign2"] == "ok":
            assert record.status == "outgoing_signed"
            assert not q.changed_since_signed(record), "signed content changed afterwards"
            assert outs[1]["recount"] != "ok" or \
                desk.handovers.pdf(desk.auth.login("sup0", PASSWORD), record.id)
        else:
            assert record.status == "preparing" and outs[1]["recount"] == "ok"
    finally:
        desk.close()


def test_a_refusal_deleted_from_a_locked_record_is_noticed(desk, crew):
    """The refusal is printed on the signed form; deleting its row marks the record."""
    from desk_app.services.handover.handovers import HandoverRefused
    from desk_app.store.handover import HandoverRefusal

    bob, amy, sue = crew["bob"], crew["amy"], crew["sue"]
    data = ready(desk, crew)
    desk.handovers.flag_equipment(amy, data["id"], "锅炉启动中")
    with pytest.raises(HandoverRefused):
        desk.handovers.sign(bob, data["id"], PASSWORD)
    desk.handovers.flag_equipment(amy, data["id"], None)
    for who in (bob, amy):
        desk.handovers.sign(who, data["id"], PASSWORD)
    desk.handovers.countersign(sue, data["id"], PASSWORD)
    assert not desk.handovers.show(sue, data["id"])["changed_since_signed"]
    HandoverRefusal.delete().where(HandoverRefusal.handover == data["id"]).execute()
    assert desk.handovers.show(sue, data["id"])["changed_since_signed"]


def test_clearing_a_flag_that_is_not_set_changes_nothing(desk, crew):
    """A flag call that changes nothing writes nothing — above all it does not withdraw the
    outgoing signature (anyone taking part could otherwise undo it at will)."""
    bob, amy = crew["bob"], crew["amy"]
    data = ready(desk, crew)
    desk.handovers.sign(bob, data["id"], PASSWORD)
    before = state()
    for call in (lambda: desk.handovers.flag_equipment(amy, data["id"], None),
                 lambda: desk.handovers.flag_unfit(amy, data["id"], None)):
        shown = call()
        assert shown["status"] == "outgoing_signed" and shown["outgoing_signed_at"]
    assert state() == before


def test_only_someone_who_may_work_a_handover_takes_over(desk, crew, admin):
    """An auditor or an admin as the incoming person or the substitute could neither count nor
    sign: the open handover would block every other one. Refused at once."""
    add_user(desk, admin, "aud", "auditor", "审计")
    bob = crew["bob"]
    before = state()
    for name in ("aud", "admin"):
        with pytest.raises(ValidationError, match="cannot take over"):
            desk.handovers.start(bob, name)
    assert state() == before
    data = desk.handovers.start(bob, "amy")
    before = state()
    with pytest.raises(ValidationError, match="cannot take over"):
        desk.handovers.flag_unfit(crew["sue"], data["id"], "发烧", substitute="aud")
    assert state() == before


def test_a_correction_before_the_lock_says_why(desk, crew):
    bob, amy = crew["bob"], crew["amy"]
    data = ready(desk, crew)
    for who in (bob, amy):
        desk.handovers.sign(who, data["id"], PASSWORD)
    before = state()
    with pytest.raises(ValidationError, match="countersign"):
        desk.handovers.correct(bob, data["id"], "更正")
    assert state() == before


def test_the_person_found_unfit_does_not_clear_the_flag_on_themselves(desk, crew):
    """R12 (4): the outgoing person finds the incoming one unfit (drink); the incoming person
    cannot simply declare themselves fit again — the one who flagged it or a supervisor can."""
    bob, amy, sue = crew["bob"], crew["amy"], crew["sue"]
    data = ready(desk, crew)
    desk.handovers.flag_unfit(bob, data["id"], "有酒味")
    before = state()
    with pytest.raises(ValidationError, match="unfit"):
        desk.handovers.flag_unfit(amy, data["id"], None)
    assert state() == before
    assert desk.handovers.flag_unfit(sue, data["id"], None)["unfit_note"] is None
    desk.handovers.flag_unfit(amy, data["id"], "我不舒服")  # flagged by herself: she may clear
    assert desk.handovers.flag_unfit(amy, data["id"], None)["unfit_note"] is None
