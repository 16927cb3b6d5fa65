"""Opening, migrating, backing up and restoring the database."""

from __future__ import annotations

import sqlite3
import threading

import peewee
import pytest

from desk_app.desk import Desk
from desk_app.domain.errors import (
    Conflict,
    DatabaseUnavailable,
    NewerDatabase,
    ValidationError,
)
from desk_app.services.passwords import hash_password
from desk_app.services.signing import KeyService
from desk_app.store import migrate
from desk_app.store.models import AuditEntry, User
from tests.conftest import PASSWORD


def test_fresh_database_has_the_latest_schema_and_wal(sqlite_desk):
    db = sqlite_desk.ctx.db
    assert migrate.current_version(db) == migrate.latest_version()
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_missing_database_is_not_created_by_ordinary_commands(tmp_path):
    with pytest.raises(DatabaseUnavailable, match="desk-app init"):
        Desk.open(f"sqlite:///{tmp_path / 'none.db'}")
    assert not (tmp_path / "none.db").exists()


def test_a_file_that_is_not_a_database(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("hello, this is text")
    with pytest.raises(DatabaseUnavailable, match="not a database"):
        Desk.open(f"sqlite:///{junk}")
    assert junk.read_text() == "hello, this is text"


def test_someone_elses_sqlite_database_is_refused(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE stuff (x)")
    conn.close()
    with pytest.raises(DatabaseUnavailable, match="not a desk_app database"):
        Desk.open(f"sqlite:///{other}", create=True)


@pytest.mark.parametrize("below", ["x.db", "sub/x.db"])
def test_unwritable_folder(tmp_path, below):
    """A folder nobody can create the database in, root included (a chmod-ed folder would
    not stop root): the "folder" is a regular file. Refused with the folder named; the file
    is left as it was."""
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    target = blocker / below
    with pytest.raises(DatabaseUnavailable, match="Cannot create a database in") as refused:
        Desk.open(f"sqlite:///{target}", create=True)
    assert str(target.parent) in str(refused.value)
    assert blocker.read_text() == "not a folder"


def test_unwritable_folder_path_under_a_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(DatabaseUnavailable):
        Desk.open(f"sqlite:///{tmp_path / 'afile' / 'x.db'}", create=True)


def test_newer_database_is_refused_untouched(sqlite_url, clock):
    desk = Desk.open(sqlite_url, create=True, clock=clock)
    desk.ctx.db.execute_sql("UPDATE desk_meta SET value = '999' WHERE key = 'schema_version'")
    desk.close()
    with pytest.raises(NewerDatabase, match="newer desk_app"):
        Desk.open(sqlite_url)


def test_older_database_is_backed_up_then_migrated(sqlite_url, clock, monkeypatch):
    desk = Desk.open(sqlite_url, create=True, clock=clock)
    desk.users.create_first_admin("admin", PASSWORD)
    desk.close()
    # Pretend one more migration exists: the next open must back up the current schema first.
    import types

    calls = []
    real = migrate.available()
    latest = migrate.latest_version()
    fake = types.SimpleNamespace(VERSION=latest + 1, upgrade=lambda db: calls.append("upgraded"))
    monkeypatch.setattr(migrate, "available", lambda: [*real, fake])
    reopened = Desk.open(sqlite_url, clock=clock)
    try:
        assert calls == ["upgraded"] and migrate.current_version(reopened.ctx.db) == latest + 1
        backups = list(reopened.ctx.url.path.parent.glob(f"desk.db.schema{latest}-*.bak"))
        assert len(backups) == 1
        saved = sqlite3.connect(backups[0])
        version = saved.execute("SELECT value FROM desk_meta WHERE key='schema_version'").fetchone()
        assert version == (str(latest),)
        assert saved.execute("SELECT name FROM app_user").fetchall() == [("admin",)]
        saved.close()
    finally:
        reopened.close()


def test_backup_and_restore_round_trip(desk, admin, tmp_path):
    desk.users.add(admin, "clerk1", PASSWORD, "clerk", "王芳")
    target = desk.backups.backup(admin, tmp_path / "snapshot.db")
    desk.users.add(admin, "clerk2", PASSWORD, "clerk")
    desk.users.set_active(admin, "clerk1", False)
    # Going back loses the two later changes: refused unless forced with a reason (issue 11).
    with pytest.raises(Conflict, match="would lose 3 audit entries"):
        desk.backups.restore(admin, target)
    desk.backups.restore(admin, target, force=True, reason="undo the test changes")
    names = {u.name: u.active for u in desk.users.list(admin)}
    assert names == {"admin": True, "clerk1": True}
    report = desk.audit.verify(admin)
    assert report.ok
    last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert last.action == "backup.restore"
    assert '"forced":true' in last.change and "undo the test changes" in last.change
    # Still writable afterwards (sequences reset on PostgreSQL).
    desk.users.add(admin, "clerk3", PASSWORD, "clerk")


def test_backup_of_either_backend_restores_on_sqlite(desk, admin, tmp_path, clock):
    desk.users.add(admin, "clerk1", PASSWORD, "clerk", "王芳")
    snapshot = desk.backups.backup(admin, tmp_path / "snapshot.db")
    other = Desk.open(f"sqlite:///{tmp_path / 'other.db'}", create=True, clock=clock)
    try:
        other.users.create_first_admin("boss", PASSWORD)
        boss = other.auth.login("boss", PASSWORD)
        other.backups.restore(boss, snapshot)
        assert {u.name for u in other.users.list(admin)} == {"admin", "clerk1"}
        assert other.audit.verify(admin).ok
    finally:
        other.close()
        desk.ctx.db.connect(reuse_if_open=True)
        from desk_app.store.db import database_proxy

        database_proxy.initialize(desk.ctx.db)


@pytest.mark.parametrize("content", [b"", b"plain text, not sqlite", None])
def test_restore_refuses_bad_files_and_changes_nothing(desk, admin, tmp_path, content):
    bad = tmp_path / "bad.db"
    if content is not None:
        bad.write_bytes(content)
    elif True:
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE t (x)")
        conn.close()
    users, entries = User.select().count(), AuditEntry.select().count()
    with pytest.raises(ValidationError):
        desk.backups.restore(admin, bad)
    assert (User.select().count(), AuditEntry.select().count()) == (users, entries)


def test_backup_is_consistent_while_another_desk_writes(sqlite_desk, tmp_path, clock):
    """An online backup taken while another connection keeps writing finishes and verifies."""
    sqlite_desk.users.create_first_admin("admin", PASSWORD)
    admin = sqlite_desk.auth.login("admin", PASSWORD)
    stop, writes = threading.Event(), []

    def writer():  # peewee gives this thread its own connection: a second desk
        while not stop.is_set():
            sqlite_desk.settings.set(admin, "idle_lock_minutes", 10 + len(writes) % 50)
            writes.append(1)
        sqlite_desk.ctx.db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        targets = [sqlite_desk.backups.backup(admin, tmp_path / f"b{n}.db") for n in range(3)]
    finally:
        stop.set()
        thread.join()
    assert len(writes) > 0
    for target in targets:
        check = Desk.open(f"sqlite:///{target}", clock=clock)
        assert check.audit.verify(admin).ok
        check.close()


def test_a_schema_1_database_upgrades_with_its_data(sqlite_url, clock, monkeypatch):
    first = migrate.available()[:1]
    with monkeypatch.context() as patch:
        patch.setattr(migrate, "available", lambda: first)
        old = Desk.open(sqlite_url, create=True, clock=clock)
        # What version 1 of the program wrote: a user, no signing key.
        User.create(name="admin", roles="admin", password_hash=hash_password(PASSWORD),
                    created_at=clock.now(), updated_at=clock.now())
        old.close()
    upgraded = Desk.open(sqlite_url, clock=clock)
    try:
        assert migrate.current_version(upgraded.ctx.db) == migrate.latest_version()
        assert "user_key" in upgraded.ctx.db.get_tables()
        admin = upgraded.auth.login("admin", PASSWORD)
        assert KeyService.current(admin.user_id) is not None  # issued at the first sign-in
        assert upgraded.audit.verify(admin).ok
        assert list(upgraded.ctx.url.path.parent.glob("desk.db.schema1-*.bak"))
    finally:
        upgraded.close()


def test_models_match_what_the_migrations_built(desk):
    """The runtime models and the frozen migrations must describe the same tables."""
    from desk_app.store.models import all_models

    db = desk.ctx.db
    models = {model._meta.table_name: model for model in all_models()}
    # The search index is dialect-specific SQL (FTS5 / tsvector), not a model.
    search = {t for t in db.get_tables() if t.startswith(("item_fts", "item_search"))}
    assert set(models) == set(db.get_tables()) - search
    for table, model in models.items():
        columns = {column.name for column in db.get_columns(table)}
        assert columns == {field.column_name for field in model._meta.sorted_fields}, table


def test_migrations_are_numbered_without_gaps():
    assert [module.VERSION for module in migrate.available()] == list(
        range(1, migrate.latest_version() + 1))


def test_restore_across_database_kinds_rebuilds_the_search_index(desk, admin, tmp_path, clock):
    from desk_app.services.archive import ItemFilter

    desk.archive.add_item(admin, title="园区规划报告", kind="BG", dept="GC", level="public")
    snapshot = desk.backups.backup(admin, tmp_path / "snapshot.db")
    other = Desk.open(f"sqlite:///{tmp_path / 'other.db'}", create=True, clock=clock)
    try:
        other.users.create_first_admin("boss", PASSWORD)
        other.backups.restore(other.auth.login("boss", PASSWORD), snapshot)
        assert other.archive.count(admin, ItemFilter(query="規劃")) == 1
    finally:
        other.close()
        from desk_app.store.db import database_proxy

        database_proxy.initialize(desk.ctx.db)


def test_closing_a_desk_does_not_fail_when_another_desk_holds_the_write_lock(sqlite_desk,
                                                                           monkeypatch):
    """``PRAGMA optimize`` at close may need the write lock another desk holds (seen as a
    crash of a desk process at exit during an eight-desk run): the close still closes."""
    db = sqlite_desk.ctx.db
    real = db.execute_sql

    def busy(sql, *args, **kwargs):
        if sql == "PRAGMA optimize":
            raise peewee.OperationalError("database is locked")
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", busy)
    sqlite_desk.close()
    assert db.is_closed()


def _posix_locks_on(path) -> int:
    """POSIX locks this process holds on ``path`` (/proc/locks: "1: POSIX ADVISORY READ
    <pid> <major>:<minor>:<inode> <start> <end>")."""
    import os

    inode, pid = os.stat(path).st_ino, str(os.getpid())
    with open("/proc/locks") as table:
        return sum(1 for line in table
                   if len(parts := line.split()) > 5 and parts[1] == "POSIX"
                   and parts[4] == pid and parts[5].endswith(f":{inode}"))


def test_opening_a_database_open_in_this_process_keeps_its_locks(tmp_path):
    """A second open of a file this process has open (its header check) must not close a
    descriptor of it: that drops SQLite's POSIX locks, and another desk may then write under
    the open connection (issue 17: a benchmark database was found damaged)."""
    import sqlite3
    import sys

    import pytest

    from desk_app.store.db import sqlite_file_problem

    if not sys.platform.startswith("linux"):
        pytest.skip("/proc/locks is Linux's")
    database = tmp_path / "desk.db"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (a)")
    holder.execute("BEGIN IMMEDIATE")  # a write lock held, as a desk in a transaction
    holder.execute("INSERT INTO t VALUES (1)")
    before = _posix_locks_on(database)
    assert before >= 1
    assert sqlite_file_problem(database, must_exist=True) is None
    assert _posix_locks_on(database) == before
    holder.execute("COMMIT")
    holder.close()
    (tmp_path / "other.txt").write_text("not a database, long enough to have a header")
    assert "is not a database file" in sqlite_file_problem(tmp_path / "other.txt", True)
