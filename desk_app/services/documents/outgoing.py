"""The document register: outgoing documents (发文): draft, revise, review, sign off, send, void,
execution, correction.

The draft sheet (发文稿纸) is signed four times, one signature per step: the drafter (draft,
or again after a revision), the drafting department's head (review), the general manager
(sign-off, 签发) and the office clerk who numbers and sends it. Until it is sent the sheet
signed so far waits in ``Document.pending_pdf``; before each next signature it is checked
against the sha256 the trail recorded at the last one (and the document's text against what
the drafter signed), so a sheet or text swapped in the database is refused (Tampered). When
sent it becomes a SignedDocument (kind doc_outgoing), checked like every stored form.
Once signed off nothing is edited (R3): a correction is a new draft with ``corrects``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from desk_app.domain import documents as rules
from desk_app.domain.areas.documents import DocumentsPermission
from desk_app.domain.documents import Direction, Execution, Status
from desk_app.domain.errors import Conflict, PermissionDenied, Tampered, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.documents import drafting
from desk_app.services.documents.common import (
    OUTGOING_SHEET,
    DocumentBase,
    department,
    kind_row,
    membership,
    person,
)
from desk_app.store import numbers
from desk_app.store.archive import Department, SignedDocument
from desk_app.store.documents import Document
from desk_app.store.models import AuditEntry

P = DocumentsPermission
# The entries that put a signature on the pending draft sheet (their "after" has its sha256).
_SHEET_STEPS = ("document.draft", "document.revise", "document.review", "document.signoff")
_EDITABLE = (Status.DRAFT.value, Status.RETURNED.value)
_WITHDRAWABLE = {Direction.OUTGOING.value: (Status.DRAFT.value, Status.RETURNED.value,
                                            Status.REVIEWED.value, Status.SIGNED_OFF.value,
                                            Status.SENT.value),
                 Direction.INTERNAL.value: (Status.DRAFT.value, Status.SIGNED.value)}


class OutgoingMixin(DocumentBase):

    # ------------------------------------------------------------ helpers

    def _outgoing_company(self) -> str:
        return str(self.settings.value("company_name"))

    def _outgoing_org(self) -> str:
        return str(self.settings.value("document_org_code") or "").strip() or self._outgoing_company()

    def _draft_values(self, title: str, addressee: str, body: str, kind: str | None,
                      level: str, urgency: str) -> dict[str, Any]:
        found = kind_row(kind)
        return {"title": rules.check_title(title),
                "addressee": rules.check_line(addressee, "addressee", _("addressee"),
                                              required=True),
                "body": rules.check_text(body, "body", _("text")),
                "kind_id": found.id if found else None,
                "kind_name": found.name if found else "",
                "level": rules.check_level(level), "urgency": rules.check_urgency(urgency).value}

    @staticmethod
    def _drafting_dept(actor: Actor, dept: str | None) -> Department:
        """The department a document is drafted in: the one named (the actor must belong to
        it) or the actor's own."""
        if dept is not None and str(dept).strip():
            row = department(dept)
            DocumentBase._require_member(actor, row.id, _("draft its documents"))
            return row
        mine = membership(drafting.user_of(actor))
        if mine is None:
            raise ValidationError(_("You belong to no department, so there is no department to "
                                    "draft for: an administrator sets yours under "
                                    "Departments."), field="dept")
        return Department.get_by_id(mine.dept_id)

    @staticmethod
    def _correctable(doc_id: int) -> Document:
        row = Document.get_or_none(Document.id == doc_id)
        if row is None or row.direction != Direction.OUTGOING.value:
            raise ValidationError(_("No outgoing document {id} to correct.").format(id=doc_id),
                                  field="corrects")
        if row.signed_off_by_id is None:
            raise ValidationError(_("{number} was never signed off: revise it instead of "
                                    "drafting a correction.").format(number=row.number),
                                  field="corrects")
        return row

    def _signed_draft_sheet(self, actor: Actor, data: dict[str, Any], password: str,
               handwriting_png: bytes | None) -> bytes:
        """The draft sheet rendered and signed by the drafter."""
        from desk_app.forms.documents_outgoing import draft_sheet_pdf

        pdf = draft_sheet_pdf(self._outgoing_company(), data)
        return self.keys.sign_pdf(actor, pdf, "drafter", password, handwriting_png,
                                  _("Drafted by"))

    @staticmethod
    def _pending_sheet(row: Document, to_sign: bool = True) -> bytes:
        """The draft sheet signed so far, or ``Tampered``. To sign it, it must be the sheet
        the trail recorded at the signature the status stands on (drafter while draft,
        reviewer while reviewed, manager while signed off) and the document must still say
        what the drafter signed; to show it (``to_sign=False``: a returned or withdrawn
        draft too), it must be a sheet the trail recorded for this document."""
        pdf = bytes(row.pending_pdf or b"")
        digest = hashlib.sha256(pdf).hexdigest()
        entries = (AuditEntry.select(AuditEntry.action, AuditEntry.change)
                   .where((AuditEntry.entity == "document")
                          & (AuditEntry.entity_id == str(row.id))
                          & AuditEntry.action.in_(_SHEET_STEPS))
                   .order_by(AuditEntry.seq.desc()))
        if not to_sign:
            recorded = {(json.loads(e.change).get("after") or {}).get("sha256") for e in entries}
            if not pdf or digest not in recorded:
                raise Tampered(_("The draft sheet of {number} is not one recorded when it was "
                                 "signed: it was changed in the database.").format(
                    number=row.number))
            return pdf
        wanted = {Status.DRAFT.value: ("document.draft", "document.revise"),
                  Status.REVIEWED.value: ("document.review",),
                  Status.SIGNED_OFF.value: ("document.signoff",)}.get(str(row.status), ())
        last = entries.first()
        after = (json.loads(last.change).get("after") or {}) if last is not None else {}
        if not pdf or last is None or last.action not in wanted \
                or after.get("sha256") != digest:
            raise Tampered(_("The draft sheet of {number} waiting for the next signature is not "
                             "the one recorded when it was signed: it was changed in the "
                             "database.").format(number=row.number))
        if after.get("content") != drafting.content_digest(drafting.row_content(row)):
            raise Tampered(_("The text of {number} was changed in the database after the "
                             "drafter signed it: it is not what was signed.").format(
                number=row.number))
        return pdf

    @staticmethod
    def _same_draft_version(row: Document, version: int) -> None:
        if row.version != version:
            raise Conflict(_("{number} was changed meanwhile on another desk: look at it again "
                             "and sign once more.").format(number=row.number))

    @staticmethod
    def _require_outgoing(row: Document) -> None:
        if row.direction != Direction.OUTGOING.value:
            raise ValidationError(_("{number} is not an outgoing document.").format(
                number=row.number), field="id")

    # ------------------------------------------------------------ drafting

    def draft(self, actor: Actor, *, title: str, addressee: str, body: str = "",
              kind: str | None = None, level: str = "internal", urgency: str = "normal",
              dept: str | None = None, corrects: int | None = None,
              attachment: tuple[str, bytes] | None = None, password: str,
              handwriting_png: bytes | None = None) -> dict[str, Any]:
        """A department drafts an outgoing document (FG number) and the drafter signs the
        draft sheet."""
        self.require(actor, P.DOCUMENT_DRAFT)
        values = self._draft_values(title, addressee, body, kind, level, urgency)
        dept_row = self._drafting_dept(actor, dept)
        corrected = self._correctable(corrects) if corrects is not None else None
        file = drafting.check_attachment(attachment)
        year = self.today().year
        series = rules.series(Direction.OUTGOING, year)
        prefix = rules.running_number(Direction.OUTGOING, year, 0)[:-4]

        def start() -> int:
            return numbers.highest_suffix(Document, Document.number, prefix)

        for _attempt in range(drafting.NUMBER_ATTEMPTS):
            seq = drafting.predicted(series, start)
            number = rules.running_number(Direction.OUTGOING, year, seq)
            at = self.now()
            content = {**values, "number": number, "dept_id": dept_row.id, "to_dept_id": None,
                       "corrects_id": corrected.id if corrected else None,
                       "attachment": hashlib.sha256(file[1]).hexdigest() if file else None}
            sheet = {**values, **drafting.labels(values["level"], values["urgency"]),
                     "number": number, "dept_name": dept_row.name, "printed_at": at,
                     "drafted_by": person(actor.user_id), "drafted_at": at,
                     "corrects": corrected.number if corrected else "",
                     "attachment": {"name": file[0], "size": len(file[1])} if file else None}
            signed = self._signed_draft_sheet(actor, sheet, password, handwriting_png)
            try:
                with self.write() as tx:
                    if numbers.next_number(series, start) != seq:
                        raise drafting.NumberMoved
                    row = Document.create(
                        direction=Direction.OUTGOING.value, number=number, year=year,
                        status=Status.DRAFT.value, title=values["title"],
                        kind=values["kind_id"], level=values["level"],
                        urgency=values["urgency"], addressee=values["addressee"],
                        body=values["body"], dept=dept_row.id, corrects=content["corrects_id"],
                        drafted_by=actor.user_id, drafted_at=at, created_by=actor.user_id,
                        created_at=tx.at, pending_pdf=signed)
                    if file:
                        drafting.store_attachment(row.id, file, drafting.user_of(actor), tx.at)
                    tx.audit(actor, "document.draft", "document", row.id, after={
                        "number": number, "direction": Direction.OUTGOING.value,
                        "title": values["title"], "addressee": values["addressee"],
                        "dept": dept_row.code, "level": values["level"],
                        "urgency": values["urgency"], "kind": values["kind_name"],
                        "corrects": sheet["corrects"], "attachment": file[0] if file else "",
                        "sha256": hashlib.sha256(signed).hexdigest(),
                        "content": drafting.content_digest(content)})
            except drafting.NumberMoved:
                continue
            return self._data(row.id)
        raise Conflict(_("Other desks are drafting too many documents at once: try again."))

    def revise(self, actor: Actor, doc_id: int, *, title: str, addressee: str, body: str,
               kind: str | None = None, level: str = "internal", urgency: str = "normal",
               password: str, handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The drafter changes a draft or a returned document and signs the new sheet; it
        is reviewed again from the start."""
        self.require(actor, P.DOCUMENT_DRAFT)
        values = self._draft_values(title, addressee, body, kind, level, urgency)
        row = self._doc(doc_id)
        self._check_draft_revisable(actor, row)
        found = drafting.attachment_of(row.id)
        at = self.now()
        sheet = {**self._data(row.id), **values,
                 **drafting.labels(values["level"], values["urgency"]), "printed_at": at,
                 "drafted_by": person(actor.user_id), "drafted_at": at, "attachment": found}
        signed = self._signed_draft_sheet(actor, sheet, password, handwriting_png)
        with self.write() as tx:
            now = self._doc(doc_id, lock=True)
            self._check_draft_revisable(actor, now)
            self._same_draft_version(now, row.version)
            before = {key: getattr(now, key) for key in ("title", "addressee", "body", "level",
                                                         "urgency", "status")}
            changes = {key: values[key] for key in ("title", "addressee", "body", "level",
                                                    "urgency")}
            Document.update(version=Document.version + 1, status=Status.DRAFT.value,
                            kind=values["kind_id"], drafted_at=at, reviewed_by=None,
                            reviewed_at=None, refusal_reason="", pending_pdf=signed,
                            **changes).where(Document.id == now.id).execute()
            content = drafting.row_content(Document.get_by_id(now.id))
            tx.audit(actor, "document.revise", "document", now.id, before=before, after={
                "number": now.number, **changes, "kind": values["kind_name"],
                "status": Status.DRAFT.value, "sha256": hashlib.sha256(signed).hexdigest(),
                "content": drafting.content_digest(content)})
        return self._data(doc_id)

    def _check_draft_revisable(self, actor: Actor, row: Document) -> None:
        self._require_outgoing(row)
        if row.signed_off_by_id is not None:
            raise Conflict(_("{number} was signed off and is never edited: draft a correction "
                             "of it instead.").format(number=row.number))
        if row.status not in _EDITABLE:
            raise Conflict(_("{number} is {status}: only a draft or a returned document is "
                             "revised.").format(number=row.number,
                                                status=Status(row.status).label))
        if actor.user_id != row.drafted_by_id:
            raise PermissionDenied(_("Only its drafter, {name}, revises {number}.").format(
                name=person(row.drafted_by_id), number=row.number))

    # ------------------------------------------------------------ review and sign-off

    def review(self, actor: Actor, doc_id: int, *, approve: bool, reason: str = "",
               password: str = "", handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The drafting department's head approves (signs "reviewer") or returns it."""
        self.require(actor, P.DOCUMENT_VIEW)
        return self._decide_draft(actor, doc_id, "review", approve, reason, password,
                            handwriting_png)

    def signoff(self, actor: Actor, doc_id: int, *, approve: bool, reason: str = "",
                password: str = "", handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The general manager signs it off (签发, signs "approver") or returns it."""
        self.require(actor, P.DOCUMENT_INSTRUCT)
        return self._decide_draft(actor, doc_id, "signoff", approve, reason, password,
                            handwriting_png)

    def _check_draft_decider(self, actor: Actor, row: Document, step: str) -> None:
        self._require_outgoing(row)
        wanted = Status.DRAFT if step == "review" else Status.REVIEWED
        if row.status != wanted.value:
            if step == "review":
                message = _("{number} is {status}: only a signed draft is reviewed.")
            else:
                message = _("{number} is {status}: it is signed off only after its "
                            "department head reviewed it.")
            raise Conflict(message.format(number=row.number, status=Status(row.status).label))
        if actor.user_id == row.drafted_by_id:
            raise PermissionDenied(_("You drafted {number}: someone else reviews and signs it "
                                     "off.").format(number=row.number))
        if step == "review":
            self._require_head(actor, row.dept_id, _("review its drafts"))

    def _decide_draft(self, actor: Actor, doc_id: int, step: str, approve: bool, reason: str,
                password: str, handwriting_png: bytes | None) -> dict[str, Any]:
        row = self._doc(doc_id)
        self._check_draft_decider(actor, row, step)
        if approve:
            reason = rules.check_line(reason, "reason", _("The comment"),
                                      limit=drafting.REASON_MAX)
            field, label = (("reviewer", _("Reviewed by")) if step == "review"
                            else ("approver", _("Signed off by")))
            signed: bytes | None = self.keys.sign_pdf(
                actor, self._pending_sheet(row), field, password, handwriting_png, label)
        else:
            reason = drafting.check_reason(reason, _("Give the reason for returning it, so the "
                                                     "drafter knows what to change."))
            signed = None
        with self.write() as tx:
            now = self._doc(doc_id, lock=True)
            self._check_draft_decider(actor, now, step)
            self._same_draft_version(now, row.version)
            changes: dict[str, Any]
            if signed is None:
                changes = {"status": Status.RETURNED.value, "refusal_reason": reason}
            elif step == "review":
                changes = {"status": Status.REVIEWED.value, "reviewed_by": actor.user_id,
                           "reviewed_at": tx.at, "pending_pdf": signed}
            else:
                changes = {"status": Status.SIGNED_OFF.value, "signed_off_by": actor.user_id,
                           "signed_off_at": tx.at, "pending_pdf": signed}
            Document.update(version=Document.version + 1, **changes).where(
                Document.id == now.id).execute()
            after: dict[str, Any] = {"number": now.number, "status": changes["status"],
                                     "decision": "approved" if signed else "returned",
                                     "reason": reason}
            if signed is not None:
                after["sha256"] = hashlib.sha256(signed).hexdigest()
                after["content"] = drafting.content_digest(drafting.row_content(now))
            action = "document.review" if step == "review" else "document.signoff"
            tx.audit(actor, action, "document", now.id,
                     before={"status": now.status}, after=after)
        return self._data(doc_id)

    # ------------------------------------------------------------ numbering and sending

    @staticmethod
    def _check_draft_sendable(row: Document) -> None:
        OutgoingMixin._require_outgoing(row)
        if row.status != Status.SIGNED_OFF.value:
            raise Conflict(_("{number} is not signed off yet ({status}): the general manager "
                             "signs it off before it is numbered and sent.").format(
                number=row.number, status=Status(row.status).label))

    def send(self, actor: Actor, doc_id: int, *, password: str,
             handwriting_png: bytes | None = None) -> dict[str, Any]:
        """Office staff give the issued number (发文字号), sign the sheet and send it."""
        self._require_office(actor)
        row = self._doc(doc_id)
        self._check_draft_sendable(row)
        pending = self._pending_sheet(row)
        pattern, org = str(self.settings.value("outgoing_number_pattern")), self._outgoing_org()
        year = self.today().year
        series = rules.issued_series(year)
        for _attempt in range(drafting.NUMBER_ATTEMPTS):
            seq = drafting.predicted(series, lambda: drafting.issued_so_far(year))
            try:
                issued = rules.format_issued_number(pattern, org, year, seq)
            except ValueError as error:
                raise ValidationError(_("The outgoing number pattern is wrong: {reason}")
                                      .format(reason=error), field="pattern") from None
            signed = self.keys.sign_pdf(actor, pending, "clerk", password, handwriting_png,
                                        _("Sent as {number}").format(number=issued))
            try:
                with self.write() as tx:
                    now = self._doc(doc_id, lock=True)
                    self._check_draft_sendable(now)
                    self._same_draft_version(now, row.version)
                    if numbers.next_number(series, lambda: drafting.issued_so_far(year)) != seq:
                        raise drafting.NumberMoved
                    self._check_issued_unused(issued)
                    digest = hashlib.sha256(signed).hexdigest()
                    document = SignedDocument.create(
                        kind=OUTGOING_SHEET, record_no=now.number, pdf=signed, sha256=digest,
                        created_at=tx.at, created_by=actor.user_id)
                    Document.update(version=Document.version + 1, status=Status.SENT.value,
                                    issued_no=issued, sent_by=actor.user_id, sent_at=tx.at,
                                    execution=Execution.PENDING.value, document=document.id,
                                    pending_pdf=None).where(Document.id == now.id).execute()
                    tx.audit(actor, f"{OUTGOING_SHEET}.sign", OUTGOING_SHEET, now.id, after={
                        "number": now.number, "issued_no": issued, "title": now.title,
                        "addressee": now.addressee, "sha256": digest})
            except drafting.NumberMoved:
                continue
            return self._data(doc_id)
        raise Conflict(_("Other desks are sending too many documents at once: try again."))

    @staticmethod
    def _check_issued_unused(issued: str) -> None:
        """A pattern changed mid-year (say, without {year}) can repeat an earlier number."""
        taken = Document.select(Document.number).where(Document.issued_no == issued).scalar()
        if taken is not None:
            raise Conflict(_("The issued number {issued} belongs to {number} already: change "
                             "the outgoing number pattern so numbers do not repeat.").format(
                issued=issued, number=taken))

    # ------------------------------------------------------------ after sending

    def void(self, actor: Actor, doc_id: int, reason: str) -> dict[str, Any]:
        """Withdraw a draft (outgoing or liaison sheet) or void a sent number: the document
        and its number stay in the register, marked voided with the reason. Office staff
        void any; the drafter withdraws their own draft until it is reviewed."""
        own_draft = self._doc(doc_id).drafted_by_id == actor.user_id
        if not own_draft:
            self._require_office(actor)
        reason = drafting.check_reason(reason, _("Give the reason for voiding it."))
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)
            if own_draft and row.status not in (Status.DRAFT.value, Status.RETURNED.value):
                self._require_office(actor)
            if row.status not in _WITHDRAWABLE.get(row.direction, ()):
                raise Conflict(_("{number} is {status}: it cannot be voided.").format(
                    number=row.number, status=Status(row.status).label))
            Document.update(version=Document.version + 1, status=Status.VOIDED.value,
                            void_reason=reason).where(Document.id == row.id).execute()
            tx.audit(actor, "document.void", "document", row.id, before={"status": row.status},
                     after={"number": row.number, "issued_no": row.issued_no or "",
                            "status": Status.VOIDED.value, "reason": reason})
        return self._data(doc_id)

    def record_execution(self, actor: Actor, doc_id: int, execution: str,
                         note: str = "") -> dict[str, Any]:
        """Whether a sent document is carried out (§1.8), with a note."""
        self._require_office(actor)
        try:
            state = Execution(execution)
        except ValueError:
            raise ValidationError(_("Execution is one of: {names}.").format(
                names=", ".join(e.value for e in Execution)), field="execution") from None
        note = rules.check_line(note, "note", _("The note"), limit=drafting.REASON_MAX)
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)
            self._require_outgoing(row)
            if row.status not in (Status.SENT.value, Status.FILED.value):
                raise Conflict(_("{number} is {status}: execution is recorded for sent "
                                 "documents.").format(number=row.number,
                                                      status=Status(row.status).label))
            if (row.execution, row.execution_note) == (state.value, note):
                tx.unchanged()
                return self._data(doc_id)
            Document.update(version=Document.version + 1, execution=state.value,
                            execution_note=note).where(Document.id == row.id).execute()
            tx.audit(actor, "document.execute", "document", row.id,
                     before={"execution": row.execution, "note": row.execution_note},
                     after={"number": row.number, "issued_no": row.issued_no or "",
                            "execution": state.value, "note": note})
        return self._data(doc_id)

