"""One time module (R8): local days for every "from/to day", one set of display formats."""

from __future__ import annotations

import os
import time as systime
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from desk_app.domain import clock
from desk_app.services.audit import day_range


@pytest.fixture
def shanghai() -> Iterator[None]:
    """The machine's zone is UTC+8 (no daylight saving), as at the offices this serves."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    systime.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    systime.tzset()


def test_a_local_day_starts_at_local_midnight(shanghai) -> None:
    assert clock.local_day_start(date(2026, 11, 30)) == datetime(2026, 11, 29, 16, 0)
    start, end = clock.local_day_range(date(2026, 11, 30), date(2026, 11, 30))
    assert (start, end) == (datetime(2026, 11, 29, 16, 0), datetime(2026, 11, 30, 16, 0))
    assert clock.local_day_range(None, None) == (None, None)


def test_audit_filter_days_are_local(shanghai) -> None:
    since, until = day_range(date(2026, 11, 30), date(2026, 11, 30))
    assert since == "2026-11-29T16:00:00.000000Z"
    assert until == "2026-11-30T16:00:00.000000Z"


def test_local_today_follows_the_zone(shanghai) -> None:
    assert clock.local_today(datetime(2026, 11, 30, 17, 0)) == date(2026, 12, 1)
    assert clock.local_today(datetime(2026, 11, 30, 15, 59)) == date(2026, 11, 30)


def test_one_display_format_without_offsets(shanghai) -> None:
    moment = datetime(2026, 11, 30, 2, 52, 7)  # naive UTC, as stored
    assert clock.format_datetime(moment) == "2026-11-30 10:52"
    assert clock.format_datetime(moment, seconds=True) == "2026-11-30 10:52:07"
    assert clock.format_clock(moment) == "10:52"
    assert clock.format_date(moment) == "2026-11-30"
    assert clock.format_date(date(2026, 1, 2)) == "2026-01-02"
    assert clock.format_datetime(None) == "" and clock.format_datetime(None, empty="—") == "—"
    aware = datetime(2026, 11, 30, 2, 52, tzinfo=UTC)
    assert clock.format_datetime(aware) == "2026-11-30 10:52"
    other = datetime(2026, 11, 30, 4, 52, tzinfo=timezone(timedelta(hours=2)))
    assert clock.format_datetime(other) == "2026-11-30 10:52"
    assert clock.local_iso(moment) == "2026-11-30T10:52:07+08:00"
    assert clock.local_iso(None) is None


@pytest.mark.parametrize("moment", [datetime(2026, 12, 2, 4, 3, 12, 123456),
                                    datetime(1999, 1, 1), datetime(2026, 2, 28, 23, 59, 59, 999999)])
def test_a_stored_utc_time_reads_back_as_it_was_written(moment) -> None:
    assert clock.parse_iso_utc(clock.iso_utc(moment)) == moment


@pytest.mark.parametrize("text", [
    "2026-12-02T04:03:12.123456",  # no Z
    "2026-12-02T04:03:12,123456Z",  # a comma (fromisoformat would take it)
    "2026-12-02 04:03:12.123456Z",  # a space
    "2026-12-02T04:03:12Z",  # no fraction
    "2026-12-02",  # a day
    "2026-12-02T04:03:12.123456+00:00",
    "２０２６-12-02T04:03:12.123456Z",  # full-width digits
    "2026-13-02T04:03:12.123456Z",  # no 13th month
    "",
])
def test_only_the_fixed_width_utc_form_is_read_as_a_stored_time(text) -> None:
    with pytest.raises(ValueError):
        clock.parse_iso_utc(text)
