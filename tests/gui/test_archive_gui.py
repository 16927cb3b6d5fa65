"""Archive page: the register model, search as you type, filters, scanning, new items, labels."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from PySide6.QtCore import QEvent, QObject, Qt

from desk_app.services.archive import ItemFilter
from desk_app.ui.archive import page as archive_page
from desk_app.ui.archive.dialogs import LabelsDialog, NewItemDialog
from desk_app.ui.archive.page import ArchivePage
from tests.gui.conftest import shown


@pytest.fixture
def items(demo_desk, clerk_actor):
    """Three items of our own next to the demo catalogue; the titles carry unique words."""
    archive = demo_desk.archive
    archive.add_location(clerk_actor, "测试室")
    archive.add_location(clerk_actor, "柜9", "测试室")
    return [
        archive.add_item(clerk_actor, title="2025年度蓝鲸园区规划报告", kind="BG", dept="GC",
                         level="internal", location="测试室 › 柜9", keywords="规划 绿化",
                         doc_date=date(2025, 3, 1)),
        archive.add_item(clerk_actor, title="蓝鲸业户档案：张伟", kind="YH", dept="KF", level="public",
                         ref="QA-YH-0001", doc_date=date(2019, 5, 6)),
        archive.add_item(clerk_actor, title="蓝鲸保安交接班制度", kind="ZD", dept="BA", level="public",
                         ref="QA-ZD-0001"),
    ]


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor, items) -> ArchivePage:
    return shown(qtbot, ArchivePage(demo_desk, clerk_actor), (1200, 700))


def type_text(qtbot, widget, text: str) -> None:
    """Type like a user: ASCII as key clicks, Chinese as an input method commits it
    (QTest.keyClicks cannot send characters outside Latin-1)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            event = QInputMethodEvent()
            event.setCommitString(char)
            QApplication.sendEvent(widget, event)


def refs(page: ArchivePage) -> list[str]:
    return [page.model.row(n).ref for n in range(page.model.rowCount())]


def test_register_model_is_sound_and_shows_items(qtmodeltester, page, demo_desk, clerk_actor, items):
    qtmodeltester.check(page.model, force_py=True)
    total = demo_desk.archive.count(clerk_actor, ItemFilter())
    assert page.model.rowCount() == total
    assert page.count_label.text() == f"{total} items"
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(9)]
    assert headers == ["Reference", "Title", "Keywords", "Kind", "Department", "Date", "Level",
                       "Status", "Location"]
    page.search_edit.setText("蓝鲸园区")
    page.apply_filter()
    assert page.model.rowCount() == 1
    values = [page.model.data(page.model.index(0, c)) for c in range(9)]
    assert values == [items[0].ref, "2025年度蓝鲸园区规划报告", "规划 绿化", "报告", items[0].dept_name,
                      "2025-03-01", "Internal", "Available", "测试室 › 柜9"]


def test_the_side_pane_is_built_after_the_first_rows_are_painted(qtbot, demo_desk, clerk_actor):
    """Issue 17: a first sign-in waits for the register's rows, not for the scan box, the
    detail pane and the item's actions beside them; they follow in the next turn."""
    page = ArchivePage(demo_desk, clerk_actor)
    assert not page.side.is_built and page.model.rowCount() > 0
    painted = []
    page.table.viewport().installEventFilter(watcher := _PaintWatcher(page, painted))
    shown(qtbot, page, (1200, 700))
    qtbot.waitUntil(lambda: page.side.is_built)
    assert painted and painted[0] is False  # the rows were painted before the pane was built
    assert page.scan_box.isVisible() and page.detail.isVisible() and page.edit_button.isVisible()
    page.table.viewport().removeEventFilter(watcher)
    late = ArchivePage(demo_desk, clerk_actor)  # never shown: built when first used
    qtbot.addWidget(late)
    assert late.detail.item is None and late.side.is_built


class _PaintWatcher(QObject):
    def __init__(self, page: ArchivePage, painted: list[bool]) -> None:
        super().__init__(page)
        self.page, self.painted = page, painted

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted.append(self.page.side.is_built)
        return False


