"""Reading and verifying the audit trail (R16)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from desk_app.domain.audit import ChainReport
from desk_app.domain.clock import iso_utc, local_day_range
from desk_app.domain.roles import Permission
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.store import audit_chain
from desk_app.store.audit_chain import AuditFilter

__all__ = ["AuditFilter", "AuditService", "day_range"]


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
        # A consistent view while other desks keep appending.
        with self.ctx.db.atomic():
            return audit_chain.verify(progress)

    def head(self, actor: Actor) -> tuple[int, str]:
        self.require(actor, Permission.AUDIT_VIEW)
        return audit_chain.head()

    def recent_by(self, actor: Actor, limit: int = 10) -> list[dict[str, Any]]:
        """A user's own latest actions: every user may see these (Today page)."""
        return audit_chain.page(AuditFilter(actor=actor.name), 0, limit)
