"""The loan register (R4): lend, return, correct, overdue lists.

Slips and receipts (``services/loan_slips.py``), renewals (``services/loan_renewals.py``)
and reminders (``services/reminders.py``) are mixins of ``LoanService``: callers keep using
``desk.loans``."""

from __future__ import annotations

import functools
import json
import operator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import peewee

from desk_app.domain import approvals as access_rules
from desk_app.domain import archive as rules
from desk_app.domain import text
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.audit import canonical_json
from desk_app.domain.clock import local_today
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.text import LookupFilter
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import (
    ArchiveService,
    sealed_loans,
    visible_levels,
    visible_loans,
)
from desk_app.services.borrowers import BorrowerInput
from desk_app.services.borrowers import borrower as registered_borrower
from desk_app.services.loan_renewals import RenewalMixin
from desk_app.services.loan_slips import LoanSlips
from desk_app.services.reminders import ReminderMixin
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store import numbers
from desk_app.store.archive import (
    Borrower,
    Item,
    Kind,
    Loan,
    LoanCorrection,
    LoanSlip,
    ReturnReceipt,
    loan_rows,
    tuples,
)
from desk_app.store.models import User


@dataclass(frozen=True)
class LoanFilter(LookupFilter):
    open_only: bool = False
    overdue_only: bool = False
    borrower: str | None = None  # borrower name or user name
    today: date | None = None  # for overdue; the service's clock when None
    unsigned_only: bool = False  # loans whose slip is not signed yet
    ref: str | None = None  # the loans of one item (exact reference)


