"""Loans page: lending by keyboard and scanner, signing, refusals, overdue tab, reminders, Today."""

from __future__ import annotations

import io
import threading

import pytest
from PySide6.QtCore import Qt

from desk_app.forms.verify import verify_pdf
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.ui.loans import lend as lend_module
from desk_app.ui.loans import page as loans_module
from desk_app.ui.loans import reminders as reminders_module
from desk_app.ui.loans import renew as renew_module
from desk_app.ui.loans.lend import LendDialog, ReturnDialog
from desk_app.ui.loans.page import HISTORY, OPEN, OVERDUE, LoansPage
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.gui.conftest import shown

from .conftest import sign_in

ALT = Qt.KeyboardModifier.AltModifier
OUTSIDER = "测试借阅人"


def small_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(5, 60), (60, 10), (120, 70), (195, 15)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def refs(demo_desk, clerk_actor) -> list[str]:
    archive = demo_desk.archive
    made = [archive.add_item(clerk_actor, title=f"测试借阅档案 {n}", kind="BG", dept="GC",
                             level="internal", ref=f"QA-L-{n}") for n in (1, 2, 3)]
    archive.add_item(clerk_actor, title="测试机密档案", kind="BG", dept="GC", level="secret",
                     ref="QA-SECRET-1")
    return [item.ref for item in made]


@pytest.fixture
def signing(monkeypatch) -> dict[str, list]:
    """SignDialog.ask answers at once; previews are collected instead of shown."""
    seen: dict[str, list] = {"asks": [], "previews": []}
    png = small_png()

    def ask(parent, signer_label, prompt, need_password=True, need_pad=True):
        seen["asks"].append((signer_label, prompt, need_password, need_pad))
        return ("demo1234" if need_password else "", png)

    def preview(parent, pdf, name):
        seen["previews"].append((name, pdf))

    def ask_and_sign(parent, signer_label, prompt, attempt, tries=3):
        password, handwriting = ask(parent, signer_label, prompt)
        return attempt(password, handwriting)

    monkeypatch.setattr(SignDialog, "ask", staticmethod(ask))
    monkeypatch.setattr(SignDialog, "ask_and_sign", staticmethod(ask_and_sign))
    monkeypatch.setattr(lend_module, "preview_pdf", preview)
    monkeypatch.setattr(loans_module, "preview_pdf", preview)
    monkeypatch.setattr(reminders_module, "preview_pdf", preview)
    monkeypatch.setattr(renew_module, "preview_pdf", preview)
    return seen


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor) -> LoansPage:
    return shown(qtbot, LoansPage(demo_desk, clerk_actor), (1200, 700))


def open_lend_dialog(qtbot, page: LoansPage) -> LendDialog:
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page, Qt.Key.Key_L, ALT)  # "&Lend…"
    qtbot.waitUntil(lambda: isinstance(page.open_dialog, LendDialog))
    dialog = page.open_dialog
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def scan(qtbot, dialog, text: str) -> None:
    """What a USB scanner does: type the characters, then Enter."""
    qtbot.keyClicks(dialog.focusWidget(), text)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)


def test_registers_are_sound(qtmodeltester, page, demo_desk, clerk_actor):
    for key, flt in (("open", LoanFilter(open_only=True)), ("overdue", LoanFilter(overdue_only=True)),
                     ("history", LoanFilter())):
        panel = page.panels[key]
        qtmodeltester.check(panel.model, force_py=True)
        assert panel.model.rowCount() == demo_desk.loans.count(clerk_actor, flt)
    overdue = page.panels[OVERDUE].model
    headers = [overdue.headerData(c, Qt.Orientation.Horizontal) for c in range(overdue.columnCount())]
    assert headers[:5] == ["Reference", "Title", "Borrower", "Due", "Days overdue"]
    days = [int(overdue.data(overdue.index(n, 4))) for n in range(min(20, overdue.rowCount()))]
    assert days == sorted(days, reverse=True)  # most overdue first


