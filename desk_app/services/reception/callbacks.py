"""Call-backs (回访, R14): scheduled calls to customers, their record and its signed form."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from desk_app.domain import complaints as complaint_rules
from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.clock import format_datetime
from desk_app.domain.complaints import Status
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception.base import ReceptionBase, callback_query, sign_if_asked
from desk_app.services.reception.views import (
    CallBackFilter,
    CallBackView,
    callback_status_text,
    callback_view,
    satisfaction_text,
    staff_names,
    visit_view,
)
from desk_app.services.signing import KeyService
from desk_app.store.reception import CallBack, Complaint


class CallBackService(ReceptionBase):
    keys: KeyService

    def schedule_callback(self, actor: Actor, contact: str, purpose: str, due_at: datetime,
                          name: str = "", caller_title: str = "", visit_id: int | None = None,
                          handler: str | None = None, channel: str = "phone",
                          complaint_id: int | None = None) -> CallBackView:
        """A call-back to make by ``channel`` (phone, email, online); one that follows up a
        complaint closes or reopens it when recorded."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        channel = complaint_rules.parse_channel(channel)
        contact = rules.text_field(contact, "contact", _("The contact"), 64)
        purpose = rules.text_field(purpose, "purpose", _("The purpose"), 2000)
        if not contact:
            raise ValidationError(_("Give a phone number or other contact."), field="contact")
        if not purpose:
            raise ValidationError(_("Say what the call-back is about."), field="purpose")
        name = rules.text_field(name, "name", _("The name"), 64)
        caller_title = rules.text_field(caller_title, "caller_title", _("The title"), 16)
        name, caller_title = rules.split_title(name, caller_title)
        with self.write() as tx:
            if due_at < tx.at - timedelta(minutes=5):
                raise ValidationError(_("The call-back time is in the past."), field="due_at")
            if visit_id is not None:
                self._visit(visit_id)
            if complaint_id is not None:
                self._locked_row(Complaint, complaint_id, _("No complaint {id}."))
            row = CallBack.create(visit=visit_id, name=name, caller_title=caller_title,
                                  contact=contact, purpose=purpose, due_at=due_at,
                                  handler=handler or actor.name, created_at=tx.at,
                                  created_by=actor.name, channel=channel, complaint=complaint_id)
            tx.audit(actor, "callback.schedule", "call_back", row.id,
                     after={"contact": contact, "purpose": purpose, "due": due_at.isoformat(),
                            "visit": visit_id, "channel": channel, "complaint": complaint_id})
        return callback_view(row)

    def record_callback(self, actor: Actor, callback_id: int, result: str,
                        satisfaction: str, confirm_phrases: bool = False) -> CallBackView:
        """The call-back was made (or the customer could not be reached)."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        if satisfaction not in rules.SATISFACTION:
            raise ValidationError(_("Choose how satisfied the customer was."),
                                  field="satisfaction")
        result = self._required_result(result, _("Write down the result of the call-back."))
        self._notes(confirm_phrases, result=result)
        with self.write() as tx:
            row = self._locked_row(CallBack, callback_id, _("No call-back {id}."))
            if row.status != "scheduled":
                raise Conflict(_("Call-back {id} was already recorded.").format(id=callback_id))
            row.status = "unreachable" if satisfaction == "unreachable" else "done"
            row.done_at, row.done_by = tx.at, actor.name
            row.result, row.satisfaction = result, satisfaction
            row.save()
            after: dict[str, object] = {"status": row.status, "satisfaction": satisfaction,
                                        "result": result}
            if row.__data__.get("complaint") is not None:
                after.update(self._follow_up(row.__data__["complaint"], satisfaction, tx.at))
            tx.audit(actor, "callback.record", "call_back", row.id, after=after)
        return callback_view(row)

    def _follow_up(self, complaint_id: int, satisfaction: str, at: datetime) -> dict[str, object]:
        """A complaint's call-back closes it, or reopens it when the customer is dissatisfied
        (domain.complaints.after_callback); what changed goes into the call-back's entry."""
        complaint = self._locked_row(Complaint, complaint_id, _("No complaint {id}."))
        before = Status(complaint.status)
        status = complaint_rules.after_callback(before, satisfaction)
        if status != before:
            complaint.status = status.value
            if status == Status.CLOSED:
                complaint.closed_at = at
            else:
                complaint.reopened += 1
            complaint.save()
        return {"complaint": complaint_id, "complaint_status": complaint.status}

    def count_callbacks(self, actor: Actor, pending_only: bool = False) -> int:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        return callback_query(CallBackFilter(pending_only=pending_only)).count()

    def page_callbacks(self, actor: Actor, pending_only: bool = False, offset: int = 0,
                       limit: int = 200) -> list[CallBackView]:
        """Pending ones by due time, soonest first; all of them latest due first."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = callback_query(CallBackFilter(pending_only=pending_only))
        order = ((CallBack.due_at, CallBack.id) if pending_only
                 else (CallBack.due_at.desc(), CallBack.id.desc()))
        names = staff_names()
        return [callback_view(row, names)
                for row in query.order_by(*order).offset(offset).limit(limit)]

    def callbacks(self, actor: Actor, pending_only: bool = False) -> list[CallBackView]:
        """The first 2,000 of :meth:`page_callbacks`."""
        return self.page_callbacks(actor, pending_only, 0, 2000)

    def callback_form(self, actor: Actor, callback_id: int, password: str | None = None,
                      handwriting_png: bytes | None = None) -> bytes:
        """The call-back record form (回访记录表) as a PDF, signed by the actor if a password
        is given (else with an empty signature box for a pen)."""
        from desk_app.forms.reception import callback_pdf

        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        row = CallBack.get_or_none(CallBack.id == callback_id)
        if row is None:
            raise NotFound(_("No call-back {id}.").format(id=callback_id))
        names = staff_names()
        view = callback_view(row, names)
        number = f"CB-{view.id:06d}"
        origin = ""
        if view.visit_id:
            visit = visit_view(self._visit(view.visit_id))
            channel = rules.Channel(visit.channel).label
            origin = f"{channel} {format_datetime(visit.arrived_at)} {visit.request}"
        record = {**vars(view), "number": number, "origin": origin,
                  "handler": view.handler_name, "done_by": view.done_by_name,
                  "created_by": names.get(view.created_by, view.created_by),
                  "status": callback_status_text(view.status),
                  "satisfaction": satisfaction_text(view.satisfaction)}
        pdf = sign_if_asked(self.keys, actor, callback_pdf(self.company(), self.now(), record),
                            "handler", password, handwriting_png)
        if password is not None:  # a signature is an action: recorded once it exists
            with self.write() as tx:
                tx.audit(actor, "callback.sign", "call_back", view.id, after={
                    "record": number, "sha256": hashlib.sha256(pdf).hexdigest()})
        return pdf
