"""Archive page (issue 14): Edit… (Ctrl+E) and Move… dialogs, Move box…, the table's word when
a search finds nothing, the searched words marked, pinyin title order, column widths and sort
remembered for a new page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk_app.store.archive import Item
from desk_app.store.models import AuditEntry
from desk_app.ui.archive.edit import EditItemDialog, MoveBoxDialog, MoveItemsDialog
from desk_app.ui.archive.page import ArchivePage
from tests.gui.conftest import shown


@pytest.fixture
def places(demo_desk, clerk_actor):
    archive = demo_desk.archive
    archive.add_location(clerk_actor, "测试室")
    archive.add_location(clerk_actor, "柜9", "测试室")
    archive.add_location(clerk_actor, "第1层", "测试室 › 柜9")
    archive.add_location(clerk_actor, "第2层", "测试室 › 柜9")
    archive.add_location(clerk_actor, "07盒", "测试室 › 柜9 › 第1层")
    return "测试室 › 柜9 › 第1层 › 07盒"


@pytest.fixture
def item(demo_desk, clerk_actor):
    return demo_desk.archive.add_item(clerk_actor, title="蓝鲸电梯维保合同", kind="BG", dept="GC",
                                      level="internal", keywords="电梯 合同")


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor) -> ArchivePage:
    return shown(qtbot, ArchivePage(demo_desk, clerk_actor), (1366, 768))


def search(page: ArchivePage, text: str) -> None:
    page.search_edit.setText(text)
    page.apply_filter()


def open_dialog(qtbot, page: ArchivePage, kind: type):
    qtbot.waitUntil(lambda: isinstance(page.open_dialog, kind), timeout=2000)
    return page.open_dialog


def test_ctrl_e_edits_the_selected_item_and_places_it(qtbot, page, item, places):
    search(page, "蓝鲸电梯")
    assert page.model.rowCount() == 1
    page.table.selectRow(0)
    assert page.edit_button.isEnabled()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = open_dialog(qtbot, page, EditItemDialog)
    assert dialog.title_edit.text() == "蓝鲸电梯维保合同"
    assert dialog.location_combo.currentData() is None  # registered without a place
    dialog.title_edit.setText("")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.field_errors["title"].text() == "Give the file a title."
    dialog.title_edit.setText("蓝鲸电梯维保合同（2025）")
    dialog.location_combo.setCurrentIndex(dialog.location_combo.findData(places))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None, timeout=2000)
    assert page.detail.values["title"].text() == "蓝鲸电梯维保合同（2025）"
    assert page.detail.values["location"].text() == places
    row = Item.get(Item.ref == item.ref)
    assert (row.title, row.location.path) == ("蓝鲸电梯维保合同（2025）", places)
    assert AuditEntry.select().where(AuditEntry.action == "item.edit").count() == 1


def test_move_selected_items_and_a_box(qtbot, page, demo_desk, clerk_actor, item, places):
    search(page, "蓝鲸电梯")
    page.table.selectRow(0)
    page.move_items_action.trigger()
    dialog = open_dialog(qtbot, page, MoveItemsDialog)
    dialog.location_combo.setCurrentIndex(dialog.location_combo.findData(places))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None, timeout=2000)
    assert page.detail.values["location"].text() == places
    page.move_box_action.trigger()
    dialog = open_dialog(qtbot, page, MoveBoxDialog)
    assert dialog.box_combo.currentData() == places  # the selected item's box
    dialog.shelf_combo.setCurrentIndex(dialog.shelf_combo.findData("测试室 › 柜9 › 第2层"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None, timeout=2000)
    assert demo_desk.archive.get(clerk_actor, item.ref).location == "测试室 › 柜9 › 第2层 › 07盒"
    assert page.model.row(0).location == "测试室 › 柜9 › 第2层 › 07盒"


def test_an_empty_result_says_so_in_the_table(page):
    search(page, "电梯")
    assert page.model.rowCount() > 0 and page.table.empty_text() == ""
    page.dept_combo.setCurrentIndex(page.dept_combo.findData("GC"))
    search(page, "没有这种文件")
    assert page.model.rowCount() == 0
    text = page.table.empty_text()
    assert text.startswith("No items match “没有这种文件” in 工程部.")
    assert "clear the filters" in text
    page.search_edit.clear()
    page.dept_combo.setCurrentIndex(0)
    page.apply_filter()
    assert page.table.empty_text() == ""


def test_searched_words_are_marked_in_title_and_keywords(page, item):
    search(page, "蓝鲸 合同")
    assert page.model.rowCount() == 1
    delegate = page.table.itemDelegateForColumn(1)
    assert delegate is page.highlight and page.table.itemDelegateForColumn(2) is page.highlight
    assert delegate.spans("蓝鲸电梯维保合同") == [(0, 2), (6, 8)]
    assert delegate.marked_html("电梯 合同").count("<b") == 1
    assert page.model.headerData(2, Qt.Orientation.Horizontal) == "Keywords"
    assert page.model.data(page.model.index(0, 2)) == "电梯 合同"
    # With nothing searched the view paints as usual: no Python paint per cell (issue 17).
    search(page, "")
    assert page.table.itemDelegateForColumn(1) is None
    assert page.table.itemDelegateForColumn(2) is None


def test_title_sort_is_pinyin_and_header_state_is_remembered(qtbot, demo_desk, clerk_actor, page):
    for title in ("蓝鲸张伟", "蓝鲸陈静", "蓝鲸李强"):
        demo_desk.archive.add_item(clerk_actor, title=title, kind="BG", dept="GC", level="public")
    search(page, "蓝鲸")
    page.table.horizontalHeader().sectionClicked.emit(1)  # a click on Title sorts by it
    assert page.filter.sort == "title"
    assert [page.model.row(n).title for n in range(3)] == ["蓝鲸陈静", "蓝鲸李强", "蓝鲸张伟"]
    page.table.setColumnWidth(1, 321)
    page.table.save_header()
    page.close()
    again = shown(qtbot, ArchivePage(demo_desk, clerk_actor), (1366, 768))
    assert again.table.columnWidth(1) == 321
    assert again.sort_combo.currentData() == "title" and again.filter.sort == "title"
    header = again.table.horizontalHeader()
    assert header.sortIndicatorSection() == 1


def test_main_columns_fit_at_1366_by_768(page):
    """Reference to Status without sideways scrolling; the long title elided, whole in its
    tooltip."""
    visible = page.table.viewport().width()
    header = page.table.horizontalHeader()
    right_of_status = header.sectionPosition(7) + header.sectionSize(7)
    assert right_of_status <= visible, (right_of_status, visible)
    assert page.table.textElideMode() == Qt.TextElideMode.ElideRight
