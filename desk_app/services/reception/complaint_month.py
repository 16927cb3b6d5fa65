"""A month's complaints reviewed by the supervisor (003 第三章三 6: 由客服主管填写《顾客投诉分类
统计表》…提出改进对策): the statistics by category and by cause beside last month's, the
analysis and the improvement measures, signed (handwriting + PAdES) and kept as signed.
Last month's measures are shown with this month's figures so their effect can be judged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from desk_app.domain import complaints as flow
from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission as P
from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception.base import ReceptionBase, between
from desk_app.services.reception.complaints import ComplaintService
from desk_app.services.reception.views import ComplaintStats, month_range
from desk_app.services.signed_documents import checked_pdf
from desk_app.services.signing import KeyService
from desk_app.store.archive import SignedDocument
from desk_app.store.models import User
from desk_app.store.reception import Complaint, ComplaintMonth


@dataclass(frozen=True)
class CauseRow:
    cause: str  # a key of domain.complaints.CAUSES, or "" (not analysed yet)
    label: str
    count: int
    previous: int  # the same cause last month


@dataclass(frozen=True)
class MonthRecord:
    number: str
    month: str
    analysis: str
    measures: str
    signed_by: str
    signed_by_name: str
    signed_at: datetime


@dataclass(frozen=True)
class MonthReview:
    month: str
    stats: ComplaintStats
    causes: list[CauseRow]
    previous_total: int
    record: MonthRecord | None  # this month's, once signed
    previous_record: MonthRecord | None  # last month's measures

    def previous_text(self) -> str:
        record = self.previous_record
        if record is None:
            return ""
        return _("{month}, signed by {name} on {date}: {measures}").format(
            month=record.month, name=record.signed_by_name,
            date=format_datetime(record.signed_at), measures=record.measures)


def _month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _previous(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _record(row: ComplaintMonth | None) -> MonthRecord | None:
    if row is None:
        return None
    user = User.get_or_none(User.name == row.signed_by)
    name = (user.full_name or user.name) if user else row.signed_by
    return MonthRecord(row.number, row.month, row.analysis, row.measures, row.signed_by, name,
                       row.signed_at)


def _cause_counts(year: int, month: int) -> dict[str, int]:
    start, end = month_range(year, month)
    query = between(Complaint.select(Complaint.cause), Complaint.received_at, start, end)
    counts: dict[str, int] = {}
    for (cause,) in query.tuples():
        counts[cause] = counts.get(cause, 0) + 1
    return counts


class ComplaintMonthService(ReceptionBase):
    keys: KeyService
    complaints: ComplaintService

    def month_review(self, actor: Actor, year: int, month: int) -> MonthReview:
        self.require(actor, P.RECEPTION_VIEW)
        stats = self.complaints.complaint_stats(actor, year, month)
        before = _previous(year, month)
        now, previous = _cause_counts(year, month), _cause_counts(*before)
        keys = [*flow.CAUSES, ""]
        causes = [CauseRow(key, flow.cause_label(key) if key else _("Not analysed yet"),
                           now.get(key, 0), previous.get(key, 0))
                  for key in keys if now.get(key) or previous.get(key)]
        text = _month_text(year, month)
        return MonthReview(
            text, stats, causes, sum(previous.values()),
            _record(ComplaintMonth.get_or_none(ComplaintMonth.month == text)),
            _record(ComplaintMonth.get_or_none(ComplaintMonth.month == _month_text(*before))))

    def sign_month(self, actor: Actor, year: int, month: int, analysis: str, measures: str,
                   password: str, handwriting_png: bytes | None = None) -> MonthRecord:
        """The supervisor's analysis and improvement measures for a month that has ended,
        signed once; a signed month is never changed."""
        from desk_app.forms.reception import complaint_stats_pdf

        self.require(actor, P.RECEPTION_SUPERVISE)
        analysis = rules.text_field(analysis, "analysis", _("The cause analysis"), 4000)
        measures = rules.text_field(measures, "measures", _("The improvement measures"), 4000)
        if not analysis:
            raise ValidationError(_("Write the analysis of the month's causes."),
                                  field="analysis")
        if not measures:
            raise ValidationError(_("Write the improvement measures."), field="measures")
        text = _month_text(year, month)
        _start, end = month_range(year, month)
        at = self.now()
        if end > at:
            raise ValidationError(_("{month} has not ended yet: its figures can still "
                                    "change.").format(month=text), field="month")
        self._check_unsigned(text)
        review = self.month_review(actor, year, month)
        number = f"CPS-{year:04d}{month:02d}"
        pdf = complaint_stats_pdf(
            self.company(), at, number, text, review.stats.total.total if review.stats.total
            else 0, actor.display_name, review.stats.header(), review.stats.table(),
            review={"causes": [[c.label, c.count, c.previous] for c in review.causes],
                    "analysis": analysis, "measures": measures,
                    "previous": review.previous_text()})
        signed = self.keys.sign_pdf(actor, pdf, "supervisor", password, handwriting_png,
                                    _("Supervisor"))
        with self.write() as tx:
            self._check_unsigned(text)
            digest = hashlib.sha256(signed).hexdigest()
            document = SignedDocument.create(kind="complaint_stats", record_no=number,
                                             pdf=signed, sha256=digest, created_at=tx.at,
                                             created_by=actor.user_id)
            row = ComplaintMonth.create(number=number, month=text, analysis=analysis,
                                        measures=measures, signed_by=actor.name,
                                        signed_at=tx.at, document=document.id)
            tx.audit(actor, "complaint_stats.sign", "complaint_stats", row.id, after={
                "number": number, "month": text, "measures": measures, "sha256": digest})
        record = _record(row)
        assert record is not None
        return record

    def month_form(self, actor: Actor, year: int, month: int) -> bytes:
        """The month's signed statistics as signed (``Tampered`` if changed since)."""
        self.require(actor, P.RECEPTION_VIEW)
        row = ComplaintMonth.get_or_none(ComplaintMonth.month == _month_text(year, month))
        if row is None:
            raise NotFound(_("The complaints of {month} have not been signed yet.").format(
                month=_month_text(year, month)))
        return checked_pdf(SignedDocument.get_by_id(row.document_id), row.id)

    @staticmethod
    def _check_unsigned(month_text: str) -> None:
        if ComplaintMonth.select().where(ComplaintMonth.month == month_text).exists():
            raise Conflict(_("The complaints of {month} are signed already; a signed form is "
                             "never changed.").format(month=month_text))
