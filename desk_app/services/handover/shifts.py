"""Shifts and the rota (seed 001 part 4; R12): the shift pattern, who is on which shift,
and swaps a supervisor approves beforehand.

The internal helpers at the top (``pattern``, ``slot_now``, ``following``, ``curfew``,
``check_on_rota``) serve the handover and equipment services; times in and out are naive
UTC like every stored time, the pattern itself is local time of day (domain.shifts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import peewee

from desk_app.domain import shifts as rules
from desk_app.domain import text
from desk_app.domain.areas.handover import HandoverPermission as H
from desk_app.domain.clock import local_today, to_local
from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.shifts import ShiftDef, ShiftSlot, SwapStatus, shift_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.store import numbers
from desk_app.store.archive import tuples
from desk_app.store.handover import RotaLine, ShiftSwap
from desk_app.store.models import User

MAX_ROTA_DAYS = 92  # one rota query: a quarter at most
Absent, Substitute = User.alias("absent"), User.alias("substitute")
Requester, Decider = User.alias("requester"), User.alias("decider")
Person, Planned = User.alias("person"), User.alias("planned")
_SWAP = ("id", "number", "day", "shift", "absent", "absent_full_name", "substitute",
         "substitute_full_name", "reason", "status", "requested_by", "requested_at",
         "decided_by", "decided_at", "decision_reason", "requested_by_full_name",
         "decided_by_full_name")  # staff are shown by full name


def to_utc(local: datetime) -> datetime:
    """A local naive time (a shift's start or end) as stored naive UTC."""
    return local.astimezone(UTC).replace(tzinfo=None)


def active_user(name: str, field: str = "user") -> User:
    """The active user ``name`` (a login name), or a ValidationError naming it."""
    wanted = text.lookup(name or "").strip().lower()
    user = User.get_or_none(User.name == wanted) if wanted else None
    if user is None or not user.active:
        raise ValidationError(_("No active user {name}.").format(
            name=wanted or _("(empty)")), field=field)
    return user


class ShiftService(Service):
    settings: SettingsService

    # ------------------------------------------------------------ for the other services
    def pattern(self) -> tuple[ShiftDef, ...]:
        try:
            return rules.parse_pattern(str(self.settings.value("shift_pattern")))
        except ValueError:  # the setting is checked when saved; an old bad value: default
            return rules.parse_pattern(rules.DEFAULT_PATTERN)

    def slot_now(self, now: datetime | None = None) -> ShiftSlot:
        """The shift running now, or in a gap between shifts the one that ended last: the
        shift whose handover is due."""
        moment = to_local(now or self.ctx.clock.now())
        return rules.latest_started(self.pattern(), moment)

    def following(self, slot: ShiftSlot) -> ShiftSlot:
        return rules.following(self.pattern(), slot)

    def slot(self, day: date, name: str) -> ShiftSlot:
        return rules.slot(self.pattern(), day, name)

    def curfew(self, now: datetime) -> datetime:
        """Default due time of a checkout at ``now`` (UTC): the end of the current shift."""
        return to_utc(rules.default_curfew(self.pattern(), to_local(now)))

    @staticmethod
    def on_rota(slot: ShiftSlot) -> list[int] | None:
        """Who is on ``slot`` after approved swaps; None when nobody is planned for it."""
        users = [line.user_id for line in RotaLine.select(RotaLine.user).where(
            (RotaLine.day == slot.day) & (RotaLine.shift == slot.name))]
        return users or None

    def check_on_rota(self, slot: ShiftSlot, user: User, role: str) -> None:
        """Conflict unless ``user`` works ``slot`` (R12: no swap without a supervisor's prior
        approval). A slot nobody planned is open to anyone on duty. ``role``: translated
        "outgoing person" / "incoming person", for the message."""
        planned = self.on_rota(slot)
        if planned is None or user.id in planned:
            return
        pending = ShiftSwap.select().where(
            (ShiftSwap.day == slot.day) & (ShiftSwap.shift == slot.name)
            & (ShiftSwap.substitute == user.id) & (ShiftSwap.status == SwapStatus.PENDING)).first()
        names = ", ".join(u.name for u in User.select(User.name).where(User.id.in_(planned)))
        message = _("{user} is not on the rota of the {shift} shift of {day} (on it: {names}); "
                    "as {role} they need a swap a supervisor approved beforehand.").format(
            user=user.name, shift=shift_label(slot.name), day=slot.day.isoformat(), names=names, role=role)
        if pending is not None:
            message += " " + _("Swap {number} is still waiting for a supervisor.").format(
                number=pending.number)
        raise Conflict(message)

    # ------------------------------------------------------------ the rota

    def _slot(self, day: date, name: str) -> ShiftSlot:
        """The slot of a shift typed by a person, or a ValidationError naming the shifts."""
        wanted = text.lookup(name or "").strip().lower()
        try:
            return self.slot(day, wanted)
        except KeyError:
            raise ValidationError(_("No shift {name}: the shifts are {names}.").format(
                name=wanted or _("(empty)"), names=", ".join(s.name for s in self.pattern())),
                field="shift") from None

    def _started(self, slot: ShiftSlot, now: datetime) -> bool:
        return to_utc(slot.start) <= now

    @staticmethod
    def _people(since: date, until: date) -> dict[tuple[date, str], list[dict[str, Any]]]:
        L = RotaLine
        query = (L.select(L.day, L.shift, Person.name, Person.full_name, Planned.name,
                          ShiftSwap.number)
                 .join_from(L, Person, on=(L.user == Person.id))
                 .join_from(L, Planned, peewee.JOIN.LEFT_OUTER, on=(L.planned == Planned.id))
                 .join_from(L, ShiftSwap, peewee.JOIN.LEFT_OUTER, on=(L.swap == ShiftSwap.id))
                 .where((L.day >= since) & (L.day <= until)).order_by(L.day, L.shift, L.id))
        found: dict[tuple[date, str], list[dict[str, Any]]] = {}
        for day, shift, name, full, planned, swap in tuples(query):
            found.setdefault((day, shift), []).append(
                {"name": name, "full_name": full or name, "planned": planned, "swap": swap})
        return found

    def _line(self, slot: ShiftSlot, people: list[dict[str, Any]]) -> dict[str, Any]:
        return {"day": slot.day, "shift": slot.name, "start": to_utc(slot.start),
                "end": to_utc(slot.end), "people": people}

    def rota(self, actor: Actor, since: date, until: date) -> list[dict[str, Any]]:
        """Every slot of the pattern from ``since`` to ``until`` (local days, inclusive) with
        who works it; an approved swap shows who was planned and the swap's number."""
        self.require(actor, H.SHIFT_VIEW)
        if until < since:
            raise ValidationError(_("The last day is before the first one."), field="until")
        if (until - since).days >= MAX_ROTA_DAYS:
            raise ValidationError(_("Show at most {n} days of the rota at once.").format(
                n=MAX_ROTA_DAYS), field="until")
        people = self._people(since, until)
        shifts = self.pattern()
        return [self._line(rules.slot(shifts, since + timedelta(days=offset), shift.name),
                           people.get((since + timedelta(days=offset), shift.name), []))
                for offset in range((until - since).days + 1) for shift in shifts]

    def assign(self, actor: Actor, day: date, shift: str, users: list[str]) -> dict[str, Any]:
        """Who works ``shift`` on ``day`` (replaces the slot's people; none: unplanned). People
        kept keep their line, with an approved swap it records."""
        self.require(actor, H.SHIFT_PLAN)
        slot = self._slot(day, shift)
        wanted = {user.id: user for user in (active_user(name, "users") for name in users or [])}
        if to_utc(slot.end) <= self.ctx.clock.now():
            # Who worked a past shift is a record (handovers name them); a running shift can
            # still be corrected, audited like every change.
            raise ValidationError(_("The {shift} shift of {day} is over: the rota of a past "
                                    "shift is not rewritten.").format(
                shift=shift_label(slot.name), day=slot.day.isoformat()), field="day")
        with self.write() as tx:
            lines = list(self.locked(RotaLine.select().where(
                (RotaLine.day == slot.day) & (RotaLine.shift == slot.name)), of=RotaLine))
            current = {line.user_id for line in lines}
            gone = [line.id for line in lines if line.user_id not in wanted]
            new = [user_id for user_id in wanted if user_id not in current]
            if not gone and not new:
                tx.unchanged()
            else:
                if gone:
                    RotaLine.delete().where(RotaLine.id.in_(gone)).execute()
                if new:
                    RotaLine.insert_many([
                        {"day": slot.day, "shift": slot.name, "user": user_id,
                         "created_by": actor.user_id, "created_at": tx.at}
                        for user_id in new]).execute()
                names: dict[int, str] = {user_id: name for user_id, name in tuples(
                    User.select(User.id, User.name).where(
                        User.id.in_(list(current | set(wanted)))))}
                tx.audit(actor, "rota.assign", "rota", f"{slot.day.isoformat()}/{slot.name}",
                         before={"people": sorted(names[i] for i in current)},
                         after={"people": sorted(names[i] for i in wanted)})
        return self._line(slot, self._people(slot.day, slot.day).get((slot.day, slot.name), []))

    # ------------------------------------------------------------ swaps (R12)

    def request_swap(self, actor: Actor, day: date, shift: str, absent: str, substitute: str,
                     reason: str) -> dict[str, Any]:
        """Ask that ``substitute`` works ``absent``'s line of a slot that has not started yet;
        a supervisor decides beforehand (R12: 不能私自調班、頂班)."""
        self.require(actor, H.SHIFT_REQUEST)
        slot = self._slot(day, shift)
        reason = text.required(text.line(reason, "reason", _("Reason"), 500), "reason",
                               _("Give the reason for the swap."))
        away, instead = active_user(absent, "absent"), active_user(substitute, "substitute")
        if away.id == instead.id:
            raise ValidationError(_("The substitute must be someone else than {name}.").format(
                name=away.name), field="substitute")
        with self.write() as tx:
            if self._started(slot, tx.at):
                raise ValidationError(self._too_late(slot), field="day")
            on_slot = self.on_rota(slot) or []
            if away.id not in on_slot:
                raise ValidationError(_("{name} is not on the rota of the {shift} shift of {day}."
                                        ).format(name=away.name, shift=shift_label(slot.name),
                                                 day=slot.day.isoformat()), field="absent")
            if instead.id in on_slot:
                raise ValidationError(_("{name} is on the {shift} shift of {day} already."
                                        ).format(name=instead.name, shift=shift_label(slot.name),
                                                 day=slot.day.isoformat()), field="substitute")
            waiting = self.locked(ShiftSwap.select().where(
                (ShiftSwap.day == slot.day) & (ShiftSwap.shift == slot.name)
                & (ShiftSwap.absent == away.id) & (ShiftSwap.status == SwapStatus.PENDING)),
                of=ShiftSwap).first()
            if waiting is not None:
                raise Conflict(_("Swap {number} for {name} on that shift is already waiting "
                                 "for a supervisor.").format(number=waiting.number,
                                                             name=away.name))
            prefix = f"TB{local_today(tx.at).year}-"
            seq = numbers.next_number(f"shift_swap:{prefix}", lambda: numbers.highest_suffix(
                ShiftSwap, ShiftSwap.number, prefix))
            swap = ShiftSwap.create(
                number=f"{prefix}{seq:04d}", day=slot.day, shift=slot.name, absent=away.id,
                substitute=instead.id, reason=reason, status=SwapStatus.PENDING.value,
                requested_by=actor.user_id, requested_at=tx.at)
            tx.audit(actor, "shift_swap.request", "shift_swap", swap.id, after={
                "number": swap.number, "day": slot.day.isoformat(), "shift": slot.name,
                "absent": away.name, "substitute": instead.name, "reason": reason})
        return self._swap(swap.id)

    @staticmethod
    def _too_late(slot: ShiftSlot) -> str:
        return _("The {shift} shift of {day} has already started: a swap is approved "
                 "beforehand (R12).").format(shift=shift_label(slot.name), day=slot.day.isoformat())

    def decide_swap(self, actor: Actor, swap_id: int, approve: bool, reason: str
                    ) -> dict[str, Any]:
        """A supervisor approves (the rota line then names the substitute, keeping who was
        planned) or refuses a pending swap, before its shift starts."""
        self.require(actor, H.SHIFT_DECIDE)
        reason = text.required(text.line(reason, "reason", _("Reason"), 500), "reason",
                               _("Give the reason for the decision."))
        decision = SwapStatus.APPROVED if approve else SwapStatus.REFUSED
        with self.write() as tx:
            swap: Any = self.locked(ShiftSwap.select().where(ShiftSwap.id == swap_id),
                                    of=ShiftSwap).first()
            if swap is None:
                raise NotFound(_("No shift swap {id}.").format(id=swap_id))
            if swap.status != SwapStatus.PENDING:
                raise Conflict(_("Swap {number} is {status} already.").format(
                    number=swap.number, status=_(rules.SWAP_LABELS[SwapStatus(swap.status)])))
            if actor.user_id in (swap.absent_id, swap.substitute_id, swap.requested_by_id):
                raise PermissionDenied(_("Swap {number}: you asked for it or are part of it, "
                                         "so another supervisor must decide it.").format(
                    number=swap.number))
            slot = self._slot(swap.day, swap.shift)
            if self._started(slot, tx.at):
                raise ValidationError(self._too_late(slot), field="swap")
            if approve:
                self._apply(swap, slot)
            (ShiftSwap.update(status=decision.value, decided_by=actor.user_id, decided_at=tx.at,
                              decision_reason=reason)
             .where(ShiftSwap.id == swap.id).execute())
            tx.audit(actor, "shift_swap.decide", "shift_swap", swap.id, after={
                "number": swap.number, "decision": decision.value, "reason": reason})
        return self._swap(swap.id)

    def _apply(self, swap: Any, slot: ShiftSlot) -> None:
        """The absent person's rota line now names the substitute (the rota changed since the
        request: Conflict)."""
        lines = {line.user_id: line for line in self.locked(RotaLine.select().where(
            (RotaLine.day == slot.day) & (RotaLine.shift == slot.name)), of=RotaLine)}
        line = lines.get(swap.absent_id)
        if line is None or swap.substitute_id in lines:
            raise Conflict(_("Swap {number}: the rota of that shift changed since it was asked "
                             "for; refuse it and ask again.").format(number=swap.number))
        (RotaLine.update(user=swap.substitute_id, planned=line.planned_id or swap.absent_id,
                         swap=swap.id)
         .where(RotaLine.id == line.id).execute())

    @staticmethod
    def _swaps_query() -> Any:
        S = ShiftSwap
        return (S.select(S.id, S.number, S.day, S.shift, Absent.name, Absent.full_name,
                         Substitute.name, Substitute.full_name, S.reason, S.status,
                         Requester.name, S.requested_at, Decider.name, S.decided_at,
                         S.decision_reason, Requester.full_name, Decider.full_name)
                .join_from(S, Absent, on=(S.absent == Absent.id))
                .join_from(S, Substitute, on=(S.substitute == Substitute.id))
                .join_from(S, Requester, on=(S.requested_by == Requester.id))
                .join_from(S, Decider, peewee.JOIN.LEFT_OUTER, on=(S.decided_by == Decider.id)))

    @staticmethod
    def swap_dict(values: tuple) -> dict[str, Any]:
        data = dict(zip(_SWAP, values, strict=True))
        data["absent_full_name"] = data["absent_full_name"] or data["absent"]
        data["substitute_full_name"] = data["substitute_full_name"] or data["substitute"]
        data["status_label"] = _(rules.SWAP_LABELS[SwapStatus(data["status"])])
        return data

    def _swap(self, swap_id: int) -> dict[str, Any]:
        values = self._swaps_query().where(ShiftSwap.id == swap_id).tuples().first()
        if values is None:
            raise NotFound(_("No shift swap {id}.").format(id=swap_id))
        return self.swap_dict(values)

    @staticmethod
    def _status(status: str | None) -> Any:
        if not status:
            return peewee.SQL("1 = 1")
        try:
            return ShiftSwap.status == SwapStatus(status.strip().lower()).value
        except ValueError:
            raise ValidationError(_("Status: choose one of {choices}.").format(
                choices=", ".join(s.value for s in SwapStatus)), field="status") from None

    def swaps(self, actor: Actor, status: str | None = None, offset: int = 0, limit: int = 100
              ) -> list[dict[str, Any]]:
        """Swap requests, newest first."""
        self.require(actor, H.SHIFT_VIEW)
        query = (self._swaps_query().where(self._status(status)).order_by(ShiftSwap.id.desc())
                 .offset(max(0, offset)).limit(max(0, limit)).tuples())
        return [self.swap_dict(values) for values in query]

    def swap_count(self, actor: Actor, status: str | None = None) -> int:
        self.require(actor, H.SHIFT_VIEW)
        return int(ShiftSwap.select().where(self._status(status)).count())

    def waiting_swaps(self, actor: Actor) -> int:
        """For Today: pending swaps of shifts from today on, for someone who may decide them
        (0 for everyone else)."""
        if not actor.can(H.SHIFT_DECIDE):
            return 0
        today = local_today(self.ctx.clock.now())
        return int(ShiftSwap.select().where((ShiftSwap.status == SwapStatus.PENDING)
                                            & (ShiftSwap.day >= today - timedelta(days=1)))
                   .count())
