"""What the document register's use cases share: reading a document (locked or not), the
departments and their heads, names, the signed sheets' kinds, and the plain dict a document
is shown as."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from desk_app.domain import documents as rules
from desk_app.domain.archive import Level
from desk_app.domain.areas.documents import DocumentsPermission
from desk_app.domain.clock import local_today
from desk_app.domain.errors import NotFound, PermissionDenied, ValidationError
from desk_app.domain.settings import setting
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store.archive import Department, Item, Kind
from desk_app.store.documents import (
    Document,
    DocumentAttachment,
    DocumentNote,
    DocumentRoute,
    StaffDepartment,
)
from desk_app.store.models import SettingValue, User

# The kinds of SignedDocument this area stores; the audit entry of each is ``<kind>.sign``
# on entity ``<kind>`` with the document's id and the PDF's sha256 (signed_documents).
INSTRUCTION_SHEET = "doc_instruction"  # the manager's signed instruction (批示), SW…-PS
INCOMING_SHEET = "doc_incoming"  # the incoming processing sheet (收文处理单), at filing
OUTGOING_SHEET = "doc_outgoing"  # the outgoing draft sheet (发文稿纸), complete when sent
LIAISON_SHEET = "doc_liaison"  # the liaison sheet (工作联络单), signed by the head
INSTRUCTION_SUFFIX = "-PS"


def person(user_id: int | None) -> str:
    """A user's full name (or user name); "" for nobody."""
    if user_id is None:
        return ""
    row = User.select(User.name, User.full_name).where(User.id == user_id).first()
    return (row.full_name or row.name) if row is not None else ""


def department(code: str, field: str = "dept") -> Department:
    """The department typed by its code (KF) or its name (客服部)."""
    text = (code or "").strip()
    row = Department.get_or_none((Department.code == text.upper()) | (Department.name == text))
    if row is None:
        raise ValidationError(_("No department {code}.").format(code=text or "—"), field=field)
    return row


def kind_row(code: str | None) -> Kind | None:
    if not code:
        return None
    text = code.strip()
    row = Kind.get_or_none((Kind.code == text.upper()) | (Kind.name == text))
    if row is None:
        raise ValidationError(_("No kind {code}.").format(code=text), field="kind")
    return row


def membership(user_id: int) -> StaffDepartment | None:
    return StaffDepartment.get_or_none(StaffDepartment.user == user_id)


def office_code() -> str:
    """The office's department (setting ``document_office_dept``)."""
    key = "document_office_dept"
    row = SettingValue.get_or_none(SettingValue.key == key)
    return str(setting(key).parse(row.value) if row is not None
               else setting(key).default).strip().upper()


def is_office_staff(actor: Actor) -> bool:
    """Office staff (seed §2.1, §2.4: only the office signs documents in, carries, numbers,
    sends and files them): the document.register permission, and no department or the
    office's — a clerk of the security department is that department's staff, not the
    office's, although both hold the clerk role."""
    if not actor.can(DocumentsPermission.DOCUMENT_REGISTER):
        return False
    row = membership(actor.user_id) if actor.user_id is not None else None
    if row is None:
        return True
    code = Department.select(Department.code).where(Department.id == row.dept_id).scalar()
    return str(code) == office_code()


def is_head_of(user_id: int | None, dept_id: int | None) -> bool:
    return dept_id is not None and StaffDepartment.select().where(
        (StaffDepartment.user == user_id) & (StaffDepartment.dept == dept_id)
        & StaffDepartment.head).exists()


def is_member_of(user_id: int | None, dept_id: int | None) -> bool:
    return dept_id is not None and StaffDepartment.select().where(
        (StaffDepartment.user == user_id) & (StaffDepartment.dept == dept_id)).exists()


def heads_of(dept_id: int) -> list[str]:
    """The full names of a department's heads."""
    query = (User.select(User.name, User.full_name).join(StaffDepartment)
             .where((StaffDepartment.dept == dept_id) & StaffDepartment.head & User.active)
             .order_by(User.name))
    return [row.full_name or row.name for row in query]


def _dept_fields(prefix: str, dept_id: int | None) -> dict[str, str]:
    row = Department.get_or_none(Department.id == dept_id) if dept_id is not None else None
    return {prefix: row.code if row else "", f"{prefix}_name": row.name if row else ""}


def route_of(doc_id: int) -> list[dict[str, Any]]:
    rows = (DocumentRoute.select().where(DocumentRoute.document == doc_id)
            .order_by(DocumentRoute.seq))
    stops = []
    current_seen = False
    for stop in rows:
        current = stop.confirmed_at is None and not current_seen
        current_seen = current_seen or current
        stops.append({"seq": stop.seq, **_dept_fields("dept", stop.dept_id),
                      "heads": heads_of(stop.dept_id),
                      "carried_by": person(stop.carried_by_id), "carried_at": stop.carried_at,
                      "confirmed_by": person(stop.confirmed_by_id),
                      "confirmed_at": stop.confirmed_at, "comment": stop.comment,
                      "current": current})
    return stops


