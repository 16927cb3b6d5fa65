"""Retention and approved destruction (R2, R3): the due-for-review list, disposal holds, and
destruction lists proposed by a clerk, decided by the manager, carried out with a witness.

The destruction list is one PDF with three signature boxes: the manager signs it when
deciding (``destruction_decision``); the executor and the witness sign the same file into
their empty boxes when the files are destroyed (``destruction_record``), incremental updates
that keep the manager's signature valid.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import peewee

from desk_app.domain import archive as rules
from desk_app.domain import retention as retention_rules
from desk_app.domain import text
from desk_app.domain.areas.approvals import ApprovalsPermission
from desk_app.domain.clock import local_today
from desk_app.domain.errors import Conflict, NotFound, Tampered, ValidationError
from desk_app.domain.retention import OPEN_STATUSES, DestructionStatus
from desk_app.domain.roles import parse_roles
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import (
    ArchiveService,
    record_secret_views,
    visible_items,
    visible_levels,
)
from desk_app.services.base import Service
from desk_app.services.retention_queries import (
    decision_problem,
    document_link,
    due_where,
    listable_levels,
    open_hold,
    refresh_review_dates,
)
from desk_app.services.settings import SettingsService
from desk_app.services.signed_documents import checked_pdf
from desk_app.services.signing import KeyService
from desk_app.store import numbers
from desk_app.store.approvals import Destruction, DestructionItem, DisposalHold
from desk_app.store.archive import Department, Item, Kind, SignedDocument, shown_title, tuples
from desk_app.store.models import User

P = ApprovalsPermission
S = DestructionStatus
DESTROYED = rules.Status.DESTROYED.value


@dataclass(frozen=True)
class DestructionFilter:
    status: str | None = None  # proposed | approved | refused | done; None: every list


def _who(user: User | None) -> str | None:
    return None if user is None else (user.full_name or user.name)




class RetentionService(Service):
    settings: SettingsService
    keys: KeyService
    archive: ArchiveService

    def today(self) -> date:
        return local_today(self.ctx.clock.now())

    # ------------------------------------------------------------ retention defaults

    def set_kind_retention(self, actor: Actor, kind_code: str, years: int | None) -> int:
        """A kind's default retention (None: permanent); the review dates of its files that
        have no retention of their own follow. Returns how many files were updated."""
        self.require(actor, P.RETENTION_DEFAULTS)
        years = retention_rules.check_kind_years(years)
        code = text.lookup(kind_code or "").strip().upper()
        with self.write() as tx:
            kind = self.locked(Kind.select().where(Kind.code == code), of=Kind).first()
            if kind is None:
                raise ValidationError(_("Unknown kind {code}.").format(code=kind_code), field="kind")
            before = kind.retention_years
            Kind.update(retention_years=years).where(Kind.id == kind.id).execute()
            updated = refresh_review_dates(
                (Item.kind == kind.id) & Item.retention_years.is_null(), years)
            tx.audit(actor, "kind.retention", "kind", kind.id,
                     before={"code": kind.code, "retention_years": before},
                     after={"code": kind.code, "retention_years": years, "items": updated})
        return updated

    # ------------------------------------------------------------ due for review

    def due_count(self, actor: Actor) -> int:
        self.require(actor, P.RETENTION_VIEW)
        return int(Item.select().where(due_where(actor, self.today())).count())

    def due_page(self, actor: Actor, offset: int, limit: int) -> list[dict[str, Any]]:
        """Oldest review date first (review_on, then id: the index's own order)."""
        self.require(actor, P.RETENTION_VIEW)
        query = (Item.select(Item.id, Item.ref, shown_title(), Kind.name, Department.name,
                             Item.doc_date, Item.retention_years, Kind.retention_years,
                             Item.review_on, Item.status)
                 .join_from(Item, Kind).join_from(Item, Department)
                 .where(due_where(actor, self.today()))
                 .order_by(Item.review_on, Item.id).offset(max(0, offset)).limit(max(0, limit)))
        rows = tuples(query)
        held = {item_id for (item_id,) in tuples(DisposalHold.select(DisposalHold.item).where(
            DisposalHold.item.in_([row[0] for row in rows])
            & DisposalHold.released_at.is_null()))} if rows else set()
        return [{"id": item_id, "ref": ref, "title": title, "kind": kind, "dept": dept,
                 "doc_date": doc_date,
                 "retention_years": retention_rules.effective_years(own, default),
                 "review_on": review, "held": item_id in held,
                 "on_loan": status == rules.Status.ON_LOAN.value}
                for (item_id, ref, title, kind, dept, doc_date, own, default, review, status)
                in rows]

    # ------------------------------------------------------------ disposal holds

    def _locked_items(self, actor: Actor, refs: list[str],
                      levels: tuple[rules.Level, ...] | None = None) -> list[Item]:
        levels = visible_levels(actor) if levels is None else levels
        query = (Item.select(Item, Kind, Department).join_from(Item, Kind)
                 .join_from(Item, Department)
                 .where(Item.ref.in_(refs) & Item.level.in_(levels)))
        found = {item.ref: item for item in self.locked(query.order_by(Item.id), of=Item)}
        missing = [ref for ref in refs if ref not in found]
        if missing:  # unknown and sealed alike (R6)
            raise rules.no_such_item(", ".join(missing))
        return [found[ref] for ref in refs]

    @staticmethod
    def _not_destroyed(item: Item) -> None:
        if item.status == DESTROYED:
            raise ValidationError(_("{ref} was destroyed; nothing more can be done with it.")
                                  .format(ref=item.ref), field="ref")

    def hold(self, actor: Actor, ref: str, reason: str) -> dict[str, Any]:
        """Stop ``ref`` from being destroyed until the hold is released (R2)."""
        self.require(actor, P.RETENTION_MANAGE)
        ref = rules.check_ref(ref)
        reason = retention_rules.check_reason(reason)
        with self.write() as tx:
            (item,) = self._locked_items(actor, [ref], listable_levels(actor))
            self._not_destroyed(item)
            if open_hold(item.id).exists():
                raise ValidationError(_("{ref} is under a disposal hold already.").format(ref=ref),
                                      field="ref")
            hold = DisposalHold.create(item=item.id, reason=reason, placed_by=actor.user_id,
                                       placed_at=tx.at)
            tx.audit(actor, "retention.hold", "item", item.id,
                     after={"ref": ref, "hold": hold.id, "reason": reason})
        return self._holds(DisposalHold.id == hold.id, 0, 1)[0]

    def release(self, actor: Actor, ref: str, reason: str) -> dict[str, Any]:
        self.require(actor, P.RETENTION_MANAGE)
        ref = rules.check_ref(ref)
        reason = retention_rules.check_reason(reason)
        with self.write() as tx:
            (item,) = self._locked_items(actor, [ref])
            hold = self.locked(open_hold(item.id), of=DisposalHold).first()
            if hold is None:
                raise ValidationError(_("{ref} is not under a disposal hold.").format(ref=ref),
                                      field="ref")
            DisposalHold.update(released_by=actor.user_id, released_at=tx.at,
                                release_reason=reason).where(DisposalHold.id == hold.id).execute()
            tx.audit(actor, "retention.release", "item", item.id,
                     after={"ref": ref, "hold": hold.id, "reason": reason})
        return self._holds(DisposalHold.id == hold.id, 0, 1)[0]

    def holds(self, actor: Actor, current_only: bool = True, offset: int = 0,
              limit: int = 200) -> list[dict[str, Any]]:
        self.require(actor, P.RETENTION_VIEW)
        where = Item.level.in_(visible_levels(actor))
        if current_only:
            where &= DisposalHold.released_at.is_null()
        return self._holds(where, offset, limit)

    @staticmethod
    def _holds(where: Any, offset: int, limit: int) -> list[dict[str, Any]]:
        placed, released = User.alias("placed"), User.alias("released")
        query = (DisposalHold.select(
            DisposalHold.id, Item.ref, shown_title(), DisposalHold.reason,
            peewee.fn.COALESCE(peewee.fn.NULLIF(placed.full_name, ""), placed.name),
            DisposalHold.placed_at,
            peewee.fn.COALESCE(peewee.fn.NULLIF(released.full_name, ""), released.name),
            DisposalHold.released_at, DisposalHold.release_reason)
            .join_from(DisposalHold, Item)
            .join_from(DisposalHold, placed, on=(DisposalHold.placed_by == placed.id))
            .join_from(DisposalHold, released, peewee.JOIN.LEFT_OUTER,
                       on=(DisposalHold.released_by == released.id))
            .where(where).order_by(DisposalHold.id.desc())
            .offset(max(0, offset)).limit(max(0, limit)))
        keys = ("id", "ref", "title", "reason", "placed_by", "placed_at", "released_by",
                "released_at", "release_reason")
        return [dict(zip(keys, row, strict=True)) for row in tuples(query)]

    # ------------------------------------------------------------ destruction lists

    def propose(self, actor: Actor, refs: list[str], reason: str) -> dict[str, Any]:
        """A destruction list (销毁清册) of files past their retention, for the manager."""
        self.require(actor, P.RETENTION_MANAGE)
        refs = [rules.check_ref(ref) for ref in dict.fromkeys(refs or [])]
        if not refs:
            raise ValidationError(_("Give at least one reference."), field="ref")
        reason = retention_rules.check_reason(reason)
        today = self.today()
        with self.write() as tx:
            items = self._locked_items(actor, refs, listable_levels(actor))
            for item in items:
                self._check_destroyable(item)
                if item.review_on is None:
                    raise ValidationError(_("{ref} is kept permanently and cannot be destroyed.")
                                          .format(ref=item.ref), field="ref")
                if item.review_on > today:
                    raise ValidationError(_("{ref} is not due for review before {day}.").format(
                        ref=item.ref, day=item.review_on.isoformat()), field="ref")
            listed = (DestructionItem.select(Item.ref, Destruction.number)
                      .join_from(DestructionItem, Item).join_from(DestructionItem, Destruction)
                      .where(DestructionItem.item.in_([item.id for item in items])
                             & Destruction.status.in_(OPEN_STATUSES)).tuples().first())
            if listed:
                raise ValidationError(_("{ref} is on the destruction list {number} already.")
                                      .format(ref=listed[0], number=listed[1]), field="ref")
            prefix = f"XH{tx.at.year}-"
            seq = numbers.next_number(f"destruction:{prefix}", lambda: numbers.highest_suffix(
                Destruction, Destruction.number, prefix))
            record = Destruction.create(number=f"{prefix}{seq:04d}", status=S.PROPOSED.value,
                                        reason=reason, proposed_by=actor.user_id,
                                        proposed_at=tx.at)
            DestructionItem.insert_many([{"destruction": record.id, "item": item.id}
                                         for item in items]).execute()
            tx.audit(actor, "destruction.propose", "destruction", record.id,
                     after={"number": record.number, "refs": refs, "reason": reason})
        return self._show(record.id)

    @staticmethod
    def _check_destroyable(item: Item) -> None:
        """What stops a file from being listed or destroyed now (R2, R3)."""
        RetentionService._not_destroyed(item)
        if item.status == rules.Status.ON_LOAN.value:
            raise ValidationError(_("{ref} is on loan: it is destroyed only once it is back.")
                                  .format(ref=item.ref), field="ref")
        if open_hold(item.id).exists():
            raise ValidationError(_("{ref} is under a disposal hold: release the hold first.")
                                  .format(ref=item.ref), field="ref")

    def decide(self, actor: Actor, destruction_id: int, approve: bool, reason: str,
               password: str, handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The manager approves or refuses a proposed list, signing it (a refusal too)."""
        from desk_app.forms.retention import destruction_pdf

        self.require(actor, P.RETENTION_DECIDE)
        reason = retention_rules.check_reason(reason)
        data = self._show(destruction_id)
        self._still_proposed(data["status"], data["number"])
        self._not_proposer(actor, destruction_id)
        now = self.ctx.clock.now()
        user = User.get_by_id(actor.user_id)
        decision = {"approved": bool(approve), "by": _who(user), "at": now, "reason": reason}
        pdf = destruction_pdf(str(self.settings.value("company_name")), data, decision)
        signed = self.keys.sign_pdf(actor, pdf, "manager", password, handwriting_png,
                                    _("Approved by") if approve else _("Refused by"))
        with self.write() as tx:
            record = self.locked(Destruction.select().where(Destruction.id == destruction_id),
                                 of=Destruction).get()
            self._still_proposed(record.status, record.number)
            self._not_proposer(actor, destruction_id)
            document = SignedDocument.create(
                kind="destruction_decision", record_no=record.number, pdf=signed,
                sha256=hashlib.sha256(signed).hexdigest(), created_at=tx.at,
                created_by=actor.user_id)
            status = S.APPROVED if approve else S.REFUSED
            Destruction.update(status=status.value, decided_by=actor.user_id, decided_at=tx.at,
                               decision_reason=reason, decision_document=document.id).where(
                Destruction.id == record.id).execute()
            tx.audit(actor, "destruction_decision.sign", "destruction_decision", record.id,
                     after={"number": record.number, "decision": status.value, "reason": reason,
                            "sha256": document.sha256})
        return self._show(destruction_id)

    @staticmethod
    def _not_proposer(actor: Actor, destruction_id: int) -> None:
        record = Destruction.get_by_id(destruction_id)
        if document_link(record, "proposed_by") == actor.user_id:
            raise ValidationError(_("{number} was proposed by you: another manager decides it "
                                    "(separation of duties).").format(number=record.number),
                                  field="decision")

    @staticmethod
    def _still_proposed(status: str, number: str) -> None:
        if status != S.PROPOSED.value:
            raise Conflict(_("The destruction list {number} was decided already (status: "
                             "{status}); it can be decided only once.").format(
                                 number=number, status=retention_rules.status_label(status)))

    def destroy(self, actor: Actor, destruction_id: int, witness: str, witness_password: str,
                method: str, password: str, executor_png: bytes | None = None,
                witness_png: bytes | None = None) -> dict[str, Any]:
        """Carry out an approved list: the executor and the witness (监销人) sign the manager's
        signed list into their boxes; the files become ``destroyed``, in one write."""
        self.require(actor, P.RETENTION_MANAGE)
        method = retention_rules.check_method(method)
        data = self._show(destruction_id)
        self._check_approved(data["status"], data["number"])
        record = Destruction.get_by_id(destruction_id)
        witness_actor = self._witness(actor, witness, record)
        self._check_decision(record)
        self._check_items(list(Item.select().where(Item.id.in_(
            [i["id"] for i in data["items"]])).order_by(Item.id)))  # again under lock below
        pdf = checked_pdf(SignedDocument.get_by_id(document_link(record, "decision_document")),
                          record.id)
        label = _("Carried out — {method}").format(method=retention_rules.method_label(method))
        signed = self.keys.sign_pdf(actor, pdf, "executor", password, executor_png, label)
        signed = self.keys.sign_pdf(witness_actor, signed, "witness", witness_password,
                                    witness_png, _("Witness"))
        with self.write() as tx:
            record = self.locked(Destruction.select().where(Destruction.id == destruction_id),
                                 of=Destruction).get()
            self._check_approved(record.status, record.number)
            self._witness(actor, witness, record)
            self._check_decision(record)
            items = list(self.locked(Item.select().where(Item.id.in_(
                [i["id"] for i in data["items"]])).order_by(Item.id), of=Item))
            self._check_items(items)
            document = SignedDocument.create(
                kind="destruction_record", record_no=f"{record.number}-R", pdf=signed,
                sha256=hashlib.sha256(signed).hexdigest(), created_at=tx.at,
                created_by=actor.user_id)
            Item.update(status=DESTROYED).where(Item.id.in_([item.id for item in items])).execute()
            Destruction.update(status=S.DONE.value, executed_by=actor.user_id, executed_at=tx.at,
                               witness=witness_actor.user_id, method=method,
                               record_document=document.id).where(
                Destruction.id == record.id).execute()
            tx.audit(actor, "destruction_record.sign", "destruction_record", record.id,
                     after={"number": record.number, "refs": [item.ref for item in items],
                            "witness": witness_actor.name, "method": method,
                            "sha256": document.sha256})
        return self._show(destruction_id)

    @staticmethod
    def _check_decision(record: Destruction) -> None:
        problem = decision_problem(record)
        if problem is not None:
            raise Tampered(problem)

    def _check_items(self, items: list[Item]) -> None:
        """What stops the files from being destroyed now: loans, holds, and a retention that
        changed since the list was approved (a kind made permanent, R2)."""
        today = self.today()
        for item in items:
            self._check_destroyable(item)
        kept = [item.ref for item in items if item.review_on is None or item.review_on > today]
        if kept:
            raise ValidationError(_("No longer due for destruction (their retention changed): "
                                    "{refs}.").format(refs=", ".join(kept)), field="ref")

    @staticmethod
    def _witness(actor: Actor, name: str, record: Destruction) -> Actor:
        """The witness: another active staff member, who signs with their own password —
        neither the executor, the proposer nor the manager who decided (separation of
        duties)."""
        wanted = text.lookup(name or "").strip().lower()
        if not wanted:
            raise ValidationError(_("Who witnesses the destruction? Give a staff member's user "
                                    "name."), field="witness")
        user = User.get_or_none(User.name == wanted)
        if user is None or not user.active:
            raise ValidationError(_("No active staff member {name}.").format(name=name),
                                  field="witness")
        if user.id == actor.user_id:
            raise ValidationError(_("The witness must be someone other than the person carrying "
                                    "out the destruction."), field="witness")
        if user.id in (document_link(record, "proposed_by"), document_link(record, "decided_by")):
            raise ValidationError(_("The witness must be someone other than the person who "
                                    "proposed the list and the manager who decided it."),
                                  field="witness")
        return Actor(user_id=user.id, name=user.name, roles=parse_roles(user.roles),
                     full_name=user.full_name or "")

    @staticmethod
    def _check_approved(status: str, number: str) -> None:
        if status == S.DONE.value:
            raise Conflict(_("The files of {number} were destroyed already.").format(number=number))
        if status != S.APPROVED.value:
            raise ValidationError(_("The destruction list {number} is not approved (status: "
                                    "{status}): only a list the manager approved is carried "
                                    "out.").format(
                number=number, status=retention_rules.status_label(status)), field="status")

    # ------------------------------------------------------------ reading

    def show(self, actor: Actor, destruction_id: int) -> dict[str, Any]:
        """One list with the files ``actor`` may see (R6); showing secret titles is an audited
        view (R7)."""
        self.require(actor, P.RETENTION_VIEW)
        data = self._show(destruction_id)
        shown = {item_id for (item_id,) in tuples(Item.select(Item.id).where(
            Item.id.in_([i["id"] for i in data["items"]]) & visible_items(actor)))}
        data["items"] = [i for i in data["items"] if i["id"] in shown]
        record_secret_views(self, actor, ((i["id"], i["ref"], i["level"]) for i in data["items"]),
                            "destruction")
        return data

    def document(self, actor: Actor, destruction_id: int) -> bytes:
        """The destruction record once carried out, else the manager's signed list."""
        self.require(actor, P.RETENTION_VIEW)
        record = Destruction.get_or_none(Destruction.id == destruction_id)
        if record is None:
            raise NotFound(_("No destruction list {id}.").format(id=destruction_id))
        document_id = document_link(record, "record_document") or document_link(record, "decision_document")
        if document_id is None:
            raise NotFound(_("The destruction list {number} is not signed yet.").format(
                number=record.number))
        items = tuples(Item.select(Item.id, Item.ref, Item.level).join(DestructionItem)
                       .where(DestructionItem.destruction == record.id))
        if Item.select().where(Item.id.in_([row[0] for row in items])  # R6: sealed references
                               & visible_items(actor)).count() < len(items):
            raise NotFound(_("The destruction list {number} names files you may not see.")
                           .format(number=record.number))
        pdf = checked_pdf(SignedDocument.get_by_id(document_id), record.id)
        record_secret_views(self, actor, items, "destruction")  # the PDF lists the titles (R7)
        return pdf

    def item_lists(self, actor: Actor, ref: str) -> list[dict[str, Any]]:
        """The destruction lists naming ``ref``, newest first: a destroyed file's link to its
        record (id, number, status, status_label, executed_at, signed_record)."""
        self.require(actor, P.RETENTION_VIEW)
        item = Item.get_or_none((Item.ref == rules.check_ref(ref))
                                & Item.level.in_(visible_levels(actor)))
        if item is None:
            raise rules.no_such_item(ref)
        from desk_app.services.retention_registers import destruction_rows

        ids = DestructionItem.select(DestructionItem.destruction).where(
            DestructionItem.item == item.id)
        return [{key: row[key] for key in ("id", "number", "status", "status_label",
                                           "executed_at", "signed_record")}
                for row in destruction_rows(Destruction.id.in_(ids), 0, 100)]

    def count(self, actor: Actor, flt: DestructionFilter) -> int:
        self.require(actor, P.RETENTION_VIEW)
        return int(Destruction.select().where(self._where(flt)).count())

    def page(self, actor: Actor, flt: DestructionFilter, offset: int,
             limit: int) -> list[dict[str, Any]]:
        self.require(actor, P.RETENTION_VIEW)
        from desk_app.services.retention_registers import destruction_rows

        return destruction_rows(self._where(flt), offset, limit)

    @staticmethod
    def _where(flt: DestructionFilter) -> Any:
        if flt.status:
            return Destruction.status == flt.status
        return peewee.SQL("1 = 1")

    def _show(self, destruction_id: int) -> dict[str, Any]:
        from desk_app.services.retention_registers import destruction_detail

        data = destruction_detail(destruction_id)
        if data is None:
            raise NotFound(_("No destruction list {id}.").format(id=destruction_id))
        return data
