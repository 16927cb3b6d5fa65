"""What reception exports besides its registers: the monthly complaint statistics (PDF signed
by you, or XLSX). The log, the call-backs and the complaints are exported by each tab's shared
Export… button (``ui/widgets/export_dialog``).

The statistics go through the shared dialog's order: the file is checked first ("replace
it?" included), then a PDF asks for the signature, then
``desk.complaints.export_complaint_stats`` runs in a background job.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from desk_app.i18n import _
from desk_app.services.output import check_target
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.export_dialog import ExportDialog
from desk_app.ui.widgets.jobs import Progress

STATS = "complaint_stats"  # the default file name's start, and the audit entry's kind


class ComplaintStatsDialog(ExportDialog):
    """One month's complaint statistics by category, as a signed PDF or an XLSX workbook."""

    def __init__(self, desk, actor, parent=None) -> None:
        super().__init__(desk, actor, STATS, parent)
        self.setObjectName("complaint_stats_dialog")

    def register_title(self) -> str:
        return _("Monthly complaint statistics")

    def offered_formats(self) -> Sequence[str]:
        return ("pdf", "xlsx")

    def add_period_fields(self) -> None:
        self.month_edit = DateField(self.today.replace(day=1), name="stats_month", month=True)
        self.add_field("month", _("&Month:"), self.month_edit)

    def set_month(self, year: int, month: int) -> None:
        self.month_edit.set_value(date(year, month, 1))

    def chosen_period(self) -> tuple[date, date] | None:
        day = self.month_edit.value()
        if day is None:
            self.error_at("month", self.month_edit.error() or "")
            self.month_edit.line_edit.setFocus()
            return None
        return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])

    def check(self, since: date, until: date, fmt: str, out: Path | str,
              password: str | None = None, force: bool = False) -> Path:
        """Not a register: the file, and for a PDF the signing password, before signing."""
        path = check_target(out, force=force)
        if password is not None and fmt == "pdf":
            self.desk.keys.check_signing_password(self.actor, password)
        return path

    def sign_prompt(self) -> str:
        assert self.since is not None
        return _("You sign the complaint statistics of {month} ({name}). Your password unlocks "
                 "your signing key.").format(month=f"{self.since:%Y-%m}", name=self.path.name)

    def export_work(self, password: str | None,
                    handwriting_png: bytes | None) -> Callable[[Progress], Any]:
        desk, actor, fmt, out, force = self.desk, self.actor, self.fmt, self.path, self.force
        assert self.since is not None
        year, month = self.since.year, self.since.month
        secret = [password]  # the worker takes the password; nothing keeps it afterwards

        def work(_progress: Progress) -> Any:
            return desk.complaints.export_complaint_stats(
                actor, year, month, fmt, out, password=secret.pop(),
                handwriting_png=handwriting_png, force=force)

        return work
