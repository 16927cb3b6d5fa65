"""Time (R8): one standard clock. Timestamps are naive UTC datetimes everywhere inside."""

from __future__ import annotations

import calendar
import re
import time as time_module
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from desk_app.domain.errors import ValidationError
from desk_app.i18n import _


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


_ISO_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def parse_iso_utc(text: str) -> datetime:
    """The time ``iso_utc`` wrote; any other text is a ValueError. Not ``strptime``: its
    first call in a process imports and compiles its parser (~7 ms, on the Audit page's
    first paint) and each later one costs 50 times ``fromisoformat``."""
    if not _ISO_UTC.fullmatch(text):
        raise ValueError(f"not a time written by iso_utc: {text!r}")
    return datetime.fromisoformat(text[:-1])


def to_local(moment: datetime) -> datetime:
    """UTC (naive) to the machine's local time, for display only."""
    return moment.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


# ------------------------------------------------------------------ local days and display
#
# Stored times are naive UTC. Whatever a user types or reads is local: "from day / to day"
# means local calendar days everywhere (GUI filters, exports, CLI), and every time shown on
# screen, in a PDF or in the CLI goes through the formatters below.


def local_today(now_utc: datetime) -> date:
    """The local calendar day of a (naive UTC) moment of the standard clock."""
    return to_local(now_utc).date()


def local_day_start(day: date) -> datetime:
    """Local midnight at the start of ``day`` as naive UTC (how times are stored)."""
    return datetime.combine(day, time.min).astimezone(UTC).replace(tzinfo=None)


def local_day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Inclusive local days to the half-open naive-UTC range ``[start, end)`` stores filter on."""
    start = local_day_start(since) if since else None
    end = local_day_start(until + timedelta(days=1)) if until else None
    return start, end


def format_datetime(moment: datetime | None, seconds: bool = False, empty: str = "") -> str:
    """``2026-11-30 10:52`` (local). Naive values are UTC; aware ones are converted."""
    if moment is None:
        return empty
    local = to_local(moment) if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


# The offset to local time, per hour of UTC, for ``format_datetime_cached``. ``time.tzset()``
# makes a new ``time.tzname``: the offsets of another zone are then forgotten.
_hour_offsets: dict[int, timedelta | None] = {}
_offsets_zone: list[object] = [None]
_OFFSETS_KEPT = 200_000  # hours (23 years): a register export needs far fewer
_UNKNOWN = timedelta.max


def _forget_other_zones() -> None:
    """Drop the cached offsets and local hours when the zone changed (or they grew big)."""
    if (_offsets_zone[0] is not time_module.tzname or len(_hour_offsets) > _OFFSETS_KEPT
            or len(_local_hours) > _OFFSETS_KEPT):
        _hour_offsets.clear()
        _local_hours.clear()
        _offsets_zone[0] = time_module.tzname


def _offset_through_hour(hour: int, moment: datetime) -> timedelta | None:
    """The local UTC offset all through the UTC hour holding ``moment`` (naive UTC), or None
    when it changes inside that hour (a zone whose clocks change at a half hour of UTC)."""
    _forget_other_zones()
    start = moment.replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(minutes=59, seconds=59)
    offset = to_local(start) - start
    found = offset if to_local(end) - end == offset else None
    _hour_offsets[hour] = found
    return found


def format_datetime_cached(moment: datetime | None, seconds: bool = False,
                           empty: str = "") -> str:
    """Exactly ``format_datetime``, for the many times of a register export (~10x faster):
    the offset to local time is worked out once per hour of UTC, and the text made by
    ``isoformat`` (strftime and astimezone per value were most of an export's time)."""
    if moment is None:
        return empty
    if moment.tzinfo is not None or not 1000 <= moment.year < 9999:
        return format_datetime(moment, seconds)  # aware, or where isoformat and %Y differ
    hour = moment.toordinal() * 24 + moment.hour
    offset = _hour_offsets.get(hour, _UNKNOWN)
    if offset is _UNKNOWN or _offsets_zone[0] is not time_module.tzname:
        offset = _offset_through_hour(hour, moment)
    if offset is None:
        return format_datetime(moment, seconds)
    return (moment + offset).isoformat(" ", "seconds" if seconds else "minutes")


# A naive UTC datetime as SQLite holds it (peewee stores ``str(datetime)``). ASCII digits
# only: ``datetime.fromisoformat`` reads no others.
_STORED_UTC = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-5][0-9]:[0-5][0-9](?:\.[0-9]{6})?")
# "YYYY-MM-DD HH" of UTC -> the local "YYYY-MM-DD HH", or "" when the minutes do not carry
# over unchanged (an offset of a part of an hour, a change of the clocks inside the hour).
_local_hours: dict[str, str] = {}


