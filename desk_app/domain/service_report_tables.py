"""The service report's tables as rows of text, the same on screen, in the PDF and in the
XLSX's headers (``domain/service_report.py`` says what each figure means)."""

from __future__ import annotations

from typing import Any

from desk_app.domain.complaints import cause_label
from desk_app.domain.service_report import (
    TREND_LABELS,
    Figures,
    ServiceReport,
    change_words,
    figure_text,
    month_text,
    previous_month,
    share_text,
    time_text,
)
from desk_app.i18n import _


def previous_month_label(report: ServiceReport) -> str:
    return month_text(*previous_month(report.year, report.month))


AGENT_WIDTHS = [12, 6, 6, 7, 7, 7, 7, 10, 9, 9, 8, 8, 9]


def agent_header() -> list[str]:
    return [_("Agent"), _("Calls"), _("Visits"), _("Answer median"), _("Answer p90"),
            _("Reply median"), _("Reply p90"), _("Timeouts minor/moderate/severe"),
            _("Complaints"), _("Call-backs"), _("Satisfied"), _("Promises kept"),
            _("Messages confirmed")]


def _of(part: int, whole: int) -> str:
    return f"{part}/{whole}" if whole else "—"


def agent_cells(name: str, figures: Figures) -> list[str]:
    """One row of the agents' table (the screen and the XLSX use the same cells)."""
    levels = figures.timeouts
    return [
        name, str(figures.calls), str(figures.visits), time_text(figures.answer_median),
        time_text(figures.answer_p90), time_text(figures.reply_median),
        time_text(figures.reply_p90), f"{levels[1]}/{levels[2]}/{levels[3]}",
        str(figures.complaints), str(figures.callbacks),
        f"{share_text(figures.satisfaction)} ({_of(figures.satisfied, figures.reached)})"
        if figures.reached else "—",
        f"{share_text(figures.promises_kept_share)} "
        f"({_of(figures.promises_kept, figures.promises)})" if figures.promises else "—",
        f"{share_text(figures.messages_confirmed_share)} "
        f"({_of(figures.messages_confirmed, figures.messages)})" if figures.messages else "—",
    ]


def agent_rows(report: ServiceReport) -> list[list[str]]:
    """Each agent, then the whole desk."""
    rows = [agent_cells(line.name, line.figures) for line in report.agents()]
    rows.append(agent_cells(_("Whole desk"), report.desk))
    return rows


def trend_header(report: ServiceReport) -> list[str]:
    return [_("Figure"), previous_month_label(report), report.month_text,
            _("Against last month")]


def trend_rows(report: ServiceReport) -> list[list[str]]:
    return [[_(TREND_LABELS[item.key]), figure_text(item.key, item.before),
             figure_text(item.key, item.now), change_words(item)] for item in report.trend()]


def cause_rows(report: ServiceReport) -> list[list[Any]]:
    before = report.previous.causes if report.previous is not None else {}
    now = report.desk.causes
    keys = sorted(set(now) | set(before), key=lambda key: (-now.get(key, 0), key))
    return [[cause_label(key) if key else _("Not analysed yet"), now.get(key, 0),
             before.get(key, 0)] for key in keys]


def definitions() -> str:
    return _(
        "Answer time: arrival or ring to the first answer (visitors and incoming calls). "
        "Reply time: arrival to resolution. Median: the middle value; p90: 90 % of the "
        "entries were within it. An entry counts for its handler in the month it arrived; a "
        "complaint for each staff member it concerns; a call-back for whoever made it; a "
        "message for its addressee. Satisfied: very satisfied or satisfied among the "
        "customers reached. Promises kept: resolved by the promised time, among promises "
        "resolved or past due. The change is in per cent of last month's value, for shares "
        "in percentage points.")
