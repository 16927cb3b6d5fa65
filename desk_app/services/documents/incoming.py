"""The document register: incoming documents (收文, seed 001 §2.1): receive, instruct, carry,
confirm reading, ask/answer, record the result, chase; filing and the attachment are in
incoming_filing.py.

Each use case is a permission check, the checks of its input, and one write with one audit
entry on entity "document" (the signed instruction: "doc_instruction", as
signed_documents.checked_pdf expects). Rows are read under ``locked()`` inside the write, so
two desks acting on the same document at once judge the committed state: the second gets
the normal refusal (Conflict), never a half-applied change.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, timedelta
from typing import Any

from desk_app.domain import documents as rules
from desk_app.domain import text as typed
from desk_app.domain.areas.documents import DocumentsPermission as P
from desk_app.domain.documents import Direction, NoteKind, Status
from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.documents.common import (
    INSTRUCTION_SHEET,
    INSTRUCTION_SUFFIX,
    department,
    heads_of,
    kind_row,
    membership,
    person,
)
from desk_app.services.documents.incoming_filing import IncomingFilingMixin
from desk_app.store import audit_chain, numbers
from desk_app.store.archive import Department, SignedDocument
from desk_app.store.documents import (
    Document,
    DocumentAttachment,
    DocumentNote,
    DocumentRoute,
    StaffDepartment,
)

ATTACHMENT_MAX = 20 * 1024 * 1024
NOTE_MAX = 1000  # document_note.text / .answer
COMMENT_MAX = 500  # document_route.comment
CHANNELS = ("phone", "visit", "message")


class IncomingMixin(IncomingFilingMixin):
    # ------------------------------------------------------------ registration

    def receive(self, actor: Actor, *, sender: str, title: str, sender_ref: str = "",
                kind: str | None = None, level: str = "internal", urgency: str = "normal",
                pages: int = 1, copies: int = 1, received_on: date | None = None,
                summary: str = "", attachment: tuple[str, bytes] | None = None
                ) -> dict[str, Any]:
        """The office signs for a letter and registers it: the next 收文号 (SWyyyy-NNNN)."""
        self._require_office(actor)
        sender = rules.check_line(sender, "sender", _("Sender"), required=True)
        title = rules.check_title(title)
        sender_ref = rules.check_line(sender_ref, "sender_ref", _("Sender's number"),
                                      limit=rules.REF_MAX)
        found_kind = kind_row(kind)
        kind_id = found_kind.id if found_kind is not None else None
        level = rules.check_level(level)
        urgency_value = rules.check_urgency(urgency).value
        pages = rules.check_count(pages, "pages", _("number of pages"))
        copies = rules.check_count(copies, "copies", _("number of copies"), low=1)
        received_on = rules.check_received_on(received_on or self.today(), self.today())
        summary = rules.check_text(summary, "summary", _("Summary"))
        file_name, data = _check_attachment(attachment) if attachment else ("", b"")
        with self.write() as tx:
            year = self.today().year
            prefix = f"{rules.PREFIXES[Direction.INCOMING]}{year}-"
            # The number first: its counter row is locked until commit, so two desks
            # registering at once are serialised and the duplicate check below sees the
            # other's committed letter (a failed check rolls the number back: no gap).
            seq = numbers.next_number(rules.series(Direction.INCOMING, year),
                                      lambda: numbers.highest_suffix(Document, Document.number,
                                                                     prefix))
            if sender_ref:
                existing = (Document.select(Document.number)
                            .where((Document.direction == Direction.INCOMING.value)
                                   & (Document.sender == sender)
                                   & (Document.sender_ref == sender_ref)).first())
                if existing is not None:
                    raise Conflict(_("{sender}'s document {ref} is registered already as "
                                     "{number}.").format(sender=sender, ref=sender_ref,
                                                         number=existing.number))
            row = Document.create(
                direction=Direction.INCOMING.value,
                number=rules.running_number(Direction.INCOMING, year, seq), year=year,
                status=Status.REGISTERED.value, title=title, kind=kind_id, level=level,
                urgency=urgency_value, pages=pages, copies=copies, sender=sender,
                sender_ref=sender_ref, received_on=received_on, body=summary,
                created_by=actor.user_id, created_at=tx.at)
            after: dict[str, Any] = {
                "number": row.number, "sender": sender, "sender_ref": sender_ref,
                "title": title, "kind": kind or "", "level": level, "urgency": urgency_value,
                "pages": pages, "copies": copies, "received_on": received_on.isoformat()}
            if file_name:
                digest = hashlib.sha256(data).hexdigest()
                DocumentAttachment.create(document=row.id, name=file_name, sha256=digest,
                                          size=len(data), data=data, added_by=actor.user_id,
                                          added_at=tx.at)
                after["attachment"] = {"name": file_name, "sha256": digest, "size": len(data)}
            tx.audit(actor, "document.receive", "document", row.id, after=after)
        return self._data(row.id)

    # ------------------------------------------------------------ the manager's instruction

    def instruct(self, actor: Actor, doc_id: int, *, instruction: str, readers: list[str],
                 handler: str | None, due_on: date | None, password: str,
                 handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The general manager's instruction (批示): the departments whose heads read it, in
        order, the department that handles it and by when; the instruction sheet is signed
        ("manager") and stored."""
        from desk_app.forms.documents_incoming import INSTRUCTION_FIELD, instruction_pdf

        self.require(actor, P.DOCUMENT_INSTRUCT)
        instruction = rules.check_text(instruction, "instruction", _("Instructions"),
                                       required=True)
        stops = self._readers(readers)
        handler_row = self._handler(handler)
        if not stops and handler_row is None:
            raise ValidationError(_("Name the departments that read it, the department that "
                                    "handles it, or both."), field="readers")
        today = self.today()
        if due_on is not None:
            rules.check_due_on(due_on, today)
        elif handler_row is not None:
            due_on = today + timedelta(days=int(self.settings.value("document_handling_days")))
        data = self._data(doc_id)
        _check_incoming(data, Status.REGISTERED, _("instructed"))
        at = self.now()
        record_no = data["number"] + INSTRUCTION_SUFFIX
        form = {**data, "record_no": record_no, "instruction": instruction,
                "instructed_by": person(actor.user_id), "instructed_at": at,
                "route": [{"seq": seq, "dept": dept.code, "dept_name": dept.name,
                           "heads": heads_of(dept.id)} for seq, dept in enumerate(stops, 1)],
                "handler_dept": handler_row.code if handler_row else "",
                "handler_dept_name": handler_row.name if handler_row else "",
                "due_on": due_on}
        pdf = instruction_pdf(str(self.settings.value("company_name")), form)
        signed = self.keys.sign_pdf(actor, pdf, INSTRUCTION_FIELD, password, handwriting_png,
                                    _("Instructed by"))
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)  # a second desk instructing waits here
            _check_status(row, Status.REGISTERED, _("instructed"))
            digest = hashlib.sha256(signed).hexdigest()
            sheet = SignedDocument.create(kind=INSTRUCTION_SHEET, record_no=record_no,
                                          pdf=signed, sha256=digest, created_at=tx.at,
                                          created_by=actor.user_id)
            DocumentRoute.insert_many([{"document": row.id, "seq": seq, "dept": dept.id}
                                       for seq, dept in enumerate(stops, 1)]).execute()
            status = Status.CIRCULATING if stops else Status.HANDLING
            (Document.update(status=status.value, instruction=instruction,
                             instructed_by=actor.user_id, instructed_at=at,
                             instruction_document=sheet.id,
                             handler_dept=handler_row.id if handler_row else None,
                             due_on=due_on, version=Document.version + 1)
             .where(Document.id == row.id).execute())
            tx.audit(actor, f"{INSTRUCTION_SHEET}.sign", INSTRUCTION_SHEET, row.id, after={
                "number": row.number, "instruction": instruction,
                "readers": [dept.code for dept in stops],
                "handler": handler_row.code if handler_row else None,
                "due_on": due_on.isoformat() if due_on else None, "sha256": digest})
        return self._data(doc_id)

    @staticmethod
    def _readers(readers: list[str]) -> list[Department]:
        """The reading departments, in order: each known, named once, with a head."""
        stops: list[Department] = []
        for code in readers or []:
            dept = department(code, "readers")
            if any(stop.id == dept.id for stop in stops):
                raise ValidationError(_("{dept} is named twice among the readers.").format(
                    dept=dept.name), field="readers")
            if not heads_of(dept.id):
                raise ValidationError(_("{dept} has no head to read it: name its head under "
                                        "Departments first.").format(dept=dept.name),
                                      field="readers")
            stops.append(dept)
        return stops

    @staticmethod
    def _handler(code: str | None) -> Department | None:
        if not code or not code.strip():
            return None
        dept = department(code, "handler")
        if not StaffDepartment.select().where(StaffDepartment.dept == dept.id).exists():
            raise ValidationError(_("{dept} has no staff to handle it: add its people under "
                                    "Departments first.").format(dept=dept.name),
                                  field="handler")
        return dept

    # ------------------------------------------------------------ circulation

    def carry(self, actor: Actor, doc_id: int) -> dict[str, Any]:
        """Office staff carried the paper to the current reader (or to the handling
        department, once the readings are done): who and when (seed §2.4)."""
        self._require_office(actor)
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)
            after: dict[str, Any] = {"number": row.number}
            if row.status == Status.CIRCULATING.value:
                stop = self._current_stop(row.id)
                if stop.carried_at is not None:
                    raise Conflict(_("{number} was carried to {dept} already, by {who}.").format(
                        number=row.number, dept=Department.get_by_id(stop.dept_id).name,
                        who=person(stop.__data__.get("carried_by"))))
                (DocumentRoute.update(carried_by=actor.user_id, carried_at=tx.at)
                 .where(DocumentRoute.id == stop.id).execute())
                stop_dept = Department.get_by_id(stop.dept_id)
                after.update({"to": stop_dept.code, "to_name": stop_dept.name, "seq": stop.seq})
            elif row.status == Status.HANDLING.value and row.handler_dept_id is not None:
                handler = Department.get_by_id(row.handler_dept_id)
                carried = [entry for entry in audit_chain.recorded_after(
                    "document", row.id, "document.carry") if entry.get("handling")]
                if carried:
                    raise Conflict(_("{number} was carried to {dept} already.").format(
                        number=row.number, dept=handler.name))
                after.update({"to": handler.code, "to_name": handler.name, "handling": True})
            else:
                raise Conflict(_("{number} is not on its way to anyone ({status}).").format(
                    number=row.number, status=Status(row.status).label.lower()))
            _bump(row)
            tx.audit(actor, "document.carry", "document", row.id, after=after)
        return self._data(doc_id)

    def confirm_reading(self, actor: Actor, doc_id: int, comment: str = "") -> dict[str, Any]:
        """The head of the department the document is with confirms reading it (传阅), with
        an optional comment; it then goes to the next reader, or to the handler."""
        self.require(actor, P.DOCUMENT_VIEW)
        comment = typed.block(comment, "comment", _("Comment"), COMMENT_MAX)
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)
            if row.status != Status.CIRCULATING.value:
                raise Conflict(_("{number} is not circulating ({status}).").format(
                    number=row.number, status=Status(row.status).label.lower()))
            stops = list(self.locked(DocumentRoute.select().where(DocumentRoute.document == row.id)
                                     .order_by(DocumentRoute.seq), of=DocumentRoute))
            mine = membership(actor.user_id) if actor.user_id is not None else None
            stop = next((s for s in stops if mine is not None and mine.head
                         and s.dept_id == mine.dept_id), None)
            if stop is None:
                raise PermissionDenied(_("{number} is not circulated to you: it goes to the "
                                         "heads of {depts}.").format(
                                             number=row.number,
                                             depts=", ".join(_dept_name(s.dept_id)
                                                             for s in stops)))
            if stop.confirmed_at is not None:
                raise Conflict(_("{dept} confirmed reading {number} already.").format(
                    dept=_dept_name(stop.dept_id), number=row.number))
            current = next(s for s in stops if s.confirmed_at is None)
            if current.id != stop.id:
                raise Conflict(_("{number} is with {current} first; {dept} reads it after "
                                 "that.").format(number=row.number,
                                                 current=_dept_name(current.dept_id),
                                                 dept=_dept_name(stop.dept_id)))
            (DocumentRoute.update(confirmed_by=actor.user_id, confirmed_at=tx.at,
                                  comment=comment).where(DocumentRoute.id == stop.id).execute())
            last = stop.id == stops[-1].id
            status = Status.CIRCULATING
            if last:
                status = Status.HANDLING if row.handler_dept_id is not None else Status.HANDLED
            _bump(row, status=status.value)
            tx.audit(actor, "document.read", "document", row.id, after={
                "number": row.number, "dept": _dept_code(stop.dept_id), "seq": stop.seq,
                "comment": comment, "status": status.value})
        return self._data(doc_id)

    @staticmethod
    def _current_stop(doc_id: int) -> DocumentRoute:
        stop = (DocumentRoute.select().where((DocumentRoute.document == doc_id)
                                             & DocumentRoute.confirmed_at.is_null())
                .order_by(DocumentRoute.seq).first())
        assert stop is not None, "a circulating document has a stop left"
        return stop

    # ------------------------------------------------------------ handling

    def ask(self, actor: Actor, doc_id: int, question: str) -> dict[str, Any]:
        """The handling department asks the manager for instructions (请示), on the record."""
        self.require(actor, P.DOCUMENT_VIEW)
        question = _note_text(question, "question", _("Question"))
        with self.write() as tx:
            row = self._handling(actor, doc_id, _("ask about it"))
            note = DocumentNote.create(document=row.id, kind=NoteKind.QUESTION.value,
                                       text=question, by=actor.user_id, at=tx.at)
            _bump(row)
            tx.audit(actor, "document.ask", "document", row.id, after={
                "number": row.number, "note": note.id, "question": question})
        return self._data(doc_id)

    def answer(self, actor: Actor, note_id: int, answer: str) -> dict[str, Any]:
        """The manager answers a question of the handling department, on the record."""
        self.require(actor, P.DOCUMENT_INSTRUCT)
        answer = _note_text(answer, "answer", _("Answer"))
        found = DocumentNote.get_or_none(DocumentNote.id == note_id)
        if found is None or found.kind != NoteKind.QUESTION.value:
            raise NotFound(_("No question {id}.").format(id=note_id))
        with self.write() as tx:
            row = self._doc(found.document_id, lock=True)
            note = self.locked(DocumentNote.select().where(DocumentNote.id == note_id),
                               of=DocumentNote).first()
            if note.answered_at is not None:
                raise Conflict(_("{who} answered this question already.").format(
                    who=person(note.answered_by_id)))
            if row.status == Status.FILED.value:
                raise Conflict(_("{number} is filed: its questions are closed.").format(
                    number=row.number))
            (DocumentNote.update(answer=answer, answered_by=actor.user_id, answered_at=tx.at)
             .where(DocumentNote.id == note.id).execute())
            _bump(row)
            tx.audit(actor, "document.answer", "document", row.id, after={
                "number": row.number, "note": note.id, "answer": answer})
        return self._data(row.id)

    def record_result(self, actor: Actor, doc_id: int, result: str) -> dict[str, Any]:
        """The handling department's result and report (§1.11): the document is handled."""
        self.require(actor, P.DOCUMENT_VIEW)
        result = rules.check_text(result, "result", _("Result"), required=True)
        with self.write() as tx:
            row = self._handling(actor, doc_id, _("record its result"))
            _bump(row, status=Status.HANDLED.value, result=result, result_by=actor.user_id,
                  result_at=tx.at)
            tx.audit(actor, "document.result", "document", row.id, after={
                "number": row.number, "result": result,
                "dept": _dept_code(row.handler_dept_id)})
        return self._data(doc_id)

    def _handling(self, actor: Actor, doc_id: int, what: str) -> Document:
        """The document, locked, being handled, and the actor one of the handling staff."""
        row = self._doc(doc_id, lock=True)
        if row.direction != Direction.INCOMING.value or row.handler_dept_id is None:
            raise Conflict(_("{number} has no handling department.").format(number=row.number))
        self._require_member(actor, row.handler_dept_id, what)
        if row.status != Status.HANDLING.value:
            raise Conflict(_("{number} is not being handled ({status}).").format(
                number=row.number, status=Status(row.status).label.lower()))
        return row

    def chase(self, actor: Actor, doc_id: int, note: str, channel: str = "phone"
              ) -> dict[str, Any]:
        """Office staff chased the readers or the handlers (催办): by phone, visit or
        message, on the record."""
        self._require_office(actor)
        note = _note_text(note, "note", _("Note"))
        if channel not in CHANNELS:
            raise ValidationError(_("A chase is made by phone, visit or message."),
                                  field="channel")
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)
            if row.status not in (Status.CIRCULATING.value, Status.HANDLING.value):
                raise Conflict(_("{number} is not waiting for anyone ({status}): there is "
                                 "nothing to chase.").format(
                                     number=row.number, status=Status(row.status).label.lower()))
            chased = DocumentNote.create(document=row.id, kind=NoteKind.CHASE.value, text=note,
                                         channel=channel, by=actor.user_id, at=tx.at)
            _bump(row)
            today, due_on = self.today(), row.due_on
            late = (today - due_on).days if due_on is not None and due_on < today else 0
            tx.audit(actor, "document.chase", "document", row.id, after={
                "number": row.number, "note": chased.id, "channel": channel, "text": note,
                "days_overdue": late})
        return self._data(doc_id)


