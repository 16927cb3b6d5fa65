"""The audit chain's hashing rules (R16): pure functions, shared by writer and verifier.

Anchors: the chain proves nothing about its own end — deleting the newest entries, appending
a forged one or recomputing every hash leaves a chain that verifies. An *anchor* is a head
(sequence number and hash) seen earlier and kept outside the database: a desk's checkpoint
file (services.anchors) or a signed PDF (a register export, a signed checkpoint). The
current chain must still hold that hash at that number (``judge_anchor``), and no entry
after it may be dated before it (``ChainVerifier``'s time floors).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from desk_app.domain.clock import format_datetime, iso_utc, parse_iso_utc
from desk_app.i18n import _

GENESIS = "0" * 64

# A desk writes a checkpoint at each sign-in, after a restore, and whenever one of its own
# writes takes the chain into a new block of this many entries.
CHECKPOINT_EVERY = 100

# How much earlier than an already checkpointed entry a later entry may be dated before it
# counts as back-dated. An entry's ``at`` is ``Transaction.at``: the standard clock read
# when its write transaction began (services.base.Service.write), while its place in the
# chain is fixed when it is appended, just before the commit.
# - SQLite: the transaction begins with BEGIN IMMEDIATE, which waits for the one write lock,
#   and the time is read after that: entries are in clock order. Only the clock itself can
#   go back — NTP corrections (well under a second), or desks on PCs whose clocks differ
#   sharing one file.
# - PostgreSQL: the time is the server's clock_timestamp() at the start of the transaction,
#   but appends are ordered by the advisory lock taken at the append: an entry may be older
#   than the one before it by as long as its transaction ran (waiting for row locks, a big
#   import).
# Ten minutes covers every interactive write and a PC clock a few minutes off with a wide
# margin; a back-dated forgery can hide at most that far back. A bulk write on a shared
# PostgreSQL database that runs longer than this while other desks check-point (demo data
# at the largest scale) would be reported as back-dated.
TIME_TOLERANCE = timedelta(minutes=10)

# The action of a restore entry (services.backup) and the keys of its ``after``.
RESTORE_ACTION = "backup.restore"


def canonical_json(value: Any) -> str:
    """One byte-exact text per value: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: str  # ISO UTC text, see domain.clock.iso_utc
    actor: str
    action: str
    entity: str
    entity_id: str
    change: str  # canonical JSON of {"before": ..., "after": ...}
    prev_hash: str

    def digest(self) -> str:
        body = canonical_json(
            [self.seq, self.at, self.actor, self.action, self.entity, self.entity_id,
             self.change, self.prev_hash]
        )
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------ anchors


class AnchorKind(StrEnum):
    CHECKPOINT = "checkpoint"  # a line of a desk's checkpoint file
    SIGNED = "signed"  # a signed PDF: a register export or a signed checkpoint


@dataclass(frozen=True)
class Anchor:
    """A chain head seen earlier, kept outside the database."""

    seq: int
    hash: str
    database_id: str
    kind: AnchorKind
    source: str  # the file it came from
    at: str | None = None  # the head entry's time as the anchor recorded it (ISO UTC)
    recorded_at: str | None = None  # when it was written or signed (ISO UTC), if known
    by: str = ""  # the desk (checkpoint) or the signer (signed PDF)
    problem: str = ""  # a signed PDF whose signature does not hold: not evidence
    location: str = ""  # where the desk opened the database when it wrote the checkpoint
    implicit: bool = False  # this desk's own checkpoint, checked without being asked

    @property
    def key(self) -> tuple[int, str, str]:
        return self.seq, self.hash, self.database_id


