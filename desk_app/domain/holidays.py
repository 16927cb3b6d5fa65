"""Holiday greetings for closing phrases (issue 18): on and around the public and
traditional holidays the desk closes with the holiday's wish (祝您新春快乐) instead of the
everyday one. The lunar festivals move every year; ``lunardate`` (pure Python, 1900–2099)
turns the day into its lunar date.

Qingming (清明) is left out on purpose: it is a day of remembrance, not wished for."""

from __future__ import annotations

from datetime import date

from lunardate import LunarDate

# holiday → the wish in each script language
GREETINGS: dict[str, dict[str, str]] = {
    "new_year": {"zh_CN": "祝您新年快乐", "zh_TW": "祝您新年快樂", "en": "Happy New Year"},
    "spring": {"zh_CN": "祝您新春快乐、万事如意", "zh_TW": "祝您新春快樂、萬事如意",
               "en": "Happy Spring Festival"},
    "lantern": {"zh_CN": "祝您元宵节快乐", "zh_TW": "祝您元宵節快樂",
                "en": "Happy Lantern Festival"},
    "labour": {"zh_CN": "祝您劳动节快乐", "zh_TW": "祝您勞動節快樂", "en": "Happy Labour Day"},
    # the Dragon Boat Festival is wished 安康 (well-being), not 快乐
    "dragon_boat": {"zh_CN": "祝您端午安康", "zh_TW": "祝您端午安康",
                    "en": "Wishing you a peaceful Dragon Boat Festival"},
    "mid_autumn": {"zh_CN": "祝您中秋快乐、阖家团圆", "zh_TW": "祝您中秋快樂、闔家團圓",
                   "en": "Happy Mid-Autumn Festival"},
    "national_day": {"zh_CN": "祝您国庆快乐", "zh_TW": "祝您國慶快樂", "en": "Happy National Day"},
    "double": {"zh_CN": "祝您中秋、国庆双节快乐", "zh_TW": "祝您中秋、國慶雙節快樂",
               "en": "Happy Mid-Autumn Festival and National Day"},
}


def _lunar_holiday(day: date) -> str | None:
    if not 1901 <= day.year <= 2099:  # the library's table; beyond it, it guesses
        return None
    try:
        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    except ValueError:  # outside the table (before 1900 or after 2099)
        return None
    if lunar.is_leap_month:
        return None
    month, mday = lunar.month, lunar.day
    if month == 1 and mday == 15:
        return "lantern"
    if (month == 12 and mday >= 23) or (month == 1 and mday < 15):  # 小年 to 元宵
        return "spring"
    if month == 5 and 3 <= mday <= 5:
        return "dragon_boat"
    if month == 8 and 13 <= mday <= 15:
        return "mid_autumn"
    return None


def _solar_holiday(day: date) -> str | None:
    if day.month == 1 and day.day <= 3:
        return "new_year"
    if day.month == 5 and day.day <= 5:
        return "labour"
    if day.month == 10 and day.day <= 7:
        return "national_day"
    return None


def holiday_on(day: date) -> str | None:
    """The holiday whose wish fits ``day`` (local), or None on an ordinary day. A lunar
    festival comes first; Mid-Autumn within the National Day week is wished together."""
    lunar, solar = _lunar_holiday(day), _solar_holiday(day)
    if lunar == "mid_autumn" and solar == "national_day":
        return "double"
    return lunar or solar


def holiday_greeting(day: date, lang: str) -> str:
    """The wish for ``day`` in ``lang`` ("" on an ordinary day)."""
    holiday = holiday_on(day)
    if holiday is None:
        return ""
    wishes = GREETINGS[holiday]
    return wishes.get(lang, wishes["en"])
