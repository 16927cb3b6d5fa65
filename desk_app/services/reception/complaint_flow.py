"""A complaint's closed loop (R17, 003 第三章三; the states are ``domain.complaints``):
the handler's cause analysis and proposals, the supervisor's signed decision (批示) or a
proposal sent back, the customer's signed acceptance (a call-back is then scheduled) or
refusal, the manager's decision on a refused one. Recording the call-back closes or reopens
the complaint (``CallBackService.record_callback``)."""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desk_app.domain import complaints as flow
from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission as P
from desk_app.domain.clock import format_datetime
from desk_app.domain.complaints import ProposalState, Severity, Status
from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.roles import Role, role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception.base import ReceptionBase
from desk_app.services.reception.views import (
    CallBackView,
    ComplaintView,
    callback_view,
    complaint_view,
)
from desk_app.services.signed_documents import checked_pdf
from desk_app.services.signing import KeyService
from desk_app.store.archive import SignedDocument
from desk_app.store.models import User
from desk_app.store.reception import (
    CallBack,
    Complaint,
    ComplaintDecision,
    ComplaintProposal,
    ComplaintStaff,
)


@dataclass(frozen=True)
class ProposalView:
    id: int
    text: str
    proposed_by: str
    proposed_at: datetime
    state: str
    decided_by: str
    decided_at: datetime | None
    reason: str


@dataclass(frozen=True)
class DecisionView:
    id: int
    number: str
    proposal_id: int
    instruction: str
    decided_by: str
    decided_role: str
    decided_at: datetime
    answered_at: datetime | None
    answered_by: str
    accepted: bool | None
    refusal: str


@dataclass(frozen=True)
class ComplaintCase:
    """Everything about one complaint: what the detail view and the CLI's ``show`` print."""

    complaint: ComplaintView
    staff: list[str]
    proposals: list[ProposalView]
    decisions: list[DecisionView]
    callbacks: list[CallBackView]
    names: dict[str, str]  # full names of everyone named, by user name

    def name(self, user_name: str) -> str:
        return self.names.get(user_name, user_name)


def _proposal_view(row: ComplaintProposal) -> ProposalView:
    return ProposalView(row.id, row.text, row.proposed_by, row.proposed_at, row.state,
                        row.decided_by, row.decided_at, row.reason)


def _decision_view(row: ComplaintDecision) -> DecisionView:
    return DecisionView(row.id, row.number, row.__data__["proposal"], row.instruction,
                        row.decided_by, row.decided_role, row.decided_at, row.answered_at,
                        row.answered_by, row.accepted, row.refusal)


def _check_handwriting(png: bytes | None) -> bytes:
    """The customer's strokes from the pad: present, a picture, not huge (a pad's picture is
    a few kilobytes and a few hundred pixels wide; a small file can still claim a picture of
    gigabytes, refused before it is decoded)."""
    if not png:
        raise ValidationError(_("The customer signs on the pad first."), field="customer")
    from PIL import Image, UnidentifiedImageError

    try:
        if len(png) > 2_000_000:
            raise ValueError("too big")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(png)) as image:  # reads the header only
                if image.width * image.height > 4_000_000:  # a pad is ~600×200
                    raise ValueError("too many pixels")
                image.load()
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ValidationError(_("The customer's signature is not a readable picture: have "
                                "them sign on the pad again."), field="customer") from None
    return png


