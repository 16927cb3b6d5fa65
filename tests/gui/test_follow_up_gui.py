"""What the desk owes a caller, in the GUI: a reply promised with Ctrl+Shift+R (a past time
refused at its field, nothing written), shown on the Now tab — amber once due within the
reminder, red when late — and kept or broken in the Log's Promise column; Today lists the
promises due and opens the entry; an entry transferred to a department and escalated to a
colleague, both listed in its Details."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QLabel, QPushButton, QTreeWidget

from desk_app.domain.clock import format_clock
from desk_app.domain.reception import Channel
from desk_app.store.reception import Visit, VisitHandoff
from desk_app.ui.main_window import MainWindow
from desk_app.ui.pages.today import TodayPage
from desk_app.ui.reception.follow_up import DUE_SOON, LATE
from desk_app.ui.reception.page import ReceptionPage
from desk_app.ui.widgets.fields import local_qdatetime
from tests.gui.conftest import sign_in
from tests.gui.test_reception_gui import activate, key_on_page, shown_page

HOUR = 3_600_000
STATUS = 9  # the Now tab's
LOG_PROMISE = 10  # the Log's
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor) -> Iterator[ReceptionPage]:
    widget = next(shown_page(qtbot, demo_desk, clerk_actor))
    widget.timer.stop()  # the tests tick by hand
    yield widget


@pytest.fixture
def boxes(monkeypatch) -> list[str]:
    """Refusals the page showed in a message box."""
    shown: list[str] = []
    monkeypatch.setattr("desk_app.ui.reception.page.show_error",
                        lambda parent, error: shown.append(str(error)))
    return shown


def now_row(page: ReceptionPage, visit_id: int) -> int:
    return [view.id for view in page.now_tab.views].index(visit_id)


def status_cell(page: ReceptionPage, visit_id: int, role=Qt.ItemDataRole.DisplayRole):
    return page.now_tab.model.index(now_row(page, visit_id), STATUS).data(role)


def background(page: ReceptionPage, visit_id: int) -> str | None:
    brush = status_cell(page, visit_id, Qt.ItemDataRole.BackgroundRole)
    return brush.color().name() if isinstance(brush, QBrush) else None


def log_cell(page: ReceptionPage, visit_id: int, column: int,
             role=Qt.ItemDataRole.DisplayRole):
    model = page.log_tab.model
    rows = [r for r in range(model.rowCount()) if model.row(r).id == visit_id]
    assert rows, visit_id
    return model.index(rows[0], column).data(role)


def key_dialog(qtbot, page: ReceptionPage, key):
    """Ctrl+Shift+``key`` on the page; the form it opened."""
    page.dialog = None
    key_on_page(qtbot, page, key, CTRL_SHIFT)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


# ---------------------------------------------------------------------- promises

def test_a_reply_promised_shows_on_now_turns_due_then_kept_in_the_log(qtbot, page, demo_desk,
                                                                       clerk_actor, clock,
                                                                       boxes):
    desk = demo_desk
    call = desk.visits.open_visit(clerk_actor, Channel.PHONE_IN, name="周", caller_title="女士",
                                  contact="13900000002", request="电梯异响何时检修")
    page.refresh()
    page.select_visit(call.id)
    assert status_cell(page, call.id) == "Not answered yet"  # no promise yet

    dialog = key_dialog(qtbot, page, Qt.Key.Key_R)  # Ctrl+Shift+R
    assert dialog.objectName() == "promise_dialog" and "周女士" in dialog.windowTitle()
    when = dialog.widgets["promised_at"]
    start = local_qdatetime(desk.now())
    assert when.dateTime() == start.addSecs(30 * 60)  # now + 30 min, local
    when.setDateTime(start.addSecs(-10 * 60))  # a time passed: refused at its field
    dialog.save()
    assert dialog.isVisible() and "has already passed" in dialog.errors["promised_at"].text()
    assert Visit.get_by_id(call.id).promised_at is None  # nothing written
    when.setDateTime(start.addSecs(45 * 60))
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    promised = desk.now() + timedelta(minutes=45)
    stored = Visit.get_by_id(call.id)
    assert (stored.promised_at, stored.promised_by) == (promised, "wangfang")  # UTC, stored

    # Now: "Reply by 10:30", plain while it is far, amber within the reminder
    text = f"Reply by {format_clock(promised)}"
    assert status_cell(page, call.id) == f"{text} · Not answered yet"
    assert "王芳 promised a reply by" in status_cell(page, call.id, Qt.ItemDataRole.ToolTipRole)
    assert background(page, call.id) is None
    clock.advance(minutes=35)  # 10 minutes left: within the 15-minute reminder
    page.tick()
    assert background(page, call.id) == DUE_SOON
    assert status_cell(page, call.id).startswith(text)

    # Resolved in time: the Log's Promise column says Kept, with the time
    desk.visits.answer(clerk_actor, call.id)
    desk.visits.close_visit(clerk_actor, call.id, "已约定明早检修")
    page.refresh()
    assert call.id not in [view.id for view in page.now_tab.views]
    assert log_cell(page, call.id, LOG_PROMISE) == f"Kept {format_clock(promised)}"
    assert "kept" in log_cell(page, call.id, LOG_PROMISE, Qt.ItemDataRole.ToolTipRole)

    # A resolved entry has no reply left to promise: said, no form
    page.tabs.setCurrentWidget(page.log_tab)
    page.log_tab.select_visit(call.id)
    page.log_tab.table.setFocus()
    page.dialog = None
    key_on_page(qtbot, page, Qt.Key.Key_R, CTRL_SHIFT)
    assert page.dialog is None and boxes and "resolved already" in boxes[-1]


def test_a_promise_not_kept_turns_red_and_is_broken_in_the_log(qtbot, page, demo_desk,
                                                                clerk_actor, clock):
    desk = demo_desk
    visit = desk.visits.open_visit(clerk_actor, Channel.VISIT, name="吴", caller_title="先生",
                                   request="车位续租")
    page.refresh()
    page.select_visit(visit.id)
    dialog = page.promise_reply()
    qtbot.waitUntil(dialog.isVisible)
    dialog.save()  # the default: in 30 minutes
    qtbot.waitUntil(lambda: not dialog.isVisible())
    promised = Visit.get_by_id(visit.id).promised_at
    assert promised == desk.now() + timedelta(minutes=30)
    assert background(page, visit.id) is None
    clock.advance(minutes=31)
    page.tick()
    assert background(page, visit.id) == LATE
    assert status_cell(page, visit.id) == (
        f"Reply late ({format_clock(promised)}) · Not greeted yet")  # a visitor
    page.refresh()
    assert log_cell(page, visit.id, LOG_PROMISE) == f"Broken {format_clock(promised)}"

    # A second promise replaces the first, and says so
    page.select_visit(visit.id)
    dialog = page.promise_reply()
    qtbot.waitUntil(dialog.isVisible)
    earlier = dialog.findChild(QLabel, "earlier_promise")
    assert earlier is not None and format_clock(promised) in earlier.text()
    dialog.reject()


def test_today_lists_the_promises_due_and_opens_the_entry(qtbot, demo_desk, clerk_actor,
                                                          clock):
    desk = demo_desk
    soon = desk.visits.open_visit(clerk_actor, Channel.PHONE_IN, name="郑", caller_title="先生",
                                  contact="13700000003", request="物业费发票")
    later = desk.visits.open_visit(clerk_actor, Channel.PHONE_IN, name="冯",
                                   caller_title="女士", request="装修押金退还")
    desk.follow_up.promise_reply(clerk_actor, soon.id, desk.now() + timedelta(minutes=10))
    desk.follow_up.promise_reply(clerk_actor, later.id, desk.now() + timedelta(hours=3))

    window = MainWindow(desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    window.show()
    today = window.page("today")
    assert isinstance(today, TodayPage)
    box = today.promises_box
    assert box is not None and box.title() == "Promised replies due"
    items = [box.list.topLevelItem(i) for i in range(box.list.topLevelItemCount())]
    ids = [int(item.data(0, Qt.ItemDataRole.UserRole)) for item in items]
    assert soon.id in ids and later.id not in ids  # three hours away: not due yet
    mine = items[ids.index(soon.id)]
    assert [mine.text(c) for c in range(5)] == [
        format_clock(desk.now() + timedelta(minutes=10)), "due in 10 min", "郑先生",
        "13700000003", "物业费发票"]
    assert box.label.text().startswith(f"{len(ids)} promised repl")

    box.list.setCurrentItem(mine)
    qtbot.mouseClick(box.open_button, Qt.MouseButton.LeftButton)
    reception = window.pages["reception"]
    assert isinstance(reception, ReceptionPage)
    reception.timer.stop()
    assert window.current_area() == "reception"
    assert reception.tabs.currentWidget() is reception.now_tab
    assert reception.now_tab.selected().id == soon.id

    # Late: still listed, and says by how much
    clock.advance(minutes=25)
    box.show_figures(box.figures())
    items = [box.list.topLevelItem(i) for i in range(box.list.topLevelItemCount())]
    late = next(item for item in items
                if int(item.data(0, Qt.ItemDataRole.UserRole)) == soon.id)
    assert late.text(1) == "late by 15 min"

    # The Today of a user without the desk has no such box
    head = TodayPage(desk, sign_in(desk, "zhangwei"))
    qtbot.addWidget(head)
    assert head.promises_box is None


def test_an_empty_promises_box_says_so(qtbot, demo_desk, clerk_actor):
    today = TodayPage(demo_desk, clerk_actor)
    qtbot.addWidget(today)
    box = today.promises_box
    assert box is not None
    box.show_figures(([], demo_desk.now()))
    assert box.label.text() == "No promised reply is due."
    assert not box.open_button.isEnabled() and box.list.isHidden()


# ---------------------------------------------------------------------- transfer, escalate

def test_transfer_to_a_department_escalate_to_a_colleague_shown_in_details(qtbot, page,
                                                                           demo_desk,
                                                                           clerk_actor):
    desk = demo_desk
    call = desk.visits.open_visit(clerk_actor, Channel.PHONE_IN, name="钱", caller_title="先生",
                                  request="屋顶漏水")
    page.refresh()
    page.select_visit(call.id)
    page.now_tab.table.setFocus()

    # Ctrl+Shift+T: to no one is refused at the colleague's field, nothing written
    dialog = key_dialog(qtbot, page, Qt.Key.Key_T)
    assert dialog.objectName() == "transfer_dialog"
    colleagues = dialog.widgets["to_user"]
    names = [colleagues.itemData(i) for i in range(colleagues.count())]
    assert "liqiang" in names and "wangfang" not in names  # not to oneself
    dialog.save()
    assert dialog.isVisible() and dialog.errors["to_user"].text() == (
        "Say to whom or to which department it went.")
    assert not VisitHandoff.select().where(VisitHandoff.visit == call.id).exists()
    dialog.widgets["to_dept"].setText("工程部")
    dialog.widgets["note"].setPlainText("转工程部值班电话")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    [transfer] = desk.follow_up.handoffs(clerk_actor, call.id)
    assert (transfer.kind, transfer.to_dept, transfer.to_user, transfer.by) == (
        "transfer", "工程部", "", "wangfang")

    # From the Log: Escalate… to a colleague
    page.tabs.setCurrentWidget(page.log_tab)
    assert page.log_tab.select_visit(call.id)
    page.dialog = None
    escalate = page.log_tab.findChild(QPushButton, "log_escalate")
    assert escalate is not None
    qtbot.mouseClick(escalate, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.objectName() == "escalate_dialog"
    combo = dialog.widgets["to_user"]
    combo.setCurrentIndex(combo.findData("liqiang"))
    dialog.widgets["note"].setPlainText("业主要求主管回电")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    handoffs = desk.follow_up.handoffs(clerk_actor, call.id)
    assert [(h.kind, h.to_user, h.to_name) for h in handoffs] == [
        ("transfer", "", "工程部"), ("escalate", "liqiang", "李强")]

    # Details (F8, here on the Log) lists both: kind, to whom, when, by whom, the note
    page.log_tab.table.setFocus()
    page.dialog = None
    key_on_page(qtbot, page, Qt.Key.Key_F8)
    details = page.dialog
    assert details is not None and details.objectName() == "details_dialog"
    qtbot.waitUntil(details.isVisible)
    tree = details.findChild(QTreeWidget, "handoffs")
    assert tree is not None and tree.topLevelItemCount() == 2
    rows = [[tree.topLevelItem(r).text(c) for c in (0, 1, 3, 4)] for r in range(2)]
    assert rows == [["Transferred", "工程部", "王芳", "转工程部值班电话"],
                    ["Escalated", "李强", "王芳", "业主要求主管回电"]]
    details.reject()


def test_the_entry_menu_holds_the_follow_up_actions(qtbot, page, demo_desk, clerk_actor):
    call = demo_desk.visits.open_visit(clerk_actor, Channel.PHONE_IN, name="孙")
    page.refresh()
    page.select_visit(call.id)
    activate(qtbot, page)
    menu = page.entry_menu(page.now_tab.table)
    assert menu is not None
    texts = [action.text() for action in menu.actions() if action.text()]
    assert {"Promise reply…", "Transfer…", "Escalate…", "Details…"} <= set(texts)
    assert "Mark answered" in texts  # the Now tab's own
    log_menu = page.entry_menu(page.log_tab.table)
    assert log_menu is not None
    log_texts = {action.text() for action in log_menu.actions() if action.text()}
    assert "Promise reply…" in log_texts and "Mark answered" not in log_texts
