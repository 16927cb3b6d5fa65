"""Audit page (issue 11): Verify reports this desk's checkpoints with the chain's verdict,
"Check against files…" takes signed checkpoints and exports, "Sign checkpoint…" signs one."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from desk_app.domain.clock import iso_utc
from desk_app.store import audit_chain
from desk_app.ui.audit.page import AuditPage
from tests.gui.conftest import DEMO_PASSWORD, shown


@pytest.fixture(autouse=True)
def checkpoint_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))


@pytest.fixture
def page(qtbot, demo_desk, admin_actor) -> AuditPage:
    return shown(qtbot, AuditPage(demo_desk, admin_actor))


def _verified(qtbot, page, anchors=None):
    with qtbot.waitSignal(page.verify_done, timeout=20_000) as blocker:
        if anchors is None:
            page.verify_button.click()
        else:
            page.verify_anchors(anchors)
    qtbot.waitUntil(lambda: page.result_box is not None and page.result_box.isVisible())
    return blocker.args[0], page.result_box


def _truncate(desk, keep: int) -> None:
    db = desk.ctx.db
    with db.atomic():
        db.execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        db.execute_sql(f"DELETE FROM audit_entry WHERE seq > {int(keep)}")


def test_verify_reports_the_checkpoints_it_checked(qtbot, page):
    report, box = _verified(qtbot, page)
    assert report.ok and report.anchors
    assert box.text().startswith("Audit trail intact:")
    assert "Checked against" in box.informativeText() and "0 failed" in box.informativeText()
    assert box.icon() == QMessageBox.Icon.Information
    box.accept()


def test_verify_says_broken_when_the_newest_entries_were_deleted(qtbot, page, demo_desk,
                                                                 admin_actor):
    head, _hash = demo_desk.audit.head(admin_actor)
    _truncate(demo_desk, head - 5)
    report, box = _verified(qtbot, page)
    assert not report.ok and report.chain_ok
    assert box.text().startswith("Audit trail BROKEN:")
    assert box.icon() == QMessageBox.Icon.Critical
    assert "removed from its end" in box.informativeText()
    assert "removed from its end" in box.detailedText()
    box.accept()


def test_a_recorded_restore_is_shown_as_a_warning(qtbot, page, demo_desk, admin_actor):
    replaced = demo_desk.audit.head(admin_actor)
    _truncate(demo_desk, replaced[0] - 3)  # what restoring an older backup does
    backup_head = audit_chain.head()
    with demo_desk.ctx.db.atomic():
        audit_chain.append(at=iso_utc(demo_desk.now()), actor="admin", action="backup.restore",
                           entity="database", entity_id=None,
                           after={"replaced_head": list(replaced),
                                  "backup_head": list(backup_head), "lost_entries": 3,
                                  "forced": True, "reason": "disk died"})
    report, box = _verified(qtbot, page)
    assert report.ok and report.notices
    assert box.icon() == QMessageBox.Icon.Warning
    assert "disk died" in box.detailedText() and "1 with a notice" in box.informativeText()
    box.accept()


def test_sign_a_checkpoint_then_check_the_trail_against_it(qtbot, page, demo_desk, tmp_path):
    out = tmp_path / "checkpoint.pdf"
    page.sign_checkpoint(out)
    signing = page.sign_dialog
    assert signing is not None and signing.isVisible() and not signing.pad.isVisible()
    assert str(out) in signing.prompt_label.text()

    signing.password_edit.setText("wrong password")
    with qtbot.waitSignal(page.checkpoint_done, timeout=20_000) as failed:
        signing.ok_button.click()
    assert failed.args == [None] and not out.exists()
    qtbot.waitUntil(lambda: page.sign_dialog is signing and signing.isVisible())
    assert signing.password_error.isVisible()

    signing.password_edit.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(page.checkpoint_done, timeout=20_000) as done:
        signing.ok_button.click()
    result = done.args[0]
    assert result is not None and out.is_file() and result.path == out
    assert page.sign_dialog is None  # the password is not kept
    qtbot.waitUntil(lambda: page.checkpoint_box is not None and page.checkpoint_box.isVisible())
    assert f"entry {result.seq}" in page.checkpoint_box.text()
    page.checkpoint_box.accept()
    assert page.model.row(0)["action"] == "audit.checkpoint"  # the list was refreshed

    report, box = _verified(qtbot, page, anchors=[out])
    assert report.ok and str(out) in {check.anchor.source for check in report.anchors}
    box.accept()

    _truncate(demo_desk, result.seq - 1)
    report, box = _verified(qtbot, page, anchors=[out])
    assert not report.ok
    assert any(check.anchor.source == str(out) and not check.passed for check in report.anchors)
    assert str(out) in box.detailedText()
    box.accept()


def test_an_unreadable_anchor_file_is_an_error_not_a_verdict(qtbot, page, tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    with qtbot.waitSignal(page.verify_done, timeout=20_000) as blocker:
        page.verify_anchors([junk])
    assert blocker.args == [None]
    assert page.verify_button.isEnabled() and page.anchors_button.isEnabled()