class LoanService(RenewalMixin, ReminderMixin, LoanSlips):
    settings: SettingsService
    keys: KeyService
    archive: ArchiveService

    def today(self) -> date:
        return local_today(self.ctx.clock.now())

    # ------------------------------------------------------------ lending

    def lend(self, actor: Actor, refs: list[str], borrower: BorrowerInput, purpose: str,
             due: date | None = None, in_office: bool = False,
             add_to: int | None = None) -> dict[str, Any]:
        """Several items to one borrower in one transaction and one slip (R4). ``in_office``:
        read in the office, due back today at closing time. Secret items: R5 approvals.
        ``add_to``: the id of this clerk's unsigned slip of today for the same borrower and
        purpose (the circulation screen lends at each scan, one slip for the session)."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        refs = [rules.check_ref(ref) for ref in dict.fromkeys(refs or [])]
        if not refs:
            raise ValidationError(_("Scan or type at least one reference."), field="ref")
        purpose = rules.check_purpose(purpose)
        # The server's clock is a query on PostgreSQL: asked here only when a given due
        # date is checked; else today is the transaction's day.
        today = self.today() if due is not None or in_office else None
        if due is not None and today is not None:
            rules.check_due(due, today)
        if in_office and due not in (None, today):
            raise ValidationError(_("Reading in the office is due back today."), field="due")
        due_at = None
        if in_office and today is not None:
            from desk_app.services.approvals import due_at_closing

            due, due_at = today, due_at_closing(self.settings, today, self.ctx.clock.now())
        with self.write() as tx:
            today = today or local_today(tx.at)
            items = self._lock_items(actor, refs)
            for item in items:
                if item.status == rules.Status.ON_LOAN:
                    raise self._already_on_loan(actor, item)
                rules.check_lendable(rules.ItemFacts(item.ref, item.level, item.status))
            person = registered_borrower(self.ctx.db, borrower, tx.at)
            dues = {item.id: due or rules.default_due(today, item.kind.loan_days) for item in items}
            approvals = self._approvals(items, person.id, in_office, dues, tx.at)
            # Before the running number: from its draw to the commit every other desk's lend
            # waits (the counter row, then the audit append), so what needs none comes first.
            Item.update(status=rules.Status.ON_LOAN.value).where(
                Item.id.in_([item.id for item in items])).execute()
            if add_to is not None:
                slip = self._open_slip(actor, add_to, person.id, purpose, today)
                slip.due_on = min(slip.due_on, *dues.values())
                slip.save()
            else:
                slip = LoanSlip.create(number=self._number("JY", LoanSlip, tx.at), borrower=person,
                                       purpose=purpose, handler=actor.user_id, lent_at=tx.at,
                                       due_on=min(dues.values()))
            try:  # no savepoint: the Conflict rolls the whole transaction back
                Loan.insert_many([
                    {"slip": slip.id, "item": item.id, "borrower": person.id, "purpose": purpose,
                     "handler": actor.user_id, "lent_at": tx.at, "due_on": dues[item.id],
                     "due_at": due_at,
                     "approval_id": approvals[item.id].id if item.id in approvals else None}
                    for item in items
                ]).execute()
            except peewee.IntegrityError:
                # The partial unique index: an open loan the item's status did not show.
                raise Conflict(_("One of these items was just lent at another desk.")) from None
            after: dict[str, Any] = {
                "slip": slip.number, "refs": refs, "borrower": person.name, "purpose": purpose,
                "due": {item.ref: dues[item.id].isoformat() for item in items}}
            if approvals:
                after["approvals"] = {item.ref: approvals[item.id].number for item in items
                                      if item.id in approvals}
            tx.audit(actor, "loan.lend", "loan_slip", slip.id, after=after)
        return self._slip(slip.id)  # the loan.lend entry names every item it shows

    def _already_on_loan(self, actor: Actor, item: Item) -> Conflict:
        """To whom and until when, for those who may see the loan register; else only that."""
        loan = (Loan.select(Loan, Borrower).join(Borrower)
                .where((Loan.item == item.id) & Loan.returned_at.is_null()).first())
        if loan is None or not actor.can(ArchivePermission.LOAN_VIEW):
            return Conflict(_("{ref} is already on loan.").format(ref=item.ref))
        return Conflict(_("{ref} is already on loan to {name} until {due}.").format(
            ref=item.ref, name=loan.borrower.name, due=loan.due_on.isoformat()))

    def _open_slip(self, actor: Actor, slip_id: int, person: int, purpose: str,
                   today: date) -> LoanSlip:
        """The slip a circulation session adds to, locked; refused unless it is still open to
        more items: this clerk's, today's, same borrower and purpose, not signed."""
        slip = self.locked(LoanSlip.select().where(LoanSlip.id == slip_id), of=LoanSlip).first()
        if slip is None or slip.handler_id != actor.user_id:
            raise NotFound(_("No loan slip {id}.").format(id=slip_id))
        if slip.document_id is not None:
            raise Conflict(_("{number} is signed already; a signed form is never changed.").format(
                number=slip.number))
        if (slip.borrower_id != person or slip.purpose != purpose
                or local_today(slip.lent_at) != today):
            raise ValidationError(_("{number} is for another borrower, purpose or day: start a new "
                                    "slip.").format(number=slip.number), field="borrower")
        return slip

    def _lock_items(self, actor: Actor, refs: list[str]) -> list[Item]:
        # Only what lending checks and writes: the columns are read holding the write lock.
        query = (Item.select(Item.id, Item.ref, Item.level, Item.status, Item.kind, Kind.id,
                             Kind.loan_days).join(Kind)
                 .where(Item.ref.in_(refs) & Item.level.in_(visible_levels(actor))))
        query = self.locked(query.order_by(Item.id), of=Item)  # one item, two desks: one waits
        found = {item.ref: item for item in query}
        missing = [ref for ref in refs if ref not in found]
        if missing:  # unknown and sealed alike (R6)
            raise rules.no_such_item(", ".join(missing))
        return [found[ref] for ref in refs]

    def _approvals(self, items: list[Item], person: int, in_office: bool,
                   dues: dict[int, date], at: datetime) -> dict[int, access_rules.Approval]:
        """R5: item id → the live approval each secret item goes out under (matching item,
        person, kind and dates), locked till commit; else exactly why none matches."""
        from desk_app.services.approvals import approvals_of, check_signed_approval

        secret = [item for item in items if item.level == rules.Level.SECRET]
        found = approvals_of([item.id for item in secret], self.locked) if secret else {}
        chosen: dict[int, access_rules.Approval] = {}
        for item in secret:
            wanted = access_rules.Wanted(person, in_office, dues[item.id], at, self.today())
            approval, why = access_rules.choose(item.ref, found.get(item.id, []), wanted)
            if approval is None:
                raise ValidationError(why, field="ref")
            check_signed_approval(approval)  # a stored "approved" alone is not an approval
            chosen[item.id] = approval
        return chosen

    def _number(self, prefix: str, model, at: datetime) -> str:
        """JY2026-000123: the year and a running number per kind of form, gap-free and the
        same for every desk (store.numbers)."""
        year = f"{prefix}{at.year}-"
        seq = numbers.next_number(f"{model._meta.table_name}:{year}",
                                  lambda: numbers.highest_suffix(model, model.number, year))
        return f"{year}{seq:06d}"

    # ------------------------------------------------------------ returning, renewing

    def _open_loans(self, actor: Actor, refs: list[str]) -> list[Loan]:
        """The open loans of ``refs``, locked until the transaction ends: what is checked
        here (still open, renewals so far) cannot change before the write (PostgreSQL:
        FOR UPDATE re-reads a row another desk changed meanwhile; SQLite: BEGIN IMMEDIATE
        already lets one writer in at a time). A file ``actor`` may not see is "no such
        item", never "not on loan" (R6: no answer tells that a sealed file exists)."""
        refs = [rules.check_ref(ref) for ref in dict.fromkeys(refs or [])]
        if not refs:
            raise ValidationError(_("Scan or type at least one reference."), field="ref")
        seen = Item.level.in_(visible_levels(actor))
        # The item's columns returning and renewing show (read holding the write lock).
        query = self.locked(Loan.select(Loan, Item.id, Item.ref, Item.title, Item.level, Item.kind)
                            .join(Item)
                            .where(Item.ref.in_(refs) & Loan.returned_at.is_null() & seen)
                            .order_by(Loan.id), of=Loan)
        loans = {loan.item.ref: loan for loan in query}
        for ref in refs:
            if ref not in loans:
                self._refuse_not_open(ref, seen)
        return [loans[ref] for ref in refs]

    @staticmethod
    def _refuse_not_open(ref: str, seen) -> None:
        if not Item.select().where((Item.ref == ref) & seen).exists():
            raise rules.no_such_item(ref)
        raise ValidationError(_("{ref} is not on loan.").format(ref=ref), field="ref")

    def return_items(self, actor: Actor, refs: list[str], condition: str = "good",
                     notes: str = "", conditions: dict[str, str] | None = None) -> dict[str, Any]:
        """Take items back from one borrower; one receipt. ``conditions``: reference → the
        condition that item came back in (the others: ``condition``)."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        condition = rules.check_condition(condition)
        each = {rules.check_ref(ref): rules.check_condition(value)
                for ref, value in (conditions or {}).items()}
        notes = text.line(notes, "notes", _("The notes"), 500)
        with self.write() as tx:
            loans = self._open_loans(actor, refs)
            borrowers = {loan.borrower_id for loan in loans}
            if len(borrowers) > 1:
                raise ValidationError(
                    _("These items were lent to different borrowers: return them separately."),
                    field="ref")
            # Before the running number (as in ``lend``): the desks' returns queue from it.
            Item.update(status=rules.Status.AVAILABLE.value).where(
                Item.id.in_([loan.item_id for loan in loans])).execute()
            receipt = ReturnReceipt.create(number=self._number("GH", ReturnReceipt, tx.at),
                                           borrower=loans[0].borrower_id, handler=actor.user_id,
                                           returned_at=tx.at)
            came_back = {loan.item.ref: each.get(loan.item.ref, condition) for loan in loans}
            for value in set(came_back.values()):
                ids = [loan.id for loan in loans if came_back[loan.item.ref] == value]
                Loan.update(returned_at=tx.at, returned_by=actor.user_id, return_condition=value,
                            return_notes=notes, receipt=receipt.id).where(Loan.id.in_(ids)).execute()
            after: dict[str, Any] = {"receipt": receipt.number, "refs": list(came_back),
                                     "condition": condition, "notes": notes}
            if any(value != condition for value in came_back.values()):
                after["conditions"] = came_back
            tx.audit(actor, "loan.return", "return_receipt", receipt.id, after=after)
        return self._receipt(receipt.id)

    def return_by_borrower(self, actor: Actor, refs: list[str], conditions: dict[str, str],
                           notes: str = "") -> list[dict[str, Any]]:
        """A return session's items, one receipt per borrower (each its own use case: one
        transaction and one audit entry per receipt). Every item is checked first, so a
        wrong scan registers nothing; ``conditions``: reference → condition (else "good")."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        refs = [rules.check_ref(ref) for ref in dict.fromkeys(refs or [])]
        if not refs:
            raise ValidationError(_("Scan or type at least one reference."), field="ref")
        seen = Item.level.in_(visible_levels(actor))
        owners = dict(tuples(Loan.select(Item.ref, Loan.borrower).join(Item).where(
            Item.ref.in_(refs) & Loan.returned_at.is_null() & seen)))
        groups: dict[int, list[str]] = {}
        for ref in refs:
            if ref not in owners:
                self._refuse_not_open(ref, seen)
            groups.setdefault(owners[ref], []).append(ref)
        return [self.return_items(actor, group, notes=notes,
                                  conditions={ref: conditions.get(ref, "good") for ref in group})
                for group in groups.values()]

    def correct(self, actor: Actor, loan_id: int, reason: str, *, due_on: date | None = None,
                condition: str | None = None, notes: str | None = None) -> dict[str, Any]:
        """R3: a closed loan is never edited. The correction is a new record with a reason."""
        self.require(actor, ArchivePermission.LOAN_CORRECT)
        reason = text.required(text.line(reason, "reason", _("The reason"), 500), "reason",
                               _("Give the reason for the correction."))
        if notes is not None:
            notes = text.line(notes, "notes", _("The notes"), 500)
        with self.write() as tx:
            loan = self._visible_loan(actor, loan_id)
            changes: dict[str, list[Any]] = {}
            if due_on is not None and due_on != loan.due_on:
                changes["due_on"] = [loan.due_on.isoformat(), due_on.isoformat()]
            if condition is not None:
                condition = rules.check_condition(condition)
                if condition != loan.return_condition:
                    changes["condition"] = [loan.return_condition, condition]
            if notes is not None and notes != loan.return_notes:
                changes["notes"] = [loan.return_notes, notes]
            if not changes:
                raise ValidationError(_("The correction changes nothing."), field="reason")
            correction = LoanCorrection.create(loan=loan.id, reason=reason,
                                               changes=canonical_json(changes), created_at=tx.at,
                                               created_by=actor.user_id)
            tx.audit(actor, "loan.correct", "loan", loan.id,
                     after={"correction": correction.id, "reason": reason, "changes": changes})
        return {"correction": correction.id, "loan": loan.id, "changes": changes, "reason": reason}

    @staticmethod
    def _visible_loan(actor: Actor, loan_id: int) -> Loan:
        """A loan of a file ``actor`` may see; of a sealed file it is "no loan" (R6)."""
        loan = Loan.get_or_none((Loan.id == loan_id) & visible_loans(actor))
        if loan is None:
            raise NotFound(_("No loan {id}.").format(id=loan_id))
        return loan

    def corrections(self, actor: Actor, loan_id: int) -> list[dict[str, Any]]:
        self.require(actor, ArchivePermission.LOAN_VIEW)
        self._visible_loan(actor, loan_id)
        return [{"id": c.id, "reason": c.reason, "changes": json.loads(c.changes),
                 "at": c.created_at} for c in
                LoanCorrection.select().where(LoanCorrection.loan == loan_id).order_by(LoanCorrection.id)]

    # ------------------------------------------------------------ registers

    def _where(self, actor: Actor | None, flt: LoanFilter, per_row: bool = False):
        """The filter as one expression, with the R6 visibility of ``actor`` (None: without;
        ``per_row``: checked per row, for a page — ``visible_loans``)."""
        conditions = [visible_loans(actor, per_row) if actor is not None else peewee.SQL("1 = 1")]
        if flt.open_only or flt.overdue_only:
            conditions.append(Loan.returned_at.is_null())
        if flt.overdue_only:  # an in-office reading: once the clock passes closing time
            conditions.append((Loan.due_on < (flt.today or self.today()))
                              | (Loan.due_at < self.ctx.clock.now()))
        if flt.unsigned_only:
            conditions.append(Loan.slip.in_(LoanSlip.select(LoanSlip.id).where(
                LoanSlip.document.is_null())))
        if flt.ref:
            conditions.append(Loan.item.in_(Item.select(Item.id).where(Item.ref == flt.ref.strip())))
        if flt.borrower:
            name = flt.borrower.strip()
            user = User.get_or_none(User.name == name.lower())
            # A name prefix (an index range, not LIKE) or an exact user name.
            people = Borrower.select(Borrower.id).where(
                ((Borrower.name >= name) & (Borrower.name < name + "\uffff"))
                | (Borrower.user == (user.id if user else -1)))
            conditions.append(Loan.borrower.in_(people))
        return functools.reduce(operator.and_, conditions)

    def count(self, actor: Actor, flt: LoanFilter) -> int:
        self.require(actor, ArchivePermission.LOAN_VIEW)
        # Counting a million loans with a per-row "not sealed" check took 190 ms: count all
        # (from an index), then take away the few loans of sealed files.
        where = self._where(None, flt)
        total = Loan.select().where(where).count()
        hidden = sealed_loans(actor)
        if hidden is not None:
            total -= Loan.select().where(where & hidden).count()
        return total

    def page(self, actor: Actor, flt: LoanFilter, offset: int, limit: int) -> list[dict[str, Any]]:
        self.require(actor, ArchivePermission.LOAN_VIEW)
        if flt.overdue_only:
            return self._overdue_page(actor, flt, offset, limit)
        return loan_rows(self._where(actor, flt, per_row=True), offset, limit,
                         flt.today or self.today())

    def _overdue_page(self, actor: Actor, flt: LoanFilter, offset: int,
                      limit: int) -> list[dict[str, Any]]:
        """Most overdue first."""
        today = flt.today or self.today()
        ids = [loan.id for loan in Loan.select(Loan.id).where(self._where(actor, flt, per_row=True))
               .order_by(Loan.due_on, Loan.id).offset(offset).limit(limit)]
        rows = {row["id"]: row for row in loan_rows(Loan.id.in_(ids), 0, limit, today)}
        return [rows[i] for i in ids]
