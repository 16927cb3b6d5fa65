"""Start the GUI: application, crash handling, fonts, database, language, sign-in loop.

Only QtCore/QtGui/QtWidgets and the login dialog are imported before the sign-in
window is on screen; the main window and its pages follow after a successful sign-in.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desk_app import APP_NAME
from desk_app.domain.errors import DeskError
from desk_app.i18n import _
from desk_app.logs import log_file
from desk_app.resources import cjk_font_path

log = logging.getLogger(__name__)
_STARTED = time.perf_counter()
EXIT_AFTER_LOGIN_SHOWN = "DESK_EXIT_AFTER_LOGIN_SHOWN"
EXIT_DATABASE = 2


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName("desk_app")
    return app  # type: ignore[return-value]


def install_cjk_font() -> str | None:
    """Register the shipped CJK font as the fallback for Han script (and substitutions)."""
    path = cjk_font_path()
    if not path.exists():
        log.warning("CJK font missing: %s", path)
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("CJK font could not be loaded: %s", path)
        return None
    family = families[0]
    # Han characters missing from the platform font fall back to the shipped one: as the
    # second family of the application font, and as substitution of the usual families.
    font = QGuiApplication.font()
    default_family = font.family()
    if family not in font.families():
        font.setFamilies([*font.families(), family] if font.families() else [default_family, family])
        QGuiApplication.setFont(font)
    for name in {default_family, "Sans Serif", "DejaVu Sans", "Helvetica", "Arial"}:
        if family not in QFont.substitutes(name):
            QFont.insertSubstitution(name, family)
    return family


def install_excepthook() -> None:
    """Log unexpected exceptions, then show a crash dialog with copyable details."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.error("unexpected error", exc_info=(kind, error, tb))
        if isinstance(error, DeskError):
            from desk_app.ui.errors import show_error

            show_error(QApplication.activeWindow(), error)
            return
        details = "".join(traceback.format_exception(kind, error, tb))
        try:
            from desk_app.ui.errors import crash_dialog

            crash_dialog(details, str(log_file())).exec()
        except Exception:  # the crash dialog itself must never crash the app
            log.exception("could not show the crash dialog")

    sys.excepthook = hook


def open_database(url: str):
    """The Desk, or None after telling the user why it cannot be opened."""
    from desk_app.desk import Desk

    try:
        return Desk.open(url)
    except DeskError as error:
        log.error("cannot open the database %s: %s", url, error)
        box = QMessageBox(QMessageBox.Icon.Critical, _("Cannot open the database"), str(error),
                          QMessageBox.StandardButton.Ok)
        box.setInformativeText(_("Start desk-app with --db URL to choose another database, or "
                                 "create one with: desk-app init --admin NAME"))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()
        return None


class Session(QObject):
    """Sign-in → main window → (switch user → sign-in → new main window)… → quit."""

    def __init__(self, desk, idle_ms: int | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.idle_ms = idle_ms
        self.login = None
        self.window = None
        self.last_name = ""

    def show_login(self) -> None:
        from desk_app.ui.login import LoginDialog

        self.login = dialog = LoginDialog(self.desk, name=self.last_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._signed_in)
        dialog.rejected.connect(self.quit)
        dialog.show()

    def _signed_in(self) -> None:
        from desk_app.ui.main_window import MainWindow

        dialog, self.login = self.login, None
        assert dialog is not None and dialog.actor is not None
        actor = dialog.actor
        self.last_name = actor.name
        log.info("%s signed in", actor.name)
        self.window = window = MainWindow(self.desk, actor, idle_ms=self.idle_ms)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.switch_user.connect(self._switch_user)
        window.quit_requested.connect(self.quit)
        window.show()

    def _switch_user(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            log.info("%s signed out", window.actor.name)
            window.close()
            window.deleteLater()
        self.show_login()

    def quit(self) -> None:
        QApplication.quit()


def run_gui(url: str, language: str | None = None) -> int:
    app = make_application()
    app.setQuitOnLastWindowClosed(False)  # the session decides when the app ends
    install_excepthook()
    install_cjk_font()
    desk = open_database(url)
    if desk is None:
        return EXIT_DATABASE
    from desk_app.ui.language import apply_language

    if not language:
        try:
            language = str(desk.settings.value("language"))
        except DeskError:
            language = None
    apply_language(language)
    session = Session(desk)
    session.show_login()
    if os.environ.get(EXIT_AFTER_LOGIN_SHOWN) == "1":
        app.processEvents()
        print(f"login shown after {time.perf_counter() - _STARTED:.3f} s "
              "(since desk_app.ui.app was imported)", flush=True)
        desk.close()
        return 0
    try:
        return app.exec()
    finally:
        desk.close()
        log.info("GUI closed")
