"""The shift handover (issue 13; R8–R12): starting with the checklist from the register and
the template, counting face to face, the three signatures and the lock, the signed PDF,
carry-forward over three shifts, corrections as linked records, history and register."""

from __future__ import annotations

import shutil
import subprocess
import time as timer
from datetime import timedelta

import pytest

from desk_app.domain.errors import Conflict, ValidationError
from desk_app.forms.verify import verify_pdf
from desk_app.services.handover.handovers import HandoverFilter
from desk_app.store.archive import SignedDocument
from desk_app.store.handover import ChecklistLine, Equipment, Handover, RotaLine
from desk_app.store.models import AuditEntry, User
from tests.conftest import PASSWORD
from tests.services.handover_helpers import DAY, at_local, count_all, make_crew, ready, state


@pytest.fixture
def crew(desk, admin, clock):
    return make_crew(desk, admin, clock)


def test_start_builds_the_checklist_from_register_and_template(desk, crew):
    sue, bob = crew["sue"], crew["bob"]
    desk.handovers.add_template_line(sue, "值班日志", "document", 1)
    data = desk.handovers.start(bob, "amy")
    assert data["number"].startswith("JB2026-") and data["status"] == "preparing"
    assert data["shift"] == "day" and data["shift_day"] == DAY
    assert data["outgoing"] == {"name": "bob", "full_name": "鲍勃"}
    assert data["incoming"]["name"] == "amy" and data["supervisor"] is None
    lines = {line["label"]: line for line in data["lines"]}
    assert [line["no"] for line in data["lines"]] == [1, 2, 3, 4]
    assert lines["A4纸"]["expected"] == 10 and lines["A4纸"]["tag"] == "P-1"
    assert lines["对讲机"]["expected"] == 0 and lines["对讲机"]["out_with"].startswith("汤姆, due ")
    assert lines["值班日志"]["tag"] == "" and lines["值班日志"]["expected"] == 1
    assert all(line["found"] is None for line in data["lines"])
    assert [b["code"] for b in data["blockers"]] == ["preparation"]
    assert "1, 2, 3, 4" in data["blockers"][0]["message"]
    assert not data["late"] and data["scheduled_at"] > data["started_at"]
    last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert last.action == "handover.start"
    assert desk.handovers.current(crew["amy"])["id"] == data["id"]
    assert desk.handovers.line_for_tag(crew["amy"], data["id"], "k-101")["label"] == "样品室钥匙"


def test_only_one_open_handover(desk, crew):
    first = desk.handovers.start(crew["bob"], "amy")
    before = state()
    with pytest.raises(Conflict, match=first["number"]):
        desk.handovers.start(crew["tom"], "amy")
    assert state() == before


def test_incoming_not_on_rota_with_only_a_pending_swap(desk, crew):
    """R12: no swap without a supervisor's approval beforehand."""
    sue = crew["sue"]
    after = desk.shifts.following(desk.shifts.slot_now())
    RotaLine.create(day=after.day, shift=after.name, user=User.get(User.name == "tom").id,
                    created_by=sue.user_id, created_at=desk.ctx.clock.now())
    desk.shifts.request_swap(crew["tom"], after.day, after.name, "tom", "amy", "家里有事")
    before = state()
    with pytest.raises(Conflict, match="not on the rota") as refused:
        desk.handovers.start(crew["bob"], "amy")
    assert "waiting for a supervisor" in str(refused.value)
    assert state() == before
    assert desk.handovers.start(crew["bob"], "tom")["incoming"]["name"] == "tom"


