"""Keys and equipment (R10) on the command line: the register, checkouts and check-ins.

Times typed with ``--until`` are local: ``HH:MM`` today or ``YYYY-MM-DD HH:MM``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, time
from typing import Any

from desk_app.cli.common import (
    add_actions,
    add_command,
    bounded_int,
    emit,
    json_option,
    json_text,
    limit_option,
    option,
    safe_text,
    with_actor,
)
from desk_app.domain.clock import format_datetime, local_today
from desk_app.domain.equipment import Condition, EquipmentKind
from desk_app.i18n import _

LIST_COLUMNS = ("tag", "name", "kind", "home", "count", "condition", "holder", "due")
HISTORY_COLUMNS = ("tag", "name", "holder", "reason", "out_at", "due_at", "in_at",
                   "condition_in", "note_in")
KINDS = [kind.value for kind in EquipmentKind]
CONDITIONS = [condition.value for condition in Condition]


def parse_until(text: str) -> tuple[str, Any]:
    """``HH:MM`` (today, local) or ``YYYY-MM-DD HH:MM`` (local): checked here, made a time
    against the desk's clock when the command runs."""
    value = (text or "").strip()
    for form, kind in (("%H:%M", "clock"), ("%Y-%m-%d %H:%M", "moment"),
                       ("%Y-%m-%dT%H:%M", "moment")):
        try:
            parsed = datetime.strptime(value, form)
        except ValueError:
            continue
        if kind == "moment" and not 1000 <= parsed.year <= 9998:
            break
        return kind, parsed
    raise argparse.ArgumentTypeError(
        _("not a time: {text} (use HH:MM today, or YYYY-MM-DD HH:MM)").format(
            text=safe_text(value[:40])))


def until_utc(given: tuple[str, Any] | None, now_utc: datetime) -> datetime | None:
    """The local time given as stored naive UTC (HH:MM: on today's local date)."""
    if given is None:
        return None
    kind, parsed = given
    local = (datetime.combine(local_today(now_utc), time(parsed.hour, parsed.minute))
             if kind == "clock" else parsed)
    return local.astimezone(UTC).replace(tzinfo=None)


def register(commands) -> None:
    key = add_actions(commands, "key", _("keys and equipment: who holds what now"))
    add_command(key, "add", _("add a key or article to the register"), cmd_add,
                option("tag", metavar="TAG"), option("--name", required=True),
                option("--kind", required=True, choices=KINDS),
                option("--count", default="1", metavar="N",
                       help=_("how many there should be (office supplies)")),
                option("--home", default="", metavar="LOC", help=_("where it lives")),
                option("--no-checklist", action="store_true",
                       help=_("not counted at the shift handover")), json_option())
    add_command(key, "edit", _("change an article of the register"), cmd_edit,
                option("tag", metavar="TAG"), option("--name"),
                option("--count", metavar="N"), option("--home", metavar="LOC"),
                option("--checklist", dest="checklist", action="store_true", default=None,
                       help=_("counted at the shift handover")),
                option("--no-checklist", dest="checklist", action="store_false",
                       help=_("not counted at the shift handover")), json_option())
    add_command(key, "retire", _("retire an article (it stays in the history)"), cmd_retire,
                option("tag", metavar="TAG"), json_option())
    add_command(key, "list", _("the register, with who holds what"), cmd_list,
                option("--out", action="store_true", help=_("only articles out now")),
                option("--overdue", action="store_true", help=_("only articles past due")),
                option("--kind", choices=KINDS), option("--holder", metavar="USER"),
                option("--search", default="", metavar="TEXT"),
                option("--all", action="store_true", help=_("retired articles too")),
                limit_option(500), json_option())
    add_command(key, "checkout", _("hand an article to a person, with a reason and a due time"),
                cmd_checkout, option("tag", metavar="TAG"),
                option("--to", required=True, metavar="USER"),
                option("--reason", required=True),
                option("--until", type=parse_until, metavar="TIME", help=_(
                    "due time, HH:MM today or YYYY-MM-DD HH:MM (default: end of the shift)")),
                json_option())
    add_command(key, "checkin", _("take an article back, with its condition"), cmd_checkin,
                option("tag", metavar="TAG"),
                option("--condition", choices=CONDITIONS, default="good"),
                option("--note", default=""), json_option())
    add_command(key, "history", _("checkouts, newest first: of one article or one person"),
                cmd_history, option("tag", nargs="?", metavar="TAG"),
                option("--holder", metavar="USER"),
                option("--offset", type=bounded_int(0, 2**62), default=0),
                limit_option(100), json_option())


def _print(args, row: dict[str, Any]) -> None:
    if args.json:
        print(json_text(_listed(row)))
        return
    print(_("{tag}: {name} ({kind})").format(tag=safe_text(row["tag"]),
                                             name=safe_text(row["name"]),
                                             kind=row["kind_label"]))
    if row["holder"]:
        print("  " + _("Out with {holder} since {since}, due {due}{late}.").format(
            holder=safe_text(row["holder_full_name"] or row["holder"]),
            since=format_datetime(row["out_at"]), due=format_datetime(row["due_at"]),
            late=" — " + _("overdue") if row["overdue"] else ""))
        print("  " + _("Reason: {reason}").format(reason=safe_text(row["reason"])))
    else:
        print("  " + _("At home{home}; condition {condition}.").format(
            home=(": " + safe_text(row["home"])) if row["home"] else "",
            condition=row["condition"]))
    if not row["active"]:
        print("  " + _("Retired."))


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "due": row["due_at"]}


@with_actor
def cmd_add(desk, actor, args) -> int:
    row = desk.equipment.add(actor, args.tag, args.name, args.kind, args.count, args.home,
                             on_checklist=not args.no_checklist)
    _print(args, row)
    return 0


@with_actor
def cmd_edit(desk, actor, args) -> int:
    row = desk.equipment.edit(actor, args.tag, name=args.name, home=args.home, count=args.count,
                              on_checklist=args.checklist)
    _print(args, row)
    return 0


@with_actor
def cmd_retire(desk, actor, args) -> int:
    row = desk.equipment.edit(actor, args.tag, active=False)
    _print(args, row)
    return 0


@with_actor
def cmd_list(desk, actor, args) -> int:
    from desk_app.services.handover.equipment import EquipmentFilter

    flt = EquipmentFilter(text=args.search, kind=args.kind, out_only=args.out,
                          overdue_only=args.overdue, include_retired=args.all,
                          holder=args.holder)
    rows = [_listed(row) for row in desk.equipment.page(actor, flt, 0, args.limit)]
    if not args.json:
        for row in rows:
            row["kind"] = row["kind_label"]
            row["holder"] = row["holder_full_name"] or ""
            if row["overdue"]:
                row["due"] = "{due} !".format(due=format_datetime(row["due_at"]))
    emit(args, rows, LIST_COLUMNS)
    return 0


@with_actor
def cmd_checkout(desk, actor, args) -> int:
    until = until_utc(args.until, desk.now())
    row = desk.equipment.checkout(actor, args.tag, args.to, args.reason, until)
    _print(args, row)
    return 0


@with_actor
def cmd_checkin(desk, actor, args) -> int:
    row = desk.equipment.checkin(actor, args.tag, args.condition, args.note)
    _print(args, row)
    return 0


@with_actor
def cmd_history(desk, actor, args) -> int:
    rows = desk.equipment.history(actor, args.tag, args.holder, args.offset, args.limit)
    if not args.json:
        for row in rows:
            row["holder"] = row["holder_full_name"]
    emit(args, rows, HISTORY_COLUMNS)
    return 0
