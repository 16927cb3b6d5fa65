"""A complaint's closed loop in the GUI (R17): taken with its severity, cause analysis,
proposals, the supervisor's signed decision (the real sign dialog), the customer's signature
on the pad and the clerk's, the call-back that closes it; a refusal goes to the manager. Bad
input keeps the form open with the message at its field and writes nothing. Today lists what
waits for a decider and opens it on the Reception page."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication

from desk_app.domain.complaints import Status
from desk_app.store.reception import CallBack, ComplaintDecision, ComplaintProposal
from desk_app.ui.main_window import MainWindow
from desk_app.ui.pages.today import TodayPage
from desk_app.ui.reception.complaints_tab import ComplaintsTab, loop_actions
from desk_app.ui.reception.page import ReceptionPage
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.gui.conftest import DEMO_PASSWORD, sign_in
from tests.gui.test_reception_gui import activate, key_on_page

HOUR = 3_600_000
NUMBER, SEVERITY, STATE = 0, 2, 3  # the Complaint register's columns
CB_CHANNEL, CB_COMPLAINT = 4, 5  # the Call-backs tab's


def pad_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(5, 60), (60, 10), (120, 70), (195, 15)], fill=(0, 0, 0, 255),
                               width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def clerk(demo_desk):
    return sign_in(demo_desk, "wangfang")


@pytest.fixture
def supervisor(demo_desk):
    return sign_in(demo_desk, "liqiang")


@pytest.fixture
def manager(demo_desk):
    return sign_in(demo_desk, "zhangwei")


@pytest.fixture
def previews(monkeypatch) -> list[tuple[str, bytes]]:
    """Signed forms opened for preview (the preview window itself is not shown)."""
    seen: list[tuple[str, bytes]] = []
    monkeypatch.setattr("desk_app.ui.widgets.signing.preview_pdf",
                        lambda parent, pdf, name: seen.append((name, pdf)))
    return seen


def open_page(qtbot, desk, actor) -> ReceptionPage:
    page = ReceptionPage(desk, actor)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.timer.stop()  # no timeout sweeps while the test runs
    activate(qtbot, page)
    page.tabs.setCurrentWidget(page.complaints_tab)
    return page


def draw(qtbot, pad) -> None:
    """A signature drawn with the mouse: one zigzag stroke across the pad."""
    points = [QPoint(20 + 18 * step, 40 if step % 2 else 95) for step in range(16)]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])


def visible_sign_dialog() -> SignDialog | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, SignDialog) and w.isVisible()]
    return found[0] if found else None


def sign_when_asked(qtbot, seen: list[str], password: str = DEMO_PASSWORD) -> None:
    """When the real sign dialog comes up: draw, type the password, Sign."""
    tries = [0]

    def answer() -> None:
        dialog = visible_sign_dialog()
        if dialog is None:
            tries[0] += 1
            if tries[0] < 200:
                QTimer.singleShot(10, answer)
            return
        seen.append(dialog.signer_label.text())
        draw(qtbot, dialog.pad)
        dialog.password_edit.setText(password)
        dialog.accept()

    QTimer.singleShot(0, answer)


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def press(qtbot, page: ReceptionPage, key: str):
    """Click a button of the Complaint register; the form it opened."""
    page.dialog = None
    button = page.complaints_tab.buttons[key]
    assert button.isEnabled(), key
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def select(page: ReceptionPage, complaint_id: int) -> ComplaintsTab:
    page.refresh()
    tab = page.complaints_tab
    assert tab.select_complaint(complaint_id, open_if_missing=False)
    return tab


def cell(tab, column: int) -> str:
    rows = tab.table.selectionModel().selectedRows()
    assert rows
    return tab.model.index(rows[0].row(), column).data()


def status(desk, actor, complaint_id: int) -> str:
    return desk.complaint_flow.show(actor, complaint_id).complaint.status


def written() -> tuple[int, int, int]:
    return (ComplaintProposal.select().count(), ComplaintDecision.select().count(),
            CallBack.select().count())


def decided_by_supervisor(desk, clerk, supervisor, severity: int = 2) -> int:
    """A complaint analysed, with one proposal, decided by the supervisor (services)."""
    view = desk.complaints.add_complaint(clerk, "repairs", "报修三天未上门", "刘先生",
                                         "13800000001", severity=severity)
    desk.complaint_flow.analyse(clerk, view.id, "delay", "派工单漏派", ["wangfang"])
    proposal = desk.complaint_flow.propose(clerk, view.id, "今天上门维修并减免一个月服务费")
    desk.complaint_flow.decide(supervisor, view.id, proposal.id, "同意，今天完成", DEMO_PASSWORD,
                               pad_png())
    return view.id


# ---------------------------------------------------------------------- the whole loop

def test_a_serious_complaint_goes_round_the_loop_to_closed(qtbot, demo_desk, clerk, supervisor,
                                                           previews):
    desk = demo_desk
    page = open_page(qtbot, desk, clerk)
    # Ctrl+Shift+C: a serious complaint, taken with the keyboard shortcut
    before = desk.complaints.count_complaints(clerk)
    key_on_page(qtbot, page, Qt.Key.Key_C,
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    choose(dialog.widgets["category"], "repairs")
    choose(dialog.widgets["severity"], "2")
    dialog.widgets["name"].setText("刘先生")
    dialog.widgets["contact"].setText("13800000001")
    dialog.widgets["description"].setPlainText("报修三天没人上门，打电话态度冷淡")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert desk.complaints.count_complaints(clerk) == before + 1
    complaint = desk.complaints.complaints(clerk, limit=1)[0]
    assert complaint.severity == 2 and complaint.status == Status.OPEN
    tab = page.complaints_tab
    assert tab.selected() is not None and tab.selected().id == complaint.id  # selected
    assert cell(tab, NUMBER) == complaint.number and complaint.number.startswith("TS-")
    assert (cell(tab, SEVERITY), cell(tab, STATE)) == ("Serious", "Open: cause and proposals")
    assert "decide" not in tab.buttons and "send_back" not in tab.buttons  # a clerk's desk
    assert not tab.buttons["accept"].isEnabled()

    # Cause analysis: the cause, what happened, the staff concerned (picked by name)
    dialog = press(qtbot, page, "analyse")
    choose(dialog.widgets["cause"], "delay")
    dialog.widgets["cause_text"].setPlainText("派工单漏派，无人跟进；接线员未登记回访")
    staff = dialog.widgets["staff"]
    staff.filter.setText("王芳")
    visible = [staff.list.item(r).text() for r in range(staff.list.count())
               if not staff.list.item(r).isHidden()]
    assert visible == ["王芳 (wangfang)"]
    staff.set_checked("wangfang")
    staff.set_checked("zhaolei")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    case = desk.complaint_flow.show(clerk, complaint.id)
    assert (case.complaint.cause, case.staff) == ("delay", ["wangfang", "zhaolei"])

    # Two proposals; the complaint then waits for the supervisor
    for text in ("今天下午上门维修", "今天上门维修并减免一个月服务费"):
        dialog = press(qtbot, page, "propose")
        assert "派工单漏派" in dialog.summary.toPlainText()  # the cause, on top
        dialog.widgets["proposal"].setPlainText(text)
        dialog.save()
        qtbot.waitUntil(lambda d=dialog: not d.isVisible())
    assert status(desk, clerk, complaint.id) == Status.PROPOSED
    assert cell(select(page, complaint.id), STATE) == "Waiting for the supervisor's decision"
    assert page.complaints_tab.buttons["analyse"].isEnabled()  # correctable until decided

    # The supervisor decides on the second proposal and signs (the real sign dialog)
    boss = open_page(qtbot, desk, supervisor)
    boss.show_view(f"complaint:{complaint.id}")
    assert boss.complaints_tab.selected().id == complaint.id
    dialog = press(qtbot, boss, "decide")
    proposals = dialog.widgets["proposal"]
    assert proposals.count() == 2
    proposals.setCurrentRow(1)
    dialog.ok_button.click()  # no instruction: said at its field, nothing signed
    assert dialog.isVisible() and "instruction" in dialog.errors["instruction"].text()
    assert visible_sign_dialog() is None
    assert desk.complaint_flow.show(clerk, complaint.id).decisions == []
    dialog.widgets["instruction"].setPlainText("同意方案二，今天17点前完成并回访")
    signers: list[str] = []
    sign_when_asked(qtbot, signers)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert signers == ["李强 (liqiang)"]
    case = desk.complaint_flow.show(clerk, complaint.id)
    chosen = case.proposals[1]
    assert case.complaint.status == Status.DECIDED
    assert [p.state for p in case.proposals] == ["not_chosen", "chosen"]
    assert (case.decisions[0].proposal_id, case.decisions[0].decided_role) == (chosen.id,
                                                                              "supervisor")

    # At the desk the customer signs on the pad, then the clerk
    tab = select(page, complaint.id)
    assert tab.buttons["accept"].isEnabled() and not tab.buttons["propose"].isEnabled()
    dialog = press(qtbot, page, "accept")
    assert "今天上门维修并减免一个月服务费" in dialog.summary.toPlainText()
    choose(dialog.widgets["channel"], "email")
    dialog.ok_button.click()  # the pad is empty: said under it, nothing signed
    assert dialog.isVisible() and dialog.errors["customer"].text() == (
        "The customer signs on the pad first.")
    assert visible_sign_dialog() is None
    draw(qtbot, dialog.widgets["customer"].pad)
    sign_when_asked(qtbot, signers)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert signers[-1] == "Handled by: 王芳"
    assert status(desk, clerk, complaint.id) == Status.ACCEPTED
    number = f"{case.decisions[0].number}-C"
    qtbot.waitUntil(lambda: bool(previews))  # the customer's copy, to print
    assert previews[0][0] == f"{number}.pdf" and previews[0][1].startswith(b"%PDF")

    # The call-back it scheduled is on the Call-backs tab: recorded satisfied, it closes
    page.refresh()
    callbacks = page.callbacks_tab
    page.tabs.setCurrentWidget(callbacks)
    rows = [r for r in range(callbacks.model.rowCount())
            if callbacks.model.index(r, CB_COMPLAINT).data() == complaint.number]
    assert len(rows) == 1
    assert callbacks.model.index(rows[0], CB_CHANNEL).data() == "E-mail"
    callbacks.table.selectRow(rows[0])
    dialog = callbacks.record_selected()
    assert complaint.number in dialog.windowTitle()
    choose(dialog.widgets["satisfaction"], "satisfied")
    dialog.widgets["result"].setPlainText("已上门修好，刘先生满意")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert status(desk, clerk, complaint.id) == Status.CLOSED
    page.tabs.setCurrentWidget(page.complaints_tab)
    tab = select(page, complaint.id)
    assert cell(tab, STATE) == "Closed"
    assert not any(tab.buttons[key].isEnabled() for key in ("analyse", "propose", "accept"))

    # Details (Enter on the complaint): the whole case, its two signed forms open as PDFs
    tab.case_dialog = None
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    case_dialog = tab.case_dialog
    assert case_dialog is not None and case_dialog.isVisible()
    text = case_dialog.text.toPlainText()
    for expected in ("今天下午上门维修", "Not chosen", "Chosen", "同意方案二",
                     "李强 (Supervisor)", "Accepted and signed", "E-mail", "Satisfied",
                     "王芳, 赵磊", "Delay or missed promise"):
        assert expected in text, expected
    assert list(case_dialog.form_buttons) == [case.decisions[0].number, number]
    previews.clear()
    case_dialog.form_buttons[case.decisions[0].number].click()
    qtbot.waitUntil(lambda: bool(previews))
    assert previews[0][0] == f"{case.decisions[0].number}.pdf"
    case_dialog.reject()


# ---------------------------------------------------------------------- refused: the manager

def test_a_refusal_goes_to_the_manager_who_decides_again(qtbot, demo_desk, clerk, supervisor,
                                                         manager, previews):
    desk = demo_desk
    complaint_id = decided_by_supervisor(desk, clerk, supervisor)
    page = open_page(qtbot, desk, clerk)
    select(page, complaint_id)
    dialog = press(qtbot, page, "refuse")
    dialog.save()  # no reason: said at its field, nothing recorded
    assert dialog.isVisible() and "refuses" in dialog.errors["reason"].text()
    assert status(desk, clerk, complaint_id) == Status.DECIDED
    dialog.widgets["reason"].setPlainText("我不清楚为什么只减免一个月")  # their words: not flagged
    assert dialog.warnings["reason"].isHidden()
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert status(desk, clerk, complaint_id) == Status.REFUSED
    tab = page.complaints_tab
    assert cell(tab, STATE) == "Customer refused: waiting for the manager"
    assert tab.buttons["propose"].isEnabled() and not tab.buttons["accept"].isEnabled()

    boss = open_page(qtbot, desk, supervisor)  # the supervisor no longer decides it
    select(boss, complaint_id)
    assert not boss.complaints_tab.buttons["decide"].isEnabled()
    assert not boss.complaints_tab.buttons["send_back"].isEnabled()

    head = open_page(qtbot, desk, manager)
    tab = select(head, complaint_id)
    assert "analyse" not in tab.buttons  # not the desk's
    assert tab.buttons["send_back"].isEnabled()  # the manager decides now: may send back
    extra = desk.complaint_flow.propose(clerk, complaint_id, "再减免一个月")  # the desk adds one
    dialog = press(qtbot, head, "send_back")
    assert dialog.widgets["proposal"].value() == str(extra.id)  # only the waiting one
    dialog.widgets["reason"].setPlainText("减免已足够，请说明原因即可")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert ComplaintProposal.get_by_id(extra.id).state == "refused"
    assert ComplaintProposal.get_by_id(extra.id).decided_by == "zhangwei"
    assert status(desk, clerk, complaint_id) == Status.REFUSED  # still the manager's
    dialog = press(qtbot, head, "decide")
    assert "我不清楚为什么只减免一个月" in dialog.summary.toPlainText()  # the refusal, on top
    proposals = dialog.widgets["proposal"]
    assert proposals.count() == 1 and "(Chosen)" in proposals.item(0).text()  # uphold it
    dialog.widgets["instruction"].setPlainText("维持原方案，另赠清洁服务一次")
    signers: list[str] = []
    sign_when_asked(qtbot, signers)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert signers == ["张伟 (zhangwei)"]
    case = desk.complaint_flow.show(manager, complaint_id)
    assert case.complaint.status == Status.DECIDED
    assert [d.decided_role for d in case.decisions] == ["supervisor", "manager"]
    assert case.decisions[0].accepted is False and case.decisions[1].accepted is None


# ---------------------------------------------------------------------- bad input

def test_bad_input_stays_in_the_form_at_its_field_and_writes_nothing(qtbot, demo_desk, clerk,
                                                                    supervisor, monkeypatch):
    desk = demo_desk
    page = open_page(qtbot, desk, clerk)
    before = desk.complaints.count_complaints(clerk)
    dialog = page.new_complaint()
    choose(dialog.widgets["severity"], "3")
    dialog.save()  # nothing told
    assert dialog.isVisible() and dialog.errors["description"].text() == "Describe the complaint."
    assert desk.complaints.count_complaints(clerk) == before
    dialog.widgets["description"].setPlainText("电梯困人二十分钟无人应答")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    complaint = desk.complaints.complaints(clerk, limit=1)[0]
    assert complaint.severity == 3

    tab = select(page, complaint.id)
    assert tab.buttons["propose"].isEnabled()
    boxes: list[str] = []
    monkeypatch.setattr("desk_app.ui.reception.page.show_error",
                        lambda parent, error: boxes.append(str(error)))
    page.dialog = None
    tab.buttons["propose"].click()  # no cause written yet: said, no form
    assert page.dialog is None and boxes and "cause analysis" in boxes[0]

    dialog = press(qtbot, page, "analyse")
    dialog.widgets["cause_text"].setPlainText("值班员离岗")
    dialog.save()  # no cause chosen
    assert dialog.isVisible() and dialog.errors["cause"].text() == "Choose the cause of the complaint."
    choose(dialog.widgets["cause"], "staff_conduct")
    dialog.widgets["cause_text"].setPlainText("")
    dialog.save()  # nothing written about what happened
    assert dialog.isVisible() and dialog.errors["cause_text"].text() == (
        "Write down what caused the complaint.")
    assert desk.complaint_flow.show(clerk, complaint.id).complaint.cause == ""
    dialog.reject()

    desk.complaint_flow.analyse(clerk, complaint.id, "staff_conduct", "值班员离岗")
    dialog = press(qtbot, page, "propose")
    dialog.save()
    assert dialog.isVisible() and dialog.errors["proposal"].text() == (
        "Write down the proposed resolution.")
    dialog.reject()
    assert desk.complaint_flow.show(clerk, complaint.id).proposals == []

    # The supervisor: a reason to send back; a decision already taken elsewhere is refused
    first = desk.complaint_flow.propose(clerk, complaint.id, "调取监控，约谈值班员")
    boss = open_page(qtbot, desk, supervisor)
    select(boss, complaint.id)
    dialog = press(qtbot, boss, "send_back")
    dialog.save()
    assert dialog.isVisible() and "sent back" in dialog.errors["reason"].text()
    assert ComplaintProposal.get_by_id(first.id).state == "pending"
    dialog.reject()
    dialog = press(qtbot, boss, "decide")
    dialog.widgets["instruction"].setPlainText("同意")
    other = sign_in(desk, "zhoumin")  # another supervisor decides meanwhile
    desk.complaint_flow.decide(other, complaint.id, first.id, "同意，立即执行", DEMO_PASSWORD,
                               pad_png())
    counts = written()
    shown: list[str] = []
    monkeypatch.setattr("desk_app.ui.widgets.form_dialog.show_error",
                        lambda parent, error: shown.append(str(error)))
    signers: list[str] = []
    sign_when_asked(qtbot, signers)
    dialog.ok_button.click()  # refused before anyone signs
    assert dialog.isVisible() and shown and "not possible now" in shown[0]
    assert written() == counts
    qtbot.wait(50)
    assert signers == []
    dialog.reject()


def test_a_proposal_sent_back_returns_the_complaint_to_its_handler(qtbot, demo_desk, clerk,
                                                                   supervisor):
    desk = demo_desk
    view = desk.complaints.add_complaint(clerk, "cleaning", "楼道垃圾两天未清", severity=1)
    desk.complaint_flow.analyse(clerk, view.id, "procedure", "保洁排班漏了3号楼")
    proposal = desk.complaint_flow.propose(clerk, view.id, "补排班")
    boss = open_page(qtbot, desk, supervisor)
    select(boss, view.id)
    dialog = press(qtbot, boss, "send_back")
    assert dialog.widgets["proposal"].value() == str(proposal.id)
    dialog.widgets["reason"].setPlainText("请同时说明如何避免再漏排")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    case = desk.complaint_flow.show(supervisor, view.id)
    assert case.proposals[0].state == "refused" and case.complaint.status == Status.OPEN
    assert not boss.complaints_tab.buttons["decide"].isEnabled()


def test_what_each_one_may_do_follows_the_state():
    from desk_app.services.reception import ComplaintView

    def view(state: str, replied: bool = False) -> ComplaintView:
        from datetime import datetime

        at = datetime(2026, 11, 2, 9, 0)
        return ComplaintView(1, None, at, "repairs", "", "", "x", "wangfang", at,
                             at if replied else None, "", "", status=state)

    desk_user = {"can_use": True, "can_review": False, "can_manage": False}
    boss = {"can_use": True, "can_review": True, "can_manage": False}
    head = {"can_use": False, "can_review": False, "can_manage": True}
    assert loop_actions(None, **boss) == set()
    assert loop_actions(view("open"), **desk_user) == {"details", "reply", "analyse", "propose"}
    assert loop_actions(view("proposed", True), **boss) == {
        "details", "analyse", "propose", "decide", "send_back"}
    assert loop_actions(view("proposed"), **head) == {"details"}
    assert loop_actions(view("decided", True), **desk_user) == {"details", "accept", "refuse"}
    assert loop_actions(view("refused", True), **boss) == {"details", "propose"}
    assert loop_actions(view("refused", True), **head) == {"details", "decide", "send_back"}
    assert loop_actions(view("closed", True), **boss) == {"details"}


# ---------------------------------------------------------------------- Today

def test_today_lists_what_waits_for_me_and_opens_it(qtbot, demo_desk, clerk, supervisor,
                                                    manager, clock):
    desk = demo_desk
    serious = desk.complaints.add_complaint(clerk, "security", "门禁坏了三天", "陈女士",
                                            severity=2)
    clock.advance(hours=5)
    general = desk.complaints.add_complaint(clerk, "noise", "楼上装修噪音", "孙先生")
    desk.complaint_flow.analyse(clerk, general.id, "third_party", "装修队超时施工")
    desk.complaint_flow.propose(clerk, general.id, "约谈装修队")
    clock.advance(minutes=30)
    refused = decided_by_supervisor(desk, clerk, supervisor, severity=1)
    desk.complaint_flow.customer_refuses(clerk, refused, "不接受")
    clock.advance(hours=20)

    clerk_today = TodayPage(desk, clerk)
    qtbot.addWidget(clerk_today)
    assert clerk_today.complaints_box is None  # the desk decides nothing

    window = MainWindow(desk, supervisor, idle_ms=HOUR)
    qtbot.addWidget(window)
    window.show()
    today = window.page("today")
    assert isinstance(today, TodayPage)
    box = today.complaints_box
    assert box is not None
    waiting = [box.list.topLevelItem(i) for i in range(box.list.topLevelItemCount())]
    ids = [int(item.data(0, Qt.ItemDataRole.UserRole)) for item in waiting]
    assert ids[-2:] == [serious.id, general.id] and refused not in ids  # oldest first
    mine = waiting[ids.index(serious.id)]
    assert [mine.text(c) for c in range(5)] == [
        serious.number, "Serious", "Open: cause and proposals", "陈女士", "1 d 1 h"]
    assert waiting[ids.index(general.id)].text(2) == "Waiting for the supervisor's decision"
    assert box.label.text().startswith(f"{len(ids)} complaints are waiting")
    box.list.setCurrentItem(waiting[ids.index(general.id)])
    qtbot.mouseClick(box.open_button, Qt.MouseButton.LeftButton)
    reception = window.pages["reception"]
    assert isinstance(reception, ReceptionPage)
    assert window.current_area() == "reception"
    assert reception.tabs.currentWidget() is reception.complaints_tab
    assert reception.complaints_tab.selected().id == general.id
    assert reception.complaints_tab.buttons["decide"].isEnabled()

    head_today = TodayPage(desk, manager)
    qtbot.addWidget(head_today)
    box = head_today.complaints_box
    assert box is not None
    last = box.list.topLevelItem(box.list.topLevelItemCount() - 1)
    assert int(last.data(0, Qt.ItemDataRole.UserRole)) == refused  # the newest, last
    assert last.text(2) == "Customer refused: waiting for the manager"


def test_an_empty_today_box_says_so(qtbot, demo_desk, manager):
    today = TodayPage(demo_desk, manager)
    qtbot.addWidget(today)
    box = today.complaints_box
    assert box is not None
    box.show_figures(([], demo_desk.now()))
    assert box.label.text() == "No complaint is waiting for your decision."
    assert not box.open_button.isEnabled() and box.list.isHidden()

