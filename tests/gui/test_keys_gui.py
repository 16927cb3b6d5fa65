"""Keys & equipment page (R10): check out and in by scanning, from the keyboard only; overdue
articles in red; filters; history; the Today box."""

from __future__ import annotations

import os
import tempfile
import warnings
from datetime import date, datetime, time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desk_app.services.handover.shifts import to_utc
from desk_app.ui.keys.dialogs import CheckinDialog, CheckoutDialog, HistoryDialog
from desk_app.ui.keys.page import KeysPage
from tests.conftest import add_user
from tests.gui.conftest import shown

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


@pytest.fixture
def crew(sqlite_desk, admin_of, clock):
    at_local(clock, 10, 0)  # the day shift (08:30–17:30)
    desk = sqlite_desk
    people = {"bob": add_user(desk, admin_of, "bob", "clerk", "鲍勃"),
              "amy": add_user(desk, admin_of, "amy", "clerk", "艾米"),
              "sue": add_user(desk, admin_of, "sue", "supervisor", "苏珊")}
    sue = people["sue"]
    desk.equipment.add(sue, "K-101", "样品室钥匙", "key", home="钥匙柜 1")
    desk.equipment.add(sue, "K-102", "档案室钥匙", "key", home="钥匙柜 1")
    desk.equipment.add(sue, "R-1", "对讲机", "radio")
    desk.equipment.add(sue, "P-1", "A4纸", "supply", count=10)
    return people


@pytest.fixture
def admin_of(sqlite_desk):
    from tests.conftest import PASSWORD

    sqlite_desk.users.create_first_admin("admin", PASSWORD, "系统管理员")
    return sqlite_desk.auth.login("admin", PASSWORD)


def activate(qtbot, widget) -> None:
    """Make ``widget``'s window the active one (shortcuts need it)."""
    window = widget.window()
    window.activateWindow()
    try:
        qtbot.waitUntil(window.isActiveWindow, timeout=1000)
    except Exception:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            QApplication.setActiveWindow(window)
        qtbot.waitUntil(window.isActiveWindow)


def key(qtbot, page, target, code, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    activate(qtbot, page)
    target.setFocus()
    qtbot.keyClick(target, code, modifier)


def scan(qtbot, page: KeysPage, tag: str) -> None:
    page.scan_box.focus()
    qtbot.keyClicks(page.scan_box.edit, tag)
    qtbot.keyClick(page.scan_box.edit, Qt.Key.Key_Return)


def row_of(page: KeysPage, tag: str) -> dict:
    for number in range(page.model.rowCount()):
        row = page.model.row(number)
        if row["tag"] == tag:
            return row
    raise AssertionError(tag)


def test_check_out_and_in_by_scan_with_the_keyboard(qtbot, sqlite_desk, crew, clock):
    page = shown(qtbot, KeysPage(sqlite_desk, crew["bob"]), (1200, 700))
    page.activated()
    assert page.model.rowCount() == 4
    assert not page.buttons["add"].isVisible()  # a clerk does not manage the register

    scan(qtbot, page, "k-101")
    dialog = page.open_dialog
    assert isinstance(dialog, CheckoutDialog)
    # until defaults to the end of the shift: 17:30 local
    assert dialog.until_edit.dateTime().toString("HH:mm") == "17:30"
    qtbot.keyClicks(dialog.to_edit, "amy")
    qtbot.keyClick(dialog.to_edit, Qt.Key.Key_Tab)
    dialog.reason_edit.setText("开样品室")  # QTest types ASCII only
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.open_dialog is None)
    row = row_of(page, "K-101")
    assert row["holder"] == "amy" and row["reason"] == "开样品室"
    assert page.selected()["tag"] == "K-101"
    # focus goes back to the scan field (the window's focus widget: the offscreen platform
    # may not make the test's window the active one)
    qtbot.waitUntil(lambda: page.window().focusWidget() is page.scan_box.edit)

    # scanned again: it is out, so Check in opens
    scan(qtbot, page, "K-101")
    dialog = page.open_dialog
    assert isinstance(dialog, CheckinDialog)
    dialog.condition.setCurrentIndex(dialog.condition.findData("damaged"))
    dialog.note_edit.setText("齿有弯")
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.open_dialog is None)
    row = row_of(page, "K-101")
    assert row["holder"] is None and row["condition"] == "damaged"

    # an unknown tag: a message under the scan field, nothing opens
    scan(qtbot, page, "NOPE-1")
    assert page.open_dialog is None
    assert "NOPE-1" in page.scan_box.message_text()


