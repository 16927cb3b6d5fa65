"""Historical loans from a loan book (issue 16): their dates kept and marked as imported,
closed when returned, open ones putting the item on loan; an item lent twice at once is an
error on both rows; borrowers and handlers matched to staff, else kept as the ledger wrote."""

from __future__ import annotations

import json
from datetime import date

import pytest

from desk_app.domain.clock import to_local
from desk_app.domain.errors import Conflict, ValidationError
from desk_app.services.imports.report import ImportOptions
from desk_app.services.loans import LoanFilter
from desk_app.store.archive import Item, Loan
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user
from tests.services.imports_helpers import counts, write_csv

HEADER = ["档号", "借阅人", "借阅日期", "用途", "经手人", "应还日期", "归还日期", "联系电话", "借阅单位"]


@pytest.fixture
def world(desk, admin):
    clerk = add_user(desk, admin, "clerk1", "clerk", "王芳")
    add_user(desk, admin, "zhangwei", "manager", "张伟")
    refs = [desk.archive.add_item(clerk, title=f"文件{i}", kind="TZ", dept="KF",
                                  level="public").ref for i in range(4)]
    return {"clerk": clerk, "admin": admin, "refs": refs}


def test_historical_loans_keep_dates_and_are_marked(desk, world, tmp_path):
    a, b, c, _d = world["refs"]
    path = write_csv(tmp_path / "loans.csv", [
        ["借阅登记簿"], HEADER,
        [a, "张伟", "2019年3月5日", "查阅", "王芳", "2019/3/19", "2019.3.18", "", ""],
        [a, "李先生", "2019-04-01", "复印", "老陈", "", "2019-04-02", "13800001111", "市档案馆"],
        [b, "李先生", "2026-10-20", "", "", "", "", "13800001111", ""],
        [c, "赵六", "24-3-5", "审计", "王芳", "", "2024-03-06", "", ""],
    ])
    before = counts()
    report = desk.imports.run(world["admin"], "loans", path, ImportOptions())
    assert (report.rows, report.imported, report.error_count) == (4, 4, 0)
    loans = list(Loan.select().where(Loan.import_batch == report.batch_id).order_by(Loan.id))
    assert len(loans) == 4
    first = loans[0]
    assert to_local(first.lent_at).isoformat() == "2019-03-05T09:00:00"
    assert to_local(first.returned_at).isoformat() == "2019-03-18T17:00:00"
    assert first.due_on == date(2019, 3, 19) and first.borrower.user.name == "zhangwei"
    assert first.handler.name == "clerk1" and first.ledger_handler == ""
    second = loans[1]
    assert second.handler.name == "admin" and second.ledger_handler == "老陈"
    assert second.borrower.contact == "13800001111" and second.borrower.organisation == "市档案馆"
    assert second.due_on == date(2019, 4, 15)  # lent_on + the kind's loan days
    assert loans[2].borrower_id == second.borrower_id  # the same outside borrower
    assert loans[3].borrower.name == "赵六" and loans[3].borrower.contact == ""
    assert Item.get(Item.ref == b).status == "on_loan" and Item.get(Item.ref == a).status == "available"
    shown = desk.loans.page(world["clerk"], LoanFilter(open_only=True), 0, 10)
    assert [row["ref"] for row in shown] == [b] and shown[0]["imported"]
    history = desk.loans.page(world["clerk"], LoanFilter(), 0, 10)
    assert "老陈" in [row["handler"] for row in history]  # as the ledger wrote it
    with pytest.raises(Conflict, match="paper"):  # its slip was signed on paper back then
        desk.loans.sign_slip(world["clerk"], shown[0]["slip"], PASSWORD, None, None)
    assert counts()["audit"] == before["audit"] + 1
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    after = json.loads(entry.change)["after"]
    assert entry.action == "import.loans" and after["historical"] is True and after["rows"] == 4
    # and returned like any loan
    desk.loans.return_items(world["clerk"], [b])
    assert Item.get(Item.ref == b).status == "available"


def test_lent_twice_at_once_is_an_error_on_both_rows(desk, world, tmp_path):
    a, b, c, d = world["refs"]
    desk.loans.lend(world["clerk"], [d], _visitor(), "查阅")
    path = write_csv(tmp_path / "twice.csv", [
        HEADER,
        [a, "甲", "2020-01-01", "", "", "", "2020-01-10", "", ""],
        [a, "乙", "2020-01-05", "", "", "", "2020-01-20", "", ""],
        [b, "甲", "2020-01-01", "", "", "", "", "", ""],
        [b, "乙", "2020-02-01", "", "", "", "", "", ""],
        [c, "甲", "2020-01-01", "", "", "", "2020-01-10", "", ""],
        [c, "乙", "2020-01-10", "", "", "", "2020-01-20", "", ""],
        [d, "丙", "2020-01-01", "", "", "", "", "", ""],
        ["NO-SUCH", "丙", "2020-01-01", "", "", "", "2020-01-03", "", ""],
        [c, "丁", "2020-03-05", "", "", "2020-03-01", "2020-03-01", "", ""],
        [c, "丁", "明天", "", "", "", "", "", ""],
    ])
    before = counts()
    with pytest.raises(ValidationError) as refused:
        desk.imports.run(world["admin"], "loans", path, ImportOptions())
    assert counts() == before
    report = refused.value.report  # type: ignore[attr-defined]
    rows = {problem.row: problem for problem in report.errors}
    assert {2, 3, 4, 5} <= set(rows) and "lent twice at once" in rows[2].message
    assert 6 not in rows and 7 not in rows  # back on the 10th, out again the 10th
    assert "on loan already" in rows[8].message and "No item" in rows[9].message
    assert rows[10].column in ("应还日期", "归还日期") and rows[11].column == "借阅日期"
    report = desk.imports.run(world["admin"], "loans", path, ImportOptions(only_valid=True))
    assert report.imported == 2


def _visitor():
    from desk_app.services.borrowers import BorrowerInput

    return BorrowerInput(name="访客", contact="139")


def test_loans_of_sealed_files_are_no_such_item(desk, world, tmp_path):
    path = write_csv(tmp_path / "p.csv", [HEADER, ["RS-2020-0001", "甲", "2020-01-01", "", "", "",
                                                   "", "", ""]])
    report = desk.imports.check(world["admin"], "loans", path, ImportOptions())
    assert "No item" in report.errors[0].message
