"""The handover's signatures (R11) and refusals (R12): the outgoing person signs first, then
the incoming person (or the named substitute) — the moment of the handover — and a
supervisor who was neither countersigns; the record is then locked and its PDF stored as a
signed document. While any R12 condition holds, a signature is refused and the refusal is
recorded on the record."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from desk_app.domain.areas.handover import HandoverPermission
from desk_app.domain.errors import Conflict, NotFound, Tampered, ValidationError
from desk_app.domain.handover import Status
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.handover import handover_queries as q
from desk_app.services.settings import SettingsService
from desk_app.services.signed_documents import checked_pdf
from desk_app.services.signing import KeyService
from desk_app.store.archive import SignedDocument
from desk_app.store.handover import Handover, HandoverRefusal
from desk_app.store.models import AuditEntry

H = HandoverPermission
# Entries that set or withdraw a signature of an open handover: the last one names the form
# that stands (a flag raised after the outgoing signature withdraws it).
_SIGNATURE_STEPS = ("handover.sign_outgoing", "handover.sign_incoming",
                    "handover.flag_equipment", "handover.flag_unfit")


class HandoverRefused(Conflict):
    """The rules forbid the handover now (R12); ``blockers``: [{code, message}], each
    condition that blocks. The refusal was recorded on the record before this was raised."""

    def __init__(self, number: str, blockers: list[dict[str, str]]) -> None:
        self.number = number
        self.blockers = blockers
        super().__init__(_("The handover {number} cannot take place now (R12): {reasons}")
                         .format(number=number,
                                 reasons="; ".join(b["message"] for b in blockers)))


class HandoverSigning(Service):
    settings: SettingsService
    keys: KeyService

    def _record(self, handover_id: int, lock: bool = False) -> Handover:
        query = Handover.select().where(Handover.id == handover_id)
        record = (self.locked(query, of=Handover) if lock else query).first()
        if record is None:
            raise NotFound(_("No handover {id}.").format(id=handover_id))
        return record

    def _show(self, handover_id: int) -> dict[str, Any]:
        return q.show_data(self._record(handover_id), self.ctx.clock.now())

    # ------------------------------------------------------------ who signs now

    @staticmethod
    def _signer_field(actor: Actor, record: Handover) -> str:
        """``outgoing`` or ``incoming``: the box ``actor`` signs now, or why they may not."""
        taker = record.substitute_id or record.incoming_id
        if record.status in (Status.HANDED_OVER, Status.LOCKED):
            raise Conflict(_("{number} was signed by both already.").format(
                number=record.number))
        if actor.user_id == record.outgoing_id:
            if record.status == Status.OUTGOING_SIGNED:
                raise Conflict(_("You signed {number} already; the incoming person signs "
                                 "next.").format(number=record.number))
            return "outgoing"
        if actor.user_id == taker:
            if record.status == Status.PREPARING:
                raise ValidationError(_("The outgoing person signs {number} first; then you "
                                        "sign as the incoming person.").format(
                    number=record.number), field="signer")
            return "incoming"
        if actor.user_id == record.incoming_id:  # replaced by the substitute
            raise ValidationError(_("You are marked unfit for {number}: the substitute signs "
                                    "instead.").format(number=record.number), field="signer")
        raise ValidationError(_("Only the outgoing and the incoming person sign {number}, each "
                                "their own part: nobody signs for someone else.").format(
            number=record.number), field="signer")

    def _refuse_if_blocked(self, actor: Actor, handover_id: int) -> None:
        """Records and raises the refusal when an R12 condition holds (its own write)."""
        with self.write() as tx:
            record = self._record(handover_id, lock=True)
            blockers = q.blocker_dicts(q.blockers_of(q.entries_of(record.id),
                                                     q.lines_of(record.id), record))
            if not blockers:
                tx.unchanged()
                return
            HandoverRefusal.create(handover=record.id, at=tx.at, by=actor.user_id,
                                   reasons=json.dumps(blockers, ensure_ascii=False))
            tx.audit(actor, "handover.refuse", "handover", record.id,
                     after={"number": record.number, "reasons": blockers})
        raise HandoverRefused(record.number, blockers)

    @staticmethod
    def _pending_pdf(record: Handover, to_sign: bool = True) -> bytes:
        """The partly signed form waiting in the record, or ``Tampered``: it must be the form
        the trail recorded at the last signature (outgoing while ``outgoing_signed``, incoming
        while ``handed_over``), not withdrawn since — so nobody signs over a form put back or
        swapped in the database."""
        pdf = bytes(record.pending_pdf or b"")
        wanted = {Status.OUTGOING_SIGNED.value: "handover.sign_outgoing",
                  Status.HANDED_OVER.value: "handover.sign_incoming"}.get(str(record.status))
        last = (AuditEntry.select(AuditEntry.action, AuditEntry.change)
                .where((AuditEntry.entity == "handover")
                       & (AuditEntry.entity_id == str(record.id))
                       & AuditEntry.action.in_(_SIGNATURE_STEPS))
                .order_by(AuditEntry.seq.desc()).first())
        after = (json.loads(last.change).get("after") or {}) if last is not None else {}
        if not pdf or wanted is None or last is None or last.action != wanted \
                or after.get("sha256") != hashlib.sha256(pdf).hexdigest():
            raise Tampered(_("The signed form of {number} waiting for the next signature is not "
                             "the one recorded when it was signed: it was changed in the "
                             "database.").format(number=record.number))
        if to_sign and q.changed_since_signed(record):
            raise Tampered(_("The entries or the checklist of {number} were changed in the "
                             "database after the outgoing person signed: they are not what "
                             "was signed.").format(number=record.number))
        return pdf

    def _rendered(self, data: dict[str, Any]) -> bytes:
        from desk_app.forms.handover import render_handover

        return render_handover({**data, "printed_at": self.ctx.clock.now()},
                               str(self.settings.value("company_name")))

    # ------------------------------------------------------------ the signatures

    def sign(self, actor: Actor, handover_id: int, password: str,
             handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The outgoing person, then the incoming person (or substitute), sign their box."""
        self.require(actor, H.HANDOVER_WORK)
        record = self._record(handover_id)
        field = self._signer_field(actor, record)
        pending = self._pending_pdf(record) if field == "incoming" else b""
        self._refuse_if_blocked(actor, handover_id)
        data = self._show(handover_id)
        if data["version"] != record.version or data["blockers"]:
            self._refuse_if_blocked(actor, handover_id)  # blocked meanwhile: recorded, raised
            raise Conflict(_("{number} was changed meanwhile on another desk: look at it "
                             "again and sign once more.").format(number=record.number))
        if field == "outgoing":
            pdf = self._rendered(data)
            label = _("Handed over by")
        else:
            pdf = pending
            label = _("Taken over by")
        signed = self.keys.sign_pdf(actor, pdf, field, password, handwriting_png, label)
        with self.write() as tx:
            now = self._record(handover_id, lock=True)
            if now.version != data["version"] or self._signer_field(actor, now) != field:
                raise Conflict(_("{number} was changed meanwhile on another desk: look at it "
                                 "again and sign once more.").format(number=now.number))
            if field == "outgoing":
                changes: dict[str, Any] = {"status": Status.OUTGOING_SIGNED.value,
                                           "outgoing_signed_at": tx.at}
            else:
                changes = {"status": Status.HANDED_OVER.value, "handed_over_at": tx.at,
                           "open_slot": None}
            Handover.update(version=Handover.version + 1, pending_pdf=signed, **changes).where(
                Handover.id == now.id).execute()
            tx.audit(actor, f"handover.sign_{field}", "handover", now.id, after={
                "number": now.number, "late": tx.at > now.scheduled_at,
                "sha256": hashlib.sha256(signed).hexdigest(),
                "content": q.content_digest(now)})
        return self._show(handover_id)

    @staticmethod
    def _countersignable(actor: Actor, record: Handover) -> None:
        if record.status == Status.LOCKED:
            raise Conflict(_("{number} was countersigned already.").format(number=record.number))
        if record.status != Status.HANDED_OVER:
            raise ValidationError(_("{number} is not handed over yet: both the outgoing and the "
                                    "incoming person sign before the supervisor countersigns.")
                                  .format(number=record.number), field="status")
        if actor.user_id in (record.outgoing_id, record.incoming_id, record.substitute_id):
            raise ValidationError(_("You took part in {number}: another supervisor "
                                    "countersigns it.").format(number=record.number),
                                  field="signer")

    def countersign(self, actor: Actor, handover_id: int, password: str,
                    handwriting_png: bytes | None = None) -> dict[str, Any]:
        """A supervisor who took no part countersigns; the record is locked (R11)."""
        self.require(actor, H.HANDOVER_COUNTERSIGN)
        record = self._record(handover_id)
        self._countersignable(actor, record)
        pdf = self._pending_pdf(record)
        signed = self.keys.sign_pdf(actor, pdf, "supervisor", password, handwriting_png,
                                    _("Countersigned by"))
        with self.write() as tx:
            now = self._record(handover_id, lock=True)
            self._countersignable(actor, now)
            if now.version != record.version:
                raise Conflict(_("{number} was changed meanwhile on another desk: look at it "
                                 "again.").format(number=now.number))
            document = SignedDocument.create(
                kind="handover", record_no=now.number, pdf=signed,
                sha256=hashlib.sha256(signed).hexdigest(), created_at=tx.at,
                created_by=actor.user_id)
            Handover.update(version=Handover.version + 1, status=Status.LOCKED.value,
                            locked_at=tx.at, supervisor=actor.user_id, document=document.id,
                            pending_pdf=None).where(Handover.id == now.id).execute()
            tx.audit(actor, "handover.sign", "handover", now.id,
                     after={"number": now.number, "sha256": document.sha256,
                            "content": q.content_digest(now)})
        return self._show(handover_id)

    def pdf(self, actor: Actor, handover_id: int) -> bytes:
        """The countersigned form (checked against the trail), else the form signed so far,
        else an unsigned print of the record as it stands."""
        self.require(actor, H.HANDOVER_VIEW)
        record = self._record(handover_id)
        if record.document_id is not None:
            return checked_pdf(SignedDocument.get_by_id(record.document_id), record.id)
        if record.status != Status.PREPARING:
            return self._pending_pdf(record, to_sign=False)
        return self._rendered(self._show(handover_id))
