"""The audit chain's hashing rules (R16): pure functions, shared by writer and verifier."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


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


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and self.problem is None


class ChainVerifier:
    """Feed records in stored order; the first inconsistency is kept.

    Catches an edited entry (hash mismatch), a deleted or inserted one (sequence gap or
    broken link) and a reordering (broken link).
    """

    def __init__(self) -> None:
        self.count = 0
        self.head = GENESIS
        self.broken_seq: int | None = None
        self.problem: str | None = None

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
        self.count += 1
        self.head = stored_hash
        return True

    def _fail(self, seq: int, problem: str) -> bool:
        self.broken_seq, self.problem = seq, problem
        return False

    def report(self) -> ChainReport:
        return ChainReport(self.count, self.head, self.broken_seq, self.problem)
