"""What every service shares: the database, the clock, permission checks, transactions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import peewee

from desk_app.domain.clock import Clock, iso_utc
from desk_app.domain.errors import PermissionDenied
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.store import audit_chain
from desk_app.store.db import DatabaseUrl, is_postgresql


class CommitHook(Protocol):
    """Told of every audit entry this desk commits (services.anchors.CheckpointRecorder)."""

    def committed(self, seq: int, hash: str, at: str, action: str) -> None: ...


@dataclass
class Context:
    db: peewee.Database
    clock: Clock
    url: DatabaseUrl
    checkpoints: CommitHook | None = None  # set by AuditService.on_open


@dataclass
class Change:
    """The single audit entry a write transaction records."""

    actor: str
    action: str
    entity: str
    entity_id: Any = None
    before: Any = None
    after: Any = None


@dataclass
class Transaction:
    at: datetime
    changes: list[Change] = field(default_factory=list)
    wrote_nothing: bool = False

    def audit(self, actor: Actor | str, action: str, entity: str, entity_id: Any = None,
              before: Any = None, after: Any = None) -> None:
        name = actor.name if isinstance(actor, Actor) else actor
        self.changes.append(Change(name, action, entity, entity_id, before, after))

    def unchanged(self) -> None:
        """This transaction only read under lock (e.g. a correct password, no failures to
        clear): it commits without an audit entry because nothing happened."""
        self.wrote_nothing = True


class Service:
    """A use-case class. The services it works with are declared as class annotations
    (``settings: SettingsService``) and passed in by the composition root (``Desk``, from
    the area manifest's ``needs``): no service builds another."""

    def __init__(self, ctx: Context, **needs: Any) -> None:
        self.ctx = ctx
        declared = {name for klass in type(self).__mro__
                    for name, kind in vars(klass).get("__annotations__", {}).items()
                    if not str(kind).startswith("ClassVar")} - {"ctx"}
        if set(needs) != declared:
            raise TypeError(f"{type(self).__name__} declares {sorted(declared)}, "
                            f"was given {sorted(needs)}")
        for name, service in needs.items():
            setattr(self, name, service)

    @staticmethod
    def require(actor: Actor, permission: str) -> None:
        if not actor.can(permission):
            raise PermissionDenied(
                _("{user} may not do this ({permission}).").format(
                    user=actor.name, permission=permission
                )
            )

    def locked(self, query: Any, of: Any = None) -> Any:
        """``query`` taking row locks until the write transaction ends, for every "check,
        then write" (still open? renewals left? already recorded?). On PostgreSQL a row
        another desk changed meanwhile is waited for and read again; on SQLite the write
        transaction (BEGIN IMMEDIATE) already holds the only write lock."""
        if is_postgresql(self.ctx.db) and self.ctx.db.in_transaction():
            # Only the rows of ``of`` (a joined kind or item is read, not locked: two desks
            # must not wait on each other through a shared row and deadlock).
            return query.for_update(of=of) if of is not None else query.for_update()
        return query

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        """One transaction that must record exactly one audit entry."""
        with self.ctx.db.atomic():
            tx = Transaction(at=self.ctx.clock.now())
            yield tx
            if tx.wrote_nothing and not tx.changes:
                return
            assert len(tx.changes) == 1, f"a write records one audit entry, got {len(tx.changes)}"
            change = tx.changes[0]
            entry = audit_chain.append(
                at=iso_utc(tx.at), actor=change.actor, action=change.action,
                entity=change.entity, entity_id=change.entity_id,
                before=change.before, after=change.after,
            )
        # Committed (unless an outer transaction still holds it): this desk's checkpoint
        # file may note the head, from what the append returned (no query). It logs its
        # own failures; the user's action is done either way.
        hook = self.ctx.checkpoints
        if hook is not None and not self.ctx.db.in_transaction():
            try:
                hook.committed(entry.seq, entry.hash, entry.at, entry.action)
            except Exception:
                logging.getLogger(__name__).exception("audit checkpoint after entry %s failed",
                                                      entry.seq)
