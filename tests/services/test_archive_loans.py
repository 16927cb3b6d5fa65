"""Catalogue (R1), loans (R4), immutability (R3), one open loan per item, reminders, slips."""

from __future__ import annotations

import multiprocessing
import os
from datetime import date, timedelta

import peewee
import pytest

from desk_app.desk import Desk
from desk_app.domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from desk_app.domain.pinyin import sort_key
from desk_app.forms.verify import verify_pdf
from desk_app.services.archive import ItemFilter
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.store.archive import Item, Loan, LoanCorrection
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user

STAFF = BorrowerInput(user_name="borrower1")


@pytest.fixture
def people(desk, admin):
    clerk = add_user(desk, admin, "clerk1", "clerk", "王芳")
    supervisor = add_user(desk, admin, "super1", "supervisor", "李强")
    add_user(desk, admin, "borrower1", "manager", "张伟")
    personnel = add_user(desk, admin, "hr1", "personnel", "刘洋")
    return {"clerk": clerk, "supervisor": supervisor, "personnel": personnel, "admin": admin}


@pytest.fixture
def items(desk, people):
    clerk = people["clerk"]
    desk.archive.add_location(clerk, "A101")
    desk.archive.add_location(clerk, "柜1", "A101")
    made = [
        desk.archive.add_item(clerk, title="2025年度园区绿化规划报告", kind="BG", dept="GC",
                              level="internal", location="A101 › 柜1", keywords="规划 绿化",
                              doc_date=date(2025, 3, 1)),
        desk.archive.add_item(clerk, title="業戶檔案：張偉（3棟1201）", kind="YH", dept="KF",
                              level="public", doc_date=date(2024, 6, 1)),
        desk.archive.add_item(clerk, title="Fire safety manual", kind="SC", dept="BA",
                              level="public", ref="BA-SC-0001"),
        desk.archive.add_item(clerk, title="总经理办公会会议纪要", kind="JY", dept="ZB",
                              level="secret"),
        # R6: only the personnel officer registers personnel files
        desk.archive.add_item(people["personnel"], title="员工档案：周敏", kind="YH", dept="XZ",
                              level="personnel"),
    ]
    return {item.title: item.ref for item in made}


def refs(items, *titles):
    return [items[t] for t in titles]


def test_auto_numbered_references_follow_the_pattern(desk, people, items):
    assert items["2025年度园区绿化规划报告"] == "GC-BG-2025-0001"
    again = desk.archive.add_item(people["clerk"], title="第二份报告", kind="BG", dept="GC",
                                  level="public", doc_date=date(2025, 9, 1))
    assert again.ref == "GC-BG-2025-0002"
    desk.settings.set(people["admin"], "ref_pattern", "{kind}{year}/{seq:04d}")
    assert desk.archive.add_item(people["clerk"], title="x", kind="TZ", dept="KF", level="public",
                                 doc_date=date(2026, 1, 5)).ref == "TZ2026/0001"
    with pytest.raises(ValidationError):
        desk.settings.set(people["admin"], "ref_pattern", "{dept}-{kind}")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"title": ""}, "title"), ({"kind": "XX"}, "kind"), ({"dept": "??"}, "dept"),
     ({"level": "top"}, "level"), ({"ref": "bad ref!"}, "ref"), ({"location": "Nowhere"}, "location"),
     ({"retention_years": -1}, "retention_years"),
     ({"retention_years": 101}, "retention_years")],
)
def test_bad_item_input_changes_nothing(desk, people, kwargs, field):
    base = {"title": "ok", "kind": "TZ", "dept": "KF", "level": "public"}
    state = (Item.select().count(), AuditEntry.select().count())
    with pytest.raises(ValidationError) as error:
        desk.archive.add_item(people["clerk"], **{**base, **kwargs})
    assert error.value.field == field
    assert (Item.select().count(), AuditEntry.select().count()) == state


def test_duplicate_reference(desk, people, items):
    with pytest.raises(Conflict):
        desk.archive.add_item(people["clerk"], title="again", kind="SC", dept="BA",
                              level="public", ref="ba-sc-0001")


