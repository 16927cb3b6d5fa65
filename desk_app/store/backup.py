"""Online backups and restores. A backup is always a SQLite file of our schema, so a
shared PostgreSQL database can be restored on one PC and the other way round.

A restore reads the backup from a private copy (``private_copy``), so the bytes hashed,
planned and restored are the same ones, and compares the backup's audit chain with the
current one (``backup_chain``, ``common_seq``, ``lost_actions``, ``recorded_backup``); the
rules are services.backup's."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee

from desk_app.domain.audit import GENESIS, AuditRecord, ChainReport, ChainVerifier
from desk_app.domain.errors import DatabaseUnavailable, ValidationError
from desk_app.i18n import _
from desk_app.store import audit_chain, migrate
from desk_app.store.db import SQLITE_HEADER, database_proxy, is_postgresql
from desk_app.store.models import AuditEntry, BaseModel, all_models

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


def open_backup(source: Path, shown: Path | None = None) -> peewee.SqliteDatabase:
    """Open a backup file read-only after checking it is one of ours and not too new.
    ``shown``: the name messages give (the user's file when ``source`` is a private copy)."""
    source = source.expanduser()
    name = shown if shown is not None else source
    if not source.is_file():
        raise ValidationError(_("No backup file at {path}.").format(path=name), field="file")
    with source.open("rb") as handle:
        if handle.read(16) != SQLITE_HEADER:
            raise ValidationError(
                _("{path} is not a desk_app backup.").format(path=name), field="file"
            )
    backup_db = peewee.SqliteDatabase(f"file:{source}?mode=ro", uri=True)
    try:
        version = migrate.current_version(backup_db)
    except (peewee.DatabaseError, DatabaseUnavailable) as error:
        backup_db.close()
        raise ValidationError(
            _("{path} is not a desk_app backup.").format(path=name), field="file"
        ) from error
    if version == 0:
        backup_db.close()
        raise ValidationError(_("{path} is not a desk_app backup.").format(path=name), "file")
    try:
        migrate.check_not_newer(version)
    except BaseException:
        backup_db.close()
        raise
    return backup_db


# ------------------------------------------------------------------ reading a backup to restore


@dataclass(frozen=True)
class BackupCopy:
    """A backup copied into a private folder; ``sha256`` is the hash of exactly these bytes."""

    path: Path  # the private copy
    source: Path  # the file the user named
    sha256: str
    size: int


@contextmanager
def private_copy(source: Path) -> Iterator[BackupCopy]:
    """The backup copied into a new private folder while its SHA-256 is computed, removed
    again afterwards. Everything a restore reads (the plan, the pages or rows restored) comes
    from this copy: a file swapped after it was checked, or a ``-wal``/``-journal`` file laid
    beside it (SQLite would apply it on open), cannot slip other content in."""
    source = source.expanduser()
    if not source.is_file():
        raise ValidationError(_("No backup file at {path}.").format(path=source), field="file")
    folder = Path(tempfile.mkdtemp(prefix="desk-restore-"))
    try:
        target = folder / "backup.db"
        sha, size = hashlib.sha256(), 0
        try:
            with source.open("rb") as reader, target.open("wb") as writer:
                while chunk := reader.read(1 << 20):
                    sha.update(chunk)
                    size += len(chunk)
                    writer.write(chunk)
        except OSError as error:
            raise ValidationError(_("Cannot read {path}: {reason}").format(
                path=source, reason=error.strerror or error), "file") from None
        yield BackupCopy(target, source, sha.hexdigest(), size)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def backup_user(backup_db: peewee.Database, name: str) -> dict[str, Any] | None:
    """A user row of the backup (of any schema version the backup may have)."""
    cursor = backup_db.execute_sql(
        "SELECT id, name, full_name, roles, password_hash, active FROM app_user WHERE name = ?",
        (name,))
    row = cursor.fetchone()
    if row is None:
        return None
    keys = ("id", "name", "full_name", "roles", "password_hash", "active")
    return {**dict(zip(keys, row, strict=True)), "active": bool(row[5])}


def backup_head(backup_db: peewee.Database) -> tuple[int, str]:
    """The last audit entry a backup holds; ``(0, GENESIS)`` when it holds none."""
    last = (AuditEntry.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc())
            .bind(backup_db).first())
    return (last.seq, last.hash) if last else (0, GENESIS)


