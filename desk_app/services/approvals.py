"""Confidential access approvals (R5): requests, the manager's signed decisions, revocation,
the check a loan of a secret item passes, and copies made under an approval."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from desk_app.domain import approvals as rules
from desk_app.domain import archive as archive_rules
from desk_app.domain.approvals import RequestStatus
from desk_app.domain.areas.approvals import ApprovalsPermission as P
from desk_app.domain.clock import local_today
from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, Tampered, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services import approval_registers as register
from desk_app.services.approval_registers import ApprovalFilter
from desk_app.services.archive import ArchiveService, record_secret_views, visible_levels
from desk_app.services.base import Service
from desk_app.services.borrowers import BorrowerInput, borrower, check_borrower, find_borrower
from desk_app.services.settings import SettingsService
from desk_app.services.signed_documents import checked_pdf
from desk_app.services.signing import KeyService
from desk_app.store import audit_chain, numbers
from desk_app.store.approvals import AccessRequest, AccessRequestItem, CopyRecord
from desk_app.store.archive import Borrower, Item, Kind, Loan, SignedDocument, tuples
from desk_app.store.models import User

__all__ = ["ApprovalFilter", "ApprovalService", "approvals_of", "check_signed_approval",
           "closing_time", "locked_renewal_check"]

Level = archive_rules.Level


def approvals_of(item_ids: list[int], locked: Callable[..., Any] | None = None
                 ) -> dict[int, list[rules.Approval]]:
    """Every request naming each item, newest first (the loan check and explain()). With
    ``locked`` (Service.locked) the requests stay locked until the transaction ends, so a
    revocation at another desk cannot slip between the check and the loan."""
    R = AccessRequest
    query = (R.select(AccessRequestItem.item, R.id, R.number, R.borrower, R.access, R.status,
                      R.window_from, R.window_to, R.document)
             .join(AccessRequestItem).where(AccessRequestItem.item.in_(item_ids))
             .order_by(R.id.desc()))
    if locked is not None:
        query = locked(query, of=AccessRequest)
    found: dict[int, list[rules.Approval]] = {}
    for item_id, *fields in tuples(query):
        found.setdefault(item_id, []).append(rules.Approval(*fields))
    return found


def signed_problem(request_id: int, number: str, document_id: int | None,
                   decision: str | None = RequestStatus.APPROVED.value) -> tuple[str, bool] | None:
    """None when request ``request_id`` carries a genuine signed decision (``decision``; None:
    any): its own form (record number), unchanged (the row's hash), and the audit trail's
    ``access_approval.sign`` entry of THIS request recorded that hash and that decision. Else
    (why, tampered): a stored status or document link rewritten in the database does not make
    an approval. One blob read, one SHA-256 and one indexed audit lookup."""
    missing = _("{number}: the approval's signed form is missing, so it does not count; "
                "the manager must decide and sign it.").format(number=number)
    document = (SignedDocument.get_or_none(SignedDocument.id == document_id)
                if document_id is not None else None)
    if document is None:
        return missing, False
    changed = (_("{number}: the approval's signed form does not match the request or the "
                 "signature recorded in the audit trail: it was changed in the database.")
               .format(number=number), True)
    digest = hashlib.sha256(bytes(document.pdf)).hexdigest()
    if (document.kind != "access_approval" or document.record_no != number
            or digest != document.sha256):
        return changed
    for after in audit_chain.recorded_after("access_approval", request_id,
                                            "access_approval.sign"):
        if after.get("sha256") == digest and decision in (None, after.get("decision")):
            return None
    return changed


def check_signed_approval(approval: rules.Approval) -> None:
    """Raise unless ``approval`` carries a genuine signed approval (Tampered when changed)."""
    found = signed_problem(approval.id, approval.number, approval.document_id)
    if found is not None:
        why, tampered = found
        raise Tampered(why) if tampered else ValidationError(why, field="ref")


def locked_renewal_check(locked: Callable[..., Any], request_id: int, borrower_id: int,
                         due: date, now: datetime) -> None:
    """R5 for ``LoanService.renew`` of a take-out loan made under request ``request_id``: the
    request row locked till commit (a revocation cannot slip in), the approval live, for this
    person, genuine, and the new due date inside its window; else ValidationError/Tampered."""
    R = AccessRequest
    rows = list(tuples(locked(R.select(R.id, R.number, R.borrower, R.access, R.status,
                                       R.window_from, R.window_to, R.document)
                              .where(R.id == request_id), of=AccessRequest)))
    if not rows:
        raise ValidationError(_("The loan's access approval no longer exists."), field="ref")
    approval = rules.Approval(*rows[0])
    why = rules.renewal_problem(approval, borrower_id, due, now, local_today(now))
    if why is not None:
        raise ValidationError(why, field="ref")
    check_signed_approval(approval)


def next_number(at: datetime) -> str:
    """SP2026-0001: the year and a gap-free running number (store.numbers), inside the write."""
    year = f"SP{at.year}-"
    seq = numbers.next_number(f"access_request:{year}", lambda: numbers.highest_suffix(
        AccessRequest, AccessRequest.number, year))
    return f"{year}{seq:04d}"


def closing_time(settings: SettingsService) -> Any:
    try:
        return rules.parse_closing_time(str(settings.value("closing_time")))
    except ValueError:
        return rules.parse_closing_time("17:30")


def _person(user: User | None) -> str:
    return (user.full_name or user.name) if user is not None else ""


class ApprovalService(Service):
    settings: SettingsService
    keys: KeyService
    archive: ArchiveService

    def today(self) -> date:
        return local_today(self.ctx.clock.now())

    # ------------------------------------------------------------ requests and decisions

    def request(self, actor: Actor, refs: list[str], requester: BorrowerInput, purpose: str,
                access: str, window_from: date, window_to: date,
                copies: int | None = None) -> dict[str, Any]:
        """A clerk files a request to read, copy or take out secret items (R5)."""
        self.require(actor, P.APPROVAL_REQUEST)
        refs = [archive_rules.check_ref(ref) for ref in dict.fromkeys(refs or [])]
        if not refs:
            raise ValidationError(_("Scan or type at least one reference."), field="ref")
        kind = rules.check_access(access)
        copies = rules.check_copies(kind, copies)
        purpose = rules.check_purpose(purpose)
        rules.check_window(window_from, window_to, self.today())
        check_borrower(requester)
        with self.write() as tx:
            items = self._secret_items(actor, refs)
            person = borrower(self.ctx.db, requester, tx.at)
            row = AccessRequest.create(
                number=next_number(tx.at), borrower=person.id, purpose=purpose, access=kind.value,
                copies=copies, window_from=window_from, window_to=window_to,
                status=RequestStatus.PENDING.value, requested_by=actor.user_id, requested_at=tx.at)
            AccessRequestItem.insert_many([{"request": row.id, "item": item.id}
                                           for item in items]).execute()
            tx.audit(actor, "access_request.file", "access_request", row.id, after={
                "number": row.number, "refs": refs, "requester": person.name, "purpose": purpose,
                "access": kind.value, "copies": copies, "from": window_from.isoformat(),
                "to": window_to.isoformat()})
        return self._show(row.id)

    @staticmethod
    def _secret_items(actor: Actor, refs: list[str]) -> list[Item]:
        found = {item.ref: item for item in Item.select().where(
            Item.ref.in_(refs) & Item.level.in_(visible_levels(actor)))}
        missing = [ref for ref in refs if ref not in found]
        if missing:  # unknown and sealed alike (R6)
            raise archive_rules.no_such_item(", ".join(missing))
        for ref in refs:
            item = found[ref]
            if item.level == Level.PERSONNEL:
                raise ValidationError(_("{ref} is a personnel file: nobody can be given access "
                                        "to it this way.").format(ref=ref), field="ref")
            if item.level != Level.SECRET:
                raise ValidationError(_("{ref} is not secret ({level}): it needs no approval; "
                                        "lend it at the loan desk.").format(
                                            ref=ref, level=archive_rules.level_label(item.level)),
                                      field="ref")
            if item.status == archive_rules.Status.DESTROYED:
                raise ValidationError(_("{ref} was destroyed.").format(ref=ref), field="ref")
        return [found[ref] for ref in refs]

    def _locked(self, request_id: int) -> AccessRequest:
        row = self.locked(AccessRequest.select().where(AccessRequest.id == request_id),
                          of=AccessRequest).first()
        if row is None:
            raise NotFound(_("No access request {id}.").format(id=request_id))
        return row

    def decide(self, actor: Actor, request_id: int, approve: bool, reason: str, password: str,
               handwriting_png: bytes | None = None) -> dict[str, Any]:
        """The manager approves or refuses, with a reason, signing the form (PAdES)."""
        from desk_app.forms.approvals import approval_pdf

        self.require(actor, P.APPROVAL_DECIDE)
        reason = rules.check_reason(reason)
        self._check_not_involved(actor, request_id)
        data = self._show(request_id)
        self._check_pending(data["number"], RequestStatus(data["status"]))
        at = self.ctx.clock.now()
        decision = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
        user = User.get_by_id(actor.user_id)
        form = {**data, "status": decision.value, "status_label": decision.label,
                "decided_by": _person(user), "decided_at": at, "decision_reason": reason}
        pdf = approval_pdf(str(self.settings.value("company_name")), form)
        signed = self.keys.sign_pdf(actor, pdf, "manager", password, handwriting_png,
                                    _("Approved by") if approve else _("Refused by"))
        with self.write() as tx:
            row = self._locked(request_id)  # two desks deciding at once: the second waits here
            self._check_pending(row.number, rules.status_of(row.status, row.window_to, tx.at))
            self._check_not_involved(actor, row.id)
            digest = hashlib.sha256(signed).hexdigest()
            document = SignedDocument.create(kind="access_approval", record_no=row.number,
                                             pdf=signed, sha256=digest, created_at=tx.at,
                                             created_by=actor.user_id)
            (AccessRequest.update(status=decision.value, decided_by=actor.user_id, decided_at=at,
                                  decision_reason=reason, document=document.id)
             .where(AccessRequest.id == row.id).execute())
            tx.audit(actor, "access_approval.sign", "access_approval", row.id, after={
                "number": row.number, "decision": decision.value, "reason": reason,
                "sha256": digest})
        return self._show(request_id)

    @staticmethod
    def _check_not_involved(actor: Actor, request_id: int) -> None:
        """Separation of duties: the clerk who filed a request, or its requester, never
        decides it (even holding the manager's role too)."""
        row = (AccessRequest.select(AccessRequest.number, AccessRequest.requested_by,
                                    Borrower.user).join(Borrower)
               .where(AccessRequest.id == request_id).tuples().first())
        if row is None:
            raise NotFound(_("No access request {id}.").format(id=request_id))
        number, filed_by, requester = row
        if actor.user_id in (filed_by, requester):
            raise PermissionDenied(rules.same_person_message(number))

    @staticmethod
    def _check_pending(number: str, status: RequestStatus) -> None:
        if status != RequestStatus.PENDING:
            raise Conflict(rules.not_pending_message(number, status))

    def revoke(self, actor: Actor, request_id: int, reason: str) -> dict[str, Any]:
        """End a live approval early, with a reason."""
        self.require(actor, P.APPROVAL_DECIDE)
        reason = rules.check_reason(reason, _("Give the reason for revoking the approval."))
        with self.write() as tx:
            row = self._locked(request_id)
            status = rules.status_of(row.status, row.window_to, tx.at)
            if status != RequestStatus.APPROVED:
                raise Conflict(_("{number} is {status}: only a live approval can be revoked.")
                               .format(number=row.number, status=status.label.lower()))
            (AccessRequest.update(status=RequestStatus.REVOKED.value, revoked_by=actor.user_id,
                                  revoked_at=tx.at, revoke_reason=reason)
             .where(AccessRequest.id == row.id).execute())
            open_loans = _open_loans(row.id)
            after: dict[str, Any] = {"number": row.number, "reason": reason}
            if open_loans:  # still revoked; the clerk recalls them (show()["open_loans"])
                after["open_loans"] = [loan["ref"] for loan in open_loans]
            tx.audit(actor, "access_request.revoke", "access_request", row.id, after=after)
        return self._show(request_id)

    # ------------------------------------------------------------ copies

    def record_copies(self, actor: Actor, request_id: int, ref: str, copies: int
                      ) -> dict[str, Any]:
        """Copies made of one item under a live copy approval; at most the approved total."""
        self.require(actor, P.APPROVAL_REQUEST)
        ref = archive_rules.check_ref(ref)
        copies = rules.check_copy_count(copies)
        with self.write() as tx:
            row = self._locked(request_id)
            status = rules.status_of(row.status, row.window_to, tx.at)
            if status != RequestStatus.APPROVED:
                raise ValidationError(_("{number} is {status}: no copies may be made under it.")
                                      .format(number=row.number, status=status.label.lower()),
                                      field="request")
            if row.access != rules.Access.COPY:
                raise ValidationError(_("{number} does not allow copies.").format(
                    number=row.number), field="request")
            check_signed_approval(rules.Approval(
                row.id, row.number, row.borrower_id, row.access, row.status, row.window_from,
                row.window_to, row.document_id))
            if local_today(tx.at) < row.window_from:
                raise ValidationError(_("{number}: the window starts on {day}.").format(
                    number=row.number, day=row.window_from.isoformat()), field="request")
            item = (Item.select(Item.id).join(AccessRequestItem)
                    .where((AccessRequestItem.request == row.id) & (Item.ref == ref)).first())
            if item is None:
                raise ValidationError(_("{ref} is not on {number}.").format(
                    ref=ref, number=row.number), field="ref")
            made = CopyRecord.select(CopyRecord.copies).where(CopyRecord.request == row.id)
            total = sum(record.copies for record in made)
            if total + copies > (row.copies or 0):
                raise ValidationError(_("{number} allows {allowed} copies in total; {made} made "
                                        "so far, so not {n} more.").format(
                                            number=row.number, allowed=row.copies, made=total,
                                            n=copies), field="copies")
            record = CopyRecord.create(request=row.id, item=item.id, copies=copies,
                                       made_by=actor.user_id, made_at=tx.at)
            tx.audit(actor, "access_request.copies", "access_request", row.id, after={
                "number": row.number, "ref": ref, "copies": copies, "record": record.id})
        return self._show(request_id)

    def dispose_copies(self, actor: Actor, copy_id: int, disposal: str) -> dict[str, Any]:
        """What became of copies: returned to the archive or destroyed (once)."""
        self.require(actor, P.APPROVAL_REQUEST)
        try:
            how = rules.Disposal((disposal or "").strip().lower())
        except ValueError:
            raise ValidationError(_("Copies are returned or destroyed."), field="disposal") from None
        with self.write() as tx:
            record = self.locked(CopyRecord.select().where(CopyRecord.id == copy_id),
                                 of=CopyRecord).first()
            if record is None:
                raise NotFound(_("No copies {id}.").format(id=copy_id))
            if record.disposal:
                raise Conflict(_("These copies were already {what}.").format(
                    what=rules.Disposal(record.disposal).label.lower()))
            (CopyRecord.update(disposal=how.value, disposed_by=actor.user_id, disposed_at=tx.at)
             .where(CopyRecord.id == record.id).execute())
            tx.audit(actor, "access_request.copies_" + how.value, "copy_record", record.id,
                     after={"request": record.request_id, "copies": record.copies})
        return self._show(record.request_id)

    # ------------------------------------------------------------ the lend dialog

    def explain(self, actor: Actor, refs: list[str], requester: BorrowerInput, in_office: bool,
                due: date | None) -> list[dict[str, Any]]:
        """For each reference: the approval a loan would use, or exactly why none matches
        (None and None: not secret, no approval needed). The loan check is the same."""
        self.require(actor, P.APPROVAL_VIEW)
        refs = [archive_rules.check_ref(ref) for ref in dict.fromkeys(refs or [])]
        items = {item.ref: item for item in Item.select(Item, Kind).join(Kind).where(
            Item.ref.in_(refs) & Item.level.in_(visible_levels(actor)))}
        person = find_borrower(requester)
        found = approvals_of([item.id for item in items.values() if item.level == Level.SECRET])
        now, today = self.ctx.clock.now(), self.today()
        result = []
        for ref in refs:
            item = items.get(ref)
            if item is None:
                result.append({"ref": ref, "approval": None,
                               "problem": str(archive_rules.no_such_item(ref))})
                continue
            if item.level != Level.SECRET:
                result.append({"ref": ref, "approval": None, "problem": None})
                continue
            until = today if in_office else (due or archive_rules.default_due(
                today, item.kind.loan_days))
            wanted = rules.Wanted(person.id if person else -1, in_office, until, now, today)
            approval, why = rules.choose(ref, found.get(item.id, []), wanted)
            signed = (signed_problem(approval.id, approval.number, approval.document_id)
                      if approval is not None else None)
            if signed is not None:
                approval, why = None, _("{ref}: {why}").format(ref=ref, why=signed[0])
            result.append({"ref": ref, "approval": approval.number if approval else None,
                           "problem": None if approval else why})
        return result

    # ------------------------------------------------------------ reading

    def show(self, actor: Actor, request_id: int) -> dict[str, Any]:
        """One request with its items and history; showing the secret titles is an audited
        view (R7)."""
        self.require(actor, P.APPROVAL_VIEW)
        data = self._show(request_id)
        record_secret_views(self, actor, ((i["id"], i["ref"], i["level"]) for i in data["items"]),
                            "access_request")
        return data

    def document(self, actor: Actor, request_id: int) -> bytes:
        """The signed decision form, as signed (Tampered if it was changed); an audited view
        of its secret items (R7)."""
        self.require(actor, P.APPROVAL_VIEW)
        row = AccessRequest.get_or_none(AccessRequest.id == request_id)
        if row is None:
            raise NotFound(_("No access request {id}.").format(id=request_id))
        if row.document_id is None:
            raise NotFound(_("{number} has no signed form yet: it is waiting for the "
                             "decision.").format(number=row.number))
        # Against THIS request's number and audit entry: a link rewritten to point at another
        # request's form is tampering.
        pdf = checked_pdf(SignedDocument.get_by_id(row.document_id), row.id)
        # The form lists the secret items' titles: opening it is an audited view (R7).
        record_secret_views(self, actor, tuples(Item.select(Item.id, Item.ref, Item.level)
                                                .join(AccessRequestItem)
                                                .where(AccessRequestItem.request == row.id)),
                            "access_approval")
        return pdf

    def count(self, actor: Actor, flt: ApprovalFilter) -> int:
        self.require(actor, P.APPROVAL_VIEW)
        return register.count(flt, self.ctx.clock.now())

    def page(self, actor: Actor, flt: ApprovalFilter, offset: int, limit: int
             ) -> list[dict[str, Any]]:
        self.require(actor, P.APPROVAL_VIEW)
        return register.page(flt, self.ctx.clock.now(), offset, limit)

    def waiting_count(self, actor: Actor) -> int:
        return self.count(actor, ApprovalFilter(view="waiting"))

    def expiring(self, actor: Actor, days: int = 7) -> list[dict[str, Any]]:
        return self.page(actor, ApprovalFilter(view="expiring", days=days), 0, 200)

    def history_for_item(self, actor: Actor, ref: str) -> list[dict[str, Any]]:
        """The access requests naming one item, as events (request, decision, expiry …),
        oldest first; each event names its request ("number", "request_id")."""
        self.require(actor, P.APPROVAL_VIEW)
        ref = archive_rules.check_ref(ref)
        item = Item.get_or_none((Item.ref == ref) & Item.level.in_(visible_levels(actor)))
        if item is None:
            raise archive_rules.no_such_item(ref)
        events = []
        for (request_id,) in tuples(AccessRequestItem.select(AccessRequestItem.request)
                                    .where(AccessRequestItem.item == item.id)):
            data = self._show(request_id)
            events += [{**event, "number": data["number"], "request_id": request_id}
                       for event in data["events"]]
        return sorted(events, key=lambda event: event["at"])

    def _show(self, request_id: int) -> dict[str, Any]:
        from desk_app.services.approval_events import events, request_dict

        row = AccessRequest.get_or_none(AccessRequest.id == request_id)
        if row is None:
            raise NotFound(_("No access request {id}.").format(id=request_id))
        data = request_dict(row, self.ctx.clock.now())
        data["events"] = events(row, data, self.ctx.clock.now())
        data["open_loans"] = _open_loans(row.id)
        return data


def _open_loans(request_id: int) -> list[dict[str, Any]]:
    """The loans made under a request and not yet returned: {ref, borrower, due_on}."""
    query = (Loan.select(Item.ref, Borrower.name, Loan.due_on).join_from(Loan, Item)
             .join_from(Loan, Borrower)
             .where((Loan.approval_id == request_id) & Loan.returned_at.is_null())
             .order_by(Item.ref))
    return [{"ref": ref, "borrower": name, "due_on": due_on}
            for ref, name, due_on in tuples(query)]


def due_at_closing(settings: SettingsService, today: date, now: datetime) -> datetime:
    """When an in-office reading of ``today`` must be back (the closing time setting); after
    closing time there is no reading in the office until tomorrow."""
    due_at = rules.closing_moment(today, closing_time(settings))
    if due_at <= now:
        raise ValidationError(_("It is past closing time: reading in the office is over for "
                                "today."), field="in_office")
    return due_at
