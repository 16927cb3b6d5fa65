"""The running program's daily backup: at the first chance after start and after the day
changes, in the background (``BackupService.daily_backup`` decides whether one is due —
at most one a day by any desk — and prunes the old ones)."""

from __future__ import annotations

import logging
import time
from datetime import date

from PySide6.QtCore import QObject, Signal

from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.widgets.jobs import Job

log = logging.getLogger(__name__)
RETRY_SECONDS = 30 * 60  # after a failure (folder missing, disk full), try again later


class DailyBackupRunner(QObject):
    """``check()`` is cheap (one settings read) and runs the backup job only when the
    setting is on and this session has not settled today yet. ``finished`` carries a line
    for the status bar (empty when there was nothing to say)."""

    finished = Signal(str)

    def __init__(self, desk, actor: Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.settled: date | None = None  # the day this session found done (or made it)
        self.retry_after = 0.0
        self.job: Job | None = None
        self.result = None  # the last DailyBackup

    def check(self) -> bool:
        """Start the background backup if one may be due; True when a job was started."""
        if self.job is not None and self.job.running:
            return False
        try:
            if self.desk.settings.value("backup_daily") != "yes":
                return False
            today = self.desk.today()
        except DeskError:
            return False
        if today == self.settled or time.monotonic() < self.retry_after:
            return False
        self.job = Job(lambda _progress: self.desk.backups.daily_backup(self.actor, today),
                       desk=self.desk, parent=self.parent(),  # type: ignore[arg-type]
                       on_success=lambda result: self._done(today, result),
                       on_failure=self._failed).start()
        return True

    def _done(self, today: date, result) -> None:
        self.settled, self.result = today, result
        if result.path is None:
            self.finished.emit("")
            return
        log.info("daily backup written to %s; %d old ones deleted", result.path,
                 len(result.pruned))
        self.finished.emit(_("Daily backup written to {path}.").format(path=result.path))

    def _failed(self, error: BaseException) -> None:
        self.retry_after = time.monotonic() + RETRY_SECONDS
        log.warning("daily backup failed: %s", error)
        self.finished.emit(_("The daily backup failed: {reason}").format(reason=error))