def test_full_handover_three_signatures_and_the_pdf(desk, crew, clock, tmp_path):
    bob, amy, sue = crew["bob"], crew["amy"], crew["sue"]
    data = desk.handovers.start(bob, "amy")
    desk.handovers.add_entry(bob, data["id"], "problem", "三楼漏水", cause="水管老化",
                             process="报修并关闭阀门", result="已修复")
    desk.handovers.add_entry(bob, data["id"], "instruction", "明早九点消防检查")
    radio = desk.handovers.line_for_tag(amy, data["id"], "R-1")
    line = desk.handovers.count(amy, data["id"], 1, "0", "missing", "找不到")
    assert line["discrepancy"] and line["counted_by"] == "amy"
    assert desk.handovers.summary(sue)["discrepancies"] == 1
    count_all(desk, amy, desk.handovers.show(amy, data["id"]))
    assert desk.handovers.check(bob, data["id"]) == []
    signed = desk.handovers.sign(bob, data["id"], PASSWORD)
    assert signed["status"] == "outgoing_signed" and signed["outgoing_signed_at"]
    at_local(clock, DAY, 17, 40)  # after the scheduled end: late
    taken = desk.handovers.sign(amy, data["id"], PASSWORD)
    assert taken["status"] == "handed_over" and taken["late"]
    assert Handover.get_by_id(data["id"]).open_slot is None
    assert desk.handovers.current(sue) is None
    assert desk.handovers.summary(sue)["awaiting_countersign"] == 1
    locked = desk.handovers.countersign(sue, data["id"], PASSWORD)
    assert locked["status"] == "locked" and locked["supervisor"]["name"] == "sue"
    assert locked["document_no"] == data["number"] and locked["locked_at"]
    assert Handover.get_by_id(data["id"]).pending_pdf is None
    assert SignedDocument.get(SignedDocument.record_no == data["number"]).kind == "handover"
    assert desk.handovers.summary(sue)["discrepancies"] == 0
    pdf = desk.handovers.pdf(amy, data["id"])
    report = verify_pdf(pdf, desk.keys.ca_certificate())
    assert report.ok and [s.field_name for s in report.signatures] == \
        ["outgoing", "incoming", "supervisor"]
    assert all(s.intact and s.trusted for s in report.signatures)
    assert radio["expected"] == 0
    if shutil.which("pdfsig") and shutil.which("certutil"):
        path = tmp_path / "handover.pdf"
        path.write_bytes(pdf)
        nss = tmp_path / "nss"
        nss.mkdir()
        (tmp_path / "ca.pem").write_bytes(desk.keys.ca_certificate())
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True,
                       capture_output=True, timeout=60)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "desk-ca", "-t", "C,C,C",
                        "-a", "-i", str(tmp_path / "ca.pem")], check=True, capture_output=True,
                       timeout=60)
        done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)],
                              capture_output=True, text=True, timeout=60, check=True)
        assert done.stdout.count("Signature is Valid") == 3


def test_lock_after_countersign_and_corrections(desk, crew):
    bob, amy, sue = crew["bob"], crew["amy"], crew["sue"]
    data = ready(desk, crew)
    desk.handovers.add_entry(bob, data["id"], "unfinished", "归档未完成")
    desk.handovers.sign(bob, data["id"], PASSWORD)
    desk.handovers.sign(amy, data["id"], PASSWORD)
    desk.handovers.countersign(sue, data["id"], PASSWORD)
    before = state()
    for attempt in (
            lambda: desk.handovers.add_entry(bob, data["id"], "problem", "x"),
            lambda: desk.handovers.edit_entry(bob, data["id"], 1, text="y"),
            lambda: desk.handovers.resolve(bob, data["id"], 1, "done"),
            lambda: desk.handovers.count(amy, data["id"], 1, 1, recount=True),
            lambda: desk.handovers.flag_equipment(bob, data["id"], "发电机切换"),
            lambda: desk.handovers.flag_unfit(bob, data["id"], "不适"),
            lambda: desk.handovers.sign(amy, data["id"], PASSWORD),
            lambda: desk.handovers.countersign(crew["ann"], data["id"], PASSWORD)):
        with pytest.raises(Conflict):
            attempt()
    assert state() == before
    pdf = desk.handovers.pdf(sue, data["id"])
    corrected = desk.handovers.correct(sue, data["id"], "第3行实为2份")
    assert corrected["corrections"][0]["text"] == "第3行实为2份"
    assert corrected["corrections"][0]["by"] == "苏珊"
    assert desk.handovers.pdf(sue, data["id"]) == pdf  # the signed form is unchanged
    with pytest.raises(ValidationError):
        desk.handovers.correct(crew["tom"], data["id"], "not mine")  # no party


def test_correcting_an_open_handover_is_refused(desk, crew):
    data = desk.handovers.start(crew["bob"], "amy")
    before = state()
    with pytest.raises(ValidationError, match="can still be changed"):
        desk.handovers.correct(crew["bob"], data["id"], "x")
    assert state() == before


def _hand_over(desk, crew, outgoing, incoming, data=None) -> dict:
    data = data or desk.handovers.start(crew[outgoing], incoming)
    count_all(desk, crew[incoming], desk.handovers.show(crew[incoming], data["id"]))
    desk.handovers.sign(crew[outgoing], data["id"], PASSWORD)
    return desk.handovers.sign(crew[incoming], data["id"], PASSWORD)