def _check_attachment(attachment: tuple[str, bytes]) -> tuple[str, bytes]:
    name, data = attachment
    base = os.path.basename(str(name or "").replace("\\", "/"))
    base = rules.check_line(base, "attachment", _("Attachment name"), required=True)
    if not isinstance(data, bytes | bytearray) or not data:
        raise ValidationError(_("The attachment {name} is empty.").format(name=base),
                              field="attachment")
    if len(data) > ATTACHMENT_MAX:
        raise ValidationError(_("The attachment {name} is {size} MB; at most 20 MB.").format(
            name=base, size=round(len(data) / 1024 / 1024, 1)), field="attachment")
    return base, bytes(data)


def _check_incoming(data: dict[str, Any], status: Status, what: str) -> None:
    if data["direction"] != Direction.INCOMING.value:
        raise Conflict(_("{number} is not an incoming document.").format(number=data["number"]))
    if data["status"] != status.value:
        raise Conflict(_("{number} cannot be {what}: it is {status}.").format(
            number=data["number"], what=what, status=data["status_label"].lower()))


def _check_status(row: Document, status: Status, what: str) -> None:
    if row.status != status.value:
        raise Conflict(_("{number} cannot be {what}: it is {status}.").format(
            number=row.number, what=what, status=Status(row.status).label.lower()))


def _note_text(value: str, field: str, label: str) -> str:
    text = typed.block(value, field, label, NOTE_MAX)
    return typed.required(text, field, _("Write the {field}.").format(field=label.lower()))


def _bump(row: Document, **changes: Any) -> None:
    """Save ``changes`` and count the change (``version``: two desks, one form)."""
    (Document.update(version=Document.version + 1, **changes)
     .where(Document.id == row.id).execute())


def _dept_name(dept_id: int) -> str:
    return str(Department.get_by_id(dept_id).name)


def _dept_code(dept_id: int | None) -> str:
    return str(Department.get_by_id(dept_id).code) if dept_id is not None else ""
