"""Records that match what happened (issue 8, R7, R16): reads never write, secret views are
recorded once per opening, signatures are recorded, loans of sealed files stay sealed, and
every export is recorded only once its file is complete."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import pytest

from desk_app.domain.errors import AuthenticationFailed, NotFound, PermissionDenied, ValidationError
from desk_app.domain.reception import Channel
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.store.archive import Item
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user


def entries(action: str | None = None) -> int:
    query = AuditEntry.select()
    if action:
        query = query.where(AuditEntry.action == action)
    return query.count()


def last() -> AuditEntry:
    return AuditEntry.select().order_by(AuditEntry.seq.desc()).first()


@pytest.fixture
def staff(desk, admin):
    return {
        "clerk": add_user(desk, admin, "clerk1", "clerk", "王芳"),
        "auditor": add_user(desk, admin, "audit1", "auditor", "陈静"),
        "personnel": add_user(desk, admin, "hr1", "personnel", "刘洋"),
        "borrower": add_user(desk, admin, "borrower1", "manager", "张伟"),
    }


def _item(desk, clerk, title: str, level: str) -> str:
    return desk.archive.add_item(clerk, title=title, kind="BG", dept="GC", level=level).ref


def _set_level(ref: str, level: str) -> None:
    """Secret items cannot be lent before approvals exist; the tests lend an internal one
    and seal it afterwards, as an approval or a re-classification will."""
    Item.update(level=level).where(Item.ref == ref).execute()


# ------------------------------------------------------------------------ reads never write


def test_reading_the_script_library_writes_nothing(desk, staff):
    """The library is seeded when the database is created (Desk.open), not on a read."""
    assert entries("script.seed") == 1
    before = entries()
    desk.scripts.scripts(staff["clerk"], "zh_CN")
    desk.scripts.script(staff["clerk"], "visitor.greet", "en")
    desk.scripts.history(staff["clerk"], "visitor.greet", "en")
    desk.scripts.render(staff["clerk"], "visitor.greet", "en", {"name": "Li"})
    assert entries() == before


def test_an_edit_that_changes_nothing_records_nothing(desk, staff):
    visit = desk.visits.open_visit(staff["clerk"], Channel.VISIT, name="李先生", request="咨询")
    before = entries()
    desk.visits.update_visit(staff["clerk"], visit.id, name="李先生", request="咨询")
    assert entries() == before
    desk.visits.update_visit(staff["clerk"], visit.id, request="咨询停车")
    assert entries() == before + 1 and last().action == "visit.edit"


def test_history_checks_permission_before_anything_is_recorded(desk, admin, staff):
    """The admin may see the catalogue but not loans: refused before a secret view is
    recorded (it used to record the view, then refuse)."""
    ref = _item(desk, staff["clerk"], "机密纪要", "secret")
    before = entries()
    with pytest.raises(PermissionDenied):
        desk.archive.history(admin, ref)
    assert entries() == before


# ------------------------------------------------------------------------ R7: secret views


def test_opening_a_secret_item_is_one_record_per_opening(desk, staff):
    clerk = staff["clerk"]
    ref = _item(desk, clerk, "总经理办公会会议纪要", "secret")
    public = _item(desk, clerk, "公开通知", "public")
    before = entries("item.view_secret")
    view, history = desk.archive.open_item(clerk, ref)
    assert view.ref == ref and history == []
    assert entries("item.view_secret") == before + 1
    recorded = json.loads(last().change)["after"]
    assert recorded == {"refs": [ref], "via": "detail"}
    desk.archive.open_item(clerk, public)
    assert entries("item.view_secret") == before + 1  # public items are not recorded
    desk.archive.get(clerk, ref)
    assert entries("item.view_secret") == before + 2


def test_labels_for_many_secret_items_are_one_record(desk, staff):
    clerk = staff["clerk"]
    refs = [_item(desk, clerk, f"机密 {n}", "secret") for n in range(30)]
    refs += [_item(desk, clerk, f"公开 {n}", "public") for n in range(5)]
    before = entries()
    pdf = desk.labels.labels_pdf(clerk, refs, sheet="L7163")
    assert pdf.startswith(b"%PDF")
    assert entries() == before + 1
    assert sorted(json.loads(last().change)["after"]["refs"]) == sorted(refs[:30])


def test_a_slip_with_a_secret_item_is_a_recorded_view(desk, staff):
    clerk = staff["clerk"]
    ref = _item(desk, clerk, "内部规划", "internal")
    slip = desk.loans.lend(clerk, [ref], BorrowerInput(user_name="borrower1"), "审阅")
    _set_level(ref, "secret")
    before = entries("item.view_secret")
    assert desk.loans.slip(clerk, slip["id"])["items"][0]["ref"] == ref
    assert entries("item.view_secret") == before + 1
    assert json.loads(last().change)["after"]["via"] == "slip"


# ------------------------------------------------------------------------ R6 on loans


def test_loans_of_personnel_files_are_sealed_like_the_files(desk, admin, staff, tmp_path):
    clerk = staff["clerk"]
    hr = add_user(desk, admin, "hr2", "clerk,personnel", "人事兼文员")
    ref = _item(desk, clerk, "员工档案借阅", "internal")
    other = _item(desk, clerk, "公开通知", "public")
    slip = desk.loans.lend(clerk, [ref], BorrowerInput(user_name="borrower1"), "核对")
    desk.loans.lend(clerk, [other], BorrowerInput(user_name="borrower1"), "阅读")
    _set_level(ref, "personnel")
    everything = LoanFilter()
    assert desk.loans.count(clerk, everything) == 1
    assert [row["ref"] for row in desk.loans.page(clerk, everything, 0, 10)] == [other]
    assert desk.loans.count(hr, everything) == 2
    with pytest.raises(NotFound):
        desk.loans.slip(clerk, slip["id"])
    out = tmp_path / "loans.csv"
    desk.exports.export(staff["auditor"], "loans", None, None, "csv", out)
    text = out.read_text(encoding="utf-8-sig")
    assert other in text and ref not in text


# ------------------------------------------------------------------------ signatures


def test_signing_a_call_back_form_is_recorded_with_its_hash(desk, staff):
    clerk = staff["clerk"]
    callback = desk.callbacks.schedule_callback(clerk, "138 0000 0000", "回访维修结果",
                                                datetime(2030, 1, 1, 9, 0), name="李先生")
    before = entries()
    unsigned = desk.callbacks.callback_form(clerk, callback.id)
    assert entries() == before  # an unsigned form is only a view
    with pytest.raises(AuthenticationFailed):
        desk.callbacks.callback_form(clerk, callback.id, password="wrong-password")
    assert entries("callback.sign") == 0
    signed = desk.callbacks.callback_form(clerk, callback.id, password=PASSWORD)
    assert signed != unsigned and last().action == "callback.sign"
    assert json.loads(last().change)["after"]["sha256"] == hashlib.sha256(signed).hexdigest()


# ------------------------------------------------------------------------ exports


def test_reception_export_is_recorded_after_its_file(desk, staff, tmp_path):
    clerk = staff["clerk"]
    desk.visits.open_visit(clerk, Channel.VISIT, name="访客", request="咨询")
    out = tmp_path / "visits.pdf"
    before = entries()
    with pytest.raises(AuthenticationFailed):
        desk.exports.export(clerk, "visits", None, None, "pdf", out, password="wrong-password")
    assert not out.exists() and entries("export.visits") == 0
    assert entries() == before + 1 and last().action == "auth.sign_failed"
    result = desk.exports.export(clerk, "visits", None, None, "pdf", out, password=PASSWORD)
    assert result.rows == 1 and last().action == "export.visits"
    recorded = json.loads(last().change)["after"]
    assert recorded["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert not list(tmp_path.glob("visits.pdf*.partial"))


def test_an_export_never_replaces_a_file_unless_forced(desk, staff, tmp_path):
    auditor = staff["auditor"]
    out = tmp_path / "audit.csv"
    out.write_text("keep me")
    before = entries()
    with pytest.raises(ValidationError, match="exists already"):
        desk.exports.export(auditor, "audit", None, None, "csv", out)
    assert out.read_text() == "keep me" and entries() == before
    desk.exports.export(auditor, "audit", None, None, "csv", out, force=True)
    assert out.read_text(encoding="utf-8-sig").startswith("No.")
    assert entries() == before + 1


def test_local_days_select_exports(desk, staff, clock, tmp_path, monkeypatch):
    """An item registered at 23:30 local time on the 30th belongs to the 30th."""
    import os
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        clock._now = datetime(2026, 11, 30, 15, 30)  # 23:30 in Shanghai
        ref = _item(desk, staff["clerk"], "深夜登记", "public")
        out = tmp_path / "items.csv"
        desk.exports.export(staff["auditor"], "items", date(2026, 11, 30),
                                     date(2026, 11, 30), "csv", out)
        assert ref in out.read_text(encoding="utf-8-sig")
        desk.exports.export(staff["auditor"], "items", date(2026, 12, 1),
                                     date(2026, 12, 1), "csv", out, force=True)
        assert ref not in out.read_text(encoding="utf-8-sig")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
        assert "TZ" not in os.environ
