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
from desk_app.forms.service_charts import Chart, charts, drawing
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec, SignatureSlot, format_time
from desk_app.i18n import _


def _drawn(chart: Chart, width: float) -> list[Any]:
    return [drawing(chart, width)]


def service_report_pdf(company: str, report: ServiceReport, author: str) -> bytes:
    """The report, with its empty ``author`` signature field."""
    spec = FormSpec(company, _("Monthly service report"), report.number, report.generated_at,
                    landscape=True, author=author)
    desk = report.desk
    spec.key_values([
        (_("Month"), report.month_text if report.complete else _(
            "{month} (not ended yet: figures up to {time})").format(
                month=report.month_text, time=format_time(report.generated_at))),
        (_("Calls and visits"), f"{desk.entries} ({_('calls')} {desk.calls}, "
                                f"{_('visits')} {desk.visits})"),
        (_("Written by"), author),
    ])
    spec.heading(_("Against last month"))
    spec.table(trend_header(report), trend_rows(report), col_widths=[30, 14, 14, 22])
    spec.heading(_("Per agent"))
    spec.table(agent_header(), agent_rows(report), col_widths=AGENT_WIDTHS)
    for chart in charts(report):
        spec.flowables(partial(_drawn, chart))
        spec.spacer(6)
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
