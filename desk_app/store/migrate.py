"""Schema versions: apply numbered migrations, back up first, refuse newer databases."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import peewee

from desk_app.domain.errors import DatabaseUnavailable, NewerDatabase
from desk_app.i18n import _
from desk_app.store import migrations
from desk_app.store.db import is_postgresql

log = logging.getLogger(__name__)


def available() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"{migrations.__name__}.{info.name}")
        for info in pkgutil.iter_modules(migrations.__path__)
        if info.name.startswith("m")
    ]
    modules.sort(key=lambda module: module.VERSION)
    versions = [module.VERSION for module in modules]
    assert len(set(versions)) == len(versions), f"two migrations share a number: {versions}"
    return modules


def latest_version() -> int:
    return max((module.VERSION for module in available()), default=0)


def current_version(db: peewee.Database) -> int:
    """0 for an empty database; DatabaseUnavailable if it holds someone else's tables."""
    tables = set(db.get_tables())
    if "desk_meta" not in tables:
        if tables:
            raise DatabaseUnavailable(
                _("This database holds other tables and is not a desk_app database.")
            )
        return 0
    row = db.execute_sql("SELECT value FROM desk_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def check_not_newer(version: int) -> None:
    if version > latest_version():
        raise NewerDatabase(
            _(
                "This database was written by a newer desk_app (schema {found}, this program "
                "knows {known}). Update desk_app before opening it."
            ).format(found=version, known=latest_version())
        )


def migrate(db: peewee.Database, backup: Callable[[int], Path | None] | None = None) -> int:
    """Bring the schema to the latest version; returns the version it started at.

    ``backup(version)`` runs first when an existing database is about to change.
    Each migration runs in its own transaction together with its version bump.
    """
    start = current_version(db)
    check_not_newer(start)
    pending = [module for module in available() if start < module.VERSION]
    if pending and start > 0 and backup is not None:
        saved = backup(start)
        log.info("backed up schema %s to %s before migrating", start, saved)
    for module in pending:
        with db.atomic():
            if is_postgresql(db):
                # One desk migrates; the others wait and then find nothing to do.
                db.execute_sql("SELECT pg_advisory_xact_lock(7311001)")
                if current_version(db) >= module.VERSION:
                    continue
            module.upgrade(db)
            _set_version(db, module.VERSION)
        log.info("migrated database to schema %s", module.VERSION)
    return start


def schema_migrator(db: peewee.Database) -> Any:
    """playhouse.migrate's migrator for ``db``, for a migration's ``upgrade(db)``.

    Its operations run in the transaction ``migrate()`` opened for the migration: on
    PostgreSQL and SQLite a failure rolls back every change of that migration, version
    bump included. On SQLite, operations that rebuild the table (adding NOT NULL to a
    column, changing its type or default — also ``add_column`` of a NOT NULL field with
    only a Python ``default``) are refused: inside a transaction foreign keys stay
    enforced, so dropping a referenced table with rows fails, and the rebuild would lose
    the table's triggers. See ``store/migrations/__init__.py`` for what to write instead.
    """
    # Imported here: only a migration that alters a table needs playhouse.migrate.
    from playhouse.migrate import SchemaMigrator, SqliteMigrator, operation

    if not isinstance(db, peewee.SqliteDatabase):
        return SchemaMigrator.from_database(db)

    class InTransactionSqliteMigrator(SqliteMigrator):
        @operation
        def _update_column(self, table: str, column: str, fn: object) -> None:
            raise NotImplementedError(
                f"{table}.{column}: this change rebuilds the table on SQLite, which a "
                "migration cannot do in its transaction; add a nullable column, or a "
                "NOT NULL one with a DEFAULT constraint and allow_not_null=True"
            )

    return InTransactionSqliteMigrator(db)


def _set_version(db: peewee.Database, version: int) -> None:
    updated = db.execute_sql(
        "UPDATE desk_meta SET value = %s WHERE key = 'schema_version'".replace("%s", db.param),
        (str(version),),
    ).rowcount
    if not updated:
        db.execute_sql(
            "INSERT INTO desk_meta (key, value) VALUES ('schema_version', %s)".replace(
                "%s", db.param
            ),
            (str(version),),
        )
