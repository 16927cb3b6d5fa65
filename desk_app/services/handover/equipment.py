"""Keys and equipment (R10, "who holds what now"): the register of tagged articles, their
checkouts to a person with a reason and a curfew, check-ins with the condition, overdue
articles, and the history per article and per person.

One open loan per article is guaranteed by the unique column ``EquipmentLoan.open_for``
(the article's id while it is out): two desks checking the same key out at once cannot
both succeed; the loser gets the same Conflict as a clerk who scans a key already out."""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import peewee

from desk_app.domain import equipment as rules
from desk_app.domain import text
from desk_app.domain.areas.handover import KeysPermission as K
from desk_app.domain.clock import format_datetime
from desk_app.domain.equipment import Condition, EquipmentKind
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.text import LookupFilter
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.handover.shifts import ShiftService, active_user
from desk_app.services.settings import SettingsService
from desk_app.store.archive import tuples
from desk_app.store.handover import Equipment, EquipmentLoan
from desk_app.store.models import User

__all__ = ["EquipmentFilter", "EquipmentService", "active_user"]

Holder = User.alias("holder")
OutBy = User.alias("out_by")
InBy = User.alias("in_by")

_ROW = ("id", "tag", "name", "kind", "home", "count", "condition", "on_checklist", "active",
        "holder", "holder_full_name", "loan_id", "out_at", "due_at", "reason")
_HISTORY = ("id", "tag", "name", "holder", "holder_full_name", "reason", "out_at", "out_by",
            "due_at", "in_at", "in_by", "condition_in", "note_in")


@dataclass(frozen=True)
class EquipmentFilter(LookupFilter):
    """What the register list shows: ``text`` a tag prefix or part of the name; ``holder``
    a login name (its open loans only)."""

    text: str = ""
    kind: str | None = None
    out_only: bool = False
    overdue_only: bool = False
    include_retired: bool = False
    holder: str | None = None


def _reason(value: str) -> str:
    reason = text.line(value, "reason", _("Reason"), 500)
    return text.required(reason, "reason", _("Give the reason for the checkout."))


def _name(value: str) -> str:
    name = text.line(value, "name", _("Name"), 200)
    return text.required(name, "name", _("Give the article's name, e.g. Sample room key."))


def _home(value: str) -> str:
    return text.line(value, "home", _("Home"), 200)


def _rows_query() -> Any:
    """Articles with their open loan (if out) and its holder: one row each."""
    E, L = Equipment, EquipmentLoan
    return (E.select(E.id, E.tag, E.name, E.kind, E.home, E.count, E.condition, E.on_checklist,
                     E.active, Holder.name, Holder.full_name, L.id, L.out_at, L.due_at,
                     L.reason)
            .join_from(E, L, peewee.JOIN.LEFT_OUTER, on=(L.open_for == E.id))
            .join_from(L, Holder, peewee.JOIN.LEFT_OUTER, on=(L.holder == Holder.id)))


def _history_query() -> Any:
    E, L = Equipment, EquipmentLoan
    return (L.select(L.id, E.tag, E.name, Holder.name, Holder.full_name, L.reason, L.out_at,
                     OutBy.name, L.due_at, L.in_at, InBy.name, L.condition_in, L.note_in)
            .join_from(L, E, on=(L.equipment == E.id))
            .join_from(L, Holder, on=(L.holder == Holder.id))
            .join_from(L, OutBy, on=(L.out_by == OutBy.id))
            .join_from(L, InBy, peewee.JOIN.LEFT_OUTER, on=(L.in_by == InBy.id)))


