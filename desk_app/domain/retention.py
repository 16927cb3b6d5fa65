"""Retention of archive files (R2): when a file is due for review.

Retention counts whole years from 1 January of the year after the file's year (the
archival convention, 保管期限自文件形成之次年1月1日起计算): a 2020 file kept 10 years is
due for review on 2031-01-01. A file's own retention overrides its kind's default; 0 or
empty in the end means permanent (never due).
"""

from __future__ import annotations

from datetime import date

PERMANENT = 0


def effective_years(item_years: int | None, kind_years: int | None) -> int | None:
    """The years a file is kept: its own (0: permanent) or else its kind's; None: permanent."""
    years = item_years if item_years is not None else kind_years
    return years or None


def review_on(file_year: int, item_years: int | None, kind_years: int | None) -> date | None:
    """The day the file becomes due for review, or None when it is kept permanently."""
    years = effective_years(item_years, kind_years)
    if years is None:
        return None
    return date(min(file_year + years + 1, 9999), 1, 1)
