"""Overdue reminders (R4): who has what overdue, one bundled notice per borrower, sent in
one batch — by e-mail where an SMTP server is configured and the borrower's contact is an
e-mail address, else printed (one page per borrower, in pinyin order) — and the log.

A mixin of ``LoanService`` (``desk.loans``): the reminders read the loan register under the
same visibility rules (R6) and the callers keep one service to talk to.

Each reminder is its own transaction with its own ``loan.remind`` audit entry, written
right after its e-mail went out (or failed): an e-mail cannot be taken back, so a batch
cancelled or broken off half-way must still record exactly the ones that happened."""

from __future__ import annotations

import contextlib
import json
import re
import smtplib
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.clock import format_datetime, local_today
from desk_app.domain.errors import ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import visible_loans
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.store.archive import Borrower, Item, Loan, Reminder, shown_title, tuples
from desk_app.store.models import User

Progress = Callable[[int, int], bool]
_EMAIL = re.compile(r"[^@\s,;，；<>]+@[^@\s,;，；<>]+\.[^@\s,;，；<>]+")
# A printed notice is only known to be made (the PDF for printing), never to be printed or
# delivered; older rows say "printed" and mean the same.
MADE = "made"
SMTP_TIMEOUT = 15  # seconds; one slow server must not hang the batch for ever


def email_of(contact: str) -> str:
    """The e-mail address in a borrower's contact text ("" if there is none)."""
    found = _EMAIL.search(contact or "")
    return found.group(0) if found else ""


def _smtp_error(problem: Exception) -> str:
    """The server's answer as one readable line ("550 5.1.1 mailbox unavailable")."""
    if isinstance(problem, smtplib.SMTPRecipientsRefused):
        answers = list(problem.recipients.values())
        if answers:
            code, text = answers[0]
            return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(problem, smtplib.SMTPResponseException):
        answer: bytes | str = problem.smtp_error
        if isinstance(answer, bytes):
            answer = answer.decode(errors="replace")
        return f"{problem.smtp_code} {answer}"
    return str(problem) or type(problem).__name__


def _reminder_number(reminder_id: int, at: datetime) -> str:
    return f"TX{at.year}-{reminder_id:06d}"


