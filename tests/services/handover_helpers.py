"""Shared set-up of the handover tests: a crew (two clerks on consecutive shifts, a third
clerk, two supervisors), a few register articles, the clock at a local time of day, and a
handover ready to sign."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from desk_app.domain.clock import FixedClock
from desk_app.services.handover.shifts import to_utc
from desk_app.store.handover import (
    ChecklistLine,
    Handover,
    HandoverCorrection,
    HandoverEntry,
    HandoverRefusal,
)
from desk_app.store.models import AuditEntry
from tests.conftest import add_user

DAY = date(2026, 11, 2)


def at_local(clock: FixedClock, day: date, hour: int, minute: int = 0) -> None:
    """Move the desk clock to a local time of day (whatever the machine's zone)."""
    clock._now = to_utc(datetime.combine(day, time(hour, minute)))


def make_crew(desk, admin, clock) -> dict[str, Any]:
    at_local(clock, DAY, 16, 0)  # the day shift (08:30–17:30)
    crew = {"admin": admin,
            "bob": add_user(desk, admin, "bob", "clerk", "鲍勃"),
            "amy": add_user(desk, admin, "amy", "clerk", "艾米"),
            "tom": add_user(desk, admin, "tom", "clerk", "汤姆"),
            "sue": add_user(desk, admin, "sue", "supervisor", "苏珊"),
            "ann": add_user(desk, admin, "ann", "supervisor", "安妮")}
    sue = crew["sue"]
    desk.equipment.add(sue, "K-101", "样品室钥匙", "key")
    desk.equipment.add(sue, "R-1", "对讲机", "radio")
    desk.equipment.add(sue, "P-1", "A4纸", "supply", count=10)
    desk.equipment.checkout(sue, "R-1", "tom", "巡楼")
    return crew


def count_all(desk, who, data, found: dict[int, int] | None = None) -> None:
    for line in data["lines"]:
        if line["found"] is None:
            value = (found or {}).get(line["no"], line["expected"])
            desk.handovers.count(who, data["id"], line["no"], value)


def state() -> tuple[int, ...]:
    """What a refused call must leave as it was."""
    return (Handover.select().count(), HandoverEntry.select().count(),
            ChecklistLine.select().where(ChecklistLine.found.is_null(False)).count(),
            HandoverRefusal.select().count(), HandoverCorrection.select().count(),
            AuditEntry.select().count(),
            sum(h.version for h in Handover.select(Handover.version)))


def ready(desk, crew, **start) -> dict[str, Any]:
    """A started handover bob → amy, counted in full: free to sign."""
    data = desk.handovers.start(crew["bob"], "amy", **start)
    count_all(desk, crew["amy"], data)
    return desk.handovers.show(crew["bob"], data["id"])
