"""Reception wording in the real page: F5 and F6 are verbs, F7 says what it ends (a visit or a
call), a resolved entry leaves Now or says why it stays, an empty arrival is refused at its
field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

from desk_app.domain.reception import Channel
from desk_app.services.reception import VisitFilter
from desk_app.store.reception import Visit
from desk_app.ui.reception.page import ReceptionPage
from tests.gui.test_reception_gui import shown_page

STATUS = 9  # the Now tab's status column


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor) -> Iterator[ReceptionPage]:
    yield from shown_page(qtbot, demo_desk, clerk_actor)


def texts(page: ReceptionPage) -> dict[str, str]:
    return {name: action.text() for name, action in page.actions_by_name.items()}


def row_of(page: ReceptionPage, visit_id: int) -> int:
    return [view.id for view in page.now_tab.views].index(visit_id)


def test_buttons_are_verbs_and_f7_names_what_it_ends(page, demo_desk, clerk_actor):
    visit = demo_desk.visits.open_visit(clerk_actor, Channel.VISIT, name="李女士",
                                        caller_title="女士")
    call = demo_desk.visits.open_visit(clerk_actor, Channel.PHONE_IN)
    page.refresh()
    page.now_tab.table.clearSelection()
    shown = texts(page)
    assert shown["answer"] == "Mark answered" and shown["resolve"] == "Mark resolved…"
    assert shown["close"] == "Sign out / end call…"
    assert "F7" in page.actions_by_name["close"].toolTip()
    page.select_visit(visit.id)
    assert texts(page)["close"] == "Sign out visitor…"
    assert page.now_tab.model.index(row_of(page, visit.id), 2).data() == "李女士"
    assert page.now_tab.model.index(row_of(page, visit.id), 4).data() == "王芳"  # not wangfang
    newest = demo_desk.registers["visits"].page(clerk_actor, VisitFilter(), 0, 1)[0]
    assert demo_desk.registers["visits"].cells(newest)[6] == "王芳"  # exports too
    # The complaints tab is the register, not the statistics' "number of complaints".
    assert page.tabs.tabText(page.tabs.indexOf(page.complaints_tab)) == "Complaint register"
    page.select_visit(call.id)
    assert texts(page)["close"] == "End call…"
    dialog = page.now_tab.close_selected()
    assert dialog.windowTitle().startswith("End call:")
    dialog.reject()
    # The timeout column and tab keep their own word; no toolbar button shares it.
    headers = [page.now_tab.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(page.now_tab.model.columnCount())]
    assert headers[6:] == ["Time to answer", "Time to reply", "Timeout", "Status"]
    assert not {"Timeout", "Time out…", "Answered"} & set(texts(page).values())


def test_a_resolved_call_leaves_now_a_resolved_visitor_says_why_she_stays(qtbot, page,
                                                                         demo_desk,
                                                                         clerk_actor):
    visit = demo_desk.visits.open_visit(clerk_actor, Channel.VISIT, name="王",
                                        caller_title="先生", request="办理门禁卡")
    call = demo_desk.visits.open_visit(clerk_actor, Channel.PHONE_IN, name="赵")
    page.refresh()
    model = page.now_tab.model
    assert model.index(row_of(page, call.id), STATUS).data() == "Not answered yet"
    page.select_visit(call.id)
    page.now_tab.answer_selected()
    assert model.index(row_of(page, call.id), STATUS).data() == "Being helped"

    # A call: "End the call too" is ticked; OK resolves and ends it — it leaves Now.
    page.select_visit(call.id)
    dialog = page.now_tab.resolve_selected()
    qtbot.waitUntil(dialog.isVisible)
    end = dialog.widgets["end"]
    assert isinstance(end, QCheckBox) and end.isChecked() and end.text() == "&End the call too"
    dialog.widgets["result"].setPlainText("已解答停车收费")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    ended = demo_desk.visits.get_visit(clerk_actor, call.id)
    assert ended.resolved_at is not None and ended.ended_at is not None
    assert call.id not in [v.id for v in page.now_tab.views]

    # A visitor: not ticked (she may still be here); she stays, and the list says why.
    page.select_visit(visit.id)
    dialog = page.now_tab.resolve_selected()
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.widgets["end"].isChecked()
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    row = row_of(page, visit.id)
    assert model.index(row, STATUS).data() == "Resolved, still on site"
    assert "sign them out (F7)" in model.index(row, STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert "王先生" in page.now_tab.visitors_list.item(
        page.now_tab.visitors_list.count() - 1).text()
    # Signing her out (F7) takes her off the list.
    page.select_visit(visit.id)
    assert texts(page)["close"] == "Sign out visitor…"
    dialog = page.now_tab.close_selected()
    qtbot.waitUntil(dialog.isVisible)
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert visit.id not in [v.id for v in page.now_tab.views]
    assert demo_desk.visits.get_visit(clerk_actor, visit.id).ended_at is not None


def test_an_empty_arrival_is_refused_at_the_name_field(qtbot, page):
    before = Visit.select().count()
    dialog = page.now_tab.new_visitor()
    qtbot.waitUntil(dialog.isVisible)
    dialog.save()
    assert dialog.isVisible()
    assert "empty arrival" in dialog.errors["name"].text()
    assert Visit.select().count() == before
    dialog.widgets["name"].setText("李女士")
    dialog.widgets["caller_title"].setEditText("女士")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert Visit.select().count() == before + 1
    newest = Visit.select().order_by(Visit.id.desc()).first()
    assert (newest.name, newest.caller_title) == ("李", "女士")


def test_the_palette_finds_a_phrase_by_pinyin_and_initials(qtbot, page):
    palette = page.open_palette()
    qtbot.waitUntil(palette.isVisible)
    palette.lang_combo.setCurrentIndex(palette.lang_combo.findData("zh_CN"))
    qtbot.waitUntil(palette.pinyin_ready, timeout=10_000)

    def found(query: str) -> list[str]:
        palette.search.setText(query)
        return [palette.results.item(n).data(Qt.ItemDataRole.UserRole).title
                for n in range(palette.results.count())]

    assert found("zjdh") == ["转接电话"]  # initials of the title
    assert found("zhuanjie") == ["转接电话"]  # full pinyin
    assert "转接电话" in found("转接")  # the characters as ever
    assert "接听来电" in found("jtld")
    assert found("xyz qq") == [] and palette.preview.text() == "No phrase matches."
    palette.search.setText("zjdh")
    with qtbot.waitSignal(palette.copied):
        qtbot.keyClick(palette.search, Qt.Key.Key_Return)


def test_the_visitor_form_starts_in_the_name_field(qtbot, page):
    """Keyboard only: typed text goes into the name (the OK button had the focus, and the
    space in a typed name pressed it — an empty arrival)."""
    before = Visit.select().count()
    dialog = page.now_tab.new_visitor()
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.focusWidget() is not None)
    assert dialog.focusWidget() is dialog.widgets["name"]
    qtbot.keyClicks(dialog.focusWidget(), "Soak Visitor")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert Visit.select().count() == before + 1
    assert Visit.select().order_by(Visit.id.desc()).first().name == "Soak Visitor"
