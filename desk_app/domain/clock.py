"""Time (R8): one standard clock. Timestamps are naive UTC datetimes everywhere inside."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time as a naive UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)


class SourceClock:
    """A clock that asks a source, e.g. the database server (R8 on a shared database)."""

    def __init__(self, source: Callable[[], datetime]) -> None:
        self._source = source

    def now(self) -> datetime:
        return self._source()


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


def iso_utc(moment: datetime) -> str:
    """Fixed-width ISO text, so string order equals time order."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def to_local(moment: datetime) -> datetime:
    """UTC (naive) to the machine's local time, for display only."""
    return moment.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)
