"""Reception tabs on paged models: long registers scroll to their end, the one-second tick
repaints the timer columns only, selections survive a refresh, no QTableWidget is left."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import desk_app.ui.reception as reception_ui
from desk_app.domain.reception import Channel
from desk_app.ui.reception.now_tab import TIMER_COLUMNS
from desk_app.ui.reception.page import ReceptionPage
from tests.gui.test_reception_gui import shown_page


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor) -> Iterator[ReceptionPage]:
    yield from shown_page(qtbot, demo_desk, clerk_actor)


def test_the_tick_repaints_only_the_timer_columns_and_fetches_nothing(page, demo_desk,
                                                                     clerk_actor, clock):
    for name in ("Li Lei", "Han Meimei"):
        demo_desk.visits.open_visit(clerk_actor, Channel.VISIT, name=name)
    page.timer.stop()  # the test ticks by hand
    page.refresh()
    model = page.now_tab.model
    assert model.rowCount() >= 2
    for row in range(model.rowCount()):  # the rows on screen are read once
        model.index(row, 0).data()
    fetches = model.fetches
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda top, bottom, _roles: changed.append(
        (top.row(), bottom.row(), top.column(), bottom.column())))
    def timers() -> list[str]:
        return [model.index(row, column).data() for row in range(model.rowCount())
                for column in TIMER_COLUMNS]

    before = timers()
    clock.advance(seconds=75)
    for _tick in range(3):
        page.tick()
    assert model.fetches == fetches
    assert changed and {column for _t, _b, first, last in changed
                        for column in range(first, last + 1)} == set(TIMER_COLUMNS)
    assert all(top == 0 and bottom == model.rowCount() - 1 for top, bottom, _f, _l in changed)
    assert timers() != before


def test_selection_survives_a_refresh(page, demo_desk, clerk_actor):
    demo_desk.visits.open_visit(clerk_actor, Channel.VISIT, name="Li Lei")
    page.refresh()
    table = page.log_tab.table
    table.selectRow(1)
    chosen = page.log_tab.model.row(1).id
    demo_desk.visits.open_visit(clerk_actor, Channel.VISIT, name="Han Meimei")  # rows move
    page.refresh()
    rows = table.selectionModel().selectedRows()
    assert len(rows) == 1 and page.log_tab.model.row(rows[0].row()).id == chosen
    assert rows[0].row() == 2


def test_no_qtablewidget_in_the_reception_ui(page):
    from PySide6.QtWidgets import QTableWidget

    assert page.findChildren(QTableWidget) == []
    folder = Path(reception_ui.__file__).parent
    assert not [path.name for path in folder.glob("*.py") if "QTableWidget" in path.read_text()]


def test_every_tab_is_drawn(page, tmp_path):
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        assert not page.grab().isNull()


def test_a_phrase_not_to_use_is_flagged_and_can_be_saved_anyway(qtbot, page, demo_desk,
                                                                 clerk_actor):
    dialog = page.new_complaint()
    qtbot.waitUntil(dialog.isVisible)
    before = demo_desk.complaints.count_complaints(clerk_actor)
    dialog.widgets["description"].setPlainText("他说：这个我不清楚")
    assert "不清楚" in dialog.warnings["description"].text()
    dialog.save()
    assert dialog.isVisible() and dialog.ok_button.text() == "Save anyway"
    assert "不清楚" in dialog.errors["description"].text()
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert demo_desk.complaints.count_complaints(clerk_actor) == before + 1
    assert page.complaints_tab.model.rowCount() == before + 1


def test_five_thousand_call_backs_scroll_to_the_last_one(qtbot, page, demo_desk, clock):
    from desk_app.store.db import database_proxy
    from desk_app.store.reception import CallBack

    CallBack.delete().execute()
    start = clock.now()
    rows = [{"name": f"Customer {n}", "contact": f"1380000{n:04d}", "purpose": f"Call {n}",
             "due_at": start + timedelta(minutes=n), "handler": "wangfang", "created_at": start,
             "created_by": "wangfang"} for n in range(5000)]
    with database_proxy.atomic():
        for batch in range(0, len(rows), 500):
            CallBack.insert_many(rows[batch:batch + 500]).execute()
    page.refresh()
    page.tabs.setCurrentWidget(page.callbacks_tab)
    table, model = page.callbacks_tab.table, page.callbacks_tab.model
    assert model.rowCount() == 5000
    table.scrollToBottom()
    qtbot.wait(10)
    last = table.rowAt(table.viewport().height() - 2)
    assert last == 4999
    assert model.index(last, 2).data() == "Customer 0"  # latest due first: the earliest is last
    assert table.indexAt(table.visualRect(model.index(4999, 2)).center()).row() == 4999
    assert len(model.cached_pages()) <= model.max_pages
