"""A full shift in a few minutes: the real main window, every page, the Reception page ticking
for 8 hours of an accelerated clock (issue 8: the GUI must not abort). Run with ``make perf``.

The app runs as ``desk-app`` runs it, inside ``app.exec()``: the session's sign-in window,
the name and password typed into it, the main window with every page (a user holding every
role), each page opened through the Go menu, then the Reception page in front. Its own
one-second QTimer is the tick: its interval is set to 0 ms and every timeout also moves the
services' ``FixedClock`` on by one second, so the page's ``tick`` slot runs exactly as at a
desk (``update_timers`` every tick, the timeout sweep every 15) for ``DESK_SOAK_TICKS``
ticks (default 28,800 = 8 h). During the shift visitors arrive, the phone rings and we call
out (opened through the reception service, then shown as the page's F2/F3 path shows them),
entries are answered, resolved and closed, some late enough to escalate. The idle lock is
the app's other timer: it is shortened to a few real seconds, and every time it locks the
window the password is typed into the lock dialog. At the end the user signs out (File →
Switch user) and quits from the sign-in window, which ends the event loop with exit code 0.

Printed: RSS and ``sys.getrefcount(None)`` at the start, every simulated hour and at the end,
ticks per second and the wall time. Asserted: only that ``None`` kept its references (a wheel
that drops them, PySide6 6.12.0 on CPython 3.11, aborts the process with ``none_dealloc``
unless the check after every tick stops the shift first, when half of them are gone).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desk_app.desk import Desk
from desk_app.domain.clock import FixedClock
from desk_app.domain.reception import Channel

SHIFT_TICKS = int(os.environ.get("DESK_SOAK_TICKS", str(8 * 3600)))
PASSWORD = "demo1234"
EVERY_ROLE = "admin,auditor,clerk,manager,personnel,supervisor"
IDLE_LOCK_MS = 20_000  # real time: the idle lock fires a few times during the run
NEW_ENTRY_EVERY = 7 * 60  # simulated seconds between arrivals/calls
# Per entry, by its number mod 4: seconds to the first answer and to the resolution.
# The answer target is 9 s (severe after 30 s), the reply target 5 min (severe after 30 min).
ANSWER_AFTER = (5, 12, 20, 45)
RESOLVE_AFTER = (3 * 60, 8 * 60, 15 * 60, 45 * 60)
CLOSE_AFTER_RESOLVED = 60
CHANNELS = (Channel.VISIT, Channel.PHONE_IN, Channel.PHONE_OUT)
WATCHDOG_S = 30 * 60


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def none_refs() -> int:
    return sys.getrefcount(None)


@dataclass
class Sample:
    label: str
    rss: int
    nones: int
    wall: float


@dataclass
class Shift:
    """What happened; filled by the scenario running inside the event loop."""

    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    ticks: int = 0
    opened: int = 0
    answered: int = 0
    resolved: int = 0
    closed: int = 0
    locks: int = 0
    tick_started: float = 0.0
    tick_seconds: float = 0.0
    paints: int = 0
    escalated: int = 0
    reports: list[str] = field(default_factory=list)  # each hour's service report load
    exit_code: int | None = None

    def sample(self, label: str, started: float) -> Sample:
        sample = Sample(label, rss_kib(), none_refs(), time.perf_counter() - started)
        self.samples.append(sample)
        print(f"  {label:<28} RSS {sample.rss / 1024:8.1f} MiB   None refs {sample.nones:>9,}"
              f"   {sample.wall:7.1f} s", flush=True)
        return sample


@pytest.fixture
def shift_desk(tmp_path: Path) -> Iterator[tuple[Desk, FixedClock, str]]:
    """The demo database on a clock the test moves; a user who sees every page."""
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    clock = FixedClock(start)
    url = f"sqlite:///{tmp_path / 'soak.db'}"
    desk = Desk.open(url, create=True, clock=clock)
    desk.demo.generate(None)
    admin = desk.auth.login("admin", PASSWORD)
    desk.users.add(admin, "soak", PASSWORD, EVERY_ROLE, "Soak Test")
    yield desk, clock, url
    desk.close()


@pytest.fixture
def isolated_settings(qapp, tmp_path: Path) -> None:
    """Window geometry goes to a temporary QSettings file, not the user's."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "qsettings"))


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_a_shift_at_the_reception_desk(qapp, isolated_settings, shift_desk) -> None:
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desk_app.domain.manifest import pages
    from desk_app.ui.app import Session
    from desk_app.ui.language import apply_language

    desk, clock, url = shift_desk
    apply_language("en")
    shift = Shift()
    started = time.perf_counter()
    print()
    print(f"soak: PySide6 {__import__('PySide6').__version__} on Python "
          f"{sys.version.split()[0]}, {SHIFT_TICKS:,} ticks")
    first = shift.sample("start (before sign-in)", started)

    session = Session(url, idle_ms=IDLE_LOCK_MS)
    session.desk = desk  # opened on the test's clock; the session's own open is skipped
    plan: dict[int, list[tuple[str, int]]] = {}  # tick → (what, entry number)
    entry_ids: dict[int, int] = {}

    class PaintCounter(QObject):
        """Counts paint events of the Now table: the ticks reach the screen."""

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                shift.paints += 1
            return False

    painted = PaintCounter()

    def fail(message: str) -> None:
        shift.errors.append(message)
        QApplication.exit(1)

    def guarded(step):
        def run(*args) -> None:
            try:
                step(*args)
            except Exception:
                fail(traceback.format_exc())
        return run

    def sign_in() -> None:
        login = session.login
        assert login is not None, "no sign-in window"
        QTest.keyClicks(login.name_edit, "soak")
        QTest.keyClicks(login.password_edit, PASSWORD)
        QTest.keyClick(login.password_edit, Qt.Key.Key_Return)
        window = session.window
        assert window is not None, f"sign-in refused: {login.error_label.text()}"
        window.locked.connect(guarded(lambda: QTimer.singleShot(200, guarded(unlock))))
        QTimer.singleShot(0, guarded(open_every_page))

    def open_every_page() -> None:
        window = session.window
        assert window is not None
        assert set(window.areas) == {page.key for page in pages()}, \
            f"not every page: {window.area_names()}"
        for action in window.go_actions:  # Ctrl+1 … Ctrl+9
            action.trigger()
            QApplication.processEvents()
            shift.pages.append(window.current_area())
        window.show_area("reception")
        page = window.page("reception")
        assert page.timer.isActive(), "the Reception timer does not run"
        shift.sample("every page opened", started)
        for number in range(SHIFT_TICKS // NEW_ENTRY_EVERY):
            at = 5 + number * NEW_ENTRY_EVERY
            plan.setdefault(at, []).append(("open", number))
            answer = at + ANSWER_AFTER[number % 4]
            resolve = at + RESOLVE_AFTER[number % 4]
            plan.setdefault(answer, []).append(("answer", number))
            plan.setdefault(resolve, []).append(("resolve", number))
            plan.setdefault(resolve + CLOSE_AFTER_RESOLVED, []).append(("close", number))
        page.now_tab.table.viewport().installEventFilter(painted)
        page.timer.setInterval(0)
        page.timer.timeout.connect(guarded(second_passed))
        shift.tick_started = time.perf_counter()

    def second_passed() -> None:
        """After the page's own tick: one second later, and what happens in it."""
        window = session.window
        assert window is not None
        page = window.page("reception")
        shift.ticks = page.ticks
        clock.advance(seconds=1)
        for what, number in plan.pop(shift.ticks, []):
            act(page, what, number)
        if shift.ticks % 3600 == 0:
            read_report(page)
            shift.sample(f"hour {shift.ticks // 3600} ({shift.ticks:,} ticks)", started)
        if none_refs() < first.nones // 2:
            page.timer.stop()
            fail(f"None lost {first.nones - none_refs():,} references in {shift.ticks:,} ticks; "
                 "stopped before CPython aborts with none_dealloc")
            return
        if shift.ticks >= SHIFT_TICKS:
            page.timer.stop()
            shift.tick_seconds = time.perf_counter() - shift.tick_started
            QTimer.singleShot(0, guarded(sign_out))

    def read_report(page) -> None:
        """Every hour the supervisor reads the month's service report (six months read and
        five charts drawn in a worker) and goes back to Now: its images must not pile up."""
        tab = page.report_tab
        assert tab is not None, "no Service report tab for every role"
        page.tabs.setCurrentWidget(tab)
        tab.load().ended.connect(shift.reports.append)
        page.tabs.setCurrentWidget(page.now_tab)

    def act(page, what: str, number: int) -> None:
        actor = session.window.actor
        reception = desk.visits
        if what == "open":
            channel = CHANNELS[number % len(CHANNELS)]
            view = reception.open_visit(actor, channel, name=f"Soak {number}",
                                        contact=f"1380000{number:04d}",
                                        request=f"Question number {number}")
            entry_ids[number] = view.id
            page.now_tab.opened(view)  # what F2/F3 do once the entry is saved
            shift.opened += 1
            return
        visit_id = entry_ids[number]
        if what == "answer":
            page.select_visit(visit_id)
            page.now_tab.answer_selected()  # F5
            shift.answered += 1
        elif what == "resolve":
            reception.resolve(actor, visit_id, f"Answered question {number}")
            shift.resolved += 1
        else:
            reception.close_visit(actor, visit_id)
            shift.closed += 1
        page.refresh()

    def unlock() -> None:
        window = session.window
        dialog = window.lock_dialog if window is not None else None
        if dialog is None:
            return
        shift.locks += 1
        QTest.keyClicks(dialog.password_edit, PASSWORD)
        QTest.keyClick(dialog.password_edit, Qt.Key.Key_Return)
        assert not window.is_locked(), "the password did not unlock the window"

    def sign_out() -> None:
        window = session.window
        assert window is not None
        shift.sample("end of shift", started)
        shift.escalated = len(desk.visits.escalations(window.actor))
        window.switch_action.trigger()  # File → Switch user… (Ctrl+Shift+U)
        QTimer.singleShot(0, guarded(quit_from_sign_in))

    def quit_from_sign_in() -> None:
        login = session.login
        assert login is not None, "signing out did not bring back the sign-in window"
        assert session.window is None
        QTest.mouseClick(login.quit_button, Qt.MouseButton.LeftButton)  # ends the event loop

    def watchdog() -> None:
        fail(f"still running after {WATCHDOG_S} s (at tick {shift.ticks:,})")

    dog = QTimer()
    dog.setSingleShot(True)
    dog.timeout.connect(watchdog)
    dog.start(WATCHDOG_S * 1000)
    session.running = True
    session.start()
    QTimer.singleShot(0, guarded(sign_in))
    shift.exit_code = qapp.exec()
    dog.stop()
    session.running = False
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    last = shift.sample("signed out, loop ended", started)

    wall = time.perf_counter() - started
    if not shift.tick_seconds and shift.tick_started:  # the shift was cut short
        shift.tick_seconds = time.perf_counter() - shift.tick_started
    rate = shift.ticks / shift.tick_seconds if shift.tick_seconds > 0 else float("nan")
    print(f"  pages opened: {', '.join(shift.pages)}")
    print(f"  entries opened {shift.opened}, answered {shift.answered}, resolved "
          f"{shift.resolved}, closed {shift.closed}; severe timeouts awaiting review "
          f"{shift.escalated}; idle locks unlocked {shift.locks}")
    print(f"  service report read {shift.reports.count('success')} times "
          f"({len(shift.reports)} loads ended)")
    print(f"  ticks {shift.ticks:,} in {shift.tick_seconds:.1f} s ({rate:,.0f} ticks/s, "
          f"{rate:,.0f}x real time); the Now table painted {shift.paints:,} times")
    print(f"  RSS {first.rss / 1024:.1f} → {last.rss / 1024:.1f} MiB "
          f"({(last.rss - first.rss) / 1024:+.1f}); None refs {first.nones:,} → "
          f"{last.nones:,} ({last.nones - first.nones:+,}); wall time {wall:.1f} s")
    if shift.errors:
        pytest.fail("\n".join(shift.errors), pytrace=False)
    assert shift.exit_code == 0
    assert shift.ticks >= SHIFT_TICKS
    hours = SHIFT_TICKS // 3600
    assert shift.reports.count("success") >= hours - 1, shift.reports  # the last may be cut
    assert last.nones >= first.nones, (
        f"None lost {first.nones - last.nones:,} references over the shift")
