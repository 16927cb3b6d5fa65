"""Personnel officers, the personnel key and grants of personnel files (R6) on the command
line."""

from __future__ import annotations

import getpass
import os
import sys

from desk_app.cli.common import (
    CliError,
    add_actions,
    add_command,
    bounded_int,
    emit,
    json_option,
    option,
    parse_date,
    safe_text,
    with_actor,
)
from desk_app.i18n import _


def register(commands) -> None:
    personnel = add_actions(commands, "personnel", _("the personnel key and its officers"))
    add_command(personnel, "admit", _("give another personnel officer the personnel key"),
                cmd_admit, option("name", metavar="NAME", help=_("the officer's user name")))
    add_command(personnel, "status", _("who holds the personnel key"), cmd_status, json_option())
    add_command(personnel, "recovery-code",
                _("make a new recovery code of the personnel key (the old one stops working)"),
                cmd_recovery_code)
    add_command(personnel, "recover",
                _("open the personnel key with the recovery code and keep it sealed for you"),
                cmd_recover)
    grant = add_actions(commands, "grant", _("let one user read one personnel file for a time"))
    add_command(grant, "add", _("grant a user read access to a personnel file until a day"),
                cmd_grant_add, option("ref", metavar="REF", help=_("the personnel file")),
                option("--to", dest="to", required=True, metavar="USER",
                       help=_("the user who may read it")),
                option("--until", required=True, type=parse_date, metavar="YYYY-MM-DD",
                       help=_("the last day (at most 366 days ahead)")),
                option("--reason", required=True, help=_("why")), json_option())
    add_command(grant, "list", _("grants of personnel files, newest first"), cmd_grant_list,
                option("--current", action="store_true", help=_("only the live ones")),
                json_option())
    add_command(grant, "revoke", _("end a grant now"), cmd_grant_revoke,
                option("id", type=bounded_int(1, 2**62), metavar="ID"),
                option("--reason", default="", help=_("why")), json_option())


@with_actor
def cmd_admit(desk, actor, args) -> int:
    desk.personnel.admit(actor, args.name)
    print(_("{name} is admitted: their next sign-in opens the personnel files.").format(
        name=safe_text(args.name)))
    return 0


@with_actor
def cmd_status(desk, actor, args) -> int:
    status = desk.personnel.status(actor)
    if args.json:
        emit(args, [status], ())
        return 0
    if not status["exists"]:
        print(_("There is no personnel key yet: the first personnel officer to work with "
                "personnel files makes it."))
        return 0
    print(_("Held by: {names}").format(names=safe_text(", ".join(status["holders"]) or "—")))
    print(_("Open on this desk: {answer}").format(
        answer=_("yes") if status["open"] else _("no")))
    print(_("Recovery code: {answer}").format(
        answer=_("yes") if status["recovery_code"] else _("none")))
    if len(status["holders"]) < 2:
        print(_("Admit a second officer: if the only holder leaves, the files cannot be read."))
    return 0


@with_actor
def cmd_recovery_code(desk, actor, args) -> int:
    code = desk.personnel.new_recovery_code(actor)
    print(_("Recovery code of the personnel key (print it, keep it locked away; it is shown "
            "only now):"))
    print(f"    {code}")
    return 0


@with_actor
def cmd_recover(desk, actor, args) -> int:
    code = os.environ.get("DESK_RECOVERY_CODE")
    if code is None:
        if not sys.stdin.isatty():
            raise CliError(_("No terminal to ask for the code: set env DESK_RECOVERY_CODE."))
        code = getpass.getpass(_("Recovery code: "))
    desk.personnel.recover(actor, code)
    print(_("The personnel key is sealed for {name} again.").format(name=safe_text(actor.name)))
    return 0


GRANT_COLUMNS = ("id", "ref", "title", "user", "until", "status", "reason", "granted_by")


@with_actor
def cmd_grant_add(desk, actor, args) -> int:
    grant = desk.personnel.grant(actor, args.ref, args.to, args.until, args.reason)
    if args.json:
        emit(args, [grant], ())
        return 0
    print(_("Grant {id}: {user} may read {ref} until the end of {until}.").format(
        id=grant["id"], user=safe_text(grant["user"]), ref=safe_text(grant["ref"]),
        until=grant["until"].isoformat()))
    return 0


@with_actor
def cmd_grant_list(desk, actor, args) -> int:
    emit(args, desk.personnel.grants(actor, current_only=args.current), GRANT_COLUMNS)
    return 0


@with_actor
def cmd_grant_revoke(desk, actor, args) -> int:
    grant = desk.personnel.revoke_grant(actor, args.id, args.reason)
    if args.json:
        emit(args, [grant], ())
        return 0
    print(_("Grant {id} is revoked: {user} no longer sees {ref}.").format(
        id=grant["id"], user=safe_text(grant["user"]), ref=safe_text(grant["ref"])))
    return 0
