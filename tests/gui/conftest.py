"""GUI tests: pytest-qt on the offscreen platform, isolated QSettings, English by default."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest

from desk_app.desk import Desk
from desk_app.domain.users import Actor

DEMO_PASSWORD = "demo1234"
# The offscreen platform cannot resize native windows to size hints; Qt says so once per
# top-level window. Nothing to fix in the app.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("qt_log_ignore", OFFSCREEN_NOISE)
    config.addinivalue_line("markers", "gui: needs a QApplication (offscreen by default)")


@pytest.fixture(autouse=True)
def _qt_environment(qapp, tmp_path_factory) -> Iterator[None]:
    from PySide6.QtCore import QSettings

    from desk_app.ui.language import apply_language

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path_factory.mktemp("qsettings")))
    qapp.setOrganizationName("desk_app_tests")
    qapp.setApplicationName("desk_app_tests")
    apply_language("en")
    yield
    apply_language("en")


def sign_in(desk: Desk, name: str) -> Actor:
    return desk.auth.login(name, DEMO_PASSWORD)


@pytest.fixture
def admin_actor(demo_desk: Desk) -> Actor:
    return sign_in(demo_desk, "admin")


@pytest.fixture
def clerk_actor(demo_desk: Desk) -> Actor:
    return sign_in(demo_desk, "wangfang")