def test_search_as_you_type_narrows_rows(qtbot, page, demo_desk, clerk_actor):
    total = page.model.rowCount()
    type_text(qtbot, page.search_edit, "规划")
    expected = demo_desk.archive.count(clerk_actor, ItemFilter(query="规划"))
    qtbot.waitUntil(lambda: page.model.rowCount() == expected, timeout=2000)
    assert 0 < expected < total
    simplified = refs(page)
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == total, timeout=2000)
    type_text(qtbot, page.search_edit, "規劃")  # Traditional finds the same files
    qtbot.waitUntil(lambda: page.model.rowCount() == expected, timeout=2000)
    assert refs(page) == simplified
    page.search_edit.clear()
    type_text(qtbot, page.search_edit, "蓝鲸")
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=2000)
    assert sorted(refs(page)) == sorted(item.ref for item in page.desk.archive.page(
        page.actor, ItemFilter(query="蓝鲸"), 0, 10))


def test_typing_is_debounced(qtbot, page):
    before = page.model.fetches
    page.search_edit.setText("蓝")
    page.search_edit.setText("蓝鲸")
    assert page.search_timer.isActive()
    assert page.model.fetches == before  # nothing asked yet
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=2000)


def test_filters_and_sort(page, demo_desk, clerk_actor, items):
    page.search_edit.setText("蓝鲸")
    page.apply_filter()
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("YH"))
    assert refs(page) == ["QA-YH-0001"]
    page.kind_combo.setCurrentIndex(0)
    page.year_from.setValue(2020)
    assert refs(page) == [items[0].ref]
    page.year_from.setValue(archive_page.NO_YEAR)
    page.level_combo.setCurrentIndex(page.level_combo.findData("public"))
    assert sorted(refs(page)) == ["QA-YH-0001", "QA-ZD-0001"]
    page.level_combo.setCurrentIndex(0)
    page.sort_combo.setCurrentIndex(page.sort_combo.findData("date"))
    assert refs(page)[:2] == [items[0].ref, "QA-YH-0001"]
    page.available_check.setChecked(True)
    assert page.model.rowCount() == 3
    assert page.current_filter() == ItemFilter(query="蓝鲸", available_only=True, sort="date")


def test_selecting_a_row_shows_the_item_and_its_loans(page, demo_desk, clerk_actor, items):
    from desk_app.services.loans import BorrowerInput

    demo_desk.loans.lend(clerk_actor, ["QA-ZD-0001"], BorrowerInput(user_name="liqiang"), "查阅")
    page.search_edit.setText("蓝鲸")
    page.apply_filter()
    page.select_ref("QA-ZD-0001")
    assert page.detail.values["ref"].text() == "QA-ZD-0001"
    assert page.detail.values["status"].text() == "On loan"
    assert page.detail.history.topLevelItemCount() == 1
    assert page.detail.history.topLevelItem(0).text(3) == "(on loan)"


def test_scan_opens_the_item_and_unknown_code_says_so(qtbot, page, items):
    page.table.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_F2)
    assert page.scan_box.edit.hasFocus()
    qtbot.keyClicks(page.scan_box.edit, "qa-yh-0001")
    qtbot.keyClick(page.scan_box.edit, Qt.Key.Key_Return)
    assert page.detail.item is not None and page.detail.item.ref == "QA-YH-0001"
    assert page.scan_box.edit.text() == ""
    assert page.scan_box.message_text() == ""

    qtbot.keyClicks(page.scan_box.edit, "NOPE-404")
    qtbot.keyClick(page.scan_box.edit, Qt.Key.Key_Return)
    assert page.scan_box.message_text() == "Unknown reference scanned: NOPE-404."
    assert page.detail.item.ref == "QA-YH-0001"  # unchanged


def test_new_item_dialog_errors_at_the_field_and_writes_nothing(qtbot, page, demo_desk, clerk_actor):
    before = demo_desk.archive.count(clerk_actor, ItemFilter())
    page.new_item_button.click()
    dialog = page.open_dialog
    assert isinstance(dialog, NewItemDialog)
    dialog.ok_button.click()  # no title
    assert dialog.field_errors["title"].text() == "Give the file a title."
    assert dialog.isVisible()
    type_text(qtbot, dialog.title_edit, "蓝鲸新档案")
    dialog.date_edit.line_edit.setText("2025-13-40")
    dialog.ok_button.click()
    assert dialog.field_errors["doc_date"].text() == "There is no month 13: months go from 1 to 12."
    assert dialog.field_errors["title"].text() == ""
    dialog.date_edit.line_edit.setText("2024-06-30")
    dialog.ref_edit.setText("QA-YH-0001")  # taken
    dialog.ok_button.click()
    assert "exists already" in dialog.general_error.text()
    assert demo_desk.archive.count(clerk_actor, ItemFilter()) == before

    dialog.ref_edit.clear()
    dialog.location_combo.setCurrentIndex(dialog.location_combo.findData("测试室 › 柜9"))
    dialog.retention_spin.setValue(10)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    assert demo_desk.archive.count(clerk_actor, ItemFilter()) == before + 1
    assert page.detail.item.title == "蓝鲸新档案"
    assert page.detail.item.location == "测试室 › 柜9"
    assert page.detail.item.retention_years == 10
    assert "2024" in page.detail.item.ref  # auto-numbered from the date