def backup_chain(backup_db: peewee.Database,
                 progress: Callable[[int, int], bool] | None = None) -> ChainReport:
    """Verify the whole chain a backup holds, as ``audit verify`` does the database's.
    ``progress(done, total)`` may return False to cancel (InterruptedError)."""
    query = AuditEntry.select().order_by(AuditEntry.seq).bind(backup_db)
    total = AuditEntry.select().bind(backup_db).count()
    verifier = ChainVerifier()
    for done, row in enumerate(query.iterator(), start=1):
        fields = audit_chain.dump_row(row)
        stored = fields.pop("hash")
        if not verifier.feed(AuditRecord(**fields), stored):
            break
        if progress and done % audit_chain.VERIFY_BATCH == 0 and progress(done, total) is False:
            raise InterruptedError
    return verifier.report()


def _hash_at(seq: int, db: peewee.Database | None = None) -> str | None:
    if seq == 0:
        return GENESIS
    query = AuditEntry.select(AuditEntry.hash).where(AuditEntry.seq == seq)
    if db is not None:
        query = query.bind(db)
    row = query.first()
    return row.hash if row else None


def common_seq(backup_db: peewee.Database, backup_seq: int, current_seq: int) -> int:
    """The last entry the backup and the current chain share (same number, same hash); 0
    when they share none. Both are hash chains, so after the first difference they never
    agree again: a binary search over the numbers they both have."""
    low, high = 0, min(backup_seq, current_seq)
    if _hash_at(high) == _hash_at(high, backup_db):
        return high
    while high - low > 1:  # low agrees, high does not
        middle = (low + high) // 2
        if _hash_at(middle) == _hash_at(middle, backup_db):
            low = middle
        else:
            high = middle
    return low


@dataclass(frozen=True)
class LostAction:
    """Entries of one action the current chain holds after the shared part."""

    action: str
    count: int
    first_at: str  # ISO UTC text
    last_at: str


def lost_actions(after_seq: int, up_to: int) -> list[LostAction]:
    """What the current chain holds after ``after_seq`` (up to ``up_to``), by action."""
    query = (
        AuditEntry.select(AuditEntry.action, peewee.fn.COUNT(AuditEntry.id),
                          peewee.fn.MIN(AuditEntry.at), peewee.fn.MAX(AuditEntry.at))
        .where((AuditEntry.seq > after_seq) & (AuditEntry.seq <= up_to))
        .group_by(AuditEntry.action).order_by(AuditEntry.action).tuples())
    rows: list[Any] = list(query)  # (action, count, first at, last at)
    return [LostAction(action, int(count), first, last) for action, count, first, last in rows]