def test_bad_input_stays_in_the_dialog(qtbot, sqlite_desk, crew):
    page = shown(qtbot, KeysPage(sqlite_desk, crew["bob"]), (1200, 700))
    scan(qtbot, page, "K-102")
    dialog = page.open_dialog
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.field_errors["to"].text()
    qtbot.keyClicks(dialog.to_edit, "nobody")
    dialog.reason_edit.setText("巡楼")
    dialog.ok_button.click()
    assert dialog.isVisible()  # unknown user: shown, nothing written
    assert sqlite_desk.equipment.get(crew["bob"], "K-102")["holder"] is None
    dialog.reject()


def test_overdue_in_red_filters_history_and_shortcuts(qtbot, sqlite_desk, crew, clock):
    desk = sqlite_desk
    desk.equipment.checkout(crew["sue"], "R-1", "amy", "巡楼")
    desk.equipment.checkout(crew["sue"], "K-102", "bob", "开档案室")
    at_local(clock, 18, 0)  # after the day shift: both overdue
    desk.equipment.checkin(crew["sue"], "K-102")
    page = shown(qtbot, KeysPage(desk, crew["sue"]), (1200, 700))
    page.activated()
    assert page.buttons["add"].isVisible()
    number = next(n for n in range(page.model.rowCount()) if page.model.row(n)["tag"] == "R-1")
    index = page.model.index(number, 0)
    assert page.model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    assert page.model.data(index, Qt.ItemDataRole.FontRole).bold()
    other = page.model.index(0 if number else 1, 0)
    assert page.model.data(other, Qt.ItemDataRole.ForegroundRole) is None

    page.overdue_box.setChecked(True)
    assert [page.model.row(n)["tag"] for n in range(page.model.rowCount())] == ["R-1"]
    page.overdue_box.setChecked(False)
    page.out_box.setChecked(True)
    assert page.model.rowCount() == 1
    page.out_box.setChecked(False)
    page.kind.setCurrentIndex(page.kind.findData("key"))
    assert {page.model.row(n)["tag"] for n in range(page.model.rowCount())} == {"K-101", "K-102"}
    page.kind.setCurrentIndex(0)
    page.text_edit.setText("对讲")
    page.apply_filter()
    assert page.model.rowCount() == 1

    page.table.selectRow(0)
    key(qtbot, page, page.table, Qt.Key.Key_F7)  # History of the article
    dialog = page.open_dialog
    assert isinstance(dialog, HistoryDialog)
    assert dialog.tree.topLevelItemCount() == 1
    dialog.reject()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    key(qtbot, page, page.table, Qt.Key.Key_F7, Qt.KeyboardModifier.ShiftModifier)  # the person's
    dialog = page.open_dialog
    assert isinstance(dialog, HistoryDialog) and "amy" in dialog.windowTitle()
    dialog.reject()
    qtbot.waitUntil(lambda: page.open_dialog is None)

    page.text_edit.clear()
    page.apply_filter()
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / "keys-page.png"
    QApplication.processEvents()  # the count label's new width is laid out
    page.grab().save(str(path))
    assert path.stat().st_size > 0

    key(qtbot, page, page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Add article
    dialog = page.open_dialog
    assert dialog is not None and dialog.objectName() == "add_article_dialog"
    dialog.tag_edit.setText("k-103")
    dialog.name_edit.setText("机房钥匙")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    assert desk.equipment.get(crew["sue"], "K-103")["name"] == "机房钥匙"


def test_today_shows_keys_out_and_overdue(qtbot, sqlite_desk, crew, clock):
    from desk_app.ui.pages.today import TodayPage

    desk = sqlite_desk
    desk.equipment.checkout(crew["sue"], "R-1", "amy", "巡楼")
    at_local(clock, 18, 0)
    page = shown(qtbot, TodayPage(desk, crew["bob"]), (1100, 800))
    assert "1" in page.keys_label.text() and "overdue" in page.keys_label.text()
    assert "R-1" in page.keys_label.text()
    seen = []
    page.navigate.connect(lambda area, view: seen.append((area, view)))
    page.keys_button.click()
    assert seen == [("keys", "overdue")]
