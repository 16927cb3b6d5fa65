"""Backups (online, consistent) and restores, each recorded in the audit trail.

A restore replaces the audit trail with the backup's, so it is judged against the current
trail first (``restore_plan``) and refused, changing nothing, when

- the backup's own chain is broken (an entry edited, removed or inserted and not rehashed);
- this database has no record of making the backup (no ``backup.create`` entry of the
  current chain holds the file's SHA-256): edited and rehashed, or from another database;
- the two chains differ from some entry on (one of them was rewritten);
- the restore would lose entries of the current trail (an older backup: entries made after
  it) — except entries that are the expected consequence of backing up and restoring: the
  ``backup.create`` entry recording this very file and the restoring user's own sign-ins
  (``auth.login``). So a backup restored straight after it was made needs no force, while
  anything else done since (another user's sign-in, a failed sign-in, any change) does;

unless the restore is forced with a reason. A new database — whose trail holds only its
set-up (the script library seeded, the first administrator created, sign-ins), or nothing —
has nothing to lose and cannot have recorded any backup: a backup restores onto it without
force when its own chain is intact (moving to a new PC).

The restored chain then records the restore (``backup.restore``): the file and its hash,
the backup's head, the head it replaced, how many entries were lost (and of which actions),
whether it was forced, the reason and the problems overruled. The anchor check
(domain.audit.Restore) reads ``replaced_head``, ``backup_head``, ``lost_entries``,
``forced`` and ``reason``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from desk_app.domain import text
from desk_app.domain.audit import ChainReport
from desk_app.domain.errors import Conflict, ValidationError
from desk_app.domain.roles import Permission
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.base import Service
from desk_app.store import audit_chain
from desk_app.store import backup as store_backup
from desk_app.store.backup import LostAction
from desk_app.store.db import is_postgresql

__all__ = ["REASON_LIMIT", "SETUP_ACTIONS", "BackupService", "LostAction", "Problem", "Relation",
           "RestorePlan"]

REASON_LIMIT = 500
# What a new database's trail holds before anyone worked in it.
SETUP_ACTIONS = frozenset({"script.seed", "user.first_admin", "auth.login"})
# Lost entries that need no force when they follow the backup (see the module's notes).
OWN_SIGN_IN = "auth.login"


class Relation(StrEnum):
    """How the backup's chain stands to the current one."""

    SAME = "same"  # the backup holds exactly the current trail
    EXTENDS = "extends"  # the backup holds the current trail and more entries
    OLDER = "older"  # the backup's trail is the beginning of the current one
    DIVERGED = "diverged"  # they differ from some entry on: one of them was rewritten


class Problem(StrEnum):
    """Why a restore needs force (the codes the restore entry records)."""

    CHAIN_BROKEN = "chain_broken"
    NOT_RECORDED = "not_recorded"
    DIVERGED = "diverged"
    ENTRIES_LOST = "entries_lost"
    # Only in a restore entry: another desk committed in the moment between the last check
    # and the swap (SQLite); that change may be lost.
    CONCURRENT_WRITE = "concurrent_write"


