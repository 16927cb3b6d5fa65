"""The month's complaint review in the GUI (Complaint register → *Month review…*): last
month by category and cause beside the month before, the measures signed the month before;
a clerk reads it and opens the signed form but signs nothing; the supervisor signs an ended
month's analysis and measures with the real sign dialog (missing text refused at its field
first, nothing written), then it shows as signed and its form opens."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desk_app.store.reception import ComplaintMonth
from desk_app.ui.reception.complaint_month import MonthReviewDialog
from desk_app.ui.reception.page import ReceptionPage
from tests.gui.conftest import sign_in
from tests.gui.test_complaint_flow_gui import open_page, sign_when_asked, visible_sign_dialog

SEPTEMBER_MEASURES = "夜班派工单纳入交接班清单逐张核对"  # the demo's, signed for 2026-09
OCTOBER_ANALYSIS = "派工漏派明显减少"  # and 2026-10's
OCTOBER_MEASURES = "装修登记时书面告知施工时段"


@pytest.fixture
def previews(monkeypatch) -> list[tuple[str, bytes]]:
    """Signed forms opened for preview (the preview window itself is not shown)."""
    seen: list[tuple[str, bytes]] = []
    monkeypatch.setattr("desk_app.ui.widgets.signing.preview_pdf",
                        lambda parent, pdf, name: seen.append((name, pdf)))
    return seen


def open_review(qtbot, page: ReceptionPage) -> MonthReviewDialog:
    page.complaints_tab.month_dialog = None
    button = page.complaints_tab.findChild(QPushButton, "complaint_month")
    assert button is not None and button.text() == "Month re&view…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.complaints_tab.month_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_a_clerk_reads_last_month_opens_its_signed_form_and_signs_nothing(qtbot, demo_desk,
                                                                           previews):
    clerk = sign_in(demo_desk, "wangfang")
    page = open_page(qtbot, demo_desk, clerk)
    dialog = open_review(qtbot, page)
    assert dialog.month_edit.text() == "2026-10"  # last month (today is 2026-11-02)
    text = dialog.text.toPlainText()
    assert "Complaints of 2026-10" in text
    assert SEPTEMBER_MEASURES in text  # the month before's measures, to judge them by
    assert OCTOBER_ANALYSIS in text and OCTOBER_MEASURES in text  # signed: as signed
    assert "李强, 2026-" in text and "CPS-202610" in text
    review = dialog.review
    assert review is not None and review.causes
    for cause in review.causes:  # the table by cause, this month beside the one before
        assert cause.label in text
    assert dialog.sign_box.isHidden() and not dialog.open_button.isHidden()

    dialog.open_button.click()
    qtbot.waitUntil(lambda: bool(previews))
    assert previews[0][0] == "CPS-202610.pdf" and previews[0][1].startswith(b"%PDF")

    # Two months back with Ctrl+Page Up: not signed, and a clerk has nothing to sign
    dialog.month_edit.setFocus()
    for _step in range(2):
        qtbot.keyClick(dialog.month_edit.line_edit, Qt.Key.Key_PageUp,
                       Qt.KeyboardModifier.ControlModifier)
    assert dialog.month_edit.text() == "2026-08"
    assert "Complaints of 2026-08" in dialog.text.toPlainText()
    assert dialog.open_button.isHidden() and dialog.sign_box.isHidden()
    assert "the supervisor signs" in dialog.state.text()

    # A month typed wrong is said under it; the month shown stays
    dialog.month_edit.setText("2026-13")
    assert not dialog.month_error.isHidden() and dialog.month_error.text()
    assert "Complaints of 2026-08" in dialog.text.toPlainText()
    dialog.reject()


def test_the_supervisor_signs_an_ended_month_and_its_form_opens(qtbot, demo_desk, clock,
                                                                previews):
    desk = demo_desk
    supervisor = sign_in(desk, "liqiang")
    page = open_page(qtbot, desk, supervisor)
    dialog = open_review(qtbot, page)
    dialog.month_edit.setText("2026-11")  # the month still running: not signed yet
    assert not dialog.sign_box.isHidden() and not dialog.sign_button.isEnabled()
    assert "has not ended yet" in dialog.state.text()
    dialog.reject()

    clock.advance(days=30)  # 2026-12-02: November has ended
    dialog = open_review(qtbot, page)
    assert dialog.month_edit.text() == "2026-11"
    text = dialog.text.toPlainText()
    assert OCTOBER_MEASURES in text and SEPTEMBER_MEASURES not in text  # the month before's
    assert not dialog.sign_box.isHidden() and dialog.sign_button.isEnabled()
    assert dialog.open_button.isHidden()
    dialog.month_edit.setText("2026-1x")  # not a month: nothing is signed from here
    assert not dialog.sign_button.isEnabled() and dialog.month_error.text()
    dialog.month_edit.setText("2026-11")
    assert dialog.sign_button.isEnabled() and dialog.month_error.isHidden()

    # No analysis: said at its field before anyone signs, nothing written
    dialog.measures.setPlainText("夜间巡查增加一次")
    dialog.sign_button.click()
    assert dialog.errors["analysis"].text() == "Write the analysis of the month's causes."
    assert visible_sign_dialog() is None
    assert not ComplaintMonth.select().where(ComplaintMonth.month == "2026-11").exists()

    dialog.analysis.setPlainText("噪音投诉仍多，集中在周末装修")
    signers: list[str] = []
    sign_when_asked(qtbot, signers)
    dialog.sign_button.click()
    assert signers == ["李强 (liqiang)"]
    row = ComplaintMonth.get(ComplaintMonth.month == "2026-11")
    assert (row.signed_by, row.analysis, row.measures) == (
        "liqiang", "噪音投诉仍多，集中在周末装修", "夜间巡查增加一次")
    assert dialog.sign_box.isHidden() and not dialog.open_button.isHidden()
    text = dialog.text.toPlainText()
    assert "李强, 2026-12-02" in text and "CPS-202611" in text
    assert "夜间巡查增加一次" in text

    dialog.open_button.click()
    qtbot.waitUntil(lambda: bool(previews))
    name, pdf = previews[0]
    assert name == "CPS-202611.pdf" and pdf == desk.complaint_months.month_form(supervisor,
                                                                              2026, 11)
    dialog.reject()
