"""Timeouts and responsibility in the GUI (002): a supervisor reviews a timed-out entry from
the Timeouts tab with the keyboard — cause, what happened, the person responsible, the
measure from the office's table, an evidence file — and its row says "reviewed"; a review
without a responsible person is refused at its field and writes nothing; the clerk sees the
review on Today, opens it and appeals; a second supervisor decides "changed" with a new
measure; a clerk's tab lists only the reviews that name them. The request type and urgency
are chosen where an entry is opened and shown in the Log."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from desk_app.store.models import AuditEntry
from desk_app.store.reception import TimeoutAppeal, TimeoutReview, Visit
from desk_app.ui.main_window import MainWindow
from desk_app.ui.pages.today import TodayPage
from desk_app.ui.reception import timeout_case, timeout_dialogs
from desk_app.ui.reception.page import ReceptionPage
from desk_app.ui.reception.timeout_case import TimeoutCaseDialog, case_actions
from tests.gui.conftest import sign_in
from tests.gui.test_reception_gui import activate, key_on_page

HOUR = 3_600_000
ENTRY, TIME_IN, TYPE, HANDLER, LEVEL, STATE, RESPONSIBLE, MEASURE = range(8)
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def clerk(demo_desk):
    return sign_in(demo_desk, "wangfang")


@pytest.fixture
def supervisor(demo_desk):
    return sign_in(demo_desk, "liqiang")


@pytest.fixture
def second(demo_desk):
    return sign_in(demo_desk, "zhoumin")  # desk clerk and supervisor


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    """Refusals the page showed in a message box."""
    shown: list[str] = []
    monkeypatch.setattr("desk_app.ui.reception.page.show_error",
                        lambda parent, error: shown.append(str(error)))
    return shown


def timed_out(desk, clock, clerk, minutes: int = 31, **kinds) -> int:
    """A visitor answered at once whose request took ``minutes``: severe after 30."""
    visit = desk.visits.open_visit(clerk, "visit", name="赵先生", request="门禁卡失效", **kinds)
    desk.visits.answer(clerk, visit.id)
    clock.advance(minutes=minutes)
    desk.visits.resolve(clerk, visit.id, "已补办")
    return visit.id


def open_page(qtbot, desk, actor) -> ReceptionPage:
    page = ReceptionPage(desk, actor)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    qtbot.waitExposed(page)
    page.timer.stop()  # no timeout sweeps while the test runs
    activate(qtbot, page)
    page.tabs.setCurrentWidget(page.timeouts_tab)
    return page


def cell(page: ReceptionPage, column: int) -> str:
    tab = page.timeouts_tab
    rows = tab.table.selectionModel().selectedRows()
    assert rows
    return tab.model.index(rows[0].row(), column).data()


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def press(qtbot, page: ReceptionPage, key: str):
    """A button of the Timeouts tab, by its mnemonic (Alt+letter); the form it opened."""
    page.dialog = None
    button = page.timeouts_tab.buttons[key]
    assert button.isEnabled(), key
    letter = button.text().split("&", 1)[1][0].upper()
    activate(qtbot, page)
    page.timeouts_tab.table.setFocus()
    qtbot.keyClick(page.timeouts_tab.table, getattr(Qt.Key, f"Key_{letter}"), ALT)
    qtbot.waitUntil(lambda: page.dialog is not None)  # (a mnemonic's click is animated)
    dialog = page.dialog
    assert dialog is not None, key
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    return dialog


def written() -> tuple[int, int, int]:
    return AuditEntry.select().count(), TimeoutReview.select().count(), \
        TimeoutAppeal.select().count()


def enabled(page: ReceptionPage) -> set[str]:
    return {key for key, button in page.timeouts_tab.buttons.items() if button.isEnabled()}


def today_line(box, visit_id: int) -> str:
    for number in range(box.list.topLevelItemCount()):
        item = box.list.topLevelItem(number)
        if int(item.data(0, Qt.ItemDataRole.UserRole)) == visit_id:
            return item.text(1)
    raise AssertionError(f"entry {visit_id} is not on Today")


# ---------------------------------------------------------------------- the review

def test_a_supervisor_reviews_with_the_keyboard_and_an_evidence_file(
        qtbot, demo_desk, clerk, supervisor, clock, tmp_path, monkeypatch):
    desk = demo_desk
    visit_id = timed_out(desk, clock, clerk)
    page = open_page(qtbot, desk, supervisor)
    page.show_view(f"timeout:{visit_id}")
    assert page.tabs.currentWidget() is page.timeouts_tab
    assert page.timeouts_tab.selected().visit_id == visit_id
    assert [cell(page, c) for c in (ENTRY, TYPE, HANDLER, LEVEL, STATE, RESPONSIBLE, MEASURE)] \
        == [str(visit_id), "Enquiry", "王芳", "severe timeout", "to review", "", ""]
    assert enabled(page) == {"review", "details"}
    title = page.tabs.tabText(page.tabs.indexOf(page.timeouts_tab))
    assert title == f"Timeouts ({desk.timeouts.count_cases(supervisor, 'to_review')})"

    recording = tmp_path / "来电录音.wav"
    recording.write_bytes(b"RIFF" + bytes(range(256)) * 20)
    monkeypatch.setattr(timeout_dialogs, "open_file_names",
                        lambda parent, title, kind, filter_text="": [str(recording)])
    dialog = press(qtbot, page, "review")  # Alt+R
    assert dialog.objectName() == "timeout_review_dialog"
    assert "门禁卡失效" in dialog.summary.toPlainText()
    widgets = dialog.widgets
    assert widgets["responsible"].currentText() == "王芳 (wangfang)"  # the handler
    assert widgets["joint_supervisor"].currentData() == ""  # nobody jointly liable
    assert widgets["measure"].currentData() == "deduction"  # the table's for severe
    assert not widgets["retraining_note"].isEnabled()
    assert QApplication.focusWidget() is widgets["cause"]  # the form starts at the cause
    choose(widgets["cause"], "staff")
    qtbot.keyClick(widgets["cause"], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is widgets["cause_text"]
    widgets["cause_text"].insertPlainText("午休交接时无人接待")  # (keyClicks: Latin-1 only)
    qtbot.keyClick(dialog, Qt.Key.Key_T, ALT)  # Re&training ordered (an animated click)
    qtbot.waitUntil(widgets["retraining"].isChecked)
    assert widgets["retraining_note"].isEnabled()
    widgets["retraining_note"].setText("接待礼仪培训")
    qtbot.keyClick(dialog, Qt.Key.Key_F, ALT)  # Add &file…
    evidence = widgets["evidence"]
    qtbot.waitUntil(lambda: evidence.list.count() == 1)
    assert [evidence.list.item(r).text() for r in range(evidence.list.count())] == [
        "来电录音.wav  (5 KB)"]
    qtbot.keyClick(widgets["cause_text"], Qt.Key.Key_Return, CTRL)  # Ctrl+Enter saves
    qtbot.waitUntil(lambda: not dialog.isVisible())

    case = desk.timeouts.case(supervisor, visit_id)
    assert (case.cause, case.responsible, case.measure, case.reviewed_by) == (
        "staff", "wangfang", "deduction", "liqiang")
    assert case.retraining and case.retraining_note == "接待礼仪培训"
    assert [(e.file_name, e.sha256) for e in case.evidence] == [
        ("来电录音.wav", hashlib.sha256(recording.read_bytes()).hexdigest())]
    assert page.timeouts_tab.selected().visit_id == visit_id  # still selected
    assert cell(page, STATE).startswith("reviewed, appeal until ")
    assert (cell(page, RESPONSIBLE), cell(page, MEASURE)) == ("王芳", "Performance deduction")
    assert enabled(page) == {"details"}  # reviewed once; the reviewer does not appeal

    # Enter on the row: the whole case; its evidence file saved where the user says
    tab = page.timeouts_tab
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    case_dialog = tab.case_dialog
    assert isinstance(case_dialog, TimeoutCaseDialog) and case_dialog.isVisible()
    text = case_dialog.text.toPlainText()
    for expected in ("Entry", "severe timeout", "Staff: not answered or followed up in time",
                     "午休交接时无人接待", "接待礼仪培训", "来电录音.wav", "李强",
                     case.evidence[0].sha256):
        assert expected in text, expected
    target = tmp_path / "out" / "copy.wav"
    target.parent.mkdir()
    monkeypatch.setattr(timeout_case, "save_file_name",
                        lambda parent, title, kind, suggested="", *args, **kw: str(target))
    case_dialog.findChild(QPushButton, "save_evidence").click()
    qtbot.waitUntil(lambda: case_dialog.job is None)  # read and written in a worker
    assert case_dialog.saved_path == target
    assert target.read_bytes() == recording.read_bytes()


def test_a_review_without_a_responsible_person_is_refused_at_its_field(
        qtbot, demo_desk, clerk, supervisor, clock):
    desk = demo_desk
    visit_id = timed_out(desk, clock, clerk)
    page = open_page(qtbot, desk, supervisor)
    page.show_view(f"timeout:{visit_id}")
    dialog = press(qtbot, page, "review")
    widgets = dialog.widgets
    before = written()
    dialog.save()  # no cause chosen
    assert dialog.isVisible() and "cause" in dialog.errors["cause"].text()
    choose(widgets["cause"], "peak")
    widgets["responsible"].setCurrentIndex(0)  # nobody
    dialog.save()
    assert dialog.isVisible()
    assert "responsible" in dialog.errors["responsible"].text()
    assert not dialog.errors["cause"].isVisible()
    widgets["responsible"].setEditText("孙丽")  # a full name typed: one user
    widgets["joint_supervisor"].setEditText("sunli")  # a clerk, not a supervisor
    dialog.save()
    assert dialog.isVisible() and "not a supervisor" in dialog.errors["joint_supervisor"].text()
    choose(widgets["measure"], "other")  # an "other" measure says what it is
    widgets["joint_supervisor"].setCurrentIndex(0)
    dialog.save()
    assert dialog.isVisible() and "other measure" in dialog.errors["measure_text"].text()
    assert written() == before  # nothing written
    assert desk.timeouts.case(supervisor, visit_id).state == "to_review"
    widgets["measure_text"].setText("当月评优取消")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    case = desk.timeouts.case(supervisor, visit_id)
    assert (case.responsible, case.measure, case.measure_text) == ("sunli", "other", "当月评优取消")


def test_an_evidence_file_gone_before_saving_is_refused_at_its_field_from_the_worker(
        qtbot, demo_desk, clerk, supervisor, clock, tmp_path):
    """A review with files is saved in a worker: its refusal still shows at the field, the
    form stays open with its buttons usable, and nothing is written."""
    desk = demo_desk
    visit_id = timed_out(desk, clock, clerk)
    page = open_page(qtbot, desk, supervisor)
    page.show_view(f"timeout:{visit_id}")
    dialog = press(qtbot, page, "review")
    choose(dialog.widgets["cause"], "peak")
    screenshot = tmp_path / "screen.png"
    screenshot.write_bytes(b"\x89PNG" + bytes(100))
    dialog.widgets["evidence"].add([screenshot])
    screenshot.unlink()  # moved away while the form was open
    before = written()
    dialog.save()
    assert dialog.job is not None and not dialog.buttons.isEnabled()
    qtbot.waitUntil(lambda: dialog.job is None)
    assert dialog.isVisible() and dialog.buttons.isEnabled()
    assert "screen.png" in dialog.errors["evidence"].text()
    assert written() == before
    assert desk.timeouts.case(supervisor, visit_id).state == "to_review"


# ---------------------------------------------------------------------- appeal and decision

def test_the_clerk_appeals_from_today_and_another_supervisor_changes_the_measure(
        qtbot, demo_desk, clerk, supervisor, second, clock, errors):
    desk = demo_desk
    visit_id = timed_out(desk, clock, clerk)
    desk.timeouts.review(supervisor, visit_id, cause="staff", responsible="wangfang",
                         cause_text="无人接待")
    clock.advance(hours=1)

    window = MainWindow(desk, clerk, idle_ms=HOUR)
    qtbot.addWidget(window)
    window.show()
    today = window.page("today")
    assert isinstance(today, TodayPage)
    box = today.appeals_box
    assert box is not None
    line = today_line(box, visit_id)
    assert line.startswith(f"Entry {visit_id}: severe timeout, you may appeal until ")
    for number in range(box.list.topLevelItemCount()):
        item = box.list.topLevelItem(number)
        if int(item.data(0, Qt.ItemDataRole.UserRole)) == visit_id:
            box.list.setCurrentItem(item)
    qtbot.mouseClick(box.open_button, Qt.MouseButton.LeftButton)
    page = window.pages["reception"]
    assert isinstance(page, ReceptionPage) and window.current_area() == "reception"
    page.timer.stop()
    assert page.tabs.currentWidget() is page.timeouts_tab
    assert page.timeouts_tab.selected().visit_id == visit_id
    assert "review" not in page.timeouts_tab.buttons  # a clerk reviews nothing
    assert "decide" not in page.timeouts_tab.buttons
    assert enabled(page) == {"appeal", "details"}

    dialog = press(qtbot, page, "appeal")  # Alt+A
    dialog.save()  # no reason
    assert dialog.isVisible() and dialog.errors["reason"].text()
    dialog.widgets["reason"].setPlainText("当时系统故障，电话无法接通")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert desk.timeouts.case(clerk, visit_id).state == "appealed"
    assert cell(page, STATE) == "appealed" and enabled(page) == {"details"}
    assert errors == []
    mine = TodayPage(desk, clerk)
    qtbot.addWidget(mine)
    assert today_line(mine.appeals_box, visit_id) == (
        f"Entry {visit_id}: appealed, waiting for a decision.")

    # the reviewer may not decide; a second supervisor sees it on Today and decides
    reviewer = open_page(qtbot, desk, supervisor)
    reviewer.show_view(f"timeout:{visit_id}")
    assert "decide" not in enabled(reviewer)
    deciding = TodayPage(desk, second)
    qtbot.addWidget(deciding)
    assert today_line(deciding.appeals_box, visit_id) == (
        f"Entry {visit_id}: 王芳's appeal waits for your decision.")
    page2 = open_page(qtbot, desk, second)
    page2.show_view(f"timeout:{visit_id}")
    assert enabled(page2) == {"decide", "details"}
    dialog = press(qtbot, page2, "decide")  # Alt+C
    widgets = dialog.widgets
    assert "当时系统故障" in dialog.summary.toPlainText()
    assert widgets["outcome"].currentData() == "upheld" and not widgets["measure"].isEnabled()
    choose(widgets["outcome"], "changed")
    assert widgets["measure"].isEnabled()
    widgets["decision"].setPlainText("系统日志证实故障")
    before = written()
    dialog.save()  # changed, but to what?
    assert dialog.isVisible() and "replaces" in dialog.errors["measure"].text()
    assert written() == before
    choose(widgets["measure"], "verbal")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    case = desk.timeouts.case(second, visit_id)
    assert (case.state, case.outcome, case.measure_now, case.decided_by) == (
        "decided", "changed", "verbal", "zhoumin")
    assert (cell(page2, STATE), cell(page2, MEASURE)) == ("decided: changed", "Verbal warning")
    after = TodayPage(desk, clerk)
    qtbot.addWidget(after)
    assert today_line(after.appeals_box, visit_id) == (
        f"Entry {visit_id}: appeal decided — Changed: another measure; the measure now: "
        "Verbal warning.")


def test_a_clerk_sees_only_the_reviews_that_name_them(qtbot, demo_desk, clerk, supervisor,
                                                      clock):
    desk = demo_desk
    mine = timed_out(desk, clock, clerk)
    theirs = timed_out(desk, clock, clerk)
    unreviewed = timed_out(desk, clock, clerk)
    desk.timeouts.review(supervisor, mine, cause="staff", responsible="wangfang")
    desk.timeouts.review(supervisor, theirs, cause="staff", responsible="sunli")
    page = open_page(qtbot, desk, clerk)
    tab = page.timeouts_tab
    model = tab.model
    rows = [model.row(number) for number in range(model.rowCount())]
    assert model.rowCount() == desk.timeouts.count_cases(clerk)
    ids = {case.visit_id for case in rows}
    assert mine in ids and not {theirs, unreviewed} & ids
    assert all("wangfang" in (case.responsible, case.joint_supervisor) for case in rows)
    choose(tab.state_combo, "to_review")
    assert model.rowCount() == 0
    choose(tab.state_combo, "reviewed")
    assert mine in {model.row(n).visit_id for n in range(model.rowCount())}
    assert tab.selected() is not None  # the first row, selected
    boss = open_page(qtbot, desk, supervisor)
    boss_ids = {boss.timeouts_tab.model.row(n).visit_id
                for n in range(min(boss.timeouts_tab.model.rowCount(), 50))}
    assert {mine, theirs, unreviewed} <= boss_ids  # the newest, first


def test_what_each_one_may_do_follows_the_state(demo_desk, clerk, supervisor, second, clock):
    desk = demo_desk
    visit_id = timed_out(desk, clock, clerk)
    now = desk.now()
    case = desk.timeouts.case(supervisor, visit_id)
    assert case_actions(case, "liqiang", now, True, False) == {"review", "details"}
    assert case_actions(None, "liqiang", now, True, False) == set()
    desk.timeouts.review(supervisor, visit_id, cause="staff", responsible="wangfang",
                         joint_supervisor="zhoumin")
    case = desk.timeouts.case(supervisor, visit_id)
    assert case_actions(case, "wangfang", now, False, False) == {"appeal", "details"}
    assert case_actions(case, "zhoumin", now, True, False) == {"appeal", "details"}
    clock.advance(days=6)  # the window (5 days) closed
    assert case_actions(case, "wangfang", desk.now(), False, False) == {"details"}
    clock.advance(days=-6)
    case = desk.timeouts.appeal(clerk, visit_id, "不是我的班")
    assert case_actions(case, "liqiang", now, True, False) == {"details"}  # the reviewer
    assert case_actions(case, "sunli", now, False, False) == {"details"}
    assert case_actions(case, "zhangwei", now, False, True) == {"decide", "details"}


# ---------------------------------------------------------------------- request type

def test_an_urgent_technical_question_is_logged_with_its_type(qtbot, demo_desk, clerk, clock):
    desk = demo_desk
    page = open_page(qtbot, desk, clerk)
    page.show_now()
    key_on_page(qtbot, page, Qt.Key.Key_F2)  # a visitor arrives
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.widgets["name"].setText("钱先生")
    assert dialog.widgets["request_type"].currentData() == "enquiry"
    choose(dialog.widgets["request_type"], "technical")
    dialog.widgets["urgent"].setChecked(True)
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    row = Visit.select().order_by(Visit.id.desc()).first()
    assert (row.name, row.request_type, row.urgency) == ("钱先生", "technical", "urgent")
    # F8: the details start from what was chosen; the urgency taken back
    page.now_tab.select_visit(row.id)
    details = page.details()
    qtbot.waitUntil(details.isVisible)
    assert details.widgets["request_type"].currentData() == "technical"
    assert details.widgets["urgent"].isChecked()
    details.widgets["urgent"].setChecked(False)
    details.save()
    qtbot.waitUntil(lambda: not details.isVisible())
    assert Visit.get_by_id(row.id).urgency == "normal"
    desk.visits.update_visit(clerk, row.id, urgency="urgent")
    page.refresh()
    page.tabs.setCurrentWidget(page.log_tab)
    assert page.log_tab.select_visit(row.id)
    rows = page.log_tab.table.selectionModel().selectedRows()
    assert page.log_tab.model.index(rows[0].row(), 5).data() == "Technical question · urgent"
