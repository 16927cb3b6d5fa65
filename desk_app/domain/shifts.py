"""Shift pattern and rota rules (seed 001 part 4: day 08:30–17:30, night 17:30–24:00; R12).

A pattern is text an admin edits, ``day=08:30-17:30; night=17:30-24:00``: named shifts of the
local day, in order. A shift ending at 24:00 (or before it starts) ends the next day. Times
here are local naive datetimes; services convert from and to the stored UTC (domain.clock).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from desk_app.i18n import N_, _

DEFAULT_PATTERN = "day=08:30-17:30; night=17:30-24:00"

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


class SwapStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


SWAP_LABELS = {SwapStatus.PENDING: N_("waiting for a supervisor"),
               SwapStatus.APPROVED: N_("approved"), SwapStatus.REFUSED: N_("refused")}


@dataclass(frozen=True)
class ShiftDef:
    name: str
    start: time
    end_minutes: int  # minutes after the start day's midnight; may exceed 24 * 60

    @property
    def start_minutes(self) -> int:
        return self.start.hour * 60 + self.start.minute

    def span(self, day: date) -> tuple[datetime, datetime]:
        """Local start and end of this shift on ``day`` (the day it starts)."""
        midnight = datetime.combine(day, time.min)
        return (midnight + timedelta(minutes=self.start_minutes),
                midnight + timedelta(minutes=self.end_minutes))


@dataclass(frozen=True)
class ShiftSlot:
    """One shift on one day: what a rota line, a handover and a curfew refer to."""

    day: date
    shift: ShiftDef
    start: datetime  # local
    end: datetime  # local

    @property
    def name(self) -> str:
        return self.shift.name


# The default pattern's shift names, shown translated ("day" 白班, "night" 晚班); names an
# office chose itself are shown as written. The "shift name|" prefix keeps these msgids
# apart from other uses of "day" (a gettext context by hand).
_SHIFT_NAMES = {"day": N_("shift name|day"), "night": N_("shift name|night")}


def shift_label(name: str) -> str:
    """A shift's name as people read it, in the current language."""
    msgid = _SHIFT_NAMES.get(name)
    if msgid is None:
        return name
    shown = _(msgid)
    return name if shown == msgid else shown


def _minutes(text: str) -> int:
    match = _TIME.match(text.strip())
    if not match or (int(match[1]) == 24 and int(match[2]) != 0):
        raise ValueError(f"not a time of day: {text!r}")
    return int(match[1]) * 60 + int(match[2])


def parse_pattern(text: str) -> tuple[ShiftDef, ...]:
    """``day=08:30-17:30; night=17:30-24:00`` → shifts in order of start; ValueError if it is
    not that form, a name repeats, a shift is empty or longer than a day, or shifts overlap."""
    shifts: list[ShiftDef] = []
    for part in [p for p in re.split(r"[;,\n]", text) if p.strip()]:
        name, _sep, span = part.partition("=")
        name = name.strip().lower()
        if not _NAME.match(name) or "-" not in span:
            raise ValueError(f"not name=HH:MM-HH:MM: {part.strip()!r}")
        start_text, _dash, end_text = span.partition("-")
        start, end = _minutes(start_text), _minutes(end_text)
        if start >= 24 * 60:
            raise ValueError("a shift starts before 24:00")
        if end <= start:
            end += 24 * 60
        if end - start > 24 * 60 or end == start:
            raise ValueError(f"shift {name} is empty or longer than a day")
        shifts.append(ShiftDef(name, time(start // 60, start % 60), end))
    if not shifts:
        raise ValueError("no shift")
    if len({s.name for s in shifts}) != len(shifts):
        raise ValueError("a shift name repeats")
    shifts.sort(key=lambda s: s.start_minutes)
    for earlier, later in zip(shifts, [*shifts[1:], None], strict=True):
        limit = later.start_minutes if later else shifts[0].start_minutes + 24 * 60
        if earlier.end_minutes > limit:
            raise ValueError(f"shift {earlier.name} overlaps the next one")
    return tuple(shifts)


def pattern_problem(value: object) -> str | None:
    try:
        parse_pattern(str(value))
    except ValueError:
        return N_("write the shifts as name=HH:MM-HH:MM separated by ';', e.g. "
                  "day=08:30-17:30; night=17:30-24:00, without overlaps.")
    return None


def find(shifts: tuple[ShiftDef, ...], name: str) -> ShiftDef | None:
    return next((s for s in shifts if s.name == name), None)


def slot(shifts: tuple[ShiftDef, ...], day: date, name: str) -> ShiftSlot:
    shift = find(shifts, name)
    if shift is None:
        raise KeyError(name)
    start, end = shift.span(day)
    return ShiftSlot(day, shift, start, end)


def slots_around(shifts: tuple[ShiftDef, ...], moment: datetime) -> list[ShiftSlot]:
    """Every slot of the day before, of, and after ``moment`` (local), in time order."""
    out = [slot(shifts, moment.date() + timedelta(days=d), s.name)
           for d in (-1, 0, 1) for s in shifts]
    return sorted(out, key=lambda s: s.start)


def current(shifts: tuple[ShiftDef, ...], moment: datetime) -> ShiftSlot | None:
    """The slot ``moment`` (local) falls in; None in a gap between shifts (e.g. 00:00–08:30)."""
    return next((s for s in slots_around(shifts, moment) if s.start <= moment < s.end), None)


def latest_started(shifts: tuple[ShiftDef, ...], moment: datetime) -> ShiftSlot:
    """The current slot, or in a gap the one that ended last: whose handover is due."""
    started = [s for s in slots_around(shifts, moment) if s.start <= moment]
    return started[-1]


def following(shifts: tuple[ShiftDef, ...], current_slot: ShiftSlot) -> ShiftSlot:
    """The slot after ``current_slot``: who takes over."""
    later = [s for s in slots_around(shifts, current_slot.start + timedelta(minutes=1))
             if s.start >= current_slot.end]
    return later[0]


def default_curfew(shifts: tuple[ShiftDef, ...], moment: datetime) -> datetime:
    """A checkout with no time given is due at the end of the current shift (or of the next
    one, when checked out between shifts)."""
    now = current(shifts, moment)
    if now is not None:
        return now.end
    return next(s for s in slots_around(shifts, moment) if s.start > moment).end