class EquipmentService(Service):
    settings: SettingsService
    shifts: ShiftService

    # ------------------------------------------------------------ rows

    def _row(self, values: tuple, now: datetime) -> dict[str, Any]:
        row = dict(zip(_ROW, values, strict=True))
        row["kind_label"] = _(rules.KIND_LABELS[EquipmentKind(row["kind"])])
        row["on_checklist"], row["active"] = bool(row["on_checklist"]), bool(row["active"])
        row["holder_full_name"] = row["holder_full_name"] or row["holder"] or None
        row["overdue"] = row["due_at"] is not None and row["due_at"] < now
        return row

    def _one(self, tag: str) -> dict[str, Any]:
        values = _rows_query().where(Equipment.tag == tag).tuples().first()
        if values is None:
            raise NotFound(_("No key or equipment with tag {tag}.").format(tag=tag))
        return self._row(values, self.ctx.clock.now())

    @staticmethod
    def _tag(tag: str) -> str:
        """A tag as typed or scanned; a pasted control character finds nothing."""
        return rules.check_tag(text.lookup(tag))

    def _locked_item(self, tag: str) -> Equipment:
        item = self.locked(Equipment.select().where(Equipment.tag == tag), of=Equipment).first()
        if item is None:
            raise NotFound(_("No key or equipment with tag {tag}.").format(tag=tag))
        return item

    # ------------------------------------------------------------ the register

    def add(self, actor: Actor, tag: str, name: str, kind: str, count: object = 1,
            home: str = "", on_checklist: bool = True) -> dict[str, Any]:
        """A new article of the register, at home (not out)."""
        self.require(actor, K.KEYS_MANAGE)
        tag = rules.check_tag(tag)
        name, home = _name(name), _home(home)
        kind_ = rules.check_kind(kind)
        number = rules.check_count(count, allow_zero=False)
        with self.write() as tx:
            if Equipment.select().where(Equipment.tag == tag).exists():
                raise ValidationError(_("Tag {tag} is in the register already.").format(tag=tag),
                                      field="tag")
            try:
                with self.ctx.db.atomic():
                    item = Equipment.create(tag=tag, name=name, kind=kind_.value, home=home,
                                            count=number, condition=Condition.GOOD.value,
                                            on_checklist=bool(on_checklist), active=True,
                                            created_at=tx.at)
            except peewee.IntegrityError:  # another desk added the same tag a moment ago
                raise ValidationError(_("Tag {tag} is in the register already.").format(
                    tag=tag), field="tag") from None
            tx.audit(actor, "equipment.add", "equipment", item.id, after={
                "tag": tag, "name": name, "kind": kind_.value, "count": number, "home": home,
                "on_checklist": bool(on_checklist)})
        return self._one(tag)

    def edit(self, actor: Actor, tag: str, *, name: str | None = None, home: str | None = None,
             count: object = None, on_checklist: bool | None = None,
             active: bool | None = None) -> dict[str, Any]:
        """Change an article; ``active=False`` retires it (not while it is out)."""
        self.require(actor, K.KEYS_MANAGE)
        tag = self._tag(tag)
        wanted: dict[str, Any] = {}
        if name is not None:
            wanted["name"] = _name(name)
        if home is not None:
            wanted["home"] = _home(home)
        if count is not None:
            wanted["count"] = rules.check_count(count, allow_zero=False)
        if on_checklist is not None:
            wanted["on_checklist"] = bool(on_checklist)
        if active is not None:
            wanted["active"] = bool(active)
        with self.write() as tx:
            item = self._locked_item(tag)
            before = {key: getattr(item, key) for key in wanted}
            changes = {key: value for key, value in wanted.items() if before[key] != value}
            if not changes:
                tx.unchanged()
                return self._one(tag)
            if changes.get("active") is False and self._open_loan(item.id) is not None:
                raise ValidationError(_("{tag} is out: check it in before retiring it.").format(
                    tag=tag), field="active")
            Equipment.update(**changes).where(Equipment.id == item.id).execute()
            tx.audit(actor, "equipment.edit", "equipment", item.id,
                     before={"tag": tag, **{k: before[k] for k in changes}},
                     after={"tag": tag, **changes})
        return self._one(tag)

    def get(self, actor: Actor, tag: str) -> dict[str, Any]:
        self.require(actor, K.KEYS_VIEW)
        return self._one(self._tag(tag))

    # ------------------------------------------------------------ out and in

    @staticmethod
    def _open_loan(item_id: int) -> Any:
        """The open loan of an article with its holder's name, or None."""
        return (EquipmentLoan.select(EquipmentLoan, Holder.name.alias("holder_name"))
                .join(Holder, on=(EquipmentLoan.holder == Holder.id))
                .where(EquipmentLoan.open_for == item_id).objects().first())

    @staticmethod
    def _already_out(tag: str, loan: Any) -> Conflict:
        return Conflict(_("{tag} is already out with {holder} since {since} (due {due}); "
                          "check it in first.").format(
            tag=tag, holder=loan.holder_name, since=format_datetime(loan.out_at),
            due=format_datetime(loan.due_at)))

    def checkout(self, actor: Actor, tag: str, to: str, reason: str,
                 until: datetime | None = None) -> dict[str, Any]:
        """Hand an article to ``to`` (a login name) with a reason, due ``until`` (naive UTC;
        default: the end of the current shift)."""
        self.require(actor, K.KEYS_LEND)
        tag = self._tag(tag)
        reason = _reason(reason)
        with self.write() as tx:
            item = self._locked_item(tag)
            if not item.active:
                raise ValidationError(_("{tag} is retired: it cannot be checked out.").format(
                    tag=tag), field="tag")
            holder = active_user(to, "to")
            due = until if until is not None else self.shifts.curfew(tx.at)
            rules.check_curfew(due, tx.at)
            loan = self._open_loan(item.id)
            if loan is not None:
                raise self._already_out(tag, loan)
            try:
                with self.ctx.db.atomic():  # a savepoint: the unique open_for decides a race
                    created = EquipmentLoan.create(
                        equipment=item.id, holder=holder.id, reason=reason, out_at=tx.at,
                        out_by=actor.user_id, due_at=due, open_for=item.id)
            except peewee.IntegrityError:
                loan = self._open_loan(item.id)
                if loan is None:
                    raise Conflict(_("{tag} was just checked out at another desk.").format(
                        tag=tag)) from None
                raise self._already_out(tag, loan) from None
            tx.audit(actor, "equipment.checkout", "equipment_loan", created.id, after={
                "tag": tag, "to": holder.name, "reason": reason, "due": format_datetime(due)})
        return self._one(tag)

    def checkin(self, actor: Actor, tag: str, condition: str = "good",
                note: str = "") -> dict[str, Any]:
        """An article comes back, with its condition (damaged or missing is recorded on the
        article too) and a note."""
        self.require(actor, K.KEYS_LEND)
        tag = self._tag(tag)
        state = rules.check_condition(condition)
        note = text.line(note, "note", _("Note"), 500)
        with self.write() as tx:
            item = self._locked_item(tag)
            loan = self.locked(EquipmentLoan.select().where(EquipmentLoan.open_for == item.id),
                               of=EquipmentLoan).first()
            if loan is None:
                raise ValidationError(_("{tag} is not out: there is nothing to check in.").format(
                    tag=tag), field="tag")
            (EquipmentLoan.update(in_at=tx.at, in_by=actor.user_id, condition_in=state.value,
                                  note_in=note, open_for=None)
             .where(EquipmentLoan.id == loan.id).execute())
            if state != Condition.GOOD or item.condition != Condition.GOOD:
                Equipment.update(condition=state.value).where(Equipment.id == item.id).execute()
            tx.audit(actor, "equipment.checkin", "equipment_loan", loan.id, after={
                "tag": tag, "condition": state.value, "note": note,
                "overdue": loan.due_at < tx.at})
        return self._one(tag)

    # ------------------------------------------------------------ lists

    def _where(self, flt: EquipmentFilter, now: datetime) -> Any:
        E, L = Equipment, EquipmentLoan
        conditions: list[Any] = [peewee.SQL("1 = 1")]
        if not flt.include_retired:
            conditions.append(E.active == True)  # noqa: E712 (SQL)
        if flt.kind:
            conditions.append(E.kind == rules.check_kind(flt.kind).value)
        if flt.out_only or flt.overdue_only or flt.holder:
            conditions.append(L.id.is_null(False))
        if flt.overdue_only:
            conditions.append(L.due_at < now)
        if flt.holder:
            holder = User.get_or_none(User.name == flt.holder.strip().lower())
            conditions.append(L.holder == (holder.id if holder else -1))
        words = flt.text.strip()
        if words:
            upper = words.upper()
            conditions.append(((E.tag >= upper) & (E.tag < upper + "\uffff"))
                              | E.name.contains(words))
        return functools.reduce(operator.and_, conditions)

    def count(self, actor: Actor, flt: EquipmentFilter) -> int:
        self.require(actor, K.KEYS_VIEW)
        return int(_rows_query().where(self._where(flt, self.ctx.clock.now())).count())

    def page(self, actor: Actor, flt: EquipmentFilter, offset: int, limit: int
             ) -> list[dict[str, Any]]:
        """Articles by tag (overdue ones: oldest due first)."""
        self.require(actor, K.KEYS_VIEW)
        now = self.ctx.clock.now()
        order = ((EquipmentLoan.due_at, Equipment.tag) if flt.overdue_only
                 else (Equipment.tag,))
        query = (_rows_query().where(self._where(flt, now)).order_by(*order)
                 .offset(max(0, offset)).limit(max(0, limit)).tuples())
        return [self._row(values, now) for values in query]

    def history(self, actor: Actor, tag: str | None = None, holder: str | None = None,
                offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Checkouts, newest first: of one article, of one person, or all."""
        self.require(actor, K.KEYS_VIEW)
        L = EquipmentLoan
        conditions: list[Any] = [peewee.SQL("1 = 1")]
        if tag:
            item = Equipment.get_or_none(Equipment.tag == self._tag(tag))
            if item is None:
                raise NotFound(_("No key or equipment with tag {tag}.").format(
                    tag=text.lookup(tag).strip().upper()))
            conditions.append(L.equipment == item.id)
        if holder:
            wanted = text.lookup(holder).strip().lower()
            user = User.get_or_none(User.name == wanted)
            if user is None:
                raise NotFound(_("No user {name}.").format(name=wanted))
            conditions.append(L.holder == user.id)
        now = self.ctx.clock.now()
        query = (_history_query().where(functools.reduce(operator.and_, conditions))
                 .order_by(L.out_at.desc(), L.id.desc())
                 .offset(max(0, offset)).limit(max(0, limit)).tuples())
        result = []
        for values in query:
            row = dict(zip(_HISTORY, values, strict=True))
            row["holder_full_name"] = row["holder_full_name"] or row["holder"]
            row["overdue"] = ((row["in_at"] or now) > row["due_at"])
            result.append(row)
        return result

    def out_summary(self, actor: Actor) -> dict[str, Any]:
        """For the Today page: how many articles are out, how many overdue, the oldest five."""
        self.require(actor, K.KEYS_VIEW)
        now = self.ctx.clock.now()
        out = int(EquipmentLoan.select().where(EquipmentLoan.open_for.is_null(False)).count())
        overdue_flt = EquipmentFilter(overdue_only=True, include_retired=True)
        overdue = int(_rows_query().where(self._where(overdue_flt, now)).count())
        rows = (_rows_query().where(self._where(overdue_flt, now))
                .order_by(EquipmentLoan.due_at, Equipment.tag).limit(5).tuples())
        return {"out": out, "overdue": overdue,
                "overdue_rows": [self._row(values, now) for values in rows]}

    @staticmethod
    def checklist_source() -> list[dict[str, Any]]:
        """Every active article counted at a handover, by kind and tag, with who holds it."""
        E, L = Equipment, EquipmentLoan
        query = (E.select(E.id, E.tag, E.name, E.kind, E.count, Holder.name, Holder.full_name,
                          L.due_at)
                 .join_from(E, L, peewee.JOIN.LEFT_OUTER, on=(L.open_for == E.id))
                 .join_from(L, Holder, peewee.JOIN.LEFT_OUTER, on=(L.holder == Holder.id))
                 .where((E.active == True) & (E.on_checklist == True))  # noqa: E712
                 .order_by(E.kind, E.tag))
        return [{"id": item_id, "tag": tag, "name": name, "kind": kind, "count": count,
                 "holder_name": (full or login or ""), "due_at": due}
                for item_id, tag, name, kind, count, login, full, due in tuples(query)]
