"""GUI tests: pytest-qt on the offscreen platform, isolated QSettings, English by default."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from desk_app.desk import Desk
from desk_app.domain.users import Actor

DEMO_PASSWORD = "demo1234"
W = TypeVar("W")
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


@pytest.fixture(autouse=True)
def _today_fills_at_once(monkeypatch) -> None:
    """Today reads its figures in a worker thread; these tests read its boxes right after
    building it. tests/gui/test_main_window.py checks the background load itself."""
    from desk_app.ui.pages.today import TodayPage

    monkeypatch.setattr(TodayPage, "background", False)


@pytest.fixture(autouse=True)
def _registers_count_at_once(monkeypatch) -> None:
    """Big registers count in a worker thread; these tests read the count right after a
    refresh. tests/gui/test_paged_model.py checks the background count itself."""
    from desk_app.ui.models.paged import PagedTableModel

    monkeypatch.setattr(PagedTableModel, "count_in_background", False)


def sign_in(desk: Desk, name: str) -> Actor:
    return desk.auth.login(name, DEMO_PASSWORD)


@pytest.fixture
def admin_actor(demo_desk: Desk) -> Actor:
    return sign_in(demo_desk, "admin")


@pytest.fixture
def clerk_actor(demo_desk: Desk) -> Actor:
    return sign_in(demo_desk, "wangfang")


@pytest.fixture
def auditor_actor(demo_desk: Desk) -> Actor:
    return sign_in(demo_desk, "chenjing")  # reads every register, exports every one


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder for written files (the database lives in tmp_path itself)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def shown(qtbot, widget: W, size: tuple[int, int] | None = None) -> W:
    """``widget`` on screen (closed after the test), at ``size`` if given."""
    qtbot.addWidget(widget)
    if size is not None:
        widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def assert_signed_export(desk: Desk, path: Path, user: str) -> None:
    """``path`` is a PDF whose one signature, the exporter's, is ``user``'s and verifies
    against the database's CA."""
    from desk_app.services.exports import verify_pdf_file

    report = verify_pdf_file(path, desk.keys.ca_certificate())
    assert report.ok
    assert [(check.field_name, check.signer_user) for check in report.signatures] == [
        ("exporter", user)]


def assert_register_rows(desk: Desk, register: str, rows: list, result) -> None:
    """An exported table: the register's header, then ``result.rows`` rows."""
    assert list(rows[0]) == desk.exports.source(register).header()
    assert len(rows) - 1 == result.rows


def xlsx_rows(path: Path) -> list[tuple]:
    """The rows of a workbook's first sheet, as values."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return list(book.active.iter_rows(values_only=True))
    finally:
        book.close()
