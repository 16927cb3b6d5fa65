"""A smoke test of the GUI, for the frozen bundle (``scripts/smoke-bundle.sh``).

With ``DESK_SMOKE_PAGES=1``, ``DESK_USER`` (one user name, or several separated by commas)
and ``DESK_PASSWORD``, ``run_gui`` calls :func:`run_pages` instead of the sign-in window:
for each user it signs in through the auth service (no dialog), shows the main window,
visits every page the user may see and every tab on it, lets background jobs finish, and
for a user with the Archive page also scans a reference, prints every label sheet with both
code types through the labels dialog and renders one in the PDF preview. Then it quits.

Exit status: 0 when nothing went wrong; 1 when anything did: an exception (raised here or
reaching the excepthook), an error logged, a Qt warning, an error box on screen; 2 when the
database cannot be opened; 3 when a user cannot sign in. ``DESK_SMOKE_OUT`` names a folder
that keeps the label PDFs. Every step prints one ``smoke:`` line.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QMessageLogContext,
    QThreadPool,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QTabWidget, QWidget

from desk_app.domain.errors import DeskError
from desk_app.ui.app import SMOKE_PAGES

log = logging.getLogger(__name__)

SMOKE_OUT = "DESK_SMOKE_OUT"
EXIT_OK, EXIT_PROBLEMS, EXIT_DATABASE, EXIT_SIGN_IN = 0, 1, 2, 3
IDLE_MS = 3_600_000  # no idle lock while the smoke test runs
JOB_WAIT_MS = 60_000  # background jobs (audit verify, exports) of one page
SETTLE_MS = 160  # timers such as the archive's search delay (150 ms) fire within this
PREVIEW_WAIT_S = 20.0
# The offscreen platform cannot resize native windows to size hints (see tests/gui/conftest.py).
QT_NOISE = ("This plugin does not support propagateSizeHints",)


def requested() -> bool:
    return os.environ.get(SMOKE_PAGES) == "1"


def say(text: str) -> None:
    print(f"smoke: {text}", flush=True)


class Problems:
    """Everything that went wrong, printed as it happens."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str) -> None:
        self.items.append(text)
        print(f"smoke: PROBLEM: {text}", file=sys.stderr, flush=True)

    def __len__(self) -> int:
        return len(self.items)


class _ErrorRecords(logging.Handler):
    def __init__(self, problems: Problems) -> None:
        super().__init__(logging.ERROR)
        self.problems = problems

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.name} logged: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        self.problems.add(text)


