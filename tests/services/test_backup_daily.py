"""The program's daily backup (issue 14): at most one a day by any desk, recorded like a
manual backup, old ones pruned beyond the number kept — only its own files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from desk_app.domain.errors import PermissionDenied
from desk_app.domain.users import SYSTEM, Actor
from desk_app.services.backup import DAILY_ACTOR, DAILY_PATTERN
from desk_app.store import audit_chain
from desk_app.store.models import AuditEntry
from tests.conftest import add_user

DAY = date(2026, 11, 2)


def daily_entries() -> list[dict]:
    rows = AuditEntry.select().where(AuditEntry.action == "backup.create").order_by(AuditEntry.seq)
    found = []
    for row in rows:
        after = json.loads(row.change)["after"]
        if after.get("daily"):
            found.append({"actor": row.actor, **after})
    return found


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "daily"


@pytest.fixture
def daily_on(desk, admin, folder):
    desk.settings.set_many(admin, {"backup_daily": "yes", "backup_keep": 2,
                                   "backup_folder": str(folder)})
    return admin


def test_off_by_default_nothing_is_written(desk, admin, folder):
    assert desk.settings.value("backup_daily") == "no"
    result = desk.backups.daily_backup(admin)
    assert result.path is None and result.reason == "off"
    assert daily_entries() == []


def test_one_backup_a_day_recorded_like_a_manual_one(desk, daily_on, folder):
    clerk = add_user(desk, daily_on, "wangfang", "clerk", "王芳")
    first = desk.backups.daily_backup(clerk, DAY)  # a clerk's session runs it
    assert first.path is not None and first.path.parent == folder and first.path.is_file()
    assert DAILY_PATTERN.match(first.path.name)
    assert first.path.name.endswith("-20261102.db")
    entries = daily_entries()
    assert len(entries) == 1
    assert entries[0]["actor"] == DAILY_ACTOR == "system"
    assert entries[0]["session_of"] == "wangfang" and entries[0]["file"] == str(first.path)
    again = desk.backups.daily_backup(daily_on, DAY)  # any desk, the same day
    assert again.path is None and again.reason == "done"
    assert len(daily_entries()) == 1
    assert sorted(folder.iterdir()) == [first.path]
    # recorded like a manual backup: it restores without force
    plan = desk.backups.restore_plan(daily_on, first.path)
    assert plan.recorded and not plan.needs_force


def test_old_daily_backups_beyond_keep_are_deleted_only_its_own(desk, daily_on, folder, clock):
    folder.mkdir()
    prefix = audit_chain.ensure_database_id()[:8]
    other_db = "0" * 8 if prefix != "0" * 8 else "1" * 8
    foreign = [folder / f"desk-daily-{other_db}-20261001.db", folder / "notes.db",
               folder / f"desk-daily-{prefix}-2026110.db", folder / "desk-backup-20261001.db"]
    for path in foreign:
        path.write_bytes(b"not ours")
    made = []
    for _day in range(4):
        result = desk.backups.daily_backup(daily_on)  # today by the standard clock
        assert result.path is not None
        made.append(result.path)
        assert desk.backups.daily_backup(daily_on).reason == "done"
        clock.advance(days=1)
    kept = desk.backups.daily_files()
    assert kept == made[-2:]  # backup_keep = 2: the two newest
    assert all(not path.exists() for path in made[:2])
    assert all(path.read_bytes() == b"not ours" for path in foreign)
    assert daily_entries()[-1]["pruned"] == [made[1].name]
    assert daily_entries()[-1]["keep"] == 2


def test_the_daily_backup_needs_a_signed_in_session(desk, daily_on):
    with pytest.raises(PermissionDenied):
        desk.backups.daily_backup(SYSTEM, DAY)
    with pytest.raises(PermissionDenied):
        desk.backups.daily_backup(Actor(None, "nobody", frozenset()), DAY)
    assert daily_entries() == []


def test_default_folder_is_beside_a_sqlite_database(desk, admin):
    if desk.ctx.url.backend != "sqlite":
        pytest.skip("SQLite only")
    assert desk.backups.daily_folder() == Path(desk.ctx.url.path).resolve().parent / "backups"


def test_a_cancelled_backup_leaves_no_file_and_no_record(desk, admin, tmp_path):
    target = tmp_path / "cancelled.db"
    seen = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return done == 0  # cancel once the snapshot is written

    before = AuditEntry.select().count()
    with pytest.raises(InterruptedError):
        desk.backups.backup(admin, target, progress=progress)
    assert seen == [0, 1]
    assert not target.exists() and not list(tmp_path.glob("cancelled.db*"))
    assert AuditEntry.select().count() == before
