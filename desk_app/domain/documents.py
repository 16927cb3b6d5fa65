"""The document register's rules (收发文), pure Python: directions, states, urgency, the
running numbers and the outgoing number pattern (发文字号), and the checks of typed input.

Incoming (收文, seed 001 §2.1): registered → (the manager instructs) circulating → (every
listed department head confirmed reading) handling → (the handling department recorded its
result) handled → (the original came back) filed.
Outgoing (发文, §2.2): draft (signed by the drafter) → reviewed (the drafting department's
head) → signed_off (the general manager, 签发) → sent (numbered by office staff) → filed;
a refusal at review or sign-off returns it to the drafter (returned), who revises it; a sent
document's number can be voided (it stays recorded).
Internal liaison sheets (工作联络单, §2.3): draft (numbered at once) → signed (the drafting
department's head) → delivered → replied → filed; a withdrawn sheet is voided, its number
stays recorded.
"""

from __future__ import annotations

import re
import string
from datetime import date

from desk_app.domain import text as typed
from desk_app.domain.errors import ValidationError
from desk_app.domain.labelled import LabelledStrEnum
from desk_app.i18n import N_, _


class Direction(LabelledStrEnum):
    INCOMING = "incoming", N_("Incoming document")
    OUTGOING = "outgoing", N_("Outgoing document")
    INTERNAL = "internal", N_("Liaison sheet")


class Status(LabelledStrEnum):
    # incoming
    REGISTERED = "registered", N_("Waiting for instructions")
    CIRCULATING = "circulating", N_("Circulating")
    HANDLING = "handling", N_("Being handled")
    HANDLED = "handled", N_("Handled, to be filed")
    # outgoing and internal
    DRAFT = "draft", N_("Draft")
    RETURNED = "returned", N_("Returned to the drafter")
    REVIEWED = "reviewed", N_("Waiting for sign-off")
    SIGNED_OFF = "signed_off", N_("Signed off, to be numbered and sent")
    SENT = "sent", N_("Sent out")
    SIGNED = "signed", N_("Signed by the department head")
    DELIVERED = "delivered", N_("Delivered")
    REPLIED = "replied", N_("Replied")
    VOIDED = "voided", N_("Voided")
    # all
    FILED = "filed", N_("Filed")


class Urgency(LabelledStrEnum):
    NORMAL = "normal", N_("Normal")
    URGENT = "urgent", N_("Urgent")
    VERY_URGENT = "very_urgent", N_("Very urgent")


class Execution(LabelledStrEnum):
    """Whether an issued document was carried out (§1.8: 一經發文必須執行)."""

    PENDING = "pending", N_("Not started")
    IN_PROGRESS = "in_progress", N_("In progress")
    DONE = "done", N_("Carried out")


class RouteRole(LabelledStrEnum):
    READ = "read", N_("Reads")
    HANDLE = "handle", N_("Handles")


class NoteKind(LabelledStrEnum):
    QUESTION = "question", N_("Question to the manager")
    CHASE = "chase", N_("Chase")


# Running numbers (gap-free per year, store.numbers): 收文号, the outgoing draft's own
# number (发文稿), liaison sheets (联络单). ASCII, so a barcode scanner types them.
PREFIXES = {Direction.INCOMING: "SW", Direction.OUTGOING: "FG", Direction.INTERNAL: "LL"}
LEVELS = ("public", "internal", "secret")  # no personnel level: those are files, not mail
TITLE_MAX, TEXT_MAX, NAME_MAX, REF_MAX = 200, 4000, 200, 80
PAGES_MAX = 100_000
PATTERN_FIELDS = {"org", "year", "seq"}
NUMBER_RE = re.compile(r"^(SW|FG|LL)(\d{4})-(\d{4,})$")


def running_number(direction: Direction, year: int, seq: int) -> str:
    return f"{PREFIXES[direction]}{year}-{seq:04d}"


