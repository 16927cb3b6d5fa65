"""Logging to a rotating file in the user's log folder; the console gets no tracebacks."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from desk_app.paths import log_dir

_configured = False


def log_file() -> Path:
    override = os.environ.get("DESK_LOG_DIR")
    return (Path(override) if override else log_dir()) / "desk_app.log"


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Attach the rotating file handler once; returns the file, or None if unwritable."""
    global _configured
    path = log_file()
    if _configured:
        return path
    root = logging.getLogger()
    root.setLevel(level)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    # A full disk must not also fill the user's console with logging's own tracebacks:
    # the log is for us, the user sees the one-line message of what failed.
    logging.raiseExceptions = False
    _configured = True
    return path
