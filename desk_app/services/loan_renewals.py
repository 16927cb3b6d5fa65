"""Renewing a loan (R4, R5): the clerk chooses the new due date within the renewal rules,
and the renewal has its own slip (XJ2026-000001), signed like a loan slip.

A mixin of ``LoanService`` (``desk.loans``): a renewal locks the open loan the same way a
return does (``_open_loans``), so two desks renewing at once stay within the limit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from desk_app.domain import approvals as access_rules
from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import NotFound, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.store.archive import SEALED_TITLE, Item, Loan, Renewal, loan_rows


def renewal_window(old_due: date, today: date, loan_days: int,
                   renewal_days: int) -> tuple[date, date, date]:
    """(earliest, proposed, latest) new due date. A renewal counts from the later of the
    old due date and today; it adds at most ``renewal_days`` (the setting), and proposes
    the kind's loan period within that."""
    base = max(old_due, today)
    latest = base + timedelta(days=renewal_days)
    proposed = min(base + timedelta(days=max(1, loan_days)), latest)
    return base + timedelta(days=1), proposed, latest


class RenewalMixin(Service):
    settings: SettingsService

    if TYPE_CHECKING:  # provided by LoanService
        def today(self) -> date: ...
        def _open_loans(self, actor: Actor, refs: list[str]) -> list[Loan]: ...
        def _number(self, prefix: str, model: Any, at: datetime) -> str: ...
        def _sign_and_store(self, actor: Actor, model: Any, record_id: int,
                            data: dict[str, Any], kind: str, password: str, render: Any,
                            clerk_png: bytes | None) -> bytes: ...
        def _check_sealed(self, actor: Actor, data: dict[str, Any], unknown: str) -> None: ...

    def _limits(self) -> tuple[int, int]:
        return int(self.settings.value("max_renewals")), int(self.settings.value("renewal_days"))

    def renewal_terms(self, actor: Actor, ref: str) -> dict[str, Any]:
        """What the Renew dialog offers for the open loan of ``ref``: the current due date,
        the proposed, earliest and latest new one, renewals made and allowed. Refuses as
        ``renew`` would (limit reached, an in-office reading)."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        limit, days = self._limits()
        with self.ctx.db.atomic():
            (loan,) = self._open_loans(actor, [ref])
        self._check_renewable(loan, limit)
        kind = loan.item.kind  # lazily read, not locked
        earliest, proposed, latest = renewal_window(loan.due_on, self.today(), kind.loan_days, days)
        return {"ref": loan.item.ref, "title": _shown(loan.item), "borrower": loan.borrower.name,
                "due_on": loan.due_on, "earliest": earliest, "proposed": proposed,
                "latest": latest, "renewals": loan.renewals, "limit": limit}

    @staticmethod
    def _check_renewable(loan: Loan, limit: int) -> None:
        rules.check_renewal(loan.renewals, limit, loan.item.ref)
        if loan.due_at is not None:
            raise ValidationError(access_rules.in_office_not_renewable(loan.item.ref), field="ref")

    def renew(self, actor: Actor, ref: str, until: date | None = None) -> dict[str, Any]:
        """A later due date (``until``, else the proposed one); an in-office reading never, a
        loan under an approval (R5) only while it is live and to a day inside its window.
        Returns the loan's row with its ``renewal`` (id and number of the renewal slip)."""
        from desk_app.services.approvals import locked_renewal_check

        self.require(actor, ArchivePermission.LOAN_HANDLE)
        limit, days = self._limits()
        with self.write() as tx:
            (loan,) = self._open_loans(actor, [ref])
            self._check_renewable(loan, limit)
            before = loan.due_on
            kind = loan.item.kind  # lazily read, not locked
            earliest, proposed, latest = renewal_window(before, self.today(), kind.loan_days, days)
            due = proposed if until is None else until
            if not earliest <= due <= latest:
                raise ValidationError(
                    _("Choose a new due date from {first} to {last}.").format(
                        first=earliest.isoformat(), last=latest.isoformat()), field="due")
            if loan.approval_id is not None:
                locked_renewal_check(self.locked, loan.approval_id, loan.borrower_id, due, tx.at)
            loan.due_on = due
            loan.renewals += 1
            loan.save()
            renewal = Renewal.create(number=self._number("XJ", Renewal, tx.at), loan=loan.id,
                                     old_due=before, new_due=due, handler=actor.user_id,
                                     renewed_at=tx.at)
            tx.audit(actor, "loan.renew", "loan", loan.id, before={"due": before.isoformat()},
                     after={"ref": loan.item.ref, "borrower": loan.borrower.name,
                            "due": due.isoformat(), "renewals": loan.renewals,
                            "renewal": renewal.number})
            # Read inside the transaction: this renewal, not one another desk made since.
            row = loan_rows(Loan.id == loan.id, 0, 1)[0]
        row["renewal"] = {"id": renewal.id, "number": renewal.number}
        return row

    def _renewal(self, renewal_id: int) -> dict[str, Any]:
        renewal = Renewal.get_or_none(Renewal.id == renewal_id)
        if renewal is None:
            raise NotFound(_("No renewal {id}.").format(id=renewal_id))
        loan = Loan.get_by_id(renewal.loan)
        item = Item.get_by_id(loan.item_id)
        handler = renewal.handler
        return {"id": renewal.id, "number": renewal.number, "borrower": loan.borrower.name,
                "contact": loan.borrower.contact, "organisation": loan.borrower.organisation,
                "handler": handler.full_name or handler.name, "renewed_at": renewal.renewed_at,
                "old_due": renewal.old_due, "new_due": renewal.new_due,
                # which renewal of the loan this was (renewals from before m0013 have no row)
                "lent_at": loan.lent_at, "renewals": loan.renewals - Renewal.select().where(
                    (Renewal.loan == loan.id) & (Renewal.id > renewal.id)).count(),
                "signed": renewal.document_id is not None,
                "items": [{"id": item.id, "ref": item.ref, "title": _shown(item),
                           "level": item.level}]}

    def sign_renewal(self, actor: Actor, renewal_id: int, password: str,
                     borrower_png: bytes | None, clerk_png: bytes | None) -> bytes:
        """The renewal slip: the borrower's handwriting on the page, the clerk's PAdES
        signature; stored as a signed document of kind "renewal", never changed."""
        from desk_app.forms.loan_forms import renewal_pdf

        self.require(actor, ArchivePermission.LOAN_HANDLE)
        data = self._renewal(renewal_id)
        self._check_sealed(actor, data, _("No renewal {id}.").format(id=renewal_id))
        return self._sign_and_store(
            actor, Renewal, renewal_id, data, "renewal", password,
            lambda: renewal_pdf(str(self.settings.value("company_name")), data, borrower_png),
            clerk_png)


def _shown(item: Item) -> str:
    """A title on a renewal slip: a personnel file's is sealed (R6)."""
    return SEALED_TITLE if item.level == rules.Level.PERSONNEL else item.title