@dataclass(frozen=True)
class Restore:
    """A recorded restore (entry ``RESTORE_ACTION``): the head it replaced and the backup's."""

    seq: int
    at: str
    actor: str
    replaced_head: tuple[int, str]
    backup_head: tuple[int, str]
    lost_entries: int | None
    forced: bool
    reason: str

    @classmethod
    def from_entry(cls, seq: int, at: str, actor: str, change: str) -> Restore | None:
        """The restore an entry records, or None when its ``after`` is not one."""
        try:
            after = json.loads(change)["after"]
            replaced, backup = after["replaced_head"], after["backup_head"]
            lost = after.get("lost_entries")
            return cls(seq, at, actor, (int(replaced[0]), str(replaced[1])),
                       (int(backup[0]), str(backup[1])),
                       int(lost) if lost is not None else None, bool(after.get("forced")),
                       str(after.get("reason") or ""))
        except (TypeError, ValueError, KeyError, IndexError):
            return None

    def replaced(self, anchor: Anchor) -> bool:
        """``anchor`` is missing from the trail because of this restore: it lies beyond the
        backup's head, and it is the head the restore replaced, or its entry was made before
        the restore (within TIME_TOLERANCE; this also covers a backup restored onto another,
        e.g. new, database). An anchor dated after the restore is not explained by it: that
        trail was written after the restore, and shortened since. Without a time (an anchor
        that did not record one), the replaced head's number decides."""
        if anchor.seq <= self.backup_head[0]:
            return False
        if (anchor.seq, anchor.hash) == self.replaced_head:
            return True
        if anchor.at:
            try:
                return parse_iso_utc(anchor.at) <= parse_iso_utc(self.at) + TIME_TOLERANCE
            except ValueError:
                return False
        return anchor.seq < self.replaced_head[0]


class Verdict(StrEnum):
    OK = "ok"  # the chain holds that hash at that number
    RESTORED = "restored"  # not in the chain, but a recorded restore replaced it (a notice)
    ELSEWHERE = "elsewhere"  # this desk saw it in the database at another location (a notice)
    TRUNCATED = "truncated"  # the chain ends before it: entries were removed from the end
    DIFFERENT = "different"  # another hash at that number: the chain was rewritten
    OTHER_DATABASE = "other_database"  # the anchor is of another database (or the id changed)
    INVALID = "invalid"  # a signed PDF whose signature does not hold


FAILING = frozenset({Verdict.TRUNCATED, Verdict.DIFFERENT, Verdict.OTHER_DATABASE,
                     Verdict.INVALID})


def _when(at: str | None) -> str:
    if not at:
        return "?"
    try:
        return format_datetime(parse_iso_utc(at), seconds=True)
    except ValueError:
        return at


@dataclass(frozen=True)
class AnchorCheck:
    anchor: Anchor
    verdict: Verdict
    chain_head: int  # the current chain's last sequence number
    restore: Restore | None = None
    location: str = ""  # where this desk has the database open now

    @property
    def passed(self) -> bool:
        return self.verdict not in FAILING

    @property
    def notice(self) -> bool:
        return self.verdict in (Verdict.RESTORED, Verdict.ELSEWHERE)

    def message(self) -> str:
        anchor = self.anchor
        seen = _("entry {seq} with hash {hash}").format(seq=anchor.seq, hash=anchor.hash[:16])
        if self.verdict == Verdict.OK:
            return _("{source}: the trail still holds {seen}.").format(
                source=anchor.source, seen=seen)
        if self.verdict == Verdict.RESTORED and self.restore is not None:
            restore = self.restore
            return _("{source}: {seen} was replaced by the restore recorded as entry {seq} "
                     "({when}, by {actor}; reason: {reason}).").format(
                source=anchor.source, seen=seen, seq=restore.seq, when=_when(restore.at),
                actor=restore.actor, reason=restore.reason or "—")
        if self.verdict == Verdict.ELSEWHERE:
            return _("{source}: {seen} was seen by this desk in this database at {there}; the "
                     "copy at {here} does not hold it (a backup or another copy?). Check the copy "
                     "you rely on, or pass this file with --anchor to make it count.").format(
                source=anchor.source, seen=seen, there=anchor.location, here=self.location)
        if self.verdict == Verdict.TRUNCATED:
            return _("{source}: {seen} was seen earlier, but the trail now ends at entry "
                     "{head}: entries were removed from its end.").format(
                source=anchor.source, seen=seen, head=self.chain_head)
        if self.verdict == Verdict.DIFFERENT:
            return _("{source}: {seen} was seen earlier, but the trail now has another entry "
                     "there: it was rewritten, or shortened and written on.").format(
                source=anchor.source, seen=seen)
        if self.verdict == Verdict.OTHER_DATABASE:
            return _("{source}: this anchor is of database {other}, not of this one: another "
                     "database, or this database's identity was changed.").format(
                source=anchor.source, other=anchor.database_id)
        return _("{source}: not evidence, its signature does not hold ({problem}).").format(
            source=anchor.source, problem=anchor.problem)


