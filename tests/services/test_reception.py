"""Reception service: script versions, the log with timers and escalation, call-backs,
complaints and their PDF/XLSX outputs. One write = one audit entry."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from desk_app.demo.reception import generate_reception
from desk_app.domain.errors import Conflict, ValidationError
from desk_app.domain.reception import LANGS, SITUATIONS, Channel, Level, MissingValues
from desk_app.services.reception.phrases import ForbiddenPhraseFound, default_library
from desk_app.services.reception.views import VisitFilter
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user


@pytest.fixture
def clerk(desk, admin):
    return add_user(desk, admin, "wangfang", "clerk", "王芳")


@pytest.fixture
def supervisor(desk, admin):
    return add_user(desk, admin, "zhoumin", "supervisor", "周敏")


def audit_count() -> int:
    return AuditEntry.select().count()


def test_every_situation_has_a_script_in_every_language():
    for lang in LANGS:
        data = default_library(lang)
        situations = {item["situation"] for item in data["scripts"]}
        assert situations == {s.key for s in SITUATIONS}, lang
    keys = [{item["key"] for item in default_library(lang)["scripts"]} for lang in LANGS]
    assert keys[0] == keys[1] == keys[2]


def test_defaults_are_seeded_once_and_are_clean(desk, clerk):
    from desk_app.services.reception.phrases import check_text

    scripts = desk.scripts.scripts(clerk)
    assert len(scripts) == 3 * len(default_library("en")["scripts"])
    assert all(s.version == 1 and s.created_by == "system" for s in scripts)
    assert [s for s in scripts if check_text(s.text)] == []
    before = audit_count()
    desk.scripts.scripts(clerk, "zh_TW")
    assert audit_count() == before


def test_edit_makes_a_new_version_and_keeps_the_old(desk, admin, clerk, clock):
    desk.scripts.scripts(admin)
    clock.advance(minutes=5)
    before = audit_count()
    view = desk.scripts.save_script(admin, "visitor.greet", "zh_CN",
                                      "{time_greeting}！欢迎来到{company}。")
    assert view.version == 2 and view.created_by == "admin"
    assert audit_count() == before + 1
    history = desk.scripts.history(clerk, "visitor.greet", "zh_CN")
    assert [h.version for h in history] == [2, 1]
    assert history[1].text.startswith("{time_greeting}！欢迎光临")
    assert history[0].created_at == clock.now()
    assert desk.scripts.script(clerk, "visitor.greet", "zh_CN").version == 2
    # unchanged text: no new version, no audit entry
    desk.scripts.save_script(admin, "visitor.greet", "zh_CN", view.text)
    assert audit_count() == before + 1


def test_edit_refuses_unknown_placeholders_forbidden_phrases_and_clerks(desk, admin, clerk):
    from desk_app.domain.errors import PermissionDenied

    with pytest.raises(ValidationError, match="callr"):
        desk.scripts.save_script(admin, "visitor.greet", "en", "Hello {callr}")
    with pytest.raises(ForbiddenPhraseFound) as found:
        desk.scripts.save_script(admin, "visitor.greet", "zh_TW", "這個我們沒做過")
    assert "這項服務" in str(found.value)
    with pytest.raises(PermissionDenied):
        desk.scripts.save_script(clerk, "visitor.greet", "en", "Hello")
    with pytest.raises(ValidationError):
        desk.scripts.save_script(admin, "new.script", "en", "Hello")  # no situation
    new = desk.scripts.save_script(admin, "visitor.parcel", "en", "Your parcel is here.",
                                     "Parcel", "visitor.offer_help")
    assert new.version == 1


def test_render_fills_automatic_values_and_names_missing_ones(desk, clerk, monkeypatch):
    text = desk.scripts.render(clerk, "phone.answer", "zh_CN")
    assert "示例物业服务有限公司" in text and "王芳" in text
    with pytest.raises(MissingValues) as error:
        desk.scripts.render(clerk, "phone.not_available", "en")
    assert error.value.names == ["caller_title", "caller"]
    text = desk.scripts.render(clerk, "phone.not_available", "en",
                                 {"caller": "Li", "caller_title": "Ms"})
    assert text.startswith("Ms Li, ")


def test_visit_log_timers_and_escalation(desk, clerk, supervisor, clock):
    visit = desk.visits.open_visit(clerk, "visit", name="李", caller_title="先生",
                                      request="办理门禁卡")
    call = desk.visits.open_visit(clerk, Channel.PHONE_IN)
    assert [v.id for v in desk.visits.current_visitors(clerk)] == [visit.id]
    clock.advance(seconds=5)
    visit = desk.visits.answer(clerk, visit.id)
    clock.advance(seconds=7)  # the phone rang 12 s: minor
    call = desk.visits.answer(clerk, call.id)
    assert call.timeout_level is Level.MINOR
    with pytest.raises(Conflict):
        desk.visits.answer(clerk, call.id)
    clock.advance(minutes=3)
    call = desk.visits.close_visit(clerk, call.id, "已解答")
    assert call.timeout_level is Level.MINOR and call.resolved_at == clock.now()
    clock.advance(minutes=8)  # the visitor has waited 11 min for a reply: moderate
    assert desk.visits.sweep_timeouts(clerk) == []
    assert desk.visits.get_visit(clerk, visit.id).timeout_level is Level.MODERATE
    before = audit_count()
    assert desk.visits.sweep_timeouts(clerk) == []  # nothing new: no write
    assert audit_count() == before
    clock.advance(minutes=20)  # 31 min: severe, escalated to the supervisor
    escalated = desk.visits.sweep_timeouts(clerk)
    assert [v.id for v in escalated] == [visit.id]
    assert audit_count() == before + 1
    assert [v.id for v in desk.visits.escalations(supervisor)] == [visit.id]
    desk.timeouts.review(supervisor, visit.id, cause="staff", responsible="wangfang",
                         cause_text="已面谈当班人员")
    reviewed = desk.visits.get_visit(clerk, visit.id)
    assert reviewed.reviewed_by == "zhoumin" and reviewed.review_note == "已面谈当班人员"
    assert desk.visits.escalations(supervisor) == []
    closed = desk.visits.close_visit(clerk, visit.id)
    assert closed.ended_at == clock.now() and desk.visits.current_visitors(clerk) == []
    assert desk.visits.count_visits(clerk, VisitFilter(channel=Channel.VISIT)) == 1
    assert desk.visits.count_visits(clerk, VisitFilter(text="门禁")) == 1


def test_targets_come_from_settings(desk, admin, clerk, clock):
    desk.settings.set_many(admin, {"reception_answer_seconds": 20,
                                   "reception_answer_moderate_seconds": 40})
    call = desk.visits.open_visit(clerk, "phone_in")
    clock.advance(seconds=15)
    assert desk.visits.answer(clerk, call.id).timeout_level is Level.NONE


def test_notes_are_checked_for_forbidden_phrases(desk, clerk):
    visit = desk.visits.open_visit(clerk, "phone_in", name="钱", request="报修")
    before = audit_count()
    with pytest.raises(ForbiddenPhraseFound) as error:
        desk.visits.resolve(clerk, visit.id, "客户问的事情我不清楚")
    assert error.value.field == "result" and "我帮您查询" in str(error.value)
    assert audit_count() == before
    assert desk.visits.get_visit(clerk, visit.id).resolved_at is None
    visit = desk.visits.open_visit(clerk, "phone_in", request="客户说之前被告知“不清楚”")
    with pytest.raises(ForbiddenPhraseFound):
        desk.visits.update_visit(clerk, visit.id, result="没办法")
    desk.visits.update_visit(clerk, visit.id, name="赵", contact="13800000000")
    assert desk.visits.get_visit(clerk, visit.id).name == "赵"


def test_callbacks_and_record_form(desk, clerk, clock, tmp_path):
    visit = desk.visits.open_visit(clerk, "phone_in", name="王", request="报修水管")
    due = clock.now() + timedelta(days=1)
    callback = desk.callbacks.schedule_callback(clerk, "13800000000", "回访维修结果", due,
                                                name="王", caller_title="女士",
                                                visit_id=visit.id)
    assert [c.id for c in desk.callbacks.callbacks(clerk, pending_only=True)] == [callback.id]
    with pytest.raises(ValidationError):
        desk.callbacks.schedule_callback(clerk, "1", "x", clock.now() - timedelta(hours=1))
    clock.advance(days=1)
    done = desk.callbacks.record_callback(clerk, callback.id, "已修好，业主满意", "satisfied")
    assert done.status == "done" and done.done_by == "wangfang"
    assert desk.callbacks.callbacks(clerk, pending_only=True) == []
    unsigned = desk.callbacks.callback_form(clerk, callback.id)
    assert unsigned.startswith(b"%PDF")
    signed = desk.callbacks.callback_form(clerk, callback.id, password=PASSWORD)
    from desk_app.services.exports import verify_pdf_file

    path = tmp_path / "cb.pdf"
    path.write_bytes(signed)
    report = verify_pdf_file(path, desk.keys.ca_certificate())
    assert report.ok
    assert [s.signer_user for s in report.signatures] == ["wangfang"]


def test_complaints_and_monthly_statistics(desk, clerk, clock, tmp_path):
    first = desk.complaints.add_complaint(clerk, "repairs", "报修三天未上门", "刘先生")
    second = desk.complaints.add_complaint(clerk, "repairs", "维修后仍漏水")
    desk.complaints.add_complaint(clerk, "noise", "夜间施工")
    assert first.promised_at == clock.now() + timedelta(hours=24)
    with pytest.raises(ValidationError):
        desk.complaints.add_complaint(clerk, "weather", "太热")
    clock.advance(hours=2)
    desk.complaints.reply_complaint(clerk, first.id, "已安排师傅上门")
    clock.advance(hours=30)
    late = desk.complaints.reply_complaint(clerk, second.id, "已更换水管")
    assert late.on_time is False
    local = (clock.now()).date()
    stats = desk.complaints.complaint_stats(clerk, local.year, local.month)
    repairs = next(r for r in stats.rows if r.category == "repairs")
    assert (repairs.total, repairs.replied, repairs.on_time, repairs.open) == (2, 2, 1, 0)
    assert stats.total is not None and stats.total.total == 3 and stats.total.open == 1
    xlsx = desk.complaints.export_complaint_stats(clerk, local.year, local.month, "xlsx",
                                                 tmp_path / "stats.xlsx")
    import openpyxl  # a dependency of the app (XLSX exports): missing means broken
    sheet = openpyxl.load_workbook(xlsx.path).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[4 + 1][:5] == ["Repairs and maintenance", 2, 2, 1, 0]
    assert values[-1][:2] == ["Total", 3]
    pdf = desk.complaints.export_complaint_stats(clerk, local.year, local.month, "pdf",
                                                tmp_path / "stats.pdf", password=PASSWORD)
    assert pdf.path.read_bytes().startswith(b"%PDF")
    with pytest.raises(ValidationError):
        desk.complaints.export_complaint_stats(clerk, local.year, local.month, "doc",
                                              tmp_path / "x.doc")


def test_exports_of_visits_and_complaints(desk, clerk, tmp_path):
    desk.visits.open_visit(clerk, "visit", name="陈", request="领取快递")
    desk.complaints.add_complaint(clerk, "parking", "车位被占")
    before = audit_count()
    result = desk.exports.export(clerk, "visits", None, None, "csv", tmp_path / "v.csv")
    assert result.rows == 1 and "领取快递" in result.path.read_text(encoding="utf-8-sig")
    assert audit_count() == before + 1
    pdf = desk.exports.export(clerk, "complaints", None, None, "pdf", tmp_path / "c.pdf",
                              password=PASSWORD)
    assert pdf.rows == 1 and pdf.path.read_bytes().startswith(b"%PDF")
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert entry.action == "export.complaints" and json.loads(entry.change)["after"]["format"] == "pdf"


def test_demo_data(sqlite_desk, clock):
    sqlite_desk.users.create_first_admin("admin", PASSWORD)
    admin = sqlite_desk.auth.login("admin", PASSWORD)
    before = audit_count()
    added = generate_reception(sqlite_desk.demo, admin, random.Random(1), 1)
    assert added > 700 and audit_count() == before + 1
    auditor = add_user(sqlite_desk, admin, "chenjing", "auditor")
    assert sqlite_desk.visits.count_visits(auditor) == added
    assert len(sqlite_desk.visits.current_visitors(auditor)) == 3
    today = clock.now().date()
    month = (today.replace(day=1) - timedelta(days=1))
    stats = sqlite_desk.complaints.complaint_stats(auditor, month.year, month.month)
    assert stats.total is not None and stats.total.total > 0