def test_new_location(qtbot, page, demo_desk):
    page.new_location_button.click()
    dialog = page.open_dialog
    dialog.parent_combo.setCurrentIndex(dialog.parent_combo.findData("测试室 › 柜9"))
    type_text(qtbot, dialog.name_edit, "第1层")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    assert ("测试室 › 柜9 › 第1层", "shelf") in demo_desk.archive.locations()


def test_print_labels_previews_a_pdf(qtbot, page, demo_desk, monkeypatch, items):
    shown = []
    threads = []
    labels_pdf = demo_desk.labels.labels_pdf

    def recording_labels_pdf(*args, **kwargs):
        threads.append(threading.get_ident())
        return labels_pdf(*args, **kwargs)

    monkeypatch.setattr(demo_desk.labels, "labels_pdf", recording_labels_pdf)
    monkeypatch.setattr(archive_page, "preview_pdf", lambda parent, pdf, name: shown.append((pdf, name)))
    page.search_edit.setText("蓝鲸")
    page.apply_filter()
    page.table.selectAll()
    assert page.labels_button.isEnabled()
    page.labels_button.click()
    dialog = page.open_dialog
    assert isinstance(dialog, LabelsDialog) and len(dialog.refs) == 3
    dialog.sheet_combo.setCurrentIndex(dialog.sheet_combo.findData("L7160"))
    assert dialog.start_spin.maximum() == 21
    dialog.start_spin.setValue(5)
    dialog.ok_button.click()
    assert dialog.job is not None and not dialog.ok_button.isEnabled()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    assert len(shown) == 1 and shown[0][0].startswith(b"%PDF")
    assert len(threads) == 1 and threads[0] != threading.get_ident()  # made off the GUI thread


def test_lend_selected_opens_the_lend_dialog_with_the_items(qtbot, demo_desk, clerk_actor, items):
    """The Archive page's "Lend…" goes through the main window to the Loans page's dialog."""
    from desk_app.ui.main_window import MainWindow

    window = MainWindow(demo_desk, clerk_actor, idle_ms=3_600_000)
    qtbot.addWidget(window)
    page = window.show_area("archive")
    page.search_edit.setText("蓝鲸")
    page.apply_filter()
    page.table.selectAll()
    page.lend_button.click()
    assert window.current_area() == "loans"
    dialog = window.page("loans").open_dialog
    assert sorted(dialog.refs()) == sorted(item.ref for item in items)
    dialog.reject()
    qtbot.waitUntil(lambda: window.page("loans").open_dialog is None)



def test_keyboard_only_page_switch_then_scan(qtbot, demo_desk, clerk_actor, items):
    """Ctrl+2 from anywhere puts the cursor in the Archive search; F2 then reaches the scan
    box even while the cursor is elsewhere, and a scan opens the item."""
    from PySide6.QtWidgets import QApplication

    from desk_app.ui.main_window import MainWindow

    window = MainWindow(demo_desk, clerk_actor, idle_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    window.nav.setFocus()
    qtbot.waitUntil(window.nav.hasFocus)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = window.page("archive")
    assert window.current_area() == "archive"
    qtbot.waitUntil(page.search_edit.hasFocus)
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_F2)
    qtbot.waitUntil(page.scan_box.edit.hasFocus)
    qtbot.keyClicks(page.scan_box.edit, "qa-zd-0001")
    qtbot.keyClick(page.scan_box.edit, Qt.Key.Key_Return)
    assert page.detail.item is not None and page.detail.item.ref == "QA-ZD-0001"
    window.close()


def test_retention_field_says_as_its_kind_permanent_or_years(qtbot):
    """The add dialog's retention: lowest step "as its kind" (None), then "permanent" (0),
    then years — an item's own retention overrides its kind's (docs/approvals.md)."""
    from desk_app.ui.archive.dialogs import RetentionSpin

    spin = RetentionSpin()
    qtbot.addWidget(spin)
    assert spin.years() is None and spin.text() == "as its kind"
    spin.stepUp()
    assert spin.years() == 0 and spin.text() == "permanent"
    spin.setValue(30)
    assert spin.years() == 30 and spin.text() == "30 years"
