"""Filing a document in the archive (归档) and reading an incoming document's attachment.

Filing makes the original an archive catalogue item (through ``ArchiveService.add_item``,
which records its own ``item.add`` entry inside this write, as a savepoint) or joins an
existing file by its reference, then marks the document filed. An incoming document's
processing sheet (收文处理单) is signed by the clerk at that moment and names the archive
reference, so the paper and the catalogue point at each other. The sheet is signed before
the write (the password gate commits its own failures), so the reference of a new file is
worked out first from the archive's counter and checked against the one ``add_item`` really
draws: another desk numbering a file of the same series in between gets a Conflict and
files again, never a sheet naming the wrong file.
"""

from __future__ import annotations

import hashlib
from typing import Any

from desk_app.domain import archive as archive_rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.areas.documents import DocumentsPermission as P
from desk_app.domain.clock import local_today
from desk_app.domain.documents import Direction, Status
from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, Tampered, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import ArchiveService, visible_levels
from desk_app.services.documents.common import (
    INCOMING_SHEET,
    DocumentBase,
    is_member_of,
    is_office_staff,
    kind_row,
    membership,
    person,
)
from desk_app.store import audit_chain, numbers
from desk_app.store.archive import Department, Item, Location, SignedDocument
from desk_app.store.documents import Document, DocumentAttachment, DocumentRoute
from desk_app.store.models import NumberCounter

# What a document must have reached before its original is filed.
FILED_FROM = {Direction.INCOMING.value: Status.HANDLED, Direction.OUTGOING.value: Status.SENT,
              Direction.INTERNAL.value: Status.REPLIED}
FALLBACK_DEPT = "ZB"  # 总经理办公室: the office keeps what no department claims
KEYWORDS_MAX = 300  # archive.check_keywords


