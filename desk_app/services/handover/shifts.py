"""Shifts and the rota (seed 001 part 4; R12): the shift pattern, who is on which shift,
and swaps a supervisor approves beforehand.

The internal helpers at the top (``pattern``, ``slot_now``, ``following``, ``curfew``,
``check_on_rota``) serve the handover and equipment services; times in and out are naive
UTC like every stored time, the pattern itself is local time of day (domain.shifts)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desk_app.domain import shifts as rules
from desk_app.domain.clock import to_local
from desk_app.domain.errors import Conflict
from desk_app.domain.shifts import ShiftDef, ShiftSlot, SwapStatus
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.store.handover import RotaLine, ShiftSwap
from desk_app.store.models import User


def to_utc(local: datetime) -> datetime:
    """A local naive time (a shift's start or end) as stored naive UTC."""
    return local.astimezone(UTC).replace(tzinfo=None)


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
            user=user.name, shift=slot.name, day=slot.day.isoformat(), names=names, role=role)
        if pending is not None:
            message += " " + _("Swap {number} is still waiting for a supervisor.").format(
                number=pending.number)
        raise Conflict(message)
