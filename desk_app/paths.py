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


def checkpoint_dir() -> Path:
    """This desk's audit checkpoints (services.anchors), one file per database: kept out of
    the database so that whoever holds a copy of it cannot shorten or rewrite the trail
    unnoticed. ``DESK_CHECKPOINT_DIR`` puts them elsewhere; with only ``DESK_STATE_DIR`` set
    (a test run, a portable set-up) they go under it, next to the other per-user files."""
    if os.environ.get("DESK_CHECKPOINT_DIR"):
        return Path(os.environ["DESK_CHECKPOINT_DIR"])
    if os.environ.get("DESK_STATE_DIR"):
        return Path(os.environ["DESK_STATE_DIR"]) / "checkpoints"
    return data_dir() / "checkpoints"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'desk.db'}"