def series(direction: Direction, year: int) -> str:
    """The number_counter series of a direction's year."""
    return f"doc-{direction.value}-{year}"


def issued_series(year: int) -> str:
    return f"doc-issued-{year}"


def parse_running_number(text: str) -> tuple[Direction, int, int] | None:
    """``SW2026-0007`` → (incoming, 2026, 7); None for anything else."""
    found = NUMBER_RE.match(text.strip().upper())
    if found is None:
        return None
    direction = next(d for d, prefix in PREFIXES.items() if prefix == found.group(1))
    return direction, int(found.group(2)), int(found.group(3))


def check_number_pattern(pattern: str) -> str:
    """The outgoing number pattern must contain {seq} (else two documents would share a
    number) and only the known placeholders; raises ValueError with the reason."""
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern)
                  if name is not None}
    except ValueError:
        raise ValueError(_("the pattern has an unmatched brace.")) from None
    if "seq" not in fields:
        raise ValueError(_("the pattern needs {seq}, the running number, or documents "
                           "would share a number.").format(seq="{seq}"))
    unknown = fields - PATTERN_FIELDS
    if unknown:
        raise ValueError(_("unknown placeholder {name}: use {org}, {year} and {seq}.")
                         .format(name="{" + sorted(unknown)[0] + "}", org="{org}",
                                 year="{year}", seq="{seq}"))
    if len(pattern) > 60:
        raise ValueError(_("use at most 60 characters."))
    return pattern


def format_issued_number(pattern: str, org: str, year: int, seq: int) -> str:
    check_number_pattern(pattern)
    return pattern.format(org=org, year=year, seq=seq)


def check_title(title: str) -> str:
    value = typed.line(title, "title", _("Title"), TITLE_MAX)
    return typed.required(value, "title", _("Give the document's title."))


def check_line(value: str, field: str, label: str, required: bool = False,
               limit: int = NAME_MAX) -> str:
    """One line of text (sender, addressee, sender's number …): control characters refused,
    at most ``limit`` characters; ``label`` names the field in messages (translated)."""
    text = typed.line(value, field, label, limit)
    if required:
        typed.required(text, field, _("Give the {field}.").format(field=label))
    return text


def check_text(value: str, field: str, label: str, required: bool = False) -> str:
    """Several lines (an instruction, a result, a comment, a draft's text)."""
    text = typed.block(value, field, label, TEXT_MAX)
    if required:
        typed.required(text, field, _("Write the {field}.").format(field=label))
    return text


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValidationError(_("A document is public, internal or secret (personnel files "
                                "are registered in the Archive)."), field="level")
    return level


def check_urgency(value: str) -> Urgency:
    try:
        return Urgency(value)
    except ValueError:
        raise ValidationError(_("Urgency is one of: {names}.").format(
            names=", ".join(u.value for u in Urgency)), field="urgency") from None


def check_count(value: int, field: str, label: str, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= PAGES_MAX:
        raise ValidationError(_("The {field} must be a whole number from {low} to {high}.")
                              .format(field=label, low=low, high=PAGES_MAX), field=field)
    return value


def check_received_on(day: date, today: date) -> date:
    if day > today:
        raise ValidationError(_("The date received cannot be in the future."),
                              field="received_on")
    if (today - day).days > 366 * 5:
        raise ValidationError(_("The date received is more than five years ago."),
                              field="received_on")
    return day


def check_due_on(day: date, today: date) -> date:
    if day < today:
        raise ValidationError(_("The handling due date {day} is in the past.").format(
            day=day.isoformat()), field="due_on")
    return day


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """Handling overdue (催办): instructed, no result yet, and the due date has passed."""
    return (due_on is not None and due_on < today
            and status in (Status.CIRCULATING.value, Status.HANDLING.value))


def missing_numbers(numbers: list[int]) -> list[int]:
    """The gaps in a year's running numbers (1 … highest): shown as errors, never hidden."""
    have = set(numbers)
    return [n for n in range(1, max(have, default=0) + 1) if n not in have]
