"""The monthly service report (issue 18): how the desk and each agent performed in a month,
with the trend against the five months before — on screen, as XLSX, or as a PDF with charts
signed (PAdES) by whoever writes it. What each figure means is said in
``domain/service_report.py``.

A file is written in the order every file of the program follows (``services/output``): the
target is checked first, the file written as ``FILE.partial`` and signed, then one audit entry
``service_report.write`` with its SHA-256 and the rename. Supervisors, the manager and the
auditor may read it: it names each agent's figures, which clerks see only for themselves in
their own lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from desk_app.domain import service_report as figures
from desk_app.domain.areas.reception import ReceptionPermission as P
from desk_app.domain.errors import ValidationError
from desk_app.domain.roles import role_label
from desk_app.domain.service_report import (
    FORMATS,
    CallBackRow,
    ComplaintRow,
    MessageRow,
    MonthFigures,
    ServiceReport,
    VisitRow,
)
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.exports import snapshot, write_failed
from desk_app.services.reception.base import ReceptionBase, between
from desk_app.services.reception.views import month_range, staff_names
from desk_app.services.signing import KeyService
from desk_app.store.reception import (
    CallBack,
    Complaint,
    ComplaintStaff,
    PhoneMessage,
    Visit,
)

Progress = Callable[[int, int], bool]
SIGNATURE_SLOT = "author"


def _moment(value: object) -> datetime | None:
    """A stored time as read raw: SQLite gives text, PostgreSQL a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _visits(db: Any, start: datetime, end: datetime) -> Iterator[VisitRow]:
    """The month's entries, read through a raw cursor: peewee's per-value conversion cost
    more than the figures themselves (72,000 entries over six months: 1.3 s, most of it
    turning text into datetimes one field at a time)."""
    query = between(Visit.select(
        Visit.handler, Visit.channel, Visit.arrived_at, Visit.answered_at, Visit.resolved_at,
        Visit.timeout_level, Visit.promised_at, Visit.promised_by), Visit.arrived_at, start, end)
    cursor = db.execute(query)
    try:
        for handler, channel, arrived, answered, resolved, level, promised, promised_by \
                in cursor:
            yield VisitRow(handler, channel, _moment(arrived) or start, _moment(answered),
                           _moment(resolved), level, _moment(promised), promised_by)
    finally:
        cursor.close()


def _complaints(start: datetime, end: datetime) -> list[ComplaintRow]:
    query = between(Complaint.select(Complaint.id, Complaint.cause), Complaint.received_at,
                    start, end)
    causes = dict(query.tuples())
    staff: dict[int, list[str]] = {}
    if causes:
        for complaint_id, user in between(
                ComplaintStaff.select(ComplaintStaff.complaint, ComplaintStaff.user_name)
                .join(Complaint), Complaint.received_at, start, end).tuples():
            staff.setdefault(complaint_id, []).append(user)
    return [ComplaintRow(cause, tuple(staff.get(key, ()))) for key, cause in causes.items()]


def _callbacks(start: datetime, end: datetime) -> list[CallBackRow]:
    query = between(CallBack.select(CallBack.done_by, CallBack.satisfaction)
                    .where(CallBack.status != "scheduled"), CallBack.done_at, start, end)
    return [CallBackRow(*row) for row in query.tuples()]


def _messages(start: datetime, end: datetime) -> list[MessageRow]:
    query = between(PhoneMessage.select(PhoneMessage.for_user, PhoneMessage.confirmed_at),
                    PhoneMessage.taken_at, start, end)
    return [MessageRow(user, confirmed is not None) for user, confirmed in query.tuples()]


class ServiceReportService(ReceptionBase):
    keys: KeyService

    def report(self, actor: Actor, year: int, month: int,
               progress: Progress | None = None) -> ServiceReport:
        """The month's figures and the five months' before (``progress`` per month read;
        False from it cancels with ``InterruptedError``)."""
        self.require(actor, P.RECEPTION_REPORT)
        start, end = month_range(year, month)
        now = self.now()
        if start > now:
            raise ValidationError(_("{month} has not begun yet.").format(
                month=figures.month_text(year, month)), field="month")
        months = figures.months_back(year, month)
        history: list[MonthFigures] = []
        with snapshot(self.ctx.db):  # the six months as of one moment
            for done, (y, m) in enumerate(months):
                if progress is not None and not progress(done, len(months)):
                    raise InterruptedError
                first, following = month_range(y, m)
                history.append(figures.month_figures(
                    figures.month_text(y, m), _visits(self.ctx.db, first, following),
                    _complaints(first, following), _callbacks(first, following),
                    _messages(first, following), now))
        if progress is not None:
            progress(len(months), len(months))
        return ServiceReport(year, month, now, end <= now, history, staff_names())

    def charts(self, actor: Actor, report: ServiceReport,
               width: float = 520.0) -> list[tuple[str, str, bytes]]:
        """(key, title, one-page PDF) of each of the report's charts: the screen shows the
        very drawings the signed PDF holds (render them off the GUI thread)."""
        self.require(actor, P.RECEPTION_REPORT)
        from desk_app.forms.service_charts import chart_pdf, charts

        return [(chart.key, chart.title, chart_pdf(chart, width)) for chart in charts(report)]

    def check(self, actor: Actor, fmt: str, out: Path | str, password: str | None = None,
              force: bool = False) -> Path:
        """What ``write_report`` checks before any work, for a dialog to ask first: the permission,
        the format, the target file and, when given for a PDF, the signing password."""
        self.require(actor, P.RECEPTION_REPORT)
        if fmt not in FORMATS:
            raise ValidationError(_("Unknown format {format}: use {choices}.").format(
                format=fmt, choices=", ".join(FORMATS)), field="format")
        path = output.check_target(out, force=force)
        if path.suffix.lower() != f".{fmt}":
            raise ValidationError(_("The file name must end in .{format}.").format(format=fmt),
                                  field="out")
        if password is not None and fmt == "pdf":
            self.keys.check_signing_password(actor, password)
        return path

    def write_report(self, actor: Actor, year: int, month: int, fmt: str, out: Path | str,
              password: str | None = None, handwriting_png: bytes | None = None,
              progress: Progress | None = None, force: bool = False) -> output.Published:
        """The report as a file: XLSX, or a PDF with charts signed with the actor's key
        (their password needed). A refusal, a cancel or a failure leaves no file and no
        entry."""
        path = self.check(actor, fmt, out, force=force)
        if fmt == "pdf":
            self.keys.check_signing_password(actor, password)
        report = self.report(actor, year, month, progress)
        company = self.company()
        with output.OutputFile(path, replace=force) as target:
            try:
                if fmt == "pdf":
                    from desk_app.forms.service_report import service_report_pdf

                    pdf = service_report_pdf(company, report, actor.display_name)
                    signer = role_label(sorted(actor.roles)[0]) if actor.roles else ""
                    target.partial.write_bytes(self.keys.sign_pdf(
                        actor, pdf, SIGNATURE_SLOT, password or "", handwriting_png, signer))
                else:
                    from desk_app.forms.service_report_xlsx import write_service_report_xlsx

                    write_service_report_xlsx(target.partial, company, report)
            except OSError as error:
                raise write_failed(path, error) from None
            return target.publish(self, actor, "service_report.write", "service_report", {
                "month": report.month_text, "format": fmt, "number": report.number,
                "complete": report.complete})

