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
import logging
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from desk_app.domain import text
from desk_app.domain.audit import ChainReport
from desk_app.domain.clock import iso_utc, local_day_start, local_today
from desk_app.domain.errors import Conflict, PermissionDenied, ValidationError
from desk_app.domain.roles import Permission, Role, parse_roles
from desk_app.domain.text import lookup
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.base import Service
from desk_app.services.passwords import check_password, refused
from desk_app.services.settings import SettingsService
from desk_app.store import audit_chain
from desk_app.store import backup as store_backup
from desk_app.store.backup import LostAction
from desk_app.store.db import is_postgresql
from desk_app.store.models import User

__all__ = ["DAILY_ACTOR", "REASON_LIMIT", "SETUP_ACTIONS", "BackupService", "DailyBackup",
           "LostAction", "Problem", "Relation", "RestorePlan"]

log = logging.getLogger(__name__)

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


# The daily backup is the program's, not the signed-in user's: its entry names this actor
# (and the user whose session made it), so no clerk seems to have backed up the database.
DAILY_ACTOR = "system"
# ``desk-daily-<first 8 of the database id>-<YYYYMMDD>.db``: the daily backup deletes only
# files of this pattern and of its own database when it prunes beyond the number kept.
DAILY_NAME = "desk-daily-{database}-{day:%Y%m%d}.db"
DAILY_PATTERN = re.compile(r"^desk-daily-(?P<database>[0-9a-f]{8})-(?P<day>\d{8})\.db$")


@dataclass(frozen=True)
class DailyBackup:
    """What the daily backup did: the file written (None: nothing to do) and the older
    daily backups it deleted."""

    path: Path | None
    pruned: tuple[Path, ...] = ()
    reason: str = ""  # why nothing was written: "off", "done"


class BackupService(Service):
    settings: SettingsService

    def backup(self, actor: Actor, target: Path, force: bool = False,
               progress: Callable[[int, int], bool] | None = None) -> Path:
        """A snapshot in ``FILE.partial``, then the audit entry (with the file's hash and the
        chain head the backup holds) and the rename: a failed or killed backup records
        nothing and leaves no file (services.output). ``progress()`` returning False before
        the audit entry cancels (InterruptedError): nothing recorded, no file."""
        self.require(actor, Permission.BACKUP_CREATE)
        return self._write(actor.name, Path(target), force, {}, progress)

    def _write(self, actor: str, target: Path, force: bool, details: dict[str, Any],
               progress: Callable[[int, int], bool] | None = None) -> Path:
        path = output.check_target(target, force=force, field="file")
        with output.OutputFile(path, replace=force) as out:
            if progress is not None and progress(0, 2) is False:
                raise InterruptedError
            try:
                store_backup.snapshot(self.ctx.db, out.partial)
            except (OSError, sqlite3.OperationalError) as error:
                raise ValidationError(_("Cannot write {path}: {reason}").format(
                    path=path, reason=getattr(error, "strerror", None) or error), "file") from None
            if progress is not None and progress(1, 2) is False:
                raise InterruptedError
            seq, head = store_backup.chain_head(out.partial)  # what the file holds
            out.publish(self, actor, "backup.create", "database",
                        {"chain_head": seq, "chain_hash": head, **details})
        return path

    # ------------------------------------------------------------------ the daily backup

    def daily_folder(self) -> Path:
        """The ``backup_folder`` setting, or ``backups`` beside a SQLite database file (the
        desk's data folder for PostgreSQL)."""
        folder = str(self.settings.value("backup_folder") or "").strip()
        if folder:
            return Path(folder).expanduser()
        url = self.ctx.url
        if url.backend == "sqlite" and url.path is not None:
            return Path(url.path).expanduser().resolve().parent / "backups"
        from desk_app.paths import data_dir

        return data_dir() / "backups"

    def daily_files(self) -> list[Path]:
        """This database's daily backups in the folder, oldest first (by the day named)."""
        prefix = self._database_prefix()
        folder = self.daily_folder()
        found = []
        try:
            entries = list(folder.iterdir()) if folder.is_dir() else []
        except OSError:
            entries = []
        for path in entries:
            match = DAILY_PATTERN.match(path.name)
            if match and match["database"] == prefix and path.is_file():
                found.append((match["day"], path))
        return [path for _day, path in sorted(found)]

    def daily_backup(self, actor: Actor, today: date | None = None) -> DailyBackup:
        """The program's automatic backup, at most one a day (by any desk): when
        ``backup_daily`` is on and no daily backup is recorded since local midnight, a backup
        into the daily folder, recorded like a manual one (``backup.create``, marked
        ``daily``, by ``system`` on the session of ``actor``); then this database's daily
        backups beyond ``backup_keep`` are deleted, oldest first — only files of the daily
        name pattern and of this database. Any signed-in session may run it: it writes only
        where the administrator's settings say."""
        if actor.user_id is None:
            raise PermissionDenied(_("Only a signed-in session makes the daily backup."))
        if self.settings.value("backup_daily") != "yes":
            return DailyBackup(None, reason="off")
        now = self.ctx.clock.now()
        today = today or local_today(now)
        if store_backup.daily_backup_since(iso_utc(local_day_start(today))):
            return DailyBackup(None, reason="done")
        folder = self.daily_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ValidationError(_("Cannot create the backup folder {path}: {reason}").format(
                path=folder, reason=error.strerror or error), "backup_folder") from None
        target = folder / DAILY_NAME.format(database=self._database_prefix(), day=today)
        if target.exists():  # another desk wrote it into a shared folder just now
            return DailyBackup(None, reason="done")
        keep = max(1, int(self.settings.value("backup_keep")))
        older = [path for path in self.daily_files() if path != target]
        doomed = older[:max(0, len(older) - (keep - 1))]
        self._write(DAILY_ACTOR, target, False, {
            "daily": True, "session_of": actor.name, "keep": keep,
            "pruned": [path.name for path in doomed]})
        pruned = []
        for path in doomed:  # after the new one is complete: never fewer than kept
            try:
                path.unlink()
                pruned.append(path)
            except OSError as error:
                log.warning("cannot delete the old daily backup %s: %s", path, error)
        return DailyBackup(target, tuple(pruned))

    @staticmethod
    def _database_prefix() -> str:
        return audit_chain.ensure_database_id()[:8]

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

    def admin_of_backup(self, source: Path, name: str, password: str) -> Actor:
        """Moving to a new PC: who may restore onto a database nobody has used yet (no user
        can sign in to it) — an active administrator *of the backup*, by the password the
        backup holds. Refused once the database has users (sign in there instead). Nothing
        is recorded for a wrong password: this database has no one to record it for, and
        whoever holds the file can read it anyway (docs/security.md)."""
        if User.select().exists():
            raise PermissionDenied(_("This database is in use: sign in to it to restore a "
                                     "backup."))
        with self._backup(Path(source)) as (_copy, backup_db):
            row = store_backup.backup_user(backup_db, lookup(name).strip().lower())
        roles: frozenset[Role] = frozenset()
        if row is not None and row["active"]:
            with contextlib.suppress(ValidationError):
                roles = parse_roles(row["roles"])
        if not check_password(row["password_hash"] if row else None, password):
            raise refused()
        actor = Actor(user_id=row["id"] if row else None, name=row["name"] if row else name,
                      roles=roles, full_name=row["full_name"] if row else "")
        if row is None or not row["active"] or not actor.can(Permission.BACKUP_RESTORE):
            raise PermissionDenied(_("{user} is not an active administrator in this backup: "
                                     "only one may restore it onto a new database.").format(
                user=name))
        return actor

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
