"""Reading and verifying the audit trail (R16)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from desk_app.domain.audit import ChainReport
from desk_app.domain.clock import iso_utc, local_day_range
from desk_app.domain.roles import Permission
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.store import audit_chain
from desk_app.store.audit_chain import AuditFilter
from desk_app.store.db import is_postgresql

__all__ = ["AuditFilter", "AuditService", "day_range"]


@contextmanager
def _read_only(db: Any) -> Iterator[None]:
    with db.atomic(isolation_level="REPEATABLE READ"):
        db.execute_sql("SET TRANSACTION READ ONLY")
        yield


def day_range(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """Inclusive local calendar days to the half-open ISO UTC range the store filters on."""
    start, end = local_day_range(since, until)
    return (iso_utc(start) if start else None), (iso_utc(end) if end else None)


class AuditService(Service):
    def count(self, actor: Actor, flt: AuditFilter) -> int:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.count(flt)

    def page(self, actor: Actor, flt: AuditFilter, offset: int, limit: int) -> list[dict[str, Any]]:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.page(flt, offset, limit)

    def actors(self, actor: Actor) -> list[str]:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.distinct_values("actor")

    def actions(self, actor: Actor) -> list[str]:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.distinct_values("action")

    def verify(self, actor: Actor,
               progress: Callable[[int, int], bool] | None = None) -> ChainReport:
        self.require(actor, Permission.AUDIT_VIEW)
        with self._snapshot():
            return audit_chain.verify(progress)

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
        return audit_chain.page(AuditFilter(actor=actor.name), 0, limit)
