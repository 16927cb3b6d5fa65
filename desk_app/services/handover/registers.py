"""The registers of keys and equipment ("keys": every article and who holds it now;
"key_loans": every checkout and check-in) and of shift swaps ("shift_swaps", R12), for the
pages and exports. Whoever may read a register may export it (like the reception's)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import peewee

from desk_app.domain import equipment as equipment_rules
from desk_app.domain import shifts as shift_rules
from desk_app.domain.areas.handover import HandoverPermission, KeysPermission
from desk_app.domain.clock import local_day_range
from desk_app.domain.shifts import shift_label
from desk_app.domain.users import Actor
from desk_app.i18n import N_, _
from desk_app.services.handover.shifts import Absent, Decider, Requester, Substitute
from desk_app.services.registers import Period, RegisterSource, keyset, positional
from desk_app.store.handover import Equipment, EquipmentLoan, ShiftSwap
from desk_app.store.models import User

Holder, OutBy, InBy = User.alias("holder"), User.alias("out_by"), User.alias("in_by")


def _person(user: Any) -> Any:
    return peewee.fn.COALESCE(peewee.fn.NULLIF(user.full_name, ""), user.name)


def _kind(value: Any) -> str:
    try:
        return _(equipment_rules.KIND_LABELS[equipment_rules.EquipmentKind(value)])
    except ValueError:
        return str(value)


def _condition(value: Any) -> str:
    try:
        return _(equipment_rules.CONDITION_LABELS[equipment_rules.Condition(value)])
    except ValueError:
        return str(value or "")


def _yes(value: Any) -> str:
    return _("yes") if value else _("no")


def _swap_status(value: Any) -> str:
    try:
        return _(shift_rules.SWAP_LABELS[shift_rules.SwapStatus(value)])
    except ValueError:
        return str(value)


def _all(flt: Any) -> Any:
    """A register's filter; None (a page with no filter): every row."""
    return peewee.SQL("1 = 1") if flt is None else flt


def _where(column: Any, period: Period) -> Any:
    start, end = local_day_range(period.since, period.until)
    where: Any = peewee.SQL("1 = 1")
    if start:
        where &= column >= start
    if end:
        where &= column < end
    return where


class EquipmentRegister(RegisterSource):
    """Every article (retired ones too), by tag, with who holds it now. An export lists the
    register as it stands: the period is not used."""

    name = "keys"
    title = N_("Keys and equipment")
    view_permission = KeysPermission.KEYS_VIEW
    export_permission = KeysPermission.KEYS_VIEW
    columns = positional(
        (N_("Tag"), 7), (N_("Name"), 16), (N_("Kind"), 7, _kind), (N_("Home"), 10),
        (N_("Count"), 4), (N_("Condition"), 5, _condition), (N_("Checklist"), 4, _yes),
        (N_("In use"), 4, _yes), (N_("Holder"), 8), (N_("Out since"), 9), (N_("Due"), 9),
        (N_("Reason"), 14), first=1)

    def period(self, period: Period) -> Any:
        return peewee.SQL("1 = 1")

    @staticmethod
    def _select() -> Any:
        E, L = Equipment, EquipmentLoan
        return (E.select(E.id, E.tag, E.name, E.kind, E.home, E.count, E.condition,
                         E.on_checklist, E.active, _person(Holder), L.out_at, L.due_at, L.reason)
                .join_from(E, L, peewee.JOIN.LEFT_OUTER, on=(L.open_for == E.id))
                .join_from(L, Holder, peewee.JOIN.LEFT_OUTER, on=(L.holder == Holder.id)))

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(Equipment.select().where(_all(flt)).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return list(self._select().where(_all(flt)).order_by(Equipment.tag)
                    .offset(max(0, offset)).limit(max(0, limit)).tuples())

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return keyset(self._select().where(_all(flt)), Equipment.id)


class EquipmentLoanRegister(RegisterSource):
    """Every checkout of a key or an article, by the time it went out."""

    name = "key_loans"
    title = N_("Key and equipment checkouts")
    view_permission = KeysPermission.KEYS_VIEW
    export_permission = KeysPermission.KEYS_VIEW
    columns = positional(
        (N_("Tag"), 7), (N_("Name"), 14), (N_("Holder"), 8), (N_("Reason"), 14),
        (N_("Out at"), 9), (N_("Out by"), 7), (N_("Due"), 9), (N_("Back at"), 9),
        (N_("Back by"), 7), (N_("Condition"), 5, _condition), (N_("Note"), 12), first=1)

    def period(self, period: Period) -> Any:
        return _where(EquipmentLoan.out_at, period)

    @staticmethod
    def _select() -> Any:
        E, L = Equipment, EquipmentLoan
        return (L.select(L.id, E.tag, E.name, _person(Holder), L.reason, L.out_at,
                         _person(OutBy), L.due_at, L.in_at, _person(InBy), L.condition_in,
                         L.note_in)
                .join_from(L, E, on=(L.equipment == E.id))
                .join_from(L, Holder, on=(L.holder == Holder.id))
                .join_from(L, OutBy, on=(L.out_by == OutBy.id))
                .join_from(L, InBy, peewee.JOIN.LEFT_OUTER, on=(L.in_by == InBy.id)))

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(EquipmentLoan.select().where(_all(flt)).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return list(self._select().where(_all(flt))
                    .order_by(EquipmentLoan.id.desc())
                    .offset(max(0, offset)).limit(max(0, limit)).tuples())

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return keyset(self._select().where(_all(flt)), EquipmentLoan.id)


class ShiftSwapRegister(RegisterSource):
    """Every swap or substitution asked for, and the supervisor's decision (R12), by the
    time it was asked for."""

    name = "shift_swaps"
    title = N_("Shift swaps")
    view_permission = HandoverPermission.SHIFT_VIEW
    export_permission = HandoverPermission.SHIFT_VIEW
    columns = positional(
        (N_("No."), 8), (N_("Day"), 6), (N_("Shift"), 5, shift_label), (N_("Absent"), 7),
        (N_("Substitute"), 7), (N_("Reason"), 14), (N_("Status"), 6, _swap_status),
        (N_("Requested by"), 7), (N_("Requested at"), 9), (N_("Decided by"), 7),
        (N_("Decided at"), 9), (N_("Decision reason"), 14), first=1)

    def period(self, period: Period) -> Any:
        return _where(ShiftSwap.requested_at, period)

    @staticmethod
    def _select() -> Any:
        S = ShiftSwap
        return (S.select(S.id, S.number, S.day, S.shift, _person(Absent), _person(Substitute),
                         S.reason, S.status, _person(Requester), S.requested_at,
                         _person(Decider), S.decided_at, S.decision_reason)
                .join_from(S, Absent, on=(S.absent == Absent.id))
                .join_from(S, Substitute, on=(S.substitute == Substitute.id))
                .join_from(S, Requester, on=(S.requested_by == Requester.id))
                .join_from(S, Decider, peewee.JOIN.LEFT_OUTER, on=(S.decided_by == Decider.id)))

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(ShiftSwap.select().where(_all(flt)).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return list(self._select().where(_all(flt))
                    .order_by(ShiftSwap.id.desc())
                    .offset(max(0, offset)).limit(max(0, limit)).tuples())

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return keyset(self._select().where(_all(flt)), ShiftSwap.id)