def test_carry_forward_over_three_shifts(desk, crew, clock):
    bob, amy = crew["bob"], crew["amy"]
    first = desk.handovers.start(bob, "amy")
    desk.handovers.add_entry(bob, first["id"], "instruction", "周五前交报表")
    desk.handovers.add_entry(bob, first["id"], "repair", "电梯维修中")
    desk.handovers.add_entry(bob, first["id"], "problem", "已处理的投诉", cause="噪音",
                             process="沟通", result="已解决", resolved=True)
    _hand_over(desk, crew, "bob", "amy", first)

    at_local(clock, DAY, 23, 0)  # the night shift: amy hands over to bob
    second = desk.handovers.start(amy, "bob")
    assert [(e["text"], e["carried_from"]) for e in second["entries"]] == [
        ("周五前交报表", first["number"]), ("电梯维修中", first["number"])]
    desk.handovers.resolve(amy, second["id"], 2, "电梯已修好")
    desk.handovers.add_entry(amy, second["id"], "unfinished", "夜班登记未完")
    _hand_over(desk, crew, "amy", "bob", second)

    at_local(clock, DAY + timedelta(days=1), 12, 0)  # the next day shift
    third = desk.handovers.start(bob, "amy")
    assert [(e["no"], e["text"], e["carried_from"]) for e in third["entries"]] == [
        (1, "周五前交报表", first["number"]), (2, "夜班登记未完", second["number"])]
    assert not any(e["resolved"] for e in third["entries"])


def test_history_page_filter_register_and_summary(desk, crew, clock, tmp_path):
    sue = crew["sue"]
    done = _hand_over(desk, crew, "bob", "amy")
    at_local(clock, DAY, 23, 0)
    open_ = desk.handovers.start(crew["amy"], "bob")
    desk.handovers.count(crew["bob"], open_["id"], 1, 3)  # a discrepancy
    rows = desk.handovers.page(sue, HandoverFilter(), 0, 10)
    assert [r["number"] for r in rows] == [open_["number"], done["number"]]
    assert {"id", "shift", "outgoing", "incoming", "supervisor", "status", "started_at",
            "locked_at", "discrepancies", "refusals", "late"} <= rows[0].keys()
    assert rows[0]["discrepancies"] == 1 and rows[1]["status"] == "handed_over"
    assert desk.handovers.count_history(sue, HandoverFilter(discrepancies_only=True)) == 1
    assert desk.handovers.count_history(sue, HandoverFilter(status="handed_over")) == 1
    assert desk.handovers.count_history(sue, HandoverFilter(person="tom")) == 0
    assert desk.handovers.count_history(sue, HandoverFilter(text=done["number"][-4:])) == 1
    summary = desk.handovers.summary(sue)
    assert summary["open"]["number"] == open_["number"]
    assert summary["awaiting_countersign"] == 1 and summary["discrepancies"] == 1
    register = desk.registers["handovers"]
    assert register.count(sue, HandoverFilter()) == 2
    assert register.cells(register.page(sue, HandoverFilter(), 0, 1)[0])[0] == open_["number"]
    out = tmp_path / "handovers.csv"
    desk.exports.export(crew["admin"], "handovers", None, None, "csv", out)
    assert done["number"] in out.read_text(encoding="utf-8-sig")


def test_template_lines(desk, crew):
    sue = crew["sue"]
    line = desk.handovers.add_template_line(sue, "表格一盒", "supply", "2")
    assert desk.handovers.template_lines(crew["bob"]) == [line]
    before = state()
    for bad in ((" ", "supply", 1), ("x", "nope", 1), ("x", "supply", "0"),
                ("x", "supply", "-1")):
        with pytest.raises(ValidationError):
            desk.handovers.add_template_line(sue, *bad)
    assert state() == before
    desk.handovers.remove_template_line(sue, line["id"])
    assert desk.handovers.template_lines(sue) == []


def test_300_lines_start_show_and_count_fast(desk, crew):
    now = desk.ctx.clock.now()
    Equipment.insert_many([{"tag": f"S-{n:03d}", "name": f"物品{n}", "kind": "supply",
                            "count": 2, "created_at": now} for n in range(300)]).execute()
    data = desk.handovers.start(crew["bob"], "amy")
    assert len(data["lines"]) == 303
    began = timer.perf_counter()
    desk.handovers.show(crew["amy"], data["id"])
    shown = timer.perf_counter() - began
    began = timer.perf_counter()
    desk.handovers.count(crew["amy"], data["id"], 150, 2)
    counted = timer.perf_counter() - began
    assert shown < 0.4 and counted < 0.1, (shown, counted)  # 200 ms / 30 ms with slack
    assert ChecklistLine.select().where(ChecklistLine.found.is_null(False)).count() == 1
