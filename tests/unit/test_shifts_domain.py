"""The shift pattern (seed 001 part 4) and the slots a handover and a curfew use: parsing
with its refusals, the current, latest started and following slot across midnight and in
the 00:00–08:30 gap, and the default curfew."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from desk_app.domain import shifts
from desk_app.domain.shifts import DEFAULT_PATTERN, parse_pattern, pattern_problem

DAY = date(2026, 11, 2)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute))


def current(pattern, moment: datetime) -> shifts.ShiftSlot:
    slot = shifts.current(pattern, moment)
    assert slot is not None
    return slot


@pytest.fixture
def default():
    return parse_pattern(DEFAULT_PATTERN)


def test_default_pattern(default):
    assert [s.name for s in default] == ["day", "night"]
    day, night = default
    assert day.span(DAY) == (at(8, 30), at(17, 30))
    assert night.span(DAY) == (at(17, 30), datetime(2026, 11, 3, 0, 0))  # 24:00 ends next day


def test_pattern_forms_and_order():
    parsed = parse_pattern(" Night = 22:00-06:00 ,early=06:00-14:00\nlate=14:00-22:00; ")
    assert [s.name for s in parsed] == ["early", "late", "night"]  # sorted by start
    night = parsed[2]
    assert night.end_minutes == 30 * 60  # 06:00 the next day
    assert night.span(DAY)[1] == datetime(2026, 11, 3, 6, 0)


@pytest.mark.parametrize("text", [
    "", " ; ", "day", "day=08:30", "day=8.30-17:30", "day=08:30-25:00", "day=24:00-08:00",
    "day=08:60-17:00", "day=24:30-01:00", "1day=08:00-17:00", "day=08:00-",
    "day=08:00-17:00; day=17:00-20:00",  # a name twice
    "day=08:00-18:00; night=17:00-23:00",  # overlap
    "night=20:00-09:00; day=08:00-17:00",  # the night runs into the next day's shift
    "a=08:00-17:00; b=\x1b[2J-01:00",
])
def test_bad_patterns_are_refused(text):
    with pytest.raises(ValueError):
        parse_pattern(text)
    assert pattern_problem(text)


def test_good_pattern_has_no_problem():
    assert pattern_problem(DEFAULT_PATTERN) is None
    assert pattern_problem("only=00:00-24:00") is None
    # the same start and end: one whole day, as 08:00 to 08:00 the next morning
    (whole,) = parse_pattern("all=08:00-08:00")
    assert whole.end_minutes - whole.start_minutes == 24 * 60


def test_current_slot(default):
    assert current(default, at(8, 30)).name == "day"  # the start belongs to the shift
    assert current(default, at(17, 29)).name == "day"
    evening = current(default, at(17, 30))
    assert (evening.name, evening.day) == ("night", DAY)
    late = current(default, at(23, 59))
    assert (late.name, late.day, late.end) == ("night", DAY, datetime(2026, 11, 3))
    assert shifts.current(default, at(0, 0)) is None  # 00:00–08:30: nobody's shift
    assert shifts.current(default, at(8, 29)) is None


def test_latest_started_in_the_gap_is_last_night(default):
    gap = shifts.latest_started(default, at(3, 0))
    assert (gap.name, gap.day) == ("night", date(2026, 11, 1))  # the night that began yesterday
    assert shifts.latest_started(default, at(12, 0)).name == "day"
    assert shifts.latest_started(default, at(0, 0)).day == date(2026, 11, 1)


def test_following_crosses_midnight(default):
    day_slot = shifts.slot(default, DAY, "day")
    night = shifts.following(default, day_slot)
    assert (night.name, night.day) == ("night", DAY)
    after = shifts.following(default, night)
    assert (after.name, after.day, after.start) == ("day", date(2026, 11, 3), at(8, 30, date(2026, 11, 3)))


def test_following_with_a_shift_over_midnight():
    pattern = parse_pattern("day=08:00-20:00; night=20:00-08:00")
    night = current(pattern, at(2, 0))
    assert (night.name, night.day) == ("night", date(2026, 11, 1))
    nxt = shifts.following(pattern, night)
    assert (nxt.name, nxt.day) == ("day", DAY)


def test_slot_of_an_unknown_shift(default):
    with pytest.raises(KeyError):
        shifts.slot(default, DAY, "evening")
    assert shifts.find(default, "evening") is None


def test_default_curfew(default):
    assert shifts.default_curfew(default, at(10, 0)) == at(17, 30)  # end of the day shift
    assert shifts.default_curfew(default, at(20, 0)) == datetime(2026, 11, 3)  # end of night
    # between shifts: the end of the next one (the day shift ahead)
    assert shifts.default_curfew(default, at(3, 0)) == at(17, 30)
    assert shifts.default_curfew(default, at(8, 29)) == at(17, 30)


def test_shift_names_are_shown_in_the_language():
    from desk_app.domain.shifts import shift_label
    from desk_app.i18n import set_language

    try:
        set_language("zh_CN")
        assert (shift_label("day"), shift_label("night")) == ("白", "晚")
        assert shift_label("morning") == "morning"  # an office's own name, as written
        set_language("en")
        assert (shift_label("day"), shift_label("night")) == ("day", "night")
    finally:
        set_language("en")
