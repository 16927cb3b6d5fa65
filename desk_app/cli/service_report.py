"""The monthly service report on the command line (issue 18): ``desk-app report service``.

Without ``--out`` it prints the trend against last month and the figures per agent (``--json``:
everything, the five months before included); with ``--format pdf|xlsx --out FILE`` it writes
the report — the PDF signed with the password given at sign-in. Supervisors, the manager and
the auditor may run it (``desk.service_reports``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from desk_app.cli.common import (
    CliError,
    add_actions,
    add_command,
    emit,
    force_option,
    json_option,
    json_text,
    option,
    safe_text,
    with_actor,
)
from desk_app.cli.complaints import _month
from desk_app.domain.service_report import FORMATS, TREND_LABELS, Figures, change_sentence
from desk_app.i18n import _

AGENT_KEYS = ("agent", "name", "calls", "visits", "answer_median_s", "answer_p90_s",
              "reply_median_s", "reply_p90_s", "timeouts_minor", "timeouts_moderate",
              "timeouts_severe", "complaints", "callbacks", "satisfied", "reached",
              "promises_kept", "promises", "messages_confirmed", "messages")


def register(commands) -> None:
    report = add_actions(commands, "report", _("reports over a month"))
    add_command(report, "service", _("the monthly service report: per agent and for the desk, "
                                     "with the trend against last month"), cmd_service,
                option("--month", type=_month, required=True, metavar="YYYY-MM"),
                option("--format", choices=FORMATS,
                       help=_("write a file: pdf (signed, with charts) or xlsx")),
                option("--out", type=Path, metavar="FILE"), force_option(), json_option())


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def figures_dict(user: str, name: str, figures: Figures) -> dict[str, Any]:
    values = (user, name, figures.calls, figures.visits, _seconds(figures.answer_median),
              _seconds(figures.answer_p90), _seconds(figures.reply_median),
              _seconds(figures.reply_p90), figures.timeouts[1], figures.timeouts[2],
              figures.timeouts[3], figures.complaints, figures.callbacks, figures.satisfied,
              figures.reached, figures.promises_kept, figures.promises,
              figures.messages_confirmed, figures.messages)
    return {**dict(zip(AGENT_KEYS, values, strict=True)), "causes": dict(figures.causes)}


@with_actor
def cmd_service(desk, actor, args) -> int:
    year, month = args.month
    if args.format or args.out:
        if not (args.format and args.out):
            raise CliError(_("Give both --format and --out to write a file."))
        password = args.signing_password if args.format == "pdf" else None
        published = desk.service_reports.write_report(actor, year, month, args.format, args.out,
                                               password=password, force=args.force)
        if args.json:
            sys.stdout.write(json_text({
                "month": f"{year:04d}-{month:02d}", "format": args.format,
                "file": str(published.path), "sha256": published.sha256,
                "bytes": published.size}) + "\n")
            return 0
        print(_("Service report for {month} written to {path} (SHA-256 {sha}).").format(
            month=f"{year:04d}-{month:02d}", path=published.path, sha=published.sha256))
        return 0
    report = desk.service_reports.report(actor, year, month)
    agents = [figures_dict(line.user, line.name, line.figures) for line in report.agents()]
    if args.json:
        sys.stdout.write(json_text({
            "month": report.month_text, "complete": report.complete,
            "desk": figures_dict("", "", report.desk), "agents": agents,
            "trend": [{"figure": item.key, "label": _(TREND_LABELS[item.key]),
                       "now": item.now, "before": item.before, "change": item.percent,
                       "points": item.points} for item in report.trend()],
            "months": [{"month": m.month, **figures_dict("", "", m.desk)}
                       for m in report.history]}) + "\n")
        return 0
    heading = _("Service report {month}").format(month=report.month_text)
    if not report.complete:
        heading += " " + _("(not ended yet)")
    print(heading, file=sys.stderr)
    for item in report.trend():
        print(safe_text(change_sentence(item)), file=sys.stderr)
    emit(args, [*agents, figures_dict("", _("Whole desk"), report.desk)],
         [key for key in AGENT_KEYS if key != "agent"])
    return 0
