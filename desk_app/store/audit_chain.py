"""The append-only, hash-chained audit table (R16)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from desk_app.domain.audit import (
    GENESIS,
    RESTORE_ACTION,
    AuditRecord,
    ChainReport,
    ChainVerifier,
    Restore,
    TimeFloor,
    canonical_json,
)
from desk_app.domain.text import LookupFilter
from desk_app.store.db import database_proxy, is_postgresql
from desk_app.store.models import AuditEntry, Meta

_APPEND_LOCK = 7311002  # pg advisory lock key: one appender at a time across desks
VERIFY_BATCH = 5000


def append(
    *, at: str, actor: str, action: str, entity: str, entity_id: Any,
    before: Any = None, after: Any = None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's write transaction."""
    db = database_proxy.obj
    assert db.in_transaction(), "audit entries are written inside the change's transaction"
    if is_postgresql(db):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_APPEND_LOCK,))
    # Fixed SQL, not a peewee query: every write runs these two holding the appenders'
    # lock (every other desk's write waits for it), and building a query costs more
    # than running it.
    last = db.execute_sql(_HEAD_SQL).fetchone()
    record = AuditRecord(
        seq=(last[0] + 1) if last else 1,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id="" if entity_id is None else str(entity_id),
        change=canonical_json({"before": before, "after": after}),
        prev_hash=last[1] if last else GENESIS,
    )
    fields = {**record.__dict__, "hash": record.digest()}
    values = tuple(fields[column] for column in _COLUMNS)
    if is_postgresql(db):
        entry_id = db.execute_sql(_insert_sql(db.param) + " RETURNING id", values).fetchone()[0]
    else:
        entry_id = db.execute_sql(_insert_sql(db.param), values).lastrowid
    return AuditEntry(id=entry_id, **fields)


_HEAD_SQL = "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"
_COLUMNS = ("seq", "at", "actor", "action", "entity", "entity_id", "change", "prev_hash", "hash")


def _insert_sql(param: str) -> str:
    return (f"INSERT INTO audit_entry ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join([param] * len(_COLUMNS))})")


def head() -> tuple[int, str]:
    last = AuditEntry.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def head_entry() -> tuple[int, str, str | None]:
    """``(seq, hash, at)`` of the newest entry; ``(0, GENESIS, None)`` when there is none."""
    last = (AuditEntry.select(AuditEntry.seq, AuditEntry.hash, AuditEntry.at)
            .order_by(AuditEntry.seq.desc()).first())
    return (last.seq, last.hash, last.at) if last else (0, GENESIS, None)


# ------------------------------------------------------------------ the database's identity

DATABASE_ID_KEY = "database_id"


def database_id() -> str | None:
    row = Meta.get_or_none(Meta.key == DATABASE_ID_KEY)
    return row.value if row else None


def ensure_database_id() -> str:
    """The random identity of this database (``desk_meta``), made on first use. Two desks
    opening it at once agree: the second insert is ignored and both read the first."""
    found = database_id()
    if found:
        return found
    with database_proxy.obj.atomic():
        Meta.insert(key=DATABASE_ID_KEY, value=uuid.uuid4().hex).on_conflict_ignore().execute()
    found = database_id()
    assert found
    return found


def entries_at(seqs: Iterable[int], up_to: int) -> dict[int, tuple[str, str]]:
    """``seq -> (hash, at)`` of the entries with those numbers (not beyond ``up_to``)."""
    wanted = sorted({seq for seq in seqs if 0 < seq <= up_to})
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        query = AuditEntry.select(AuditEntry.seq, AuditEntry.hash, AuditEntry.at).where(
            AuditEntry.seq.in_(chunk))
        found.update({row.seq: (row.hash, row.at) for row in query})
    return found


def restores(up_to: int) -> list[Restore]:
    """The restores the chain records (up to ``up_to``), oldest first."""
    query = (AuditEntry.select(AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.change)
             .where((AuditEntry.action == RESTORE_ACTION) & (AuditEntry.seq <= up_to))
             .order_by(AuditEntry.seq))
    found = (Restore.from_entry(row.seq, row.at, row.actor, row.change) for row in query)
    return [restore for restore in found if restore is not None]


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        seq=row.seq, at=row.at, actor=row.actor, action=row.action, entity=row.entity,
        entity_id=row.entity_id, change=row.change, prev_hash=row.prev_hash,
    )


