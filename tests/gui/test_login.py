"""The sign-in dialog and the session: wrong password stays, right one opens the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desk_app.i18n import _
from desk_app.ui.app import Session
from desk_app.ui.login import LoginDialog
from desk_app.ui.main_window import MainWindow

from .conftest import DEMO_PASSWORD, sign_in


@pytest.fixture
def login(qtbot, demo_desk) -> LoginDialog:
    dialog = LoginDialog(demo_desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_credentials(qtbot, dialog: LoginDialog, name: str, password: str) -> None:
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


def test_wrong_password_shows_message_and_stays(qtbot, login):
    type_credentials(qtbot, login, "wangfang", "wrong-password")

    assert login.isVisible()
    assert login.actor is None
    assert login.error_label.isVisible()
    assert login.error_label.text() == (
        "Unknown user or wrong password. After repeated failures, wait a few minutes.")
    assert login.password_edit.text() == ""
    assert login.name_edit.text() == "wangfang"


def test_empty_name_is_refused_without_calling_the_service(qtbot, login):
    qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
    assert login.error_label.text() == "Enter your user name."
    assert login.isVisible()


def test_correct_password_signs_in(qtbot, login):
    with qtbot.waitSignal(login.accepted):
        type_credentials(qtbot, login, "wangfang", DEMO_PASSWORD)
    assert login.result() == QDialog.DialogCode.Accepted
    assert login.actor is not None and login.actor.name == "wangfang"
    assert login.password_edit.text() == ""


def test_escape_quits(qtbot, login):
    with qtbot.waitSignal(login.rejected):
        qtbot.keyClick(login.name_edit, Qt.Key.Key_Escape)
    assert login.actor is None


def test_password_is_hidden_and_database_shown(login, demo_desk):
    assert login.password_edit.echoMode() == login.password_edit.EchoMode.Password
    assert login.database_label.text() == demo_desk.ctx.url.display()


def test_language_combo_retranslates_at_once(qtbot, login):
    login.language_combo.setCurrentIndex(login.language_combo.findData("zh_CN"))
    assert login.sign_in_button.text() == _("Sign in")  # _ now translates to zh_CN
    assert login.name_label.text() == _("&User name:")
    login.language_combo.setCurrentIndex(login.language_combo.findData("en"))
    assert login.sign_in_button.text() == "Sign in"


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        ("wangfang", {"today", "archive", "loans"}, {"admin", "audit"}),
        ("admin", {"today", "admin", "audit"}, {"archive", "loans"}),
        ("chenjing", {"audit", "archive"}, {"admin"}),
    ],
)
def test_main_window_shows_only_allowed_pages(qtbot, demo_desk, name, present, absent):
    window = MainWindow(demo_desk, sign_in(demo_desk, name), idle_ms=3_600_000)
    qtbot.addWidget(window)
    shown = set(window.areas)
    assert present <= shown
    assert not absent & shown
    assert window.nav.count() == len(window.areas) == window.stack.count()
    assert name in window.user_status.text()


def test_session_opens_database_after_login_window_then_switches_user(qtbot, demo_desk, sqlite_url):
    session = Session(sqlite_url, language="en", idle_ms=3_600_000)
    session.show_login()
    login = session.login
    assert login is not None and not login.sign_in_button.isEnabled()
    assert session.open_database()
    assert login.sign_in_button.isEnabled()
    type_credentials(qtbot, login, "admin", DEMO_PASSWORD)
    window = session.window
    assert window is not None and window.isVisible()
    assert "admin" in window.areas

    window.switch_action.trigger()
    assert session.window is None
    assert session.login is not None and session.login.isVisible()
    assert session.login.name_edit.text() == "admin"  # the last name is kept
    type_credentials(qtbot, session.login, "wangfang", DEMO_PASSWORD)
    assert session.window is not None and session.window.actor.name == "wangfang"
    assert "admin" not in session.window.areas
    session.window.close()
    session.close()


def test_while_the_sign_in_window_waits_the_main_window_is_readied(qtbot, demo_desk, sqlite_url,
                                                                   monkeypatch):
    """Issue 17: the pages' modules and Qt's types load while the user types (ui/preload.py);
    signing in stops it, and a sign-in before it is done still works."""
    import itertools
    import sys

    from desk_app.ui import preload

    for name in ("desk_app.ui.admin.page", "desk_app.ui.audit.page"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    session = Session(sqlite_url, language="en", idle_ms=3_600_000)
    session.show_login()
    assert session.preloader is None  # nothing before the database is open
    assert session.open_database()
    loader = session.preloader
    assert loader is not None
    qtbot.waitUntil(lambda: loader.finished, timeout=30_000)
    assert "desk_app.ui.admin.page" in loader.done and "desk_app.ui.admin.page" in sys.modules
    assert "PySide6.QtWidgets types" in loader.done

    # Steps that never run out: only the sign-in can stop this one. (Hundreds of real but
    # already-loaded steps could all run while the keys are typed on a fast machine.)
    monkeypatch.setattr(preload, "steps",
                        lambda modules: itertools.repeat(("nothing", lambda: None)))
    session.preloader = None
    session._preload()  # a fresh one, stopped by the sign-in
    qtbot.waitUntil(lambda: len(session.preloader.done) >= 1)
    type_credentials(qtbot, session.login, "admin", DEMO_PASSWORD)
    assert session.window is not None and not session.preloader.finished
    steps_at_sign_in = len(session.preloader.done)
    qtbot.wait(100)
    assert len(session.preloader.done) == steps_at_sign_in
    session.window.close()
    session.close()
