"""The Admin page's Backups tab (issue 11): a restore shows its plan — what would be lost,
the problems — before anything happens, and a restore that needs force asks for the reason
(required) first."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from desk_app.store import audit_chain
from desk_app.store.models import AuditEntry, User
from desk_app.ui.admin.backups_panel import BackupsPanel, RestoreDialog
from desk_app.ui.admin.page import AdminPage
from tests.gui.conftest import shown
from tests.services.test_restore_chain import edit_backup


@pytest.fixture
def page(qtbot, demo_desk, admin_actor) -> AdminPage:
    page = shown(qtbot, AdminPage(demo_desk, admin_actor))
    page.tabs.setCurrentWidget(page.backups)
    return page


@pytest.fixture
def panel(page) -> BackupsPanel:
    return page.backups


def plan_dialog(qtbot, panel: BackupsPanel, path) -> RestoreDialog:
    """Restore… with ``path``: the plan is read in a background job, then the dialog."""
    panel.restore(path)
    qtbot.waitUntil(lambda: panel.open_dialog is not None, timeout=20_000)
    dialog = panel.open_dialog
    assert isinstance(dialog, RestoreDialog)
    qtbot.waitExposed(dialog)
    return dialog


def wait_restored(qtbot, panel: BackupsPanel) -> None:
    qtbot.waitUntil(lambda: panel.job is not None and panel.job.outcome is not None,
                    timeout=30_000)
    assert panel.job.outcome == "success"


def last_after() -> dict:
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert entry.action == "backup.restore"
    return json.loads(entry.change)["after"]


def test_an_older_backup_shows_what_is_lost_and_needs_a_reason(qtbot, panel, demo_desk,
                                                               admin_actor, tmp_path):
    backup = demo_desk.backups.backup(admin_actor, tmp_path / "monday.db")
    demo_desk.users.add(admin_actor, "newclerk", "secret-pass-1", "clerk")
    head = audit_chain.head()

    dialog = plan_dialog(qtbot, panel, backup)
    summary = dialog.summary.text()
    assert "Entries that would be lost: 2" in summary and "user.add × 1" in summary
    assert "older" in summary and "Made by this database: yes" in summary
    assert "would lose 2 audit entries" in dialog.problems.text()
    assert dialog.ok_button.text() == "Restore anyway"
    reason = dialog.widgets["reason"]
    assert isinstance(reason, QLineEdit)

    dialog.ok_button.click()  # no reason: refused at the field, the dialog stays
    assert dialog.isVisible()
    assert "reason" in dialog.field_errors["reason"].text()
    assert audit_chain.head() == head

    qtbot.keyClicks(reason, "undo the test account")
    qtbot.keyClick(reason, Qt.Key.Key_Return)
    wait_restored(qtbot, panel)
    assert User.get_or_none(User.name == "newclerk") is None
    after = last_after()
    assert after["forced"] is True and after["reason"] == "undo the test account"
    assert after["replaced_head"] == list(head) and after["lost_entries"] == 2
    assert panel.last_box is not None and "restored" in panel.last_box.text()
    panel.last_box.close()


def test_a_fresh_backup_restores_without_a_reason(qtbot, panel, demo_desk, admin_actor,
                                                 tmp_path):
    backup = demo_desk.backups.backup(admin_actor, tmp_path / "now.db")
    dialog = plan_dialog(qtbot, panel, backup)
    assert "reason" not in dialog.widgets
    assert "needs no force" in dialog.problems.text()
    assert "backup.create × 1" in dialog.summary.text()
    assert dialog.ok_button.text() == "Restore"
    dialog.ok_button.click()
    wait_restored(qtbot, panel)
    assert last_after()["forced"] is False
    panel.last_box.close()


def test_an_edited_backup_names_the_problem_and_cancel_changes_nothing(qtbot, panel, demo_desk,
                                                                      admin_actor, tmp_path):
    backup = demo_desk.backups.backup(admin_actor, tmp_path / "nightly.db")
    edit_backup(backup, delete_seq=3)  # and the chain recomputed after it
    head = audit_chain.head()
    dialog = plan_dialog(qtbot, panel, backup)
    problems = dialog.problems.text()
    assert "no record of making this backup" in problems and "differs" in problems
    assert "Made by this database: no record of it." in dialog.summary.text()
    dialog.reject()
    qtbot.waitUntil(lambda: panel.open_dialog is None)
    assert audit_chain.head() == head
    assert panel.job is not None and panel.job.outcome == "success"  # only the plan ran


def test_the_backups_tab_is_on_the_admin_page(qtbot, demo_desk, admin_actor):
    page = shown(qtbot, AdminPage(demo_desk, admin_actor))
    labels = [page.tabs.tabText(index) for index in range(page.tabs.count())]
    assert "&Backups" in labels
    assert page.backups.buttons["restore"].isEnabled()


def test_back_up_writes_the_file_in_the_background(qtbot, panel, tmp_path):
    target = tmp_path / "gui-backup.db"
    panel.back_up(target)
    qtbot.waitUntil(lambda: panel.job is not None and panel.job.outcome is not None,
                    timeout=20_000)
    assert panel.job.outcome == "success" and target.is_file()
    assert panel.last_box is not None and str(target) in panel.last_box.text()
    panel.last_box.close()
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert entry.action == "backup.create"