def test_a_tab_reads_its_loans_when_first_shown(demo_desk, clerk_actor, qtbot):
    page = LoansPage(demo_desk, clerk_actor)  # a clerk lands on Circulation
    qtbot.addWidget(page)
    # Circulation and Borrowers are built when first shown (or used): not yet.
    assert not page.circulation_tab.is_built and not page.borrowers_holder.is_built
    assert page.panel() is page.circulation and page.circulation_tab.is_built
    assert not any(panel.rows_model.loaded for panel in page.panels.values())
    assert all(panel.rows_model.fetches == 0 for panel in page.panels.values())
    page.refresh()  # a refresh reads only what is shown, or was shown before
    assert not any(panel.rows_model.loaded for panel in page.panels.values())
    history = page.show_tab("history")
    assert history.rows_model.loaded and history.rows_model.rowCount() == demo_desk.loans.count(
        clerk_actor, LoanFilter())
    assert not page.panels[OVERDUE].rows_model.loaded
    assert not page.borrowers_holder.is_built
    page.show()
    page.tabs.setCurrentWidget(page.borrowers_holder)  # shown: built, and its count is said
    assert page.borrowers_holder.is_built and page.borrowers_tab.isVisible()
    assert page.count_label.text() == page.borrowers_tab.count_text()


def test_a_tabs_table_is_made_when_the_tab_is_first_shown(demo_desk, qtbot):
    """Issue 17: a manager's Loans page opens on Open; the Overdue and History tables are
    made (and painted) only when their tabs are first shown, and their selection still
    drives the page's actions."""
    manager = sign_in(demo_desk, "zhangwei")
    page = LoansPage(demo_desk, manager)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    assert page.panels[OPEN].has_table and page.panels[OPEN].table.isVisible()
    assert not page.panels[OVERDUE].has_table and not page.panels[HISTORY].has_table
    overdue = page.show_tab(OVERDUE)
    qtbot.waitUntil(lambda: overdue.has_table and overdue.table.isVisible())
    assert overdue.table.model() is overdue.rows_model and overdue.rows_model.rowCount() > 0
    assert not page.buttons["card"].isEnabled()
    overdue.table.selectRow(0)
    assert page.buttons["card"].isEnabled()  # one loan selected: its borrower's card


def test_only_a_users_change_of_a_register_header_is_written(demo_desk, clerk_actor, qtbot):
    """Issue 17: building the page set its tables' default widths, and hiding a table then
    wrote them to the settings file, once per table, during a first sign-in."""
    from PySide6.QtCore import QSettings

    page = shown(qtbot, LoansPage(demo_desk, clerk_actor), (1200, 700))
    page.show_tab("history")
    page.show_tab("open")
    assert not [key for key in QSettings().allKeys() if key.endswith("/header")]
    page.panels["open"].table.setColumnWidth(1, 333)  # the user drags a column's edge
    qtbot.waitUntil(lambda: QSettings().value("registers/loans_open/header") is not None)
    assert QSettings().value("registers/loans_history/header") is None


