"""The Reception page's *Service report* tab (issue 18): a month's figures per agent and for
the whole desk, the trend against the month before, the report's charts and the complaints by
cause; *Save PDF…* (signed) and *Save XLSX…* write the report as a file.

Reading a month means reading six months of entries and drawing five charts (about half a
second on the demo, more on a busy desk), so a load runs in a worker (``Job``): the service's
``report`` and ``charts``, and each chart's one-page PDF rasterised to a QImage there
(``PdfPages`` holds pdfium's lock, so any thread may call it). The GUI thread only makes the
pixmaps and rescales them when the width changes — nothing is drawn again. A newer load
cancels the one still running and its result is dropped. The tab reads the month when it is
first shown, when the month changes and on *Refresh*; the page's refresh (after every form)
does not read it again.

The charts are the very drawings the signed PDF holds (``services/reception/service_report``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import DeskError
from desk_app.domain.service_report import NEUTRAL, ServiceReport, month_text
from desk_app.domain.service_report_tables import (
    agent_header,
    agent_rows,
    cause_rows,
    definitions,
    previous_month_label,
    trend_header,
    trend_rows,
)
from desk_app.i18n import _
from desk_app.ui.errors import replacing, show_error
from desk_app.ui.reception.common import Host
from desk_app.ui.reception.report_table import ReportTable
from desk_app.ui.widgets.export_dialog import format_choices, signer_label
from desk_app.ui.widgets.fields import heading_label
from desk_app.ui.widgets.files import save_file_name
from desk_app.ui.widgets.jobs import Job, Progress

MONTHS_OFFERED = 24
CHART_WIDTH = 520.0  # points: drawn by the same code as the PDF's (373 there, two to a row)
CHART_MAX_PX = 900  # a chart is never shown wider (its text would grow past the tables')
CHART_MIN_PX = 520  # two charts side by side once each can be this wide (their text readable)
GAP = 12
BETTER = (QColor("#dcf1dc"), QColor("#1b5e20"))  # background, text
WORSE = (QColor("#fbd9d9"), QColor("#8b0000"))
FILE_KIND = "export"  # the folder remembered for the file dialog: the exports'

Chart = tuple[str, str, QImage]  # key, title, the drawing rasterised


def months_offered(year: int, month: int, count: int = MONTHS_OFFERED) -> list[tuple[int, int]]:
    """``count`` months ending with (year, month), newest first."""
    index = year * 12 + month - 1
    return [((index - n) // 12, (index - n) % 12 + 1) for n in range(count)]


class _ViewportWatch(QObject):
    """Calls ``resized()`` when the scroll area's viewport changes size."""

    def __init__(self, resized: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.resized = resized

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.resized()
        return False


class ServiceReportTab(QWidget):
    """See the module doc. ``report`` and ``charts``: the month shown; ``load_job`` and
    ``save_job``: the work running; ``saved``: the last file written (``Published``)."""

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setObjectName("service_report_tab")
        self.report: ServiceReport | None = None
        self.charts: list[Chart] = []
        self.chart_pixmaps: list[QPixmap] = []
        self.chart_labels: list[QLabel] = []
        self.chart_columns = 0
        self.chart_target = 0.0  # the width (device pixels) the charts are scaled to
        self.load_job: Job | None = None
        self.save_job: Job | None = None
        self.loads = 0  # numbers each load; a result of an older one is dropped
        self.loaded_month: tuple[int, int] | None = None
        self.saved: Any = None
        self.saved_text = ""  # said again once a month is read: the Preview button's file

        self.month_combo = QComboBox()
        self.month_combo.setObjectName("report_month")
        today = host.desk.today()
        for number, (year, month) in enumerate(months_offered(today.year, today.month)):
            text = month_text(year, month)
            self.month_combo.addItem(_("{month} (not ended yet)").format(month=text)
                                     if number == 0 else text, (year, month))
        self.month_combo.setCurrentIndex(1)  # the last month that has ended
        month_label = QLabel(_("&Month:"))
        month_label.setBuddy(self.month_combo)
        self.refresh_button = self._button("refresh_report", _("&Refresh"),
                                           _("Read the month's figures again."), self.load)
        # the last file written (or what went wrong) beside the buttons: no line of its own
        # that would come and go, shifting the report
        self.status = QLabel()
        self.status.setObjectName("report_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_button = self._button("preview_report", _("Pre&view"),
                                           _("Show the PDF just written."), self.preview)
        self.preview_button.setVisible(False)
        self.pdf_button = self._button(
            "save_report_pdf", _("Save &PDF…"),
            _("Write the month's report with its charts as a PDF signed by you."),
            lambda: self.save("pdf"))
        self.xlsx_button = self._button("save_report_xlsx", _("Save &XLSX…"),
                                        _("Write the month's report as an Excel workbook."),
                                        lambda: self.save("xlsx"))
        top = QHBoxLayout()
        top.addWidget(month_label)
        top.addWidget(self.month_combo)
        top.addWidget(self.refresh_button)
        top.addSpacing(GAP)
        top.addWidget(self.status, 1)
        for button in (self.preview_button, self.pdf_button, self.xlsx_button):
            top.addWidget(button)

        self.heading = heading_label("", "report_heading", 1.2)
        self.heading.setWordWrap(True)
        self.generated = QLabel()
        self.generated.setObjectName("report_generated")
        self.trend_table = ReportTable("trend_table")
        self.agent_table = ReportTable("agent_table")
        self.cause_table = ReportTable("cause_table")
        self.no_causes = QLabel(_("No complaints in either month."))
        self.no_causes.setObjectName("no_causes")
        self.charts_grid = QGridLayout()
        self.charts_grid.setSpacing(GAP)
        self.definitions = QLabel(definitions())
        self.definitions.setObjectName("report_definitions")
        self.definitions.setWordWrap(True)
        self.trend_title = self._section(_("Against last month"))
        sheet = QWidget()
        sheet.setObjectName("report_sheet")
        self.sheet_layout = column = QVBoxLayout(sheet)
        column.setSpacing(8)
        parts: list[QWidget | QGridLayout] = [
            self.heading, self.generated, self.trend_title, self.trend_table,
            self._section(_("Per agent")), self.agent_table, self._section(_("Charts")),
            self.charts_grid, self._section(_("Complaints by cause")), self.cause_table,
            self.no_causes, self._section(_("What the figures mean")), self.definitions]
        for part in parts:
            if isinstance(part, QGridLayout):
                column.addLayout(part)
            elif isinstance(part, ReportTable):  # the tables keep their size, on the left
                column.addWidget(part, 0, Qt.AlignmentFlag.AlignLeft)
            else:
                column.addWidget(part)
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("report_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(sheet)
        self.sheet = sheet
        self.scroll_area.setVisible(False)  # until a month is read

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)
        layout.addStretch(0)  # keeps the buttons on top while the report is hidden

        self.rescale_timer = QTimer(self)
        self.rescale_timer.setSingleShot(True)
        self.rescale_timer.setInterval(40)  # while a window is dragged wider: once it rests
        self.rescale_timer.timeout.connect(self.place_charts)
        self.scroll_area.viewport().installEventFilter(
            _ViewportWatch(self.rescale_timer.start, self))
        self.month_combo.currentIndexChanged.connect(lambda _index: self.load())

    def _button(self, name: str, text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _section(self, text: str) -> QLabel:
        label = heading_label(text, "report_section", 1.05)
        label.setContentsMargins(0, 8, 0, 0)
        return label

    def chosen_month(self) -> tuple[int, int]:
        year, month = self.month_combo.currentData()
        return int(year), int(month)

    def showEvent(self, event) -> None:
        """The month is read when the tab is first shown (not with the page)."""
        super().showEvent(event)
        if self.loaded_month is None and self.load_job is None:
            self.load()

    # ---------------------------------------------------------------- reading a month

    def load(self) -> Job:
        """Read the chosen month in a worker; a load still running is cancelled."""
        # pdfium and Qt's print support are imported on first use, here on the GUI thread
        from desk_app.ui.widgets.pdf_view import PdfPages

        if self.load_job is not None:
            self.load_job.cancel()
        self.loads += 1
        number = self.loads
        year, month = self.chosen_month()
        desk, actor = self.host.desk, self.host.actor
        dpi = 72.0 * CHART_MAX_PX / CHART_WIDTH * self.devicePixelRatioF()

        def work(progress: Progress) -> tuple[ServiceReport, list[Chart]]:
            report = desk.service_reports.report(actor, year, month, progress)
            drawn = desk.service_reports.charts(actor, report, CHART_WIDTH)
            images: list[Chart] = []
            for key, title, pdf in drawn:
                if not progress(0, 1):  # (only asks whether a newer load cancelled this one)
                    raise InterruptedError
                pages = PdfPages(pdf)  # holds pdfium's lock: any thread may use it
                try:
                    images.append((key, title, pages.render(0, dpi)))
                finally:
                    pages.close()
            return report, images

        self.status.setText(_("Reading the figures of {month}…").format(
            month=month_text(year, month)))
        self.load_job = Job(
            work, desk=desk, parent=self,
            on_success=lambda result: self._loaded(number, (year, month), result),
            on_failure=lambda error: self._load_failed(number, error),
            on_cancel=lambda: self._load_over(number)).start()
        return self.load_job

    def _load_over(self, number: int) -> bool:
        """Whether load ``number`` is the latest (else its outcome is dropped)."""
        if number != self.loads:
            return False
        self.load_job = None
        return True

    def _load_failed(self, number: int, error: BaseException) -> None:
        if self._load_over(number):
            self.status.setText(str(error))
            show_error(self, error)

    def _loaded(self, number: int, month: tuple[int, int],
                result: tuple[ServiceReport, list[Chart]]) -> None:
        if not self._load_over(number):
            return
        report, charts = result
        self.report, self.charts, self.loaded_month = report, charts, month
        self.status.setText(self.saved_text)
        if not self.scroll_area.isVisible():  # the first month: laid out before the charts
            self.scroll_area.setVisible(True)  # are sized to its width
            layout = self.layout()
            assert layout is not None
            layout.activate()
        self.show_report(report)
        self.show_charts(charts)

    def show_report(self, report: ServiceReport) -> None:
        title = _("Service report {month} ({number})").format(month=report.month_text,
                                                              number=report.number)
        if not report.complete:
            title = _("{title} — not ended yet: the figures still change").format(title=title)
        self.heading.setText(title)
        self.generated.setText(_("Figures as of {time}.").format(
            time=format_datetime(report.generated_at)))
        self.trend_title.setText(_("Against last month ({month})").format(
            month=previous_month_label(report)))
        self.trend_table.fill(trend_header(report), trend_rows(report))
        for row, item in enumerate(report.trend()):
            better = None if item.key in NEUTRAL else item.better
            cell = self.trend_table.item(row, 3)
            if better is None or cell is None:
                continue
            background, text = BETTER if better else WORSE
            cell.setBackground(background)
            cell.setForeground(text)
            cell.setToolTip(_("Better than last month") if better
                            else _("Worse than last month"))
        self.agent_table.fill(agent_header(), agent_rows(report), bold_last=True)
        causes = cause_rows(report)
        self.cause_table.fill([_("Cause"), report.month_text, previous_month_label(report)],
                              causes)
        self.cause_table.setVisible(bool(causes))
        self.no_causes.setVisible(not causes)

    def show_charts(self, charts: list[Chart]) -> None:
        """One label per chart, then sized by ``place_charts``."""
        for label in self.chart_labels:
            self.charts_grid.removeWidget(label)
            label.deleteLater()
        self.chart_labels, self.chart_pixmaps, self.chart_columns = [], [], 0
        self.chart_target = 0.0
        for key, title, image in charts:
            label = QLabel()
            label.setObjectName(f"chart_{key}")
            label.setToolTip(title)
            label.setAccessibleName(title)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.chart_labels.append(label)
            self.chart_pixmaps.append(QPixmap.fromImage(image))
        self.place_charts()

    def place_charts(self) -> None:
        """Two charts a row when the width allows, each scaled to its share of the width
        (never wider than ``CHART_MAX_PX``) from the image the worker drew."""
        if not self.chart_labels:
            return
        margins = self.sheet_layout.contentsMargins()
        width = self.scroll_area.viewport().width() - margins.left() - margins.right()
        columns = 2 if width >= 2 * CHART_MIN_PX + GAP else 1
        if columns != self.chart_columns:
            for number, label in enumerate(self.chart_labels):
                self.charts_grid.removeWidget(label)
                self.charts_grid.addWidget(label, number // columns, number % columns)
            self.chart_columns = columns
        ratio = self.devicePixelRatioF()
        target = ratio * max(120, min(CHART_MAX_PX, (width - GAP * (columns - 1)) // columns))
        if target == self.chart_target:
            return
        self.chart_target = target
        for label, pixmap in zip(self.chart_labels, self.chart_pixmaps, strict=True):
            scaled = pixmap.scaledToWidth(round(target),
                                          Qt.TransformationMode.SmoothTransformation)
            scaled.setDevicePixelRatio(ratio)
            label.setPixmap(scaled)

    # ---------------------------------------------------------------- writing a file

    def save(self, fmt: str) -> Job | None:
        """Choose the file, check it (and "replace it?"), sign a PDF, then write it in a
        worker with progress and Cancel. None when nothing is started."""
        if self.save_job is not None:
            return None
        desk, actor = self.host.desk, self.host.actor
        year, month = self.chosen_month()
        _choice, _hint, filter_text = format_choices()[fmt]
        name = save_file_name(self, _("Save the service report"), FILE_KIND,
                              f"service-report-{year:04d}-{month:02d}.{fmt}", filter_text,
                              confirm_overwrite=False)  # replacing() asks
        if not name:
            return None
        chosen = Path(name) if Path(name).suffix else Path(f"{name}.{fmt}")
        try:
            path, force = replacing(self, lambda force: (
                desk.service_reports.check(actor, fmt, chosen, force=force), force))
        except DeskError as error:
            show_error(self, error)
            return None
        password: str | None = None
        handwriting: bytes | None = None
        if fmt == "pdf":
            from desk_app.ui.widgets.sign_dialog import SignDialog

            answer = SignDialog.ask(
                self, signer_label(actor), _(
                    "You sign the service report of {month} ({name}). Your password unlocks "
                    "your signing key.").format(month=month_text(year, month), name=path.name),
                check=lambda typed: desk.service_reports.check(actor, fmt, path, typed, force))
            if answer is None:
                return None
            password, handwriting = answer
        secret = [password]  # the worker takes the password; nothing keeps it afterwards

        def work(progress: Progress) -> Any:
            return desk.service_reports.write_report(
                actor, year, month, fmt, path, password=secret.pop(),
                handwriting_png=handwriting, progress=progress, force=force)

        self.set_saving(True)
        self.saved, self.saved_text = None, ""
        self.status.setText("")
        self.preview_button.setVisible(False)
        self.save_job = Job(work, desk=desk, parent=self, title=_("Service report"),
                            label=_("Writing the service report of {month} to {name}…").format(
                                month=month_text(year, month), name=path.name),
                            on_success=self._saved, on_failure=self._save_failed,
                            on_cancel=self._save_cancelled).start()
        return self.save_job

    def set_saving(self, saving: bool) -> None:
        for button in (self.pdf_button, self.xlsx_button):
            button.setEnabled(not saving)

    def _save_over(self) -> None:
        self.save_job = None
        self.set_saving(False)

    def _saved(self, published: Any) -> None:
        self._save_over()
        self.saved = published
        self.saved_text = _("The service report was written to {path}.").format(
            path=published.path)
        self.status.setText(self.saved_text)
        self.status.setToolTip(_("SHA-256 {hash}, {size} bytes").format(
            hash=published.sha256, size=published.size))
        self.preview_button.setVisible(published.path.suffix.lower() == ".pdf")

    def _save_failed(self, error: BaseException) -> None:
        self._save_over()
        if isinstance(error, DeskError):
            self.status.setText(_("Nothing was written: {reason}").format(reason=error))
        show_error(self, error)

    def _save_cancelled(self) -> None:
        self._save_over()
        self.status.setText(_("Cancelled: no file was written."))

    def preview(self) -> Any:
        """The PDF just written, in the program's viewer."""
        if self.saved is None:
            return None
        from desk_app.ui.widgets.pdf_view import show_pdf

        try:
            data = Path(self.saved.path).read_bytes()
        except OSError as error:
            self.status.setText(str(error.strerror or error))
            return None
        return show_pdf(self, data, Path(self.saved.path).name)
