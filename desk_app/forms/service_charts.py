"""The service report's charts as reportlab drawings: the same drawings go into the signed PDF
and onto the screen (``chart_pdf`` → the Reception page renders it with QtPdf), so what is
shown is what is signed.

Why reportlab's own graphics and not matplotlib: reportlab already writes every PDF of the
program and embeds its CJK font; its charts are vector drawings in that font, with no new
dependency (matplotlib with numpy would add some 40 MB to the frozen bundle and needs its
own CJK font set-up), and they are simple enough for bar and line charts.

Every text uses the program's font (``forms.fonts``): a drawing left on reportlab's default
would add Helvetica, which the PDFs do not embed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desk_app.domain.complaints import cause_label
from desk_app.domain.service_report import ServiceReport
from desk_app.domain.service_report_tables import previous_month_label
from desk_app.forms.fonts import FONT, register_fonts
from desk_app.i18n import _

HEIGHT = 190.0
COLOURS = ((0.16, 0.40, 0.70), (0.90, 0.55, 0.10), (0.75, 0.16, 0.16), (0.30, 0.62, 0.30))
MAX_AGENTS = 16  # a chart with more bars than this lists the busiest agents


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    categories: list[str]  # the x axis (months) or the y axis (agents, causes)
    series: list[tuple[str, list[float | None]]]  # (legend, one value per category)
    kind: str  # "line", "bars", "stacked" or "hbars"
    unit: str  # printed on the value axis


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 2)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def charts(report: ServiceReport) -> list[Chart]:
    """The report's charts as plain values (the screen lists them as tables too)."""
    months = [figures.month for figures in report.history]
    desks = [figures.desk for figures in report.history]
    agents = sorted(report.agents(), key=lambda line: -line.figures.entries)[:MAX_AGENTS]
    agents.reverse()  # horizontal bars are drawn bottom up: the busiest on top
    causes_now = report.desk.causes
    previous = report.previous
    causes_before = previous.causes if previous is not None else {}
    # the cause table's order (most first), reversed: horizontal bars are drawn bottom up
    cause_keys = sorted(set(causes_now) | set(causes_before),
                        key=lambda key: (-causes_now.get(key, 0), key))[::-1]
    return [
        Chart("times", _("Reply and answer times by month"), months, [
            (_("Reply time (median)"), [_minutes(d.reply_median) for d in desks]),
            (_("Reply time (90th percentile)"), [_minutes(d.reply_p90) for d in desks]),
            (_("Answer time (median)"), [_minutes(d.answer_median) for d in desks]),
        ], "line", _("minutes")),
        Chart("shares", _("Satisfaction, promises and messages by month"), months, [
            (_("Call-backs satisfied"), [_percent(d.satisfaction) for d in desks]),
            (_("Promises kept"), [_percent(d.promises_kept_share) for d in desks]),
            (_("Messages confirmed"), [_percent(d.messages_confirmed_share) for d in desks]),
        ], "line", "%"),
        Chart("timeouts", _("Timeouts by level and month"), months, [
            (_("Minor"), [float(d.timeouts[1]) for d in desks]),
            (_("Moderate"), [float(d.timeouts[2]) for d in desks]),
            (_("Severe"), [float(d.timeouts[3]) for d in desks]),
        ], "stacked", _("entries")),
        Chart("agents", _("{month}: calls and visits per agent").format(
            month=report.month_text), [line.name for line in agents], [
            (_("Calls"), [float(line.figures.calls) for line in agents]),
            (_("Visits"), [float(line.figures.visits) for line in agents]),
        ], "hbars", _("entries")),
        Chart("causes", _("Complaints by cause: this month and last"),
              [cause_label(key) if key else _("Not analysed yet") for key in cause_keys], [
            (previous_month_label(report), [float(causes_before.get(k, 0)) for k in cause_keys]),
            (report.month_text, [float(causes_now.get(k, 0)) for k in cause_keys]),
        ], "hbars", _("complaints")),
    ]


def _top(values: Sequence[float | None]) -> float:
    top = max((v for v in values if v is not None), default=0.0)
    return top if top > 0 else 1.0


