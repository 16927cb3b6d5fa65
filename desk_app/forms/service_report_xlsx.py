"""The monthly service report as an XLSX workbook: the trend, the agents' figures as numbers
(times in minutes, shares as fractions formatted as per cent, so a spreadsheet can go on
computing), the months' history with the same charts as native Excel charts, and the
complaints by cause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desk_app.domain.service_report import TREND_LABELS, Figures, ServiceReport
from desk_app.domain.service_report_tables import cause_rows, definitions, previous_month_label
from desk_app.i18n import _


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 2)


def _figure_columns() -> list[tuple[str, str]]:
    """(header, number format) of the figures' columns after the name."""
    return [
        (_("Calls"), "0"), (_("Visits"), "0"),
        (_("Answer median (min)"), "0.00"), (_("Answer p90 (min)"), "0.00"),
        (_("Reply median (min)"), "0.00"), (_("Reply p90 (min)"), "0.00"),
        (_("Minor timeouts"), "0"), (_("Moderate timeouts"), "0"), (_("Severe timeouts"), "0"),
        (_("Complaints"), "0"), (_("Call-backs"), "0"), (_("Satisfied"), "0%"),
        (_("Promises kept"), "0%"), (_("Messages confirmed"), "0%"),
    ]


def _figure_values(figures: Figures) -> list[Any]:
    return [
        figures.calls, figures.visits, _minutes(figures.answer_median),
        _minutes(figures.answer_p90), _minutes(figures.reply_median),
        _minutes(figures.reply_p90), figures.timeouts[1], figures.timeouts[2],
        figures.timeouts[3], figures.complaints, figures.callbacks, figures.satisfaction,
        figures.promises_kept_share, figures.messages_confirmed_share,
    ]


def _table(sheet: Any, header: list[str], rows: list[list[Any]], formats: list[str]) -> None:
    from openpyxl.styles import Font

    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
            if number_format:
                cell.number_format = number_format
    for index, title in enumerate(header, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, min(40, len(title) + 4))


def write_service_report_xlsx(path: Path, company: str, report: ServiceReport) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference

    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    summary.append([company])
    summary.append([_("Monthly service report"), report.number])
    summary.append([_("Month"), report.month_text,
                    "" if report.complete else _("not ended yet")])
    summary.append([])
    summary.append([_("Figure"), previous_month_label(report), report.month_text,
                    _("Against last month")])
    for item in report.trend():
        summary.append([_(TREND_LABELS[item.key]), item.before, item.now,
                        None if item.percent is None else item.percent / 100])
        row = summary[summary.max_row]
        share = item.points
        for cell in row[1:3]:
            cell.number_format = "0%" if share else "0.##"
        row[3].number_format = "+0.0%;-0.0%;0.0%"
    summary.append([])
    summary.append([definitions()])
    summary.column_dimensions["A"].width = 34
    for letter in "BCD":
        summary.column_dimensions[letter].width = 14

    columns = _figure_columns()
    formats = ["", *(number_format for _title, number_format in columns)]
    agents = book.create_sheet(_("Per agent")[:31])
    rows = [[line.name, *_figure_values(line.figures)] for line in report.agents()]
    rows.append([_("Whole desk"), *_figure_values(report.desk)])
    _table(agents, [_("Agent"), *(title for title, _format in columns)], rows, formats)

    months = book.create_sheet(_("By month")[:31])
    _table(months, [_("Month"), *(title for title, _format in columns)],
           [[m.month, *_figure_values(m.desk)] for m in report.history], formats)
    count = len(report.history)
    line = LineChart()
    line.title = _("Reply and answer times by month")
    line.y_axis.title = _("minutes")
    line.add_data(Reference(months, min_col=4, max_col=7, min_row=1, max_row=count + 1),
                  titles_from_data=True)
    line.set_categories(Reference(months, min_col=1, min_row=2, max_row=count + 1))
    months.add_chart(line, f"A{count + 4}")
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = _("Timeouts by level and month")
    bars.add_data(Reference(months, min_col=8, max_col=10, min_row=1, max_row=count + 1),
                  titles_from_data=True)
    bars.set_categories(Reference(months, min_col=1, min_row=2, max_row=count + 1))
    months.add_chart(bars, f"J{count + 4}")

    causes = book.create_sheet(_("Complaints by cause")[:31])
    _table(causes, [_("Cause"), report.month_text, previous_month_label(report)],
           cause_rows(report), ["", "0", "0"])
    book.save(path)