def format_stored_datetime(stored: str) -> str:
    """Exactly ``format_datetime_cached(datetime.fromisoformat(stored))`` for a naive UTC time
    as the database stores it, without making a datetime (a register export reads ~2 per
    row): the local hour is looked up per UTC hour and the minutes are copied. Anything
    else goes the exact way (and a malformed text raises as ``fromisoformat`` does)."""
    if _STORED_UTC.fullmatch(stored) is not None and _offsets_zone[0] is time_module.tzname:
        local_hour = _local_hours.get(stored[:13])
        if local_hour is None:
            local_hour = _local_hour(stored[:13])
        if local_hour:
            return local_hour + stored[13:16]
    return format_datetime_cached(datetime.fromisoformat(stored))


def _local_hour(utc_hour: str) -> str:
    start = datetime.fromisoformat(utc_hour + ":00")  # a malformed day or hour raises here
    _forget_other_zones()  # (the zone is the cached one: only the size is checked)
    local = ""
    if 1000 <= start.year < 9999:  # format_datetime_cached's own range
        hour = start.toordinal() * 24 + start.hour
        offset = _hour_offsets.get(hour, _UNKNOWN)
        if offset is _UNKNOWN:
            offset = _offset_through_hour(hour, start)
        if offset is not None and not offset % timedelta(hours=1):
            local = (start + offset).isoformat(" ", "hours")
    _local_hours[utc_hour] = local
    return local


def format_clock(moment: datetime | None, empty: str = "") -> str:
    """Time of day only, ``10:52`` (local)."""
    if moment is None:
        return empty
    local = to_local(moment) if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)
    return local.strftime("%H:%M")


def format_date(day: date | datetime | None, empty: str = "") -> str:
    """``2026-11-30``; a (naive UTC) datetime gives its local day."""
    if day is None:
        return empty
    if isinstance(day, datetime):
        return format_datetime(day)[:10]
    return day.isoformat()


def local_iso(moment: datetime | None) -> str | None:
    """Machine-readable local time with its offset, for JSON output."""
    if moment is None:
        return None
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone().isoformat(timespec="seconds")


# ------------------------------------------------------------------ days typed by people
#
# A typed day is read strictly: year first, four digits, one kind of separator (or none, or
# 年月日). Anything else is refused with the reason — never guessed (QDateEdit once turned
# "2026-12-31" typed over its sections into 2026-11-12).

_DAY_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?", re.ASCII),
)


def parse_day(text: str, field: str | None = None) -> date:
    """A calendar day typed as ``2026-12-31``, ``2026/12/31``, ``2026.12.31``, ``20261231``
    or ``2026年12月31日`` (full-width digits too). Anything else, or a day the calendar does
    not have (2026-02-30), raises ``ValidationError`` saying why."""
    # NFKC: full-width digits and separators (２０２６／１２／３１) become ASCII ones.
    typed = unicodedata.normalize("NFKC", text or "").strip()
    if not typed:
        raise ValidationError(_("Please enter a date, e.g. 2026-12-31."), field)
    for pattern in _DAY_PATTERNS:
        match = pattern.fullmatch(typed)
        if match:
            break
    else:
        raise ValidationError(
            _("“{text}” is not a date: type it as year-month-day, e.g. 2026-12-31.").format(
                text=text.strip()), field)
    year, month, day = (int(part) for part in match.groups())
    if year < 1900 or year > 2999:
        raise ValidationError(_("The year {year} is out of range.").format(year=year), field)
    if not 1 <= month <= 12:
        raise ValidationError(_("There is no month {month}: months go from 1 to 12.").format(
            month=month), field)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValidationError(
            _("There is no day {day} in {year}-{month:02d}: that month has {last} days.").format(
                day=day, year=year, month=month, last=last), field)
    return date(year, month, day)


_MONTH_PATTERNS = (
    re.compile(r"(\d{4})([-/.])(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})()(\d{2})", re.ASCII),
    re.compile(r"(\d{4})\s*(年)\s*(\d{1,2})\s*月?", re.ASCII),
)


def parse_month(text: str, field: str | None = None) -> date:
    """A month typed as ``2026-12``, ``2026/12``, ``202612`` or ``2026年12月``: its first day.
    Anything else raises ``ValidationError`` saying why."""
    typed = unicodedata.normalize("NFKC", text or "").strip()
    if not typed:
        raise ValidationError(_("Please enter a month, e.g. 2026-12."), field)
    for pattern in _MONTH_PATTERNS:
        match = pattern.fullmatch(typed)
        if match:
            break
    else:
        raise ValidationError(
            _("“{text}” is not a month: type it as year-month, e.g. 2026-12.").format(
                text=text.strip()), field)
    return parse_day(f"{match.group(1)}-{match.group(3)}-01", field)
