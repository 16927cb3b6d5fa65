"""Loan slips and return receipts (R4, R15): shown, printed, signed once and stored."""

from __future__ import annotations

import hashlib
from typing import Any

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import Conflict, NotFound
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import ArchiveService, record_secret_views, sealed_loans, visible_levels
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.services.signed_documents import checked_pdf
from desk_app.services.signing import KeyService
from desk_app.store.approvals import AccessRequest
from desk_app.store.archive import (
    SEALED_TITLE,
    Borrower,
    Department,
    Item,
    Kind,
    Loan,
    LoanSlip,
    Renewal,
    ReturnReceipt,
    SignedDocument,
    tuples,
)
from desk_app.store.models import User
from desk_app.store.prepared import ById


def _title(item: Item) -> str:
    """A title on a slip or receipt: a personnel file's is sealed (R6)."""
    return SEALED_TITLE if item.level == rules.Level.PERSONNEL else item.title


def _with_people(model: Any) -> Any:
    """Slips or receipts with their borrower and handler, in one query (shown after every
    lend and return: no extra round trip per person)."""
    return (model.select(model, Borrower.id, Borrower.name, Borrower.contact,
                         Borrower.organisation, User.id, User.name, User.full_name)
            .join(Borrower).switch(model).join(User, on=(model.handler == User.id)))


# Shown after every lend and return: their SQL is made once (store/prepared.py).
_SLIP = ById(lambda slip_id: _with_people(LoanSlip).where(LoanSlip.id == slip_id))
_SLIP_LOANS = ById(lambda slip_id: Loan.select(
    Loan.id, Loan.item, Loan.due_on, Loan.due_at, Loan.approval_id, Item.id, Item.ref,
    Item.title, Item.level, Item.kind, Item.dept, Kind.id, Kind.name, Department.id,
    Department.name).join(Item).join(Kind).switch(Item).join(Department)
    .where(Loan.slip == slip_id).order_by(Loan.id))
_RECEIPT = ById(lambda receipt_id: _with_people(ReturnReceipt)
                .where(ReturnReceipt.id == receipt_id))
_RECEIPT_LOANS = ById(lambda receipt_id: Loan.select(
    Loan.id, Loan.item, Loan.lent_at, Loan.due_on, Loan.return_condition, Loan.return_notes,
    Item.id, Item.ref, Item.title, Item.level).join(Item)
    .where(Loan.receipt == receipt_id).order_by(Loan.id))


class LoanSlips(Service):
    """The slip and receipt half of ``LoanService`` (its base class; kept apart so the
    lending and returning code stays readable)."""

    settings: SettingsService
    keys: KeyService
    archive: ArchiveService

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
        slip = _SLIP.first(self.ctx.db, slip_id)
        if slip is None:
            raise NotFound(_("No loan slip {id}.").format(id=slip_id))
        loans = _SLIP_LOANS.rows(self.ctx.db, slip.id)
        used = [loan.approval_id for loan in loans if loan.approval_id]
        numbers_: dict[int, str] = dict(tuples(AccessRequest.select(
            AccessRequest.id, AccessRequest.number).where(AccessRequest.id.in_(used)))) if used else {}
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
        receipt = _RECEIPT.first(self.ctx.db, receipt_id)
        if receipt is None:
            raise NotFound(_("No return receipt {id}.").format(id=receipt_id))
        loans = _RECEIPT_LOANS.rows(self.ctx.db, receipt.id)
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
        if Loan.select().where((Loan.slip == slip_id) & Loan.import_batch.is_null(False)).exists():
            raise Conflict(_("{number} came from the office's own ledger: its slip was signed on "
                             "paper then and is not signed again.").format(number=data["number"]))
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
        # a signed renewal slip (services/loan_renewals.py) lists its loan's file too
        renewed = Renewal.select(Renewal.loan).where(Renewal.document == document_id)
        return not Loan.select().where((Loan.slip.in_(slips) | Loan.receipt.in_(receipts)
                                        | Loan.id.in_(renewed)) & hidden).exists()
