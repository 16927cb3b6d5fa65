"""Audit page: filters narrow the rows; Verify runs in a worker and reports."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.store.audit_chain import AuditFilter
from desk_app.ui.audit.page import AuditPage
from tests.gui.conftest import shown


@pytest.fixture
def page(qtbot, demo_desk, admin_actor) -> AuditPage:
    return shown(qtbot, AuditPage(demo_desk, admin_actor))


def test_lists_the_whole_trail_newest_first(page, demo_desk, admin_actor):
    total = demo_desk.audit.count(admin_actor, AuditFilter())
    assert page.model.rowCount() == total
    assert page.count_label.text() == f"{total} entries"
    assert int(page.model.data(page.model.index(0, 0))) == total


def test_actor_and_action_filters_narrow_the_rows(page, demo_desk, admin_actor):
    total = page.model.rowCount()
    page.actor_combo.setCurrentIndex(page.actor_combo.findData("admin"))
    expected = demo_desk.audit.count(admin_actor, AuditFilter(actor="admin"))
    assert 0 < page.model.rowCount() == expected < total
    assert {page.model.row(row)["actor"] for row in range(page.model.rowCount())} == {"admin"}

    page.action_combo.setCurrentIndex(page.action_combo.findData("auth.login"))
    both = demo_desk.audit.count(admin_actor, AuditFilter(actor="admin", action="auth.login"))
    assert page.model.rowCount() == both
    assert {page.model.row(row)["action"] for row in range(both)} == {"auth.login"}

    page.actor_combo.setCurrentIndex(0)  # "All"
    page.action_combo.setCurrentIndex(0)
    assert page.model.rowCount() == total


def test_period_filter(page, clock):
    total = page.model.rowCount()
    day = clock.now().date()  # the demo data was written at the fixture clock's time
    page.since_edit.set_value(day)
    page.until_edit.set_value(day)
    page.period_check.setChecked(True)
    assert page.model.rowCount() == total
    page.since_edit.set_value(date(2030, 1, 1))
    page.until_edit.set_value(date(2030, 1, 31))
    assert page.model.rowCount() == 0
    page.until_edit.line_edit.setText("2030-02-30")  # not a day: the list stays, the reason shows
    assert page.model.rowCount() == 0
    assert "28 days" in page.count_label.text()
    page.period_check.setChecked(False)
    assert page.model.rowCount() == total
    assert date(2030, 1, 1) == page.since_edit.value()


def test_verify_reports_intact(qtbot, page, demo_desk, admin_actor):
    with qtbot.waitSignal(page.verify_done, timeout=10_000) as blocker:
        page.verify_button.click()
    report = blocker.args[0]
    assert report.ok
    count, head = demo_desk.audit.head(admin_actor)
    assert report.count == count and report.head_hash == head
    qtbot.waitUntil(lambda: page.result_box is not None and page.result_box.isVisible())
    assert page.result_box.text() == (
        f"Audit trail intact: {count} entries, head hash {head}.")
    assert page.verify_button.isEnabled()
    page.result_box.accept()


def test_verify_can_be_cancelled(qtbot, page, monkeypatch):
    from desk_app.store import audit_chain
    from desk_app.ui.audit import page as audit_page

    class CancelledAtOnce(audit_page.Job):
        """As if Cancel was clicked before the first progress report (no race)."""

        def start(self):
            self.cancel()
            return super().start()

    monkeypatch.setattr(audit_chain, "VERIFY_BATCH", 1)  # progress after every entry
    monkeypatch.setattr(audit_page, "Job", CancelledAtOnce)
    with qtbot.waitSignal(page.verify_done, timeout=10_000) as blocker:
        page.verify()
    assert blocker.args == [None]
    assert page.job is None and page.verify_button.isEnabled()


def test_entries_read_as_sentences_with_a_field_table(qtbot, page, demo_desk, admin_actor):
    """No `auth.login`, no user names, no dicts: the trail reads in words, and the selected
    entry's change is a field / old / new table."""
    page.action_combo.setCurrentIndex(page.action_combo.findData("user.add"))
    assert page.action_combo.currentText() == "User added"
    texts = [page.model.data(page.model.index(row, 4)) for row in range(page.model.rowCount())]
    assert "System added the user 王芳 (wangfang) as Clerk" in texts
    assert not any("{" in text or "user.add" in text for text in texts)
    row = texts.index("System added the user 王芳 (wangfang) as Clerk")
    page.table.setCurrentIndex(page.model.index(row, 0))
    assert page.details.sentence_label.text().endswith("System added the user 王芳 (wangfang) as Clerk")
    table = page.details.table
    cells = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
             for r in range(table.rowCount())}
    assert cells["Full name"] == ("", "王芳") and cells["Roles"] == ("", "Clerk")
    page.actor_combo.setCurrentIndex(page.actor_combo.findData("wangfang"))
    assert page.actor_combo.currentText() == "王芳"


def test_a_changed_setting_shows_old_and_new(qtbot, page, demo_desk, admin_actor):
    demo_desk.settings.set(admin_actor, "company_name", "華南物業")
    page.refresh()
    assert page.model.data(page.model.index(0, 2)) == "系统管理员"
    assert page.model.data(page.model.index(0, 4)) == \
        "系统管理员 changed the settings: Company name"
    page.table.setCurrentIndex(page.model.index(0, 0))
    table = page.details.table
    assert [table.item(0, c).text() for c in range(3)] == ["Company name", "示例物业服务有限公司",
                                                           "華南物業"]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_page_fits_a_1366_screen_beside_the_navigation(qtbot, demo_desk, auditor_actor,
                                                       language):
    from desk_app.ui.language import apply_language

    apply_language(language)
    try:
        page = shown(qtbot, AuditPage(demo_desk, auditor_actor))
        assert page.minimumSizeHint().width() <= 1100
    finally:
        apply_language("en")
