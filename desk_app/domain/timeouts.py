"""Timeouts and responsibility (002 客户服务响应超时责任追究): the request's type and urgency
that set its reply targets, the supervisor's review (cause, the directly responsible person,
the supervisor's joint liability, evidence), the measure from the office's table, retraining,
and the staff member's appeal decided by someone else. Pure Python: the service passes in
the rows' values, who acts and when.

A review is written once; an appeal is filed once, within the appeal window, by the person
held responsible or the supervisor held jointly liable; it is decided by a supervisor other
than the reviewer and the appellant, or by the manager. Nothing is deleted (R3): an appeal's
decision stands beside the review it changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import Conflict, PermissionDenied, ValidationError
from desk_app.domain.labelled import LabelledStrEnum
from desk_app.i18n import N_, _


class RequestType(LabelledStrEnum):
    """What the caller or visitor asks for (002: targets per kind of request)."""

    ENQUIRY = "enquiry", N_("Enquiry")
    TECHNICAL = "technical", N_("Technical question")
    QUERY = "query", N_("Query of a record")
    COMPLAINT = "complaint", N_("Complaint")
    SUGGESTION = "suggestion", N_("Suggestion")
    OTHER = "other", N_("Other")


class Urgency(LabelledStrEnum):
    NORMAL = "normal", N_("Not urgent")
    URGENT = "urgent", N_("Urgent request")


class Cause(LabelledStrEnum):
    """Why a timeout happened (002 三: 系统故障、信息不对称…)."""

    STAFF = "staff", N_("Staff: not answered or followed up in time")
    SYSTEM = "system", N_("System or equipment failure")
    INFORMATION = "information", N_("Missing or wrong information")
    DEPARTMENT = "department", N_("Another department's delay")
    PEAK = "peak", N_("Peak of calls or visitors")
    OTHER = "other", N_("Other")


class Measure(LabelledStrEnum):
    """What follows a timeout (002 四: 口头警告、书面警告、扣分或罚款…)."""

    NONE = "none", N_("No measure")
    VERBAL = "verbal", N_("Verbal warning")
    WRITTEN = "written", N_("Written warning")
    DEDUCTION = "deduction", N_("Performance deduction")
    OTHER = "other", N_("Other measure")


class Outcome(LabelledStrEnum):
    """An appeal's result."""

    UPHELD = "upheld", N_("Upheld: the measure stands")
    CHANGED = "changed", N_("Changed: another measure")
    ANNULLED = "annulled", N_("Annulled: no measure")


LEVEL_NAMES = ("minor", "moderate", "severe")  # Level 1–3, as the measure table names them
DEFAULT_MEASURES = "minor=verbal, moderate=written, severe=deduction"
DEFAULT_TYPE_TARGETS = "technical=15/30/60, complaint=10/20/60, suggestion=30/60/120"
_PAIR = re.compile(r"^\s*([a-z_]+)\s*=\s*([^,]+?)\s*$")


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for part in (p for p in str(text).split(",") if p.strip()):
        match = _PAIR.match(part)
        if match is None:
            raise ValidationError(_("{what}: write name=value pairs separated by commas, not "
                                    "“{part}”.").format(what=what, part=part.strip()))
        pairs.append((match.group(1), match.group(2)))
    return pairs


def parse_measures(text: str) -> dict[int, Measure]:
    """The office's measure table, ``minor=verbal, moderate=written, severe=deduction``:
    the measure a review of each level starts from (the reviewer may choose another)."""
    what = _("The measure table")
    table: dict[int, Measure] = {}
    for name, value in _pairs(text, what):
        if name not in LEVEL_NAMES:
            raise ValidationError(_("{what}: unknown level {name}; use {levels}.").format(
                what=what, name=name, levels=", ".join(LEVEL_NAMES)))
        try:
            table[LEVEL_NAMES.index(name) + 1] = Measure(value)
        except ValueError:
            raise ValidationError(_("{what}: unknown measure {value}; use {measures}.").format(
                what=what, value=value, measures=", ".join(m.value for m in Measure))) from None
    return table


