"""Reception: the script library, the visitor and call log, complaint statistics."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from desk_app.cli.common import (
    MAX_ROWS,
    CliError,
    bounded_int,
    emit,
    parse_date,
    safe_text,
    with_actor,
)
from desk_app.i18n import _


def _month(text: str) -> tuple[int, int]:
    try:
        value = date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a month: {text} (use YYYY-MM)").format(text=text)) from None
    return value.year, value.month


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(_("use name=value: {text}").format(text=text))
    return name.strip(), value


def register(commands) -> None:
    script = commands.add_parser("script", help=_("standard phrases for visitors and calls"))
    actions = script.add_subparsers(dest="script_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=_("list the current scripts"))
    listing.add_argument("--lang", choices=["zh_CN", "zh_TW", "en"])
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_script_list)

    render = actions.add_parser("render", help=_("print a script with its placeholders filled"))
    render.add_argument("key")
    render.add_argument("--lang", choices=["zh_CN", "zh_TW", "en"], required=True)
    render.add_argument("--set", dest="values", type=_assignment, action="append", default=[],
                        metavar="NAME=VALUE", help=_("a placeholder value, e.g. caller=王"))
    render.set_defaults(run=cmd_script_render)

    check = actions.add_parser("check", help=_("look for phrases not to use (exit 1 if found)"))
    check.add_argument("text")
    check.add_argument("--lang", choices=["zh_CN", "zh_TW", "en"], default="")
    check.set_defaults(run=cmd_script_check)

    edit = actions.add_parser("edit", help=_("save a new version of a script (admin)"))
    edit.add_argument("key")
    edit.add_argument("--lang", choices=["zh_CN", "zh_TW", "en"], required=True)
    edit.add_argument("--text", required=True)
    edit.add_argument("--title")
    edit.add_argument("--situation")
    edit.set_defaults(run=cmd_script_edit)

    history = actions.add_parser("history", help=_("every version of a script"))
    history.add_argument("key")
    history.add_argument("--lang", choices=["zh_CN", "zh_TW", "en"], required=True)
    history.add_argument("--json", action="store_true")
    history.set_defaults(run=cmd_script_history)

    visit = commands.add_parser("visit", help=_("the visitor and call log"))
    visit_actions = visit.add_subparsers(dest="visit_command", metavar="ACTION", required=True)
    vlist = visit_actions.add_parser("list", help=_("list log entries, newest first"))
    vlist.add_argument("--open", action="store_true", help=_("only entries still open"))
    vlist.add_argument("--from", dest="since", type=parse_date, metavar="YYYY-MM-DD")
    vlist.add_argument("--to", dest="until", type=parse_date, metavar="YYYY-MM-DD")
    vlist.add_argument("--limit", type=bounded_int(1, MAX_ROWS), default=200)
    vlist.add_argument("--json", action="store_true")
    vlist.set_defaults(run=cmd_visit_list)

    complaint = commands.add_parser("complaint", help=_("complaints"))
    complaint_actions = complaint.add_subparsers(dest="complaint_command", metavar="ACTION",
                                                 required=True)
    stats = complaint_actions.add_parser("stats", help=_("monthly statistics by category"))
    stats.add_argument("--month", type=_month, required=True, metavar="YYYY-MM")
    stats.add_argument("--format", choices=["pdf", "xlsx"])
    stats.add_argument("--out", type=Path)
    stats.add_argument("--force", action="store_true", help=_("replace the file if it exists"))
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(run=cmd_complaint_stats)


@with_actor
def cmd_script_list(desk, actor, args) -> int:
    rows = [view.as_dict() for view in desk.scripts.scripts(actor, args.lang)]
    emit(args, rows, ["key", "lang", "version", "title", "text"])
    return 0


@with_actor
def cmd_script_render(desk, actor, args) -> int:
    print(desk.scripts.render(actor, args.key, args.lang, dict(args.values)))
    return 0


def cmd_script_check(args) -> int:
    from desk_app.services.reception.phrases import check_text

    findings = check_text(args.text, args.lang)
    if not findings:
        print(_("No phrases to avoid found."))
        return 0
    for finding in findings:
        print(_("“{found}” (characters {start}–{end}): say instead: {suggestion}").format(
            found=safe_text(finding.found), start=finding.start + 1, end=finding.end,
            suggestion=safe_text(finding.suggestion)))
    return 1


@with_actor
def cmd_script_edit(desk, actor, args) -> int:
    view = desk.scripts.save_script(actor, args.key, args.lang, args.text, args.title,
                                      args.situation)
    print(_("Saved {key} ({lang}) as version {version}.").format(
        key=view.key, lang=view.lang, version=view.version))
    return 0


@with_actor
def cmd_script_history(desk, actor, args) -> int:
    rows = [view.as_dict() for view in desk.scripts.history(actor, args.key, args.lang)]
    emit(args, rows, ["version", "changed_at", "changed_by", "text"])
    return 0


@with_actor
def cmd_visit_list(desk, actor, args) -> int:
    from desk_app.services.reception.views import VisitFilter

    flt = VisitFilter(open_only=args.open, since=args.since, until=args.until)
    rows = [view.as_dict() for view in desk.visits.visits(actor, flt, 0, args.limit)]
    emit(args, rows, ["id", "channel", "name", "contact", "handler", "time_in", "time_out",
                      "timeout_level", "request"])
    return 0


@with_actor
def cmd_complaint_stats(desk, actor, args) -> int:
    year, month = args.month
    if args.format or args.out:
        if not (args.format and args.out):
            raise CliError(_("Give both --format and --out to write a file."))
        password = args.signing_password if args.format == "pdf" else None
        result = desk.complaints.export_complaint_stats(actor, year, month, args.format,
                                                       args.out, password=password,
                                                       force=args.force)
        print(_("Complaint statistics for {month} written to {path}.").format(
            month=f"{year:04d}-{month:02d}", path=result.path))
        return 0
    stats = desk.complaints.complaint_stats(actor, year, month)
    header = stats.header()
    keys = ["category", "complaints", "replied", "on_time", "open", "average_hours", "share"]
    rows = [dict(zip(keys, row, strict=True)) for row in stats.table()]
    if not args.json:
        print(" / ".join(safe_text(text) for text in header), file=sys.stderr)
    emit(args, rows, keys)
    return 0
