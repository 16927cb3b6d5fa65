"""Reading and verifying the audit trail (R16), against anchors kept outside the database
(services.anchors): this desk's checkpoints, signed exports, signed checkpoints."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from desk_app.domain.audit import (
    Anchor,
    AnchorCheck,
    ChainReport,
    TimeFloor,
    Verdict,
    judge_anchor,
)
from desk_app.domain.audit_text import describe, person, user_names_in
from desk_app.domain.clock import iso_utc, local_day_range
from desk_app.domain.roles import Permission, role_label
from desk_app.domain.users import Actor
from desk_app.services import anchors as anchor_files
from desk_app.services import output
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store import audit_chain
from desk_app.store.audit_chain import AuditFilter
from desk_app.store.db import is_postgresql
from desk_app.store.models import User

__all__ = ["AuditFilter", "AuditService", "CheckpointResult", "day_range", "full_names",
           "in_words"]
log = logging.getLogger(__name__)


@contextmanager
def _read_only(db: Any) -> Iterator[None]:
    with db.atomic(isolation_level="REPEATABLE READ"):
        db.execute_sql("SET TRANSACTION READ ONLY")
        yield


def day_range(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """Inclusive local calendar days to the half-open ISO UTC range the store filters on."""
    start, end = local_day_range(since, until)
    return (iso_utc(start) if start else None), (iso_utc(end) if end else None)


@dataclass(frozen=True)
class CheckpointResult:
    path: Path
    database_id: str
    seq: int
    head_hash: str
    head_at: str | None


class AuditService(Service):
    """The trail, its verification and its anchors. On open it makes sure the database has
    its identity (``desk_meta`` ``database_id``) and starts this desk's checkpoints."""

    settings: SettingsService
    keys: KeyService

    def on_open(self) -> None:
        try:
            database_id = audit_chain.ensure_database_id()
        except Exception as error:  # a read-only database: verify still works, no checkpoints
            log.warning("no database identity, so no audit checkpoints: %s", error)
            return
        self.ctx.checkpoints = anchor_files.CheckpointRecorder(
            database_id, self.ctx.url.display(), identity=audit_chain.ensure_database_id)

    def database_id(self) -> str:
        return audit_chain.database_id() or audit_chain.ensure_database_id()

    def count(self, actor: Actor, flt: AuditFilter) -> int:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.count(flt)

    def page(self, actor: Actor, flt: AuditFilter, offset: int, limit: int, *,
             words_when_read: bool = False) -> list[dict[str, Any]]:
        """Newest first; each entry also in words (``in_words``). ``words_when_read``: each
        entry is put in words when its words are first read (``EntryInWords``), as a
        register on screen does for the rows it paints."""
        self.require(actor, Permission.AUDIT_VIEW)
        entries = audit_chain.page(flt, offset, limit)
        if words_when_read:
            names: dict[str, str] = {}
            return [EntryInWords(entry, names) for entry in entries]
        return in_words(entries)

    def actors(self, actor: Actor) -> list[str]:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.distinct_values("actor")

    def actor_choices(self, actor: Actor) -> list[tuple[str, str]]:
        """(user name, full name) of everyone in the trail, for the page's user filter."""
        self.require(actor, Permission.AUDIT_VIEW)
        names = audit_chain.distinct_values("actor")
        full = full_names(names)
        return sorted(((name, person(name, full)) for name in names), key=lambda pair: pair[1])

    def actions(self, actor: Actor) -> list[str]:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.distinct_values("action")

    def verify(self, actor: Actor, progress: Callable[[int, int], bool] | None = None,
               anchors: Sequence[Path] = (), own: bool = True) -> ChainReport:
        """Walk the whole chain and check it against ``anchors`` (checkpoint files, signed
        PDFs) and — with ``own`` — this desk's own checkpoints of this database: each must
        still be in the chain (``domain.audit.judge_anchor``), and no later entry may be dated
        before one the chain holds. A file that is neither → ValidationError, before any
        work."""
        self.require(actor, Permission.AUDIT_VIEW)
        found: list[Anchor] = []
        for path in anchors:
            found.extend(anchor_files.anchors_in(Path(path), self.keys.ca_certificate))
        database_id = self.database_id()
        if own:
            found.extend(anchor_files.own_checkpoints(database_id)[1])
        with self._snapshot():
            head_seq = audit_chain.head()[0]
            checks = self._judge(_unique(found), database_id, head_seq, self.ctx.url.display())
            floors = [TimeFloor(check.anchor.seq, at) for check, at in checks
                      if check.verdict == Verdict.OK and at]
            report = audit_chain.verify(progress, floors, up_to=head_seq)
        return replace(report, anchors=tuple(check for check, _at in checks),
                       database_id=database_id)

    @staticmethod
    def _judge(found: list[Anchor], database_id: str, head_seq: int,
               location: str) -> list[tuple[AnchorCheck, str | None]]:
        """Each anchor's verdict, with the time of the entry it names when the chain holds it."""
        if not found:
            return []
        stored = audit_chain.entries_at((anchor.seq for anchor in found), head_seq)
        restores = audit_chain.restores(head_seq)
        checks = []
        for anchor in found:
            hash_at = stored.get(anchor.seq)
            check = judge_anchor(anchor, database_id, hash_at[0] if hash_at else None, head_seq,
                                 restores, location)
            checks.append((check, hash_at[1] if hash_at else None))
        return checks

    def checkpoint(self, actor: Actor, out: Path | str, password: str | None,
                   handwriting_png: bytes | None = None, force: bool = False,
                   ) -> CheckpointResult:
        """A one-page PDF stating this database's chain head, signed by the actor with their
        own key: an anchor anyone can keep (``verify(anchors=[FILE])``). Recorded as
        ``audit.checkpoint`` once the file is complete (services.output)."""
        from desk_app.forms.checkpoint import SIGNER_SLOT, AuditHead, CheckpointSheet, checkpoint_pdf
        from desk_app.services.exports import exporter_text, write_failed

        self.require(actor, Permission.AUDIT_VIEW)
        path = output.check_target(out, force=force)
        self.keys.check_signing_password(actor, password)
        database_id = self.database_id()
        seq, head_hash, head_at = audit_chain.head_entry()
        head = AuditHead(seq, head_hash, database_id, head_at)
        sheet = CheckpointSheet(str(self.settings.value("company_name")), head,
                                self.ctx.clock.now(), exporter_text(actor),
                                self.ctx.url.display())
        signer_role = role_label(sorted(actor.roles)[0]) if actor.roles else ""
        pdf = self.keys.sign_pdf(actor, checkpoint_pdf(sheet), SIGNER_SLOT, password or "",
                                 handwriting_png, signer_role)
        with output.OutputFile(path, replace=force) as target:
            try:
                target.partial.write_bytes(pdf)
            except OSError as error:
                raise write_failed(path, error) from None
            target.publish(self, actor, "audit.checkpoint", "audit_entry", {
                "database_id": database_id, "chain_head": [seq, head_hash], "head_at": head_at,
            }, entity_id=seq)
        return CheckpointResult(path, database_id, seq, head_hash, head_at)

    def _snapshot(self):
        """One consistent view for the whole walk while other desks keep appending, without
        blocking them: REPEATABLE READ READ ONLY on PostgreSQL (the count and the walk see the
        same entries), a plain read transaction on SQLite (a WAL snapshot, no write lock)."""
        db = self.ctx.db
        if is_postgresql(db):
            return _read_only(db)
        return db.atomic("DEFERRED")

    def head(self, actor: Actor) -> tuple[int, str]:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.head()

    def recent_by(self, actor: Actor, limit: int = 10) -> list[dict[str, Any]]:
        """A user's own latest actions: every user may see these (Today page)."""
        return in_words(audit_chain.page(AuditFilter(actor=actor.name), 0, limit))


