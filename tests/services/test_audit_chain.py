from __future__ import annotations

import multiprocessing
import sqlite3

import peewee
import pytest

from desk_app.desk import Desk
from desk_app.domain.clock import parse_iso_utc
from desk_app.services.audit import day_range
from desk_app.store.audit_chain import AuditFilter
from desk_app.store.db import is_postgresql
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD


def _populate(desk, admin, n=5):
    for index in range(n):
        desk.settings.set(admin, "idle_lock_minutes", 10 + index)


def test_every_change_is_chained_with_actor_time_and_before_after(desk, admin, clock):
    desk.settings.set(admin, "idle_lock_minutes", 9)
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
        "admin", "setting.set", "setting", "idle_lock_minutes")
    assert entry.change == '{"after":9,"before":5}'
    assert parse_iso_utc(entry.at) == clock.now()  # R8: the injected standard clock
    report = desk.audit.verify(admin)
    assert report.ok and report.count == AuditEntry.select().count()
    assert desk.audit.head(admin) == (report.count, report.head_hash)


def test_the_table_refuses_updates_and_deletes(desk, admin):
    # The trigger's refusal: IntegrityError on SQLite (RAISE(ABORT)), ProgrammingError on
    # PostgreSQL (RAISE EXCEPTION), both peewee DatabaseErrors carrying the trigger's message.
    with pytest.raises(peewee.DatabaseError, match="append-only"), desk.ctx.db.atomic():
        desk.ctx.db.execute_sql("UPDATE audit_entry SET actor = 'mallory'")
    with pytest.raises(peewee.DatabaseError, match="append-only"), desk.ctx.db.atomic():
        desk.ctx.db.execute_sql("DELETE FROM audit_entry")
    assert desk.audit.verify(admin).ok


def _tamper(desk, statements):
    """What an attacker with direct database access does: drop the guard, then edit."""
    db = desk.ctx.db
    with db.atomic():
        if is_postgresql(db):
            db.execute_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        else:
            db.execute_sql("DROP TRIGGER audit_entry_no_update")
            db.execute_sql("DROP TRIGGER audit_entry_no_delete")
        for statement in statements:
            db.execute_sql(statement)


@pytest.mark.parametrize(
    ("statements", "broken"),
    [
        (["UPDATE audit_entry SET actor = 'mallory' WHERE seq = 3"], 3),
        (["UPDATE audit_entry SET change = '{}' WHERE seq = 4"], 4),
        (["DELETE FROM audit_entry WHERE seq = 3"], 4),
        (["UPDATE audit_entry SET seq = 100 WHERE seq = 3",
          "UPDATE audit_entry SET seq = 3 WHERE seq = 4",
          "UPDATE audit_entry SET seq = 4 WHERE seq = 100"], 3),
        (["INSERT INTO audit_entry (seq, at, actor, action, entity, entity_id, change, prev_hash, "
          "hash) SELECT 1000, at, actor, action, entity, entity_id, change, prev_hash, hash "
          "FROM audit_entry WHERE seq = 2"], 1000),
        (["DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry) - 1"], None),
    ],
    ids=["edit-actor", "edit-change", "delete", "reorder", "insert", "delete-before-last"],
)
def test_verify_names_the_first_broken_entry(desk, admin, statements, broken):
    _populate(desk, admin)
    _tamper(desk, statements)
    report = desk.audit.verify(admin)
    assert not report.ok
    if broken is not None:
        assert report.broken_seq == broken


def test_editing_the_sqlite_file_directly_is_caught(sqlite_desk, tmp_path):
    sqlite_desk.users.create_first_admin("admin", PASSWORD)
    admin = sqlite_desk.auth.login("admin", PASSWORD)
    _populate(sqlite_desk, admin)
    path = sqlite_desk.ctx.url.path
    sqlite_desk.close()
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER audit_entry_no_update")
    raw.execute("UPDATE audit_entry SET actor = 'someone' WHERE seq = 2")
    raw.commit()
    raw.close()
    reopened = Desk.open(f"sqlite:///{path}", clock=sqlite_desk.ctx.clock)
    try:
        assert reopened.audit.verify(admin).broken_seq == 2
    finally:
        reopened.close()


def test_filters_and_paging(desk, admin, clock):
    _populate(desk, admin, 3)
    clock.advance(days=2)
    desk.users.add(admin, "clerk1", PASSWORD, "clerk")
    total = desk.audit.count(admin, AuditFilter())
    newest = desk.audit.page(admin, AuditFilter(), 0, 2)
    assert [row["seq"] for row in newest] == [total, total - 1]
    assert desk.audit.count(admin, AuditFilter(action="setting.set")) == 3
    assert desk.audit.count(admin, AuditFilter(action="user.")) == 2  # first admin + add
    assert desk.audit.count(admin, AuditFilter(actor="nobody")) == 0
    since, until = day_range(clock.now().date(), clock.now().date())
    assert desk.audit.count(admin, AuditFilter(since=since, until=until)) == 1
    assert "setting.set" in desk.audit.actions(admin) and "admin" in desk.audit.actors(admin)


def _append_many(url: str, worker: int, count: int) -> None:
    desk = Desk.open(url)
    actor = desk.auth.login("admin", PASSWORD)
    for index in range(count):
        desk.settings.set(actor, "company_name", f"desk {worker} change {index}")
    desk.close()


def test_two_processes_append_without_breaking_the_chain(desk, admin):
    """Two desks writing at once: appends are serialised, the chain stays whole."""
    url = (desk.ctx.url.display() if desk.ctx.url.backend == "sqlite"
           else __import__("os").environ["DESK_TEST_PG"])
    before = AuditEntry.select().count()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(url, n, 15)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    report = desk.audit.verify(admin)
    assert report.ok, report
    assert report.count == before + 2 * (15 + 1)  # each worker also signs in once