def notes_of(doc_id: int) -> list[dict[str, Any]]:
    rows = (DocumentNote.select().where(DocumentNote.document == doc_id)
            .order_by(DocumentNote.id))
    return [{"id": note.id, "kind": note.kind, "kind_label": rules.NoteKind(note.kind).label,
             "text": note.text, "channel": note.channel, "by": person(note.by_id),
             "at": note.at, "answer": note.answer, "answered_by": person(note.answered_by_id),
             "answered_at": note.answered_at} for note in rows]


def document_dict(row: Document, today: date) -> dict[str, Any]:
    """Everything about one document, as plain values (the GUI, the CLI's --json, forms)."""
    item_ref = (Item.select(Item.ref).where(Item.id == row.item_id).scalar()
                if row.item_id is not None else None)
    kind = Kind.get_or_none(Kind.id == row.kind_id) if row.kind_id is not None else None
    corrects = (Document.select(Document.number).where(Document.id == row.corrects_id).scalar()
                if row.corrects_id is not None else None)
    corrected_by = [str(number) for number in Document.select(Document.number)
                    .where(Document.corrects == row.id).order_by(Document.id).scalars()]
    return {
        "id": row.id, "number": row.number, "year": row.year,
        "direction": row.direction, "direction_label": rules.Direction(row.direction).label,
        "status": row.status, "status_label": rules.Status(row.status).label,
        "title": row.title, "kind": kind.code if kind else "", "kind_name": kind.name if kind else "",
        "level": row.level, "level_label": Level(row.level).label,
        "urgency": row.urgency, "urgency_label": rules.Urgency(row.urgency).label,
        "pages": row.pages, "copies": row.copies,
        "sender": row.sender, "sender_ref": row.sender_ref, "received_on": row.received_on,
        "addressee": row.addressee, **_dept_fields("dept", row.dept_id),
        **_dept_fields("to_dept", row.to_dept_id), "issued_no": row.issued_no or "",
        "body": row.body, "instruction": row.instruction,
        "instructed_by": person(row.instructed_by_id), "instructed_at": row.instructed_at,
        **_dept_fields("handler_dept", row.handler_dept_id), "due_on": row.due_on,
        "overdue": rules.is_overdue(row.status, row.due_on, today),
        "result": row.result, "result_by": person(row.result_by_id), "result_at": row.result_at,
        "reply": row.reply, "reply_by": person(row.reply_by_id), "reply_at": row.reply_at,
        "delivered_by": person(row.delivered_by_id), "delivered_at": row.delivered_at,
        "drafted_by": person(row.drafted_by_id), "drafted_at": row.drafted_at,
        "reviewed_by": person(row.reviewed_by_id), "reviewed_at": row.reviewed_at,
        "signed_off_by": person(row.signed_off_by_id), "signed_off_at": row.signed_off_at,
        "sent_by": person(row.sent_by_id), "sent_at": row.sent_at,
        "refusal_reason": row.refusal_reason, "void_reason": row.void_reason,
        "execution": row.execution,
        "execution_label": rules.Execution(row.execution).label if row.execution else "",
        "execution_note": row.execution_note,
        "corrects": corrects or "", "corrected_by": corrected_by,
        "item_ref": item_ref or "", "filed_by": person(row.filed_by_id), "filed_at": row.filed_at,
        "created_by": person(row.created_by_id), "created_at": row.created_at,
        "version": row.version, "has_sheet": row.document_id is not None,
        "has_instruction_sheet": row.instruction_document_id is not None,
        "has_attachment": DocumentAttachment.select().where(
            DocumentAttachment.document == row.id).exists(),
        "route": route_of(row.id), "notes": notes_of(row.id),
    }


class DocumentBase(Service):
    """The shared part of DocumentService (its mixins' base)."""

    settings: SettingsService
    keys: KeyService

    def today(self) -> date:
        return local_today(self.ctx.clock.now())

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def _doc(self, doc_id: int, lock: bool = False) -> Document:
        """The document (locked until the transaction ends with ``lock``), or NotFound."""
        query = Document.select().where(Document.id == doc_id)
        row = (self.locked(query, of=Document) if lock else query).first()
        if row is None:
            raise NotFound(_("No document {id}.").format(id=doc_id))
        return row

    def _data(self, doc_id: int) -> dict[str, Any]:
        return document_dict(self._doc(doc_id), self.today())

    @staticmethod
    def _require_office(actor: Actor) -> None:
        """Office staff only (``is_office_staff``), with the reason when refused."""
        Service.require(actor, DocumentsPermission.DOCUMENT_REGISTER)
        if not is_office_staff(actor):
            raise PermissionDenied(_("Only the office's staff ({dept}) sign documents in, "
                                     "carry, number, send and file them; you belong to "
                                     "another department.").format(dept=office_code()))

    @staticmethod
    def _require_head(actor: Actor, dept_id: int | None, what: str) -> None:
        if not is_head_of(actor.user_id, dept_id):
            name = Department.get_by_id(dept_id).name if dept_id is not None else "—"
            raise PermissionDenied(_("Only a head of {dept} may {what}.").format(
                dept=name, what=what))

    @staticmethod
    def _require_member(actor: Actor, dept_id: int | None, what: str) -> None:
        if not is_member_of(actor.user_id, dept_id):
            name = Department.get_by_id(dept_id).name if dept_id is not None else "—"
            raise PermissionDenied(_("Only staff of {dept} may {what}.").format(
                dept=name, what=what))
