"""What the desk owes a caller after the first answer (003 第一章): a reply promised by a
time — reminded before it passes, kept or broken in the log — and the colleague or
department a call or visitor was transferred or escalated to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission as P
from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import Conflict, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception.base import ReceptionBase
from desk_app.services.reception.views import VisitView, staff_names, visit_view
from desk_app.store.models import User
from desk_app.store.reception import Visit, VisitHandoff


@dataclass(frozen=True)
class HandoffView:
    id: int
    visit_id: int
    kind: str  # transfer, escalate
    to_user: str
    to_dept: str
    note: str
    at: datetime
    by: str
    to_name: str = ""  # the colleague's full name, or the department

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "visit": self.visit_id, "kind": self.kind,
                "to_user": self.to_user or None, "to_dept": self.to_dept or None,
                "note": self.note, "at": self.at, "by": self.by}


def _handoff_view(row: VisitHandoff, names: dict[str, str]) -> HandoffView:
    return HandoffView(row.id, row.__data__["visit"], row.kind, row.to_user, row.to_dept,
                       row.note, row.at, row.by,
                       names.get(row.to_user, row.to_user) if row.to_user else row.to_dept)


class FollowUpService(ReceptionBase):
    def promise_reply(self, actor: Actor, visit_id: int, promised_at: datetime) -> VisitView:
        """The caller was promised a reply by ``promised_at`` (a later promise replaces an
        earlier one, both audited)."""
        self.require(actor, P.RECEPTION_USE)
        with self.write() as tx:
            if promised_at <= tx.at:
                raise ValidationError(_("The promised time {time} has already passed: promise "
                                        "a time still to come.").format(
                                            time=format_datetime(promised_at)),
                                      field="promised_at")
            if promised_at > tx.at + timedelta(days=60):
                raise ValidationError(_("Promise a reply within 60 days."), field="promised_at")
            row = self._visit(visit_id)
            if row.resolved_at is not None:
                raise Conflict(_("Log entry {id} is resolved already: there is no reply left to "
                                 "promise.").format(id=visit_id))
            before = {"promised": row.promised_at.isoformat() if row.promised_at else None}
            row.promised_at, row.promised_by = promised_at, actor.name
            row.save()
            tx.audit(actor, "visit.promise", "visit", row.id, before=before,
                     after={"promised": promised_at.isoformat()})
        return visit_view(row)

    def promises_due(self, actor: Actor, within_minutes: int | None = None) -> list[VisitView]:
        """Promises not kept yet whose time comes within ``within_minutes`` (the setting
        ``promise_remind_minutes`` by default), or has passed already; soonest first."""
        self.require(actor, P.RECEPTION_VIEW)
        minutes = (int(self.settings.value("promise_remind_minutes")) if within_minutes is None
                   else within_minutes)
        until = self.now() + timedelta(minutes=minutes)
        query = (Visit.select().where(Visit.promised_at.is_null(False)
                                      & (Visit.promised_at <= until)
                                      & Visit.resolved_at.is_null())
                 .order_by(Visit.promised_at, Visit.id).limit(200))
        names = staff_names()
        return [visit_view(row, names) for row in query]

    def hand_off(self, actor: Actor, visit_id: int, kind: str, to_user: str = "",
                 to_dept: str = "", note: str = "") -> HandoffView:
        """A call or visitor transferred (``kind`` "transfer") or escalated ("escalate") to a
        colleague (an active user's name) or a department (its name as said)."""
        self.require(actor, P.RECEPTION_USE)
        if kind not in rules.HANDOFF_KINDS:
            raise ValidationError(_("Say whether it was transferred or escalated."),
                                  field="kind")
        to_user = rules.text_field(to_user, "to_user", _("The colleague"), 32)
        to_dept = rules.text_field(to_dept, "to_dept", _("The department"), 64)
        note = rules.text_field(note, "note", _("The note"), 2000)
        if not (to_user or to_dept):
            raise ValidationError(_("Say to whom or to which department it went."),
                                  field="to_user")
        if to_user and not User.select().where((User.name == to_user)
                                               & (User.active == True)).exists():  # noqa: E712
            raise ValidationError(_("{name} is not an active user.").format(name=to_user),
                                  field="to_user")
        with self.write() as tx:
            self._visit(visit_id)
            row = VisitHandoff.create(visit=visit_id, kind=kind, to_user=to_user,
                                      to_dept=to_dept, note=note, at=tx.at, by=actor.name)
            action = "visit.transfer" if kind == "transfer" else "visit.escalate"
            tx.audit(actor, action, "visit", visit_id,
                     after={"to": to_user or to_dept, "to_user": to_user or None,
                            "to_dept": to_dept or None, "note": note})
        return _handoff_view(row, staff_names())

    def handoffs(self, actor: Actor, visit_id: int) -> list[HandoffView]:
        self.require(actor, P.RECEPTION_VIEW)
        self._visit(visit_id)
        names = staff_names()
        return [_handoff_view(row, names) for row in VisitHandoff.select()
                .where(VisitHandoff.visit == visit_id).order_by(VisitHandoff.id)]
