"""Main window: menus and shortcuts, status bar, pages, geometry, language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

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
    assert window.stack.currentWidget() is window.pages[window.areas[-1]]
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
    today = window.pages["today"]
    assert "系统管理员" in today.title_label.text()
    assert today.recent.topLevelItemCount() >= 1
    assert today.recent.topLevelItem(0).text(1) == "auth.login"
    count, head = demo_desk.audit.head(admin_actor)
    assert today.audit_label.text().startswith(f"{count} entries; head hash {head[:16]}")


def test_every_page_of_the_manifest_is_a_real_page(qtbot, demo_desk, clerk_actor):
    from desk_app.ui.pages.placeholder import PlaceholderPage

    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)
    qtbot.addWidget(window)
    assert "handover" in window.pages and "keys" in window.pages
    for spec in window.specs:
        assert spec.factory is not None, spec.key
        assert not isinstance(window.pages[spec.key], PlaceholderPage), spec.key
    assert window.pages["handover"].title_label.text() == "Handover"


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
    assert window.windowTitle() == _("desk_app — front desk and archive room")
    assert window.roles_status.text() == _("Roles: {roles}").format(roles=_("Administrator"))
    assert window.pages["audit"].verify_button.text() == _("&Verify…")
