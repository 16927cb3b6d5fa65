"""Destruction lists as records and registers (R2, R3): one list's details, the rows of the
Retention page, and the "destructions" and "review_due" registers for exports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import peewee

from desk_app.domain import retention as rules
from desk_app.domain.archive import status_label as item_status_label
from desk_app.domain.areas.approvals import ApprovalsPermission
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.clock import local_day_range, local_today
from desk_app.domain.users import Actor
from desk_app.i18n import N_, display_name
from desk_app.services.registers import Period, RegisterSource, in_id_order, positional
from desk_app.services.retention import due_where
from desk_app.store.approvals import Destruction, DestructionItem
from desk_app.store.archive import Department, Item, Kind, shown_title, tuples
from desk_app.store.models import User

_proposer, _decider = User.alias("proposer"), User.alias("decider")
_executor, _witness = User.alias("executor"), User.alias("witness")


def _name(user: Any) -> Any:
    return peewee.fn.COALESCE(peewee.fn.NULLIF(user.full_name, ""), user.name)


def _destructions() -> Any:
    return (Destruction.select(
        Destruction.id, Destruction.number, Destruction.status, Destruction.reason,
        _name(_proposer), Destruction.proposed_at, _name(_decider), Destruction.decided_at,
        Destruction.decision_reason, _name(_executor), Destruction.executed_at,
        _name(_witness), Destruction.method, Destruction.decision_document,
        Destruction.record_document)
        .join_from(Destruction, _proposer, on=(Destruction.proposed_by == _proposer.id))
        .join_from(Destruction, _decider, peewee.JOIN.LEFT_OUTER,
                   on=(Destruction.decided_by == _decider.id))
        .join_from(Destruction, _executor, peewee.JOIN.LEFT_OUTER,
                   on=(Destruction.executed_by == _executor.id))
        .join_from(Destruction, _witness, peewee.JOIN.LEFT_OUTER,
                   on=(Destruction.witness == _witness.id)))


_KEYS = ("id", "number", "status", "reason", "proposed_by", "proposed_at", "decided_by",
         "decided_at", "decision_reason", "executed_by", "executed_at", "witness", "method")


def _record(row: tuple) -> dict[str, Any]:
    data = dict(zip(_KEYS, row[:len(_KEYS)], strict=True))
    data["status_label"] = rules.status_label(data["status"])
    data["method_label"] = rules.method_label(data["method"]) if data["method"] else ""
    data["signed_decision"] = row[len(_KEYS)] is not None
    data["signed_record"] = row[len(_KEYS) + 1] is not None
    return data


def destruction_detail(destruction_id: int) -> dict[str, Any] | None:
    """One list, its items with what the printed list shows of each (kind, department, year,
    retention), or None."""
    row = _destructions().where(Destruction.id == destruction_id).tuples().first()
    if row is None:
        return None
    data = _record(row)
    items = (DestructionItem.select(Item.id, Item.ref, shown_title(), Kind.name, Department.name,
                                    Item.doc_date, Item.created_at, Item.retention_years,
                                    Kind.retention_years, Item.review_on, Item.status,
                                    Item.level)
             .join_from(DestructionItem, Item).join_from(Item, Kind).join_from(Item, Department)
             .where(DestructionItem.destruction == destruction_id).order_by(Item.ref))
    data["items"] = [
        {"id": item_id, "ref": ref, "title": title, "kind": kind, "dept": dept,
         "year": (doc_date or created).year,
         "retention": rules.retention_text(rules.effective_years(own, default)),
         "review_on": review, "status": status, "level": level}
        for (item_id, ref, title, kind, dept, doc_date, created, own, default, review, status,
             level) in tuples(items)]
    return data


def destruction_rows(where: Any, offset: int, limit: int) -> list[dict[str, Any]]:
    """The Retention page's rows, newest first, with how many files each list holds."""
    rows = list(_destructions().where(where).order_by(Destruction.id.desc())
                .offset(max(0, offset)).limit(max(0, limit)).tuples())
    counts: dict[int, int] = dict(tuples(  # type: ignore[arg-type]
        DestructionItem.select(DestructionItem.destruction, peewee.fn.COUNT(1))
        .where(DestructionItem.destruction.in_([row[0] for row in rows]))
        .group_by(DestructionItem.destruction))) if rows else {}
    result = []
    for row in rows:
        data = _record(row)
        data["items"] = counts.get(data["id"], 0)
        result.append(data)
    return result


class DestructionRegister(RegisterSource):
    """Every destruction list, by the day it was proposed."""

    name = "destructions"
    title = N_("Destruction lists")
    view_permission = ApprovalsPermission.RETENTION_VIEW
    export_permission = ArchivePermission.REGISTER_EXPORT
    columns = positional(
        (N_("No."), 8), (N_("Status"), 6, rules.status_label), (N_("Reason"), 16),
        (N_("Proposed by"), 7), (N_("Proposed at"), 9), (N_("Decided by"), 7),
        (N_("Decided at"), 9), (N_("Decision reason"), 14), (N_("Carried out by"), 7),
        (N_("Carried out at"), 9), (N_("Witness"), 7), (N_("Method"), 7, rules.method_label),
        first=1)

    def period(self, period: Period) -> Any:
        start, end = local_day_range(period.since, period.until)
        where: Any = peewee.SQL("1 = 1")
        if start:
            where &= Destruction.proposed_at >= start
        if end:
            where &= Destruction.proposed_at < end
        return where

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(Destruction.select().where(flt).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return list(_destructions().where(flt).order_by(Destruction.id.desc())
                    .offset(offset).limit(limit).tuples())

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return in_id_order(_destructions().where(flt), Destruction.id)


class ReviewDueRegister(RegisterSource):
    """Files due for review (R2): past their retention, not destroyed. A file due once stays
    due, so an export lists the files due on the period's last day (today when open-ended;
    a later day shows what falls due by then); the first day is not used."""

    name = "review_due"
    title = N_("Files due for review")
    view_permission = ApprovalsPermission.RETENTION_VIEW
    export_permission = ArchivePermission.REGISTER_EXPORT
    columns = positional(
        (N_("Reference"), 12), (N_("Title"), 30), (N_("Kind"), 8, display_name),
        (N_("Department"), 9, display_name),
        (N_("Date"), 8), (N_("Review on"), 8), (N_("Status"), 6, item_status_label), first=1)

    def period(self, period: Period) -> Any:
        return period.until

    def _where(self, actor: Actor, flt: Any) -> Any:
        return due_where(actor, flt or local_today(self.ctx.clock.now()))

    def _select(self) -> Any:
        return (Item.select(Item.id, Item.ref, shown_title(), Kind.name, Department.name,
                            Item.doc_date, Item.review_on, Item.status)
                .join_from(Item, Kind).join_from(Item, Department))

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(Item.select().where(self._where(actor, flt)).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return list(self._select().where(self._where(actor, flt))
                    .order_by(Item.review_on, Item.id).offset(offset).limit(limit).tuples())

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return in_id_order(self._select().where(self._where(actor, flt)), Item.id)