def _in_order(flt: AuditFilter | None = None, up_to: int | None = None) -> Iterator[AuditEntry]:
    """Entries by sequence (optionally filtered, up to a seq), in keyset batches: flat memory."""
    last_seq = None
    while True:
        query = AuditEntry.select().order_by(AuditEntry.seq).limit(VERIFY_BATCH)
        if flt is not None:
            query = flt.where(query)
        if up_to is not None:
            query = query.where(AuditEntry.seq <= up_to)
        if last_seq is not None:
            query = query.where(AuditEntry.seq > last_seq)
        rows = list(query)
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq


def verify(progress: Callable[[int, int], bool] | None = None,
           floors: Sequence[TimeFloor] = (), up_to: int | None = None) -> ChainReport:
    """Walk the chain up to the head seen first (or ``up_to``). ``progress(done, total)`` may
    return False to cancel. Run it inside one snapshot (AuditService.verify), so entries
    appended by other desks meanwhile are neither counted nor walked. ``floors``: anchored
    entries no later entry may be dated (much) before."""
    head_seq = head()[0] if up_to is None else up_to
    total = AuditEntry.select().where(AuditEntry.seq <= head_seq).count()
    verifier = ChainVerifier(floors)
    for done, row in enumerate(_in_order(up_to=head_seq), start=1):
        if not verifier.feed(_record(row), row.hash):
            break
        if progress and done % VERIFY_BATCH == 0 and progress(done, total) is False:
            raise InterruptedError
    report = verifier.report()
    if report.ok and report.count != total:
        return ChainReport(report.count, report.head_hash, report.count + 1, "entries are missing")
    return report


@dataclass(frozen=True)
class AuditFilter(LookupFilter):
    actor: str | None = None
    action: str | None = None  # exact action, or a prefix ending in "."
    since: str | None = None  # ISO UTC text, inclusive
    until: str | None = None  # ISO UTC text, exclusive

    def where(self, query: Any) -> Any:
        if self.actor:
            query = query.where(AuditEntry.actor == self.actor)
        if self.action:
            if self.action.endswith("."):
                # A range, not LIKE, so the index on action is used.
                query = query.where(
                    (AuditEntry.action >= self.action) & (AuditEntry.action < self.action[:-1] + "/")
                )
            else:
                query = query.where(AuditEntry.action == self.action)
        if self.since:
            query = query.where(AuditEntry.at >= self.since)
        if self.until:
            query = query.where(AuditEntry.at < self.until)
        return query


def in_order(flt: AuditFilter, up_to: int | None = None) -> Iterator[AuditEntry]:
    return _in_order(flt, up_to)


def count(flt: AuditFilter, up_to: int | None = None) -> int:
    query = flt.where(AuditEntry.select())
    if up_to is not None:
        query = query.where(AuditEntry.seq <= up_to)
    return query.count()


def page(flt: AuditFilter, offset: int, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    query = flt.where(AuditEntry.select()).order_by(AuditEntry.seq.desc()).offset(offset).limit(limit)
    rows: list[dict[str, Any]] = list(query.dicts())
    return rows


def distinct_values(column: str) -> list[str]:
    field = getattr(AuditEntry, column)
    return [getattr(row, column) for row in AuditEntry.select(field).distinct().order_by(field)]


def dump_row(row: AuditEntry) -> dict[str, Any]:
    return {**_record(row).__dict__, "hash": row.hash}


def recorded_after(entity: str, entity_id: Any, action: str) -> list[dict[str, Any]]:
    """The ``after`` part of every entry of ``action`` on one entity (index audit_entry_entity)."""
    import json

    rows = AuditEntry.select(AuditEntry.change).where(
        (AuditEntry.entity == entity) & (AuditEntry.entity_id == str(entity_id))
        & (AuditEntry.action == action))
    return [json.loads(row.change).get("after") or {} for row in rows]
