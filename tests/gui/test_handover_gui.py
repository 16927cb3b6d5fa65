"""The Handover page, as two clerks and a supervisor use it (R8–R12): bob hands over to amy
at bob's desk — a missing radio found by the count, an open major incident that blocks the
signature until resolved (the refusal lists it), both signatures (amy with her own
password), the supervisor's countersignature from the history; the next handover shows
the carried-forward items."""

from __future__ import annotations

import os
import tempfile
import warnings
from datetime import date, datetime, time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desk_app.domain.handover import Status
from desk_app.forms.verify import verify_pdf
from desk_app.services.handover.shifts import to_utc
from desk_app.ui.handover import signing as signing_module
from desk_app.ui.handover.dialogs import (
    CountDialog,
    EntryDialog,
    PersonPasswordDialog,
    ResolveDialog,
    StartDialog,
)
from desk_app.ui.handover.history import RecordDialog
from desk_app.ui.handover.page import HandoverPage
from desk_app.ui.handover.record import RecordView
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.conftest import PASSWORD, add_user
from tests.gui.conftest import shown
from tests.gui.test_approvals_gui import small_png

DAY = date(2026, 11, 2)
# Screenshots go to $DESK_GUI_SHOTS when set (to look at them), else to a temporary folder.
SHOTS = Path(os.environ.get("DESK_GUI_SHOTS") or tempfile.gettempdir()) / (
    "" if os.environ.get("DESK_GUI_SHOTS") else "desk_gui_shots")


@pytest.fixture(autouse=True)
def _event_loops_run(qapp) -> None:
    QTimer.singleShot(0, qapp.quit)
    qapp.exec()


def at_local(clock, hour: int, minute: int = 0, day: date = DAY) -> None:
    clock._now = to_utc(datetime.combine(day, time(hour, minute)))


def activate(qtbot, widget) -> None:
    window = widget.window()
    window.activateWindow()
    try:
        qtbot.waitUntil(window.isActiveWindow, timeout=1000)
    except Exception:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            QApplication.setActiveWindow(window)
        qtbot.waitUntil(window.isActiveWindow)


@pytest.fixture
def crew(sqlite_desk, clock):
    desk = sqlite_desk
    desk.users.create_first_admin("admin", PASSWORD, "系统管理员")
    admin = desk.auth.login("admin", PASSWORD)
    at_local(clock, 17, 0)  # the day shift (08:30–17:30): its handover is due at 17:30
    people = {"bob": add_user(desk, admin, "bob", "clerk", "鲍勃"),
              "amy": add_user(desk, admin, "amy", "clerk", "艾米"),
              "sue": add_user(desk, admin, "sue", "supervisor", "苏珊")}
    sue = people["sue"]
    desk.equipment.add(sue, "K-101", "样品室钥匙", "key")
    desk.equipment.add(sue, "R-1", "对讲机 1", "radio")
    desk.equipment.add(sue, "R-2", "对讲机 2", "radio")
    desk.equipment.add(sue, "P-1", "A4纸（包）", "supply", count=10)
    return people


@pytest.fixture
def signing(monkeypatch) -> dict[str, list]:
    """The sign dialog answers with the password of whoever is asked and a drawn signature;
    previews are collected."""
    seen: dict[str, list] = {"asks": [], "previews": []}
    png = small_png()

    def ask(parent, signer_label, prompt, need_password=True, need_pad=True, check=None):
        seen["asks"].append((signer_label, prompt))
        if check is not None:  # the signed-in user's own password, checked before closing
            check(PASSWORD)
        return PASSWORD, png

    monkeypatch.setattr(SignDialog, "ask", staticmethod(ask))
    monkeypatch.setattr(signing_module, "preview_pdf",
                        lambda parent, pdf, name: seen["previews"].append((name, pdf)))
    return seen


def scan(qtbot, view: RecordView, tag: str) -> None:
    view.scan_box.focus()
    qtbot.keyClicks(view.scan_box.edit, tag)
    qtbot.keyClick(view.scan_box.edit, Qt.Key.Key_Return)


def settle(qtbot, view: RecordView) -> None:
    qtbot.waitUntil(lambda: not view.signing.busy(), timeout=15000)