def full_names(user_names: Iterable[str]) -> dict[str, str]:
    """User name → full name, in one query (a page of entries, an export's batch)."""
    wanted = sorted(set(user_names))
    if not wanted:
        return {}
    query = User.select(User.name, User.full_name).where(User.name.in_(wanted))
    return {row.name: row.full_name or row.name for row in query}


def in_words(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry with ``actor_name`` (full name), ``label``, ``sentence`` and ``rows``
    (field / old / new) in the user's language; the names are read once for the page."""
    names = full_names(user_names_in(entries))
    for entry in entries:
        described = describe(entry, names)
        entry.update(actor_name=person(entry.get("actor"), names), label=described.label,
                     sentence=described.sentence, rows=described.rows)
    return entries


class EntryInWords(dict):
    """An entry whose words — ``actor_name``, ``label``, ``sentence``, ``rows``, as
    ``in_words`` adds them — are made when one of them is first read. The Audit page paints
    some 25 of a page's 200 rows: describing all of them was most of its first paint
    (issue 17). ``names`` (user name → full name) is shared by a page's entries; the names
    an entry needs are read when it is first described, those already known are not."""

    WORDS = frozenset({"actor_name", "label", "sentence", "rows"})

    def __init__(self, entry: dict[str, Any], names: dict[str, str]) -> None:
        super().__init__(entry)
        self._names = names

    def __missing__(self, key: str) -> Any:
        if key not in self.WORDS:
            raise KeyError(key)
        self._describe()
        return self[key]

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.WORDS and not dict.__contains__(self, key):
            self._describe()
        return super().get(key, default)

    def _describe(self) -> None:
        wanted = user_names_in([self]) - self._names.keys()
        if wanted:  # someone not a user (an outside borrower) is shown as named
            found = full_names(wanted)
            self._names.update({name: found.get(name, name) for name in wanted})
        described = describe(self, self._names)
        self.update(actor_name=person(self.get("actor"), self._names), label=described.label,
                    sentence=described.sentence, rows=described.rows)


def _unique(found: list[Anchor]) -> list[Anchor]:
    """One check per head: the same head in several lines or files is checked once (the
    first source named)."""
    seen: set[tuple[int, str, str]] = set()
    unique = []
    for anchor in found:
        if anchor.problem or anchor.key not in seen:
            unique.append(anchor)
            seen.add(anchor.key)
    return unique