@pytest.mark.parametrize(
    ("query", "expected"),
    [("规划", ["2025年度园区绿化规划报告"]), ("規劃", ["2025年度园区绿化规划报告"]),
     ("张", ["業戶檔案：張偉（3棟1201）"]), ("张伟", ["業戶檔案：張偉（3棟1201）"]),
     ("業戶", ["業戶檔案：張偉（3棟1201）"]), ("fire", ["Fire safety manual"]),
     ("gc-bg", ["2025年度园区绿化规划报告"]), ("工程部", ["2025年度园区绿化规划报告"]),
     ("绿化 报告", ["2025年度园区绿化规划报告"]), ("不存在", []), ("员工", [])],
)
def test_search_finds_chinese_the_way_a_clerk_types(desk, people, items, query, expected):
    found = desk.archive.page(people["clerk"], ItemFilter(query=query), 0, 50)
    assert [view.title for view in found] == expected
    assert desk.archive.count(people["clerk"], ItemFilter(query=query)) == len(expected)


def test_filters_and_sorting(desk, people, items):
    clerk = people["clerk"]
    assert desk.archive.count(clerk, ItemFilter(kind="YH")) == 1  # the personnel file is hidden
    assert desk.archive.count(clerk, ItemFilter(level="secret")) == 1
    assert desk.archive.count(clerk, ItemFilter(year_from=2025, year_to=2025)) == 1
    by_title = [v.title for v in desk.archive.page(clerk, ItemFilter(sort="title"), 0, 10)]
    assert by_title == sorted(by_title, key=sort_key)  # pinyin order (R1), not code points
    assert by_title == ["2025年度园区绿化规划报告", "Fire safety manual", "業戶檔案：張偉（3棟1201）",
                        "总经理办公会会议纪要"]
    by_date = [v.doc_date for v in desk.archive.page(clerk, ItemFilter(sort="date"), 0, 2)]
    assert by_date[0] == date(2025, 3, 1)


def test_personnel_files_are_sealed_from_everyone_else(desk, people, items):
    """R6: not in lists, searches or lookups for anyone but the personnel officer."""
    ref = items["员工档案：周敏"]
    for who in ("clerk", "supervisor", "admin"):
        with pytest.raises((NotFound, PermissionDenied)):
            desk.archive.get(people[who], ref)
    assert desk.archive.count(people["clerk"], ItemFilter(query="周敏")) == 0
    assert desk.archive.get(people["personnel"], ref).title == "员工档案：周敏"
    assert AuditEntry.select().where(AuditEntry.action == "item.view_secret").count() == 1


def test_scan_opens_the_item_or_says_unknown(desk, people, items):
    assert desk.archive.scan(people["clerk"], " ba-sc-0001\n").title == "Fire safety manual"
    with pytest.raises(NotFound, match="Unknown reference scanned: NOPE-1"):
        desk.archive.scan(people["clerk"], "NOPE-1")


def test_lend_several_items_in_one_transaction_and_one_slip(desk, people, items, clock):
    clerk = people["clerk"]
    chosen = refs(items, "2025年度园区绿化规划报告", "業戶檔案：張偉（3棟1201）", "Fire safety manual")
    entries = AuditEntry.select().count()
    slip = desk.loans.lend(clerk, chosen, STAFF, "核对绿化合同")
    assert [i["ref"] for i in slip["items"]] == chosen
    assert slip["handler"] == "王芳" and slip["borrower"] == "张伟"  # handler is never typed
    today = clock.now().date()
    assert [i["due_on"] for i in slip["items"]] == [today + timedelta(days=14),
                                                    today + timedelta(days=7),
                                                    today + timedelta(days=30)]
    assert AuditEntry.select().count() == entries + 1
    assert {v.status for v in desk.archive.page(clerk, ItemFilter(status="on_loan"), 0, 10)} == {
        "on_loan"}


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [("on_loan", Conflict, "already on loan"), ("secret", ValidationError, "manager's approval"),
     ("unknown", NotFound, "No item"), ("past_due", ValidationError, "in the past"),
     ("no_purpose", ValidationError, "purpose"), ("no_borrower", ValidationError, "Who borrows"),
     ("external_no_contact", ValidationError, "contact"), ("destroyed", ValidationError, "destroyed")],
)
def test_refused_loans_write_nothing(desk, people, items, clock, case, error, message):
    clerk = people["clerk"]
    manual = items["Fire safety manual"]
    args = {"refs": [manual], "borrower": STAFF, "purpose": "查阅", "due": None}
    if case == "on_loan":
        desk.loans.lend(clerk, [manual], STAFF, "先借出")
    elif case == "secret":
        args["refs"] = [items["总经理办公会会议纪要"]]
    elif case == "unknown":
        args["refs"] = [manual, "NO-SUCH-1"]
    elif case == "past_due":
        args["due"] = clock.now().date() - timedelta(days=1)
    elif case == "no_purpose":
        args["purpose"] = "  "
    elif case == "no_borrower":
        args["borrower"] = BorrowerInput()
    elif case == "external_no_contact":
        args["borrower"] = BorrowerInput(name="访客甲")
    elif case == "destroyed":
        Item.update(status="destroyed").where(Item.ref == manual).execute()
    state = (Loan.select().count(), AuditEntry.select().count())
    with pytest.raises(error, match=message):
        desk.loans.lend(clerk, **args)
    assert (Loan.select().count(), AuditEntry.select().count()) == state


