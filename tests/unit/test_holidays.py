"""Holiday greetings (issue 18): the lunar festivals fall on their real days (checked
against the published calendar), the windows around them, the double festival."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain.holidays import holiday_greeting, holiday_on


@pytest.mark.parametrize(("day", "holiday"), [
    (date(2026, 2, 17), "spring"),  # 春节 2026 (lunar 1/1)
    (date(2026, 2, 10), "spring"),  # 小年 (lunar 12/23)
    (date(2026, 2, 9), None),  # the day before
    (date(2026, 3, 3), "lantern"),  # 元宵 2026 (lunar 1/15)
    (date(2026, 3, 4), None),
    (date(2025, 1, 29), "spring"),  # 春节 2025
    (date(2026, 6, 19), "dragon_boat"),  # 端午 2026
    (date(2026, 6, 17), "dragon_boat"),
    (date(2026, 6, 20), None),
    (date(2026, 9, 25), "mid_autumn"),  # 中秋 2026
    (date(2025, 10, 6), "double"),  # 中秋 2025 falls in the National Day week
    (date(2025, 10, 1), "national_day"),
    (date(2026, 10, 8), None),
    (date(2027, 1, 1), "new_year"),
    (date(2026, 5, 3), "labour"),
    (date(2026, 4, 5), None),  # 清明: remembrance, no wish
    (date(2026, 12, 2), None),
])
def test_the_holiday_of_a_day(day, holiday):
    assert holiday_on(day) == holiday


def test_the_wish_is_in_the_scripts_language():
    assert holiday_greeting(date(2026, 2, 17), "zh_CN") == "祝您新春快乐、万事如意"
    assert holiday_greeting(date(2026, 2, 17), "zh_TW") == "祝您新春快樂、萬事如意"
    assert holiday_greeting(date(2026, 6, 19), "en") == "Wishing you a peaceful Dragon Boat Festival"
    assert holiday_greeting(date(2026, 12, 2), "zh_CN") == ""
    assert holiday_greeting(date(2150, 2, 1), "zh_CN") == ""  # beyond the lunar table
