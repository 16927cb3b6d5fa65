"""Circulation at the desk (issue 14): "already on loan" says to whom and until when, one
slip for a scan session, per-item return conditions, one receipt per borrower, unsigned slips."""

from __future__ import annotations

import pytest

from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.store.archive import Loan, LoanSlip, ReturnReceipt
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user

LI = BorrowerInput(user_name="lixs")
ZHAO = BorrowerInput(name="赵女士", contact="13800001111", organisation="街道办")


@pytest.fixture
def clerk(desk, admin):
    add_user(desk, admin, "lixs", "manager", "李先生")
    return add_user(desk, admin, "clerk1", "clerk", "王芳")


@pytest.fixture
def refs(desk, clerk):
    return [desk.archive.add_item(clerk, title=f"文件 {n}", kind="BG", dept="GC",
                                  level="public").ref for n in range(4)]


def _audits(action: str) -> int:
    return AuditEntry.select().where(AuditEntry.action == action).count()


def test_already_on_loan_names_the_borrower_and_due_date(desk, clerk, refs):
    slip = desk.loans.lend(clerk, [refs[0]], LI, "查阅")
    due = slip["items"][0]["due_on"].isoformat()
    with pytest.raises(Conflict) as refused:
        desk.loans.lend(clerk, [refs[0]], ZHAO, "查阅")
    assert str(refused.value) == f"{refs[0]} is already on loan to 李先生 until {due}."


def test_a_scan_session_adds_each_item_to_one_slip(desk, clerk, refs):
    first = desk.loans.lend(clerk, [refs[0]], LI, "查阅")
    for ref in refs[1:3]:
        slip = desk.loans.lend(clerk, [ref], LI, "查阅", add_to=first["id"])
    assert slip["number"] == first["number"]
    assert [item["ref"] for item in slip["items"]] == refs[:3]
    assert LoanSlip.select().count() == 1 and _audits("loan.lend") == 3
    with pytest.raises(ValidationError, match="another borrower"):
        desk.loans.lend(clerk, [refs[3]], ZHAO, "查阅", add_to=first["id"])
    with pytest.raises(ValidationError, match="another borrower"):
        desk.loans.lend(clerk, [refs[3]], LI, "复印", add_to=first["id"])
    desk.loans.sign_slip(clerk, first["id"], PASSWORD, None, None)
    with pytest.raises(Conflict, match="signed already"):
        desk.loans.lend(clerk, [refs[3]], LI, "查阅", add_to=first["id"])
    other = add_user(desk, desk.auth.login("admin", PASSWORD), "clerk2", "clerk", "周敏")
    with pytest.raises(NotFound):
        desk.loans.lend(other, [refs[3]], LI, "查阅", add_to=first["id"])
    assert Loan.select().count() == 3


def test_per_item_conditions_and_one_receipt_per_borrower(desk, clerk, refs):
    desk.loans.lend(clerk, refs[:2], LI, "查阅")
    desk.loans.lend(clerk, refs[2:], ZHAO, "查阅")
    session = [refs[0], refs[2], refs[1], refs[3]]
    receipts = desk.loans.return_by_borrower(clerk, session, {refs[1]: "damaged", refs[3]: "worn"})
    assert [r["borrower"] for r in receipts] == ["李先生", "赵女士"]
    assert {i["ref"]: i["condition"] for r in receipts for i in r["items"]} == {
        refs[0]: "good", refs[1]: "damaged", refs[2]: "good", refs[3]: "worn"}
    assert ReturnReceipt.select().count() == 2 and _audits("loan.return") == 2
    assert not Loan.select().where(Loan.returned_at.is_null()).exists()


def test_a_wrong_scan_in_a_return_session_registers_nothing(desk, clerk, refs):
    desk.loans.lend(clerk, refs[:1], LI, "查阅")
    desk.loans.lend(clerk, refs[1:2], ZHAO, "查阅")
    with pytest.raises(ValidationError, match="not on loan"):
        desk.loans.return_by_borrower(clerk, [refs[0], refs[1], refs[2]], {})
    with pytest.raises(ValidationError, match="Condition is one of"):
        desk.loans.return_items(clerk, [refs[0]], conditions={refs[0]: "wet"})
    assert ReturnReceipt.select().count() == 0 and _audits("loan.return") == 0


def test_the_old_single_condition_return_still_works(desk, clerk, refs):
    desk.loans.lend(clerk, refs[:2], LI, "查阅")
    receipt = desk.loans.return_items(clerk, refs[:2], "worn", conditions={refs[1]: "good"})
    assert [i["condition"] for i in receipt["items"]] == ["worn", "good"]


def test_unsigned_slips_filter_and_signed_rows(desk, clerk, refs):
    signed = desk.loans.lend(clerk, [refs[0]], LI, "查阅")
    desk.loans.sign_slip(clerk, signed["id"], PASSWORD, None, None)
    desk.loans.lend(clerk, [refs[1]], LI, "查阅")
    rows = desk.loans.page(clerk, LoanFilter(unsigned_only=True), 0, 10)
    assert [(row["ref"], row["signed"]) for row in rows] == [(refs[1], False)]
    assert desk.loans.count(clerk, LoanFilter(unsigned_only=True)) == 1
    every = {row["ref"]: row["signed"] for row in desk.loans.page(clerk, LoanFilter(), 0, 10)}
    assert every == {refs[0]: True, refs[1]: False}
    assert [r["ref"] for r in desk.loans.page(clerk, LoanFilter(ref=refs[0]), 0, 10)] == [refs[0]]