class ComplaintFlowService(ReceptionBase):
    keys: KeyService

    # ------------------------------------------------------------------ the handler's part

    def analyse(self, actor: Actor, complaint_id: int, cause: str, cause_text: str,
                staff: Sequence[str] = ()) -> ComplaintView:
        """The cause (a category and what happened) and the staff concerned (user names);
        correctable until a decision is made."""
        self.require(actor, P.RECEPTION_USE)
        cause = flow.parse_cause(cause)
        cause_text = rules.text_field(cause_text, "cause_text", _("The cause analysis"), 4000)
        if not cause_text:
            raise ValidationError(_("Write down what caused the complaint."), field="cause_text")
        names = self._staff(staff)
        with self.write() as tx:
            row = self._complaint(complaint_id)
            flow.check_can_analyse(flow.number(row.id), Status(row.status))
            before = {"cause": row.cause, "cause_text": row.cause_text,
                      "staff": self._staff_of(row.id)}
            row.cause, row.cause_text = cause, cause_text
            row.save()
            ComplaintStaff.delete().where(ComplaintStaff.complaint == row.id).execute()
            for name in names:
                ComplaintStaff.create(complaint=row.id, user_name=name)
            tx.audit(actor, "complaint.analyse", "complaint", row.id, before=before,
                     after={"cause": cause, "cause_text": cause_text, "staff": names})
        return complaint_view(row)

    def propose(self, actor: Actor, complaint_id: int, text: str) -> ProposalView:
        """One proposed resolution; the complaint then waits for the supervisor (or, after
        the customer refused, for the manager)."""
        self.require(actor, P.RECEPTION_USE)
        text = rules.text_field(text, "proposal", _("The proposal"), 4000)
        if not text:
            raise ValidationError(_("Write down the proposed resolution."), field="proposal")
        with self.write() as tx:
            row = self._complaint(complaint_id)
            flow.check_can_propose(flow.number(row.id), Status(row.status), row.cause)
            proposal = ComplaintProposal.create(complaint=row.id, text=text,
                                                proposed_by=actor.name, proposed_at=tx.at)
            if row.status == Status.OPEN:
                row.status = Status.PROPOSED.value
                row.save()
            tx.audit(actor, "complaint.propose", "complaint", row.id,
                     after={"proposal": proposal.id, "text": text, "status": row.status})
        return _proposal_view(proposal)

    # ------------------------------------------------------------------ the supervisor's part

    def send_back(self, actor: Actor, proposal_id: int, reason: str) -> ProposalView:
        """A proposal refused with a reason by whoever decides now (the supervisor; after the
        customer refused, the manager); with none left waiting, a proposed complaint goes back
        to its handler."""
        if not (actor.can(P.RECEPTION_SUPERVISE) or actor.can(P.RECEPTION_MANAGE)):
            raise PermissionDenied(_("Only a supervisor decides on proposed resolutions."))
        reason = rules.text_field(reason, "reason", _("The reason"), 2000)
        if not reason:
            raise ValidationError(_("Say why the proposal is sent back."), field="reason")
        with self.write() as tx:
            proposal = self._locked_row(ComplaintProposal, proposal_id, _("No proposal {id}."))
            row = self._complaint(proposal.__data__["complaint"])
            flow.decider_needed(flow.number(row.id), Status(row.status))
            self._decider_role(actor, Status(row.status))  # the one who decides sends back
            flow.check_decidable(flow.number(row.id), ProposalState(proposal.state), False)
            proposal.state = ProposalState.REFUSED.value
            proposal.decided_by, proposal.decided_at, proposal.reason = actor.name, tx.at, reason
            proposal.save()
            waiting = (ComplaintProposal.select()
                       .where((ComplaintProposal.complaint == row.id)
                              & (ComplaintProposal.state == ProposalState.PENDING.value))
                       .exists())
            if not waiting and row.status == Status.PROPOSED:
                row.status = Status.OPEN.value
                row.save()
            tx.audit(actor, "complaint.send_back", "complaint", row.id,
                     after={"proposal": proposal.id, "reason": reason, "status": row.status})
        return _proposal_view(proposal)

    def decide(self, actor: Actor, complaint_id: int, proposal_id: int, instruction: str,
               password: str, handwriting_png: bytes | None = None) -> DecisionView:
        """The supervisor picks one proposal and instructs (批示), signing the decision form;
        after the customer refused, the manager decides the same way (and may uphold the
        resolution chosen before)."""
        from desk_app.forms.reception import complaint_decision_pdf

        if not (actor.can(P.RECEPTION_SUPERVISE) or actor.can(P.RECEPTION_MANAGE)):
            raise PermissionDenied(_("Only a supervisor decides on proposed resolutions."))
        instruction = rules.text_field(instruction, "instruction", _("The instruction"), 2000)
        if not instruction:
            raise ValidationError(_("Write the instruction (批示) that goes with the decision."),
                                  field="instruction")
        row, proposal = self._decision_inputs(actor, complaint_id, proposal_id)
        role = self._decider_role(actor, Status(row.status))
        at = self.now()
        count = ComplaintDecision.select().where(ComplaintDecision.complaint == row.id).count()
        number = flow.decision_number(row.id, count + 1)
        case = self._case(row.id)
        record = self._form_record(case, number, proposal.id, instruction, actor.display_name,
                                   role, at)
        pdf = complaint_decision_pdf(self.company(), at, record)
        signed = self.keys.sign_pdf(actor, pdf, "decider", password, handwriting_png,
                                    role_label(Role(role)))
        with self.write() as tx:
            row, proposal = self._decision_inputs(actor, complaint_id, proposal_id)
            if Status(row.status) != Status(case.complaint.status) or (
                    ComplaintDecision.select().where(ComplaintDecision.complaint == row.id)
                    .count() != count):
                raise Conflict(_("{number} changed while the form was being signed: "
                                      "open it again.").format(number=flow.number(row.id)))
            digest = hashlib.sha256(signed).hexdigest()
            document = SignedDocument.create(kind="complaint_decision", record_no=number,
                                             pdf=signed, sha256=digest, created_at=tx.at,
                                             created_by=actor.user_id)
            (ComplaintProposal.update(state=ProposalState.NOT_CHOSEN.value, decided_by=actor.name,
                                      decided_at=tx.at)
             .where((ComplaintProposal.complaint == row.id)
                    & (ComplaintProposal.state == ProposalState.PENDING.value)
                    & (ComplaintProposal.id != proposal.id)).execute())
            (ComplaintProposal.update(state=ProposalState.CHOSEN.value, decided_by=actor.name,
                                      decided_at=tx.at)
             .where(ComplaintProposal.id == proposal.id).execute())
            decision = ComplaintDecision.create(
                number=number, complaint=row.id, proposal=proposal.id, instruction=instruction,
                decided_by=actor.name, decided_role=role, decided_at=tx.at, document=document.id)
            row.status = Status.DECIDED.value
            row.save()
            tx.audit(actor, "complaint_decision.sign", "complaint_decision", decision.id, after={
                "number": number, "complaint": row.id, "proposal": proposal.id,
                "instruction": instruction, "role": role, "sha256": digest})
        return _decision_view(decision)

    def _decision_inputs(self, actor: Actor, complaint_id: int,
                         proposal_id: int) -> tuple[Complaint, ComplaintProposal]:
        row = self._complaint(complaint_id)
        complaint_no = flow.number(row.id)
        escalated = flow.decider_needed(complaint_no, Status(row.status)) == "manager"
        proposal = ComplaintProposal.get_or_none(ComplaintProposal.id == proposal_id)
        if proposal is None or proposal.__data__["complaint"] != row.id:
            raise NotFound(_("{number} has no proposal {id}.").format(number=complaint_no,
                                                                      id=proposal_id))
        flow.check_decidable(complaint_no, ProposalState(proposal.state), escalated)
        return row, proposal

    @staticmethod
    def _decider_role(actor: Actor, status: Status) -> str:
        """Proposals are the supervisor's to decide; a refused decision is the manager's."""
        if flow.decider_needed("", status) == "manager":
            if not actor.can(P.RECEPTION_MANAGE):
                raise PermissionDenied(_("The customer refused the supervisor's decision: only "
                                         "a manager decides it now."))
            return Role.MANAGER.value
        if not actor.can(P.RECEPTION_SUPERVISE):
            raise PermissionDenied(_("Only a supervisor decides on proposed resolutions."))
        return Role.SUPERVISOR.value

    # ------------------------------------------------------------------ the customer's answer

    def customer_accepts(self, actor: Actor, complaint_id: int, password: str,
                         customer_png: bytes | None, clerk_png: bytes | None = None,
                         channel: str = "phone",
                         callback_at: datetime | None = None) -> DecisionView:
        """The customer signs the decided resolution on the pad; the clerk signs the same
        form (PAdES). A call-back by ``channel`` is scheduled (by default after the set
        number of days) to hear whether the resolution worked."""
        from desk_app.forms.reception import complaint_signoff_pdf

        self.require(actor, P.RECEPTION_USE)
        customer_png = _check_handwriting(customer_png)
        channel = flow.parse_channel(channel)
        row = self._complaint(complaint_id)
        flow.check_customer_step(flow.number(row.id), Status(row.status))
        decision = self._last_decision(row.id)
        at = self.now()
        due = callback_at or at + timedelta(days=int(self.settings.value(
            "complaint_callback_days")))
        if due < at - timedelta(minutes=5):
            raise ValidationError(_("The call-back time is in the past."), field="callback_at")
        case = self._case(row.id)
        record = self._form_record(case, decision.number, decision.__data__["proposal"],
                                   decision.instruction, case.name(decision.decided_by),
                                   decision.decided_role, decision.decided_at)
        pdf = complaint_signoff_pdf(self.company(), at, record, customer_png)
        signed = self.keys.sign_pdf(actor, pdf, "clerk", password, clerk_png, _("Handled by"))
        with self.write() as tx:
            row = self._complaint(complaint_id)
            flow.check_customer_step(flow.number(row.id), Status(row.status))
            decision = self._last_decision(row.id)
            digest = hashlib.sha256(signed).hexdigest()
            document = SignedDocument.create(kind="complaint_signoff",
                                             record_no=f"{decision.number}-C", pdf=signed,
                                             sha256=digest, created_at=tx.at,
                                             created_by=actor.user_id)
            callback = CallBack.create(
                visit=row.__data__.get("visit"), name=row.name, contact=row.contact or "—",
                purpose=_("Follow-up of complaint {number}: did the resolution work?").format(
                    number=flow.number(row.id)),
                due_at=due, handler=actor.name, created_at=tx.at, created_by=actor.name,
                channel=channel, complaint=row.id)
            decision.answered_at, decision.answered_by = tx.at, actor.name
            decision.accepted, decision.customer_document = True, document
            decision.save()
            row.status = Status.ACCEPTED.value
            row.save()
            tx.audit(actor, "complaint_signoff.sign", "complaint_signoff", decision.id, after={
                "number": f"{decision.number}-C", "complaint": row.id, "callback": callback.id,
                "channel": channel, "due": due.isoformat(), "sha256": digest})
        return _decision_view(decision)

    def customer_refuses(self, actor: Actor, complaint_id: int, reason: str) -> DecisionView:
        """The customer does not accept the decision: it goes to the manager."""
        self.require(actor, P.RECEPTION_USE)
        reason = rules.text_field(reason, "reason", _("The customer's reason"), 2000)
        if not reason:
            raise ValidationError(_("Write down why the customer refuses."), field="reason")
        with self.write() as tx:
            row = self._complaint(complaint_id)
            flow.check_customer_step(flow.number(row.id), Status(row.status))
            decision = self._last_decision(row.id)
            decision.answered_at, decision.answered_by = tx.at, actor.name
            decision.accepted, decision.refusal = False, reason
            decision.save()
            row.status = Status.REFUSED.value
            row.save()
            tx.audit(actor, "complaint.customer_refuse", "complaint", row.id,
                     after={"decision": decision.number, "reason": reason,
                            "status": row.status})
        return _decision_view(decision)

    # ------------------------------------------------------------------ reading

    def show(self, actor: Actor, complaint_id: int) -> ComplaintCase:
        self.require(actor, P.RECEPTION_VIEW)
        return self._case(complaint_id)

    def waiting_for_me(self, actor: Actor, limit: int = 50) -> list[ComplaintView]:
        """What Today shows a decider: a supervisor the complaints with proposals waiting and
        the serious ones not yet proposed on (escalated at once); a manager the ones the
        customer refused. Oldest first."""
        wanted = []
        if actor.can(P.RECEPTION_SUPERVISE):
            wanted.append(Complaint.status == Status.PROPOSED.value)
            wanted.append((Complaint.status == Status.OPEN.value)
                          & (Complaint.severity >= Severity.SERIOUS.value))
        if actor.can(P.RECEPTION_MANAGE):
            wanted.append(Complaint.status == Status.REFUSED.value)
        if not wanted:
            return []
        where = wanted[0]
        for condition in wanted[1:]:
            where |= condition
        rows = list(Complaint.select().where(where)
                    .order_by(Complaint.received_at, Complaint.id).limit(limit))
        return [complaint_view(row) for row in rows]

    def decision_form(self, actor: Actor, number: str) -> bytes:
        """A signed decision form (``TS-…-n``) or the customer's signed form (``…-C``), as
        signed (``Tampered`` if it was changed since)."""
        self.require(actor, P.RECEPTION_VIEW)
        document = SignedDocument.get_or_none(
            (SignedDocument.record_no == number)
            & SignedDocument.kind.in_(("complaint_decision", "complaint_signoff")))
        if document is None:
            raise NotFound(_("No signed complaint form {number}.").format(number=number))
        return checked_pdf(document)

    # ------------------------------------------------------------------ helpers

    def _complaint(self, complaint_id: int) -> Complaint:
        return self._locked_row(Complaint, complaint_id, _("No complaint {id}."))

    @staticmethod
    def _last_decision(complaint_id: int) -> ComplaintDecision:
        return (ComplaintDecision.select().where(ComplaintDecision.complaint == complaint_id)
                .order_by(ComplaintDecision.id.desc()).get())

    @staticmethod
    def _staff(staff: Sequence[str]) -> list[str]:
        names = sorted({str(name).strip() for name in staff if str(name).strip()})
        if len(names) > 20:
            raise ValidationError(_("Name at most 20 staff members."), field="staff")
        known = {user.name for user in User.select(User.name).where(User.name.in_(names))}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValidationError(_("No user {name}.").format(name=", ".join(unknown)),
                                  field="staff")
        return names

    @staticmethod
    def _staff_of(complaint_id: int) -> list[str]:
        return [str(row.user_name) for row in ComplaintStaff.select(ComplaintStaff.user_name)
                .where(ComplaintStaff.complaint == complaint_id)
                .order_by(ComplaintStaff.user_name)]

    def _case(self, complaint_id: int) -> ComplaintCase:
        row = Complaint.get_or_none(Complaint.id == complaint_id)
        if row is None:
            raise NotFound(_("No complaint {id}.").format(id=complaint_id))
        staff = self._staff_of(row.id)
        proposals = [_proposal_view(p) for p in ComplaintProposal.select()
                     .where(ComplaintProposal.complaint == row.id).order_by(ComplaintProposal.id)]
        decisions = [_decision_view(d) for d in ComplaintDecision.select()
                     .where(ComplaintDecision.complaint == row.id).order_by(ComplaintDecision.id)]
        callback_rows = list(CallBack.select().where(CallBack.complaint == row.id)
                             .order_by(CallBack.id))
        wanted = ({row.handler, row.replied_by, *staff}
                  | {p.proposed_by for p in proposals} | {p.decided_by for p in proposals}
                  | {d.decided_by for d in decisions} | {d.answered_by for d in decisions}
                  | {c.handler for c in callback_rows} | {c.done_by for c in callback_rows}
                  ) - {""}
        names = {user.name: user.full_name or user.name for user in
                 User.select(User.name, User.full_name).where(User.name.in_(wanted))}
        callbacks = [callback_view(c, names) for c in callback_rows]
        return ComplaintCase(complaint_view(row, names), staff, proposals, decisions, callbacks,
                             names)

    @staticmethod
    def _form_record(case: ComplaintCase, number: str, chosen_id: int, instruction: str,
                     decided_by: str, role: str, at: datetime) -> dict[str, Any]:
        """The form's values; ``decided_by`` as printed (a full name)."""
        view = case.complaint
        # as the decision leaves them: the chosen one, the others waiting not chosen
        outcome = {p.id: (ProposalState.NOT_CHOSEN if p.state == ProposalState.PENDING
                          else ProposalState(p.state)).label for p in case.proposals}
        outcome.update({chosen_id: ProposalState.CHOSEN.label})
        chosen = next((p.text for p in case.proposals if p.id == chosen_id), "")
        return {
            "complaint_no": view.number, "decision_no": number, "received_at": view.received_at,
            "customer": view.name, "contact": view.contact,
            "category": rules.category_label(view.category),
            "severity": Severity(view.severity).label, "handler": case.name(view.handler),
            "staff": "、".join(case.name(name) for name in case.staff),
            "description": view.description, "cause": flow.cause_label(view.cause),
            "cause_text": view.cause_text,
            "proposals": [[str(p.id), p.text, case.name(p.proposed_by),
                           outcome[p.id] + (f": {p.reason}" if p.reason else "")]
                          for p in case.proposals],
            "chosen": chosen, "instruction": instruction,
            "decided_by": decided_by, "decided_role": role_label(Role(role)), "decided_at": at,
            "refusals": [_("The customer refused {number} on {date}: {reason}").format(
                number=d.number, date=format_datetime(d.answered_at), reason=d.refusal)
                for d in case.decisions if d.accepted is False and d.answered_at is not None],
        }
