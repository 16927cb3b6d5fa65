"""The document register: reading it — a document with its timeline, where it is and what
may be done next (``show``), scan-to-find by number, the paged lists, "waiting for me", the
chase list (催办), gaps in the running numbers, and the signed sheets as stored."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import date
from typing import Any

import peewee

from desk_app.domain import documents as rules
from desk_app.domain import text as typed
from desk_app.domain.areas.documents import DocumentsPermission as P
from desk_app.domain.audit_text import parse_change
from desk_app.domain.clock import local_day_start
from desk_app.domain.errors import NotFound, PermissionDenied
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.audit import in_words
from desk_app.services.documents import progress
from desk_app.services.documents.common import (
    INCOMING_SHEET,
    INSTRUCTION_SHEET,
    INSTRUCTION_SUFFIX,
    LIAISON_SHEET,
    OUTGOING_SHEET,
    DocumentBase,
    document_dict,
    heads_of,
    is_office_staff,
    membership,
)
from desk_app.services.documents.outgoing import OutgoingMixin
from desk_app.services.documents.registers import (
    NAMES,
    OPEN,
    ROW_FIELDS,
    DocumentFilter,
    department_names,
    order,
    select,
    where,
)
from desk_app.services.signed_documents import checked_pdf
from desk_app.store.archive import Item, Location, SignedDocument, tuples
from desk_app.store.documents import Document, DocumentNote, DocumentRoute
from desk_app.store.models import AuditEntry, NumberCounter

S = rules.Status
# The audit entities of one document (entity_id = the document's id): its timeline.
ENTITIES = ("document", INSTRUCTION_SHEET, INCOMING_SHEET, OUTGOING_SHEET, LIAISON_SHEET)
# Entries whose "sha256" is the outgoing draft sheet as signed so far (``pending_pdf``).
PENDING_STEPS = ("document.draft", "document.revise", "document.review", "document.signoff")
WAITING_LIMIT = 50


class QueriesMixin(DocumentBase):

    # ------------------------------------------------------------------ one document

    def show(self, actor: Actor, doc_id: int) -> dict[str, Any]:
        """The document (``document_dict``) with ``events`` (its audit entries in words,
        oldest first), ``where`` (one line: where the paper is, what happens next),
        ``actions`` (what the actor may do now) and ``hidden`` (its secret content is
        shown as "(secret)" to this actor)."""
        self.require(actor, P.DOCUMENT_VIEW)
        row = self._doc(doc_id)
        today = self.today()
        data = document_dict(row, today)
        data["events"] = self._events(row.id)
        # Carrying to the handling department is recorded in the trail only (no stop row).
        data["carried_to_handler"] = row.status == S.HANDLING and any(
            event["action"] == "document.carry" and event["to_handler"]
            for event in data["events"])
        data["where"] = progress.where_line(data, today, self._location(row))
        data["actions"] = progress.actions(actor, row, data)
        data["hidden"] = bool(progress.hidden_ids(actor, [progress.visibility_row(row)]))
        return progress.mask(data) if data["hidden"] else data

    @staticmethod
    def _events(doc_id: int) -> list[dict[str, Any]]:
        query = (AuditEntry.select(AuditEntry.seq, AuditEntry.at, AuditEntry.actor,
                                   AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id,
                                   AuditEntry.change)
                 .where(AuditEntry.entity.in_(ENTITIES) & (AuditEntry.entity_id == str(doc_id)))
                 .order_by(AuditEntry.seq))
        entries: list[dict[str, Any]] = list(query.dicts())  # type: ignore[arg-type]
        return [{"at": entry["at"], "who": entry["actor_name"], "text": entry["sentence"],
                 "action": entry["action"], "label": entry["label"],
                 "to_handler": bool((parse_change(entry["change"])[1] or {}).get("handling"))}
                for entry in in_words(entries)]

    @staticmethod
    def _location(row: Document) -> str:
        if row.item_id is None:
            return ""
        path = (Location.select(Location.path).join(Item, on=Item.location == Location.id)
                .where(Item.id == row.item_id).scalar())
        return str(path or "")

    def find(self, actor: Actor, text: str) -> dict[str, Any] | None:
        """The document a scanner or a person typed: its running number (SW/FG/LL, any
        case; the instruction sheet's "-PS" too), its issued number (发文字号) or the
        sender's number (来文字号, the latest such document). Each is one index lookup."""
        self.require(actor, P.DOCUMENT_VIEW)
        needle = typed.lookup(text).strip()
        if not needle:
            return None
        number = needle.upper()
        if number.endswith(INSTRUCTION_SUFFIX):
            number = number[:-len(INSTRUCTION_SUFFIX)]
        parsed = rules.parse_running_number(number)
        found = None
        if parsed is not None:
            found = (Document.select(Document.id)
                     .where(Document.number == rules.running_number(*parsed)).scalar())
        if found is None:
            found = Document.select(Document.id).where(Document.issued_no == needle).scalar()
        if found is None:
            found = (Document.select(Document.id).where(Document.sender_ref == needle)
                     .order_by(Document.id.desc()).limit(1).scalar())
        return self.show(actor, int(found)) if found is not None else None

    # ------------------------------------------------------------------ the lists

    def _filter(self, flt: DocumentFilter) -> DocumentFilter:
        return flt if flt.today is not None else replace(flt, today=self.today())

    def count(self, actor: Actor, flt: DocumentFilter) -> int:
        self.require(actor, P.DOCUMENT_VIEW)
        return int(Document.select().where(where(self._filter(flt), self.today())).count())

    def page(self, actor: Actor, flt: DocumentFilter, offset: int, limit: int
             ) -> list[dict[str, Any]]:
        """One page of the register (newest first; the overdue list longest overdue first)
        as rows: id, number, direction(_label), status(_label), title, sender, addressee,
        issued_no, received_on, due_on, overdue, where."""
        self.require(actor, P.DOCUMENT_VIEW)
        flt = self._filter(flt)
        rows = list(select(flt, self.today()).order_by(*order(flt)).offset(offset)
                    .limit(limit).tuples())
        return self._row_dicts(actor, rows)

    def _row_dicts(self, actor: Actor, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        if not rows:
            return []
        today = self.today()
        names = department_names()
        hidden = progress.hidden_ids(actor, [(row[0], row[11], *row[12:17]) for row in rows])
        records = [dict(zip(NAMES, row, strict=True)) for row in rows]
        stops = self._current_stops([r["id"] for r in records if r["status"] == S.CIRCULATING])
        refs = dict(tuples(Item.select(Item.id, Item.ref).where(
            Item.id.in_([r["item"] for r in records if r["item"] is not None]))))
        result = []
        for r in records:
            dept, to_dept = names.get(r["dept"], ""), names.get(r["to_dept"], "")
            data = {**r, "dept_name": dept, "to_dept_name": to_dept,
                    "handler_dept_name": names.get(r["handler_dept"], ""),
                    "route": [stops[r["id"]]] if r["id"] in stops else [],
                    "item_ref": refs.get(r["item"], ""),
                    "execution_label": (rules.Execution(r["execution"]).label
                                        if r["execution"] else "")}
            result.append({
                "id": r["id"], "number": r["number"], "direction": r["direction"],
                "direction_label": rules.Direction(r["direction"]).label,
                "status": r["status"], "status_label": rules.Status(r["status"]).label,
                "title": _(progress.SECRET_TEXT) if r["id"] in hidden else r["title"],
                "sender": r["sender"] or dept, "addressee": r["addressee"] or to_dept,
                "issued_no": r["issued_no"] or "", "received_on": r["received_on"],
                "due_on": r["due_on"], "level": r["level"],
                "overdue": rules.is_overdue(r["status"], r["due_on"], today),
                "to_dept_name": to_dept, "execution_label": data["execution_label"],
                "where": progress.where_line(data, today)})
        return result

    @staticmethod
    def _current_stops(doc_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The first unconfirmed circulation stop of each document (for "where")."""
        if not doc_ids:
            return {}
        names = department_names()
        heads: dict[int, list[str]] = {}
        found: dict[int, dict[str, Any]] = {}
        query = (DocumentRoute.select(DocumentRoute.document, DocumentRoute.dept,
                                      DocumentRoute.carried_at)
                 .where(DocumentRoute.document.in_(doc_ids)
                        & DocumentRoute.confirmed_at.is_null())
                 .order_by(DocumentRoute.document, DocumentRoute.seq))
        for doc, dept, carried_at in tuples(query):
            if doc not in found:
                if dept not in heads:
                    heads[dept] = heads_of(dept)
                found[doc] = {"dept_name": names.get(dept, ""), "heads": heads[dept],
                              "carried_at": carried_at, "current": True}
        return found

    def chase_list(self, actor: Actor, offset: int = 0, limit: int = 200
                   ) -> list[dict[str, Any]]:
        """Handling past its due date (催办), longest overdue first: id, number, title,
        handler_dept_name, due_on, days_overdue, chases (how many recorded), last_chase_at."""
        self.require(actor, P.DOCUMENT_VIEW)
        today = self.today()
        flt = DocumentFilter(overdue=True, today=today)
        rows = list(select(flt, today).order_by(*order(flt)).offset(offset).limit(limit)
                    .tuples())
        shown = self._row_dicts(actor, rows)
        ids = [row["id"] for row in shown]
        chases = {doc: (count, last) for doc, count, last in tuples(
            DocumentNote.select(DocumentNote.document, peewee.fn.COUNT(DocumentNote.id),
                                peewee.fn.MAX(DocumentNote.at))
            .where(DocumentNote.document.in_(ids)
                   & (DocumentNote.kind == rules.NoteKind.CHASE.value))
            .group_by(DocumentNote.document))}
        names = department_names()
        handler = NAMES.index("handler_dept")
        return [{**row, "handler_dept_name": names.get(raw[handler], ""),
                 "days_overdue": (today - row["due_on"]).days,
                 "chases": int(chases.get(row["id"], (0, None))[0]),
                 "last_chase_at": chases.get(row["id"], (0, None))[1]}
                for row, raw in zip(shown, rows, strict=True)]

    def chase_count(self, actor: Actor) -> int:
        self.require(actor, P.DOCUMENT_VIEW)
        return self.count(actor, DocumentFilter(overdue=True, today=self.today()))

    def waiting_for_me(self, actor: Actor) -> dict[str, list[dict[str, Any]]]:
        """What waits for the actor, by what is to be done (each at most 50, oldest first):
        instruct, answer, signoff (the manager); read, review, sign_liaison (a department's
        head); handle, reply (its staff); carry, send, deliver, file (office staff); overdue
        (office staff and the manager: all; others: their department's)."""
        self.require(actor, P.DOCUMENT_VIEW)
        D = Document
        today = self.today()
        mine_row = membership(actor.user_id) if actor.user_id is not None else None
        mine = mine_row.dept_id if mine_row is not None else None
        head = mine is not None and bool(mine_row.head if mine_row else False)
        register, instruct = is_office_staff(actor), actor.can(P.DOCUMENT_INSTRUCT)
        groups: dict[str, Any] = dict.fromkeys(
            ("instruct", "answer", "signoff", "read", "handle", "review", "sign_liaison",
             "reply", "carry", "send", "deliver", "file", "overdue"))
        if instruct:
            groups["instruct"] = D.status == S.REGISTERED
            groups["answer"] = D.id.in_(DocumentNote.select(DocumentNote.document).where(
                (DocumentNote.kind == rules.NoteKind.QUESTION.value)
                & DocumentNote.answered_at.is_null()))
            groups["signoff"] = D.status == S.REVIEWED
        if head:
            earlier = DocumentRoute.alias()
            current = (DocumentRoute.select(DocumentRoute.document).where(
                (DocumentRoute.dept == mine) & DocumentRoute.confirmed_at.is_null()
                & ~peewee.fn.EXISTS(earlier.select(earlier.id).where(
                    (earlier.document == DocumentRoute.document)
                    & (earlier.seq < DocumentRoute.seq) & earlier.confirmed_at.is_null()))))
            groups["read"] = (D.status == S.CIRCULATING) & D.id.in_(current)
            groups["review"] = ((D.status == S.DRAFT) & (D.dept == mine)
                                & (D.direction == rules.Direction.OUTGOING.value)
                                & ((D.drafted_by != actor.user_id) | D.drafted_by.is_null()))
            groups["sign_liaison"] = ((D.status == S.DRAFT) & (D.dept == mine)
                                      & (D.direction == rules.Direction.INTERNAL.value))
        if mine is not None:
            groups["handle"] = (D.status == S.HANDLING) & (D.handler_dept == mine)
            groups["reply"] = (D.status == S.DELIVERED) & (D.to_dept == mine)
        if register:
            # to carry: circulating, and the stop it is due at now was not carried to yet
            earlier = DocumentRoute.alias()
            uncarried = (DocumentRoute.select(DocumentRoute.document).where(
                DocumentRoute.confirmed_at.is_null() & DocumentRoute.carried_at.is_null()
                & ~peewee.fn.EXISTS(earlier.select(earlier.id).where(
                    (earlier.document == DocumentRoute.document)
                    & (earlier.seq < DocumentRoute.seq) & earlier.confirmed_at.is_null()))))
            groups["carry"] = (D.status == S.CIRCULATING) & D.id.in_(uncarried)
            groups["send"] = D.status == S.SIGNED_OFF
            groups["deliver"] = D.status == S.SIGNED
            groups["file"] = D.status.in_([S.HANDLED.value, S.SENT.value, S.REPLIED.value])
        overdue = D.status.in_(OPEN) & (D.due_on < today)
        if register or instruct:
            groups["overdue"] = overdue
        elif mine is not None:
            groups["overdue"] = overdue & (D.handler_dept == mine)
        return {key: self._waiting(actor, condition) if condition is not None else []
                for key, condition in groups.items()}

    def _waiting(self, actor: Actor, condition: Any) -> list[dict[str, Any]]:
        rows = tuples(Document.select(*ROW_FIELDS).where(condition).order_by(Document.id)
                      .limit(WAITING_LIMIT))
        return [{key: row[key] for key in ("id", "number", "title", "direction",
                                           "status_label", "due_on", "overdue", "where")}
                for row in self._row_dicts(actor, rows)]

    # ------------------------------------------------------------------ gaps

    def gaps(self, actor: Actor, year: int) -> list[str]:
        """One message per running number (SW, FG, LL) of ``year`` and per issued number
        (发文字号) missing from the register: shown as errors, never hidden."""
        self.require(actor, P.DOCUMENT_VIEW)
        messages = []
        labels = {rules.Direction.INCOMING: _("Incoming number {number} is missing."),
                  rules.Direction.OUTGOING: _("Draft number {number} is missing."),
                  rules.Direction.INTERNAL: _("Liaison sheet number {number} is missing.")}
        for direction in rules.Direction:
            numbers = [parsed[2] for (number,) in tuples(
                Document.select(Document.number).where((Document.year == year)
                                                       & (Document.direction == direction)))
                       if (parsed := rules.parse_running_number(number)) is not None]
            for seq in _missing(numbers, _counter(rules.series(direction, year))):
                messages.append(labels[direction].format(
                    number=rules.running_number(direction, year, seq)))
        messages.extend(self._issued_gaps(year))
        return messages

    def _issued_gaps(self, year: int) -> list[str]:
        pattern = str(self.settings.value("outgoing_number_pattern"))
        org = str(self.settings.value("document_org_code"))
        since, until = local_day_start(date(year, 1, 1)), local_day_start(date(year + 1, 1, 1))
        issued = [number for (number,) in tuples(
            Document.select(Document.issued_no).where(
                Document.issued_no.is_null(False) & (Document.sent_at >= since)
                & (Document.sent_at < until)))]
        seq_of = _issued_parser(pattern, year)
        numbers = [seq for number in issued if (seq := seq_of(number)) is not None]
        drawn = _counter(rules.issued_series(year))
        if len(numbers) < len(issued):  # numbered under an earlier pattern: count instead
            if drawn > len(issued):
                return [_("{count} issued numbers of {year} are missing from the register.")
                        .format(count=drawn - len(issued), year=year)]
            return []
        return [_("Issued number {number} is missing.").format(
            number=rules.format_issued_number(pattern, org, year, seq))
            for seq in _missing(numbers, drawn)]

    # ------------------------------------------------------------------ the sheets

    def sheet(self, actor: Actor, doc_id: int) -> bytes:
        """The document's final signed sheet as stored (Tampered when changed), else the
        outgoing draft sheet signed so far, else the manager's instruction sheet."""
        self.require(actor, P.DOCUMENT_VIEW)
        row = self._readable_doc(actor, doc_id)
        if row.document_id is not None:
            return checked_pdf(SignedDocument.get_by_id(row.document_id), row.id)
        if row.pending_pdf is not None:
            return OutgoingMixin._pending_sheet(row, to_sign=False)  # checked as to sign it
        if row.instruction_document_id is not None:
            return checked_pdf(SignedDocument.get_by_id(row.instruction_document_id), row.id)
        raise NotFound(_("{number} has no signed sheet yet.").format(number=row.number))

    def instruction_sheet(self, actor: Actor, doc_id: int) -> bytes:
        """The manager's signed instruction sheet (批示) as stored."""
        self.require(actor, P.DOCUMENT_VIEW)
        row = self._readable_doc(actor, doc_id)
        if row.instruction_document_id is None:
            raise NotFound(_("{number} has no instructions yet.").format(number=row.number))
        return checked_pdf(SignedDocument.get_by_id(row.instruction_document_id), row.id)

    def _readable_doc(self, actor: Actor, doc_id: int) -> Document:
        row = self._doc(doc_id)
        if progress.hidden_ids(actor, [progress.visibility_row(row)]):
            raise PermissionDenied(_("{number} is secret: its sheets are shown to the "
                                     "manager, office staff and the departments on it.")
                                   .format(number=row.number))
        return row


def _missing(numbers: list[int], drawn: int) -> list[int]:
    """The gaps below the highest number, and the numbers drawn after the last one still in
    the register (a deleted newest row leaves no gap below it, only the counter knows)."""
    return rules.missing_numbers(numbers) + list(range(max(numbers, default=0) + 1, drawn + 1))


def _counter(series: str) -> int:
    """How far a series was drawn (0 when never)."""
    value = NumberCounter.select(NumberCounter.value).where(
        NumberCounter.series == series).scalar()
    return int(value or 0)


def _issued_parser(pattern: str, year: int) -> Any:
    """A function: an issued number → its {seq} under ``pattern`` in ``year``, or None."""
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if name == "seq":
            parts.append(r"(?P<seq>\d+)")
        elif name == "year":
            parts.append(str(year))
        elif name is not None:
            parts.append(".+?")
    regex = re.compile("".join(parts) + "$")

    def seq_of(number: str) -> int | None:
        found = regex.match(number)
        return int(found.group("seq")) if found else None
    return seq_of

