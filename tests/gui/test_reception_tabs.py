"""Reception tabs on paged models: long registers scroll to their end, the one-second tick
repaints the timer columns only, selections survive a refresh, no QTableWidget is left."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

import desk_app.ui.reception as reception_ui
from desk_app.domain.reception import Channel
from desk_app.services.exports import verify_pdf_file
from desk_app.ui.reception.export import ComplaintStatsDialog
from desk_app.ui.reception.now_tab import TIMER_COLUMNS
from desk_app.ui.reception.page import ReceptionPage
from desk_app.ui.widgets.export_dialog import ExportButton, ExportDialog
from tests.gui.conftest import assert_register_rows, assert_signed_export, sign_in, xlsx_rows
from tests.gui.test_export_dialog import _result_text, export, fill, sign
from tests.gui.test_reception_gui import key_on_page, shown_page


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
    # The complaint as the customer told it is their words: not flagged, saved at once.
    dialog = page.new_complaint()
    qtbot.waitUntil(dialog.isVisible)
    before = demo_desk.complaints.count_complaints(clerk_actor)
    dialog.widgets["description"].setPlainText("他说：这个我不清楚")
    assert dialog.warnings["description"].isHidden()
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert demo_desk.complaints.count_complaints(clerk_actor) == before + 1
    assert page.complaints_tab.model.rowCount() == before + 1
    # The reply is what staff say: flagged as typed, refused once, then "Save anyway".
    page.complaints_tab.table.selectRow(0)
    dialog = page.complaints_tab.reply_selected()
    qtbot.waitUntil(dialog.isVisible)
    dialog.widgets["result"].setPlainText("“不清楚”是我们的错，以后我不清楚也会帮您查")
    warning = dialog.warnings["result"].text()
    assert warning.count("不清楚") == 1  # the quotation is not flagged, the staff's words are
    dialog.save()
    assert dialog.isVisible() and dialog.ok_button.text() == "Save anyway"
    assert "不清楚" in dialog.errors["result"].text()
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert demo_desk.complaints.complaints(clerk_actor, limit=1)[0].replied_at is not None


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


# ------------------------------------------------------------------ Export… (the shared dialog)

EXPORT_TABS = (("log_tab", "visits"), ("callbacks_tab", "callbacks"),
               ("complaints_tab", "complaints"))


@pytest.fixture
def auditor_page(qtbot, demo_desk, auditor_actor) -> Iterator[ReceptionPage]:
    yield from shown_page(qtbot, demo_desk, auditor_actor)


def tab_export_dialog(qtbot, page: ReceptionPage, tab_name: str) -> ExportDialog:
    tab = getattr(page, tab_name)
    page.tabs.setCurrentWidget(tab)
    tab.export_button.click()
    dialog = tab.export_button.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.parametrize(("tab_name", "register"), EXPORT_TABS)
def test_each_list_exports_csv_through_the_shared_dialog(qtbot, auditor_page, demo_desk,
                                                         out_dir, tab_name, register):
    dialog = tab_export_dialog(qtbot, auditor_page, tab_name)
    assert dialog.register == register and dialog.parentWidget() is auditor_page.window()
    out = out_dir / f"{register}.csv"
    result = export(qtbot, dialog, "csv", out)
    assert result is not None and result.path == out and result.rows > 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert_register_rows(demo_desk, register, rows, result)
    assert _result_text(dialog).startswith(f"Exported {result.rows} rows")


@pytest.mark.parametrize(("tab_name", "register"), EXPORT_TABS)
def test_each_list_exports_xlsx_through_the_shared_dialog(qtbot, auditor_page, demo_desk,
                                                          out_dir, tab_name, register):
    dialog = tab_export_dialog(qtbot, auditor_page, tab_name)
    out = out_dir / f"{register}.xlsx"
    result = export(qtbot, dialog, "xlsx", out)
    assert result is not None and result.rows > 0
    rows = xlsx_rows(out)
    assert_register_rows(demo_desk, register, rows, result)
    _result_text(dialog)


@pytest.mark.parametrize(("tab_name", "register"), EXPORT_TABS)
def test_each_list_exports_a_signed_pdf_through_the_shared_dialog(qtbot, auditor_page, demo_desk,
                                                                  out_dir, tab_name, register):
    dialog = tab_export_dialog(qtbot, auditor_page, tab_name)
    out = out_dir / f"{register}.pdf"
    fill(dialog, "pdf", out)
    dialog.ok_button.click()
    result = sign(qtbot, dialog)
    assert result is not None and result.path == out and result.rows > 0
    assert_signed_export(demo_desk, out, "chenjing")
    _result_text(dialog)


@pytest.mark.parametrize(("tab_name", "register"), (("now_tab", "visits"), *EXPORT_TABS,
                                                     ("library_tab", "visits")))
def test_ctrl_shift_e_exports_the_current_tab(qtbot, auditor_page, tab_name, register):
    page = auditor_page
    page.tabs.setCurrentWidget(getattr(page, tab_name))
    key_on_page(qtbot, page, Qt.Key.Key_E,
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in page.findChildren(ExportDialog)))
    dialog = next(d for d in page.findChildren(ExportDialog) if d.isVisible())
    assert dialog.register == register
    dialog.reject()


def test_who_sees_the_export_buttons(qtbot, demo_desk, auditor_page, page):
    for shown in (auditor_page, page):  # the auditor reads the lists, the clerk works in them
        for tab_name, register in EXPORT_TABS:
            button = getattr(shown, tab_name).export_button
            assert button.register == register and not button.isHidden()
        assert "export" in shown.actions_by_name
    admin = sign_in(demo_desk, "admin")  # no reception view: only the phrase library
    admin_page = ReceptionPage(demo_desk, admin)
    qtbot.addWidget(admin_page)
    assert [admin_page.tabs.tabText(n) for n in range(admin_page.tabs.count())] == [
        "Phrase library"]
    assert "export" not in admin_page.actions_by_name
    assert not [button for button in admin_page.findChildren(ExportButton)
                if admin_page.tabs.isAncestorOf(button)]


# ------------------------------------------------------------------ monthly statistics


def test_monthly_statistics_check_the_file_before_signing(qtbot, auditor_page, demo_desk,
                                                          out_dir, monkeypatch):
    page = auditor_page
    page.tabs.setCurrentWidget(page.complaints_tab)
    page.complaints_tab.findChild(QPushButton, "complaint_stats").click()
    dialog = page.complaints_tab.stats_dialog
    assert isinstance(dialog, ComplaintStatsDialog)
    qtbot.waitExposed(dialog)
    assert [dialog.format_combo.itemData(n) for n in range(dialog.format_combo.count())] == [
        "pdf", "xlsx"]
    month = demo_desk.today()
    dialog.set_month(month.year, month.month)

    out = out_dir / "stats.pdf"
    out.write_text("keep me")
    answers = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: answers.pop(0))
    dialog.set_format("pdf")
    dialog.path_edit.setText(str(out))
    dialog.ok_button.click()  # "replace?" is asked before the signature
    assert dialog.sign_dialog is None and "exists already" in dialog.errors["out"].text()
    assert out.read_text() == "keep me"
    answers.append(QMessageBox.StandardButton.Yes)
    dialog.ok_button.click()
    result = sign(qtbot, dialog)
    assert result is not None and result.path == out
    report = verify_pdf_file(out, demo_desk.keys.ca_certificate())
    assert report.ok and [check.signer_user for check in report.signatures] == ["chenjing"]
    _result_text(dialog)

    page.complaints_tab.statistics()  # kept: opens again with what was typed
    assert page.complaints_tab.stats_dialog is dialog
    xlsx = out_dir / "stats.xlsx"
    dialog.set_format("xlsx")
    dialog.path_edit.setText(str(xlsx))
    with qtbot.waitSignal(dialog.done, timeout=60_000) as blocker:
        dialog.ok_button.click()  # no signature for a workbook
    result = blocker.args[0]
    assert result is not None and result.path == xlsx
    rows = xlsx_rows(xlsx)
    assert rows[1][:2] == ("Month", f"{month:%Y-%m}")
    _result_text(dialog)
