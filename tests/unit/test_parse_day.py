"""Typed days are read strictly (issue 14: "2026-12-31" typed became 2026-11-12)."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain.clock import parse_day
from desk_app.domain.errors import ValidationError


@pytest.mark.parametrize("text", [
    "2026-12-31", "2026/12/31", "2026.12.31", "20261231", "2026年12月31日", "2026年12月31号",
    " 2026-12-31 ", "２０２６－１２－３１", "２０２６年１２月３１日", "２０２６/１２/３１",
])
def test_accepts_the_usual_ways_of_typing_a_day(text: str) -> None:
    assert parse_day(text) == date(2026, 12, 31)


def test_single_digit_month_and_day_with_separators() -> None:
    assert parse_day("2026-1-5") == date(2026, 1, 5)
    assert parse_day("2026年1月5日") == date(2026, 1, 5)
    assert parse_day("2028-02-29") == date(2028, 2, 29)  # a leap year


@pytest.mark.parametrize("text", [
    "31.12.2026", "12/31/2026", "2026-12/31", "26-12-31", "2026-12", "2026123", "202612311",
    "2026-12-31x", "tomorrow", "2026 12 31", "2026--12-31", "٢٠٢٦-١٢-٣١",
])
def test_refuses_anything_else_without_guessing(text: str) -> None:
    with pytest.raises(ValidationError, match="not a date"):
        parse_day(text)


@pytest.mark.parametrize(("text", "reason"), [
    ("2026-02-30", "that month has 28 days"),
    ("2026-02-29", "that month has 28 days"),
    ("2026-04-31", "that month has 30 days"),
    ("2026-13-01", "no month 13"),
    ("2026-00-10", "no month 0"),
    ("2026-12-00", "no day 0"),
    ("0999-01-01", "out of range"),
])
def test_refuses_impossible_days_saying_why(text: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_day(text)


def test_empty_text_names_the_field() -> None:
    with pytest.raises(ValidationError, match="enter a date") as caught:
        parse_day("   ", field="due")
    assert caught.value.field == "due"