def judge_anchor(anchor: Anchor, database_id: str, stored_hash: str | None, chain_head: int,
                 restores: Sequence[Restore], location: str = "") -> AnchorCheck:
    """``stored_hash``: the current chain's hash at ``anchor.seq`` (None: no such entry);
    ``restores``: the restores the current chain records; ``location``: where the database
    is open now. This desk's own checkpoints (``implicit``) written while the database was
    open elsewhere only make a notice: a backup file or a copy opened here is meant to be
    shorter. A checkpoint file passed on purpose always counts."""
    if anchor.problem:
        return AnchorCheck(anchor, Verdict.INVALID, chain_head)
    if anchor.database_id != database_id:
        return AnchorCheck(anchor, Verdict.OTHER_DATABASE, chain_head)
    if anchor.seq == 0 and anchor.hash == GENESIS:
        return AnchorCheck(anchor, Verdict.OK, chain_head)  # seen empty: nothing to hold
    if stored_hash == anchor.hash:
        return AnchorCheck(anchor, Verdict.OK, chain_head)
    for restore in restores:
        if restore.replaced(anchor):
            return AnchorCheck(anchor, Verdict.RESTORED, chain_head, restore)
    verdict = Verdict.TRUNCATED if stored_hash is None else Verdict.DIFFERENT
    if anchor.implicit and anchor.location and location and anchor.location != location:
        verdict = Verdict.ELSEWHERE
    return AnchorCheck(anchor, verdict, chain_head, location=location)


@dataclass(frozen=True)
class TimeFloor:
    """Entries after ``seq`` may not be dated before ``at`` less the tolerance: an anchor
    showed entry ``seq`` (dated ``at``) in the chain before they were appended."""

    seq: int
    at: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None
    anchors: tuple[AnchorCheck, ...] = ()
    database_id: str = ""

    @property
    def chain_ok(self) -> bool:
        """The chain itself: every link, hash and (against anchors) every time in order."""
        return self.broken_seq is None and self.problem is None

    @property
    def ok(self) -> bool:
        return self.chain_ok and all(check.passed for check in self.anchors)

    @property
    def failed_anchors(self) -> list[AnchorCheck]:
        return [check for check in self.anchors if not check.passed]

    @property
    def notices(self) -> list[AnchorCheck]:
        return [check for check in self.anchors if check.notice]


class ChainVerifier:
    """Feed records in stored order; the first inconsistency is kept.

    Catches an edited entry (hash mismatch), a deleted or inserted one (sequence gap or
    broken link) and a reordering (broken link); with ``floors`` (from anchors the chain
    holds) an entry appended after an anchored one but dated well before it (back-dated).
    """

    def __init__(self, floors: Sequence[TimeFloor] = (),
                 tolerance: timedelta = TIME_TOLERANCE) -> None:
        self.count = 0
        self.head = GENESIS
        self.broken_seq: int | None = None
        self.problem: str | None = None
        self._floors = sorted(floors, key=lambda floor: floor.seq)
        self._tolerance = tolerance
        self._next_floor = 0
        self._floor: TimeFloor | None = None  # the latest-dated floor before this entry
        self._earliest = ""  # ISO text: entries before it are back-dated

    def feed(self, record: AuditRecord, stored_hash: str) -> bool:
        if self.broken_seq is not None:
            return False
        expected_seq = self.count + 1
        if record.seq != expected_seq:
            return self._fail(record.seq, f"sequence {record.seq} where {expected_seq} was expected")
        if record.prev_hash != self.head:
            return self._fail(record.seq, "link to the previous entry is broken")
        if record.digest() != stored_hash:
            return self._fail(record.seq, "content does not match its hash")
        if self._floors and self._back_dated(record):
            assert self._floor is not None
            return self._fail(record.seq, _(
                "dated {at}, before entry {seq} ({floor_at}) that was already in the trail "
                "when a checkpoint saw it: a back-dated entry").format(
                at=_when(record.at), seq=self._floor.seq, floor_at=_when(self._floor.at)))
        self.count += 1
        self.head = stored_hash
        return True

    def _back_dated(self, record: AuditRecord) -> bool:
        floors = self._floors
        while self._next_floor < len(floors) and floors[self._next_floor].seq < record.seq:
            floor = floors[self._next_floor]
            self._next_floor += 1
            if self._floor is None or floor.at > self._floor.at:
                try:
                    self._earliest = iso_utc(parse_iso_utc(floor.at) - self._tolerance)
                except ValueError:
                    continue
                self._floor = floor
        return self._floor is not None and record.at < self._earliest

    def _fail(self, seq: int, problem: str) -> bool:
        self.broken_seq, self.problem = seq, problem
        return False

    def report(self) -> ChainReport:
        return ChainReport(self.count, self.head, self.broken_seq, self.problem)