class IncomingFilingMixin(DocumentBase):
    archive: ArchiveService

    def file(self, actor: Actor, doc_id: int, *, location: str | None = None,
             ref: str | None = None, kind: str | None = None, password: str,
             handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The original is filed: a new archive item at ``location`` (or the existing file
        ``ref``), the document filed. Incoming: the processing sheet signed ("clerk") and
        stored; outgoing (sent) and internal (replied): no sheet, the password is not used."""
        from desk_app.forms.documents_incoming import PROCESSING_FIELD, processing_pdf

        self._require_office(actor)
        data = self._data(doc_id)
        _check_fileable(data)
        target = self._target(actor, data, location, ref, kind)
        at = self.now()
        incoming = data["direction"] == Direction.INCOMING.value
        signed = None
        if incoming:
            form = {**data, "status": Status.FILED.value, "status_label": Status.FILED.label,
                    "item_ref": target["ref"], "location": target["location"],
                    "filed_by": person(actor.user_id), "filed_at": at,
                    "instruction_sheet": _instruction_sheet(doc_id)}
            pdf = processing_pdf(str(self.settings.value("company_name")), form)
            signed = self.keys.sign_pdf(actor, pdf, PROCESSING_FIELD, password,
                                        handwriting_png, _("Filed by"))
        with self.write() as tx:
            row = self._doc(doc_id, lock=True)  # a second desk filing waits here
            _check_fileable({**data, "status": row.status, "item_ref": ""})
            item_id = self._item_for(actor, row, target)
            after: dict[str, Any] = {"number": row.number, "ref": target["ref"],
                                     "location": target["location"],
                                     "linked": target["existing"]}
            changes: dict[str, Any] = {}
            if signed is not None:
                digest = hashlib.sha256(signed).hexdigest()
                sheet = SignedDocument.create(kind=INCOMING_SHEET, record_no=row.number,
                                              pdf=signed, sha256=digest, created_at=tx.at,
                                              created_by=actor.user_id)
                changes["document"] = sheet.id
                after["sha256"] = digest
            (Document.update(status=Status.FILED.value, item=item_id, filed_by=actor.user_id,
                             filed_at=at, version=Document.version + 1, **changes)
             .where(Document.id == row.id).execute())
            if signed is not None:
                tx.audit(actor, f"{INCOMING_SHEET}.sign", INCOMING_SHEET, row.id, after=after)
            else:
                tx.audit(actor, "document.file", "document", row.id, after=after)
        return self._data(doc_id)

    def _target(self, actor: Actor, data: dict[str, Any], location: str | None,
                ref: str | None, kind: str | None) -> dict[str, Any]:
        """Where the original goes, checked before anything is signed: {ref, location,
        existing, kind, dept, doc_date}."""
        path = (location or "").strip() or None
        if path is not None and Location.get_or_none(Location.path == path) is None:
            raise ValidationError(_("No location {path}.").format(path=path), field="location")
        typed = archive_rules.check_ref(ref) if ref and ref.strip() else None
        if typed is not None:
            item = Item.get_or_none(Item.ref == typed)
            if item is not None:
                return self._existing(actor, item, path)
            archive_rules.check_ref_series(typed, archive_rules.Level(data["level"]))
        self.require(actor, ArchivePermission.ARCHIVE_EDIT)
        code = (kind or "").strip() or data["kind"]
        if not code:
            raise ValidationError(_("{number} has no kind: choose the kind of file it is filed "
                                    "as.").format(number=data["number"]), field="kind")
        found = kind_row(code)
        assert found is not None  # a code was given
        kind_code = found.code
        dept = self._filing_dept(actor, data)
        doc_date = _doc_date(data)
        return {"ref": typed or self._next_archive_ref(dept, kind_code, doc_date.year),
                "typed": typed, "location": path, "existing": False, "kind": kind_code,
                "dept": dept, "doc_date": doc_date}

    @staticmethod
    def _existing(actor: Actor, item: Item, path: str | None) -> dict[str, Any]:
        if item.level not in visible_levels(actor):
            raise archive_rules.no_such_item(item.ref)  # sealed files are unknown (R6)
        if item.status == archive_rules.Status.DESTROYED:
            raise ValidationError(_("{ref} was destroyed.").format(ref=item.ref), field="ref")
        where = (Location.select(Location.path).where(Location.id == item.location).scalar()
                 if item.location is not None else None)
        if path is not None and path != where:
            raise ValidationError(_("{ref} is kept at {where}, not at {path}: file it there, or "
                                    "move the file in the Archive first.").format(
                                        ref=item.ref, where=where or "—", path=path),
                                  field="location")
        return {"ref": item.ref, "location": where, "existing": True, "item_id": item.id}

    @staticmethod
    def _filing_dept(actor: Actor, data: dict[str, Any]) -> str:
        """The handling department, else the drafting one, else the filer's, else the office."""
        if data["handler_dept"] or data["dept"]:
            return str(data["handler_dept"] or data["dept"])
        mine = membership(actor.user_id) if actor.user_id is not None else None
        if mine is not None:
            return str(Department.get_by_id(mine.dept_id).code)
        return FALLBACK_DEPT

    def _next_archive_ref(self, dept: str, kind: str, year: int) -> str:
        """The reference ``ArchiveService.add_item`` will draw next for this department, kind
        and year (its counter, or the highest existing one; numbers typed by hand skipped)."""
        pattern = str(self.settings.value("ref_pattern"))
        prefix = archive_rules.ref_prefix(pattern, dept, kind, year)
        value = (NumberCounter.select(NumberCounter.value)
                 .where(NumberCounter.series == archive_rules.ref_series(prefix)).scalar())
        seq = int(value if value is not None else numbers.highest_suffix(Item, Item.ref, prefix))
        while True:
            seq += 1
            ref = archive_rules.format_ref(pattern, dept, kind, year, seq)
            if not Item.select().where(Item.ref == ref).exists():
                return ref

    def _item_for(self, actor: Actor, row: Document, target: dict[str, Any]) -> int:
        """Inside the filing write: the existing file's id, or the new item's."""
        if target["existing"]:
            if not Item.select().where(Item.id == target["item_id"]).exists():
                raise Conflict(_("{ref} no longer exists.").format(ref=target["ref"]))
            return int(target["item_id"])
        view = self.archive.add_item(
            actor, title=row.title, kind=target["kind"], dept=target["dept"], level=row.level,
            ref=target["typed"], doc_date=target["doc_date"], keywords=_keywords(row),
            location=target["location"])
        if view.ref != target["ref"]:
            raise Conflict(_("Another desk numbered a file of the same series just now: file "
                             "{number} again.").format(number=row.number))
        return view.id

    # ------------------------------------------------------------ the attachment

    def attachment(self, actor: Actor, doc_id: int) -> tuple[str, bytes]:
        """The scan or photo registered with the document, as it was stored (Tampered when
        its bytes no longer match the hash recorded then)."""
        self.require(actor, P.DOCUMENT_VIEW)
        row = self._doc(doc_id)
        if row.level == "secret" and not self._reads_secret(actor, row):
            raise PermissionDenied(_("{number} is secret: only the manager, the office and the "
                                     "people it went to may open its attachment.").format(
                                         number=row.number))
        found = (DocumentAttachment.select().where(DocumentAttachment.document == row.id)
                 .order_by(DocumentAttachment.id.desc()).first())
        if found is None:
            raise NotFound(_("{number} has no attachment.").format(number=row.number))
        data = bytes(found.data)
        digest = hashlib.sha256(data).hexdigest()
        recorded = {str((after.get("attachment") or {}).get("sha256"))
                    for after in audit_chain.recorded_after("document", row.id,
                                                            "document.receive")}
        if digest != found.sha256 or digest not in recorded:
            raise Tampered(_("The attachment of {number} does not match the hash recorded when "
                             "it was registered: it was changed in the database.").format(
                                 number=row.number))
        return str(found.name), data

    @staticmethod
    def _reads_secret(actor: Actor, row: Document) -> bool:
        if is_office_staff(actor) or actor.can(P.DOCUMENT_INSTRUCT):
            return True
        user_id = actor.user_id
        if user_id is None:
            return False
        route = DocumentRoute.select(DocumentRoute.dept).where(DocumentRoute.document == row.id)
        depts = [row.handler_dept_id, row.dept_id, row.to_dept_id,
                 *(stop.dept_id for stop in route)]
        return any(is_member_of(user_id, dept) for dept in depts if dept is not None)


def _check_fileable(data: dict[str, Any]) -> None:
    if data["status"] == Status.FILED.value:
        if data["item_ref"]:
            raise Conflict(_("{number} is filed already as {ref}.").format(
                number=data["number"], ref=data["item_ref"]))
        raise Conflict(_("{number} is filed already.").format(number=data["number"]))
    needed = FILED_FROM[data["direction"]]
    if data["status"] != needed.value:
        raise Conflict(_("{number} cannot be filed yet: it is {status}; it is filed once it is "
                         "{needed}.").format(number=data["number"],
                                             status=Status(data["status"]).label.lower(),
                                             needed=needed.label.lower()))


def _instruction_sheet(doc_id: int) -> dict[str, str] | None:
    sheet = (SignedDocument.select(SignedDocument.record_no, SignedDocument.sha256)
             .join(Document, on=Document.instruction_document == SignedDocument.id)
             .where(Document.id == doc_id).first())
    return {"record_no": sheet.record_no, "sha256": sheet.sha256} if sheet else None


def _doc_date(data: dict[str, Any]) -> Any:
    """The file's date: received, sent, or drafted (local days)."""
    if data["received_on"] is not None:
        return data["received_on"]
    moment = data["sent_at"] or data["drafted_at"] or data["created_at"]
    return local_today(moment)


def _keywords(row: Document) -> str:
    """The numbers the document is known by, then who sent it or to whom, while they fit."""
    words = [row.number]
    for extra in (row.issued_no or "", row.sender_ref, row.sender, row.addressee):
        if extra and len(" ".join([*words, extra])) <= KEYWORDS_MAX:
            words.append(extra)
    return " ".join(words)