class ReminderMixin(Service):
    settings: SettingsService

    def overdue_by_borrower(self, actor: Actor) -> list[dict[str, Any]]:
        """Borrowers with overdue items, each with all of them, in pinyin order of the
        borrowers' names (for bundled reminders)."""
        from desk_app.domain.pinyin import name_sort_key as sort_key

        self.require(actor, ArchivePermission.LOAN_VIEW)
        today = local_today(self.ctx.clock.now())
        bundles: dict[int, dict[str, Any]] = {}
        query = (Loan.select(Loan.id, Loan.borrower, Borrower.name, Borrower.contact, Item.ref,
                             shown_title(), Loan.due_on)
                 .join_from(Loan, Borrower).join_from(Loan, Item)
                 .where(Loan.returned_at.is_null() & visible_loans(actor)
                        & ((Loan.due_on < today) | (Loan.due_at < self.ctx.clock.now())))
                 .order_by(Borrower.name, Loan.due_on))
        for loan_id, borrower_id, name, contact, ref, title, due_on in tuples(query):
            bundle = bundles.setdefault(borrower_id, {"borrower_id": borrower_id, "borrower": name,
                                                      "contact": contact, "loans": []})
            bundle["loans"].append({"id": loan_id, "ref": ref, "title": title, "due_on": due_on,
                                    "days_overdue": rules.days_overdue(due_on, today)})
        return sorted(bundles.values(), key=lambda b: (sort_key(b["borrower"]), b["borrower_id"]))

    def send_reminder(self, actor: Actor, borrower_id: int) -> tuple[dict[str, Any], bytes]:
        """Record one bundled reminder made for printing and return it with its notice (PDF)."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        bundle = next((b for b in self.overdue_by_borrower(actor) if b["borrower_id"] == borrower_id),
                      None)
        if bundle is None:
            raise ValidationError(_("This borrower has nothing overdue."), field="borrower")
        reminder = self._record(actor, bundle, "print", "", MADE, "")
        from desk_app.forms.loan_forms import reminder_pdf

        return bundle, reminder_pdf(str(self.settings.value("company_name")), bundle,
                                    reminder.id, reminder.sent_at,
                                    str(self.settings.value("office_contact")))

    def _record(self, actor: Actor, bundle: dict[str, Any], channel: str, address: str,
                result: str, error: str) -> Reminder:
        with self.write() as tx:
            reminder = Reminder.create(borrower=bundle["borrower_id"],
                                       loan_ids=json.dumps([loan["id"] for loan in bundle["loans"]]),
                                       sent_at=tx.at, sent_by=actor.user_id, channel=channel,
                                       address=address, result=result, error=error[:500])
            after: dict[str, Any] = {
                "borrower": bundle["borrower"], "refs": [loan["ref"] for loan in bundle["loans"]],
                "number": _reminder_number(reminder.id, tx.at), "channel": channel}
            if address:
                after["address"] = address
            after["result"] = result  # "made" for print: a PDF cannot tell it was printed
            if error:
                after["error"] = error[:500]
            tx.audit(actor, "loan.remind", "reminder", reminder.id, after=after)
        bundle["number"] = _reminder_number(reminder.id, reminder.sent_at)
        return reminder

    def smtp_configured(self) -> bool:
        return bool(str(self.settings.value("smtp_host")).strip())

    def send_reminders(self, actor: Actor, progress: Progress | None = None) -> dict[str, Any]:
        """All overdue borrowers in one batch. Each with an e-mail address gets an e-mail when
        an SMTP server is configured; everyone else — and anyone whose e-mail failed — gets a
        printed page. Returns ``sent``, ``failed``, ``printed`` (lists of bundles with their
        notice number, address and error), ``pdf`` (the pages to print, or None) and
        ``cancelled``: a cancel stops before the next borrower and keeps what was done."""
        from desk_app.forms.loan_forms import reminder_batch_pdf

        self.require(actor, ArchivePermission.LOAN_HANDLE)
        bundles = self.overdue_by_borrower(actor)
        if not bundles:
            raise ValidationError(_("Nothing is overdue."), field="borrower")
        use_mail = self.smtp_configured()
        outcome: dict[str, Any] = {"sent": [], "failed": [], "printed": [], "pdf": None,
                                   "cancelled": False}
        smtp: smtplib.SMTP | None = None
        connect_error = ""
        try:
            for done, bundle in enumerate(bundles):
                if progress is not None and not progress(done, len(bundles)):
                    outcome["cancelled"] = True
                    break
                address = email_of(bundle["contact"]) if use_mail else ""
                if not address:
                    self._record(actor, bundle, "print", "", MADE, "")
                    outcome["printed"].append(bundle)
                    continue
                error = ""
                try:
                    if smtp is None and not connect_error:
                        smtp = self._connect()
                    if smtp is None:
                        raise smtplib.SMTPException(connect_error)
                    smtp.send_message(self._message(bundle, address))
                except (smtplib.SMTPException, OSError) as problem:
                    error = _smtp_error(problem)
                    if smtp is None:
                        connect_error = error  # the next ones fail the same way, at once
                    elif not isinstance(problem, smtplib.SMTPResponseException
                                        | smtplib.SMTPRecipientsRefused):
                        smtp.close()  # the connection broke: reconnect for the next one
                        smtp = None
                self._record(actor, bundle, "email", address, "failed" if error else "sent", error)
                bundle["address"], bundle["error"] = address, error
                outcome["failed" if error else "sent"].append(bundle)
            if progress is not None and not outcome["cancelled"]:
                progress(len(bundles), len(bundles))
        finally:
            if smtp is not None:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    smtp.quit()
        pages = outcome["printed"] + outcome["failed"]
        if pages:
            from desk_app.domain.pinyin import name_sort_key as sort_key

            pages.sort(key=lambda b: (sort_key(b["borrower"]), b["borrower_id"]))
            outcome["pdf"] = reminder_batch_pdf(
                str(self.settings.value("company_name")), pages[0]["number"], pages,
                self.ctx.clock.now(), str(self.settings.value("office_contact")))
        return outcome

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        smtp = smtplib.SMTP(str(settings.value("smtp_host")).strip(),
                            int(settings.value("smtp_port")), timeout=SMTP_TIMEOUT)
        if settings.value("smtp_starttls") == "yes":
            smtp.starttls()
        user = str(settings.value("smtp_user"))
        if user:
            smtp.login(user, str(settings.value("smtp_password")))
        return smtp

    def _message(self, bundle: dict[str, Any], address: str) -> EmailMessage:
        from desk_app.forms.loan_forms import office_contact_text, reminder_request

        company = str(self.settings.value("company_name"))
        contact = office_contact_text(company, str(self.settings.value("office_contact")))
        message = EmailMessage()
        message["Subject"] = _("Overdue files: please return them — {company}").format(
            company=company)
        message["From"] = str(self.settings.value("smtp_from")) or str(
            self.settings.value("smtp_user"))
        message["To"] = address
        lines = [_("Dear {name},").format(name=bundle["borrower"]), "",
                 reminder_request(contact), ""]
        lines += [_("{ref}  {title}  due {due} ({days} days overdue)").format(
            ref=loan["ref"], title=loan["title"], due=loan["due_on"].isoformat(),
            days=loan["days_overdue"]) for loan in bundle["loans"]]
        lines += ["", _("Issued on {date}").format(date=format_datetime(self.ctx.clock.now())),
                  company]
        if contact and contact != company:  # the company's name is the line above
            lines.append(_("Archive office: {contact}").format(contact=contact))
        message.set_content("\n".join(lines))
        return message

    def reminders(self, actor: Actor, borrower_id: int) -> list[dict[str, Any]]:
        self.require(actor, ArchivePermission.LOAN_VIEW)
        return [{"id": r.id, "sent_at": r.sent_at, "loans": json.loads(r.loan_ids),
                 "channel": r.channel, "address": r.address, "result": r.result,
                 "error": r.error}
                for r in Reminder.select().where(Reminder.borrower == borrower_id).order_by(Reminder.id)]

    def reminder_log(self, actor: Actor, offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """The reminders sent, newest first: when, to whom, how, what came of it, by whom."""
        self.require(actor, ArchivePermission.LOAN_VIEW)
        query = (Reminder.select(Reminder.id, Reminder.sent_at, Borrower.name, Reminder.channel,
                                 Reminder.address, Reminder.result, Reminder.error,
                                 Reminder.loan_ids, User.name, User.full_name)
                 .join_from(Reminder, Borrower)
                 .join_from(Reminder, User, on=(Reminder.sent_by == User.id))
                 .order_by(Reminder.id.desc()).offset(offset).limit(limit))
        return [{"id": rid, "number": _reminder_number(rid, at), "sent_at": at, "borrower": name,
                 "channel": channel, "address": address, "result": result, "error": error,
                 "items": len(json.loads(loan_ids)), "sent_by": full_name or user}
                for rid, at, name, channel, address, result, error, loan_ids, user, full_name
                in tuples(query)]
