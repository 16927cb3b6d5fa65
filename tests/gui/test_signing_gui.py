"""Signing in the GUI (R15/R16): the signature pad, the sign dialog, PDF preview and printing,
and the signed-PDF verify report (exports: test_export_dialog.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox

from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.forms.render import render
from desk_app.forms.spec import FormSpec
from desk_app.ui.audit.page import AuditPage
from desk_app.ui.widgets.pdf_view import PREVIEW_PAGE_LIMIT, PdfPages, PdfPreviewDialog, print_pdf
from desk_app.ui.widgets.sign_dialog import SignDialog
from desk_app.ui.widgets.signature_pad import SignaturePad
from tests.gui.conftest import DEMO_PASSWORD, shown, sign_in

ZIGZAG = [(20 + 18 * step, 40 if step % 2 else 95) for step in range(16)]
LOOP = [(60, 60), (80, 45), (110, 50), (120, 80), (95, 105), (70, 95), (65, 70)]


@pytest.fixture(autouse=True)
def _event_loops_run(qapp) -> None:
    """``QApplication.exit()`` called while no event loop runs (``Session.quit`` in
    test_login's session test) makes every later ``QEventLoop.exec()`` — waitSignal,
    ``QDialog.exec`` — return at once. One turn of ``app.exec()`` clears that state."""
    QTimer.singleShot(0, qapp.quit)
    qapp.exec()


def draw(qtbot, pad: SignaturePad, points) -> None:
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
    for point in points[1:]:
        qtbot.mouseMove(pad, QPoint(*point))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))


@pytest.fixture
def pad(qtbot) -> SignaturePad:
    widget = SignaturePad()
    qtbot.addWidget(widget)
    widget.resize(480, 180)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _open_boxes(parent) -> list[QMessageBox]:
    return [box for box in parent.findChildren(QMessageBox) if box.isVisible()]


# ------------------------------------------------------------------ pad


def test_pad_draws_strokes_into_a_transparent_print_resolution_png(qtbot, pad):
    draw(qtbot, pad, ZIGZAG)
    draw(qtbot, pad, LOOP)
    assert len(pad.strokes) == 2 and not pad.is_empty()
    assert len(pad.strokes[0]) == len(ZIGZAG)

    png = pad.signature_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = QImage.fromData(png)
    assert image.hasAlphaChannel()
    ink = pad.ink_rect()
    scale = 300 / pad.logicalDpiX()
    assert image.width() == pytest.approx(ink.width() * scale, abs=20)  # cropped to the ink
    assert image.height() == pytest.approx(ink.height() * scale, abs=20)
    assert round(image.dotsPerMeterX() * 0.0254) == 300
    assert image.pixelColor(0, 0).alpha() == 0  # transparent background
    alphas = [image.pixelColor(x, y).alpha()
              for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)]
    inked = sum(1 for alpha in alphas if alpha > 128)
    assert 0.01 < inked / len(alphas) < 0.5

    assert len(QImage.fromData(pad.to_png(dpi=150)).bits()) < len(image.bits())


def test_empty_and_one_dot_pads_are_refused(qtbot, pad):
    with pytest.raises(ValidationError) as empty:
        pad.signature_png()
    assert (str(empty.value), empty.value.field) == ("Please sign in the box.", "signature")

    qtbot.mouseClick(pad, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))  # a dot
    assert len(pad.strokes) == 1
    with pytest.raises(ValidationError):
        pad.signature_png()
    assert pad.to_png()  # the raw image exists; it is just not accepted as a signature

    pad.clear()
    draw(qtbot, pad, [(200 + i, 100 + (i % 3)) for i in range(12)])  # a tiny tick, < 5 mm
    with pytest.raises(ValidationError):
        pad.signature_png()
    draw(qtbot, pad, ZIGZAG)
    assert pad.signature_png()


def test_undo_clear_and_keyboard(qtbot, pad):
    changes = []
    pad.changed.connect(lambda: changes.append(len(pad.strokes)))
    draw(qtbot, pad, ZIGZAG)
    draw(qtbot, pad, LOOP)
    pad.undo_stroke()
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) == len(ZIGZAG)
    draw(qtbot, pad, LOOP)
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(pad.strokes) == 1
    qtbot.keyClick(pad, Qt.Key.Key_Delete)
    assert pad.is_empty()
    pad.undo_stroke()  # nothing left: no error, no change signal
    assert changes == [1, 2, 1, 2, 1, 0]


# ------------------------------------------------------------------ sign dialog


def test_sign_dialog_refuses_an_empty_pad_and_accepts_a_drawn_one(qtbot):
    dialog = SignDialog("王芳 · Clerk", "Sign the loan slip LN-0001.")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.signer_label.text() == "王芳 · Clerk"
    assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
    assert not dialog.clear_button.isEnabled()

    dialog.ok_button.click()  # no password
    assert dialog.isVisible() and dialog.password_error.text() == "Please enter your password."
    dialog.password_edit.setText(DEMO_PASSWORD)
    dialog.ok_button.click()  # empty pad
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.pad_error.isVisibleTo(dialog)
    assert dialog.pad_error.text() == "Please sign in the box."

    draw(qtbot, dialog.pad, ZIGZAG)
    assert dialog.clear_button.isEnabled() and not dialog.pad_error.isVisibleTo(dialog)
    dialog.clear_button.click()
    assert dialog.pad.is_empty()
    draw(qtbot, dialog.pad, ZIGZAG)
    draw(qtbot, dialog.pad, LOOP)
    dialog.undo_button.click()
    assert len(dialog.pad.strokes) == 1
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.password == DEMO_PASSWORD
    assert dialog.handwriting_png and dialog.handwriting_png.startswith(b"\x89PNG")


def _open_sign_dialog() -> SignDialog:
    dialogs = [widget for widget in QApplication.topLevelWidgets()
               if isinstance(widget, SignDialog) and widget.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_sign_dialog_ask_without_pad(qtbot):
    def answer() -> None:
        dialog = _open_sign_dialog()
        assert not dialog.pad.isVisibleTo(dialog)
        dialog.password_edit.setText("secret")
        dialog.accept()

    QTimer.singleShot(0, answer)
    assert SignDialog.ask(None, "陈静 · Auditor", "Confirm.", need_pad=False) == ("secret", None)

    QTimer.singleShot(0, lambda: _open_sign_dialog().reject())
    assert SignDialog.ask(None, "陈静 · Auditor", "Confirm.") is None


def test_a_refused_password_asks_again_and_keeps_the_drawing(qtbot):
    """Issue 8: after a wrong password the same dialog comes back with the handwriting."""
    tries: list[tuple[str, bytes | None]] = []
    drawn: list[bytes] = []

    def attempt(password: str, handwriting: bytes | None) -> str:
        tries.append((password, handwriting))
        if password != "right":
            raise AuthenticationFailed("Wrong password. After repeated failures, wait a few minutes.")
        return "signed"

    def first() -> None:
        dialog = _open_sign_dialog()
        draw(qtbot, dialog.pad, ZIGZAG)
        drawn.append(dialog.pad.signature_png())
        dialog.password_edit.setText("wrong")
        QTimer.singleShot(0, second)
        dialog.accept()

    def second() -> None:
        dialog = _open_sign_dialog()
        assert dialog.password_error.text().startswith("Wrong password")
        assert dialog.password_edit.text() == "" and dialog.pad.signature_png() == drawn[0]
        dialog.password_edit.setText("right")
        dialog.accept()

    QTimer.singleShot(0, first)
    assert SignDialog.ask_and_sign(None, "王芳 · Clerk", "Sign.", attempt) == "signed"
    assert [password for password, _png in tries] == ["wrong", "right"]
    assert tries[0][1] == tries[1][1] == drawn[0]


def test_a_checked_wrong_password_is_refused_at_the_field_keeping_the_drawing(
        qtbot, demo_desk, clerk_actor):
    """Issue 14: with ``check`` (a flow that signs later, in a job) Sign checks the password
    first; a wrong one stays in the dialog: message under the field, focus there, drawing
    kept. The field says "Your password", not the signing key's."""
    from PySide6.QtWidgets import QLabel as Label

    from desk_app.services.audit import AuditFilter

    auditor = sign_in(demo_desk, "chenjing")
    dialog = SignDialog("王芳 · Clerk", "Sign.", check=lambda password:
                        demo_desk.keys.check_signing_password(clerk_actor, password))
    shown(qtbot, dialog)
    labels = [label.text() for label in dialog.findChildren(Label)]
    assert "Your &password:" in labels
    assert not any("signing key password" in text.lower() for text in labels)
    draw(qtbot, dialog.pad, ZIGZAG)
    drawn = dialog.pad.signature_png()
    dialog.password_edit.setText("wrong-one")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.password_error.isVisibleTo(dialog)
    assert dialog.password_error.text().startswith("Wrong password")
    assert dialog.password_edit.text() == "" and dialog.focusWidget() is dialog.password_edit
    assert not dialog.pad.is_empty() and dialog.pad.signature_png() == drawn
    last = demo_desk.audit.page(auditor, AuditFilter(), 0, 1)[0]
    assert last["action"] == "auth.sign_failed"

    dialog.password_edit.setText(DEMO_PASSWORD)
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.password == DEMO_PASSWORD and dialog.handwriting_png == drawn


# ------------------------------------------------------------------ PDF preview and print


def _many_pages(rows: int) -> bytes:
    spec = FormSpec("示例物业", "Test", "T-0001", datetime(2026, 11, 2, 1, 30), landscape=True)
    spec.rows(["No.", "Text"], ([str(index), f"行 {index}"] for index in range(rows)), total=rows)
    return render(spec)


def test_print_pdf_paints_every_page_at_printer_resolution(qtbot, tmp_path):
    pdf = _many_pages(120)
    pages = PdfPages(pdf)
    count = pages.count
    pages.close()
    assert count > 1
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_pdf(pdf, printer) == count
    printed = PdfPages((tmp_path / "printed.pdf").read_bytes())
    try:
        assert printed.count == count
        width, height = printed.size_points(0)
        assert width > height  # the paper follows the landscape pages
    finally:
        printed.close()


def test_preview_renders_visible_pages_lazily_and_caps_the_page_count(qtbot, tmp_path):
    pdf = _many_pages(2200)
    dialog = PdfPreviewDialog(pdf, "many.pdf")
    qtbot.addWidget(dialog)
    assert dialog.pages.count > PREVIEW_PAGE_LIMIT
    assert len(dialog.page_labels) == PREVIEW_PAGE_LIMIT
    assert dialog.limit_label.isVisibleTo(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: 0 in dialog.rendered_pages, timeout=10_000)
    assert len(dialog.rendered_pages) < PREVIEW_PAGE_LIMIT  # not everything at once
    assert not dialog.page_labels[0].pixmap().isNull()
    assert dialog.save_to(tmp_path / "copy.pdf") and (tmp_path / "copy.pdf").read_bytes() == pdf
    assert dialog.write_temp_copy().read_bytes() == pdf
    dialog.close()


def test_preview_refuses_what_is_not_a_pdf():
    with pytest.raises(ValidationError):
        PdfPages(b"just text")


# ------------------------------------------------------------------ the Audit page


@pytest.fixture
def auditor(demo_desk):
    return sign_in(demo_desk, "chenjing")


@pytest.fixture
def page(qtbot, demo_desk, auditor) -> AuditPage:
    return shown(qtbot, AuditPage(demo_desk, auditor))


# ------------------------------------------------------------------ verify a signed PDF


@pytest.fixture
def signed_pdf(demo_desk, auditor, tmp_path) -> Path:
    out = tmp_path / "signed.pdf"
    demo_desk.exports.export(auditor, "audit", None, None, "pdf", out, password=DEMO_PASSWORD)
    return out


def test_verify_pdf_report_for_a_good_file(qtbot, page, signed_pdf):
    with qtbot.waitSignal(page.pdf_verified, timeout=10_000) as blocker:
        page.verify_pdf(signed_pdf)
    assert blocker.args[0].ok
    dialog = page.report_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.verdict_label.text() == "Valid: every signature intact, trusted and unmodified"
    assert len(dialog.signature_groups) == 1
    texts = [label.text() for label in dialog.signature_groups[0].findChildren(QLabel)]
    assert "陈静 (user chenjing)" in texts and texts.count("Yes") == 2 and texts.count("No") == 1
    assert page.verify_pdf_button.isEnabled()
    dialog.close()


def test_verify_pdf_report_for_a_tampered_file(qtbot, page, signed_pdf):
    data = bytearray(signed_pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    signed_pdf.write_bytes(bytes(data))
    with qtbot.waitSignal(page.pdf_verified, timeout=10_000) as blocker:
        page.verify_pdf(signed_pdf)
    assert not blocker.args[0].ok
    assert page.report_dialog.verdict_label.text().startswith("NOT valid")
    # Changed after signing — and still signed with this office's certificate, in words.
    group = page.report_dialog.signature_groups[0]
    assert group.title() == "Signature 1: Exported by"
    form = group.layout()
    answers = {form.labelForField(form.itemAt(row, form.ItemRole.FieldRole).widget()).text():
               form.itemAt(row, form.ItemRole.FieldRole).widget().text()
               for row in range(form.rowCount())}
    assert answers["Signed as:"] == "Auditor"
    assert answers["Certificate issued by this office:"] == "Yes"
    assert answers["Intact (no byte changed):"] == "No"
    assert answers["Problem:"].startswith("The document was changed after it was signed")
    page.report_dialog.close()


def test_verify_pdf_refuses_what_is_not_a_pdf(qtbot, page, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("not a PDF at all")
    with qtbot.waitSignal(page.pdf_verified, timeout=10_000) as blocker:
        page.verify_pdf(path)
    assert blocker.args == [None]
    boxes = _open_boxes(page)
    assert len(boxes) == 1 and boxes[0].windowTitle() == "Please check your input"
    boxes[0].accept()
    assert page.report_dialog is None


def test_verify_pdf_report_names_a_revocation_after_the_signature(qtbot, page, demo_desk,
                                                                  signed_pdf):
    from datetime import UTC, datetime, timedelta

    demo_desk.ctx.clock._now = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
    demo_desk.users.reset_password(sign_in(demo_desk, "admin"), "chenjing", "brand-new-pass-1")
    with qtbot.waitSignal(page.pdf_verified, timeout=10_000) as blocker:
        page.verify_pdf(signed_pdf)
    report = blocker.args[0]
    assert report.ok and report.signatures[0].revoked_at is not None
    texts = [label.text() for label in page.report_dialog.signature_groups[0].findChildren(QLabel)]
    assert "Certificate revoked:" in texts
    page.report_dialog.close()