def test_lend_three_items_with_keyboard_and_scanner_only(qtbot, page, demo_desk, clerk_actor, refs,
                                                        signing):
    dialog = open_lend_dialog(qtbot, page)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)  # somewhere else first
    assert not dialog.scan_box.edit.hasFocus()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_F2)
    assert dialog.scan_box.edit.hasFocus()
    for ref in refs:
        scan(qtbot, dialog, ref.lower())
        assert dialog.isVisible()  # Enter after a scan does not press "Lend"
    assert dialog.refs() == refs
    assert dialog.scan_box.message_text() == ""

    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_U, ALT)  # "&User name:"
    assert dialog.user_edit.hasFocus()
    qtbot.keyClicks(dialog.user_edit, "liqiang")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_P, ALT)  # "&Purpose:"
    assert dialog.purpose_edit.hasFocus()
    qtbot.keyClicks(dialog.purpose_edit, "annual audit")
    qtbot.keyClick(dialog.purpose_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.open_dialog is None)

    rows = demo_desk.loans.page(clerk_actor, LoanFilter(open_only=True, borrower="liqiang"), 0, 500)
    mine = [row for row in rows if row["ref"] in refs]
    assert sorted(row["ref"] for row in mine) == sorted(refs)
    assert {row["purpose"] for row in mine} == {"annual audit"}
    assert {row["handler"] for row in mine} == {"王芳"}  # staff by full name
    assert len({row["slip"] for row in mine}) == 1

    # borrower's hand first (no password), then the clerk's password and hand
    assert [(a[2], a[3]) for a in signing["asks"]] == [(False, True), (True, True)]
    slip = demo_desk.loans.slip(clerk_actor, mine[0]["slip"])
    assert slip["signed"]
    (name, pdf), = signing["previews"]
    assert name == f"{slip['number']}.pdf"
    assert pdf == demo_desk.loans.document(clerk_actor, slip["number"])
    report = verify_pdf(pdf, demo_desk.keys.ca_certificate())
    assert report.ok
    assert report.signatures[0].signer_user == "wangfang"
    assert page.panels["open"].model.rowCount() == demo_desk.loans.count(
        clerk_actor, LoanFilter(open_only=True))


def test_refused_scans_show_the_message_and_add_nothing(qtbot, page, demo_desk, clerk_actor, refs,
                                                        signing):
    demo_desk.loans.lend(clerk_actor, [refs[2]], BorrowerInput(user_name="liqiang"), "查阅")
    dialog = open_lend_dialog(qtbot, page)
    scan(qtbot, dialog, "NOPE-404")
    assert dialog.scan_box.message_text() == "Unknown reference scanned: NOPE-404."
    scan(qtbot, dialog, refs[2])
    assert dialog.scan_box.message_text() == f"{refs[2]} is already on loan."
    # A secret file goes into the list; the approval line says why it cannot go out (R5):
    # lending it needs a matching approval, and the loan is refused without one.
    scan(qtbot, dialog, "QA-SECRET-1")
    dialog.explain()
    assert "manager's approval" in dialog.approval_label.text()
    dialog.list.setCurrentRow(0)
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    assert dialog.refs() == [] and dialog.list.count() == 0
    dialog.scan_box.focus()
    scan(qtbot, dialog, refs[0])
    scan(qtbot, dialog, refs[0])
    assert dialog.scan_box.message_text() == f"{refs[0]} is in the list already."
    assert dialog.refs() == [refs[0]]
    # and Remove takes one out again
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    assert dialog.refs() == []
    dialog.reject()


