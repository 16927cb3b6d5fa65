"""Messages for an absent colleague in the GUI (issue 18): taken on the Reception page with
Ctrl+Shift+M, confirmed from the addressee's Today, chased from the desk's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from desk_app.ui.main_window import MainWindow
from desk_app.ui.pages.today import TodayPage
from desk_app.ui.reception.page import ReceptionPage
from tests.gui.conftest import sign_in
from tests.gui.test_reception_gui import key_on_page, shown_page

HOUR = 3_600_000


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor) -> Iterator[ReceptionPage]:
    yield from shown_page(qtbot, demo_desk, clerk_actor)


def _take(qtbot, page: ReceptionPage, for_user: str, caller: str, text: str):
    key_on_page(qtbot, page, Qt.Key.Key_M,
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    dialog = page.dialog
    assert dialog is not None
    combo = dialog.widgets["for_user"]
    index = combo.findData(for_user)
    if index >= 0 and for_user != "liqiang":
        combo.setCurrentIndex(index)
    else:  # typed, as a user does: 李强's full name completed to its label
        combo.setEditText(combo.itemText(index) if for_user == "liqiang" else for_user)
    dialog.widgets["caller"].setText(caller)
    dialog.widgets["text"].setPlainText(text)
    dialog.save()
    return dialog


def test_a_message_is_taken_with_the_keyboard_and_listed(qtbot, page, demo_desk, clerk_actor):
    before = demo_desk.messages.count_messages(clerk_actor)
    dialog = _take(qtbot, page, "liqiang", "赵先生", "请回电，关于12栋漏水。")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert demo_desk.messages.count_messages(clerk_actor) == before + 1
    page.tabs.setCurrentWidget(page.messages_tab)
    newest = page.messages_tab.model.row(0)
    assert (newest.for_user, newest.caller, newest.taken_by) == ("liqiang", "赵先生", "wangfang")
    combo = dialog.widgets["for_user"]  # colleagues by full name and user name
    assert combo.itemText(combo.findData("liqiang")) == "李强 (liqiang)"


def test_the_for_box_takes_a_label_a_full_name_or_a_user_name():
    from desk_app.ui.reception.messages_tab import addressee

    choices = [("liqiang", "李强 (liqiang)"), ("wangfang", "王芳 (wangfang)"),
               ("wf2", "王芳 (wf2)"), ("zhaolei", "zhaolei")]
    assert addressee("李强 (liqiang)", choices) == "liqiang"  # completed or chosen
    assert addressee(" 李强 ", choices) == "liqiang"  # a full name one user has
    assert addressee("王芳", choices) == "王芳"  # two users have it: the service says no
    assert addressee("zhaolei", choices) == "zhaolei"


def test_a_message_without_text_or_for_nobody_is_refused_at_its_field(qtbot, page, demo_desk,
                                                                      clerk_actor):
    before = demo_desk.messages.count_messages(clerk_actor)
    dialog = _take(qtbot, page, "liqiang", "赵先生", "")
    assert dialog.isVisible() and "message" in dialog.errors["text"].text().lower()
    dialog.reject()
    dialog = _take(qtbot, page, "nobody", "赵先生", "请回电")
    assert dialog.isVisible() and "not an active user" in dialog.errors["for_user"].text()
    dialog.reject()
    dialog = _take(qtbot, page, "", "赵先生", "请回电")  # nobody chosen: not the first name
    assert dialog.isVisible() and "Choose whom" in dialog.errors["for_user"].text()
    dialog.reject()
    assert demo_desk.messages.count_messages(clerk_actor) == before


def test_the_addressee_confirms_on_today_and_the_desk_chases_the_rest(qtbot, demo_desk,
                                                                     clerk_actor, clock):
    absent = sign_in(demo_desk, "liqiang")
    waiting = len(demo_desk.messages.my_messages(absent))  # the demo left him some
    clock.advance(hours=3)  # the demo's unconfirmed messages are all due for a chase now
    for text in ("请回电", "合同已寄出"):
        demo_desk.messages.take_message(clerk_actor, "liqiang", "赵先生", text)
        clock.advance(minutes=1)
    to_chase = demo_desk.messages.count_messages(clerk_actor, demo_desk.messages.to_chase(
        clerk_actor))
    today = TodayPage(demo_desk, absent)  # boxes filled at once (tests/gui/conftest.py)
    qtbot.addWidget(today)
    box = today.messages_box
    assert box is not None and box.list.topLevelItemCount() == waiting + 2
    assert box.label.text() == f"{waiting + 2} messages are waiting for you to read."
    box.list.setCurrentItem(box.list.topLevelItem(waiting))  # oldest first: ours follow
    confirmed = box.confirm_selected()
    assert confirmed is not None and confirmed.text == "请回电"
    assert box.list.topLevelItemCount() == waiting + 1
    assert [m.text for m in demo_desk.messages.my_messages(absent)][-1] == "合同已寄出"

    clock.advance(hours=2)  # ours are due for a chase too
    desk_today = TodayPage(demo_desk, clerk_actor)
    qtbot.addWidget(desk_today)
    chase = desk_today.messages_box
    assert chase is not None and chase.chase_button.isEnabled()
    assert chase.chase_label.text().startswith(f"{to_chase + 1} messages taken at the desk")
    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    window.show()
    home = window.page("today")
    assert isinstance(home, TodayPage) and home.messages_box is not None
    home.messages_box.chase_button.click()
    reception = window.pages["reception"]
    assert isinstance(reception, ReceptionPage)
    assert reception.tabs.currentWidget() is reception.messages_tab
    reception.messages_tab.table.selectRow(0)  # newest first
    chased = reception.messages_tab.chase_selected()
    assert chased.chases == 1 and chased.text == "合同已寄出"
    assert reception.messages_tab.model.row(0).chases == 1  # the list shows it