def line_of(view: RecordView, tag: str) -> dict:
    return next(line for line in view.lines.lines if line.get("tag") == tag)


def entry_item(view: RecordView, text: str):
    for number in range(view.entries.topLevelItemCount()):
        item = view.entries.topLevelItem(number)
        if item.text(2) == text:
            return item
    raise AssertionError(text)


def select_first(table) -> None:
    """Select row 0 whatever modifier keys the last key event left "pressed"."""
    from PySide6.QtCore import QItemSelectionModel

    table.selectionModel().select(table.model().index(0, 0),
                                  QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)


def save_shot(widget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    path = SHOTS / f"{name}.png"
    widget.grab().save(str(path))
    return path


def add_entry(qtbot, view: RecordView, kind: str, text: str, cause: str = "", process: str = "",
              result: str = "", major: bool = False) -> None:
    activate(qtbot, view)
    view.entries.setFocus()
    qtbot.keyClick(view.entries, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = view.open_dialog
    assert isinstance(dialog, EntryDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
    dialog.text_edit.setPlainText(text)
    dialog.cause_edit.setPlainText(cause)
    dialog.process_edit.setPlainText(process)
    dialog.result_edit.setPlainText(result)
    dialog.major_box.setChecked(major)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: view.open_dialog is None)


def test_a_full_handover_by_two_clerks_and_a_supervisor(qtbot, sqlite_desk, crew, clock, signing):
    desk = sqlite_desk
    page = shown(qtbot, HandoverPage(desk, crew["bob"]), (1366, 860))
    page.activated()
    current = page.current
    assert current.none_panel.isVisible() and not current.view.isVisible()

    # bob starts the handover to amy
    current.start_button.click()
    dialog = current.open_dialog
    assert isinstance(dialog, StartDialog)
    qtbot.keyClicks(dialog.incoming_edit, "amy")
    qtbot.keyClick(dialog.incoming_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: current.open_dialog is None)
    view = current.view
    assert view.isVisible() and view.record["status"] == Status.PREPARING
    assert view.lines.rowCount() == 4 and view.lines.uncounted() == 4

    # the entries: an open major incident, and unfinished work to carry forward
    add_entry(qtbot, view, "problem", "三楼消防报警", "烟感误报", "已通知物业", "物业检修中", major=True)
    add_entry(qtbot, view, "unfinished", "档案整理未完成")
    major = entry_item(view, "三楼消防报警")
    assert major.foreground(0).color().name() == "#b00020"
    assert "major" in view.blockers_label.text().lower()

    # bob cannot count: only amy; she signs in at bob's desk with her password
    scan(qtbot, view, "K-101")
    assert "amy" in view.scan_box.message_text()
    assert line_of(view, "K-101")["found"] is None
    view.buttons["counter"].click()
    dialog = view.open_dialog
    assert isinstance(dialog, PersonPasswordDialog)
    dialog.password_edit.setText(PASSWORD)
    dialog.ok_button.click()
    settle(qtbot, view)
    assert view.counter() is not None and view.counter().name == "amy"

    # amy scans: single articles are counted at once, the paper asks for the number
    scan(qtbot, view, "k-101")
    scan(qtbot, view, "R-1")
    assert line_of(view, "K-101")["found"] == 1 and line_of(view, "R-1")["found"] == 1
    scan(qtbot, view, "P-1")
    dialog = view.open_dialog
    assert isinstance(dialog, CountDialog) and dialog.found_spin.value() == 10
    dialog.found_spin.setValue(10)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: view.open_dialog is None)
    # the second radio is not there: counted 0 on the selected line, missing
    view.select_line(line_of(view, "R-2")["no"])
    activate(qtbot, view)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = view.open_dialog
    assert isinstance(dialog, CountDialog)
    dialog.found_spin.setValue(0)
    dialog.condition.setCurrentIndex(dialog.condition.findData("missing"))
    dialog.note_edit.setText("柜中找不到，已报主管")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: view.open_dialog is None)
    missing = line_of(view, "R-2")
    assert missing["discrepancy"] and missing["found"] == 0
    row = view.lines.row_of(missing["no"])
    assert view.lines.data(view.lines.index(row, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert view.lines.uncounted() == 0 and view.lines.discrepancies() == 1
    assert "1 discrepancy" in view.lines_status.text()
    # only the open major incident blocks now
    assert "major" in view.blockers_label.text().lower()
    assert "not counted" not in view.blockers_label.text()
    view.table.clearSelection()  # the red discrepancy line, not the selection colour
    save_shot(page, "handover-current-blocked")

    # bob signs: refused, every blocking condition listed, the refusal on record
    view.buttons["sign_outgoing"].click()
    settle(qtbot, view)
    boxes = [box for box in view.findChildren(QMessageBox) if box.objectName() == "refusal_box"]
    assert boxes and "major" in boxes[-1].text().lower() and "1" in boxes[-1].text()
    save_shot(boxes[-1], "handover-refusal")
    boxes[-1].close()
    assert view.record["status"] == Status.PREPARING and len(view.record["refusals"]) == 1

    # resolved: free to sign
    view.entries.setCurrentItem(entry_item(view, "三楼消防报警"))
    view.buttons["resolve"].click()
    dialog = view.open_dialog
    assert isinstance(dialog, ResolveDialog)
    dialog.result_edit.setPlainText("误报，已复位")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: view.open_dialog is None)
    assert view.blockers_label.text().startswith("None")

    activate(qtbot, view)  # bob signs from the keyboard
    view.entries.setFocus()
    qtbot.keyClick(view.entries, Qt.Key.Key_O,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, view)
    assert view.record["status"] == Status.OUTGOING_SIGNED
    assert view.buttons["sign_incoming"].isVisible()
    # amy signs at bob's desk with her own password
    view.buttons["sign_incoming"].click()
    settle(qtbot, view)
    assert view.record["status"] == Status.HANDED_OVER
    assert "艾米" in signing["asks"][-1][0]
    assert not view.buttons["countersign"].isVisible()  # bob is no supervisor

    # sue countersigns from the history
    sue_page = shown(qtbot, HandoverPage(desk, crew["sue"]), (1366, 860))
    sue_page.show_view("countersign")
    history = sue_page.history
    assert history.model.rowCount() == 1
    select_first(history.table)
    record_dialog = history.open_selected()
    assert isinstance(record_dialog, RecordDialog)
    record_view = record_dialog.view
    assert record_view.buttons["countersign"].isVisible()
    record_view.buttons["countersign"].click()
    settle(qtbot, record_view)
    assert record_view.record["status"] == Status.LOCKED
    record_view.buttons["pdf"].click()
    qtbot.waitUntil(lambda: bool(signing["previews"]), timeout=15000)
    pdf = signing["previews"][-1][1]
    report = verify_pdf(pdf, desk.keys.ca_certificate())
    assert report.ok
    assert [s.field_name for s in report.signatures] == ["outgoing", "incoming", "supervisor"]
    # locked: never edited again; a correction is a linked record
    assert not record_view.buttons["add"].isVisible()
    record_view.buttons["correct"].click()
    correction = record_view.open_dialog
    correction.text_edit.setPlainText("R-2 在充电座后找到，已归位")
    correction.ok_button.click()
    qtbot.waitUntil(lambda: record_view.open_dialog is None)
    assert len(record_view.record["corrections"]) == 1
    assert "R-2" in record_view.flags_label.text()
    record_dialog.reject()
    sue_page.show_view("history")
    history.show_status(None)
    assert history.model.rowCount() == 1
    save_shot(sue_page, "handover-history")

    # the next shift: amy hands over to bob; the unfinished work is carried forward
    at_local(clock, 23, 30)
    amy_page = shown(qtbot, HandoverPage(desk, crew["amy"]), (1366, 860))
    amy_page.activated()
    amy_page.current.start_button.click()
    dialog = amy_page.current.open_dialog
    dialog.incoming_edit.setText("bob")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: amy_page.current.open_dialog is None)
    carried = entry_item(amy_page.current.view, "档案整理未完成")
    assert carried.text(8) == view.record["number"]
    texts = [amy_page.current.view.entries.topLevelItem(n).text(2)
             for n in range(amy_page.current.view.entries.topLevelItemCount())]
    assert "三楼消防报警" not in texts  # resolved: not carried
    save_shot(amy_page, "handover-next-carried")


