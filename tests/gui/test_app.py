"""Start-up helpers: crash hook, CJK font, Qt's own translations, database errors."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from desk_app.ui import app as app_module
from desk_app.ui.errors import crash_dialog
from desk_app.ui.language import apply_language


def test_excepthook_logs_and_shows_copyable_details(monkeypatch, caplog):
    shown = []

    class FakeBox:
        def __init__(self, details, path):
            shown.append(details)

        def exec(self):
            return 0

    monkeypatch.setattr("desk_app.ui.errors.crash_dialog", FakeBox)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_module.install_excepthook()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        kind, error, tb = sys.exc_info()
    with caplog.at_level(logging.ERROR):
        sys.excepthook(kind, error, tb)
    assert "RuntimeError: boom" in shown[0] and "Traceback" in shown[0]
    assert any(record.exc_info and record.exc_info[1] is error for record in caplog.records)


def test_crash_dialog_has_details():
    box = crash_dialog("Traceback …", "/tmp/desk_app.log")
    assert box.detailedText() == "Traceback …"
    assert "/tmp/desk_app.log" in box.informativeText()
    box.deleteLater()


def test_cjk_font_is_a_fallback_of_the_application_font(qapp):
    family = app_module.install_cjk_font()
    assert family
    assert family in QFontDatabase.families()
    assert family in QGuiApplication.font().families()


def test_qt_translations_are_installed_for_chinese(qapp):
    apply_language("zh_CN")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") != "Cancel"
    apply_language("en")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_unusable_database_is_reported_not_raised(monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    assert app_module.open_database(f"sqlite:///{tmp_path / 'missing.db'}") is None
    assert "No database at" in shown[0]
    shown.clear()
    assert app_module.open_database("ftp://nowhere") is None
    assert shown


def test_the_database_opens_once_the_sign_in_window_is_painted(qtbot, sqlite_desk, sqlite_url,
                                                               monkeypatch):
    """Not on a zero-delay timer after show(): that runs before Qt's first paint of the
    window, which stayed blank while the database opened."""
    painted_when_opened = []
    real_open = app_module.Session.open_database

    def open_database(self):
        painted_when_opened.append(self.login.painted)
        return real_open(self)

    monkeypatch.setattr(app_module.Session, "open_database", open_database)
    session = app_module.Session(sqlite_url, language="en")
    session.start()
    qtbot.waitUntil(lambda: session.desk is not None)
    assert painted_when_opened == [True]
    login = session.login
    assert login is not None and login.sign_in_button.isEnabled()
    # (set through its property name, which a typo would silently miss)
    assert login.database_label.textInteractionFlags() == Qt.TextInteractionFlag.TextSelectableByMouse
    login.close()
    session.close()
