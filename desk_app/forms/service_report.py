"""The monthly service report as a PDF (issue 18), landscape: the month's key figures and
their trend against the month before in 002's words, the figures per agent and for the whole
desk, the charts (``forms.service_charts``), the complaints by cause, what each figure means,
and one signature box for whoever writes it. It comes back ready to sign."""

from __future__ import annotations

from functools import partial
from typing import Any

from desk_app.domain.service_report import ServiceReport
from desk_app.domain.service_report_tables import (
    AGENT_WIDTHS,
    agent_header,
    agent_rows,
    cause_rows,
    definitions,
    previous_month_label,
    trend_header,
    trend_rows,
)
from desk_app.forms.fonts import FONT
from desk_app.forms.service_charts import Chart, charts, drawing
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec, SignatureSlot, format_time
from desk_app.i18n import _


def _room_for(height: float, width: float) -> list[Any]:
    from reportlab.platypus import CondPageBreak

    return [CondPageBreak(height)]


def _side_by_side(shown: list[Chart], width: float) -> list[Any]:
    """The charts two to a row, each row kept on one page."""
    from reportlab.platypus import Spacer, Table, TableStyle

    gap = 16.0
    half = (width - gap) / 2
    rows = []
    for start in range(0, len(shown), 2):
        pair = [drawing(chart, half) for chart in shown[start:start + 2]]
        table = Table([[*pair, *([Spacer(1, 1)] * (2 - len(pair)))]],
                      colWidths=[half + gap, half])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("FONTNAME", (0, 0), (-1, -1), FONT),  # not Helvetica
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        rows.extend([table, Spacer(1, 10)])
    return rows


def service_report_pdf(company: str, report: ServiceReport, author: str) -> bytes:
    """The report, with its empty ``author`` signature field."""
    spec = FormSpec(company, _("Monthly service report"), report.number, report.generated_at,
                    landscape=True, author=author)
    desk = report.desk
    spec.key_values([
        (_("Month"), report.month_text if report.complete else _(
            "{month} (not ended yet: figures up to {time})").format(
                month=report.month_text, time=format_time(report.generated_at))),
        (_("Calls and visits"), _("{total} (calls {calls}, visits {visits})").format(
            total=desk.entries, calls=desk.calls, visits=desk.visits)),
        (_("Written by"), author),
    ])
    spec.heading(_("Against last month"))
    spec.table(trend_header(report), trend_rows(report), col_widths=[30, 14, 14, 22])
    rows = agent_rows(report)
    # a short table of agents starts on a new page rather than leave its last rows alone
    spec.flowables(partial(_room_for, 60.0 + 30.0 * len(rows)))
    spec.heading(_("Per agent"))
    spec.table(agent_header(), rows, col_widths=AGENT_WIDTHS)
    spec.flowables(partial(_side_by_side, charts(report)))
    spec.heading(_("Complaints by cause"))
    rows = cause_rows(report)
    if rows:
        spec.table([_("Cause"), report.month_text, previous_month_label(report)], rows,
                   col_widths=[40, 12, 12])
    else:
        spec.paragraph(_("No complaints in either month."))
    spec.heading(_("What the figures mean"))
    spec.paragraph(definitions())
    spec.signatures([SignatureSlot("author", _("Written by"))])
    return ready_to_sign(spec)
