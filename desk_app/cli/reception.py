"""Reception: the script library, the visitor and call log, messages for absent colleagues
(complaints: ``cli.complaints``)."""

from __future__ import annotations

import argparse

from desk_app.cli.common import (
    add_actions,
    add_command,
    date_range_options,
    emit,
    json_option,
    limit_option,
    option,
    safe_text,
    with_actor,
)
from desk_app.i18n import _


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(_("use name=value: {text}").format(text=text))
    return name.strip(), value


def register(commands) -> None:
    languages = ["zh_CN", "zh_TW", "en"]
    key = option("key")
    lang = option("--lang", choices=languages, required=True)
    script = add_actions(commands, "script", _("standard phrases for visitors and calls"))
    add_command(script, "list", _("list the current scripts"), cmd_script_list,
                option("--lang", choices=languages), json_option())
    add_command(script, "render", _("print a script with its placeholders filled"),
                cmd_script_render, key, lang,
                option("--set", dest="values", type=_assignment, action="append", default=[],
                       metavar="NAME=VALUE", help=_("a placeholder value, e.g. caller=王")))
    add_command(script, "check", _("look for phrases not to use (exit 1 if found)"),
                cmd_script_check, option("text"),
                option("--lang", choices=languages, default=""))
    add_command(script, "edit", _("save a new version of a script (admin)"), cmd_script_edit,
                key, lang, option("--text", required=True), option("--title"),
                option("--situation"))
    add_command(script, "history", _("every version of a script"), cmd_script_history,
                key, lang, json_option())

    visit = add_actions(commands, "visit", _("the visitor and call log"))
    add_command(visit, "list", _("list log entries, newest first"), cmd_visit_list,
                option("--open", action="store_true", help=_("only entries still open")),
                *date_range_options(), limit_option(200), json_option())

    message = add_actions(commands, "message", _("messages taken for absent colleagues"))
    add_command(message, "add", _("write down a message for a colleague"), cmd_message_add,
                option("--for", dest="for_user", required=True, metavar="USER",
                       help=_("the colleague's user name")),
                option("--caller", required=True, help=_("who called, e.g. 赵先生")),
                option("--text", required=True, help=_("the message")),
                option("--contact", default="", help=_("how to reach the caller")),
                option("--title", default="", help=_("the caller's form of address")),
                option("--visit", type=int, help=_("the log entry of the call")))
    add_command(message, "list", _("list messages, newest first"), cmd_message_list,
                option("--mine", action="store_true",
                       help=_("only the unconfirmed messages for me")),
                option("--for", dest="for_user", metavar="USER"),
                option("--unconfirmed", action="store_true"),
                option("--to-chase", action="store_true",
                       help=_("only messages unconfirmed past the chase time")),
                limit_option(200), json_option())
    add_command(message, "confirm", _("confirm a message left for me"), cmd_message_confirm,
                option("id", type=int))
    add_command(message, "chase", _("record that a colleague was reminded of a message"),
                cmd_message_chase, option("id", type=int))


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


MESSAGE_COLUMNS = ["id", "taken_at", "for", "caller", "contact", "text", "confirmed_at", "chases"]


@with_actor
def cmd_message_add(desk, actor, args) -> int:
    view = desk.messages.take_message(actor, args.for_user, args.caller, args.text,
                                      contact=args.contact, caller_title=args.title,
                                      visit_id=args.visit)
    print(_("Message {id} for {name} written down.").format(id=view.id, name=view.for_user))
    return 0


@with_actor
def cmd_message_list(desk, actor, args) -> int:
    from desk_app.services.reception.messages import MessageFilter

    if args.mine:
        views = desk.messages.my_messages(actor, args.limit)
    else:
        flt = (desk.messages.to_chase(actor) if args.to_chase
               else MessageFilter(unconfirmed_only=args.unconfirmed))
        if args.for_user:
            flt = MessageFilter(args.for_user, flt.unconfirmed_only, flt.to_chase_before)
        views = desk.messages.page_messages(actor, flt, 0, args.limit)
    emit(args, [view.as_dict() for view in views], MESSAGE_COLUMNS)
    return 0


@with_actor
def cmd_message_confirm(desk, actor, args) -> int:
    desk.messages.confirm_message(actor, args.id)
    print(_("Message {id} confirmed.").format(id=args.id))
    return 0


@with_actor
def cmd_message_chase(desk, actor, args) -> int:
    view = desk.messages.chase_message(actor, args.id)
    print(_("Message {id}: reminder {count} recorded.").format(id=view.id, count=view.chases))
    return 0
