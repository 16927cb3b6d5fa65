"""Start the GUI: application, crash handling, fonts, database, language, sign-in loop.

Only what the sign-in window's first frame needs comes before it is on screen: QtCore,
QtGui and QtWidgets, the login dialog, the language and the CJK font (which sets the
dialog's line heights even in English). Not even PySide6's ``Qt`` namespace: building its
enums takes ~45 ms, a fifth of a bare PySide6 window's start. The log file, the database
and, after sign-in, the main window and its pages follow once the window shows.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from desk_app import APP_NAME
from desk_app.domain.errors import DeskError
from desk_app.i18n import _, current_language
from desk_app.logs import log_file, setup_logging
from desk_app.resources import cjk_font_path
from desk_app.ui.branding import apply_display_name

log = logging.getLogger(__name__)
_STARTED = time.perf_counter()
EXIT_AFTER_LOGIN_SHOWN = "DESK_EXIT_AFTER_LOGIN_SHOWN"
SMOKE_PAGES = "DESK_SMOKE_PAGES"  # ui/smoke.py: every page without the sign-in window
EXIT_DATABASE = 2


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    apply_display_name()  # "Front Desk & Archive" in the language chosen (again after sign-in)
    return app  # type: ignore[return-value]


def install_cjk_font() -> str | None:
    """Register the shipped CJK font as the fallback for Han script (and substitutions)."""
    from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

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


def open_database(url: str, parent=None):
    """The Desk, or None after telling the user why it cannot be opened."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from desk_app.desk import Desk

    try:
        return Desk.open(url)
    except DeskError as error:
        log.error("cannot open the database: %s", error)
        box = QMessageBox(QMessageBox.Icon.Critical, _("Cannot open the database"), str(error),
                          QMessageBox.StandardButton.Ok, parent)
        box.setInformativeText(_("Start desk-app with --db URL to choose another database, or "
                                 "create one with: desk-app init --admin NAME"))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()
        return None


class Session(QObject):
    """Sign-in → main window → (switch user → sign-in → new main window)… → quit.

    The sign-in window appears first; the database opens right after it is on screen
    (importing the database layer is the slow part of start-up). Not on a zero-delay timer
    after ``show()``: that runs before Qt's first paint of a new window, which would stay
    blank for the second the database takes to open at scale 100.
    """

    on_screen = Signal()  # the first sign-in window was painted; the database opens next

    def __init__(self, url: str, language: str | None = None, idle_ms: int | None = None) -> None:
        super().__init__()
        self.url = url
        self.language = language  # explicit (--lang / DESK_LANG): wins over the database
        self.idle_ms = idle_ms
        self.desk: Any = None
        self.login: Any = None  # the LoginDialog while one is shown
        self.window: Any = None
        self.last_name = ""
        self.exit_code = 0
        self.running = False  # set by run_gui around app.exec()
        self.preloader: Any = None  # ui/preload.py: busy while the sign-in window waits

    def start(self) -> None:
        self.show_login()
        self.login.first_painted.connect(self._login_painted)

    def _login_painted(self) -> None:
        QTimer.singleShot(0, self._login_on_screen)  # once the painted frame is flushed

    def _login_on_screen(self) -> None:
        self.on_screen.emit()
        self.open_database()

    def open_database(self) -> bool:
        if self.desk is not None:
            return True
        self.desk = open_database(self.url, self.login)
        if self.desk is None:
            self.exit_code = EXIT_DATABASE
            self.quit()
            return False
        if not self.language:
            try:
                language = str(self.desk.settings.value("language"))
            except DeskError:
                language = None
            if language and self.login is not None:
                self.login.set_language(language)
        if self.login is not None:
            self.login.set_desk(self.desk)
            self._preload()
        return True

    def _preload(self) -> None:
        """The main window's modules and Qt's types, while the user types a password."""
        from desk_app.ui.preload import Preloader

        if self.preloader is None:
            self.preloader = Preloader(parent=self)
        self.preloader.start()

    def show_login(self) -> None:
        from desk_app.ui.login import LoginDialog

        self.login = dialog = LoginDialog(self.desk, name=self.last_name)
        # Deleted once closed, as WA_DeleteOnClose would do: without the Qt namespace (see
        # the module's doc), as this runs before the first frame.
        dialog.finished.connect(dialog.deleteLater)
        dialog.accepted.connect(self._signed_in)
        dialog.rejected.connect(self.quit)
        dialog.show()

    def _signed_in(self) -> None:
        from PySide6.QtCore import Qt

        from desk_app.ui.main_window import MainWindow

        if self.preloader is not None:
            self.preloader.stop()  # what is left is imported as the window needs it
            from desk_app.ui.preload import set_aside_long_lived

            set_aside_long_lived(collect=False)
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
            self.desk.auth.sign_out(window.actor)
            window.close()
        self.show_login()
        self._preload()  # whatever was left at the first sign-in

    def quit(self) -> None:
        # Only end a running event loop: QApplication.exit() without one makes every later
        # loop return at once (it bit the GUI tests, which drive a Session without exec()).
        app = QApplication.instance()
        if app is not None and self.running:
            app.exit(self.exit_code)

    def close(self) -> None:
        if self.desk is not None:
            self.desk.close()


def run_gui(url: str, language: str | None = None) -> int:
    app = make_application()
    app.setQuitOnLastWindowClosed(False)  # the session decides when the app ends
    install_excepthook()
    install_cjk_font()
    from desk_app.ui.language import apply_language

    # Until the database is open: the explicit language, else the one the CLI chose
    # from the environment; the database's setting follows when no language was given.
    apply_language(language or current_language())
    if os.environ.get(SMOKE_PAGES) == "1":  # every page without the sign-in window, then quit
        from desk_app.ui import smoke

        setup_logging()
        return smoke.run_pages(url, language)
    session = Session(url, language)
    if os.environ.get(EXIT_AFTER_LOGIN_SHOWN) == "1":
        session.show_login()
        app.processEvents()
        print(f"login shown {time.perf_counter() - _STARTED:.3f} s after desk_app.ui.app was "
              "imported", flush=True)
        setup_logging()
        ready = session.open_database()
        app.processEvents()
        print(f"database open {time.perf_counter() - _STARTED:.3f} s after desk_app.ui.app was "
              "imported", flush=True)
        session.close()
        return 0 if ready else EXIT_DATABASE
    session.running = True  # quit() may end the loop from here on
    # The log file (logging.handlers and its imports: ~20 ms) once the window shows; what is
    # logged before is held until then (desk_app.logs.hold_records).
    session.on_screen.connect(setup_logging)
    session.start()  # shows the sign-in window; once painted, the database opens
    try:
        code = app.exec()
    finally:
        session.close()
        log.info("GUI closed")
    return code or session.exit_code
