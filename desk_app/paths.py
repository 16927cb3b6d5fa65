"""Per-user folders (platformdirs): data, logs."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "desk_app"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'desk.db'}"
