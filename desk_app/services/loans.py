"""The loan register (R4): lend, return, renew, correct, overdue lists, reminders, slips.

Slightly over 500 lines, on purpose for now: lend, return and renew share the locking and
approval helpers here; the next change to this file moves reminders and slips out (issue 14
rewrites circulation and reminders anyway)."""

from __future__ import annotations

import functools
import hashlib
import json
import operator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
    record_secret_views,
    sealed_loans,
    visible_levels,
    visible_loans,
)
from desk_app.services.base import Service
from desk_app.services.borrowers import BorrowerInput
from desk_app.services.borrowers import borrower as registered_borrower
from desk_app.services.settings import SettingsService
from desk_app.services.signed_documents import checked_pdf
from desk_app.services.signing import KeyService
from desk_app.store import numbers
from desk_app.store.approvals import AccessRequest
from desk_app.store.archive import (
    SEALED_TITLE,
    Borrower,
    Department,
    Item,
    Kind,
    Loan,
    LoanCorrection,
    LoanSlip,
    Reminder,
    ReturnReceipt,
    SignedDocument,
    loan_rows,
    shown_title,
    tuples,
)
from desk_app.store.models import User


@dataclass(frozen=True)
class LoanFilter(LookupFilter):
    open_only: bool = False
    overdue_only: bool = False
    borrower: str | None = None  # borrower name or user name
    today: date | None = None  # for overdue; the service's clock when None


def _title(item: Item) -> str:
    """A title on a slip or receipt: a personnel file's is sealed (R6)."""
    return SEALED_TITLE if item.level == rules.Level.PERSONNEL else item.title