def test_pages_open_for_every_role_and_today_boxes(qtbot, sqlite_desk, crew):
    from desk_app.ui.pages.today import TodayPage

    desk = sqlite_desk
    desk.handovers.start(crew["bob"], "amy")
    for name in ("bob", "amy", "sue"):
        page = shown(qtbot, HandoverPage(desk, crew[name]), (1280, 800))
        page.activated()
        assert page.current.view.isVisible()
        assert page.current.view.buttons["sign_outgoing"].isVisible() == (name == "bob")
    today = shown(qtbot, TodayPage(desk, crew["sue"]), (1100, 800))
    assert "open" in today.handover_label.text()
    assert today.countersign_label is not None and today.swaps_label is not None
    seen = []
    today.navigate.connect(lambda area, view: seen.append((area, view)))
    today.handover_button.click()
    assert seen == [("handover", "current")]
    save_shot(today, "today-supervisor")
    clerk_today = shown(qtbot, TodayPage(desk, crew["bob"]), (1100, 800))
    assert clerk_today.countersign_label is None and clerk_today.swaps_label is None


def test_rota_swap_requested_and_approved_beforehand(qtbot, sqlite_desk, crew):
    from datetime import timedelta

    from desk_app.ui.pages.today import TodayPage

    desk = sqlite_desk
    tomorrow = DAY + timedelta(days=1)
    desk.shifts.assign(crew["sue"], tomorrow, "day", ["bob"])
    bob_page = shown(qtbot, HandoverPage(desk, crew["bob"]), (1280, 800))
    bob_page.show_view("rota")
    rota = bob_page.rota
    assert not rota.buttons["approve"].isVisible()
    texts = [rota.rota.topLevelItem(n).text(3) for n in range(rota.rota.topLevelItemCount())]
    assert "鲍勃" in texts
    dialog = rota.request()
    dialog.day_edit.line_edit.setText("tomorrow")  # not a date: refused at the field
    dialog.ok_button.click()
    assert "not a date" in dialog.field_errors["day"].text() and rota.open_dialog is dialog
    dialog.day_edit.set_value(tomorrow)
    dialog.shift_combo.setCurrentIndex(dialog.shift_combo.findData("day"))
    dialog.substitute_edit.setText("amy")
    dialog.reason_edit.setPlainText("家中有事")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: rota.open_dialog is None)
    assert rota.swaps.rowCount() == 1 and rota.swaps.row(0)["status"] == "pending"

    today = shown(qtbot, TodayPage(desk, crew["sue"]), (1100, 800))
    assert today.swaps_label.text().startswith("1 swap request")
    seen = []
    today.navigate.connect(lambda area, view: seen.append((area, view)))
    today.swaps_button.click()
    assert seen == [("handover", "swaps")]

    sue_page = shown(qtbot, HandoverPage(desk, crew["sue"]), (1280, 800))
    sue_page.show_view("swaps")
    assert sue_page.rota.selected()["status"] == "pending"
    dialog = sue_page.rota.decide(True)
    dialog.reason_edit.setPlainText("同意，已核实")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: sue_page.rota.open_dialog is None)
    texts = [sue_page.rota.rota.topLevelItem(n).text(3)
             for n in range(sue_page.rota.rota.topLevelItemCount())]
    assert any("艾米" in text and "bob" in text for text in texts)
    save_shot(sue_page, "handover-rota")


