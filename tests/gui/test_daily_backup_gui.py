"""The Admin page's daily-backup box and the running program's daily backup (issue 14)."""

from __future__ import annotations

from desk_app.ui.admin.backups_panel import BackupsPanel
from desk_app.ui.main_window import MainWindow
from tests.gui.conftest import shown

HOUR = 3_600_000


def test_the_backups_tab_says_whether_the_daily_backup_is_on(qtbot, demo_desk, admin_actor,
                                                              tmp_path):
    panel = shown(qtbot, BackupsPanel(demo_desk, admin_actor))
    assert panel.buttons["backup"].text() == "Back up &now…"
    assert panel.daily_status.text().startswith("Off:")
    assert panel.daily_list.item(0).text() == "(no daily backup yet)"
    demo_desk.settings.set_many(admin_actor, {"backup_daily": "yes", "backup_keep": 3,
                                              "backup_folder": str(tmp_path / "daily")})
    demo_desk.backups.daily_backup(admin_actor)
    panel.refresh()
    assert panel.daily_status.text().startswith("On:")
    assert str(tmp_path / "daily") in panel.daily_status.text()
    assert "newest 3" in panel.daily_status.text()
    assert panel.daily_list.count() == 1
    assert panel.daily_list.item(0).text().startswith("desk-daily-")


def test_yes_no_settings_read_in_words(qtbot, demo_desk, admin_actor):
    from desk_app.ui.admin.settings_form import SettingsForm

    form = shown(qtbot, SettingsForm(demo_desk, admin_actor))
    combo = form.editors["backup_daily"]
    assert [combo.itemText(i) for i in range(combo.count())] == ["Yes", "No"]
    assert combo.currentData() == "no"


def test_the_running_program_makes_the_daily_backup_once(qtbot, demo_desk, admin_actor,
                                                          clerk_actor, tmp_path):
    folder = tmp_path / "daily"
    demo_desk.settings.set_many(admin_actor, {"backup_daily": "yes",
                                              "backup_folder": str(folder)})
    window = MainWindow(demo_desk, clerk_actor, idle_ms=HOUR)  # a clerk's session
    qtbot.addWidget(window)
    runner = window.daily_backup
    assert runner.check()  # the first chance after start
    qtbot.waitUntil(lambda: runner.job is not None and runner.job.outcome is not None,
                    timeout=30_000)
    assert runner.job.outcome == "success"
    assert runner.result.path is not None and runner.result.path.parent == folder
    assert "Daily backup written to" in window.statusBar().currentMessage()
    assert not runner.check()  # settled for today: no second job
    assert len(list(folder.iterdir())) == 1