class LoanService(Service):
    settings: SettingsService
    keys: KeyService
    archive: ArchiveService

    def today(self) -> date:
        return local_today(self.ctx.clock.now())

    # ------------------------------------------------------------ lending

    def lend(self, actor: Actor, refs: list[str], borrower: BorrowerInput, purpose: str,
             due: date | None = None, in_office: bool = False) -> dict[str, Any]:
        """Several items to one borrower in one transaction and one slip (R4). ``in_office``:
        read in the office, due back today at closing time. Secret items: R5 approvals."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        refs = [rules.check_ref(ref) for ref in dict.fromkeys(refs or [])]
        if not refs:
            raise ValidationError(_("Scan or type at least one reference."), field="ref")
        purpose = rules.check_purpose(purpose)
        today = self.today()
        if due is not None:
            rules.check_due(due, today)
        if in_office and due not in (None, today):
            raise ValidationError(_("Reading in the office is due back today."), field="due")
        due_at = None
        if in_office:
            from desk_app.services.approvals import due_at_closing

            due, due_at = today, due_at_closing(self.settings, today, self.ctx.clock.now())
        with self.write() as tx:
            items = self._lock_items(actor, refs)
            for item in items:
                rules.check_lendable(rules.ItemFacts(item.ref, item.level, item.status))
            person = registered_borrower(self.ctx.db, borrower, tx.at)
            dues = {item.id: due or rules.default_due(today, item.kind.loan_days) for item in items}
            approvals = self._approvals(items, person.id, in_office, dues, tx.at)
            slip = LoanSlip.create(number=self._number("JY", LoanSlip, tx.at), borrower=person,
                                   purpose=purpose, handler=actor.user_id, lent_at=tx.at,
                                   due_on=min(dues.values()))
            try:
                with self.ctx.db.atomic():
                    Loan.insert_many([
                        {"slip": slip.id, "item": item.id, "borrower": person.id, "purpose": purpose,
                         "handler": actor.user_id, "lent_at": tx.at, "due_on": dues[item.id],
                         "due_at": due_at,
                         "approval_id": approvals[item.id].id if item.id in approvals else None}
                        for item in items
                    ]).execute()
            except peewee.IntegrityError:
                # The partial unique index: another desk lent one of them a moment ago.
                raise Conflict(_("One of these items was just lent at another desk.")) from None
            Item.update(status=rules.Status.ON_LOAN.value).where(
                Item.id.in_([item.id for item in items])).execute()
            after: dict[str, Any] = {
                "slip": slip.number, "refs": refs, "borrower": person.name, "purpose": purpose,
                "due": {item.ref: dues[item.id].isoformat() for item in items}}
            if approvals:
                after["approvals"] = {item.ref: approvals[item.id].number for item in items
                                      if item.id in approvals}
            tx.audit(actor, "loan.lend", "loan_slip", slip.id, after=after)
        return self._slip(slip.id)  # the loan.lend entry names every item it shows

    def _lock_items(self, actor: Actor, refs: list[str]) -> list[Item]:
        query = (Item.select(Item, Kind).join(Kind)
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
        query = self.locked(Loan.select(Loan, Item).join(Item)
                            .where(Item.ref.in_(refs) & Loan.returned_at.is_null() & seen)
                            .order_by(Loan.id), of=Loan)
        loans = {loan.item.ref: loan for loan in query}
        for ref in refs:
            if ref not in loans:
                if not Item.select().where((Item.ref == ref) & seen).exists():
                    raise rules.no_such_item(ref)
                raise ValidationError(_("{ref} is not on loan.").format(ref=ref), field="ref")
        return [loans[ref] for ref in refs]

    def return_items(self, actor: Actor, refs: list[str], condition: str = "good",
                     notes: str = "") -> dict[str, Any]:
        """Take items back from one borrower; one receipt."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        condition = rules.check_condition(condition)
        notes = text.line(notes, "notes", _("The notes"), 500)
        with self.write() as tx:
            loans = self._open_loans(actor, refs)
            borrowers = {loan.borrower_id for loan in loans}
            if len(borrowers) > 1:
                raise ValidationError(
                    _("These items were lent to different borrowers: return them separately."),
                    field="ref")
            receipt = ReturnReceipt.create(number=self._number("GH", ReturnReceipt, tx.at),
                                           borrower=loans[0].borrower_id, handler=actor.user_id,
                                           returned_at=tx.at)
            ids = [loan.id for loan in loans]
            Loan.update(returned_at=tx.at, returned_by=actor.user_id, return_condition=condition,
                        return_notes=notes, receipt=receipt.id).where(Loan.id.in_(ids)).execute()
            Item.update(status=rules.Status.AVAILABLE.value).where(
                Item.id.in_([loan.item_id for loan in loans])).execute()
            tx.audit(actor, "loan.return", "return_receipt", receipt.id, after={
                "receipt": receipt.number, "refs": [loan.item.ref for loan in loans],
                "condition": condition, "notes": notes})
        return self._receipt(receipt.id)

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

    def _where(self, actor: Actor | None, flt: LoanFilter):
        """The filter as one expression, with the R6 visibility of ``actor`` (None: without)."""
        conditions = [visible_loans(actor) if actor is not None else peewee.SQL("1 = 1")]
        if flt.open_only or flt.overdue_only:
            conditions.append(Loan.returned_at.is_null())
        if flt.overdue_only:  # an in-office reading: once the clock passes closing time
            conditions.append((Loan.due_on < (flt.today or self.today()))
                              | (Loan.due_at < self.ctx.clock.now()))
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
        return loan_rows(self._where(actor, flt), offset, limit, flt.today or self.today())

    def _overdue_page(self, actor: Actor, flt: LoanFilter, offset: int,
                      limit: int) -> list[dict[str, Any]]:
        """Most overdue first."""
        today = flt.today or self.today()
        ids = [loan.id for loan in Loan.select(Loan.id).where(self._where(actor, flt))
               .order_by(Loan.due_on, Loan.id).offset(offset).limit(limit)]
        rows = {row["id"]: row for row in loan_rows(Loan.id.in_(ids), 0, limit, today)}
        return [rows[i] for i in ids]

    # ------------------------------------------------------------ reminders

    def overdue_by_borrower(self, actor: Actor) -> list[dict[str, Any]]:
        """Borrowers with overdue items, each with all of them (for bundled reminders)."""
        self.require(actor, ArchivePermission.LOAN_VIEW)
        today = self.today()
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

    # ------------------------------------------------------------ slips and receipts

    def slip(self, actor: Actor, slip_id: int) -> dict[str, Any]:
        """A loan slip as shown or printed; the secret items on it are an audited view (R7)."""
        self.require(actor, ArchivePermission.LOAN_VIEW)
        data = self._slip(slip_id)
        self._record_views(actor, data, "slip")
        return data

    @staticmethod
    def _check_sealed(actor: Actor, data: dict[str, Any], unknown: str) -> None:
        """A slip or receipt listing a file ``actor`` may not see is as unknown as the file."""
        if rules.Level.PERSONNEL not in visible_levels(actor) and any(
                item["level"] == rules.Level.PERSONNEL.value for item in data["items"]):
            raise NotFound(unknown)  # R6: sealed

    def _record_views(self, actor: Actor, data: dict[str, Any], via: str) -> None:
        unknown = (_("No loan slip {id}.") if via == "slip" else _("No return receipt {id}."))
        self._check_sealed(actor, data, unknown.format(id=data["id"]))
        sealed = [(i["id"], i["ref"]) for i in data["items"]
                  if i["level"] == rules.Level.PERSONNEL.value]
        if sealed:  # an admitted officer reads the titles; anyone else the placeholder
            shown = self.archive.personnel.fields(actor, sealed)
            for item in data["items"]:
                if item["id"] in shown:
                    item["title"] = shown[item["id"]][0]
        record_secret_views(self, actor, ((i["id"], i["ref"], i["level"]) for i in data["items"]),
                            via)

    def _slip(self, slip_id: int) -> dict[str, Any]:
        slip = LoanSlip.get_or_none(LoanSlip.id == slip_id)
        if slip is None:
            raise NotFound(_("No loan slip {id}.").format(id=slip_id))
        loans = list(Loan.select(Loan, Item, Kind, Department).join(Item).join(Kind)
                     .switch(Item).join(Department).where(Loan.slip == slip.id).order_by(Loan.id))
        used = [loan.approval_id for loan in loans if loan.approval_id]
        numbers_: dict[int, str] = dict(tuples(AccessRequest.select(
            AccessRequest.id, AccessRequest.number).where(AccessRequest.id.in_(used))))
        return {"id": slip.id, "number": slip.number, "borrower": slip.borrower.name,
                "contact": slip.borrower.contact, "organisation": slip.borrower.organisation,
                "purpose": slip.purpose, "handler": slip.handler.full_name or slip.handler.name,
                "lent_at": slip.lent_at, "due_on": slip.due_on, "signed": slip.document_id is not None,
                "items": [{"id": loan.item.id, "ref": loan.item.ref, "title": _title(loan.item),
                           "kind": loan.item.kind.name, "dept": loan.item.dept.name,
                           "level": loan.item.level, "due_on": loan.due_on, "due_at": loan.due_at,
                           "approval": numbers_.get(loan.approval_id or 0)} for loan in loans]}

    def receipt(self, actor: Actor, receipt_id: int) -> dict[str, Any]:
        """A return receipt as shown or printed; secret items on it are an audited view (R7)."""
        self.require(actor, ArchivePermission.LOAN_VIEW)
        data = self._receipt(receipt_id)
        self._record_views(actor, data, "receipt")
        return data

    def _receipt(self, receipt_id: int) -> dict[str, Any]:
        receipt = ReturnReceipt.get_or_none(ReturnReceipt.id == receipt_id)
        if receipt is None:
            raise NotFound(_("No return receipt {id}.").format(id=receipt_id))
        loans = list(Loan.select(Loan, Item).join(Item).where(Loan.receipt == receipt.id)
                     .order_by(Loan.id))
        return {"id": receipt.id, "number": receipt.number, "borrower": receipt.borrower.name,
                "contact": receipt.borrower.contact,
                "handler": receipt.handler.full_name or receipt.handler.name,
                "returned_at": receipt.returned_at, "signed": receipt.document_id is not None,
                "items": [{"id": loan.item.id, "ref": loan.item.ref, "title": _title(loan.item),
                           "level": loan.item.level, "lent_at": loan.lent_at,
                           "due_on": loan.due_on, "condition": loan.return_condition,
                           "notes": loan.return_notes} for loan in loans]}

    def sign_slip(self, actor: Actor, slip_id: int, password: str,
                  borrower_png: bytes | None, clerk_png: bytes | None) -> bytes:
        """Borrower's handwriting on the page, the clerk's PAdES signature; stored, never changed."""
        from desk_app.forms.loan_forms import slip_pdf

        self.require(actor, ArchivePermission.LOAN_HANDLE)
        data = self._slip(slip_id)  # the signing is recorded; no separate view entry
        self._check_sealed(actor, data, _("No loan slip {id}.").format(id=slip_id))
        return self._sign_and_store(actor, LoanSlip, slip_id, data, "loan_slip", password,
                                    lambda: slip_pdf(str(self.settings.value("company_name")),
                                                     data, borrower_png), clerk_png)

    def sign_receipt(self, actor: Actor, receipt_id: int, password: str,
                     borrower_png: bytes | None, clerk_png: bytes | None) -> bytes:
        from desk_app.forms.loan_forms import receipt_pdf

        self.require(actor, ArchivePermission.LOAN_HANDLE)
        data = self._receipt(receipt_id)
        self._check_sealed(actor, data, _("No return receipt {id}.").format(id=receipt_id))
        return self._sign_and_store(actor, ReturnReceipt, receipt_id, data, "return_receipt",
                                    password,
                                    lambda: receipt_pdf(str(self.settings.value("company_name")),
                                                        data, borrower_png),
                                    clerk_png)

    def _sign_and_store(self, actor: Actor, model, record_id: int, data: dict[str, Any], kind: str,
                        password: str, render, clerk_png: bytes | None) -> bytes:

        if data["signed"]:
            raise Conflict(_("{number} is signed already; a signed form is never changed.").format(
                number=data["number"]))
        keys = self.keys
        signed = keys.sign_pdf(actor, render(), "clerk", password, clerk_png, _("Handled by"))
        with self.write() as tx:
            record = model.get_by_id(record_id)
            if record.document_id is not None:
                raise Conflict(_("{number} is signed already; a signed form is never changed.").format(
                    number=data["number"]))
            document = SignedDocument.create(kind=kind, record_no=data["number"], pdf=signed,
                                             sha256=hashlib.sha256(signed).hexdigest(),
                                             created_at=tx.at, created_by=actor.user_id)
            record.document = document.id
            record.save()
            tx.audit(actor, f"{kind}.sign", kind, record_id,
                     after={"number": data["number"], "sha256": document.sha256})
        return signed

    def document(self, actor: Actor, record_no: str) -> bytes:
        self.require(actor, ArchivePermission.LOAN_VIEW)
        document = SignedDocument.get_or_none(SignedDocument.record_no == record_no)
        if document is None or not self._form_visible(actor, document.id):
            raise NotFound(_("No signed form {number}.").format(number=record_no))
        return checked_pdf(document)

    @staticmethod
    def _form_visible(actor: Actor, document_id: int) -> bool:
        """A signed slip or receipt listing a sealed file is as unknown as the file (R6)."""
        hidden = sealed_loans(actor)
        if hidden is None:
            return True
        slips = LoanSlip.select(LoanSlip.id).where(LoanSlip.document == document_id)
        receipts = ReturnReceipt.select(ReturnReceipt.id).where(
            ReturnReceipt.document == document_id)
        return not Loan.select().where((Loan.slip.in_(slips) | Loan.receipt.in_(receipts))
                                       & hidden).exists()
