"""Retention of archive files (R2) and their approved destruction (R3): pure rules.

Retention counts whole years from 1 January of the year after the file's year (the
archival convention, 保管期限自文件形成之次年1月1日起计算): a 2020 file kept 10 years is
due for review on 2031-01-01. A file's own retention overrides its kind's default; 0 or
empty in the end means permanent (never due).
"""

from __future__ import annotations

from datetime import date

from desk_app.domain import text
from desk_app.domain.errors import ValidationError
from desk_app.domain.labelled import LabelledStrEnum
from desk_app.i18n import N_, _

PERMANENT = 0
MAX_YEARS = 100
REASON_LIMIT = 500
METHOD_LIMIT = 120


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


def file_year(doc_date: date | None, created: date) -> int:
    """The year retention counts from: the document's date, else the day it was registered."""
    return (doc_date or created).year


def check_kind_years(years: int | None) -> int | None:
    """A kind's default: 1 to 100 years, or None (permanent)."""
    if years is not None and not 0 < years <= MAX_YEARS:
        raise ValidationError(_("A kind's retention is 1 to 100 years, or permanent."),
                              field="retention_years")
    return years


class Method(LabelledStrEnum):
    """The usual ways of destroying paper files; any other is typed as free text."""

    SHREDDING = "shredding", N_("Shredding")
    INCINERATION = "incineration", N_("Incineration")
    PULPING = "pulping", N_("Pulping")


def check_method(method: str | None) -> str:
    """A known method's code, or the free text someone typed (one line, at most 120)."""
    value = text.line(method, "method", _("The method"), METHOD_LIMIT)
    if value.lower() in {m.value for m in Method}:
        return value.lower()
    return text.required(value, "method", _("How are the files destroyed? Give a method "
                                            "such as shredding or incineration."))


def method_label(method: str) -> str:
    try:
        return Method(method).label
    except ValueError:
        return method


def check_reason(reason: str | None, field: str = "reason") -> str:
    value = text.block(reason, field, _("The reason"), REASON_LIMIT)
    return text.required(value, field, _("Give a reason."))


class DestructionStatus(LabelledStrEnum):
    PROPOSED = "proposed", N_("Proposed")
    APPROVED = "approved", N_("Approved")
    REFUSED = "refused", N_("Refused")
    DONE = "done", N_("Destroyed")


OPEN_STATUSES = (DestructionStatus.PROPOSED.value, DestructionStatus.APPROVED.value)


def status_label(status: str) -> str:
    try:
        return DestructionStatus(status).label
    except ValueError:
        return status


def retention_text(years: int | None) -> str:
    """How long a file is kept, for lists and the destruction list."""
    if not years:
        return _("permanent")
    return _("{years} years").format(years=years)
