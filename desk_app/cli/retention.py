"""Retention and approved destruction (R2, R3) on the command line.

Signing uses the acting user's password (env DESK_PASSWORD or the prompt at sign-in); the
witness of a destruction types their own password at the prompt, or it comes from env
DESK_WITNESS_PASSWORD.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from desk_app.cli.common import (
    CliError,
    _decodable_password,
    add_actions,
    add_command,
    bounded_int,
    emit,
    force_option,
    json_option,
    json_text,
    limit_option,
    option,
    safe_text,
    with_actor,
)
from desk_app.domain.clock import format_datetime
from desk_app.domain.retention import DestructionStatus, Method
from desk_app.i18n import _

_ID = bounded_int(1, 2**62)


def register(commands) -> None:
    retention = add_actions(commands, "retention",
                            _("retention, disposal holds and approved destruction"))
    add_command(retention, "due", _("files past their retention, due for review"), cmd_due,
                limit_option(200), json_option())
    add_command(retention, "hold", _("stop a file from being destroyed (disposal hold)"),
                cmd_hold, option("ref", metavar="REF"), option("--reason", required=True),
                json_option())
    add_command(retention, "release", _("lift a file's disposal hold"), cmd_release,
                option("ref", metavar="REF"), option("--reason", required=True), json_option())
    add_command(retention, "holds", _("disposal holds (current ones unless --all)"), cmd_holds,
                option("--all", action="store_true"), limit_option(200), json_option())
    add_command(retention, "propose", _("propose a destruction list to the manager"),
                cmd_propose, option("refs", metavar="REF", nargs="+"),
                option("--reason", required=True), json_option())
    decide = add_command(retention, "decide",
                         _("approve or refuse a destruction list, signed with your key"),
                         cmd_decide, option("id", type=_ID), option("--reason", required=True),
                         json_option())
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument("--approve", dest="approve", action="store_true")
    choice.add_argument("--refuse", dest="approve", action="store_false")
    methods = ", ".join(m.value for m in Method)
    add_command(retention, "destroy",
                _("carry out an approved list with a witness; the witness's password comes from "
                  "env DESK_WITNESS_PASSWORD or is asked at the terminal"),
                cmd_destroy, option("id", type=_ID),
                option("--witness", required=True, metavar="USER",
                       help=_("the witness's user name (not yourself)")),
                option("--method", required=True, metavar="TEXT",
                       help=_("how: {methods}, or your own words").format(methods=methods)),
                json_option())
    add_command(retention, "show", _("a destruction list; --pdf writes its signed form"),
                cmd_show, option("id", type=_ID), option("--pdf", type=Path, metavar="FILE"),
                force_option(), json_option())
    add_command(retention, "list", _("destruction lists, newest first"), cmd_list,
                option("--status", choices=[s.value for s in DestructionStatus]),
                limit_option(200), json_option())
    kind = add_command(retention, "kind", _("a kind's default retention (administrators)"),
                       cmd_kind, option("kind", metavar="KIND"))
    years = kind.add_mutually_exclusive_group(required=True)
    years.add_argument("--years", type=bounded_int(1, 100), metavar="N")
    years.add_argument("--permanent", action="store_true")


@with_actor
def cmd_due(desk, actor, args) -> int:
    rows = desk.retention.due_page(actor, 0, args.limit)
    emit(args, rows, ("ref", "title", "kind", "dept", "review_on", "held", "on_loan"))
    return 0


def _hold_line(args, hold: dict[str, Any]) -> None:
    if args.json:
        emit(args, [hold], ())
    else:
        print(_("{ref}: {state} ({reason})").format(
            ref=safe_text(hold["ref"]),
            state=_("held") if hold["released_at"] is None else _("hold released"),
            reason=safe_text(hold["release_reason"] or hold["reason"])))


@with_actor
def cmd_hold(desk, actor, args) -> int:
    _hold_line(args, desk.retention.hold(actor, args.ref, args.reason))
    return 0


@with_actor
def cmd_release(desk, actor, args) -> int:
    _hold_line(args, desk.retention.release(actor, args.ref, args.reason))
    return 0


@with_actor
def cmd_holds(desk, actor, args) -> int:
    rows = desk.retention.holds(actor, current_only=not args.all, limit=args.limit)
    emit(args, rows, ("id", "ref", "title", "reason", "placed_by", "placed_at", "released_at"))
    return 0


def _print_list(args, data: dict[str, Any]) -> None:
    if args.json:
        sys.stdout.write(json_text(data) + "\n")
        return
    print(_("{number} ({status}), {count} files").format(
        number=data["number"], status=data["status_label"], count=len(data["items"])))
    print(_("Reason: {reason}").format(reason=safe_text(data["reason"])))
    print(_("Proposed by {who} at {at}").format(who=safe_text(data["proposed_by"]),
                                                at=format_datetime(data["proposed_at"])))
    if data["decided_at"]:
        print(_("Decided by {who} at {at}: {reason}").format(
            who=safe_text(data["decided_by"]), at=format_datetime(data["decided_at"]),
            reason=safe_text(data["decision_reason"])))
    if data["executed_at"]:
        print(_("Carried out by {who} at {at}, witness {witness}, method {method}").format(
            who=safe_text(data["executed_by"]), at=format_datetime(data["executed_at"]),
            witness=safe_text(data["witness"]), method=safe_text(data["method_label"])))
    for item in data["items"]:
        print(f"  {safe_text(item['ref'])}  {safe_text(item['title'])}")


@with_actor
def cmd_propose(desk, actor, args) -> int:
    _print_list(args, desk.retention.propose(actor, args.refs, args.reason))
    return 0


@with_actor
def cmd_decide(desk, actor, args) -> int:
    data = desk.retention.decide(actor, args.id, args.approve, args.reason,
                                 args.signing_password)
    _print_list(args, data)
    return 0


def _witness_password(name: str) -> str:
    password = os.environ.get("DESK_WITNESS_PASSWORD")
    if password is not None:
        return _decodable_password(password)
    if not sys.stdin.isatty():
        raise CliError(_("No terminal to ask the witness's password: set env "
                         "DESK_WITNESS_PASSWORD."))
    try:
        typed = getpass.getpass(_("Password of the witness {name}: ").format(name=safe_text(name)))
    except UnicodeDecodeError:
        typed = "\udcff"
    return _decodable_password(typed)


@with_actor
def cmd_destroy(desk, actor, args) -> int:
    if args.witness.strip().lower() == actor.name:  # before asking anyone for a password
        raise CliError(_("The witness must be someone other than the person carrying out the "
                         "destruction."))
    password = _witness_password(args.witness)
    data = desk.retention.destroy(actor, args.id, args.witness, password, args.method,
                                  args.signing_password)
    _print_list(args, data)
    return 0


@with_actor
def cmd_show(desk, actor, args) -> int:
    data = desk.retention.show(actor, args.id)
    if args.pdf:
        from desk_app.services.output import save_bytes

        path = save_bytes(args.pdf, desk.retention.document(actor, args.id), force=args.force)
        if not args.json:
            print(_("Signed form written to {path}.").format(path=path))
    _print_list(args, data)
    return 0


@with_actor
def cmd_list(desk, actor, args) -> int:
    from desk_app.services.retention import DestructionFilter

    rows = desk.retention.page(actor, DestructionFilter(args.status), 0, args.limit)
    emit(args, rows, ("id", "number", "status", "items", "proposed_by", "proposed_at",
                      "decided_by", "executed_at"))
    return 0


@with_actor
def cmd_kind(desk, actor, args: argparse.Namespace) -> int:
    years = None if args.permanent else args.years
    updated = desk.retention.set_kind_retention(actor, args.kind, years)
    print(_("Kind {kind}: {retention}; review dates of {count} files updated.").format(
        kind=safe_text(args.kind.upper()),
        retention=_("permanent") if years is None else _("{years} years").format(years=years),
        count=updated))
    return 0
