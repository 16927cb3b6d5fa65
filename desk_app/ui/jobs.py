"""Helpers for work that runs off the GUI thread."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def emit_safely(signal, *args) -> None:
    """Emit from a worker; the window that started the job (and its signals) may be gone."""
    try:
        signal.emit(*args)
    except RuntimeError:
        log.info("the window that started this job is closed; result dropped")