def _backup_records(sha256: str, up_to: int) -> Iterator[tuple[int, dict]]:
    """``(seq, after)`` of the ``backup.create`` entries that name this file's hash."""
    query = (AuditEntry.select(AuditEntry.seq, AuditEntry.change)
             .where((AuditEntry.action == "backup.create") & (AuditEntry.seq <= up_to)
                    & AuditEntry.change.contains(sha256))
             .order_by(AuditEntry.seq))
    for row in query:
        try:
            after = json.loads(row.change)["after"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(after, dict) and after.get("sha256") == sha256:
            yield row.seq, after


def recorded_backup(sha256: str, head: tuple[int, str], up_to: int) -> int | None:
    """The number of the current chain's ``backup.create`` entry that recorded this very
    file (its SHA-256, and the chain head it holds), or None."""
    for seq, after in _backup_records(sha256, up_to):
        # (A backup of an empty chain records the hash "".)
        if (after.get("chain_head"), after.get("chain_hash") or GENESIS) == tuple(head):
            return seq
    return None


def count_entries(after_seq: int, up_to: int, *, action: str, actor: str) -> int:
    """Entries after ``after_seq`` (up to ``up_to``) of ``action`` by ``actor``."""
    return int(AuditEntry.select().where(
        (AuditEntry.seq > after_seq) & (AuditEntry.seq <= up_to) & (AuditEntry.action == action)
        & (AuditEntry.actor == actor)).count())


def any_entry(up_to: int, *, excluding: Iterable[str]) -> bool:
    """Whether the chain (up to ``up_to``) holds an entry with none of those actions."""
    return bool(AuditEntry.select().where(
        (AuditEntry.seq <= up_to) & AuditEntry.action.not_in(list(excluding))).exists())


def backup_records_after(sha256: str, after_seq: int, up_to: int) -> int:
    """How many ``backup.create`` entries after ``after_seq`` recorded this file."""
    return sum(1 for seq, _after in _backup_records(sha256, up_to) if seq > after_seq)


def daily_backup_since(at: str) -> bool:
    """Whether a daily backup (a ``backup.create`` entry marked ``daily``) was recorded at or
    after ``at`` (ISO UTC text, as the trail stores times): by any desk."""
    query = (AuditEntry.select(AuditEntry.change)
             .where((AuditEntry.action == "backup.create") & (AuditEntry.at >= at)
                    & AuditEntry.change.contains('"daily"')))
    for row in query:
        try:
            after = json.loads(row.change)["after"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(after, dict) and after.get("daily") is True:
            return True
    return False


# ------------------------------------------------------------------------------ restoring


class RestoreBusy(Exception):
    """Other desks held the database (a lock wait ran out, a deadlock was broken): nothing
    was restored."""


def restore(db: peewee.Database, source: Path, *,
            decide: Callable[[], object] | None = None,
            then: Callable[[bool], None] | None = None) -> None:
    """Replace the whole content of ``db`` by the backup, then migrate it if it is older.

    ``decide()`` runs right before the content is replaced, while no other desk can write:
    it reads the current trail (the plan) and raises to refuse, changing nothing.
    ``then(raced)`` records the restore (its audit entry): on PostgreSQL in the transaction
    that replaces the content, with every table locked from ``decide`` to the commit; on
    SQLite right after the swap. SQLite cannot keep its write lock from ``decide`` across the
    swap (the backup API refuses a destination in a transaction): ``raced`` is True when
    another desk committed in that moment (its change may be lost).
    """
    backup_db = open_backup(source)
    try:
        if is_postgresql(db):
            version = migrate.current_version(backup_db)
            if version != migrate.current_version(db):
                raise ValidationError(
                    _("Restore to PostgreSQL needs a backup of the same schema version."), "file"
                )
            try:
                with db.atomic():
                    _lock_postgresql(db)
                    if decide is not None:
                        decide()
                    _copy_all(backup_db, db, clear_target=True)
                    _rebuild_search_if_stale()
                    if then is not None:
                        then(False)
            except peewee.OperationalError as error:
                if "deadlock" not in str(error):
                    raise
                raise RestoreBusy(str(error)) from error  # rolled back: nothing changed
            return
        # BEGIN IMMEDIATE: a desk in the middle of a write finishes first, and none starts
        # while ``decide`` reads the trail.
        try:
            with db.atomic():
                if decide is not None:
                    decide()
                version_seen = _data_version(db)
        except peewee.OperationalError as error:  # the busy timeout ran out
            raise RestoreBusy(str(error)) from error
        # The SQLite backup API swaps the pages under the database's write lock:
        # other desks see either the old or the restored database, never a mix.
        backup_db.connection().backup(db.connection(), pages=-1)
        raced = _data_version(db) != version_seen  # another connection committed since
    finally:
        backup_db.close()
    migrate.migrate(db)
    _rebuild_search_if_stale()
    if then is not None:
        then(raced)


def _data_version(db: peewee.Database) -> int:
    return int(db.execute_sql("PRAGMA data_version").fetchone()[0])


def _lock_postgresql(db: peewee.Database) -> None:
    """Hold every table until the restore commits. Write transactions touch the audit table
    last (the entry is appended at commit), so the other tables are locked first, then the
    appenders' lock is taken (waiting for an append under way), then the audit table: a desk
    in the middle of a write finishes before the restore goes on, and no desk writes after
    the head was checked."""
    tables = [row[0] for row in db.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename <> 'audit_entry' ORDER BY tablename")]
    if tables:
        names = ", ".join(f'"{table}"' for table in tables)
        db.execute_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
    db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (audit_chain._APPEND_LOCK,))
    db.execute_sql('LOCK TABLE "audit_entry" IN ACCESS EXCLUSIVE MODE')


def _rebuild_search_if_stale() -> None:
    """The search index is not copied between database kinds: rebuild it when it differs."""
    from desk_app.store import search
    from desk_app.store.archive import Item

    if search.indexed_count() != Item.select().count():
        with database_proxy.obj.atomic():
            search.rebuild()
