"""Archive catalogue and loan rules (R1, R3, R4): pure functions and value types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from desk_app.domain import clock, text
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.labelled import LabelledStrEnum
from desk_app.i18n import N_, _


class Level(LabelledStrEnum):
    PUBLIC = "public", N_("Public")
    INTERNAL = "internal", N_("Internal")
    SECRET = "secret", N_("Secret")
    PERSONNEL = "personnel", N_("Personnel")


class Status(LabelledStrEnum):
    AVAILABLE = "available", N_("Available")
    ON_LOAN = "on_loan", N_("On loan")
    DESTROYED = "destroyed", N_("Destroyed")


def level_label(level: str) -> str:
    return Level(level).label


def status_label(status: str) -> str:
    return Status(status).label


LOCATION_LEVELS = ("room", "cabinet", "shelf", "box")

_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
DEFAULT_REF_PATTERN = "{dept}-{kind}-{year}-{seq:04d}"


def check_code(code: str, field: str = "code") -> str:
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise ValidationError(_("A code is 1 to 8 letters or digits, starting with a letter."), field)
    return code


def check_ref(ref: str) -> str:
    ref = (ref or "").strip().upper()
    if not _REF.match(ref):
        raise ValidationError(
            _("A reference is up to 40 letters, digits, dots, dashes or slashes."), field="ref")
    return ref


def no_such_item(ref: str) -> NotFound:
    """The one answer for a reference that is unknown *or* hidden from the asker (R6): the same
    text, type and exit code on every path, so a refusal never tells that a sealed file exists."""
    return NotFound(_("No item with the reference {ref}.").format(ref=ref))


# ---------------------------------------------------------------- personnel files (R6)
#
# Personnel files have their own reference series, RS-<year>-<number>, and no other file may
# use it (nor a personnel file another): a reference a clerk types or is given never collides
# with, or skips the number of, a file the clerk cannot see.

PERSONNEL_PREFIX = "RS-"


def personnel_prefix(year: int) -> str:
    return f"{PERSONNEL_PREFIX}{year}-"


def personnel_ref(year: int, seq: int) -> str:
    return f"{personnel_prefix(year)}{seq:04d}"


def is_personnel_ref(ref: str) -> bool:
    return (ref or "").strip().upper().startswith(PERSONNEL_PREFIX)


def check_ref_series(ref: str, level: Level) -> str:
    """A typed reference belongs to the series of its level: RS-… for personnel files only."""
    if level == Level.PERSONNEL and not is_personnel_ref(ref):
        raise ValidationError(_("A personnel file's reference starts with {prefix} (or leave it "
                                "empty to number it).").format(prefix=PERSONNEL_PREFIX), "ref")
    if level != Level.PERSONNEL and is_personnel_ref(ref):
        raise ValidationError(_("References starting with {prefix} are for personnel files.")
                              .format(prefix=PERSONNEL_PREFIX), "ref")
    return ref


def check_title(title: str) -> str:
    return text.required(text.line(title, "title", _("The title"), 200), "title",
                         _("Give the file a title."))


def check_keywords(keywords: str) -> str:
    return text.line(keywords, "keywords", _("The keywords"), 300)


def check_level(level: str) -> Level:
    try:
        return Level((level or "").strip().lower())
    except ValueError:
        raise ValidationError(
            _("Unknown level {level}: use public, internal, secret or personnel.").format(
                level=level), field="level") from None


def check_retention(years: int | None) -> int | None:
    """A file's own retention: empty (its kind's default), 0 (permanent) or 1 to 100 years."""
    if years is not None and not 0 <= years <= 100:
        raise ValidationError(_("Retention is 1 to 100 years, 0 for permanent, or empty for "
                                "the kind's default."), field="retention_years")
    return years


_SEQ = re.compile(r"\{seq(?::[^{}]*)?\}")


def ref_prefix(pattern: str, dept: str, kind: str, year: int) -> str:
    """The fixed part of an auto-numbered reference, before the sequence number (whatever
    format the {seq…} field has: {seq}, {seq:04d}, {seq:05d} …)."""
    marker = "\x00"
    return _SEQ.sub(marker, pattern, count=1).format(
        dept=dept, kind=kind, year=year).split(marker)[0]


def format_ref(pattern: str, dept: str, kind: str, year: int, seq: int) -> str:
    """The one way a reference is numbered: the archive's new files and the demo's alike
    (the same width, no suffix), so a new file continues the series beside the old ones."""
    return pattern.format(dept=dept, kind=kind, year=year, seq=seq)


def ref_series(prefix: str) -> str:
    """The running-number series (store.numbers) of the references starting ``prefix``."""
    return f"item_ref:{prefix}"


def check_ref_pattern(pattern: str) -> str | None:
    """Why a reference pattern is unusable, or None."""
    if len(_SEQ.findall(pattern)) != 1:
        return N_("the pattern needs one {seq} or {seq:04d} part.")
    try:  # rendered the way numbering renders it, so what passes here works there
        samples = [format_ref(pattern, "KF", "TZ", 2026, seq) for seq in (1, 12345)]
        prefix = ref_prefix(pattern, "KF", "TZ", 2026)
    except (KeyError, ValueError, IndexError, TypeError, AttributeError):
        return N_("use only {dept}, {kind}, {year} and {seq:04d} in the pattern.")
    if not all(_REF.match(sample) and sample.startswith(prefix) for sample in samples):
        return N_("the pattern makes references with characters that are not allowed.")
    if is_personnel_ref(samples[0]):
        return N_("references starting with RS- are for personnel files.")
    return None


# ---------------------------------------------------------------- loans (R4)


def check_purpose(purpose: str) -> str:
    return text.required(text.line(purpose, "purpose", _("The purpose"), 500), "purpose",
                         _("Give the purpose of the loan."))


def check_due(due: date, today: date) -> date:
    if due < today:
        raise ValidationError(_("The due date {due} is in the past.").format(due=due.isoformat()),
                              field="due")
    if due > today + timedelta(days=366):
        raise ValidationError(_("The due date is more than a year away."), field="due")
    return due


def default_due(today: date, loan_days: int) -> date:
    return today + timedelta(days=max(1, loan_days))


@dataclass(frozen=True)
class ItemFacts:
    """What the loan rules need to know about an item."""

    ref: str
    level: str
    status: str


def check_lendable(item: ItemFacts) -> None:
    """Refuse items that cannot go out through the ordinary loan desk, saying why. A secret
    item goes out only under a matching access approval (R5), which the loan service checks."""
    if item.status == Status.DESTROYED:
        raise ValidationError(_("{ref} was destroyed and cannot be lent.").format(ref=item.ref), "ref")
    if item.level == Level.PERSONNEL:  # R6: sealed; no approval opens a personnel file
        raise ValidationError(
            _("{ref} is {level}: it cannot be lent.").format(ref=item.ref,
                                                             level=level_label(item.level)),
            field="ref")
    if item.status == Status.ON_LOAN:
        raise Conflict(_("{ref} is already on loan.").format(ref=item.ref))


def check_renewal(renewals: int, limit: int, ref: str) -> None:
    if renewals >= limit:
        raise ValidationError(
            _("{ref} has been renewed {n} times, the limit; it must be returned.").format(
                ref=ref, n=renewals), field="ref")


def days_overdue(due: date, today: date) -> int:
    return max(0, (today - due).days)


def visible_levels(personnel_officer: bool) -> tuple[Level, ...]:
    """R6: personnel files are seen only by the personnel officer (later: explicit grants).
    Seen is not read: without the personnel key an officer sees a sealed placeholder."""
    if personnel_officer:
        return tuple(Level)
    return (Level.PUBLIC, Level.INTERNAL, Level.SECRET)


CONDITIONS = ("good", "worn", "damaged", "incomplete")
CONDITION_LABELS = {
    "good": N_("Good"), "worn": N_("Worn"), "damaged": N_("Damaged"),
    "incomplete": N_("Incomplete"),
}


def check_condition(condition: str) -> str:
    condition = (condition or "good").strip().lower()
    if condition not in CONDITIONS:
        raise ValidationError(
            _("Condition is one of: {choices}.").format(choices=", ".join(CONDITIONS)), "condition")
    return condition


def parse_day(text: str, field: str) -> date:
    """A typed day, read strictly (``domain.clock.parse_day``: never guessed)."""
    return clock.parse_day(text, field)

