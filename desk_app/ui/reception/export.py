"""Reception's own export dialog: the log or the complaints (PDF/CSV/XLSX) and the monthly
complaint statistics (PDF/XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QWidget

from desk_app.i18n import _
from desk_app.ui.errors import replacing
from desk_app.ui.reception.common import Host
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.widgets.fields import to_qdate


def export_dialog(host: Host, parent: QWidget, kind: str = "visits") -> FormDialog:
    desk, actor = host.desk, host.actor
    today = desk.today()
    kinds = [("visits", _("Visitor and call log")), ("complaints", _("Complaint register")),
             ("stats", _("Monthly complaint statistics"))]
    formats = [("pdf", "PDF"), ("csv", "CSV"), ("xlsx", "XLSX")]

    def submit(values: dict[str, Any], _confirm: bool):
        since, until = values["since"].date(), values["until"].date()
        out = Path(values["file"]).expanduser()
        password = values["password"] or None
        fmt = values["format"]
        if values["kind"] == "stats":
            return replacing(parent, lambda force: desk.complaints.export_complaint_stats(
                actor, since.year, since.month, fmt, out, password=password, force=force))
        return replacing(parent, lambda force: desk.exports.export(
            actor, values["kind"], since, until, fmt, out, password=password, force=force))

    return host.dialog_for(_("Export"), [
        FieldSpec("kind", _("&What"), "choice", kinds, kind),
        FieldSpec("since", _("&From (statistics: the month of this day)"), "datetime",
                  value=QDate(today.year, today.month, 1).startOfDay()),
        FieldSpec("until", _("&To"), "datetime", value=to_qdate(today).endOfDay()),
        FieldSpec("format", _("F&ormat"), "choice", formats, "xlsx" if kind == "stats" else "pdf"),
        FieldSpec("file", _("F&ile"), value=str(Path.home() / f"{kind}-{today:%Y%m}")),
        FieldSpec("password", _("&Password to sign a PDF (optional)"), "password"),
    ], submit)
