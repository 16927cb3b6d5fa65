"""Online backups and restores. A backup is always a SQLite file of our schema, so a
shared PostgreSQL database can be restored on one PC and the other way round."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import peewee

from desk_app.domain.errors import DatabaseUnavailable, ValidationError
from desk_app.i18n import _
from desk_app.store import migrate
from desk_app.store.db import SQLITE_HEADER, database_proxy, is_postgresql
from desk_app.store.models import BaseModel, all_models

log = logging.getLogger(__name__)
BATCH = 2000


def backup(db: peewee.Database, target: Path) -> Path:
    """Write a consistent snapshot of ``db`` to ``target`` (atomically replaced); used before
    migrations. A user's backup goes through services.backup (target checks, audit)."""
    target = target.expanduser().resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        snapshot(db, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def snapshot(db: peewee.Database, path: Path) -> None:
    """A consistent copy of ``db`` as a new SQLite file at ``path`` (which must not exist)."""
    if is_postgresql(db):
        _snapshot_postgresql(db, path)
    else:
        _snapshot_sqlite(db, path)


def chain_head(path: Path) -> tuple[int, str]:
    """The last audit entry a backup file holds (sequence number and hash)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        connection.close()
    return (int(row[0]), str(row[1])) if row else (0, "")


def _snapshot_sqlite(db: peewee.Database, partial: Path) -> None:
    # One step (pages=-1): a page-by-page copy restarts on every write by another
    # desk and may never finish; one step holds a read snapshot for its duration.
    destination = sqlite3.connect(str(partial))
    try:
        db.connection().backup(destination, pages=-1)
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def _snapshot_postgresql(db: peewee.Database, partial: Path) -> None:
    snapshot = peewee.SqliteDatabase(str(partial), pragmas={"foreign_keys": 0})
    try:
        migrate.migrate(snapshot)
        with db.atomic(isolation_level="REPEATABLE READ"):
            db.execute_sql("SET TRANSACTION READ ONLY")
            _copy_all(db, snapshot, clear_target=True)
    finally:
        snapshot.close()


def _copy_all(source: peewee.Database, target: peewee.Database, clear_target: bool) -> None:
    with target.atomic():
        if clear_target:
            for model in reversed(all_models()):
                with target.bind_ctx([model]):
                    _clear(target, model)
        for model in all_models():
            with source.bind_ctx([model]):
                rows = _rows(model)
                with target.bind_ctx([model]):
                    fields = model._meta.sorted_fields
                    for chunk in _chunks(rows, BATCH):
                        model.insert_many(chunk, fields=fields).execute()
        if is_postgresql(target):
            reset_sequences(target)


def _clear(db: peewee.Database, model: type[BaseModel]) -> None:
    table = model._meta.table_name
    if is_postgresql(db):
        # TRUNCATE does not fire the audit table's row triggers (append-only guard).
        db.execute_sql(f'TRUNCATE TABLE "{table}" CASCADE')
    else:
        db.execute_sql(f'DELETE FROM "{table}"')


def _rows(model: type[BaseModel]) -> Iterable[tuple]:
    fields = model._meta.sorted_fields
    return model.select(*fields).order_by(*model._meta.get_primary_keys()).tuples().iterator()


def _chunks(rows: Iterable[tuple], size: int) -> Iterable[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def reset_sequences(db: peewee.Database) -> None:
    for model in all_models():
        pk = model._meta.primary_key
        if isinstance(pk, peewee.AutoField):
            table = model._meta.table_name
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk.column_name}'), "
                f'COALESCE((SELECT MAX("{pk.column_name}") FROM "{table}"), 0) + 1, false)'
            )


def open_backup(source: Path) -> peewee.SqliteDatabase:
    """Open a backup file read-only after checking it is one of ours and not too new."""
    source = source.expanduser()
    if not source.is_file():
        raise ValidationError(_("No backup file at {path}.").format(path=source), field="file")
    with source.open("rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            raise ValidationError(
                _("{path} is not a desk_app backup.").format(path=source), field="file"
            )
    backup_db = peewee.SqliteDatabase(f"file:{source}?mode=ro", uri=True)
    try:
        version = migrate.current_version(backup_db)
    except (peewee.DatabaseError, DatabaseUnavailable) as error:
        backup_db.close()
        raise ValidationError(
            _("{path} is not a desk_app backup.").format(path=source), field="file"
        ) from error
    if version == 0:
        backup_db.close()
        raise ValidationError(_("{path} is not a desk_app backup.").format(path=source), "file")
    migrate.check_not_newer(version)
    return backup_db


def restore(db: peewee.Database, source: Path) -> None:
    """Replace the whole content of ``db`` by the backup, then migrate it if it is older."""
    backup_db = open_backup(source)
    try:
        if is_postgresql(db):
            version = migrate.current_version(backup_db)
            if version != migrate.current_version(db):
                raise ValidationError(
                    _("Restore to PostgreSQL needs a backup of the same schema version."), "file"
                )
            _copy_all(backup_db, db, clear_target=True)
        else:
            # The SQLite backup API swaps the pages under the database's write lock:
            # other desks see either the old or the restored database, never a mix.
            backup_db.connection().backup(db.connection(), pages=-1)
    finally:
        backup_db.close()
    migrate.migrate(db)
    _rebuild_search_if_stale()


def _rebuild_search_if_stale() -> None:
    """The search index is not copied between database kinds: rebuild it when it differs."""
    from desk_app.store import search
    from desk_app.store.archive import Item

    if search.indexed_count() != Item.select().count():
        with database_proxy.obj.atomic():
            search.rebuild()
