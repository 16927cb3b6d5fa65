"""Preview, print, save and open PDF bytes (forms, signed exports).

Pages are rasterised by pdfium (``pypdfium2``). pdfium is not thread-safe, so every call into
it holds ``PDFIUM_LOCK``; the preview renders the pages that scroll into view in a worker
thread, and shows at most ``PREVIEW_PAGE_LIMIT`` pages. Printing paints the pdfium images at
the printer's resolution (capped at ``PRINT_DPI_CAP``), page by page, each page on paper of its
own orientation. ``print_pdf`` does no dialog, so tests print to a PDF file.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QObject,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import _
from desk_app.services.output import save_bytes
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.files import save_file_name

log = logging.getLogger(__name__)

PDFIUM_LOCK = threading.RLock()
PREVIEW_PAGE_LIMIT = 50
PRINT_DPI_CAP = 300
SCREEN_DPI = 96.0
PREVIEW_MAX_WIDTH = 820  # pixels; wider pages are scaled down to this
PAGE_GAP = 12

Progress = Callable[[int, int], bool]


class PdfPages:
    """An open pdfium document. Every method holds ``PDFIUM_LOCK``: any thread may call it."""

    def __init__(self, pdf: bytes) -> None:
        import pypdfium2 as pdfium

        with PDFIUM_LOCK:
            try:
                self._doc = pdfium.PdfDocument(pdf)
                self._doc.init_forms()  # else pdfium leaves signature appearances out
                self.count = len(self._doc)
            except pdfium.PdfiumError as error:
                raise ValidationError(_("This file is not a readable PDF."), field="file") from error
            self._sizes: dict[int, tuple[float, float]] = {}
            self.closed = False

    def size_points(self, index: int) -> tuple[float, float]:
        """Width and height of page ``index`` in points (1/72 inch)."""
        with PDFIUM_LOCK:
            if index not in self._sizes:
                page = self._doc[index]
                try:
                    self._sizes[index] = page.get_size()
                finally:
                    page.close()
            return self._sizes[index]

    def render(self, index: int, dpi: float) -> QImage:
        """Page ``index`` as an opaque image at ``dpi`` (an empty image once closed)."""
        with PDFIUM_LOCK:
            if self.closed:
                return QImage()
            page = self._doc[index]
            try:
                bitmap = page.render(scale=dpi / 72.0, prefer_bgrx=True, rev_byteorder=True)
                try:
                    image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height,
                                   bitmap.stride, QImage.Format.Format_RGBX8888).copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        dots_per_metre = round(dpi / 0.0254)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        return image

    def close(self) -> None:
        with PDFIUM_LOCK:
            if not self.closed:
                self.closed = True
                self._doc.close()


def print_pdf(pdf: bytes | PdfPages, printer: QPrinter, progress: Progress | None = None) -> int:
    """Paint the pages (or the printer's from/to range) onto ``printer``; the number printed.

    Each page is rendered at the printer's resolution (at most ``PRINT_DPI_CAP``), fitted to
    the paintable area and centred; the paper orientation follows the page. ``progress(done,
    total)`` returning False stops after the current page.
    """
    pages = pdf if isinstance(pdf, PdfPages) else PdfPages(pdf)
    try:
        first, last = 0, pages.count - 1
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = printer.fromPage() - 1
            last = min(last, max(first, printer.toPage() - 1))
        if pages.count == 0 or first > last:
            return 0
        dpi = min(printer.resolution(), PRINT_DPI_CAP)
        painter = QPainter()
        printed = 0
        total = last - first + 1
        for index in range(first, last + 1):
            width, height = pages.size_points(index)
            orientation = (QPageLayout.Orientation.Landscape if width > height
                           else QPageLayout.Orientation.Portrait)
            if printed == 0:
                printer.setPageOrientation(orientation)
                if not painter.begin(printer):
                    raise DeskError(_("The printer cannot be used."))
            else:
                printer.setPageOrientation(orientation)
                printer.newPage()
            image = pages.render(index, dpi)
            area = painter.viewport()
            target = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            rect = QRect(area.x() + (area.width() - target.width()) // 2,
                         area.y() + (area.height() - target.height()) // 2,
                         target.width(), target.height())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(rect, image)
            printed += 1
            if progress is not None and progress(printed, total) is False:
                break
        painter.end()
        return printed
    finally:
        if pages is not pdf:
            pages.close()


class _RenderSignals(QObject):
    rendered = Signal(int, QImage)


class _RenderJob(QRunnable):
    def __init__(self, pages: PdfPages, index: int, dpi: float) -> None:
        super().__init__()
        self.pages, self.index, self.dpi = pages, index, dpi
        self.signals = _RenderSignals()

    def run(self) -> None:
        try:
            image = self.pages.render(self.index, self.dpi)
        except Exception:
            log.exception("rendering page %s of a preview", self.index + 1)
            return
        if not image.isNull():
            self.signals.rendered.emit(self.index, image)


class PdfPreviewDialog(QDialog):
    """Page images of a PDF with Print…, Print preview…, Save as… and Open in PDF viewer."""

    page_rendered = Signal(int)

    def __init__(self, pdf: bytes, suggested_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdf_preview")
        self.pdf, self.suggested_name = pdf, suggested_name
        self.pages = PdfPages(pdf)  # ValidationError for a file that is not a PDF
        self.setWindowTitle(_("Preview – {name}").format(name=suggested_name))
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # pdfium runs one call at a time anyway
        self._jobs: dict[int, _RenderJob] = {}
        self.rendered_pages: set[int] = set()
        self.shown_count = min(self.pages.count, PREVIEW_PAGE_LIMIT)

        layout = QVBoxLayout(self)
        self.info_label = QLabel(_("{count} pages").format(count=self.pages.count)
                                 if self.pages.count != 1 else _("1 page"))
        self.info_label.setObjectName("pdf_info")
        self.limit_label = QLabel(_(
            "The preview shows the first {shown} of {count} pages. Print, save or open the "
            "PDF to see all of them.").format(shown=self.shown_count, count=self.pages.count))
        self.limit_label.setObjectName("pdf_limit")
        self.limit_label.setWordWrap(True)
        self.limit_label.setVisible(self.pages.count > self.shown_count)
        layout.addWidget(self.info_label)
        layout.addWidget(self.limit_label)

        self.pages_area = QScrollArea()
        self.pages_area.setObjectName("pdf_pages")
        self.pages_area.setWidgetResizable(True)
        self.pages_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages_area.setStyleSheet("QScrollArea#pdf_pages > QWidget > QWidget { background: #8a8f98; }")
        sheet = QWidget()
        sheet_layout = QVBoxLayout(sheet)
        sheet_layout.setSpacing(PAGE_GAP)
        sheet_layout.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        self.page_labels: list[QLabel] = []
        self._scales: list[float] = []
        for index in range(self.shown_count):
            width, height = self.pages.size_points(index)
            scale = min(SCREEN_DPI / 72.0, PREVIEW_MAX_WIDTH / width)
            label = QLabel(_("Page {number}").format(number=index + 1))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setFixedSize(QSize(round(width * scale), round(height * scale)))
            label.setStyleSheet("background: white; color: #999;")
            label.setFrameShape(QFrame.Shape.NoFrame)
            sheet_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
            self._scales.append(scale)
        sheet_layout.addStretch(1)
        self.pages_area.setWidget(sheet)
        layout.addWidget(self.pages_area, 1)

        self.print_button = QPushButton(_("&Print…"))
        self.preview_button = QPushButton(_("Print pre&view…"))
        self.save_button = QPushButton(_("&Save as…"))
        self.open_button = QPushButton(_("&Open in PDF viewer"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        for button in (self.print_button, self.preview_button, self.save_button, self.open_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.print_button.clicked.connect(self.print_dialog)
        self.preview_button.clicked.connect(self.print_preview)
        self.save_button.clicked.connect(self.save_as)
        self.open_button.clicked.connect(self.open_external)

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(30)
        self._render_timer.timeout.connect(self.render_visible)
        self.pages_area.verticalScrollBar().valueChanged.connect(self._schedule_render)
        self.pages_area.horizontalScrollBar().valueChanged.connect(self._schedule_render)
        widest = max((label.width() for label in self.page_labels), default=400)
        self.resize(min(widest + 2 * PAGE_GAP + 40, 1200), 760)

    # ------------------------------------------------------------ lazy rendering

    def _schedule_render(self, *_args) -> None:
        self._render_timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._schedule_render()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._schedule_render()

    def visible_pages(self) -> list[int]:
        """Pages within the viewport, or within one viewport height of it."""
        viewport = self.pages_area.viewport()
        top = self.pages_area.verticalScrollBar().value()
        height = viewport.height()
        low, high = top - height, top + 2 * height
        return [index for index, label in enumerate(self.page_labels)
                if label.y() + label.height() >= low and label.y() <= high]

    def render_visible(self) -> None:
        if self.pages.closed:
            return
        ratio = self.devicePixelRatioF()
        for index in self.visible_pages():
            if index in self.rendered_pages or index in self._jobs:
                continue
            job = _RenderJob(self.pages, index, self._scales[index] * 72.0 * ratio)
            job.signals.rendered.connect(self._page_ready)
            self._jobs[index] = job
            self.pool.start(job)

    def _page_ready(self, index: int, image: QImage) -> None:
        self._jobs.pop(index, None)
        if index >= len(self.page_labels) or self.pages.closed:
            return
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.page_labels[index].setPixmap(pixmap)
        self.rendered_pages.add(index)
        self.page_rendered.emit(index)

    def done(self, result: int) -> None:
        self._render_timer.stop()
        self.pool.clear()
        self.pool.waitForDone()
        super().done(result)

    def closeEvent(self, event) -> None:
        super().closeEvent(event)
        self.pool.clear()
        self.pool.waitForDone()

    # ------------------------------------------------------------ actions

    def print_to(self, printer: QPrinter) -> int:
        """Print with a progress dialog for long documents; the number of pages printed."""
        progress = QProgressDialog(_("Printing…"), _("Cancel"), 0, self.pages.count, self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(600)

        def step(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            return not progress.wasCanceled()

        try:
            return print_pdf(self.pages, printer, step)
        except DeskError as error:
            show_error(self, error)
            return 0
        finally:
            progress.close()
            progress.deleteLater()

    def print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, max(1, self.pages.count))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_preview(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle(_("Print preview – {name}").format(name=self.suggested_name))
        dialog.paintRequested.connect(lambda target: print_pdf(self.pages, target))
        dialog.exec()
        dialog.deleteLater()

    def save_as(self) -> None:
        path = save_file_name(self, _("Save PDF"), "pdf", self.suggested_name,
                              _("PDF files (*.pdf)"))
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:  # the file dialog asked before replacing; never over the open database
            save_bytes(path, self.pdf, force=True)
        except DeskError as error:
            show_error(self, error)
            return False
        return True

    def write_temp_copy(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="desk_app-"))
        path = folder / (Path(self.suggested_name).name or "document.pdf")
        path.write_bytes(self.pdf)
        return path

    def open_external(self) -> None:
        try:
            path = self.write_temp_copy()
        except OSError as error:
            show_error(self, ValidationError(_("Cannot write a temporary copy: {reason}").format(
                reason=error.strerror or error)))
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            show_error(self, ValidationError(_(
                "No PDF viewer could be started. The file is at {path}.").format(path=path)))


def show_pdf(parent: QWidget | None, pdf: bytes, suggested_name: str) -> PdfPreviewDialog | None:
    """Show ``pdf`` in a non-blocking preview dialog (``None`` and an error box if unreadable)."""
    try:
        dialog = PdfPreviewDialog(pdf, suggested_name, parent)
    except DeskError as error:
        show_error(parent, error)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.finished.connect(lambda *_args: dialog.pages.close())
    dialog.show()
    return dialog