@dataclass(frozen=True)
class RestorePlan:
    """What restoring ``file`` would do; ``problems`` say why it needs force (none: it
    does not)."""

    file: Path
    sha256: str
    backup_head: tuple[int, str]  # (seq, hash) of the backup's last entry
    current_head: tuple[int, str]  # the same of the current trail, when the plan was made
    relation: Relation
    common_seq: int  # the last entry both chains hold
    lost: tuple[LostAction, ...]  # the current entries after ``common_seq``, by action
    expected_lost: int  # of those, the backup's own record and the restorer's sign-ins
    recorded_seq: int | None  # the backup.create entry that recorded this file
    backup_chain: ChainReport
    new_database: bool

    @property
    def lost_entries(self) -> int:
        return self.current_head[0] - self.common_seq

    @property
    def recorded(self) -> bool:
        return self.recorded_seq is not None

    @property
    def first_lost_at(self) -> str | None:
        return min((lost.first_at for lost in self.lost), default=None)

    @property
    def last_lost_at(self) -> str | None:
        return max((lost.last_at for lost in self.lost), default=None)

    @property
    def problems(self) -> tuple[Problem, ...]:
        found = []
        if not self.backup_chain.ok:
            found.append(Problem.CHAIN_BROKEN)
        if self.new_database:
            return tuple(found)
        if not self.recorded:
            found.append(Problem.NOT_RECORDED)
        if self.relation == Relation.DIVERGED:
            found.append(Problem.DIVERGED)
        if self.lost_entries > self.expected_lost:
            found.append(Problem.ENTRIES_LOST)
        return tuple(found)

    @property
    def needs_force(self) -> bool:
        return bool(self.problems)

    def messages(self) -> list[str]:
        """Each problem in words (translated)."""
        return [self.message(problem) for problem in self.problems]

    def message(self, problem: Problem) -> str:
        if problem == Problem.CHAIN_BROKEN:
            return _("The backup's own audit trail is broken at entry {seq} ({problem}): it "
                     "was changed after it was written.").format(
                seq=self.backup_chain.broken_seq, problem=self.backup_chain.problem)
        if problem == Problem.NOT_RECORDED:
            return _("This database has no record of making this backup (no backup entry "
                     "with its SHA-256): it was changed after it was written, or it comes "
                     "from another database.")
        if problem == Problem.DIVERGED:
            return _("The backup's audit trail differs from this database's from entry {seq} "
                     "on: one of the two was rewritten.").format(seq=self.common_seq + 1)
        if problem == Problem.ENTRIES_LOST:
            return _("Restoring would lose {count} audit entries of this database (entries "
                     "{first} to {last}).").format(count=self.lost_entries,
                                                  first=self.common_seq + 1,
                                                  last=self.current_head[0])
        return _("Another desk wrote to the database while it was replaced; that change may "
                 "be lost.")

    def as_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file), "sha256": self.sha256,
            "backup_head": list(self.backup_head), "current_head": list(self.current_head),
            "relation": self.relation.value, "common_seq": self.common_seq,
            "lost_entries": self.lost_entries, "expected_lost": self.expected_lost,
            "lost": [{"action": lost.action, "count": lost.count, "first_at": lost.first_at,
                      "last_at": lost.last_at} for lost in self.lost],
            "recorded": self.recorded, "recorded_seq": self.recorded_seq,
            "backup_chain_ok": self.backup_chain.ok, "new_database": self.new_database,
            "problems": [problem.value for problem in self.problems],
            "messages": self.messages(), "needs_force": self.needs_force,
        }


