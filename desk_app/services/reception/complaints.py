"""Complaints (R14): received, promised a reply within the set hours, replied; the monthly
statistics by category as a report (PDF or XLSX)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.complaints import parse_severity
from desk_app.domain.errors import Conflict, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.exports import ExportResult, check_target, write_failed
from desk_app.services.reception.base import (
    ReceptionBase,
    between,
    complaint_query,
    sign_if_asked,
)
from desk_app.services.reception.views import (
    ComplaintFilter,
    ComplaintStats,
    ComplaintView,
    StatRow,
    complaint_view,
    month_range,
    staff_names,
)
from desk_app.services.signing import KeyService
from desk_app.store import audit_chain
from desk_app.store.reception import Complaint


class ComplaintService(ReceptionBase):
    keys: KeyService

    def add_complaint(self, actor: Actor, category: str, description: str, name: str = "",
                      contact: str = "", visit_id: int | None = None,
                      confirm_phrases: bool = False, severity: int | str = 1) -> ComplaintView:
        """A complaint received; serious and severe ones are on the supervisor's Today at
        once (``ComplaintFlowService.waiting_for_me``)."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        category = rules.parse_category(category)
        level = parse_severity(severity)
        description = rules.text_field(description, "description", _("The description"), 4000)
        if not description:
            raise ValidationError(_("Describe the complaint."), field="description")
        name = rules.text_field(name, "name", _("The name"), 64)
        contact = rules.text_field(contact, "contact", _("The contact"), 64)
        self._notes(confirm_phrases, description=description)
        hours = int(self.settings.value("complaint_reply_hours"))
        with self.write() as tx:
            if visit_id is not None:
                self._visit(visit_id)
            row = Complaint.create(visit=visit_id, received_at=tx.at, category=category,
                                   name=name, contact=contact, description=description,
                                   handler=actor.name, promised_at=tx.at + timedelta(hours=hours),
                                   created_by=actor.name, severity=level.value)
            tx.audit(actor, "complaint.add", "complaint", row.id,
                     after={"category": category, "description": description,
                            "visit": visit_id, "promised": row.promised_at.isoformat(),
                            "severity": level.value, "escalated": level.escalated})
        return complaint_view(row)

    def reply_complaint(self, actor: Actor, complaint_id: int, result: str,
                        confirm_phrases: bool = False) -> ComplaintView:
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        result = self._required_result(result, _("Write down the reply given."))
        self._notes(confirm_phrases, result=result)
        with self.write() as tx:
            row = self._locked_row(Complaint, complaint_id, _("No complaint {id}."))
            if row.replied_at is not None:
                raise Conflict(_("Complaint {id} was already replied to.").format(
                    id=complaint_id))
            row.replied_at, row.replied_by, row.result = tx.at, actor.name, result
            row.save()
            tx.audit(actor, "complaint.reply", "complaint", row.id,
                     after={"result": result, "on_time": row.replied_at <= row.promised_at})
        return complaint_view(row)

    def complaints(self, actor: Actor, since: date | None = None, until: date | None = None,
                   open_only: bool = False, offset: int = 0,
                   limit: int = 1000, status: str = "") -> list[ComplaintView]:
        """Latest received first; ``status`` one state of domain.complaints.Status, or all."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        query = complaint_query(ComplaintFilter(since, until, open_only, status))
        query = query.order_by(Complaint.received_at.desc(), Complaint.id.desc())
        names = staff_names()
        return [complaint_view(row, names) for row in query.offset(offset).limit(limit)]

    def count_complaints(self, actor: Actor, since: date | None = None,
                         until: date | None = None, open_only: bool = False,
                         status: str = "") -> int:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        return complaint_query(ComplaintFilter(since, until, open_only, status)).count()

    def complaint_stats(self, actor: Actor, year: int, month: int) -> ComplaintStats:
        """The monthly complaint statistics by category (顾客投诉分类统计表)."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        start, end = month_range(year, month)
        return self._stats(year, month, between(Complaint.select(), Complaint.received_at,
                                                start, end))

    def _stats(self, year: int, month: int, query) -> ComplaintStats:
        buckets: dict[str, list[Complaint]] = {key: [] for key in rules.COMPLAINT_CATEGORIES}
        for row in query:
            buckets.setdefault(row.category, []).append(row)

        def summarise(key: str, label: str, rows: list[Complaint]) -> StatRow:
            replies: list[tuple[datetime, datetime, datetime]] = [
                (r.received_at, r.replied_at, r.promised_at) for r in rows
                if r.replied_at is not None]
            hours = [(replied - received).total_seconds() / 3600
                     for received, replied, _promised in replies]
            on_time = sum(1 for _received, replied, promised in replies if replied <= promised)
            return StatRow(key, label, len(rows), len(replies), on_time, len(rows) - len(replies),
                           sum(hours) / len(hours) if hours else None)

        rows = [summarise(key, rules.category_label(key), items)
                for key, items in buckets.items()]
        everything = [r for items in buckets.values() for r in items]
        return ComplaintStats(year, month, rows, summarise("total", _("Total"), everything))

    def export_complaint_stats(self, actor: Actor, year: int, month: int, fmt: str, out: Path,
                               password: str | None = None,
                               handwriting_png: bytes | None = None,
                               force: bool = False) -> ExportResult:
        """The monthly complaint statistics table as PDF (signed with a password) or XLSX, in
        the order of every file the program writes (services.output): signing password
        first, then ``FILE.partial``, then the audit entry with the file's hash and the
        rename."""
        from desk_app.forms.reception import complaint_stats_pdf

        stats = self.complaint_stats(actor, year, month)
        out = check_target(out, fmt, ("pdf", "xlsx"), force)
        month_text = f"{year:04d}-{month:02d}"
        if fmt == "pdf" and password is not None:
            self.keys.check_signing_password(actor, password)
        head_seq, head_hash = audit_chain.head()
        with output.OutputFile(out, replace=force) as target:
            try:
                if fmt == "xlsx":
                    _write_xlsx(target.partial, _("Complaint statistics by category"),
                                month_text, stats)
                else:
                    pdf = complaint_stats_pdf(
                        self.company(), self.now(), f"CPS-{year:04d}{month:02d}", month_text,
                        stats.total.total if stats.total else 0, actor.display_name, stats.header(),
                        stats.table())
                    target.partial.write_bytes(sign_if_asked(
                        self.keys, actor, pdf, "preparer", password, handwriting_png))
            except OSError as error:
                raise write_failed(out, error) from None
            target.publish(self, actor, "export.complaint_stats", "export", {
                "month": month_text, "format": fmt, "rows": len(stats.rows)})
        return ExportResult(out, len(stats.rows), head_seq, head_hash)


def _write_xlsx(path: Path, title: str, month_text: str, stats: ComplaintStats) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = month_text
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Month"), month_text])
    sheet.append([])
    sheet.append(stats.header())
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in [*stats.rows, *([stats.total] if stats.total else [])]:
        share = row.total / stats.total.total if stats.total and stats.total.total else None
        sheet.append([row.label, row.total, row.replied, row.on_time, row.open,
                      None if row.average_hours is None else round(row.average_hours, 1), share])
        sheet.cell(sheet.max_row, 7).number_format = "0.0%"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (24, 12, 12, 16, 10, 22, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    book.save(path)