def test_flags_substitute_and_a_second_desk_counting(qtbot, sqlite_desk, crew, clock):
    from desk_app.ui.handover.dialogs import EquipmentFlagDialog, UnfitFlagDialog

    desk = sqlite_desk
    admin = desk.auth.login("admin", PASSWORD)
    add_user(desk, admin, "tom", "clerk", "汤姆")
    page = shown(qtbot, HandoverPage(desk, crew["bob"]), (1280, 800))
    desk.handovers.start(crew["bob"], "amy")
    page.activated()
    view = page.current.view

    view.buttons["equipment"].click()
    dialog = view.open_dialog
    assert isinstance(dialog, EquipmentFlagDialog)
    dialog.flag_box.setChecked(True)
    dialog.ok_button.click()  # no note: stays open, nothing written
    assert dialog.isVisible() and dialog.field_errors["note"].text()
    dialog.note_edit.setText("2号冷水机组正在停机")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: view.open_dialog is None)
    assert "冷水机组" in view.flags_label.text()
    assert "equipment" in view.blockers_label.text().lower()

    view.buttons["unfit"].click()
    dialog = view.open_dialog
    assert isinstance(dialog, UnfitFlagDialog)
    dialog.flag_box.setChecked(True)
    dialog.note_edit.setText("发烧")
    dialog.substitute_edit.setText("tom")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: view.open_dialog is None)
    assert view.receiver()["name"] == "tom"
    assert "汤姆" in view.header.text()

    # the substitute counts at bob's desk; amy may no longer
    view.buttons["counter"].click()
    dialog = view.open_dialog
    assert isinstance(dialog, PersonPasswordDialog) and dialog.name == "tom"
    dialog.password_edit.setText(PASSWORD)
    dialog.ok_button.click()
    settle(qtbot, view)
    scan(qtbot, view, "R-1")
    assert line_of(view, "R-1")["found"] == 1

    # a second desk (tom's own) scans the same radio: a clear conflict, nothing lost
    tom = desk.auth.login("tom", PASSWORD)
    other = shown(qtbot, HandoverPage(desk, tom), (1280, 800))
    other.activated()
    other_view = other.current.view
    assert other_view.counter() is not None
    scan(qtbot, other_view, "R-1")
    dialog = other_view.open_dialog  # counted already: the count dialog offers a recount
    assert isinstance(dialog, CountDialog) and dialog.found_spin.value() == 1
    dialog.reject()
    qtbot.waitUntil(lambda: other_view.open_dialog is None)
    scan(qtbot, other_view, "NOPE-9")
    assert "NOPE-9" in other_view.scan_box.message_text()
    assert desk.handovers.show(tom, view.record["id"])["lines"][
        view.lines.row_of(line_of(view, "R-1")["no"])]["found"] == 1


