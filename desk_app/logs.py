"""Logging to a rotating file in the user's log folder; the console gets no tracebacks.

The GUI opens the file only once its sign-in window is on screen (``logging.handlers``
and ``platformdirs`` import ~25 ms of modules the window does not need): until then
``hold_records`` keeps what is logged, and ``setup_logging`` writes it first.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

_configured = False
_held: _HeldRecords | None = None


class _HeldRecords(logging.Handler):
    """What was logged before the log file was opened, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def log_file() -> Path:
    override = os.environ.get("DESK_LOG_DIR")
    if override:
        return Path(override) / "desk_app.log"
    from desk_app.paths import log_dir

    return log_dir() / "desk_app.log"


def hold_records(level: int = logging.INFO) -> None:
    """Keep what is logged (at ``level`` and above) until ``setup_logging`` runs."""
    global _held
    if _configured or _held is not None:
        return
    logging.getLogger().setLevel(level)
    _held = _HeldRecords()
    logging.getLogger().addHandler(_held)


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Attach the rotating file handler once; returns the file, or None if unwritable.
    Records held by ``hold_records`` go to the file first (or, without one, where Python
    sends warnings when nothing is set up: stderr)."""
    from logging.handlers import RotatingFileHandler

    global _configured, _held
    path = log_file()
    if _configured:
        return path
    root = logging.getLogger()
    root.setLevel(level)
    held, _held = _held, None
    if held is not None:
        root.removeHandler(held)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        _replay(held, logging.lastResort)
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    # A full disk must not also fill the user's console with logging's own tracebacks:
    # the log is for us, the user sees the one-line message of what failed.
    logging.raiseExceptions = False
    _configured = True
    _replay(held, handler)
    return path


def _replay(held: _HeldRecords | None, handler: logging.Handler | None) -> None:
    if held is None or handler is None:
        return
    for record in held.records:
        if record.levelno >= handler.level:
            handler.handle(record)
