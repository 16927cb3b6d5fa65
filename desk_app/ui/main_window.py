"""The main window: navigation by area, one page per area the actor's roles allow."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QStyle,
    QWidget,
)

from desk_app.domain.area import PageSpec
from desk_app.domain.errors import DeskError
from desk_app.domain.manifest import load, pages_for
from desk_app.domain.roles import role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.logs import log_file
from desk_app.resources import resource_path
from desk_app.ui.branding import about_text, apply_display_name, product_name, window_title
from desk_app.ui.daily_backup import DailyBackupRunner
from desk_app.ui.help import HelpDialog
from desk_app.ui.lock import IdleWatcher, LockDialog
from desk_app.ui.widgets.page import Page

log = logging.getLogger(__name__)

# How often an open session looks whether another desk changed the shared settings.
SETTINGS_POLL_MS = 30_000
DAILY_BACKUP_DELAY_MS = 5_000  # after start: let the first page load first


def page_icon(widget: QWidget, page: PageSpec) -> QIcon:
    """A shipped icon file (``resources/icons/NAME.svg``) or a Qt standard icon (``SP_…``)."""
    if page.icon.endswith((".svg", ".png")):
        path = resource_path("icons", page.icon)
        if path.is_file():
            return QIcon(str(path))
        log.warning("icon file missing: %s", path)
        return widget.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
    return widget.style().standardIcon(getattr(QStyle.StandardPixmap, page.icon))


class MainWindow(QMainWindow):
    """``switch_user`` asks the session to sign in again; ``quit_requested`` ends the app."""

    switch_user = Signal()
    quit_requested = Signal()
    locked = Signal()
    unlocked = Signal()

    def __init__(self, desk, actor: Actor, idle_ms: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("main_window")
        self.settings_marker = self._settings_marker()
        self.company = str(self._setting("company_name", ""))
        apply_display_name()
        self.setWindowTitle(window_title(self.company))
        self.specs = pages_for(actor.roles)  # the area manifest's pages this user sees
        self.areas: list[str] = [spec.key for spec in self.specs]
        self.pages: dict[str, Page] = {}
        self.lock_dialog: LockDialog | None = None
        self.help_dialog: HelpDialog | None = None
        self._leaving = False
        self._idle_fixed = idle_ms

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setSpacing(2)
        self.stack = QStackedWidget()
        self.display_name = actor.label
        # Each page's icon, made once: the navigation and the Go menu show it (a standard
        # icon is drawn for the style each time it is asked for).
        self.icons = {spec.key: page_icon(self, spec) for spec in self.specs}
        for spec in self.specs:
            # Pages are built when first shown (sign-in paints one page, not seven); until
            # then an empty widget holds the page's place in the stack.
            self.stack.addWidget(QWidget())
            item = QListWidgetItem(self.icons[spec.key], _(spec.title))
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setSizeHint(QSize(0, self.fontMetrics().height() + 16))
            self.nav.addItem(item)
        self.nav.setFixedWidth(max(170, 56 + max(self.fontMetrics().horizontalAdvance(_(s.title))
                                                 for s in self.specs)))
        self.nav.currentRowChanged.connect(self._show_row)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._build_status()

        self.idle = IdleWatcher(self._idle_timeout(), self)
        self.idle.idle.connect(self.lock)
        # Settings changed at another desk (idle lock, company name) reach this session.
        self.settings_timer = QTimer(self)
        self.settings_timer.setObjectName("settings_timer")
        self.settings_timer.setInterval(SETTINGS_POLL_MS)
        self.settings_timer.timeout.connect(self.refresh_settings)
        self.settings_timer.start()
        # The daily backup: at the first chance after start, then on every tick (the day
        # may have changed); the service decides whether one is due.
        self.daily_backup = DailyBackupRunner(desk, actor, self)
        self.daily_backup.finished.connect(self._daily_backup_done)
        self.settings_timer.timeout.connect(self.daily_backup.check)
        QTimer.singleShot(DAILY_BACKUP_DELAY_MS, self.daily_backup.check)
        self.nav.setCurrentRow(0)
        self.resize(1100, 720)
        self._restore_geometry()

    # ---------------------------------------------------------------- construction

    def page(self, area: str) -> Page:
        """The page of ``area``, built (and put in its place in the stack) on first use."""
        built = self.pages.get(area)
        if built is not None:
            return built
        row = self.areas.index(area)
        page = self._make_page(self.specs[row])
        page.setObjectName(f"page_{area}")
        page.navigate.connect(self.open_view)
        page.settings_changed.connect(self._settings_saved)
        self.pages[area] = page
        holder = self.stack.widget(row)
        shown = self.stack.currentIndex()
        self.stack.insertWidget(row, page)
        if holder is not None:
            self.stack.removeWidget(holder)
            holder.deleteLater()
        self.stack.setCurrentIndex(shown)
        return page

    def _make_page(self, spec: PageSpec) -> Page:
        if spec.factory is None:
            from desk_app.ui.pages.placeholder import PlaceholderPage

            icon = self.icons.get(spec.key)
            return PlaceholderPage(_(spec.title), _(spec.description),
                                   page_icon(self, spec) if icon is None else icon)
        page: Page = load(spec.factory)(self.desk, self.actor)
        return page

    def _action(self, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None,
                name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if name:
            action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def open_import(self) -> None:
        """File → Import…: the ledger wizard (issue 16); the registers show what it brought."""
        from desk_app.ui.widgets.import_wizard import ImportWizard

        wizard = ImportWizard(self.desk, self.actor, self)
        wizard.finished.connect(lambda _result: self._refresh_current_page())
        wizard.open()

    def _refresh_current_page(self) -> None:
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            page.activated()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self.switch_action = self._action(_("&Switch user…"), self.request_switch_user,
                                          "Ctrl+Shift+U", "switch_user")
        self.lock_action = self._action(_("&Lock screen"), self.lock, "Ctrl+L", "lock")
        self.logout_action = self._action(_("Log &out"), self.request_switch_user, None, "log_out")
        self.quit_action = self._action(_("&Quit"), self.request_quit,
                                        QKeySequence(QKeySequence.StandardKey.Quit), "quit")
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.import_action = self._action(_("&Import a ledger…"), self.open_import, None,
                                          "import")
        self.import_action.setVisible(self.actor.can("import.run"))
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        for action in (self.switch_action, self.lock_action, self.logout_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        go_menu = bar.addMenu(_("&Go"))
        self.go_actions: list[QAction] = []
        for row, spec in enumerate(self.specs):
            shortcut = f"Ctrl+{row + 1}" if row < 9 else None
            action = self._action(_(spec.title), partial(self.go_to, row), shortcut,
                                  f"go_{spec.key}")
            action.setIcon(self.icons[spec.key])
            go_menu.addAction(action)
            self.go_actions.append(action)

        help_menu = bar.addMenu(_("&Help"))
        self.help_action = self._action(_("&Help for this page"), self.show_help,
                                        QKeySequence(QKeySequence.StandardKey.HelpContents),
                                        "help_page")
        if self.help_action.shortcut().isEmpty():
            self.help_action.setShortcut(QKeySequence("F1"))
        help_menu.addAction(self.help_action)
        help_menu.addSeparator()
        about = _("&About {product}").format(product=product_name().replace("&", "&&"))
        help_menu.addAction(self._action(about, self.about, None, "about"))
        help_menu.addAction(self._action(_("&Log file"), self.show_log_file, None, "log_file"))

    def _build_status(self) -> None:
        # Translators: the separator between items of a list (zh_CN: 、).
        roles = _(", ").join(role_label(role) for role in sorted(self.actor.roles))
        self.user_status = QLabel(_("Signed in: {name}").format(name=self.display_name))
        self.roles_status = QLabel(_("Roles: {roles}").format(roles=roles))
        self.database_status = QLabel(self.desk.ctx.url.display())
        self.user_status.setObjectName("status_user")
        self.roles_status.setObjectName("status_roles")
        self.database_status.setObjectName("status_database")
        for label in (self.user_status, self.roles_status, self.database_status):
            label.setContentsMargins(6, 0, 6, 0)
        status = self.statusBar()
        status.addWidget(self.user_status)
        status.addWidget(self.roles_status)
        status.addPermanentWidget(self.database_status)

    # ---------------------------------------------------------------- navigation

    def area_names(self) -> list[str]:
        return list(self.areas)

    def show_area(self, area: str) -> Page:
        self.nav.setCurrentRow(self.areas.index(area))
        return self.page(area)

    def go_to(self, row: int) -> None:
        """Keyboard navigation (Go menu): show the page and put the cursor in it."""
        self.nav.setCurrentRow(row)
        self.page(self.areas[row]).focus_first()

    def open_view(self, area: str, view: str) -> None:
        """A page sent the user to another page's view (Today's overdue box → Loans'
        Overdue tab); a page this user does not have is not shown."""
        if area in self.areas:
            self.show_area(area).show_view(view)

    def current_area(self) -> str:
        return self.areas[self.nav.currentRow()]

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        built = self.areas[row] in self.pages
        page = self.page(self.areas[row])
        self.stack.setCurrentIndex(row)
        if not built and page.loaded_when_built:
            return
        try:
            page.activated()
        except DeskError as error:
            from desk_app.ui.errors import show_error

            show_error(self, error)

    # ---------------------------------------------------------------- idle lock

    def _setting(self, key: str, default: object) -> object:
        try:
            return self.desk.settings.value(key)
        except DeskError:
            return default

    def _settings_marker(self) -> object:
        try:
            return self.desk.settings.marker()
        except DeskError:
            return None

    def _idle_timeout(self) -> int:
        if self._idle_fixed is not None:
            return self._idle_fixed
        try:
            minutes = int(self._setting("idle_lock_minutes", 5))  # type: ignore[call-overload]
        except (ValueError, TypeError):
            minutes = 5
        return max(1, minutes) * 60_000

    def _settings_saved(self, _values: dict) -> None:
        self.settings_marker = self._settings_marker()
        self.apply_settings()

    def apply_settings(self) -> None:
        """The shared settings this window shows or obeys: the idle lock and the title."""
        self.idle.set_timeout(self._idle_timeout())
        self.company = str(self._setting("company_name", ""))
        self.setWindowTitle(window_title(self.company))

    def refresh_settings(self) -> bool:
        """The timer's tick: one small query for the settings' change marker (the number of
        stored values and their last change), and the settings read again only when it
        moved. True when something was applied."""
        marker = self._settings_marker()
        if marker is None or marker == self.settings_marker:
            return False
        self.settings_marker = marker
        log.info("shared settings changed at another desk; applying them")
        self.apply_settings()
        return True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.lock_dialog is None:
            self.idle.start()

    def is_locked(self) -> bool:
        return self.lock_dialog is not None

    def lock(self) -> None:
        if self.lock_dialog is not None or self._leaving:
            return
        log.info("screen locked for %s", self.actor.name)
        self.idle.stop()
        dialog = LockDialog(self.desk, self.actor, self)
        dialog.accepted.connect(self._unlocked)
        dialog.switch_user.connect(self.request_switch_user)
        self.lock_dialog = dialog
        dialog.cover()
        self.locked.emit()

    def _unlocked(self) -> None:
        dialog, self.lock_dialog = self.lock_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        log.info("screen unlocked for %s", self.actor.name)
        self.idle.start()
        self.unlocked.emit()

    def _daily_backup_done(self, message: str) -> None:
        if message:
            self.statusBar().showMessage(message, 60_000)

    # ---------------------------------------------------------------- leaving

    def request_switch_user(self) -> None:
        if not self._pages_can_leave():
            return
        self._leave()
        self.switch_user.emit()

    def request_quit(self) -> None:
        self.close()

    def _pages_can_leave(self) -> bool:
        """Each page may keep the window for unfinished work (unsigned slips); not asked
        behind the lock screen, where the one at the desk may not be the one who lent. A page
        never built holds no work."""
        if self.lock_dialog is not None:
            return True
        return all(page.can_leave() for page in self.pages.values())

    def _leave(self) -> None:
        self._leaving = True
        self.idle.stop()
        self.settings_timer.stop()
        if self.lock_dialog is not None:
            self.lock_dialog.hide()
            self.lock_dialog.deleteLater()
            self.lock_dialog = None
        self._save_geometry()
        self.hide()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.lock_dialog is not None and not self._leaving:
            event.ignore()  # a locked window is not closed by the window manager's button
            return
        if not self._leaving:
            if not self._pages_can_leave():
                event.ignore()
                return
            self._leave()
            self.quit_requested.emit()
        event.accept()

    def _save_geometry(self) -> None:
        QSettings().setValue("main_window/geometry", self.saveGeometry())

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("main_window/geometry")
        if geometry:
            self.restoreGeometry(geometry)

    # ---------------------------------------------------------------- help

    def show_help(self) -> HelpDialog:
        """F1: the help page of the page on screen, in the user's language."""
        spec = self.specs[self.nav.currentRow()]
        dialog = HelpDialog(spec.key, _(spec.title), self)
        dialog.show()
        self.help_dialog = dialog
        return dialog

    def about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information,
                          _("About {product}").format(product=product_name()),
                          about_text(self.company), QMessageBox.StandardButton.Ok, self)
        box.setObjectName("about_box")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def show_log_file(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, _("Log file"),
                          _("The log file is:\n{path}").format(path=log_file()),
                          QMessageBox.StandardButton.Ok, self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box