def test_supervisor_assigns_people_to_a_rota_slot(qtbot, sqlite_desk, crew):
    from datetime import timedelta

    desk = sqlite_desk
    tomorrow = DAY + timedelta(days=1)
    desk.shifts.assign(crew["sue"], DAY, "day", ["bob"])  # bob is known from the rota
    bob_page = shown(qtbot, HandoverPage(desk, crew["bob"]), (1280, 800))
    assert not bob_page.rota.assign_button.isVisible()  # a clerk does not plan
    page = shown(qtbot, HandoverPage(desk, crew["sue"]), (1280, 800))
    page.show_view("rota")
    rota = page.rota
    assert rota.assign_button.isVisible() and rota.assign_button.isEnabled() is False
    assert rota.select_slot(tomorrow, "night")
    assert rota.assign_button.isEnabled()
    activate(qtbot, rota)
    rota.rota.setFocus()
    qtbot.keyClick(rota.rota, Qt.Key.Key_Return)  # Enter on a shift opens the dialog
    dialog = rota.open_dialog
    assert dialog is not None and dialog.objectName() == "assign_dialog"
    items = [dialog.list.item(n) for n in range(dialog.list.count())]
    assert [item.data(Qt.ItemDataRole.UserRole) for item in items] == ["bob"]
    assert dialog.chosen() == []

    dialog.name_edit.setText("nobody")  # bad input: no such user
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)  # adds it to the list, does not save
    assert dialog.isVisible() and dialog.chosen() == ["nobody"]
    dialog.ok_button.click()
    assert rota.open_dialog is dialog and dialog.field_errors["users"].text()
    assert desk.shifts.rota(crew["sue"], tomorrow, tomorrow)[1]["people"] == []

    dialog.list.item(1).setCheckState(Qt.CheckState.Unchecked)
    dialog.list.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.name_edit.setText("amy")
    dialog.add_button.click()
    assert dialog.chosen() == ["bob", "amy"]
    save_shot(dialog, "handover-rota-assign")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: rota.open_dialog is None)
    night = next(slot for slot in desk.shifts.rota(crew["sue"], tomorrow, tomorrow)
                 if slot["shift"] == "night")
    assert sorted(person["name"] for person in night["people"]) == ["amy", "bob"]
    assert rota.selected_slot()["shift"] == "night"
    assert "艾米" in rota.rota.currentItem().text(3) and "鲍勃" in rota.rota.currentItem().text(3)
