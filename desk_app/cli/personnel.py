"""Personnel officers and the personnel key (R6) on the command line."""

from __future__ import annotations

from desk_app.cli.common import add_actions, add_command, emit, json_option, option, safe_text, with_actor
from desk_app.i18n import _


def register(commands) -> None:
    personnel = add_actions(commands, "personnel", _("the personnel key and its officers"))
    add_command(personnel, "admit", _("give another personnel officer the personnel key"),
                cmd_admit, option("name", metavar="NAME", help=_("the officer's user name")))
    add_command(personnel, "status", _("who holds the personnel key"), cmd_status, json_option())


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
    if len(status["holders"]) < 2:
        print(_("Admit a second officer: if the only holder leaves, the files cannot be read."))
    return 0
