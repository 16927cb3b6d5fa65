"""What reception's services share: settings and targets, the phrase check of notes, the
log entry a call-back or complaint refers to, and the queries of its registers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from desk_app.domain import reception as rules
from desk_app.domain.clock import local_day_range
from desk_app.domain.errors import NotFound, ValidationError
from desk_app.domain.reception import Targets
from desk_app.domain.roles import role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.reception.phrases import ForbiddenPhraseFound, check_note
from desk_app.services.reception.views import CallBackFilter, ComplaintFilter, VisitFilter
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store.reception import CallBack, Complaint, Visit


class ReceptionBase(Service):
    settings: SettingsService

    @staticmethod
    def require_any(actor: Actor, *permissions: str) -> None:
        if not any(actor.can(p) for p in permissions):
            Service.require(actor, permissions[0])

    def targets(self) -> Targets:
        return Targets.from_settings(self.settings.all())

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def company(self) -> str:
        return str(self.settings.value("company_name"))

    @staticmethod
    def _notes(confirm: bool, **texts: str) -> None:
        """Refuse staff notes with phrases not to use, unless the user confirmed them. The
        customer's own words (request, complaint) and quotations are theirs, not checked."""
        if confirm:
            return
        for name, text in texts.items():
            findings = check_note(name, text)
            if findings:
                raise ForbiddenPhraseFound(findings, name)

    @staticmethod
    def _required_result(result: str, missing: str) -> str:
        """The result written down (a call-back's, a complaint's reply): cleaned, and not
        empty (ValidationError saying ``missing``)."""
        result = rules.text_field(result, "result", _("The result"), 4000)
        if not result:
            raise ValidationError(missing, field="result")
        return result

    def _visit(self, visit_id: int) -> Visit:
        return self._locked_row(Visit, visit_id, _("No log entry {id}."))

    def _locked_row(self, model: Any, row_id: int, missing: str) -> Any:
        """The row ``row_id`` of ``model``, locked until the write ends; NotFound saying
        ``missing`` (with {id}) if there is none."""
        row = self.locked(model.select().where(model.id == row_id)).first()
        if row is None:
            raise NotFound(missing.format(id=row_id))
        return row


def sign_if_asked(keys: KeyService, actor: Actor, pdf: bytes, slot: str, password: str | None,
                  handwriting_png: bytes | None) -> bytes:
    """``pdf`` signed in ``slot`` by the actor when a password is given, else as it is (with
    an empty signature box for a pen)."""
    if password is None:
        return pdf
    role = role_label(sorted(actor.roles)[0]) if actor.roles else ""
    return keys.sign_pdf(actor, pdf, slot, password, handwriting_png, role)


def days(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Local calendar days (inclusive) as stored times; the start must not be after the end."""
    if since and until and since > until:
        raise ValidationError(_("The start date is after the end date."), field="from")
    return local_day_range(since, until)


def between(query: Any, column: Any, start: datetime | None, end: datetime | None) -> Any:
    """``query`` limited to ``start`` <= column < ``end`` (either may be None)."""
    if start:
        query = query.where(column >= start)
    if end:
        query = query.where(column < end)
    return query


def visit_query(flt: VisitFilter) -> Any:
    query = between(Visit.select(), Visit.arrived_at, *local_day_range(flt.since, flt.until))
    if flt.channel:
        query = query.where(Visit.channel == flt.channel.value)
    if flt.open_only:
        query = query.where(Visit.ended_at.is_null())
    if flt.escalated_only:
        query = query.where(Visit.escalated_at.is_null(False) & Visit.reviewed_at.is_null())
    text = flt.text.strip()
    if text:
        like = f"%{text}%"
        query = query.where(Visit.name ** like | Visit.contact ** like
                            | Visit.company ** like | Visit.request ** like)
    return query


def callback_query(flt: CallBackFilter) -> Any:
    query = between(CallBack.select(), CallBack.due_at, *days(flt.since, flt.until))
    if flt.pending_only:
        query = query.where(CallBack.status == "scheduled")
    return query


def complaint_query(flt: ComplaintFilter) -> Any:
    query = between(Complaint.select(), Complaint.received_at, *days(flt.since, flt.until))
    if flt.open_only:
        query = query.where(Complaint.replied_at.is_null())
    if flt.status:
        query = query.where(Complaint.status == flt.status)
    return query
