"""The document register: internal liaison sheets (工作联络单): draft, head signs, deliver,
reply, withdraw.

A department drafts a sheet to another department and gets its number (LL…) at once; its
head signs the liaison sheet (stored as a SignedDocument, kind doc_liaison); office staff
deliver it; the receiving department records its reply. A withdrawn sheet is voided
(``void`` in outgoing.py) and keeps its number, so the register shows no gap."""

from __future__ import annotations

import hashlib
from typing import Any

from desk_app.domain import documents as rules
from desk_app.domain.areas.documents import DocumentsPermission
from desk_app.domain.documents import Direction, Status
from desk_app.domain.errors import Conflict, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.documents import drafting
from desk_app.services.documents.common import (
    LIAISON_SHEET,
    DocumentBase,
    department,
    membership,
)
from desk_app.store import numbers
from desk_app.store.archive import Department, SignedDocument
from desk_app.store.documents import Document

P = DocumentsPermission


class LiaisonMixin(DocumentBase):

    @staticmethod
    def _require_liaison(row: Document, status: Status, message: str) -> None:
        """``row`` must be a liaison sheet in ``status``; ``message`` ({number}, {status})
        says what the step needs otherwise."""
        if row.direction != Direction.INTERNAL.value:
            raise ValidationError(_("{number} is not a liaison sheet.").format(
                number=row.number), field="id")
        if row.status != status.value:
            raise Conflict(message.format(number=row.number, status=Status(row.status).label))

    def draft_liaison(self, actor: Actor, *, title: str, to_dept: str, body: str,
                      dept: str | None = None, urgency: str = "normal", level: str = "internal",
                      attachment: tuple[str, bytes] | None = None) -> dict[str, Any]:
        """A department writes to another; the sheet is numbered at once (LL…)."""
        self.require(actor, P.DOCUMENT_DRAFT)
        title = rules.check_title(title)
        receiver = department(to_dept, "to_dept")
        body = rules.check_text(body, "body", _("text"), required=True)
        urgency = rules.check_urgency(urgency).value
        level = rules.check_level(level)
        if dept is not None and str(dept).strip():
            sender = department(dept)
            self._require_member(actor, sender.id, _("write its liaison sheets"))
        else:
            mine = membership(drafting.user_of(actor))
            if mine is None:
                raise ValidationError(_("You belong to no department, so there is no department "
                                        "to write for: an administrator sets yours under "
                                        "Departments."), field="dept")
            sender = Department.get_by_id(mine.dept_id)
        if sender.id == receiver.id:
            raise ValidationError(_("A liaison sheet goes to another department, not to "
                                    "{dept} itself.").format(dept=sender.name), field="to_dept")
        file = drafting.check_attachment(attachment)
        year = self.today().year
        prefix = rules.running_number(Direction.INTERNAL, year, 0)[:-4]
        with self.write() as tx:
            seq = numbers.next_number(rules.series(Direction.INTERNAL, year), lambda: (
                numbers.highest_suffix(Document, Document.number, prefix)))
            number = rules.running_number(Direction.INTERNAL, year, seq)
            row = Document.create(
                direction=Direction.INTERNAL.value, number=number, year=year,
                status=Status.DRAFT.value, title=title, level=level, urgency=urgency,
                addressee=receiver.name, body=body, dept=sender.id, to_dept=receiver.id,
                drafted_by=actor.user_id, drafted_at=tx.at, created_by=actor.user_id,
                created_at=tx.at)
            if file:
                drafting.store_attachment(row.id, file, drafting.user_of(actor), tx.at)
            tx.audit(actor, "document.draft", "document", row.id, after={
                "number": number, "direction": Direction.INTERNAL.value, "title": title,
                "dept": sender.code, "to_dept": receiver.code, "level": level,
                "urgency": urgency, "attachment": file[0] if file else ""})
        return self._data(row.id)

    def sign_liaison(self, actor: Actor, doc_id: int, *, password: str,
                     handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The drafting department's head signs the liaison sheet (field "head")."""
        from desk_app.forms.documents_outgoing import liaison_pdf

        self.require(actor, P.DOCUMENT_VIEW)
        row = self._doc(doc_id)
        self._check_liaison_signable(actor, row)
        data = {**self._data(doc_id), "attachment": drafting.attachment_of(row.id),
                "printed_at": self.now()}
        pdf = liaison_pdf(str(self.settings.value("company_name")), data)
        signed = self.keys.sign_pdf(actor, pdf, "head", password, handwriting_png,
                                    _("Department head"))
        with self.write() as tx:
            now = self._doc(doc_id, lock=True)
            self._check_liaison_signable(actor, now)
            if now.version != row.version:
                raise Conflict(_("{number} was changed meanwhile on another desk: look at it "
                                 "again and sign once more.").format(number=now.number))
            digest = hashlib.sha256(signed).hexdigest()
            document = SignedDocument.create(kind=LIAISON_SHEET, record_no=now.number,
                                             pdf=signed, sha256=digest, created_at=tx.at,
                                             created_by=actor.user_id)
            Document.update(version=Document.version + 1, status=Status.SIGNED.value,
                            document=document.id).where(Document.id == now.id).execute()
            tx.audit(actor, f"{LIAISON_SHEET}.sign", LIAISON_SHEET, now.id, after={
                "number": now.number, "title": now.title, "to_dept": data["to_dept"],
                "sha256": digest})
        return self._data(doc_id)

    def _check_liaison_signable(self, actor: Actor, row: Document) -> None:
        self._require_liaison(row, Status.DRAFT, _("{number} is {status}: only a draft liaison sheet "
                                           "is signed."))
        self._require_head(actor, row.dept_id, _("sign its liaison sheets"))

    def deliver(self, actor: Actor, doc_id: int) -> dict[str, Any]:
        """Office staff carried the signed sheet to the receiving department."""
        self._require_office(actor)
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)
            self._require_liaison(row, Status.SIGNED, _("{number} is {status}: a liaison sheet is "
                                                "delivered once its department head signed "
                                                "it."))
            Document.update(version=Document.version + 1, status=Status.DELIVERED.value,
                            delivered_by=actor.user_id, delivered_at=tx.at).where(
                Document.id == row.id).execute()
            tx.audit(actor, "document.deliver", "document", row.id, after={
                "number": row.number, "to_dept": Department.get_by_id(row.to_dept_id).code})
        return self._data(doc_id)

    def reply(self, actor: Actor, doc_id: int, text: str) -> dict[str, Any]:
        """The receiving department records its reply."""
        self.require(actor, P.DOCUMENT_VIEW)
        text = rules.check_text(text, "reply", _("reply"), required=True)
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)
            self._require_liaison(row, Status.DELIVERED, _("{number} is {status}: the receiving "
                                                   "department replies once it was "
                                                   "delivered."))
            self._require_member(actor, row.to_dept_id, _("reply to this liaison sheet"))
            Document.update(version=Document.version + 1, status=Status.REPLIED.value,
                            reply=text, reply_by=actor.user_id, reply_at=tx.at).where(
                Document.id == row.id).execute()
            tx.audit(actor, "document.reply", "document", row.id,
                     after={"number": row.number, "reply": text})
        return self._data(doc_id)
