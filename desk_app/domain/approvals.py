"""Confidential access approval rules (R5): pure functions and value types.

A request is pending, then approved or refused by a manager; an approval may be revoked
early. "Expired" is never stored: a request is expired once the clock has passed the end
(local midnight) of its last day, ``window_to``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from desk_app.domain import text
from desk_app.domain.clock import local_day_start
from desk_app.domain.errors import ValidationError
from desk_app.domain.labelled import LabelledStrEnum
from desk_app.i18n import N_, _

MAX_COPIES = 999
MAX_WINDOW_DAYS = 366


class Access(LabelledStrEnum):
    READ = "read", N_("Read in the office")
    COPY = "copy", N_("Copy")
    TAKE_OUT = "take-out", N_("Take out")


class RequestStatus(LabelledStrEnum):
    PENDING = "pending", N_("Waiting for a decision")
    APPROVED = "approved", N_("Approved")
    REFUSED = "refused", N_("Refused")
    REVOKED = "revoked", N_("Revoked")
    EXPIRED = "expired", N_("Expired")


class Disposal(LabelledStrEnum):
    RETURNED = "returned", N_("Returned")
    DESTROYED = "destroyed", N_("Destroyed")


def parse_closing_time(text: str) -> time:
    """"17:30" → 17:30; ValueError for anything else."""
    hours, minutes = (text or "").strip().split(":")
    if not (len(hours) in (1, 2) and len(minutes) == 2):
        raise ValueError(text)
    return time(int(hours), int(minutes))


def closing_moment(day: date, closing: time) -> datetime:
    """Closing time of the local ``day`` as naive UTC (how times are stored)."""
    return datetime.combine(day, closing).astimezone(UTC).replace(tzinfo=None)


def window_end(window_to: date) -> datetime:
    """The moment (naive UTC) an approval ending on ``window_to`` expires: local midnight after."""
    return local_day_start(window_to + timedelta(days=1))


def check_access(access: str) -> Access:
    try:
        return Access((access or "").strip().lower())
    except ValueError:
        raise ValidationError(_("Unknown kind of access {access}: use read, copy or take-out.")
                              .format(access=access), field="access") from None


def check_copies(access: Access, copies: int | None) -> int | None:
    """A copy approval names how many copies (1 or more); the others none."""
    if access != Access.COPY:
        if copies is not None:
            raise ValidationError(_("A number of copies is only for copy access."), field="copies")
        return None
    return check_copy_count(copies)


def check_copy_count(copies: int | None) -> int:
    if copies is None:
        raise ValidationError(_("Give the number of copies."), field="copies")
    if not 1 <= copies <= MAX_COPIES:
        raise ValidationError(_("The number of copies is 1 to {most}, not {n}.").format(
            most=MAX_COPIES, n=copies), field="copies")
    return copies


def check_window(window_from: date, window_to: date, today: date) -> tuple[date, date]:
    if window_from is None or window_to is None:
        raise ValidationError(_("Give the first and the last day of the window."), field="window")
    if window_to < window_from:
        raise ValidationError(_("The window ends ({to}) before it starts ({since}).").format(
            to=window_to.isoformat(), since=window_from.isoformat()), field="window_to")
    if window_from < today:
        raise ValidationError(_("The window starts in the past ({since}).").format(
            since=window_from.isoformat()), field="window_from")
    if (window_to - window_from).days >= MAX_WINDOW_DAYS:
        raise ValidationError(_("The window is longer than a year."), field="window_to")
    return window_from, window_to


def check_purpose(purpose: str) -> str:
    return text.required(text.line(purpose, "purpose", _("The purpose"), 500), "purpose",
                         _("Give the purpose of the access."))


def check_reason(reason: str, message: str | None = None) -> str:
    return text.required(text.line(reason, "reason", _("The reason"), 500), "reason",
                         message or _("Give the reason for the decision."))


def status_of(stored: str, window_to: date, now: datetime) -> RequestStatus:
    """The status shown: a pending or approved request whose window has ended is expired."""
    status = RequestStatus(stored)
    if status in (RequestStatus.PENDING, RequestStatus.APPROVED) and now >= window_end(window_to):
        return RequestStatus.EXPIRED
    return status


def not_pending_message(number: str, status: RequestStatus) -> str:
    return _("{number} is {status}, not waiting for a decision: it cannot be decided again.") \
        .format(number=number, status=status.label.lower())


# ------------------------------------------------------------------ matching a loan


@dataclass(frozen=True)
class Approval:
    """What the loan check needs to know of one request naming the item."""

    id: int
    number: str
    borrower_id: int
    access: str
    status: str  # stored
    window_from: date
    window_to: date
    document_id: int | None = None  # the signed decision form


@dataclass(frozen=True)
class Wanted:
    """The loan being made: who, in the office or not, until when, at what moment."""

    borrower_id: int
    in_office: bool
    due: date
    now: datetime
    today: date


def problem(approval: Approval, wanted: Wanted) -> str | None:
    """Why ``approval`` does not cover ``wanted`` (translated), or None when it does."""
    number = approval.number
    if approval.borrower_id != wanted.borrower_id:
        return _("{number} is for another person.").format(number=number)
    status = status_of(approval.status, approval.window_to, wanted.now)
    if status == RequestStatus.PENDING:
        return _("{number} is still waiting for the manager's decision.").format(number=number)
    if status == RequestStatus.REFUSED:
        return _("{number} was refused.").format(number=number)
    if status == RequestStatus.REVOKED:
        return _("{number} was revoked.").format(number=number)
    if status == RequestStatus.EXPIRED:
        return _("{number}: the window ended on {day}.").format(
            number=number, day=approval.window_to.isoformat())
    if wanted.today < approval.window_from:
        return _("{number}: the window starts on {day}.").format(
            number=number, day=approval.window_from.isoformat())
    access = Access(approval.access)
    if wanted.in_office and access != Access.READ:
        return _("{number} is for {access}, not reading in the office.").format(
            number=number, access=access.label.lower())
    if not wanted.in_office and access != Access.TAKE_OUT:
        return _("{number} is for {access} only, not taking out.").format(
            number=number, access=access.label.lower())
    if not wanted.in_office and wanted.due > approval.window_to:
        return _("{number}: the due date {due} is after the window ends ({day}).").format(
            number=number, due=wanted.due.isoformat(), day=approval.window_to.isoformat())
    return None


def choose(ref: str, approvals: list[Approval], wanted: Wanted) -> tuple[Approval | None, str]:
    """The approval that covers the loan of ``ref`` (the newest), or None and why not: the
    problem of this person's closest approval (newest first), else "no approval for this
    person"."""
    mine = [a for a in approvals if a.borrower_id == wanted.borrower_id]
    for approval in mine:  # newest first
        if problem(approval, wanted) is None:
            return approval, ""
    if mine:  # say why of the closest: a live approval before a pending one before the rest
        rank = {RequestStatus.APPROVED: 0, RequestStatus.PENDING: 1}
        closest = min(mine, key=lambda a: rank.get(
            status_of(a.status, a.window_to, wanted.now), 2))
        why = problem(closest, wanted) or ""
        return None, _("{ref}: {why}").format(ref=ref, why=why)
    if approvals:
        return None, _("{ref}: no approval for this person (only for someone else).").format(ref=ref)
    return None, _("{ref} is secret and has no access approval: file a request for the "
                   "manager's approval first.").format(ref=ref)


# ------------------------------------------------------------------ renewing, deciding


def in_office_not_renewable(ref: str) -> str:
    return _("{ref} was lent for reading in the office: it is due back today by closing time "
             "and cannot be renewed.").format(ref=ref)


def renewal_problem(approval: Approval, borrower_id: int, due: date, now: datetime,
                    today: date) -> str | None:
    """Why a take-out loan made under ``approval`` may not be renewed to ``due`` (the same
    rules as lending: live, same person, take-out, due inside the window), or None."""
    why = problem(approval, Wanted(borrower_id, False, due, now, today))
    if why is None:
        return None
    return _("{why} The loan can only be renewed while the approval is live and until its "
             "last day, {day}.").format(why=why, day=approval.window_to.isoformat())


def same_person_message(number: str) -> str:
    return _("{number}: you filed this request or are its requester, so you may not decide it: "
             "another manager must decide.").format(number=number)
