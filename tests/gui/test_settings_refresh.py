"""Settings changed at another desk reach an open session within a minute (issue 14).

Desk A is the main window of this process; desk B is a second process on the same SQLite
file (the command line, which calls the same SettingsService). The window's timer polls
the settings' change marker; the test fires the timer instead of waiting 30 s."""

from __future__ import annotations

import os
import subprocess
import sys

from desk_app.ui.main_window import SETTINGS_POLL_MS, MainWindow

DEMO_PASSWORD = "demo1234"


def desk_b(desk, *args: str) -> None:
    """Change a setting from another process (another desk) through the service."""
    env = {**os.environ, "DESK_USER": "admin", "DESK_PASSWORD": DEMO_PASSWORD, "DESK_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "desk_app", "--db", desk.ctx.url.display(),
                           "settings", "set", *args], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_idle_lock_and_company_name_changed_at_another_desk_reach_the_window(
        qtbot, demo_desk, admin_actor):
    window = MainWindow(demo_desk, admin_actor)  # idle lock from the setting (5 minutes)
    qtbot.addWidget(window)
    window.show()
    assert window.settings_timer.isActive()
    assert window.settings_timer.interval() == SETTINGS_POLL_MS <= 60_000
    assert window.idle.timeout_ms() == 5 * 60_000
    assert window.windowTitle() == "示例物业服务有限公司 — Front Desk & Archive"
    assert window.refresh_settings() is False  # nothing changed: nothing re-read

    desk_b(demo_desk, "idle_lock_minutes", "17")
    desk_b(demo_desk, "company_name", "东方物业管理有限公司")
    assert window.idle.timeout_ms() == 5 * 60_000  # not before the timer looks

    window.settings_timer.timeout.emit()  # the timer's tick
    assert window.idle.timeout_ms() == 17 * 60_000
    assert window.windowTitle() == "东方物业管理有限公司 — Front Desk & Archive"
    assert window.refresh_settings() is False


def test_settings_saved_in_this_window_are_applied_at_once(qtbot, demo_desk, admin_actor):
    window = MainWindow(demo_desk, admin_actor)
    qtbot.addWidget(window)
    form = window.page("admin").settings
    form.editors["idle_lock_minutes"].setValue(9)
    form.editors["company_name"].setText("西城物业")
    assert form.save()
    assert window.idle.timeout_ms() == 9 * 60_000
    assert window.windowTitle() == "西城物业 — Front Desk & Archive"
    assert window.refresh_settings() is False  # its own save is not news to it
