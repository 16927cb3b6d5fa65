"""Per-user folders (platformdirs): data, logs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "desk_app"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def state_dir() -> Path:
    """Small per-user state: e.g. the list of partial files being written."""
    return Path(os.environ.get("DESK_STATE_DIR") or platformdirs.user_state_dir(APP, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'desk.db'}"
