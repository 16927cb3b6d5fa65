"""Verifying the audit chain off the GUI thread, with progress and cancel."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QRunnable, Signal

from desk_app.domain.users import Actor

log = logging.getLogger(__name__)


class VerifySignals(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # ChainReport
    cancelled = Signal()
    failed = Signal(object)  # the exception


class VerifyJob(QRunnable):
    """Runs ``desk.audit.verify`` in a pool thread; ``cancel()`` stops it at the next batch."""

    def __init__(self, desk, actor: Actor) -> None:
        super().__init__()
        self.desk, self.actor = desk, actor
        self.signals = VerifySignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: int, total: int) -> bool:
        self.signals.progress.emit(done, total)
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            report = self.desk.audit.verify(self.actor, self._progress)
        except InterruptedError:
            self.signals.cancelled.emit()
        except Exception as error:
            log.exception("audit verification failed")
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(report)
        finally:
            # peewee keeps one connection per thread: release this worker's.
            try:
                self.desk.ctx.db.close()
            except Exception:
                log.exception("closing the worker's connection")
