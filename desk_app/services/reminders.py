"""Overdue reminders (R4): who has what overdue, one bundled notice per borrower, the log.

A mixin of ``LoanService`` (``desk.loans``): the reminders read the loan register under the
same visibility rules (R6) and the callers keep one service to talk to."""

from __future__ import annotations

import json
from typing import Any

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import visible_loans
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.store.archive import Borrower, Item, Loan, Reminder, shown_title, tuples


class ReminderMixin(Service):
    settings: SettingsService

    def overdue_by_borrower(self, actor: Actor) -> list[dict[str, Any]]:
        """Borrowers with overdue items, each with all of them (for bundled reminders)."""
        self.require(actor, ArchivePermission.LOAN_VIEW)
        from desk_app.domain.clock import local_today

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
        return list(bundles.values())

    def send_reminder(self, actor: Actor, borrower_id: int) -> tuple[dict[str, Any], bytes]:
        """Record one bundled reminder and return it with its printable notice (PDF)."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        bundle = next((b for b in self.overdue_by_borrower(actor) if b["borrower_id"] == borrower_id),
                      None)
        if bundle is None:
            raise ValidationError(_("This borrower has nothing overdue."), field="borrower")
        with self.write() as tx:
            reminder = Reminder.create(borrower=borrower_id,
                                       loan_ids=json.dumps([loan["id"] for loan in bundle["loans"]]),
                                       sent_at=tx.at, sent_by=actor.user_id)
            tx.audit(actor, "loan.remind", "reminder", reminder.id, after={
                "borrower": bundle["borrower"], "refs": [loan["ref"] for loan in bundle["loans"]]})
        from desk_app.forms.loan_forms import reminder_pdf

        return bundle, reminder_pdf(str(self.settings.value("company_name")), bundle,
                                    reminder.id, tx.at)

    def reminders(self, actor: Actor, borrower_id: int) -> list[dict[str, Any]]:
        self.require(actor, ArchivePermission.LOAN_VIEW)
        return [{"id": r.id, "sent_at": r.sent_at, "loans": json.loads(r.loan_ids)}
                for r in Reminder.select().where(Reminder.borrower == borrower_id).order_by(Reminder.id)]