@contextmanager
def watching(problems: Problems) -> Iterator[None]:
    """Record exceptions that reach the excepthooks, errors logged and Qt warnings."""

    def excepthook(kind, error, tb) -> None:
        log.error("unexpected error", exc_info=(kind, error, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.error("unexpected error in a thread", exc_info=args.exc_value)

    def qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg) or message.startswith(QT_NOISE):
            return
        problems.add(f"Qt {kind.name}: {message}")

    handler = _ErrorRecords(problems)
    root = logging.getLogger()
    root.addHandler(handler)
    saved_hooks = sys.excepthook, threading.excepthook
    sys.excepthook, threading.excepthook = excepthook, thread_hook
    previous_qt = qInstallMessageHandler(qt_message)
    try:
        yield
    finally:
        qInstallMessageHandler(previous_qt)
        sys.excepthook, threading.excepthook = saved_hooks
        root.removeHandler(handler)


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def settle(ms: int = SETTLE_MS) -> None:
    """Run the event loop for ``ms``, let background jobs finish, deliver their results
    (and run what those started)."""
    for wait in (ms, 20):
        pump(wait)
        if not QThreadPool.globalInstance().waitForDone(JOB_WAIT_MS):
            raise TimeoutError(f"background jobs still running after {JOB_WAIT_MS} ms")
    QCoreApplication.processEvents()


def close_error_boxes(problems: Problems, where: str) -> None:
    """An error box on screen is a failure (show_error opens them without blocking)."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            problems.add(f"{where}: message box “{widget.windowTitle()}”: {widget.text()}")
            widget.close()


def step(problems: Problems, where: str, action: Callable[[], str | None]) -> None:
    """Run one step; an exception or a new problem fails it."""
    before, started = len(problems), time.perf_counter()
    try:
        note = action()
        settle()
    except Exception:
        problems.add(f"{where}:\n{traceback.format_exc().rstrip()}")
        note = None
    close_error_boxes(problems, where)
    if len(problems) == before:
        say(f"{where} ok ({time.perf_counter() - started:.2f} s){f': {note}' if note else ''}")


def run_pages(url: str, language: str | None = None) -> int:
    """The smoke test (see the module docstring); the process's exit status."""
    names = [name.strip() for name in os.environ.get("DESK_USER", "").split(",") if name.strip()]
    password = os.environ.get("DESK_PASSWORD")
    if not names or password is None:
        print("smoke: set DESK_USER (names separated by commas) and DESK_PASSWORD", file=sys.stderr)
        return EXIT_SIGN_IN
    out = Path(os.environ[SMOKE_OUT]) if os.environ.get(SMOKE_OUT) else None
    problems = Problems()
    with watching(problems):
        from desk_app.desk import Desk

        try:
            desk = Desk.open(url)
        except DeskError as error:
            print(f"smoke: cannot open the database: {error}", file=sys.stderr)
            return EXIT_DATABASE
        try:
            code = _run(desk, names, password, language, out, problems)
        finally:
            desk.close()
    if code != EXIT_OK:
        return code
    if problems:
        say(f"FAILED with {len(problems)} problem(s)")
        return EXIT_PROBLEMS
    say(f"passed for {', '.join(names)}")
    return EXIT_OK


def _run(desk, names: list[str], password: str, language: str | None, out: Path | None,
         problems: Problems) -> int:
    from desk_app.ui.language import apply_language

    if not language:
        try:
            language = str(desk.settings.value("language"))
        except DeskError:
            language = None
    language = apply_language(language)
    if language != "en" and QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel":
        problems.add(f"Qt's own translation (qtbase_{language}.qm) is not loaded")
    say(f"language {language}")
    for name in names:
        try:
            actor = desk.auth.login(name, password)
        except DeskError as error:
            print(f"smoke: {name} cannot sign in: {error}", file=sys.stderr)
            return EXIT_SIGN_IN
        visit_pages(desk, actor, problems, out)
    return EXIT_OK


def visit_pages(desk, actor, problems: Problems, out: Path | None = None) -> None:
    """One user's main window: every page and tab, then the archive's labels."""
    from desk_app.ui.main_window import MainWindow

    holder: dict[str, MainWindow] = {}

    def open_window() -> str:
        window = holder["window"] = MainWindow(desk, actor, idle_ms=IDLE_MS)
        window.show()
        return f"pages {', '.join(window.area_names())}"

    step(problems, f"{actor.name}: main window", open_window)
    window = holder.get("window")
    if window is None:
        return
    for area in window.areas:
        step(problems, f"{actor.name}: page {area}", partial(visit, window, area))
    if "archive" in window.areas:
        page = window.show_area("archive")
        step(problems, f"{actor.name}: archive scan and labels",
             lambda: archive_work(window, page, out))
    window.close()
    window.deleteLater()
    settle()


def visit(window, area) -> str | None:
    page: QWidget = window.show_area(area)
    settle()
    tabs = page.findChildren(QTabWidget)
    titles = []
    for tab_widget in tabs:
        for index in range(tab_widget.count()):
            tab_widget.setCurrentIndex(index)
            settle()
            titles.append(tab_widget.tabText(index).replace("&", ""))
        tab_widget.setCurrentIndex(0)
    return f"tabs {', '.join(titles)}" if titles else None


def _made_in_background(dialog) -> bytes:
    """Press OK on a dialog whose work runs as a background job; its result when done."""
    dialog.ok_button.click()
    deadline = time.monotonic() + JOB_WAIT_MS / 1000
    while dialog.result_value is None and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if dialog.result_value is None:
        raise AssertionError(f"no result in time: {dialog.general_error.text()}")
    return dialog.result_value


def archive_work(window, page, out: Path | None) -> str:
    """Scan the first reference; every label sheet with both codes; preview one sheet."""
    from desk_app.ui.archive.dialogs import LabelsDialog
    from desk_app.ui.widgets.pdf_view import PdfPreviewDialog

    rows = [page.model.row(number) for number in range(min(3, page.model.rowCount()))]
    refs = [item.ref for item in rows if item is not None]
    if not refs:
        raise AssertionError("the archive list is empty")
    page.scan(refs[0])
    if page.detail.item is None or page.detail.item.ref != refs[0]:
        raise AssertionError(f"scanning {refs[0]} did not open it")
    pdfs: dict[str, bytes] = {}
    probe = LabelsDialog(window.desk, window.actor, refs, window)
    sheets = [probe.sheet_combo.itemData(i) for i in range(probe.sheet_combo.count())]
    codes = [probe.code_combo.itemData(i) for i in range(probe.code_combo.count())]
    probe.deleteLater()
    for sheet in sheets:
        for code in codes:
            dialog = LabelsDialog(window.desk, window.actor, refs, window)
            dialog.sheet_combo.setCurrentIndex(dialog.sheet_combo.findData(sheet))
            dialog.code_combo.setCurrentIndex(dialog.code_combo.findData(code))
            pdf = _made_in_background(dialog)
            dialog.deleteLater()
            if not pdf.startswith(b"%PDF"):
                raise AssertionError(f"labels {sheet}/{code}: not a PDF")
            pdfs[f"labels-{window.actor.name}-{sheet}-{code}.pdf"] = pdf
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, pdf in pdfs.items():
            (out / name).write_bytes(pdf)
    preview = PdfPreviewDialog(next(iter(pdfs.values())), "labels.pdf", window)
    preview.show()
    deadline = time.monotonic() + PREVIEW_WAIT_S
    while not preview.rendered_pages and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        preview.pool.waitForDone(50)
    rendered = len(preview.rendered_pages)
    preview.done(0)
    preview.pages.close()
    preview.deleteLater()
    if not rendered:
        raise AssertionError("the PDF preview rendered no page")
    return f"scanned {refs[0]}, {len(pdfs)} label PDFs ({', '.join(sheets)} × {', '.join(codes)}), " \
           f"preview rendered {rendered} page(s)"
