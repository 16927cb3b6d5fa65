"""The Reception page's Service report tab (issue 18): shown to supervisors, the manager and
the auditor, not to a clerk; it reads the month in a worker — the per-agent table is the
service's agents and the whole desk, the trend's Change cells coloured, the charts shown as
pictures — and again when another month is chosen; Save XLSX writes the workbook (with its
audit entry), Save PDF signs it with the password and the handwriting (the signature
verifies), a wrong password writes nothing and says why."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication

from desk_app.domain.service_report import NEUTRAL
from desk_app.services.exports import verify_pdf_file
from desk_app.store.models import AuditEntry
from desk_app.ui.reception import report_tab
from desk_app.ui.reception.page import ReceptionPage
from desk_app.ui.reception.report_tab import BETTER, WORSE, ServiceReportTab, months_offered
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.gui.conftest import DEMO_PASSWORD, sign_in, xlsx_rows
from tests.gui.test_reception_gui import activate

ALT = Qt.KeyboardModifier.AltModifier


def open_page(qtbot, desk, user: str) -> ReceptionPage:
    page = ReceptionPage(desk, sign_in(desk, user))
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    page.timer.stop()  # no timeout sweeps while the test runs
    return page


def report_tab_of(qtbot, page: ReceptionPage) -> ServiceReportTab:
    """The tab chosen, its first load (in the worker) done."""
    tab = page.report_tab
    assert tab is not None
    page.tabs.setCurrentWidget(tab)
    wait_loaded(qtbot, tab)
    return tab


def wait_loaded(qtbot, tab: ServiceReportTab) -> None:
    """The latest load shown, and every load superseded by it ended too."""
    qtbot.waitUntil(lambda: tab.load_job is None and tab.report is not None
                    and not Job._running, timeout=10_000)


def column(table, number: int) -> list[str]:
    return [table.item(row, number).text() for row in range(table.cells.rowCount())]


def written_entries() -> list[str]:
    """Who wrote a service report, by the audit trail."""
    return [entry.actor for entry in AuditEntry.select().where(
        AuditEntry.action == "service_report.write").order_by(AuditEntry.seq)]


def change_colours(tab: ServiceReportTab, report) -> list:
    """The backgrounds of the coloured Change cells, checked against ``Change.better`` (more
    calls and visits is neither better nor worse: never coloured)."""
    colours = []
    for row, item in enumerate(report.trend()):
        cell = tab.trend_table.item(row, 3)
        better = None if item.key in NEUTRAL else item.better
        if better is None:
            assert cell.background().style() == Qt.BrushStyle.NoBrush, item.key
        else:
            assert cell.background().color() == (BETTER if better else WORSE)[0], item.key
            colours.append(cell.background().color())
    return colours


def draw(qtbot, pad) -> None:
    points = [QPoint(20 + 18 * step, 40 if step % 2 else 95) for step in range(16)]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])


def answer_sign_dialog(qtbot, password: str, seen: list[str]) -> None:
    """When the real sign dialog comes up: draw, type ``password``, Sign; a refusal shown at
    the password field is noted in ``seen`` and the dialog cancelled."""
    tries = [0]

    def answer() -> None:
        found = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, SignDialog) and w.isVisible()]
        if not found:
            tries[0] += 1
            if tries[0] < 300:
                QTimer.singleShot(10, answer)
            return
        dialog = found[0]
        draw(qtbot, dialog.pad)
        dialog.password_edit.setText(password)
        dialog.accept()  # checks the password first (the service's check)
        if dialog.isVisible():
            seen.append(dialog.password_error.text())
            dialog.reject()

    QTimer.singleShot(0, answer)


@pytest.mark.parametrize("user", ["liqiang", "zhangwei", "chenjing"])
def test_supervisor_manager_and_auditor_have_the_tab(qtbot, demo_desk, user):
    page = open_page(qtbot, demo_desk, user)
    assert page.report_tab is not None
    assert page.tabs.indexOf(page.report_tab) >= 0
    assert page.tabs.tabText(page.tabs.indexOf(page.report_tab)) == "Service report"


def test_a_clerk_has_no_service_report_tab(qtbot, demo_desk):
    page = open_page(qtbot, demo_desk, "wangfang")
    assert page.report_tab is None
    assert "Service report" not in [page.tabs.tabText(n) for n in range(page.tabs.count())]


def test_the_month_is_read_in_a_worker_when_the_tab_is_shown(qtbot, demo_desk, monkeypatch):
    desk = demo_desk
    page = open_page(qtbot, desk, "liqiang")
    tab = page.report_tab
    assert tab is not None and tab.report is None  # nothing read with the page
    page.refresh()
    assert tab.report is None and tab.load_job is None  # nor at its refresh
    today = desk.today()
    months = months_offered(today.year, today.month)
    combo = tab.month_combo
    assert combo.count() == 24 and combo.itemData(0) == months[0]
    assert "not ended yet" in combo.itemText(0)
    assert combo.currentData() == months[1]  # the last month that has ended
    assert combo.currentText() == f"{months[1][0]:04d}-{months[1][1]:02d}"

    threads: list[bool] = []
    service = type(desk.service_reports)
    real = service.report
    monkeypatch.setattr(service, "report", lambda self, *args, **kw: (
        threads.append(QApplication.instance().thread().isCurrentThread()),
        real(self, *args, **kw))[1])
    tab = report_tab_of(qtbot, page)
    assert threads == [False]  # read off the GUI thread
    report = desk.service_reports.report(page.actor, *months[1])
    assert tab.loaded_month == months[1] and tab.report.month_text == report.month_text
    assert report.agents()  # the demo's month has agents
    assert column(tab.agent_table, 0) == [line.name for line in report.agents()] + ["Whole desk"]
    assert tab.agent_table.item(tab.agent_table.cells.rowCount() - 1, 0).font().bold()
    assert report.month_text in tab.heading.text() and "not ended" not in tab.heading.text()

    # the trend: the Change cell green when better, red when worse
    assert change_colours(tab, report) and BETTER[0] in change_colours(tab, report)

    # the charts as pictures, the charts of the service
    keys = [key for key, _title, _pdf in desk.service_reports.charts(page.actor, report)]
    assert [label.objectName() for label in tab.chart_labels] == [f"chart_{k}" for k in keys]
    for label in tab.chart_labels:
        pixmap = label.pixmap()
        assert not pixmap.isNull() and pixmap.width() > 100
    assert tab.cause_table.cells.rowCount() == len(report.desk.causes) or tab.no_causes.isVisible()

    # a narrower window: the same pictures, one a row (nothing read again)
    loads = tab.loads
    assert tab.chart_columns == 2
    page.resize(900, 800)
    qtbot.waitUntil(lambda: tab.chart_columns == 1)
    width = tab.scroll_area.viewport().width()
    assert width - 40 < tab.chart_labels[0].pixmap().width() <= width
    assert tab.loads == loads and tab.load_job is None


def test_another_month_is_read_when_chosen(qtbot, demo_desk):
    page = open_page(qtbot, demo_desk, "zhangwei")  # the manager
    tab = report_tab_of(qtbot, page)
    first = tab.report
    tab.month_combo.setCurrentIndex(0)  # this month, not ended
    wait_loaded(qtbot, tab)
    assert tab.report is not first
    assert tab.loaded_month == tab.month_combo.itemData(0)
    assert not tab.report.complete and "not ended yet" in tab.heading.text()
    assert WORSE[0] in change_colours(tab, tab.report)
    # a newer choice supersedes a load still running: the latest month is shown
    tab.month_combo.setCurrentIndex(3)
    tab.month_combo.setCurrentIndex(2)
    wait_loaded(qtbot, tab)
    assert tab.loaded_month == tab.month_combo.itemData(2)
    assert tab.report.month_text in tab.heading.text()


def test_save_xlsx_writes_the_workbook_and_an_audit_entry(qtbot, demo_desk, out_dir,
                                                          monkeypatch):
    page = open_page(qtbot, demo_desk, "chenjing")  # the auditor
    tab = report_tab_of(qtbot, page)
    target = out_dir / "report"  # the extension follows the format
    monkeypatch.setattr(report_tab, "save_file_name", lambda *args, **kw: str(target))
    activate(qtbot, page)
    qtbot.keyClick(tab.month_combo, Qt.Key.Key_X, ALT)  # Save &XLSX…
    qtbot.waitUntil(lambda: tab.save_job is None and tab.saved is not None, timeout=10_000)
    written = out_dir / "report.xlsx"
    assert tab.saved.path == written and written.is_file()
    assert str(written) in tab.status.text()
    assert xlsx_rows(written)
    assert written_entries() == ["chenjing"]
    assert not tab.preview_button.isVisible()


def test_save_pdf_is_signed_and_a_wrong_password_writes_nothing(qtbot, demo_desk, out_dir,
                                                                 monkeypatch):
    desk = demo_desk
    page = open_page(qtbot, desk, "liqiang")
    tab = report_tab_of(qtbot, page)
    target = out_dir / "service.pdf"
    monkeypatch.setattr(report_tab, "save_file_name", lambda *args, **kw: str(target))
    entries = written_entries()

    refused: list[str] = []
    answer_sign_dialog(qtbot, "not the password", refused)
    assert tab.save("pdf") is None
    assert refused and refused[0]  # said at the password field
    assert not target.exists() and tab.save_job is None
    assert written_entries() == entries

    seen: list[str] = []
    answer_sign_dialog(qtbot, DEMO_PASSWORD, seen)
    assert tab.save("pdf") is not None
    qtbot.waitUntil(lambda: tab.save_job is None, timeout=20_000)
    assert seen == [] and tab.saved is not None and target.is_file()
    assert written_entries() == ["liqiang"]
    report = verify_pdf_file(target, desk.keys.ca_certificate())
    assert report.ok
    assert [(check.field_name, check.signer_user) for check in report.signatures] == [
        ("author", "liqiang")]
    assert tab.preview_button.isVisible()


def test_a_refusal_from_the_worker_is_shown(qtbot, demo_desk, out_dir, monkeypatch):
    """The password changed between the check and the write (or any refusal in the worker):
    the error box, and no file."""
    page = open_page(qtbot, demo_desk, "liqiang")
    tab = report_tab_of(qtbot, page)
    target = out_dir / "service.pdf"
    monkeypatch.setattr(report_tab, "save_file_name", lambda *args, **kw: str(target))
    monkeypatch.setattr(SignDialog, "ask", staticmethod(lambda *args, **kw: ("wrong", None)))
    shown: list[str] = []
    monkeypatch.setattr(report_tab, "show_error", lambda parent, error: shown.append(str(error)))
    assert tab.save("pdf") is not None
    qtbot.waitUntil(lambda: tab.save_job is None, timeout=10_000)
    assert shown and "Nothing was written" in tab.status.text()
    assert not target.exists()
