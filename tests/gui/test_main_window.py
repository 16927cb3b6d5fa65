"""Main window: menus and shortcuts, status bar, pages, geometry, language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence

from desk_app import __version__
from desk_app.domain.manifest import pages_for
from desk_app.i18n import _
from desk_app.logs import log_file
from desk_app.ui.language import apply_language
from desk_app.ui.main_window import MainWindow

HOUR = 3_600_000


@pytest.fixture
def window(qtbot, demo_desk, admin_actor) -> MainWindow:
    widget = MainWindow(demo_desk, admin_actor, idle_ms=HOUR)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_go_menu_has_a_shortcut_per_page(window, admin_actor):
    assert window.areas == [page.key for page in pages_for(admin_actor.roles)]
    shortcuts = [action.shortcut().toString() for action in window.go_actions]
    assert shortcuts == [f"Ctrl+{n}" for n in range(1, len(window.areas) + 1)]
    window.go_actions[-1].trigger()
    assert window.stack.currentWidget() is window.page(window.areas[-1])
    assert window.current_area() == window.areas[-1]


def test_file_menu_shortcuts(window):
    assert window.switch_action.shortcut() == QKeySequence("Ctrl+Shift+U")
    assert window.lock_action.shortcut() == QKeySequence("Ctrl+L")
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")


def test_status_bar_names_user_roles_and_database(window, demo_desk):
    assert window.user_status.text() == "Signed in: 系统管理员 (admin)"
    assert window.roles_status.text() == "Roles: Administrator"
    assert window.database_status.text() == demo_desk.ctx.url.display()


def test_clerk_status_shows_the_user_name(qtbot, demo_desk, clerk_actor):
    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    assert "wangfang" in window.user_status.text()
    assert window.roles_status.text() == "Roles: Clerk"


def test_today_page_shows_recent_actions_and_audit_head(window, demo_desk, admin_actor):
    today = window.page("today")
    assert "系统管理员" in today.title_label.text()
    assert today.recent.topLevelItemCount() >= 1
    assert today.recent.topLevelItem(0).text(1) == "Sign-in"
    assert today.recent.topLevelItem(0).text(2) == "系统管理员 signed in"
    count, head = demo_desk.audit.head(admin_actor)
    assert today.audit_label.text().startswith(f"{count} entries; head hash {head[:16]}")


def _today_texts(page) -> list[str]:
    from PySide6.QtWidgets import QLabel

    labels = sorted((label.objectName(), label.text()) for label in page.findChildren(QLabel)
                    if label.objectName().startswith("today_"))
    recent = [page.recent.topLevelItem(i).text(2) for i in range(page.recent.topLevelItemCount())]
    return [f"{name}: {text}" for name, text in labels] + recent


def test_pages_are_built_when_first_shown(qtbot, demo_desk, clerk_actor):
    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    assert list(window.pages) == ["today"]
    archive = window.show_area("archive")
    assert list(window.pages) == ["today", "archive"]
    assert window.stack.currentWidget() is archive
    assert window.stack.count() == len(window.areas)
    assert window.show_area("archive") is archive  # built once


def test_today_reads_its_figures_in_the_background(qtbot, demo_desk, admin_actor,
                                                   monkeypatch):
    from desk_app.ui.pages.today import TodayPage

    at_once = TodayPage(demo_desk, admin_actor)  # background off (tests/gui/conftest.py)
    qtbot.addWidget(at_once)
    expected = _today_texts(at_once)
    monkeypatch.setattr(TodayPage, "background", True)
    window = MainWindow(demo_desk, admin_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    today = window.page("today")
    # Built without its boxes and without waiting for their figures: the boxes are built
    # and the load starts after the window's first frame.
    assert not today.boxes_built and today.loading is None
    with qtbot.waitSignal(today.loaded, timeout=30_000):
        window.show()
    assert today.loading is None
    assert _today_texts(today) == expected
    assert today.audit_label.text().startswith(at_once.audit_label.text()[:10])


def test_todays_boxes_wait_for_its_first_frame(qtbot, demo_desk, admin_actor, monkeypatch):
    """A user who opens another page before the window's first frame does not wait for
    Today's boxes; they are built when Today is first painted."""
    from desk_app.ui.pages.today import TodayPage

    monkeypatch.setattr(TodayPage, "background", True)
    window = MainWindow(demo_desk, admin_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    today = window.page("today")
    audit = window.show_area("audit")
    window.show()
    qtbot.waitUntil(lambda: audit.table.isVisible())
    qtbot.wait(50)
    assert not today.boxes_built and today.loading is None
    with qtbot.waitSignal(today.loaded, timeout=30_000):
        window.show_area("today")
    assert today.boxes_built and today.audit_box is not None and today.audit_label.text()


def test_every_page_of_the_manifest_is_a_real_page(qtbot, demo_desk, clerk_actor):
    from desk_app.ui.pages.placeholder import PlaceholderPage

    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    assert "handover" in window.areas and "keys" in window.areas
    for spec in window.specs:
        assert spec.factory is not None, spec.key
        assert not isinstance(window.page(spec.key), PlaceholderPage), spec.key
    assert window.page("handover").title_label.text() == "Handover"


def test_a_page_without_factory_says_what_comes(qtbot, demo_desk, clerk_actor):
    from desk_app.domain.area import PageSpec
    from desk_app.domain.roles import Role
    from desk_app.ui.pages.placeholder import PlaceholderPage

    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    spec = PageSpec("later", "Later area", "SP_DirIcon", frozenset({Role.CLERK}), 99,
                    description="Something a later issue builds.")
    page = window._make_page(spec)
    assert isinstance(page, PlaceholderPage)
    assert page.title_label.text() == "Later area"
    assert page.description_label.text() == "Something a later issue builds."
    page.deleteLater()


def test_lock_shortcut_locks(qtbot, window):
    with qtbot.waitSignal(window.locked):
        window.lock_action.trigger()
    assert window.is_locked()
    window.close()  # a locked window refuses to close
    assert window.isVisible()


def test_switch_user_and_log_out_signal_the_session(qtbot, window):
    with qtbot.waitSignal(window.switch_user):
        window.logout_action.trigger()
    assert not window.isVisible()


def test_about_and_log_file(window):
    about = window.about()
    assert __version__ in about.text()
    about.accept()
    box = window.show_log_file()
    assert str(log_file()) in box.text()
    box.accept()


def test_geometry_is_saved_and_restored(qtbot, demo_desk, clerk_actor):
    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    window.show()
    window.resize(760, 560)  # within the offscreen 800x600 screen
    with qtbot.waitSignal(window.quit_requested):
        window.close()
    assert QSettings().value("main_window/geometry")
    again = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (760, 560)


def test_chinese_texts(qtbot, demo_desk, admin_actor):
    apply_language("zh_CN")
    window = MainWindow(demo_desk, admin_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    assert window.nav.item(0).text() == _("Today")
    assert window.windowTitle() == _("{company} — {product}").format(
        company="示例物业服务有限公司", product=_("Front Desk & Archive"))
    assert window.roles_status.text() == _("Roles: {roles}").format(roles=_("Administrator"))
    assert window.page("audit").verify_button.text() == _("&Verify…")


# ------------------------------------------------------------- product name, help, icons


def test_the_title_and_about_box_name_the_product_not_the_package(window, demo_desk):
    assert window.windowTitle() == "示例物业服务有限公司 — Front Desk & Archive"
    assert "desk_app" not in window.windowTitle()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.applicationDisplayName() == "Front Desk & Archive"
    about = window.about()
    text = about.text()
    assert "Front Desk &amp; Archive" in text and __version__ in text
    assert "Qt " in text and "Python " in text and "Proprietary" in text
    assert "示例物业服务有限公司" in text
    assert about.windowTitle() == "About Front Desk & Archive"
    (action,) = [a for a in window.findChildren(QAction) if a.objectName() == "about"]
    assert action.text() == "&About Front Desk && Archive"  # "&&": an ampersand, no mnemonic
    about.accept()


def test_the_login_and_lock_windows_name_the_product(qtbot, demo_desk, window):
    from desk_app.ui.login import LoginDialog

    login = LoginDialog(demo_desk)
    qtbot.addWidget(login)
    assert login.windowTitle() == "Sign in — Front Desk & Archive"
    window.lock()
    assert window.lock_dialog is not None
    assert window.lock_dialog.windowTitle() == "Locked — Front Desk & Archive"


def _help_for(qtbot, window, area: str):
    window.show_area(area)
    window.activateWindow()  # shortcuts reach the active window only
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.help_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_f1_opens_the_help_of_the_page_on_screen_in_english(qtbot, window):
    assert window.help_action.shortcut() == QKeySequence("F1")
    assert window.help_action.text() == "&Help for this page"  # F1 in the shortcut column
    dialog = _help_for(qtbot, window, "audit")
    assert dialog.page == "audit" and dialog.language == "en"
    assert dialog.windowTitle() == "Help — Audit"
    assert "tamper-evident" in dialog.browser.toPlainText()
    assert "Verify" in dialog.browser.toPlainText()
    dialog.close()
    dialog = _help_for(qtbot, window, "admin")
    assert dialog.page == "admin" and "Back up now" in dialog.browser.toPlainText()


def test_f1_opens_the_help_in_chinese(qtbot, demo_desk, clerk_actor):
    apply_language("zh_CN")
    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dialog = _help_for(qtbot, window, "loans")
    assert dialog.language == "zh_CN"
    assert "借阅人" in dialog.browser.toPlainText()
    dialog.close()
    apply_language("zh_TW")  # derived from the Simplified page (OpenCC)
    dialog = _help_for(qtbot, window, "today")
    assert dialog.language == "zh_TW"
    assert "鎖定" in dialog.browser.toPlainText()


def test_every_page_has_its_help_in_english_and_chinese():
    from desk_app.domain.manifest import AREAS
    from desk_app.resources import resource_path

    keys = [page.key for area in AREAS for page in area.pages]
    for language in ("en", "zh_CN"):
        for key in keys:
            path = resource_path("help", language, f"{key}.md")
            assert path.is_file(), path
            assert path.read_text(encoding="utf-8").startswith("# "), path


def test_today_reception_and_keys_have_icons_of_their_own(window):
    from desk_app.domain.manifest import AREAS
    from desk_app.ui.main_window import page_icon

    images = {}
    for spec in (page for area in AREAS for page in area.pages):
        icon = page_icon(window, spec)
        assert not icon.isNull(), spec.key
        images[spec.key] = icon.pixmap(20, 20).toImage()
    for key in ("today", "reception", "keys"):
        assert all(images[key] != image for other, image in images.items() if other != key), key
    shown = {window.nav.item(row).data(Qt.ItemDataRole.UserRole): window.nav.item(row).icon()
             for row in range(window.nav.count())}
    assert shown["today"].pixmap(20, 20).toImage() == images["today"]
