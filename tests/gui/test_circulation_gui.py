"""The circulation tab of the Loans page (issue 14): scan a borrower, then items; return mode
with conditions per row and one receipt per borrower; "already on loan" names the borrower;
a cancelled signature asks before anything stays unsigned."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.store.archive import Borrower, Item, Loan, LoanSlip, ReturnReceipt
from desk_app.ui.loans import circulation as circulation_module
from desk_app.ui.loans.circulation import CHECK_IN, CHECK_OUT
from desk_app.ui.loans.page import LoansPage
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.gui.conftest import shown
from tests.gui.test_loans_gui import answer_unsigned_choice, signing  # noqa: F401  (fixture)

OUTSIDER = BorrowerInput(name="赵女士", contact="13800001111")


@pytest.fixture
def refs(demo_desk, clerk_actor) -> list[str]:
    return [demo_desk.archive.add_item(clerk_actor, title=f"流通测试档案 {n}", kind="BG", dept="GC",
                                       level="internal", ref=f"QA-C-{n}").ref for n in range(1, 5)]


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor, monkeypatch, signing) -> LoansPage:  # noqa: F811
    monkeypatch.setattr(circulation_module, "preview_pdf",
                        lambda parent, pdf, name: signing["previews"].append((name, pdf)))
    return shown(qtbot, LoansPage(demo_desk, clerk_actor), (1200, 700))


def scan(qtbot, page: LoansPage, text: str) -> None:
    """What a USB scanner does: type the characters, then Enter, into the focused field."""
    edit = page.circulation.scan_box.edit
    assert edit.hasFocus()  # the scan box keeps the cursor after every scan
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def open_loans_of(name: str) -> list[str]:
    return [ref for (ref,) in Loan.select(Item.ref).join_from(Loan, Item).join_from(Loan, Borrower)
            .where(Loan.returned_at.is_null() & (Borrower.name == name)).order_by(Loan.id).tuples()]


def test_f2_then_a_badge_then_three_items_lend_at_once_on_one_slip(qtbot, page, demo_desk,
                                                                 clerk_actor, refs, signing):  # noqa: F811
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.tabs.setCurrentIndex(1)
    qtbot.keyClick(page, Qt.Key.Key_F2)
    panel = page.circulation
    assert page.panel() is panel and panel.mode == CHECK_OUT
    slips_before = LoanSlip.select().count()
    scan(qtbot, page, "liqiang")  # the staff badge: the borrower, not an item
    assert panel.borrower_field.chosen_key() is not None
    for ref in refs[:3]:
        scan(qtbot, page, ref)
        assert panel.scan_box.message_text() == ""
        assert ref in panel.status.text() and "due" in panel.status.text()
    assert set(refs[:3]) <= set(open_loans_of("李强"))
    assert LoanSlip.select().count() == slips_before + 1  # one slip for the session
    table = panel.table
    assert [table.item(row, 0).text() for row in range(table.rowCount())] == refs[:3]
    assert all(table.item(row, 3).text() for row in range(3))  # each with its due date
    assert page.count_label.text() == "3 items this session"

    qtbot.keyClick(panel.scan_box.edit, Qt.Key.Key_F10)
    slip = LoanSlip.select().order_by(LoanSlip.id.desc()).first()
    assert slip.document_id is not None and signing["previews"][-1][0] == f"{slip.number}.pdf"
    assert table.rowCount() == 0 and "Signed" in panel.status.text()


def test_already_on_loan_names_the_borrower_and_the_due_date(qtbot, page, demo_desk, clerk_actor,
                                                             refs):
    slip = demo_desk.loans.lend(clerk_actor, [refs[0]], OUTSIDER, "查阅")
    due = slip["items"][0]["due_on"].isoformat()
    page.check_out()
    scan(qtbot, page, "liqiang")
    scan(qtbot, page, refs[0])
    assert page.circulation.scan_box.message_text() == (
        f"{refs[0]} is already on loan to 赵女士 until {due}.")
    assert page.circulation.scan_box.edit.hasFocus()


def test_return_mode_conditions_per_row_and_one_receipt_per_borrower(qtbot, page, demo_desk,
                                                                    clerk_actor, refs, signing):  # noqa: F811
    demo_desk.loans.lend(clerk_actor, refs[:2], BorrowerInput(user_name="liqiang"), "查阅")
    demo_desk.loans.lend(clerk_actor, refs[2:4], OUTSIDER, "查阅")
    page.check_out()
    panel = page.circulation
    qtbot.keyClick(panel.scan_box.edit, Qt.Key.Key_F3)
    assert panel.mode == CHECK_IN
    receipts_before = ReturnReceipt.select().count()
    for ref in (refs[0], refs[2], refs[1]):
        scan(qtbot, page, ref)
    scan(qtbot, page, refs[0])
    assert panel.scan_box.message_text() == f"{refs[0]} is in the list already."
    assert ReturnReceipt.select().count() == receipts_before  # nothing returned before Finish
    assert [panel.table.item(row, 2).text() for row in range(3)] == ["李强", "赵女士", "李强"]
    combo = panel.table.cellWidget(2, 4)
    combo.setCurrentIndex(combo.findData("damaged"))
    panel.finish_button.click()
    receipts = list(ReturnReceipt.select().where(ReturnReceipt.id > 0)
                    .order_by(ReturnReceipt.id.desc()).limit(2))
    assert ReturnReceipt.select().count() == receipts_before + 2
    assert all(receipt.document_id is not None for receipt in receipts)  # each one signed
    conditions = {loan.item.ref: loan.return_condition
                  for loan in Loan.select().where(Loan.receipt.in_([r.id for r in receipts]))}
    assert conditions == {refs[0]: "good", refs[1]: "damaged", refs[2]: "good"}
    assert open_loans_of("赵女士") == [refs[3]]


def test_a_cancelled_signature_at_finish_asks_and_can_stay_unsigned(qtbot, page, demo_desk,
                                                                    clerk_actor, refs, monkeypatch):
    calls = []
    monkeypatch.setattr(SignDialog, "ask",
                        staticmethod(lambda *args, **kwargs: calls.append(args) or None))
    page.check_out()
    scan(qtbot, page, "liqiang")
    scan(qtbot, page, refs[0])
    seen = answer_unsigned_choice("go_back", "register_unsigned")  # go back: asked again
    page.circulation.finish()
    assert len(calls) == 2 and len(seen) == 2
    assert "not signed" in seen[0]
    slip = LoanSlip.select().order_by(LoanSlip.id.desc()).first()
    assert slip.document_id is None
    assert "Not signed" in page.circulation.status.text() and slip.number in \
        page.circulation.status.text()
    page.unsigned_check.setChecked(True)
    panel = page.show_tab("open")
    rows = [panel.model.row(n) for n in range(min(50, panel.model.rowCount()))]
    assert rows[0]["ref"] == refs[0] and not any(row["signed"] for row in rows)
    assert panel.model.rowCount() == demo_desk.loans.count(
        clerk_actor, LoanFilter(open_only=True, unsigned_only=True))
    page.unsigned_check.setChecked(False)
    assert panel.model.rowCount() == demo_desk.loans.count(clerk_actor, LoanFilter(open_only=True))


def test_the_borrower_line_counts_the_loan_just_lent(qtbot, page, refs):
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.check_out()
    scan(qtbot, page, "liqiang")
    details = page.circulation.borrower_field.details
    before = details.text()
    scan(qtbot, page, refs[0])
    assert details.text() != before
    count = len(open_loans_of("李强"))
    assert f"{count} open loan" in details.text()


# ------------------------------------------------------------ leaving with unsigned slips

@pytest.fixture
def window(qtbot, demo_desk, clerk_actor, monkeypatch, signing):  # noqa: F811
    from desk_app.ui.main_window import MainWindow

    monkeypatch.setattr(circulation_module, "preview_pdf",
                        lambda parent, pdf, name: signing["previews"].append((name, pdf)))
    widget = MainWindow(demo_desk, clerk_actor, idle_ms=3_600_000)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _lend_in_window(qtbot, window, ref: str) -> LoansPage:
    page = window.show_area("loans")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page.check_out()
    scan(qtbot, page, "liqiang")
    scan(qtbot, page, ref)
    return page


def test_signing_out_with_an_unsigned_slip_asks_and_stay_keeps_the_window(qtbot, window, refs):
    page = _lend_in_window(qtbot, window, refs[0])
    seen = answer_unsigned_choice("stay")
    with qtbot.assertNotEmitted(window.switch_user):
        window.request_switch_user()
    assert "1 item lent in this session is on a slip not yet signed" in seen[0]
    assert window.isVisible() and page.circulation.count() == 1

    seen = answer_unsigned_choice("leave_unsigned")
    with qtbot.waitSignal(window.switch_user):
        window.request_switch_user()
    assert seen and LoanSlip.select().order_by(LoanSlip.id.desc()).first().document_id is None
    assert refs[0] in open_loans_of("李强")  # lent, on a slip left to sign later


def test_quitting_with_an_unsigned_slip_can_finish_and_sign_first(qtbot, window, refs, signing):  # noqa: F811
    _lend_in_window(qtbot, window, refs[1])
    answer_unsigned_choice("finish_now")
    with qtbot.waitSignal(window.quit_requested):
        window.close()
    slip = LoanSlip.select().order_by(LoanSlip.id.desc()).first()
    assert slip.document_id is not None and signing["previews"][-1][0] == f"{slip.number}.pdf"


def test_without_unsigned_slips_signing_out_asks_nothing(qtbot, window):
    with qtbot.waitSignal(window.switch_user):
        window.request_switch_user()
