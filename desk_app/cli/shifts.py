"""Shifts, the rota and swaps approved beforehand (R12) on the command line."""

from __future__ import annotations

from datetime import timedelta
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
    parse_date,
    safe_text,
    with_actor,
)
from desk_app.domain.clock import format_clock
from desk_app.domain.shifts import SwapStatus, shift_label
from desk_app.i18n import _

SWAP_COLUMNS = ("id", "number", "day", "shift", "absent", "substitute", "status", "reason",
                "decided_by")
_ID = bounded_int(1, 2**62)


def register(commands) -> None:
    shift = add_actions(commands, "shift", _("shifts, the rota and swaps (R12)"))
    add_command(shift, "list", _("the rota: who works which shift, with approved swaps"),
                cmd_list, option("--from", dest="since", type=parse_date, metavar="YYYY-MM-DD",
                                 help=_("first day (default: today)")),
                option("--days", type=bounded_int(1, 92), default=7, metavar="N"),
                json_option())
    add_command(shift, "assign", _("put people on a shift of a day (replaces who is on it)"),
                cmd_assign, option("day", type=parse_date, metavar="YYYY-MM-DD"),
                option("shift", metavar="SHIFT"), option("users", nargs="*", metavar="USER"),
                json_option())
    swap = add_actions(shift, "swap", _("ask for or decide a swap or substitution"))
    add_command(swap, "request", _("ask a supervisor to approve a swap beforehand"),
                cmd_request, option("--day", required=True, type=parse_date,
                                    metavar="YYYY-MM-DD"),
                option("--shift", required=True), option("--absent", required=True,
                                                         metavar="USER"),
                option("--substitute", required=True, metavar="USER"),
                option("--reason", required=True), json_option())
    decide = add_command(swap, "decide", _("approve or refuse a swap (a supervisor)"),
                         cmd_decide, option("id", type=_ID, metavar="ID"),
                         option("--reason", required=True), json_option())
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument("--approve", dest="approve", action="store_true", default=None)
    choice.add_argument("--refuse", dest="approve", action="store_false")
    add_command(shift, "swaps", _("swap requests, newest first"), cmd_swaps,
                option("--pending", action="store_true", help=_("only those waiting")),
                option("--status", choices=[s.value for s in SwapStatus]),
                limit_option(100), json_option())


def _people(line: dict[str, Any]) -> str:
    names = []
    for person in line["people"]:
        name = safe_text(person["full_name"] or person["name"])
        if person["swap"]:
            name += " " + _("(for {planned}, swap {number})").format(
                planned=safe_text(person["planned"]), number=person["swap"])
        names.append(name)
    return ", ".join(names) or "—"


@with_actor
def cmd_list(desk, actor, args) -> int:
    since = args.since or desk.today()
    lines = desk.shifts.rota(actor, since, since + timedelta(days=args.days - 1))
    if args.json:
        emit(args, lines, ())
        return 0
    rows = [{"day": line["day"], "shift": line["shift"],
             "time": "{start}–{end}".format(start=format_clock(line["start"]),
                                            end=format_clock(line["end"])),
             "people": _people(line)} for line in lines]
    emit(args, rows, ("day", "shift", "time", "people"))
    return 0


@with_actor
def cmd_assign(desk, actor, args) -> int:
    line = desk.shifts.assign(actor, args.day, args.shift, args.users)
    if args.json:
        print(json_text(line))
        return 0
    print(_("{day} {shift}: {people}").format(day=line["day"].isoformat(), shift=shift_label(line["shift"]),
                                              people=_people(line)))
    return 0


def _print_swap(args, swap: dict[str, Any]) -> None:
    if args.json:
        print(json_text(swap))
        return
    print(_("{number} ({id}): {status}").format(number=swap["number"], id=swap["id"],
                                                 status=swap["status_label"]))
    print("  " + _("{day} {shift}: {substitute} instead of {absent}").format(
        day=swap["day"].isoformat(), shift=shift_label(swap["shift"]),
        substitute=safe_text(swap["substitute"]), absent=safe_text(swap["absent"])))
    print("  " + _("Reason: {reason}").format(reason=safe_text(swap["reason"])))
    if swap["decided_by"]:
        print("  " + _("Decided by {who}: {reason}").format(
            who=safe_text(swap["decided_by"]), reason=safe_text(swap["decision_reason"])))


@with_actor
def cmd_request(desk, actor, args) -> int:
    swap = desk.shifts.request_swap(actor, args.day, args.shift, args.absent, args.substitute,
                                    args.reason)
    _print_swap(args, swap)
    return 0


@with_actor
def cmd_decide(desk, actor, args) -> int:
    swap = desk.shifts.decide_swap(actor, args.id, args.approve, args.reason)
    _print_swap(args, swap)
    return 0


@with_actor
def cmd_swaps(desk, actor, args) -> int:
    status = SwapStatus.PENDING.value if args.pending else args.status
    rows = desk.shifts.swaps(actor, status, 0, args.limit)
    if not args.json:
        for row in rows:
            row["status"] = row["status_label"]
    emit(args, rows, SWAP_COLUMNS)
    return 0
