"""Renewing a loan (R4, R5): a later due date, within the renewal rules.

A mixin of ``LoanService`` (``desk.loans``): a renewal locks the open loan the same way a
return does (``_open_loans``), so two desks renewing at once stay within the limit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from desk_app.domain import approvals as access_rules
from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import ValidationError
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.store.archive import Loan, loan_rows


class RenewalMixin(Service):
    settings: SettingsService

    if TYPE_CHECKING:  # provided by LoanService
        def today(self) -> date: ...
        def _open_loans(self, actor: Actor, refs: list[str]) -> list[Loan]: ...
        def _number(self, prefix: str, model: Any, at: datetime) -> str: ...

    def renew(self, actor: Actor, ref: str) -> dict[str, Any]:
        """A later due date; an in-office reading never, a loan under an approval (R5) only
        while it is live and to a day inside its window."""
        from desk_app.services.approvals import locked_renewal_check

        self.require(actor, ArchivePermission.LOAN_HANDLE)
        settings = self.settings
        limit, days = int(settings.value("max_renewals")), int(settings.value("renewal_days"))
        with self.write() as tx:
            (loan,) = self._open_loans(actor, [ref])
            rules.check_renewal(loan.renewals, limit, loan.item.ref)
            if loan.due_at is not None:
                raise ValidationError(access_rules.in_office_not_renewable(loan.item.ref),
                                      field="ref")
            before = loan.due_on
            loan.due_on = max(before, self.today()) + timedelta(days=days)
            if loan.approval_id is not None:
                locked_renewal_check(self.locked, loan.approval_id, loan.borrower_id, loan.due_on,
                                     tx.at)
            loan.renewals += 1
            loan.save()
            tx.audit(actor, "loan.renew", "loan", loan.id, before={"due": before.isoformat()},
                     after={"due": loan.due_on.isoformat(), "renewals": loan.renewals})
            # Read inside the transaction: this renewal, not one another desk made since.
            row = loan_rows(Loan.id == loan.id, 0, 1)[0]
        return row