class BackupService(Service):
    def backup(self, actor: Actor, target: Path, force: bool = False) -> Path:
        """A snapshot in ``FILE.partial``, then the audit entry (with the file's hash and the
        chain head the backup holds) and the rename: a failed or killed backup records
        nothing and leaves no file (services.output)."""
        self.require(actor, Permission.BACKUP_CREATE)
        path = output.check_target(target, force=force, field="file")
        with output.OutputFile(path) as out:
            try:
                store_backup.snapshot(self.ctx.db, out.partial)
            except (OSError, sqlite3.OperationalError) as error:
                raise ValidationError(_("Cannot write {path}: {reason}").format(
                    path=path, reason=getattr(error, "strerror", None) or error), "file") from None
            seq, head = store_backup.chain_head(out.partial)  # what the file holds
            out.publish(self, actor, "backup.create", "database",
                        {"chain_head": seq, "chain_hash": head})
        return path

    def restore_plan(self, actor: Actor, source: Path,
                     progress: Callable[[int, int], bool] | None = None) -> RestorePlan:
        """What restoring ``source`` would do and why it would need force (see the module's
        notes); nothing is changed. ``progress(done, total)`` follows the check of the
        backup's own chain and may return False to cancel (InterruptedError)."""
        self.require(actor, Permission.BACKUP_RESTORE)
        with self._backup(Path(source)) as (copy, backup_db):
            chain = store_backup.backup_chain(backup_db, progress)
            return self._plan(actor, copy, backup_db, chain)

    def restore(self, actor: Actor, source: Path, *, force: bool = False, reason: str = "",
                plan: RestorePlan | None = None) -> RestorePlan:
        """Replace the database by the backup when its plan has no problem, or when forced
        with a reason; otherwise a Conflict naming the problems, and nothing changed.

        The plan is made again right before the database is replaced, while no other desk
        can write (store.backup.restore's ``decide``), so what it loses is what the plan and
        the restore entry say. ``plan``: the plan the user saw and confirmed — the restore is
        refused when the file or the current trail changed since. Returns the plan carried
        out."""
        self.require(actor, Permission.BACKUP_RESTORE)
        reason = text.line(reason, "reason", _("The reason"), REASON_LIMIT)
        if force:
            text.required(reason, "reason", _("Give the reason for forcing the restore."))
        with self._backup(Path(source)) as (copy, backup_db):
            chain = store_backup.backup_chain(backup_db)
            # First without locks: a refusal does not hold up the other desks.
            self._decide(self._plan(actor, copy, backup_db, chain), force, plan)
            decided: list[RestorePlan] = []

            def decide() -> None:  # again while no desk can write, right before the swap
                current = self._plan(actor, copy, backup_db, chain, locked=True)
                self._decide(current, force, plan)
                decided.append(current)

            def record(raced: bool) -> None:
                self._record(actor, copy, decided[0], reason, raced)

            try:
                store_backup.restore(self.ctx.db, copy.path, decide=decide, then=record)
            except store_backup.RestoreBusy as error:
                raise Conflict(_("Another desk was writing at the same moment; nothing was "
                                 "restored. Try the restore again.")) from error
            return decided[0]

    # ------------------------------------------------------------------------ the parts

    @contextmanager
    def _backup(self, source: Path) -> Iterator[tuple[store_backup.BackupCopy, Any]]:
        with store_backup.private_copy(source) as copy:
            backup_db = store_backup.open_backup(copy.path, shown=copy.source)
            try:
                yield copy, backup_db
            finally:
                backup_db.close()

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One consistent view of the current trail (as AuditService.verify reads it)."""
        db = self.ctx.db
        if is_postgresql(db):
            with db.atomic(isolation_level="REPEATABLE READ"):
                db.execute_sql("SET TRANSACTION READ ONLY")
                yield
        else:
            with db.atomic("DEFERRED"):
                yield

    def _plan(self, actor: Actor, copy: store_backup.BackupCopy, backup_db: Any,
              chain: ChainReport, locked: bool = False) -> RestorePlan:
        """``locked``: inside the restore's transaction, which holds the other desks off."""
        backup_head = store_backup.backup_head(backup_db)
        with contextlib.nullcontext() if locked else self._snapshot():
            current_head = audit_chain.head()
            seq = current_head[0]
            common = store_backup.common_seq(backup_db, backup_head[0], seq)
            if common == seq:
                relation = Relation.SAME if common == backup_head[0] else Relation.EXTENDS
            else:
                relation = Relation.OLDER if common == backup_head[0] else Relation.DIVERGED
            expected = (store_backup.backup_records_after(copy.sha256, common, seq)
                        + store_backup.count_entries(common, seq, action=OWN_SIGN_IN,
                                                     actor=actor.name))
            return RestorePlan(
                file=copy.source, sha256=copy.sha256, backup_head=backup_head,
                current_head=current_head, relation=relation, common_seq=common,
                lost=tuple(store_backup.lost_actions(common, seq)), expected_lost=expected,
                recorded_seq=store_backup.recorded_backup(copy.sha256, backup_head, seq),
                backup_chain=chain,
                new_database=not store_backup.any_entry(seq, excluding=SETUP_ACTIONS),
            )

    @staticmethod
    def _decide(current: RestorePlan, force: bool, confirmed: RestorePlan | None) -> None:
        if confirmed is not None and (confirmed.sha256, confirmed.current_head) != (
                current.sha256, current.current_head):
            raise Conflict(_("The backup file or the audit trail changed since the restore "
                             "was planned; look at the plan again."))
        if current.needs_force and not force:
            raise Conflict(_("{path} was not restored: {problems} To restore it anyway, "
                             "force the restore and give the reason.").format(
                path=current.file, problems=" ".join(current.messages())))

    def _record(self, actor: Actor, copy: store_backup.BackupCopy, plan: RestorePlan,
                reason: str, raced: bool) -> None:
        problems = [problem.value for problem in plan.problems]
        if raced:
            problems.append(Problem.CONCURRENT_WRITE.value)
        with self.write() as tx:
            tx.audit(actor, "backup.restore", "database", None, after={
                "file": str(copy.source), "sha256": copy.sha256,
                "backup_head": list(plan.backup_head),
                "replaced_head": list(plan.current_head),
                "lost_entries": plan.lost_entries,
                "lost_actions": {lost.action: lost.count for lost in plan.lost},
                "relation": plan.relation.value, "common_seq": plan.common_seq,
                "forced": plan.needs_force, "reason": reason,
                "recorded": plan.recorded, "problems": problems,
            })
