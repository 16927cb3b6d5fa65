"""A migration that alters a table through ``store.migrate.schema_migrator`` (playhouse.migrate),
run by ``migrate()`` in its transaction on a throw-away table the test creates itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace

import peewee
import pytest
from peewee import SQL

from desk_app.store import migrate
from desk_app.store.db import connect, parse_url


@pytest.fixture
def db(db_url) -> Iterator[peewee.Database]:
    """A migrated database with a table ``scratch`` holding one row."""
    database = connect(parse_url(db_url), must_exist=False)
    migrate.migrate(database)
    database.execute_sql("CREATE TABLE scratch (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL)")
    database.execute_sql("INSERT INTO scratch (id, name) VALUES (1, 'kept')")
    yield database
    database.close()


def run_sample_migration(db: peewee.Database, monkeypatch,
                         upgrade: Callable[[peewee.Database], None]) -> int:
    """Runs ``upgrade`` through ``migrate()`` as the next numbered migration; its VERSION."""
    version = migrate.latest_version() + 1
    modules = [*migrate.available(), SimpleNamespace(VERSION=version, upgrade=upgrade)]
    monkeypatch.setattr(migrate, "available", lambda: modules)
    migrate.migrate(db)
    return version


def add_note_and_flag(db: peewee.Database) -> None:
    migrator = migrate.schema_migrator(db)
    migrator.migrate(
        migrator.add_column("scratch", "note", peewee.CharField(max_length=40, null=True)),
        migrator.add_column("scratch", "flag", peewee.IntegerField(constraints=[SQL("DEFAULT 0")]),
                            allow_not_null=True),
        migrator.add_index("scratch", ("note",), name="scratch_note"),
        migrator.add_index("scratch", ("flag",), where=SQL("note IS NULL"), name="scratch_open_flag"),
    )


def test_a_migration_adds_a_column_and_an_index(db, monkeypatch):
    version = run_sample_migration(db, monkeypatch, add_note_and_flag)

    assert migrate.current_version(db) == version
    columns = {column.name: column.null for column in db.get_columns("scratch")}
    assert columns["note"] is True and columns["flag"] is False
    indexes = {index.name: index.columns for index in db.get_indexes("scratch")}
    assert indexes["scratch_note"] == ["note"] and indexes["scratch_open_flag"] == ["flag"]
    # The existing row is kept; the NOT NULL column took its database default.
    assert db.execute_sql("SELECT name, note, flag FROM scratch").fetchall() == [("kept", None, 0)]


def test_a_migration_failing_half_way_changes_nothing(db, monkeypatch):
    """Transactional DDL (PostgreSQL and SQLite): the column and index added before the
    failing step are gone again, and the schema version is unchanged."""
    before = migrate.current_version(db)

    def fails_after_two_steps(db: peewee.Database) -> None:
        migrator = migrate.schema_migrator(db)
        migrator.migrate(
            migrator.add_column("scratch", "note", peewee.CharField(max_length=40, null=True)),
            migrator.add_index("scratch", ("note",), name="scratch_note"),
            migrator.add_column("scratch", "name", peewee.CharField(null=True)),  # exists
        )

    with pytest.raises(peewee.DatabaseError):
        run_sample_migration(db, monkeypatch, fails_after_two_steps)

    assert migrate.current_version(db) == before
    assert [column.name for column in db.get_columns("scratch")] == ["id", "name"]
    assert "scratch_note" not in {index.name for index in db.get_indexes("scratch")}


def test_sqlite_refuses_a_change_that_would_rebuild_the_table(sqlite_url, monkeypatch):
    """A NOT NULL column with only a Python default means a table rebuild on SQLite, which
    fails on a referenced table with rows (foreign keys stay on in the transaction)."""
    db = connect(parse_url(sqlite_url), must_exist=False)
    migrate.migrate(db)
    before = migrate.current_version(db)

    def not_null_without_database_default(db: peewee.Database) -> None:
        migrator = migrate.schema_migrator(db)
        migrator.migrate(migrator.add_column("item", "box_no", peewee.IntegerField(default=0)))

    with pytest.raises(NotImplementedError, match=r"item\.box_no: .*rebuilds the table"):
        run_sample_migration(db, monkeypatch, not_null_without_database_default)
    assert migrate.current_version(db) == before
    assert "box_no" not in {column.name for column in db.get_columns("item")}
    db.close()


def test_m0009_fills_in_review_dates_of_files_with_a_retention(db_url, monkeypatch):
    """Files kept N years are due on 1 January after their year plus N (dated by doc_date,
    else by when they were registered); files without a retention are not due."""
    database = connect(parse_url(db_url), must_exist=False)
    try:
        older = [m for m in migrate.available() if m.VERSION <= 8]
        monkeypatch.setattr(migrate, "available", lambda: older)
        migrate.migrate(database)
        database.execute_sql("INSERT INTO department (code, name) VALUES ('QQ9', 'q')")
        database.execute_sql("INSERT INTO kind (code, name, loan_days) VALUES ('QK9', 'q', 14)")
        (dept,), = database.execute_sql("SELECT id FROM department WHERE code = 'QQ9'").fetchall()
        (kind,), = database.execute_sql("SELECT id FROM kind WHERE code = 'QK9'").fetchall()
        rows = [("A-1", "2018-08-06", 10), ("A-2", None, 3), ("A-3", "2020-01-01", None),
                ("A-4", "2020-12-31", 30)]
        for ref, doc_date, years in rows:
            database.execute_sql(
                "INSERT INTO item (ref, title, kind_id, dept_id, doc_date, keywords, level, "
                "retention_years, status, created_at) VALUES (%s, 't', %s, %s, %s, '', 'public', "
                "%s, 'available', '2025-05-01 10:00:00')".replace(
                    "%s", "?" if isinstance(database, peewee.SqliteDatabase) else "%s"),
                (ref, kind, dept, doc_date, years))
        monkeypatch.undo()
        migrate.migrate(database)
        found = {ref: str(due) if due else None for ref, due in database.execute_sql(
            "SELECT ref, review_on FROM item WHERE ref IN ('A-1', 'A-2', 'A-3', 'A-4')").fetchall()}
        assert found == {"A-1": "2029-01-01", "A-2": "2029-01-01", "A-3": None,
                         "A-4": "2051-01-01"}
    finally:
        database.close()