def test_the_database_allows_one_open_loan_per_item(desk, people, items):
    clerk = people["clerk"]
    manual = items["Fire safety manual"]
    desk.loans.lend(clerk, [manual], STAFF, "第一次")
    first = Loan.get()
    with pytest.raises(peewee.IntegrityError), desk.ctx.db.atomic():
        Loan.insert(slip=first.slip_id, item=first.item_id, borrower=first.borrower_id,
                    purpose="x", handler=first.handler_id, lent_at=first.lent_at,
                    due_on=first.due_on).execute()


def _lend_from_another_process(url: str, ref: str, results) -> None:
    desk = Desk.open(url)
    clerk = desk.auth.login("clerk1", PASSWORD)
    try:
        desk.loans.lend(clerk, [ref], BorrowerInput(user_name="borrower1"), "并发测试")
        results.put("lent")
    except Conflict:
        results.put("conflict")
    finally:
        desk.close()


def test_two_desks_lending_the_same_item_at_once(desk, people, items):
    url = desk.ctx.url.display() if desk.ctx.url.backend == "sqlite" else os.environ["DESK_TEST_PG"]
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    workers = [ctx.Process(target=_lend_from_another_process,
                           args=(url, items["Fire safety manual"], results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert sorted(results.get() for _ in workers) == ["conflict", "lent"]
    assert Loan.select().where(Loan.returned_at.is_null()).count() == 1


def test_return_renew_and_correct(desk, people, items, clock):
    clerk, supervisor = people["clerk"], people["supervisor"]
    manual, report = items["Fire safety manual"], items["2025年度园区绿化规划报告"]
    desk.loans.lend(clerk, [manual, report], STAFF, "培训")
    renewed = desk.loans.renew(clerk, manual)
    assert renewed["renewals"] == 1
    desk.loans.renew(clerk, manual)
    with pytest.raises(ValidationError, match="limit"):
        desk.loans.renew(clerk, manual)
    clock.advance(days=3)
    receipt = desk.loans.return_items(clerk, [manual, report], "worn", "封面破损")
    assert [i["condition"] for i in receipt["items"]] == ["worn", "worn"]
    with pytest.raises(ValidationError, match="not on loan"):
        desk.loans.return_items(clerk, [manual])
    loan = Loan.get(Loan.item == Item.get(Item.ref == manual).id)
    before = (loan.return_condition, loan.return_notes, loan.due_on)
    with pytest.raises(PermissionDenied):
        desk.loans.correct(clerk, loan.id, "录错了", condition="good")
    with pytest.raises(ValidationError, match="reason"):
        desk.loans.correct(supervisor, loan.id, " ", condition="good")
    desk.loans.correct(supervisor, loan.id, "归还时登记错误", condition="good")
    reloaded = Loan.get_by_id(loan.id)
    assert (reloaded.return_condition, reloaded.return_notes, reloaded.due_on) == before  # R3
    assert LoanCorrection.get().reason == "归还时登记错误"
    assert desk.loans.corrections(clerk, loan.id)[0]["changes"] == {"condition": ["worn", "good"]}


def test_overdue_list_and_one_bundled_reminder_per_borrower(desk, people, items, clock):
    clerk = people["clerk"]
    desk.loans.lend(clerk, refs(items, "2025年度园区绿化规划报告", "業戶檔案：張偉（3棟1201）"), STAFF,
                    "核对")
    desk.loans.lend(clerk, [items["Fire safety manual"]],
                    BorrowerInput(name="赵先生", contact="13800000000", organisation="消防公司"),
                    "消防检查")
    clock.advance(days=10)
    overdue = desk.loans.page(clerk, LoanFilter(overdue_only=True), 0, 10)
    assert [row["ref"] for row in overdue] == ["KF-YH-2024-0001"]
    assert overdue[0]["days_overdue"] == 3
    clock.advance(days=30)
    assert desk.loans.count(clerk, LoanFilter(overdue_only=True)) == 3
    bundles = desk.loans.overdue_by_borrower(clerk)
    assert sorted((b["borrower"], len(b["loans"])) for b in bundles) == [("张伟", 2), ("赵先生", 1)]
    zhang = next(b for b in bundles if b["borrower"] == "张伟")
    bundle, pdf = desk.loans.send_reminder(clerk, zhang["borrower_id"])
    assert pdf.startswith(b"%PDF") and len(bundle["loans"]) == 2
    assert len(desk.loans.reminders(clerk, zhang["borrower_id"])) == 1
    assert AuditEntry.select().where(AuditEntry.action == "loan.remind").count() == 1


def test_signed_slip_and_receipt_verify_and_never_change(desk, people, items):
    clerk = people["clerk"]
    slip = desk.loans.lend(clerk, [items["Fire safety manual"]], STAFF, "培训")
    pdf = desk.loans.sign_slip(clerk, slip["id"], PASSWORD, None, None)
    report = verify_pdf(pdf, desk.keys.ca_certificate())
    assert report.ok and report.signatures[0].signer_user == "clerk1"
    assert desk.loans.document(clerk, slip["number"]) == pdf
    with pytest.raises(Conflict, match="never changed"):
        desk.loans.sign_slip(clerk, slip["id"], PASSWORD, None, None)
    receipt = desk.loans.return_items(clerk, [items["Fire safety manual"]])
    with pytest.raises(AuthenticationFailed, match="Wrong password"):
        desk.loans.sign_receipt(clerk, receipt["id"], "wrong-password", None, None)
    signed = desk.loans.sign_receipt(clerk, receipt["id"], PASSWORD, None, None)
    assert verify_pdf(signed, desk.keys.ca_certificate()).ok


def test_roles_for_archive_and_loans(desk, people, items):
    auditor = add_user(desk, people["admin"], "audit1", "auditor")
    manual = items["Fire safety manual"]
    with pytest.raises(PermissionDenied):
        desk.loans.lend(auditor, [manual], STAFF, "x")
    with pytest.raises(PermissionDenied):
        desk.archive.add_item(auditor, title="x", kind="TZ", dept="KF", level="public")
    assert desk.loans.count(auditor, LoanFilter()) == 0


def test_search_pages_are_the_same_whichever_plan_runs(desk, people, items, monkeypatch):
    """Large result sets walk the reference index instead of sorting; same rows either way."""
    from desk_app.services import archive

    clerk = people["clerk"]
    for n in range(30):
        desk.archive.add_item(people["personnel"] if n % 7 == 0 else clerk,
                              title=f"电梯维保记录 第{n}号", kind="BG", dept="GC",
                              level=("personnel" if n % 7 == 0 else "public"))
    flt = ItemFilter(query="电梯")
    sorted_plan = [v.ref for v in desk.archive.page(clerk, flt, 3, 10)]
    monkeypatch.setattr(archive, "WALK_INDEX_ABOVE", 0)
    desk.archive._last_matches = ("", 0.0, 0)
    walked = [v.ref for v in desk.archive.page(clerk, flt, 3, 10)]
    assert walked == sorted_plan and len(walked) == 10
    assert desk.archive.count(clerk, flt) == 30 - 5  # five personnel files are not counted
    assert desk.archive.count(people["personnel"], flt) == 30


def test_borrower_filter_takes_a_name_prefix_or_a_user_name(desk, people, items):
    clerk = people["clerk"]
    desk.loans.lend(clerk, [items["Fire safety manual"]], STAFF, "培训")
    assert desk.loans.count(clerk, LoanFilter(borrower="张")) == 1
    assert desk.loans.count(clerk, LoanFilter(borrower="borrower1")) == 1
    assert desk.loans.count(clerk, LoanFilter(borrower="李")) == 0
