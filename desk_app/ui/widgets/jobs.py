"""Work that runs off the GUI thread: one helper for every long job (after Anki's ``QueryOp``).

::

    Job(lambda progress: desk.audit.verify(actor, progress), desk=desk, parent=self,
        label=_("Verifying the audit trail…"),
        on_success=self._verified, on_cancel=self._stopped).start()

- ``work(progress)`` runs in ``QThreadPool.globalInstance()``. It must not touch a widget:
  read what it needs from them before and capture the values. ``progress(done, total)``
  reports how far it got and returns ``False`` once ``cancel()`` was called; the work then
  raises ``InterruptedError`` (the services do), which ends the job with ``on_cancel()``.
- ``on_success(result)``, ``on_failure(error)``, ``on_cancel()`` and ``on_progress(done,
  total)`` run on the GUI thread, in that order of events. Without ``on_failure`` the error
  is shown with ``show_error(parent, error)``. An error other than a ``DeskError`` is
  logged with its traceback (from the worker).
- ``desk``: when the work ends, the worker calls ``desk.release_thread()`` — peewee keeps
  one connection per thread, and a pool thread would otherwise hold its own open.
- ``parent`` and ``label``: a window-modal progress dialog with Cancel, shown when the job
  takes longer than 400 ms.
- The window that started the job (``parent``) may be closed and deleted meanwhile: the
  job is then cancelled and none of its callbacks runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from desk_app.domain.errors import DeskError
from desk_app.i18n import _
from desk_app.ui.errors import show_error

log = logging.getLogger(__name__)

Progress = Callable[[int, int], bool]
PROGRESS_INTERVAL = 0.05  # seconds between two progress reports sent to the GUI
SUCCESS, FAILURE, CANCEL = "success", "failure", "cancel"


def emit_safely(signal, *args) -> None:
    """Emit from a worker; the window that started the job (and its signals) may be gone."""
    try:
        signal.emit(*args)
    except RuntimeError:
        log.info("the window that started this job is closed; result dropped")


class _Relay(QObject):
    """Carries the worker's reports to the GUI thread. Owned by the application, not by
    Python, so the worker dropping its reference never deletes it from the wrong thread;
    the job deletes it (``deleteLater``) once the outcome is delivered."""

    progressed = Signal(int, int)
    worked = Signal(str, object)  # outcome, result or error


def _in_pool(work: Callable[[Progress], Any], desk: Any, cancel: threading.Event,
             relay: _Relay) -> Callable[[], None]:
    """What the pool thread runs: it holds the work and the relay, never the job."""
    last_report = [0.0]

    def progress(done: int, total: int) -> bool:
        now = time.monotonic()
        if done >= total or now - last_report[0] >= PROGRESS_INTERVAL:
            last_report[0] = now
            emit_safely(relay.progressed, done, total)
        return not cancel.is_set()

    def run() -> None:
        outcome, value = SUCCESS, None
        try:
            if cancel.is_set():
                raise InterruptedError
            value = work(progress)
        except InterruptedError:
            outcome = CANCEL
        except Exception as error:
            if not isinstance(error, DeskError):
                log.error("a background job failed", exc_info=error)
            outcome, value = FAILURE, error
        finally:
            if desk is not None:
                try:
                    desk.release_thread()
                except Exception:
                    log.exception("releasing the worker's database connection")
        emit_safely(relay.worked, outcome, value)

    return run


class Job(QObject):
    """One piece of work in a pool thread, its outcome delivered on the GUI thread."""

    ended = Signal(str)  # "success", "failure" or "cancel", after the callback (GUI thread)

    _running: ClassVar[set[Job]] = set()  # a job lives until its outcome is delivered

    def __init__(self, work: Callable[[Progress], Any], *, desk: Any = None,
                 parent: QWidget | None = None, label: str | None = None,
                 title: str | None = None,
                 on_success: Callable[[Any], Any] | None = None,
                 on_failure: Callable[[BaseException], Any] | None = None,
                 on_cancel: Callable[[], Any] | None = None,
                 on_progress: Callable[[int, int], Any] | None = None) -> None:
        super().__init__()  # no Qt parent: the job outlives a window closed meanwhile
        self._work, self._desk = work, desk
        self._parent, self._label, self._title = parent, label, title
        self._on_success, self._on_failure = on_success, on_failure
        self._on_cancel, self._on_progress = on_cancel, on_progress
        self._cancel = threading.Event()
        self._owner_gone = False
        self.outcome: str | None = None  # set when the job has ended
        self.dialog: QProgressDialog | None = None
        self._relay: _Relay | None = None
        if parent is not None:
            parent.destroyed.connect(self._parent_destroyed)

    @property
    def running(self) -> bool:
        return self in Job._running

    def start(self) -> Job:
        self._relay = relay = _Relay(QCoreApplication.instance())
        relay.progressed.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)
        relay.worked.connect(self._deliver_outcome, Qt.ConnectionType.QueuedConnection)
        Job._running.add(self)
        if self._parent is not None and self._label:
            self.dialog = dialog = QProgressDialog(self._label, _("Cancel"), 0, 0, self._parent)
            dialog.setWindowTitle(self._title or self._label)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(400)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.canceled.connect(self.cancel)
        QThreadPool.globalInstance().start(_in_pool(self._work, self._desk, self._cancel, relay))
        return self

    def cancel(self) -> None:
        """Ask the work to stop: its next ``progress()`` returns False."""
        if self.outcome is None:
            self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _parent_destroyed(self, *_args) -> None:
        self._owner_gone = True
        self.dialog = None  # deleted with its parent
        self.cancel()

    def _parent_alive(self) -> bool:
        return not self._owner_gone and (self._parent is None or shiboken6.isValid(self._parent))

    @Slot(int, int)
    def _deliver_progress(self, done: int, total: int) -> None:
        if self.outcome is not None or not self._parent_alive():
            return
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            maximum = max(total, 1)
            self.dialog.setMaximum(maximum)
            self.dialog.setValue(min(done, maximum))
        if self._on_progress is not None:
            self._on_progress(done, total)

    @Slot(str, object)
    def _deliver_outcome(self, outcome: str, value: Any) -> None:
        self.outcome = outcome
        Job._running.discard(self)
        relay, self._relay = self._relay, None
        if relay is not None:
            relay.deleteLater()
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()  # emits canceled: harmless now that the outcome is set
            dialog.deleteLater()
        try:
            if not self._parent_alive():
                log.info("the window that started this job is closed; result dropped")
            elif outcome == SUCCESS:
                if self._on_success is not None:
                    self._on_success(value)
            elif outcome == CANCEL:
                if self._on_cancel is not None:
                    self._on_cancel()
            elif self._on_failure is not None:
                self._on_failure(value)
            else:
                show_error(self._parent, value)
        finally:
            self.ended.emit(outcome)
