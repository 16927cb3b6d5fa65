"""The monthly service report (issue 18): every figure per agent and for the desk, counted
from entries made through the services in two months, checked by hand; the trend against the
month before; the signed PDF with charts (verified here and by ``pdfsig``), the XLSX; and bad
input that writes neither a file nor an audit entry."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desk_app.domain.errors import (
    AuthenticationFailed,
    PermissionDenied,
    TargetExists,
    ValidationError,
)
from desk_app.forms.verify import verify_pdf
from desk_app.store.models import AuditEntry
from desk_app.store.reception import CallBack, Complaint, ComplaintStaff
from tests.conftest import PASSWORD, add_user
from tests.services.documents_outgoing_helpers import pdfsig, text_of


@pytest.fixture
def people(desk, admin):
    return {"clerk": add_user(desk, admin, "wangfang", "clerk", "王芳"),
            "other": add_user(desk, admin, "sunli", "clerk", "孙丽"),
            "supervisor": add_user(desk, admin, "liqiang", "supervisor", "李强"),
            "auditor": add_user(desk, admin, "chenjing", "auditor", "陈静")}


def _entry(desk, clock, actor, answer_s: int, reply_s: int, channel: str = "visit") -> int:
    """One entry answered after ``answer_s`` seconds and resolved ``reply_s`` after arrival."""
    visit = desk.visits.open_visit(actor, channel, name="赵先生", request="咨询")
    clock.advance(seconds=answer_s)
    if channel != "phone_out":
        desk.visits.answer(actor, visit.id)
    clock.advance(seconds=reply_s - answer_s)
    desk.visits.resolve(actor, visit.id, "已答复")
    desk.visits.close_visit(actor, visit.id)
    return visit.id


def _complaint(clock, cause: str, *staff: str) -> None:
    """A complaint received now with its cause analysed (the report reads the rows only)."""
    row = Complaint.create(received_at=clock.now(), category="service_attitude",
                           description="态度不好", handler="liqiang",
                           promised_at=clock.now() + timedelta(hours=24), created_by="liqiang",
                           cause=cause)
    for name in staff:
        ComplaintStaff.create(complaint=row.id, user_name=name)


def _callback(clock, done_by: str, satisfaction: str, status: str = "done") -> None:
    CallBack.create(contact="13800000000", purpose="回访", due_at=clock.now(), handler=done_by,
                    status=status, done_at=clock.now(), done_by=done_by,
                    satisfaction=satisfaction, created_at=clock.now(), created_by=done_by)


def _at(clock, moment: datetime) -> None:
    assert moment >= clock.now()  # the audit trail's times only go forward
    clock.advance(seconds=(moment - clock.now()).total_seconds())


def _two_months(desk, clock, people) -> None:
    """November: wangfang's two visits (answers 5 s and 15 s, replies 4 and 40 minutes — a
    severe timeout), one call-back satisfied and one dissatisfied. December: wangfang's
    three entries (answers 5, 7, 9 s; replies 2, 3, 4 minutes; one outgoing call with no
    answer time), sunli's call (answer 20 s, reply 8 minutes: a minor timeout), a promise
    kept and one broken, two messages for sunli (one confirmed), two complaints (one names
    wangfang), three call-backs (two satisfied, one neutral) and one customer not reached."""
    clerk, other = people["clerk"], people["other"]
    _at(clock, datetime(2026, 11, 12, 2, 0))
    _entry(desk, clock, clerk, 5, 4 * 60)
    _entry(desk, clock, clerk, 15, 40 * 60)
    _callback(clock, "wangfang", "satisfied")
    _callback(clock, "wangfang", "dissatisfied")
    _at(clock, datetime(2026, 12, 10, 2, 0))
    _entry(desk, clock, clerk, 5, 2 * 60)
    _entry(desk, clock, clerk, 7, 3 * 60, channel="phone_in")
    _entry(desk, clock, clerk, 9, 4 * 60, channel="phone_out")
    _entry(desk, clock, other, 20, 8 * 60, channel="phone_in")
    kept = desk.visits.open_visit(clerk, "phone_in", name="钱女士", request="报修进度")
    desk.visits.answer(clerk, kept.id)
    desk.follow_up.promise_reply(clerk, kept.id, clock.now() + timedelta(hours=2))
    broken = desk.visits.open_visit(other, "phone_in", name="孙先生", request="账单")
    desk.visits.answer(other, broken.id)
    desk.follow_up.promise_reply(other, broken.id, clock.now() + timedelta(hours=1))
    clock.advance(minutes=90)
    desk.visits.resolve(clerk, kept.id, "已回复")
    first = desk.messages.take_message(clerk, "sunli", "周先生", "请回电")
    desk.messages.take_message(clerk, "sunli", "吴女士", "快递已到")
    desk.messages.confirm_message(other, first.id)
    _complaint(clock, "staff_conduct", "wangfang")
    _complaint(clock, "")
    _callback(clock, "wangfang", "very_satisfied")
    _callback(clock, "wangfang", "satisfied")
    _callback(clock, "sunli", "neutral")
    _callback(clock, "sunli", "", status="unreachable")
    _at(clock, datetime(2027, 1, 2, 3, 0))


def test_each_figure_per_agent_and_for_the_desk(desk, people, clock):
    _two_months(desk, clock, people)
    report = desk.service_reports.report(people["supervisor"], 2026, 12)
    assert report.complete and report.month_text == "2026-12" and report.number == "SVC-202612"
    assert [m.month for m in report.history] == [
        "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    agents = {line.user: line for line in report.agents()}
    assert [line.name for line in report.agents()] == ["孙丽", "王芳"]
    wang, sun, desk_figures = agents["wangfang"].figures, agents["sunli"].figures, report.desk
    # wangfang: 1 visit + 2 calls plus the promised call (answered at once, resolved at 90 min)
    assert (wang.visits, wang.calls) == (1, 3)
    assert sorted(wang.answer_times) == [0.0, 5.0, 7.0]  # the outgoing call has none
    assert wang.answer_median == 5.0 and wang.answer_p90 == 7.0
    assert sorted(wang.reply_times) == [120.0, 180.0, 240.0, 5400.0]
    assert wang.reply_median == 210.0 and wang.reply_p90 == 5400.0
    assert (wang.promises, wang.promises_kept) == (1, 1)
    assert (wang.complaints, wang.causes) == (1, {"staff_conduct": 1})
    assert (wang.callbacks, wang.reached, wang.satisfied) == (2, 2, 2)
    assert wang.satisfaction == 1.0
    # sunli: the call, a moderate timeout (answered after 20 s > 15 s); the promise broken
    assert (sun.visits, sun.calls, sun.timeouts) == (0, 2, {1: 0, 2: 1, 3: 0})
    assert (sun.promises, sun.promises_kept) == (1, 0)
    assert (sun.messages, sun.messages_confirmed) == (2, 1)
    assert (sun.callbacks, sun.reached, sun.satisfied) == (2, 1, 0)
    # the desk: everything once; the unanalysed complaint counted under ""
    assert desk_figures.entries == 6 and desk_figures.complaints == 2
    assert desk_figures.causes == {"staff_conduct": 1, "": 1}
    assert desk_figures.timeouts[3] == 1  # the promised call: 90 minutes
    assert (desk_figures.reached, desk_figures.satisfied) == (3, 2)
    november = report.history[-2].desk
    assert (november.entries, november.reply_median, november.timeouts[3]) == (2, 1320.0, 1)
    assert (november.reached, november.satisfied) == (2, 1)
    trend = {item.key: item for item in report.trend()}
    assert trend["entries"].percent == 200.0  # 2 → 6
    assert desk_figures.reply_median == 240.0  # 120, 180, 240, 480, 5400 seconds
    assert trend["reply_median"].percent == round(100 * (240 - 1320) / 1320, 1)
    assert trend["reply_median"].better is True
    assert trend["satisfaction"].points and trend["satisfaction"].percent == round(
        100 * (2 / 3 - 1 / 2), 1)
    assert trend["messages_confirmed"].percent is None  # none in November
    assert report.history[0].desk.entries == 0  # July: nothing yet


def test_the_month_in_progress_is_marked_and_a_future_one_refused(desk, people, clock):
    _two_months(desk, clock, people)
    supervisor = people["supervisor"]
    now = desk.service_reports.report(supervisor, 2027, 1)
    assert not now.complete and now.desk.entries == 0
    with pytest.raises(ValidationError, match="2027-02 has not begun"):
        desk.service_reports.report(supervisor, 2027, 2)
    with pytest.raises(ValidationError, match="YYYY-MM"):
        desk.service_reports.report(supervisor, 2026, 13)
    with pytest.raises(PermissionDenied):
        desk.service_reports.report(people["clerk"], 2026, 12)


def _writes() -> tuple[int, int]:
    return (AuditEntry.select().count(),
            AuditEntry.select().where(AuditEntry.action == "service_report.write").count())


def test_the_signed_pdf_with_charts_verifies_and_is_recorded(desk, people, clock, tmp_path):
    _two_months(desk, clock, people)
    auditor = people["auditor"]
    path = tmp_path / "service.pdf"
    published = desk.service_reports.write_report(auditor, 2026, 12, "pdf", path,
                                                  password=PASSWORD)
    pdf = path.read_bytes()
    report = verify_pdf(pdf, desk.keys.ca_certificate())
    assert report.ok and [s.field_name for s in report.signatures] == ["author"]
    entry = AuditEntry.select().where(AuditEntry.action == "service_report.write").get()
    after = json.loads(entry.change)["after"]
    assert entry.actor == "chenjing" and after["sha256"] == published.sha256
    assert published.sha256 == hashlib.sha256(pdf).hexdigest()
    assert (after["month"], after["format"], after["complete"]) == ("2026-12", "pdf", True)
    text = text_of(pdf)
    for expected in ("Monthlyservicereport", "SVC-202612", "王芳", "孙丽", "Wholedesk",
                     "Replytime(median)", "Complaintsbycause", "Timeoutsbylevelandmonth"):
        assert expected in text, expected
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                               check=True, timeout=60).stdout
        assert "Helvetica" not in fonts  # every chart text in the embedded CJK font
    assert "Signature is Valid" in pdfsig(pdf, desk.keys.ca_certificate(), tmp_path)


def test_the_xlsx_holds_numbers_and_native_charts(desk, people, clock, tmp_path):
    from openpyxl import load_workbook

    _two_months(desk, clock, people)
    path = tmp_path / "service.xlsx"
    desk.service_reports.write_report(people["supervisor"], 2026, 12, "xlsx", path)
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Per agent", "By month", "Complaints by cause"]
    agents = list(book["Per agent"].iter_rows(values_only=True))
    assert agents[0][:3] == ("Agent", "Calls", "Visits")
    assert [row[0] for row in agents[1:]] == ["孙丽", "王芳", "Whole desk"]
    wang = agents[2]
    assert wang[1:3] == (3, 1) and wang[5] == 3.5  # reply median 210 s in minutes
    months = list(book["By month"].iter_rows(values_only=True))
    assert [row[0] for row in months[1:]][-2:] == ["2026-11", "2026-12"]
    assert len(book["By month"]._charts) == 2


def test_bad_input_writes_no_file_and_no_entry(desk, people, clock, tmp_path, db_url):
    _two_months(desk, clock, people)
    supervisor = people["supervisor"]
    service = desk.service_reports
    before = _writes()
    cases = [
        (lambda: service.write_report(supervisor, 2026, 12, "docx", tmp_path / "a.docx"),
         ValidationError, "Unknown format"),
        (lambda: service.write_report(supervisor, 2026, 12, "pdf", tmp_path / "a.xlsx",
                                      password=PASSWORD), ValidationError, "must end in .pdf"),
        (lambda: service.write_report(supervisor, 2027, 3, "xlsx", tmp_path / "a.xlsx"),
         ValidationError, "has not begun"),
        (lambda: service.write_report(supervisor, 2026, 12, "pdf", tmp_path / "a.pdf",
                                      password="wrong"), AuthenticationFailed, "Wrong password"),
        (lambda: service.write_report(people["clerk"], 2026, 12, "xlsx",
                                      tmp_path / "a.xlsx"), PermissionDenied, "reception.report"),
        (lambda: service.write_report(supervisor, 2026, 12, "xlsx",
                                      tmp_path / "missing" / "a.xlsx"), ValidationError, "missing"),
    ]
    for call, error, words in cases:
        with pytest.raises(error, match=words):
            call()
    existing = tmp_path / "old.xlsx"
    existing.write_bytes(b"keep me")
    with pytest.raises(TargetExists):
        service.write_report(supervisor, 2026, 12, "xlsx", existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(InterruptedError):  # cancelled while reading the months
        service.write_report(supervisor, 2026, 12, "xlsx", tmp_path / "c.xlsx",
                             progress=lambda done, total: done < 3)
    if db_url.startswith("sqlite"):
        database = Path(desk.ctx.db.database)
        digest = hashlib.sha256(database.read_bytes()).hexdigest()
        with pytest.raises(ValidationError, match="database"):
            service.write_report(supervisor, 2026, 12, "xlsx", database, force=True)
        assert hashlib.sha256(database.read_bytes()).hexdigest() == digest
    assert _writes()[1] == before[1]  # no report recorded (a wrong password is, as a failure)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".xlsx",
                                                                       ".partial", ".docx")) \
        == ["old.xlsx"]


def test_charts_are_one_page_pdfs_in_the_embedded_font(desk, people, clock):
    _two_months(desk, clock, people)
    supervisor = people["supervisor"]
    report = desk.service_reports.report(supervisor, 2026, 12)
    charts = desk.service_reports.charts(supervisor, report)
    assert [key for key, _title, _pdf in charts] == [
        "times", "shares", "timeouts", "agents", "causes"]
    for _key, _title, pdf in charts:
        assert pdf.startswith(b"%PDF") and b"Helvetica" not in pdf