def test_empty_purpose_is_refused_and_nothing_written(qtbot, page, demo_desk, clerk_actor, refs,
                                                       signing):
    before = demo_desk.loans.count(clerk_actor, LoanFilter())
    dialog = open_lend_dialog(qtbot, page)
    scan(qtbot, dialog, refs[0])
    qtbot.keyClicks(dialog.user_edit, "liqiang")
    dialog.purpose_edit.setFocus()
    qtbot.keyClick(dialog.purpose_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.field_errors["purpose"].text() == "Give the purpose of the loan."
    assert dialog.purpose_edit.hasFocus()
    dialog.user_edit.clear()
    dialog.purpose_edit.setText("查阅")
    dialog.ok_button.click()
    assert dialog.field_errors["borrower"].text().startswith("Who borrows?")
    dialog.outside_radio.setChecked(True)
    dialog.name_edit.setText(OUTSIDER)
    dialog.ok_button.click()
    assert dialog.field_errors["contact"].text() == "An outside borrower needs contact details."
    dialog.due_edit.setText("2020-01-01")
    dialog.contact_edit.setText("13800000000")
    dialog.ok_button.click()
    assert "in the past" in dialog.field_errors["due"].text()
    assert demo_desk.loans.count(clerk_actor, LoanFilter()) == before
    assert signing["asks"] == []
    dialog.due_edit.clear()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    assert demo_desk.loans.count(clerk_actor, LoanFilter()) == before + 1


def answer_unsigned_choice(*buttons: str) -> list[str]:
    """Click ``buttons`` in turn, one for each "not signed" choice shown; their texts are
    collected."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QPushButton

    seen: list[str] = []
    queue, answered = list(buttons), []

    def look() -> None:
        boxes = [w for w in QApplication.topLevelWidgets()
                 if w.objectName() == "unsigned_choice" and w.isVisible()
                 and not any(w is old for old in answered)]
        if not boxes:
            QTimer.singleShot(20, look)
            return
        answered.append(boxes[0])
        seen.append(boxes[0].text())
        boxes[0].findChild(QPushButton, queue.pop(0)).click()
        if queue:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    return seen


def test_cancel_at_signing_asks_and_go_back_registers_nothing(qtbot, page, demo_desk, clerk_actor,
                                                              refs, signing, monkeypatch):
    monkeypatch.setattr(SignDialog, "ask", staticmethod(lambda *args, **kwargs: None))
    before = demo_desk.loans.count(clerk_actor, LoanFilter())
    dialog = open_lend_dialog(qtbot, page)
    scan(qtbot, dialog, refs[0])
    dialog.user_edit.setText("liqiang")
    dialog.purpose_edit.setText("查阅")
    seen = answer_unsigned_choice("go_back")
    dialog.ok_button.click()
    assert seen and "Nothing is registered yet" in seen[0]
    assert dialog.isVisible() and dialog.result_value is None
    assert demo_desk.loans.count(clerk_actor, LoanFilter()) == before

    seen = answer_unsigned_choice("register_unsigned")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    slip = dialog.result_value
    assert not demo_desk.loans.slip(clerk_actor, slip["id"])["signed"]
    box = page.findChild(lend_module.QMessageBox)
    assert box is not None and slip["number"] in box.text()
    box.accept()
    unsigned = demo_desk.loans.page(clerk_actor, LoanFilter(unsigned_only=True), 0, 50)
    assert refs[0] in [row["ref"] for row in unsigned]


def test_take_back_and_sign_the_receipt(qtbot, page, demo_desk, clerk_actor, refs, signing):
    demo_desk.loans.lend(clerk_actor, refs, BorrowerInput(name=OUTSIDER, contact="138"), "查阅")
    page.buttons["return"].click()
    dialog = page.open_dialog
    assert isinstance(dialog, ReturnDialog)
    qtbot.waitExposed(dialog)
    scan(qtbot, dialog, "QA-SECRET-1")
    assert dialog.scan_box.message_text() == "QA-SECRET-1 is not on loan."
    for ref in refs:
        scan(qtbot, dialog, ref)
    dialog.condition_combo.setCurrentIndex(dialog.condition_combo.findData("worn"))
    dialog.notes_edit.setText("corner torn")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    receipt = dialog.result_value
    assert receipt["signed"] is False  # the dict from before signing
    assert demo_desk.loans.receipt(clerk_actor, receipt["id"])["signed"]
    assert {item["condition"] for item in receipt["items"]} == {"worn"}
    (_name, pdf), = signing["previews"]
    assert verify_pdf(pdf, demo_desk.keys.ca_certificate()).ok


def test_overdue_tab_after_the_clock_moves_on(qtbot, page, demo_desk, clerk_actor, refs, clock):
    demo_desk.loans.lend(clerk_actor, refs[:2], BorrowerInput(name=OUTSIDER, contact="138"), "查阅")
    page.borrower_edit.setText(OUTSIDER)
    page.apply_filter()
    panel = page.show_overdue()
    assert page.tabs.currentWidget() is panel
    assert panel.model.rowCount() == 0
    assert page.panels["open"].model.rowCount() == 2
    clock.advance(days=40)
    page.activated()
    assert panel.model.rowCount() == 2
    assert {panel.model.row(n)["ref"] for n in range(2)} == set(refs[:2])
    days = [int(panel.model.data(panel.model.index(n, 4))) for n in range(2)]
    assert all(d > 0 for d in days) and days == sorted(days, reverse=True)
    assert page.count_label.text() == "2 loans"


def test_renew_moves_the_due_date(qtbot, page, demo_desk, clerk_actor, refs, signing):
    demo_desk.loans.lend(clerk_actor, [refs[0]], BorrowerInput(name=OUTSIDER, contact="138"), "查阅")
    page.borrower_edit.setText(OUTSIDER)
    page.apply_filter()
    panel = page.panels["open"]
    before = panel.model.row(0)["due_on"]
    page.tabs.setCurrentWidget(panel)
    panel.table.selectRow(0)
    assert page.buttons["renew"].isEnabled()
    page.buttons["renew"].click()  # the Renew dialog, the proposed date filled in
    page.open_dialog.ok_button.click()
    qtbot.waitUntil(lambda: signing["previews"] != [])  # the renewal slip, signed
    assert panel.model.row(0)["due_on"] > before
    assert panel.model.row(0)["renewals"] == 1


def test_correct_is_for_supervisors_and_needs_a_reason(qtbot, demo_desk, clerk_actor, refs, page):
    assert page.buttons["correct"].isHidden()
    supervisor = sign_in(demo_desk, "liqiang")
    demo_desk.loans.lend(clerk_actor, [refs[0]], BorrowerInput(name=OUTSIDER, contact="138"), "查阅")
    widget = LoansPage(demo_desk, supervisor)
    qtbot.addWidget(widget)
    assert not widget.buttons["correct"].isHidden()
    widget.borrower_edit.setText(OUTSIDER)
    widget.apply_filter()
    panel = widget.show_tab("open")  # the page opens on Circulation
    panel.table.selectRow(0)
    widget.buttons["correct"].click()
    dialog = widget.open_dialog
    row = panel.model.row(0)
    dialog.due_edit.line_edit.setText("2027-02-29")  # not a day: said at the field
    dialog.reason_edit.setText("typed the wrong date")
    dialog.ok_button.click()
    assert "28 days" in dialog.field_errors["due_on"].text()
    assert demo_desk.loans.corrections(supervisor, row["id"]) == []
    dialog.reason_edit.clear()
    dialog.due_edit.line_edit.setText("2027-01-31")
    dialog.ok_button.click()
    assert dialog.field_errors["reason"].text() == "Give the reason for the correction."
    assert demo_desk.loans.corrections(supervisor, row["id"]) == []
    dialog.reason_edit.setText("typed the wrong date")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: widget.open_dialog is None)
    (correction,) = demo_desk.loans.corrections(supervisor, row["id"])
    assert correction["changes"]["due_on"][1] == "2027-01-31"


def test_reminders_send_and_preview_the_notice(qtbot, page, demo_desk, clerk_actor, refs, clock,
                                               signing, monkeypatch):
    demo_desk.loans.lend(clerk_actor, refs[:2], BorrowerInput(name=OUTSIDER, contact="138"), "查阅")
    clock.advance(days=40)
    threads = []
    send_reminder = demo_desk.loans.send_reminder

    def recording_send(*args):
        threads.append(threading.get_ident())
        return send_reminder(*args)

    monkeypatch.setattr(demo_desk.loans, "send_reminder", recording_send)
    page.buttons["reminders"].click()
    dialog = page.open_dialog
    tree = dialog.tree
    tops = [tree.topLevelItem(n) for n in range(tree.topLevelItemCount())]
    mine = next(item for item in tops if item.text(0) == OUTSIDER)
    assert mine.childCount() == 2
    tree.setCurrentItem(mine.child(1))
    dialog.send_button.click()  # recorded and printed in a background job
    assert not dialog.send_button.isEnabled()
    qtbot.waitUntil(lambda: signing["previews"] != [], timeout=10_000)
    (name, pdf), = signing["previews"]
    assert dialog.send_button.isEnabled()
    assert len(threads) == 1 and threads[0] != threading.get_ident()  # made off the GUI thread
    assert pdf.startswith(b"%PDF") and OUTSIDER in name
    borrower_id = mine.data(0, Qt.ItemDataRole.UserRole)
    assert len(demo_desk.loans.reminders(clerk_actor, borrower_id)) == 1
    assert OUTSIDER in dialog.status.text()
    dialog.reject()


def test_today_shows_overdue_loans_and_opens_the_overdue_tab(qtbot, demo_desk, clerk_actor, clock):
    from desk_app.ui.main_window import MainWindow

    window = MainWindow(demo_desk, clerk_actor, idle_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    today = window.page("today")
    count = demo_desk.loans.count(clerk_actor, LoanFilter(overdue_only=True))
    assert count > 0  # the demo data has overdue loans
    assert today.overdue_label.text().startswith(f"{count} loans are overdue")
    assert today.overdue_list.topLevelItemCount() == min(10, count)
    first = demo_desk.loans.page(clerk_actor, LoanFilter(overdue_only=True), 0, 1)[0]
    assert [today.overdue_list.topLevelItem(0).text(c) for c in range(3)] == [
        first["ref"], first["borrower"], str(first["days_overdue"])]
    today.overdue_button.click()
    assert window.current_area() == "loans"
    loans = window.page("loans")
    assert loans.tabs.currentWidget() is loans.panels[OVERDUE]
    window.close()


def test_today_without_loan_rights_has_no_overdue_box(qtbot, demo_desk):
    from desk_app.ui.pages.today import TodayPage

    admin = sign_in(demo_desk, "admin")
    widget = TodayPage(demo_desk, admin)
    qtbot.addWidget(widget)
    assert widget.overdue_box is None


def _mnemonic(text: str) -> str | None:
    """The letter after a single "&" ("&&" is a literal ampersand), upper case."""
    index = 0
    while (index := text.find("&", index)) >= 0 and index + 1 < len(text):
        if text[index + 1] != "&":
            return text[index + 1].upper()
        index += 2
    return None


def test_every_visible_control_of_the_loans_page_has_its_own_letter(page):
    """Alt+letter reaches one control: tabs, filter row, buttons and the tab's own fields."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        texts = list(tabs)
        for widget in page.findChildren(QAbstractButton) + page.findChildren(QLabel):
            if not widget.isVisible():
                continue
            if isinstance(widget, QLabel) and widget.buddy() is None:
                continue
            texts.append(widget.text())
        letters = [(letter, text) for text in texts if (letter := _mnemonic(text))]
        seen: dict[str, str] = {}
        for letter, text in letters:
            assert letter not in seen, f"Alt+{letter}: {seen.get(letter)!r} and {text!r} " \
                                       f"(tab {tabs[index]!r})"
            seen[letter] = text
        assert len(seen) >= 12  # the page really was looked at


def test_f3_from_the_open_tab_takes_back_in_circulation(qtbot, page):
    from desk_app.ui.loans.circulation import CHECK_IN

    page.show_tab("open")
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.panels["open"].table.setFocus()
    qtbot.keyClick(page.panels["open"].table, Qt.Key.Key_F3)
    panel = page.circulation
    assert page.panel() is panel and panel.mode == CHECK_IN
    assert panel.in_radio.isChecked()
    qtbot.waitUntil(panel.scan_box.edit.hasFocus)
    assert "(F3)" in panel.scan_box.edit.placeholderText()
    qtbot.keyClick(panel.scan_box.edit, Qt.Key.Key_F2)
    assert panel.mode != CHECK_IN and "(F2)" in panel.scan_box.edit.placeholderText()
