"""The register of access requests (R5): rows for the Approvals page, its filters, and the
"approvals" register source for exports. Requests name only secret items, which every
archive viewer sees, so the rows need no R6 filter; they show references, not titles (a
list is not an audited view, R7)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import peewee

from desk_app.domain import approvals as rules
from desk_app.domain.areas.approvals import ApprovalsPermission
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.clock import local_day_range, local_today
from desk_app.domain.users import Actor
from desk_app.i18n import N_
from desk_app.services.registers import (
    Period,
    RegisterColumn,
    RegisterSource,
    cell_text,
    in_chunks,
    in_id_order,
)
from desk_app.store.approvals import AccessRequest, AccessRequestItem
from desk_app.store.archive import Borrower, Item, tuples
from desk_app.store.models import User

VIEWS = ("waiting", "all", "expiring", "ended")
Decider = User.alias("decider")


@dataclass(frozen=True)
class ApprovalFilter:
    """``view``: waiting (pending), all, expiring (approved, live, ending within ``days``),
    ended (expired, revoked, refused). ``status``: one status, as shown (expired computed)."""

    view: str = "all"
    status: str | None = None
    days: int = 7
    since: datetime | None = None  # requested at or after (exports: a local day range)
    until: datetime | None = None  # requested before


def where(flt: ApprovalFilter, today: date) -> Any:
    """The filter as one expression; "expired" means the last day is before ``today``."""
    R, S = AccessRequest, rules.RequestStatus
    live = R.window_to >= today
    ended = R.window_to < today
    open_ = R.status.in_([S.PENDING.value, S.APPROVED.value])
    conditions: list[Any] = [peewee.SQL("1 = 1")]
    if flt.view == "waiting":
        conditions.append((R.status == S.PENDING.value) & live)
    elif flt.view == "expiring":
        conditions.append((R.status == S.APPROVED.value) & live
                          & (R.window_to <= today + timedelta(days=max(0, flt.days))))
    elif flt.view == "ended":
        conditions.append(R.status.in_([S.REFUSED.value, S.REVOKED.value]) | (open_ & ended))
    if flt.status:
        status = rules.RequestStatus(flt.status)
        if status == S.EXPIRED:
            conditions.append(open_ & ended)
        elif status in (S.PENDING, S.APPROVED):
            conditions.append((R.status == status.value) & live)
        else:
            conditions.append(R.status == status.value)
    if flt.since:
        conditions.append(R.requested_at >= flt.since)
    if flt.until:
        conditions.append(R.requested_at < flt.until)
    result = conditions[0]
    for condition in conditions[1:]:
        result &= condition
    return result


def _select() -> Any:
    R = AccessRequest
    return (R.select(R.id, R.number, R.status, R.window_from, R.window_to, Borrower.name,
                     Borrower.organisation, R.access, R.copies, R.requested_at, Decider.full_name,
                     Decider.name, R.purpose)
            .join_from(R, Borrower)
            .join_from(R, Decider, peewee.JOIN.LEFT_OUTER, on=(R.decided_by == Decider.id)))


def _dicts(rows: Sequence[tuple[Any, ...]], now: datetime) -> list[dict[str, Any]]:
    ids = [row[0] for row in rows]
    refs: dict[int, list[str]] = {}
    for request_id, ref in tuples(AccessRequestItem.select(AccessRequestItem.request, Item.ref)
                                  .join(Item).where(AccessRequestItem.request.in_(ids))
                                  .order_by(Item.ref)):
        refs.setdefault(request_id, []).append(ref)
    result = []
    for (request_id, number, stored, window_from, window_to, borrower, organisation, access,
         copies, requested_at, decider_full, decider, purpose) in rows:
        status = rules.status_of(stored, window_to, now)
        result.append({
            "id": request_id, "number": number, "status": status.value,
            "status_label": status.label, "borrower": borrower, "organisation": organisation,
            "access": access, "access_label": rules.Access(access).label, "copies": copies,
            "refs": ", ".join(refs.get(request_id, [])), "window_from": window_from,
            "window_to": window_to, "requested_at": requested_at, "purpose": purpose,
            "decided_by": (decider_full or decider) if decider else ""})
    return result


def count(flt: ApprovalFilter, now: datetime) -> int:
    return int(AccessRequest.select().where(where(flt, local_today(now))).count())


def page(flt: ApprovalFilter, now: datetime, offset: int, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    query = (_select().where(where(flt, local_today(now)))
             .order_by(AccessRequest.id.desc()).offset(offset).limit(limit))
    return _dicts(list(query.tuples()), now)


def every_row(flt: ApprovalFilter, now: datetime) -> Iterator[dict[str, Any]]:
    """Oldest first, read as it goes (exports of any size), the references looked up per
    chunk."""
    rows = in_id_order(_select().where(where(flt, local_today(now))), AccessRequest.id)
    for chunk in in_chunks(rows):
        yield from _dicts(chunk, now)


def _column(title: str, width: float, key: str,
            show: Callable[[Any], str] = cell_text) -> RegisterColumn:
    return RegisterColumn(title, width, lambda row: show(row[key]))


class ApprovalRegister(RegisterSource):
    name = "approvals"
    title = N_("Access approvals")
    view_permission = ApprovalsPermission.APPROVAL_VIEW
    export_permission = ArchivePermission.REGISTER_EXPORT
    columns = (
        _column(N_("No."), 9, "number"), _column(N_("Status"), 7, "status_label"),
        _column(N_("Requester"), 9, "borrower"), _column(N_("Organisation"), 9, "organisation"),
        _column(N_("Access"), 7, "access_label"), _column(N_("Copies"), 4, "copies"),
        _column(N_("References"), 14, "refs"), _column(N_("Purpose"), 14, "purpose"),
        _column(N_("First day"), 7, "window_from"), _column(N_("Last day"), 7, "window_to"),
        _column(N_("Requested at"), 9, "requested_at"), _column(N_("Decided by"), 7, "decided_by"),
    )

    def period(self, period: Period) -> Any:
        since, until = local_day_range(period.since, period.until)
        return ApprovalFilter(since=since, until=until)

    def _count(self, actor: Actor, flt: Any) -> int:
        return count(flt, self.ctx.clock.now())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return page(flt, self.ctx.clock.now(), offset, limit)

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return every_row(flt, self.ctx.clock.now())
