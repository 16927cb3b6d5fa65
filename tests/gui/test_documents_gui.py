"""Documents page (issue 15): it opens for the clerk, the manager and the auditor; the find
box opens a document by its number; a clerk registers a letter through the form; the
manager instructs through the dialog and signs with the password typed; a department head
confirms reading; Today's Documents box counts what waits and leads to the page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication

from desk_app.domain.documents import Direction
from desk_app.ui.admin.departments_panel import DepartmentsPanel
from desk_app.ui.documents import actions
from desk_app.ui.documents.actions import ChaseDialog, DecideDialog, InstructDialog, TextDialog
from desk_app.ui.documents.common import ACTIONS
from desk_app.ui.documents.forms import DraftDialog, NewIncomingDialog
from desk_app.ui.documents.page import DocumentsPage
from desk_app.ui.documents.window import DocumentWindow
from desk_app.ui.pages.today import TodayPage
from desk_app.ui.widgets import signing as approvals_common
from desk_app.ui.widgets.fields import widget_value
from desk_app.ui.widgets.form_dialog import FieldsDialog
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.conftest import PASSWORD, add_user
from tests.gui.conftest import shown, sign_in

ZIGZAG = [(20 + 18 * step, 40 if step % 2 else 95) for step in range(16)]
SIZE = (1366, 768)


@pytest.fixture(autouse=True)
def _event_loops_run(qapp) -> None:
    """A QApplication.exit() left by another test makes QDialog.exec() return at once; one
    turn of the event loop clears it (tests/gui/test_signing_gui.py)."""
    QTimer.singleShot(0, qapp.quit)
    qapp.exec()


@pytest.fixture
def people(demo_desk) -> dict:
    """A clerk of the office, the manager, the heads of GC and BA, a member of KF."""
    admin = sign_in(demo_desk, "admin")
    actors = {
        "clerk": add_user(demo_desk, admin, "dc_clerk", "clerk", "文书甲"),
        "manager": add_user(demo_desk, admin, "dc_boss", "manager", "总经理乙"),
        "gc_head": add_user(demo_desk, admin, "dc_gc", "supervisor", "工程丙"),
        "ba_head": add_user(demo_desk, admin, "dc_ba", "clerk", "保安丁"),
        "kf_staff": add_user(demo_desk, admin, "dc_kf", "clerk", "客服戊"),
        "gc_staff": add_user(demo_desk, admin, "dc_gcm", "clerk", "工程己"),
        "auditor": sign_in(demo_desk, "chenjing"),
    }
    for name, dept, head in (("dc_clerk", "ZB", False), ("dc_boss", "ZB", False),
                             ("dc_gc", "GC", True), ("dc_ba", "BA", True),
                             ("dc_kf", "KF", False), ("dc_gcm", "GC", False)):
        demo_desk.documents.set_department(admin, name, dept, head=head)
    return actors


def receive(desk, clerk, **values) -> dict:
    data = dict(sender="市住建局", title="关于开展消防检查的通知", sender_ref="住建发〔2026〕12号")
    data.update(values)
    return desk.documents.receive(clerk, **data)


def draw(qtbot, pad) -> None:
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*ZIGZAG[0]))
    for point in ZIGZAG[1:]:
        qtbot.mouseMove(pad, QPoint(*point))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*ZIGZAG[-1]))


def sign_when_asked(qtbot, password: str = PASSWORD) -> list[str]:
    """When the sign dialog comes up: type the password, sign on the pad, press Sign."""
    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SignDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(dialog.prompt_label.text())
        qtbot.keyClicks(dialog.password_edit, password)
        draw(qtbot, dialog.pad)
        dialog.ok_button.click()

    QTimer.singleShot(0, answer)
    return seen


def click_watching_for_signing(button) -> list[str]:
    """Click ``button``; a sign dialog that comes up meanwhile is recorded and cancelled
    (the form must not ask for a signature before its fields are right)."""
    asked: list[str] = []
    watcher = QTimer()
    watcher.setInterval(20)

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignDialog):
            asked.append(dialog.prompt_label.text())
            dialog.reject()

    watcher.timeout.connect(check)
    watcher.start()
    button.click()
    watcher.stop()
    return asked


def page_for(qtbot, desk, actor) -> DocumentsPage:
    page = shown(qtbot, DocumentsPage(desk, actor), SIZE)
    page.activated()
    return page


def open_window(qtbot, page: DocumentsPage, doc_id: int) -> DocumentWindow:
    window = page.open_document(doc_id)
    assert isinstance(window, DocumentWindow) and page.open_dialog is window
    qtbot.waitExposed(window)
    return window


# ------------------------------------------------------------------ the page


@pytest.mark.parametrize("who", ["clerk", "manager", "auditor"])
def test_the_page_opens_for_the_clerk_the_manager_and_the_auditor(qtbot, demo_desk, people, who):
    letter = receive(demo_desk, people["clerk"])
    page = page_for(qtbot, demo_desk, people[who])
    titles = [page.tabs.tabText(n).replace("&", "") for n in range(page.tabs.count())]
    assert titles == ["Waiting for my action", "Incoming", "Outgoing", "Liaison sheets", "Chase list"]
    assert page.buttons["incoming"].isVisibleTo(page) == (who == "clerk")
    assert page.buttons["outgoing"].isVisibleTo(page) == (who in ("clerk", "manager"))
    # nothing ever waits for the auditor: their page opens on the incoming register
    opened_on = page.tabs.currentWidget()
    assert (opened_on is page.lists[Direction.INCOMING]) == (who == "auditor")
    assert (opened_on is page.waiting) == (who != "auditor")
    page.show_view("incoming")
    panel = page.tabs.currentWidget()
    assert panel.model.rowCount() >= 1
    numbers = [panel.model.row(n)["number"] for n in range(panel.model.rowCount())]
    assert letter["number"] in numbers
    assert "document" in page.count_label.text()
    if who == "manager":  # the letter waits for the manager's instruction
        page.show_view("waiting:instruct")
        item = page.waiting.tree.currentItem()
        group = item.parent() if item is not None else None
        assert group is not None
        assert letter["number"] in [group.child(n).text(0) for n in range(group.childCount())]


def test_the_find_box_opens_a_document_by_its_number_or_says_none_was_found(
        qtbot, demo_desk, people):
    letter = receive(demo_desk, people["clerk"])
    page = page_for(qtbot, demo_desk, people["clerk"])
    page.find_box.focus()
    qtbot.keyClicks(page.find_box.edit, letter["number"].lower())  # a scanner may type lower
    qtbot.keyClick(page.find_box.edit, Qt.Key.Key_Return)
    window = page.open_dialog
    assert isinstance(window, DocumentWindow)
    assert window.document["id"] == letter["id"]
    assert letter["number"] in window.heading.text()
    assert not window.buttons["instruct"].isVisibleTo(window)  # only the manager instructs
    window.reject()
    qtbot.waitUntil(lambda: page.open_dialog is None)

    page.find_box.edit.setText("住建发〔2026〕12号")  # the sender's number (keyClicks: ASCII only)
    qtbot.keyClick(page.find_box.edit, Qt.Key.Key_Return)
    assert isinstance(page.open_dialog, DocumentWindow)
    page.open_dialog.reject()
    qtbot.waitUntil(lambda: page.open_dialog is None)

    qtbot.keyClicks(page.find_box.edit, "SW1999-9999")
    qtbot.keyClick(page.find_box.edit, Qt.Key.Key_Return)
    assert page.open_dialog is None
    assert "SW1999-9999" in page.find_box.message_text()


def test_a_clerk_registers_a_letter_through_the_form(qtbot, demo_desk, people, tmp_path):
    page = page_for(qtbot, demo_desk, people["clerk"])
    page.show_view("incoming")
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page.tabs.currentWidget().table, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.open_dialog is not None)
    dialog = page.open_dialog
    assert isinstance(dialog, NewIncomingDialog)
    qtbot.waitExposed(dialog)
    dialog.ok_button.click()  # nothing typed: refused at the field, nothing written
    assert dialog.isVisible()
    assert dialog.field_errors["sender"].isVisible() or dialog.field_errors["title"].isVisible()
    dialog.sender_edit.setText("区消防大队")
    dialog.title_edit.setText("关于冬季防火检查的通知")
    dialog.urgency_combo.setCurrentIndex(dialog.urgency_combo.findData("urgent"))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 a scan of the letter")
    dialog.attachment_picker.set_path(scan)  # what Choose… sets after the file dialog
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    panel = page.tabs.currentWidget()
    row = panel.current()
    assert row is not None and row["title"] == "关于冬季防火检查的通知"
    assert row["number"].startswith("SW")
    assert page.done_label.text() == f"Registered {row['number']}."
    assert demo_desk.documents.attachment(people["clerk"], row["id"]) == (
        "scan.pdf", b"%PDF-1.4 a scan of the letter")


def test_a_fields_error_goes_when_it_is_corrected_and_the_field_in_error_has_the_focus(
        qtbot, demo_desk, people):
    dialog = shown(qtbot, NewIncomingDialog(demo_desk, people["clerk"]))
    dialog.title_edit.setFocus()
    dialog.ok_button.click()  # nothing typed: the first field in error is the sender
    error = dialog.field_errors["sender"]
    assert error.isVisible() and error.text() == "Give the Sender."
    assert dialog.focusWidget() is dialog.sender_edit
    qtbot.keyClicks(dialog.sender_edit, "X")
    assert not error.isVisible()  # corrected: the message no longer applies

    dialog.ok_button.click()  # now the title is missing
    assert dialog.field_errors["title"].isVisible()
    assert dialog.focusWidget() is dialog.title_edit
    dialog.title_edit.setText("关于冬季防火检查的通知")
    assert not dialog.field_errors["title"].isVisible()


def test_a_draft_with_an_empty_title_is_refused_before_the_signature_is_asked_for(
        qtbot, demo_desk, people):
    page = page_for(qtbot, demo_desk, people["gc_staff"])
    dialog = page.new_outgoing()
    qtbot.waitExposed(dialog)
    dialog.addressee_edit.setText("各业主")
    dialog.body_edit.setFocus()
    assert click_watching_for_signing(dialog.ok_button) == []
    assert dialog.isVisible() and dialog.field_errors["title"].isVisible()
    assert dialog.field_errors["title"].text() == "Give the document's title."
    assert dialog.focusWidget() is dialog.title_edit

    dialog.title_edit.setText("关于电梯集中维保的通知")
    assert not dialog.field_errors["title"].isVisible()
    dialog.addressee_edit.clear()
    assert click_watching_for_signing(dialog.ok_button) == []
    assert dialog.field_errors["addressee"].isVisible()
    assert dialog.focusWidget() is dialog.addressee_edit

    dialog.addressee_edit.setText("各业主")
    asked = click_watching_for_signing(dialog.ok_button)  # all right: now it is signed
    assert len(asked) == 1 and dialog.isVisible()  # (the signature was cancelled here)


def test_filing_a_document_without_a_kind_asks_for_one_before_signing(
        qtbot, demo_desk, people):
    letter = receive(demo_desk, people["clerk"])
    assert not letter["kind"]
    dialog = shown(qtbot, actions.FileDialog(demo_desk, people["clerk"], letter))
    assert dialog.kind_combo.itemText(0) == "(choose a kind)"
    assert click_watching_for_signing(dialog.ok_button) == []
    assert dialog.field_errors["kind"].isVisible()
    assert letter["number"] in dialog.field_errors["kind"].text()
    dialog.kind_combo.setCurrentIndex(1)
    assert not dialog.field_errors["kind"].isVisible()

    kind = demo_desk.archive.kinds()[0][0]
    with_kind = receive(demo_desk, people["clerk"], kind=kind, sender_ref="")
    other = shown(qtbot, actions.FileDialog(demo_desk, people["clerk"], with_kind))
    assert other.kind_combo.itemText(0) == "(the document's kind)"


def test_assign_a_user_starts_from_the_member_selected(qtbot, demo_desk, people):
    panel = shown(qtbot, DepartmentsPanel(demo_desk, sign_in(demo_desk, "admin")))
    panel.refresh()
    gc = panel.tree.findItems("(GC)", Qt.MatchFlag.MatchEndsWith)[0]
    members = [gc.child(n) for n in range(gc.childCount())]
    panel.tree.setCurrentItem(next(m for m in members if m and m.text(1) == "dc_gc"))

    def assign_values() -> list:
        panel.buttons["assign"].click()
        dialog = panel.open_dialog
        assert isinstance(dialog, FieldsDialog)
        dialog.reject()
        return [widget_value(dialog.widgets[name]) for name in ("user", "dept", "head")]

    assert assign_values() == ["dc_gc", "GC", "yes"]
    panel.tree.setCurrentItem(gc)  # a department: it is chosen, the name left to type
    assert assign_values() == ["", "GC", "no"]


# ------------------------------------------------------------------ circulation


def test_the_manager_instructs_through_the_dialog_with_the_password_typed(
        qtbot, demo_desk, people, monkeypatch):
    letter = receive(demo_desk, people["clerk"])
    page = page_for(qtbot, demo_desk, people["manager"])
    window = open_window(qtbot, page, letter["id"])
    assert window.buttons["instruct"].isVisibleTo(window)
    dialog = window.run_action("instruct")
    assert isinstance(dialog, InstructDialog) and window.open_dialog is dialog
    qtbot.waitExposed(dialog)

    dialog.ok_button.click()  # no instruction: refused before anyone signs
    assert dialog.field_errors["instruction"].isVisible()
    dialog.instruction_edit.setPlainText("请工程部、保安部阅，客服部办理。")
    dialog.add_reader("BA")
    dialog.add_reader("GC")
    dialog.add_reader("GC")  # twice: listed once
    assert dialog.readers() == ["BA", "GC"]
    dialog.move_reader(-1)  # GC up: it reads first
    assert dialog.readers() == ["GC", "BA"]
    dialog.handler_combo.setCurrentIndex(dialog.handler_combo.findData("KF"))
    asked = sign_when_asked(qtbot)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: window.open_dialog is None, timeout=10_000)
    assert asked and letter["number"] in asked[0]

    shown_now = demo_desk.documents.show(people["manager"], letter["id"])
    assert shown_now["status"] == "circulating"
    assert [stop["dept"] for stop in shown_now["route"]] == ["GC", "BA"]
    assert shown_now["handler_dept"] == "KF"
    assert shown_now["has_instruction_sheet"]
    # the window shows it at once: the route, the current stop first, no Instruct any more
    assert window.route.topLevelItem(0).text(1) == shown_now["route"][0]["dept_name"]
    assert window.route.topLevelItem(0).font(1).bold()
    assert not window.buttons["instruct"].isVisibleTo(window)
    assert window.result_value is True
    previews: list = []
    monkeypatch.setattr(approvals_common, "preview_pdf",
                        lambda parent, pdf, name: previews.append((name, pdf)))
    window.sheet_button.click()  # the signed instruction sheet, read in the background
    qtbot.waitUntil(lambda: bool(previews), timeout=10_000)
    assert previews[0][0] == f"{letter['number']}.pdf" and previews[0][1].startswith(b"%PDF")


def test_a_head_confirms_reading_in_turn(qtbot, demo_desk, people):
    letter = receive(demo_desk, people["clerk"])
    demo_desk.documents.instruct(people["manager"], letter["id"], instruction="阅处",
                                 readers=["GC", "BA"], handler="KF", due_on=None,
                                 password=PASSWORD)
    # BA's head is not yet on turn: no button for them
    ba_page = page_for(qtbot, demo_desk, people["ba_head"])
    ba_window = open_window(qtbot, ba_page, letter["id"])
    assert not ba_window.buttons["read"].isVisibleTo(ba_window)
    ba_window.reject()

    page = page_for(qtbot, demo_desk, people["gc_head"])
    page.show_view("waiting:read")
    item = page.waiting.tree.currentItem()
    group = item.parent() if item is not None else None
    assert group is not None and group.data(0, Qt.ItemDataRole.UserRole) == "read"
    mine = [group.child(n) for n in range(group.childCount())
            if group.child(n).text(0) == letter["number"]]
    assert len(mine) == 1
    page.waiting.tree.setCurrentItem(mine[0])
    qtbot.keyClick(page.waiting.tree, Qt.Key.Key_Return)  # Enter opens it
    window = page.open_dialog
    assert isinstance(window, DocumentWindow)
    qtbot.waitExposed(window)
    assert window.buttons["read"].isVisibleTo(window)
    dialog = window.run_action("read")
    assert isinstance(dialog, TextDialog)
    qtbot.waitExposed(dialog)
    dialog.text_edit.setPlainText("已阅，工程部配合。")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: window.open_dialog is None)
    route = demo_desk.documents.show(people["gc_head"], letter["id"])["route"]
    assert route[0]["confirmed_by"] == "工程丙" and route[0]["comment"] == "已阅，工程部配合。"
    assert route[1]["current"] and not route[1]["confirmed_at"]
    assert not window.buttons["read"].isVisibleTo(window)
    assert window.route.topLevelItem(1).font(1).bold()  # BA is now the current stop


# ------------------------------------------------------------------ Today


def test_todays_documents_box_counts_what_waits_and_leads_to_the_page(qtbot, demo_desk, people):
    receive(demo_desk, people["clerk"])
    receive(demo_desk, people["clerk"], title="关于春节值班安排的函", sender_ref="")
    manager = people["manager"]
    today = shown(qtbot, TodayPage(demo_desk, manager), SIZE)
    box = today.documents_box
    assert box is not None
    label, button = box.lines["instruct"]
    waiting = len(demo_desk.documents.waiting_for_me(manager)["instruct"])
    assert waiting >= 2
    assert label.text().startswith(f"{waiting} documents are waiting for your instruction")
    assert button.isEnabled()
    with qtbot.waitSignal(today.navigate) as signal:
        button.click()
    assert signal.args == ["documents", "waiting:instruct"]

    auditor_today = shown(qtbot, TodayPage(demo_desk, people["auditor"]), SIZE)
    assert auditor_today.documents_box is not None
    admin_today = shown(qtbot, TodayPage(demo_desk, sign_in(demo_desk, "admin")), SIZE)
    assert admin_today.documents_box is None  # the administrator has no document view


# ------------------------------------------------------------------ outgoing, chasing, keys


def test_an_outgoing_notice_is_drafted_reviewed_signed_off_and_sent_through_the_windows(
        qtbot, demo_desk, people):
    drafter = people["gc_staff"]
    page = page_for(qtbot, demo_desk, drafter)
    dialog = page.new_outgoing()
    assert isinstance(dialog, DraftDialog) and dialog.dept_combo is not None
    qtbot.waitExposed(dialog)
    assert dialog.dept_combo.currentData() == "GC"  # the drafter's own department
    dialog.title_edit.setText("关于电梯集中维保的通知")
    dialog.addressee_edit.setText("各业主")
    dialog.body_edit.setPlainText("下周二对一号楼电梯进行维保。")
    sign_when_asked(qtbot)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None, timeout=10_000)
    draft = page.tabs.currentWidget().current()
    assert draft is not None and draft["status"] == "draft" and draft["number"].startswith("FG")

    def act(who: str, key: str):
        window = open_window(qtbot, page_for(qtbot, demo_desk, people[who]), draft["id"])
        assert window.buttons[key].isVisibleTo(window), (who, key, window.document["actions"])
        return window, window.run_action(key)

    window, review = act("gc_head", "review")
    assert isinstance(review, DecideDialog)
    sign_when_asked(qtbot)
    review.ok_button.click()
    qtbot.waitUntil(lambda: window.open_dialog is None, timeout=10_000)

    window, signoff = act("manager", "signoff")
    signoff.refuse_radio.setChecked(True)
    signoff.ok_button.click()  # a refusal needs its reason: nothing written
    assert signoff.field_errors["reason"].isVisible()
    assert demo_desk.documents.show(people["manager"], draft["id"])["status"] == "reviewed"
    signoff.approve_radio.setChecked(True)
    sign_when_asked(qtbot)
    signoff.ok_button.click()
    qtbot.waitUntil(lambda: window.open_dialog is None, timeout=10_000)

    window = open_window(qtbot, page_for(qtbot, demo_desk, people["clerk"]), draft["id"])
    assert window.buttons["send"].isVisibleTo(window)
    sign_when_asked(qtbot)
    window.run_action("send")
    sent = demo_desk.documents.show(people["clerk"], draft["id"])
    assert sent["status"] == "sent" and sent["issued_no"]
    assert window.document["issued_no"] == sent["issued_no"]  # the window shows it at once
    assert not window.buttons["send"].isVisibleTo(window)


def test_the_office_chases_overdue_handling_from_the_chase_list(qtbot, demo_desk, people):
    clerk = people["clerk"]
    if not demo_desk.documents.chase_count(clerk):
        pytest.skip("the demo has no overdue handling")
    page = page_for(qtbot, demo_desk, clerk)
    page.show_view("chase")
    tab = page.chase_tab
    assert not tab.chase_button.isEnabled()  # nothing selected yet
    tab.table.selectRow(0)
    row = tab.current()
    before = row["chases"] or 0
    tab.chase_button.click()
    dialog = page.open_dialog
    assert isinstance(dialog, ChaseDialog)
    dialog.channel_combo.setCurrentIndex(dialog.channel_combo.findData("visit"))
    dialog.note_edit.setPlainText("已上门催办，承诺周五前报结果。")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    chased = demo_desk.documents.show(clerk, row["id"])
    assert [note["text"] for note in chased["notes"]][-1] == "已上门催办，承诺周五前报结果。"
    again = [each for each in demo_desk.documents.chase_list(clerk) if each["id"] == row["id"]]
    assert again and again[0]["chases"] == before + 1


def test_every_button_of_a_documents_window_has_its_own_letter():
    from desk_app.i18n import _

    texts = [_(text) for _key, text in ACTIONS] + ["View shee&t", "Attach&ment…"]
    letters = [text[text.index("&") + 1].lower() for text in texts]
    assert len(letters) == len(set(letters)), letters