def parse_type_targets(text: str) -> dict[str, tuple[int, int, int]]:
    """Reply targets per request type in minutes, ``technical=15/30/60``: late (minor) after
    the first, moderate after the second, severe after the third. Types not named keep the
    general reply targets."""
    what = _("The reply targets per request type")
    table: dict[str, tuple[int, int, int]] = {}
    for name, value in _pairs(text, what):
        if name not in {t.value for t in RequestType}:
            raise ValidationError(_("{what}: unknown request type {name}; use {types}.").format(
                what=what, name=name, types=", ".join(t.value for t in RequestType)))
        parts = value.split("/")
        if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
            raise ValidationError(_("{what}: write three minutes for {name}, as 15/30/60.")
                                  .format(what=what, name=name))
        minutes = tuple(int(p) for p in parts)
        if not 0 < minutes[0] <= minutes[1] <= minutes[2] <= 10080:
            raise ValidationError(_("{what}: the minutes for {name} must rise, from 1 to "
                                    "10080.").format(what=what, name=name))
        table[name] = (minutes[0], minutes[1], minutes[2])
    return table


def _problem(parse: Callable[[str], object]) -> Callable[[object], str | None]:
    """A Setting's check from a parser: the parser's message, or None."""
    def check(value: object) -> str | None:
        try:
            parse(str(value))
        except ValidationError as error:
            return str(error)
        return None

    return check


check_measures = _problem(parse_measures)
check_type_targets = _problem(parse_type_targets)


def reply_seconds(request_type: str, urgency: str, general: tuple[int, int, int],
                  by_type: Mapping[str, tuple[int, int, int]],
                  urgent_percent: int) -> tuple[int, int, int]:
    """The reply thresholds in seconds of one entry: its type's minutes (else the general
    seconds), an urgent one's cut to ``urgent_percent`` per cent (at least a minute)."""
    minutes = by_type.get(request_type)
    seconds = tuple(m * 60 for m in minutes) if minutes else general
    if urgency == Urgency.URGENT.value:
        seconds = tuple(max(60, s * urgent_percent // 100) for s in seconds)
    return (seconds[0], seconds[1], seconds[2])


def parse_choice(enum: type[LabelledStrEnum], value: str, field: str, what: str) -> str:
    """``value`` as a member of ``enum`` (its value), or ValidationError naming the choices."""
    try:
        return enum(str(value).strip()).value
    except ValueError:
        raise ValidationError(_("{what}: choose one of {choices}.").format(
            what=what, choices=", ".join(m.value for m in enum)), field=field) from None


def check_measure_text(measure: str, text: str) -> None:
    if measure == Measure.OTHER.value and not text:
        raise ValidationError(_("Write what the other measure is."), field="measure_text")


def appeal_deadline(reviewed_at: datetime, days: int) -> datetime:
    return reviewed_at + timedelta(days=days)


def check_appeal(entry: int, appellant: str, responsible: str, joint: str,
                 deadline: datetime, now: datetime, appealed: bool) -> None:
    """Only the person held responsible, or the supervisor held jointly liable, appeals; once;
    before the deadline."""
    if appellant not in {responsible, joint} - {""}:
        raise PermissionDenied(_("Only the person held responsible for the timeout of entry "
                                 "{id} (or the supervisor held jointly liable) may appeal.")
                               .format(id=entry))
    if appealed:
        raise Conflict(_("The review of entry {id} was already appealed.").format(id=entry))
    if now > deadline:
        raise Conflict(_("The appeal window of entry {id} closed on {deadline}.").format(
            id=entry, deadline=format_datetime(deadline)))


def check_decider(entry: int, decider: str, is_manager: bool, is_supervisor: bool,
                  parties: set[str]) -> None:
    """A supervisor with no part in the case — not the reviewer, the appellant, the person
    held responsible or the supervisor held jointly liable — or the manager (002: 由独立的审核
    团队负责复核)."""
    if is_manager:
        return
    if not is_supervisor:
        raise PermissionDenied(_("A supervisor or the manager decides an appeal."))
    if decider in parties:
        raise PermissionDenied(_("The appeal on entry {id} is decided by a supervisor other than "
                                 "the reviewer and those it concerns, or by the manager.")
                               .format(id=entry))


def measure_after(outcome: str, measure: str, new_measure: str) -> str:
    """The measure that stands after an appeal's outcome."""
    if new_measure and outcome != Outcome.CHANGED.value:
        raise ValidationError(_("A new measure goes with the outcome “changed” only."),
                              field="measure")
    if outcome == Outcome.ANNULLED.value:
        return Measure.NONE.value
    if outcome == Outcome.CHANGED.value:
        if not new_measure or new_measure == measure:
            raise ValidationError(_("Choose the measure that replaces the reviewed one."),
                                  field="measure")
        return new_measure
    return measure
