"""Idle lock: locks after the (injected) timeout; only the right password unlocks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk_app.ui.main_window import MainWindow

from .conftest import DEMO_PASSWORD


@pytest.fixture
def window(qtbot, demo_desk, admin_actor) -> MainWindow:
    widget = MainWindow(demo_desk, admin_actor, idle_ms=50)
    qtbot.addWidget(widget)
    return widget


def test_idle_locks_and_the_right_password_unlocks(qtbot, window):
    admin = window.show_area("admin")
    admin.tabs.setCurrentWidget(admin.settings)
    admin.settings.editors["company_name"].setText("typed, not saved")
    with qtbot.waitSignal(window.locked, timeout=5_000):
        window.show()
    dialog = window.lock_dialog
    assert dialog is not None and dialog.isVisible() and dialog.isModal()

    qtbot.keyClicks(dialog.password_edit, "wrong-password")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert window.is_locked() and dialog.isVisible()
    assert dialog.error_label.text() == "Wrong password. After repeated failures, wait a few minutes."
    assert dialog.password_edit.text() == ""

    window.idle.set_timeout(3_600_000)  # do not lock again while the test looks
    with qtbot.waitSignal(window.unlocked):
        qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert not window.is_locked()
    assert admin.settings.editors["company_name"].text() == "typed, not saved"
    assert window.current_area() == "admin"


def test_escape_does_not_unlock(qtbot, window):
    with qtbot.waitSignal(window.locked, timeout=5_000):
        window.show()
    qtbot.keyClick(window.lock_dialog.password_edit, Qt.Key.Key_Escape)
    assert window.is_locked()


def test_lock_offers_switch_user(qtbot, window):
    with qtbot.waitSignal(window.locked, timeout=5_000):
        window.show()
    with qtbot.waitSignal(window.switch_user):
        window.lock_dialog.switch_button.click()
    assert not window.is_locked() and not window.isVisible()


def test_input_postpones_the_lock(qtbot, demo_desk, admin_actor):
    window = MainWindow(demo_desk, admin_actor, idle_ms=300)
    qtbot.addWidget(window)
    for area in window.areas:  # built beforehand: building one takes longer than 300 ms here
        window.page(area)
    window.show()
    for _step in range(5):
        qtbot.wait(100)  # typing for 500 ms, longer than the timeout
        qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    assert not window.is_locked()
    qtbot.waitSignal(window.locked, timeout=5_000).wait()


def test_timeout_follows_the_setting(qtbot, demo_desk, admin_actor):
    window = MainWindow(demo_desk, admin_actor)
    qtbot.addWidget(window)
    assert window.idle.timeout_ms() == 5 * 60_000
    admin = window.page("admin")
    admin.settings.editors["idle_lock_minutes"].setValue(7)
    assert admin.settings.save()
    assert window.idle.timeout_ms() == 7 * 60_000