def _style_axis(axis: Any, size: float = 7) -> None:
    axis.labels.fontName = FONT
    axis.labels.fontSize = size
    axis.strokeWidth = 0.5


def drawing(chart: Chart, width: float, height: float = HEIGHT) -> Any:
    """The chart as a reportlab ``Drawing`` of ``width`` × ``height`` points (title, plot,
    legend)."""
    register_fonts()
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rows = max(1, len(chart.categories))
    if chart.kind == "hbars":
        height = max(height, 60.0 + rows * 12.0 * max(1, len(chart.series)))
    canvas = Drawing(width, height, initialFontName=FONT, initialFontSize=7)
    canvas.add(String(0, height - 12, chart.title, fontName=FONT, fontSize=10))
    # a month without a value is a gap in a line, an empty place among bars
    data = [[v if chart.kind == "line" else (v or 0.0) for v in values]
            for _legend, values in chart.series]
    # horizontal bars stack a group's series bottom up: drawn in reverse, they read top down
    # in the legend's order
    order = list(range(len(data)))[::-1] if chart.kind == "hbars" else list(range(len(data)))
    data = [data[index] for index in order]
    plot: Any
    if chart.kind == "line":
        plot = HorizontalLineChart()
    elif chart.kind == "hbars":
        plot = HorizontalBarChart()
    else:
        plot = VerticalBarChart()
    left = 40.0
    if chart.kind == "hbars":  # room for the longest name, at most 40 % of the width
        longest = max((stringWidth(name, FONT, 7) for name in chart.categories), default=0.0)
        left = min(max(60.0, longest + 10.0), 0.4 * width)
    # the legend is one row under the plot: the plot keeps the drawing's whole width
    plot.x, plot.y = left, 42.0
    plot.width, plot.height = width - left - 12.0, height - 68.0
    plot.data = data or [[0.0]]
    plot.categoryAxis.categoryNames = list(chart.categories) or [""]
    _style_axis(plot.categoryAxis)
    _style_axis(plot.valueAxis)
    plot.valueAxis.valueMin = 0
    tops = [_top(values) for _legend, values in chart.series] or [1.0]
    plot.valueAxis.valueMax = (sum(tops) if chart.kind == "stacked" else max(tops)) * 1.15
    if chart.kind == "line":
        from reportlab.graphics.widgets.markers import makeMarker

        plot.joinedLines = 0
        for index, values in enumerate(data):
            line = plot.lines[index]
            line.strokeColor = colors.Color(*COLOURS[index % len(COLOURS)])
            line.strokeWidth = 1.5
            line.symbol = makeMarker("FilledCircle", size=5,
                                     fillColor=line.strokeColor, strokeColor=None)
            # a line needs two points: a figure with one month only is its dot
            if sum(value is not None for value in values) > 1:
                line.lineStyle = "joinedLine"
    else:
        for index, series in enumerate(order):
            plot.bars[index].fillColor = colors.Color(*COLOURS[series % len(COLOURS)])
            plot.bars[index].strokeColor = None
        if chart.kind == "stacked":
            plot.categoryAxis.style = "stacked"
        plot.barSpacing = 1
        plot.groupSpacing = 4
    canvas.add(plot)
    canvas.add(String(plot.x, plot.y + plot.height + 4, chart.unit, fontName=FONT,
                      fontSize=7))
    legend = Legend()
    legend.x, legend.y = left, 8.0
    legend.fontName, legend.fontSize = FONT, 7
    legend.alignment = "right"
    legend.columnMaximum = 1  # one row
    legend.dx = legend.dy = 6
    legend.deltax = 14 + max((stringWidth(name, FONT, 7) for name, _v in chart.series),
                             default=40.0)
    legend.colorNamePairs = [(colors.Color(*COLOURS[i % len(COLOURS)]), name)
                             for i, (name, _values) in enumerate(chart.series)]
    canvas.add(legend)
    return canvas


def chart_pdf(chart: Chart, width: float = 520.0) -> bytes:
    """One chart alone as a one-page PDF (the screen renders it)."""
    from reportlab.graphics import renderPDF

    return bytes(renderPDF.drawToString(drawing(chart, width)))
