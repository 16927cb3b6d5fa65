"""The one Export… dialog (R16) for every register: CSV, XLSX and signed PDF of items, loans and
the audit trail; checks before signing, "replace?", a refused password, cancel, the pages'
buttons."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from desk_app.store.models import AuditEntry
from desk_app.ui.widgets import export_dialog as export_module
from desk_app.ui.widgets.export_dialog import ExportDialog
from tests.gui.conftest import DEMO_PASSWORD, assert_register_rows, assert_signed_export, sign_in, xlsx_rows
from tests.gui.test_signing_gui import LOOP, ZIGZAG, _event_loops_run, draw  # noqa: F401

REGISTERS = ("items", "loans", "audit")
WAIT = 60_000


@pytest.fixture
def auditor(demo_desk):
    return sign_in(demo_desk, "chenjing")  # may export every register


def open_dialog(qtbot, desk, actor, register: str) -> ExportDialog:
    """The dialog over a window of its own (the window a result box stays on)."""
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    dialog = ExportDialog(desk, actor, register)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def fill(dialog: ExportDialog, fmt: str, out: Path) -> None:
    """The whole demo period, ``fmt``, ``out``."""
    dialog.since_edit.set_value(date(2019, 1, 1))
    dialog.until_edit.set_value(date(2030, 12, 31))
    dialog.set_format(fmt)
    dialog.path_edit.setText(str(out))


def export(qtbot, dialog: ExportDialog, fmt: str, out: Path):
    """Fill in and export without a signature; the ExportResult (None if none was written)."""
    fill(dialog, fmt, out)
    with qtbot.waitSignal(dialog.done, timeout=WAIT) as blocker:
        dialog.ok_button.click()
    return blocker.args[0]


def sign(qtbot, dialog: ExportDialog, password: str = DEMO_PASSWORD):
    """Sign in the signature dialog the PDF export opened; the ExportResult or None."""
    signing = dialog.sign_dialog
    assert signing is not None
    qtbot.waitExposed(signing)
    signing.password_edit.setText(password)
    if signing.pad.is_empty():
        draw(qtbot, signing.pad, ZIGZAG)
        draw(qtbot, signing.pad, LOOP)
    with qtbot.waitSignal(dialog.done, timeout=WAIT) as blocker:
        signing.ok_button.click()
    return blocker.args[0]


def _exports(register: str) -> int:
    return AuditEntry.select().where(AuditEntry.action == f"export.{register}").count()


def _result_text(dialog: ExportDialog) -> str:
    box = dialog.result_box
    assert box is not None and box.isVisible()
    text = box.text()
    box.accept()
    return text


# ------------------------------------------------------------------ every register, every format


@pytest.mark.parametrize("register", REGISTERS)
def test_csv_of_each_register(qtbot, demo_desk, auditor, out_dir, register):
    dialog = open_dialog(qtbot, demo_desk, auditor, register)
    out = out_dir / f"{register}.csv"
    result = export(qtbot, dialog, "csv", out)
    assert result is not None and result.path == out and result.rows > 0
    assert dialog.sign_dialog is None  # a CSV is not signed
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert_register_rows(demo_desk, register, rows, result)
    assert not dialog.isVisible() and _exports(register) == 1
    title = dict(demo_desk.exports.registers(auditor))[register]
    assert _result_text(dialog) == f"Exported {result.rows} rows of “{title}” to {out}."


@pytest.mark.parametrize("register", REGISTERS)
def test_xlsx_of_each_register(qtbot, demo_desk, auditor, out_dir, register):
    dialog = open_dialog(qtbot, demo_desk, auditor, register)
    out = out_dir / f"{register}.xlsx"
    result = export(qtbot, dialog, "xlsx", out)
    assert result is not None and result.rows > 0
    rows = xlsx_rows(out)
    assert_register_rows(demo_desk, register, rows, result)
    assert dialog.preview_button is None  # a preview only for a PDF
    _result_text(dialog)


def _pdfsig(path: Path) -> str:
    if shutil.which("pdfsig") is None:  # `make test` installs it; a skip would hide the check
        pytest.fail("pdfsig is missing: install poppler-utils (scripts/system-deps.sh test)")
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60,
                          check=False)
    return done.stdout + done.stderr


@pytest.mark.parametrize("register", REGISTERS)
def test_signed_pdf_of_each_register(qtbot, demo_desk, auditor, out_dir, register):
    dialog = open_dialog(qtbot, demo_desk, auditor, register)
    out = out_dir / f"{register}.pdf"
    fill(dialog, "pdf", out)
    dialog.ok_button.click()
    assert dialog.sign_dialog.signer_label.text() == "陈静 · Auditor"
    result = sign(qtbot, dialog)
    assert result is not None and result.path == out and result.rows > 0

    assert_signed_export(demo_desk, out, "chenjing")
    assert _pdfsig(out).count("Signature is Valid.") == 1
    assert _exports(register) == 1

    box = dialog.result_box
    assert result.head_hash in box.informativeText()
    dialog.preview_button.click()
    preview = dialog.preview_dialog
    assert preview is not None
    qtbot.waitUntil(lambda: 0 in preview.rendered_pages, timeout=10_000)
    preview.close()


# ------------------------------------------------------------------ the form


@pytest.mark.parametrize("register", REGISTERS)
def test_defaults_formats_and_the_extension(qtbot, demo_desk, auditor, register):
    dialog = open_dialog(qtbot, demo_desk, auditor, register)
    day = demo_desk.today()  # the standard clock's day (R8), not the PC's
    assert dialog.since_edit.value() == day.replace(day=1)
    assert dialog.until_edit.value() == day
    assert dialog.until_edit.line_edit.text() == day.isoformat()
    path = Path(dialog.path_edit.text())
    assert path.name == f"{register}-{day:%Y%m%d}.pdf"
    offered = [dialog.format_combo.itemData(n) for n in range(dialog.format_combo.count())]
    assert offered == [fmt for fmt in ("pdf", "xlsx", "csv")
                       if fmt in demo_desk.exports.formats(register)]
    dialog.set_format("xlsx")
    assert Path(dialog.path_edit.text()) == path.with_suffix(".xlsx")
    dialog.path_edit.setText(str(path.with_name("mine.txt")))  # the user's own: kept
    dialog.set_format("csv")
    assert Path(dialog.path_edit.text()).name == "mine.txt"
    dialog.reject()


def test_reversed_dates_are_refused(qtbot, demo_desk, auditor, out_dir):
    dialog = open_dialog(qtbot, demo_desk, auditor, "loans")
    fill(dialog, "csv", out_dir / "loans.csv")
    dialog.since_edit.set_value(date(2026, 2, 1))
    dialog.until_edit.set_value(date(2026, 1, 1))
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.job is None
    assert dialog.errors["from"].text() == "The start date is after the end date."
    assert not list(out_dir.iterdir())


def test_a_missing_folder_is_refused_before_signing(qtbot, demo_desk, auditor, out_dir):
    dialog = open_dialog(qtbot, demo_desk, auditor, "items")
    missing = out_dir / "no such folder"
    fill(dialog, "pdf", missing / "items.pdf")
    dialog.ok_button.click()
    assert dialog.sign_dialog is None and dialog.job is None and dialog.isVisible()
    assert dialog.errors["out"].text() == f"The folder {missing} does not exist."
    assert not missing.exists() and _exports("items") == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_a_read_only_folder_is_refused_before_signing(qtbot, demo_desk, auditor, out_dir):
    locked = out_dir / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        dialog = open_dialog(qtbot, demo_desk, auditor, "items")
        fill(dialog, "pdf", locked / "items.pdf")
        dialog.ok_button.click()
        assert dialog.sign_dialog is None and dialog.isVisible()
        assert dialog.errors["out"].text() == f"Cannot write to {locked}."
    finally:
        locked.chmod(0o700)
    assert not list(locked.iterdir()) and _exports("items") == 0


def test_the_database_is_refused_before_signing(qtbot, demo_desk, auditor):
    database = demo_desk.ctx.url.path
    size = database.stat().st_size
    dialog = open_dialog(qtbot, demo_desk, auditor, "items")
    fill(dialog, "pdf", database)
    dialog.ok_button.click()
    assert dialog.sign_dialog is None and dialog.job is None and dialog.isVisible()
    assert "is the open database" in dialog.errors["out"].text()
    assert dialog.path_edit.text() == str(database)
    assert database.stat().st_size >= size and _exports("items") == 0


def test_an_existing_file_is_replaced_only_when_the_user_says_so(qtbot, demo_desk, auditor,
                                                                  out_dir, monkeypatch):
    out = out_dir / "loans.pdf"
    out.write_text("keep me")
    answers = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: answers.pop(0))
    dialog = open_dialog(qtbot, demo_desk, auditor, "loans")
    fill(dialog, "pdf", out)
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.sign_dialog is None  # asked before signing
    assert "exists already" in dialog.errors["out"].text() and out.read_text() == "keep me"
    answers.append(QMessageBox.StandardButton.Yes)
    dialog.ok_button.click()
    assert sign(qtbot, dialog) is not None and out.read_bytes().startswith(b"%PDF")
    _result_text(dialog)


# ------------------------------------------------------------------ when it goes wrong


def test_a_wrong_password_writes_nothing_and_keeps_the_signature(qtbot, demo_desk, auditor,
                                                                 out_dir):
    """Sign checks the password before the export starts: a wrong one stays in the signature
    dialog (message at the field, drawing kept); no job ran, nothing was written."""
    dialog = open_dialog(qtbot, demo_desk, auditor, "audit")
    out = out_dir / "audit.pdf"
    fill(dialog, "pdf", out)
    dialog.ok_button.click()
    signing = dialog.sign_dialog
    assert signing is not None
    qtbot.waitExposed(signing)
    draw(qtbot, signing.pad, ZIGZAG)
    drawn = signing.pad.signature_png()
    signing.password_edit.setText("not-the-password")
    signing.ok_button.click()
    assert signing.isVisible() and dialog.isVisible() and dialog.job is None
    assert not list(out_dir.iterdir()) and _exports("audit") == 0
    assert signing.password_error.text().startswith("Wrong password")
    assert signing.password_edit.text() == "" and signing.focusWidget() is signing.password_edit
    assert signing.pad.signature_png() == drawn
    assert dialog.path_edit.text() == str(out)
    assert sign(qtbot, dialog) is not None and out.exists() and _exports("audit") == 1
    _result_text(dialog)


def test_a_refusal_of_the_service_shows_at_the_file(qtbot, demo_desk, auditor,
                                                    monkeypatch):
    """Whatever the dialog's check misses, the export refuses (here: the database file itself
    as the target); the dialog stays with the message at the file and the path typed."""
    monkeypatch.setattr(ExportDialog, "check", lambda self, since, until, fmt, out,
                        password=None, force=False: Path(out))
    database = demo_desk.ctx.url.path
    size = database.stat().st_size
    dialog = open_dialog(qtbot, demo_desk, auditor, "items")
    assert export(qtbot, dialog, "csv", database) is None
    assert dialog.isVisible() and "is the open database" in dialog.errors["out"].text()
    assert dialog.path_edit.text() == str(database)
    assert database.stat().st_size >= size and _exports("items") == 0


def test_cancel_mid_way_leaves_no_file(qtbot, demo_desk, auditor, out_dir, monkeypatch):
    AuditEntry.insert_many([
        {"seq": 100_000 + index, "at": "2020-01-01T00:00:00.000000Z", "actor": "x",
         "action": "bulk", "entity": "", "entity_id": "", "change": "{}", "prev_hash": "",
         "hash": ""} for index in range(3000)]).execute()

    class CancelledAtFirstProgress(export_module.Job):
        """As if Cancel was clicked when the first progress report arrives (no race)."""

        def __init__(self, work, **kwargs) -> None:
            def cancelling(progress):
                def first(done: int, total: int) -> bool:
                    self.cancel()
                    return progress(done, total)

                return work(first)

            super().__init__(cancelling, **kwargs)

    monkeypatch.setattr(export_module, "Job", CancelledAtFirstProgress)
    dialog = open_dialog(qtbot, demo_desk, auditor, "audit")
    out = out_dir / "audit.csv"  # (an XLSX cancelled half-way: openpyxl complains when collected)
    assert export(qtbot, dialog, "csv", out) is None
    assert not list(out_dir.iterdir()) and _exports("audit") == 0
    assert dialog.isVisible() and dialog.job is None and dialog.ok_button.isEnabled()
    assert dialog.general_error.text() == "Export cancelled: no file was written."
    assert dialog.path_edit.text() == str(out) and dialog.current_format() == "csv"


# ------------------------------------------------------------------ the pages' buttons


def test_the_pages_offer_export_to_those_who_may(qtbot, demo_desk, auditor):
    from desk_app.ui.archive.page import ArchivePage
    from desk_app.ui.audit.page import AuditPage
    from desk_app.ui.loans.page import LoansPage

    clerk = sign_in(demo_desk, "wangfang")
    for page_class, register in ((ArchivePage, "items"), (LoansPage, "loans"), (AuditPage, "audit")):
        page = page_class(demo_desk, auditor)
        qtbot.addWidget(page)
        button = page.findChild(QWidget, "export_button")
        assert button is page.export_button and not button.isHidden(), register
        assert button.register == register
        if page_class is not AuditPage:  # a clerk never sees the Audit page
            other = page_class(demo_desk, clerk)
            qtbot.addWidget(other)
            assert other.export_button.isHidden(), register


def test_the_audit_page_refreshes_after_its_export(qtbot, demo_desk, auditor, out_dir):
    from desk_app.ui.audit.page import AuditPage

    page = AuditPage(demo_desk, auditor)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    before = page.model.rowCount()
    page.export_button.click()
    dialog = page.export_button.dialog
    qtbot.waitExposed(dialog)
    assert dialog.parentWidget() is page.window()
    with qtbot.waitSignal(page.export_button.exported, timeout=WAIT):
        fill(dialog, "csv", out_dir / "audit.csv")
        dialog.ok_button.click()
    assert page.model.rowCount() == before + 1  # the export is an audit entry
    _result_text(dialog)
    page.export_button.click()  # the next export starts from what was typed last
    assert page.export_button.dialog is dialog and dialog.current_format() == "csv"
    dialog.reject()
