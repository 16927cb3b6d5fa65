"""Reception: the script library, the visitor and call log (promised replies, transfers and
escalations), call-backs, messages for absent colleagues (complaints: ``cli.complaints``;
timeouts' reviews and appeals: ``cli.timeouts``)."""

from __future__ import annotations

import argparse
import sys

from desk_app.cli.common import (
    CliError,
    add_actions,
    add_command,
    date_range_options,
    emit,
    json_option,
    json_text,
    limit_option,
    option,
    safe_text,
    with_actor,
)
from desk_app.cli.keys import parse_until, until_utc
from desk_app.domain.clock import format_datetime
from desk_app.domain.reception import HANDOFF_KINDS, Channel
from desk_app.domain.timeouts import RequestType, Urgency
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
    details = (option("--name", help=_("the visitor's or caller's name, e.g. 李女士")),
               option("--contact"), option("--company"),
               option("--request", help=_("what is asked")),
               option("--title", help=_("the form of address, e.g. 女士")))
    kind = (option("--type", dest="request_type", choices=[t.value for t in RequestType],
                   help=_("the request type: sets the reply targets")),
            option("--urgency", choices=[u.value for u in Urgency],
                   help=_("urgent requests get shorter reply targets")))
    add_command(visit, "add", _("open a log entry: a visitor arrives or a call starts (the "
                                "timers run from now)"), cmd_visit_add,
                option("--channel", choices=[c.value for c in Channel], default="visit"),
                *details, *kind, json_option())
    entry = option("id", type=int, help=_("the log entry"))
    add_command(visit, "edit", _("correct or complete a log entry's details"), cmd_visit_edit,
                entry, *details, *kind, json_option())
    add_command(visit, "promise", _("record a reply promised to the caller by a time"),
                cmd_visit_promise, entry,
                option("--by", type=parse_until, required=True, metavar="TIME",
                       help=_("HH:MM today or YYYY-MM-DD HH:MM")))
    add_command(visit, "promises", _("promised replies due soon or already broken"),
                cmd_visit_promises,
                option("--within", type=int, metavar="MINUTES",
                       help=_("due within this many minutes (default: the setting)")),
                json_option())
    target = (option("--to-user", default="", metavar="USER", help=_("a colleague")),
              option("--to-dept", default="", metavar="DEPARTMENT", help=_("a department")),
              option("--note", default=""))
    add_command(visit, "transfer", _("record to whom a call or visitor was transferred"),
                cmd_visit_transfer, entry, *target)
    add_command(visit, "escalate", _("record to whom a call or visitor was escalated"),
                cmd_visit_escalate, entry, *target)
    add_command(visit, "handoffs", _("the transfers and escalations of a log entry"),
                cmd_visit_handoffs, entry, json_option())

    callback = add_actions(commands, "callback", _("call-backs to customers (回访)"))
    add_command(callback, "add", _("schedule a call-back"), cmd_callback_add,
                option("--contact", required=True), option("--purpose", required=True),
                option("--at", type=parse_until, required=True, metavar="TIME",
                       help=_("HH:MM today or YYYY-MM-DD HH:MM")),
                option("--name", default=""),
                option("--channel", choices=["phone", "email", "online"], default="phone"),
                option("--visit", type=int), option("--complaint", type=int,
                                                    help=_("the complaint it follows up")))
    add_command(callback, "list", _("list call-backs"), cmd_callback_list,
                option("--pending", action="store_true", help=_("only those still to make")),
                limit_option(200), json_option())
    add_command(callback, "record", _("record a call-back made (a complaint's closes or "
                                      "reopens it)"), cmd_callback_record,
                option("id", type=int), option("--result", required=True),
                option("--satisfaction", required=True,
                       choices=["very_satisfied", "satisfied", "neutral", "dissatisfied",
                                "unreachable"]))

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


_DETAILS = {"name": "name", "contact": "contact", "company": "company", "request": "request",
            "title": "caller_title", "request_type": "request_type", "urgency": "urgency"}


def _details(args) -> dict[str, str]:
    """The log entry's details given on the command line, as the service names them."""
    return {key: getattr(args, name) for name, key in _DETAILS.items()
            if getattr(args, name) is not None}


def _visit_done(args, view, message: str) -> int:
    if args.json:
        sys.stdout.write(json_text(view.as_dict()) + "\n")
    else:
        print(message)
    return 0


@with_actor
def cmd_visit_add(desk, actor, args) -> int:
    view = desk.visits.open_visit(actor, args.channel, **_details(args))
    return _visit_done(args, view, _("Log entry {id} opened: {channel}, {type}.").format(
        id=view.id, channel=view.channel.label, type=RequestType(view.request_type).label))


@with_actor
def cmd_visit_edit(desk, actor, args) -> int:
    values = _details(args)
    if not values:
        raise CliError(_("Give what to change: --name, --contact, --company, --request, "
                         "--title, --type or --urgency."))
    view = desk.visits.update_visit(actor, args.id, **values)
    return _visit_done(args, view, _("Log entry {id} saved.").format(id=view.id))


@with_actor
def cmd_visit_promise(desk, actor, args) -> int:
    view = desk.follow_up.promise_reply(actor, args.id, until_utc(args.by, desk.now()))
    print(_("Reply on log entry {id} promised by {time}.").format(
        id=view.id, time=format_datetime(view.promised_at)))
    return 0


@with_actor
def cmd_visit_promises(desk, actor, args) -> int:
    now = desk.now()
    rows = [{**view.as_dict(), "promise": view.promise(now)}
            for view in desk.follow_up.promises_due(actor, args.within)]
    emit(args, rows, ["id", "name", "contact", "handler", "promised", "promise", "request"])
    return 0


def _hand_off(desk, actor, args, kind: str) -> int:
    view = desk.follow_up.hand_off(actor, args.id, kind, args.to_user, args.to_dept, args.note)
    print(_("Log entry {id}: {what} to {to}.").format(
        id=view.visit_id, what=_(HANDOFF_KINDS[kind]).lower(), to=safe_text(view.to_name)))
    return 0


@with_actor
def cmd_visit_transfer(desk, actor, args) -> int:
    return _hand_off(desk, actor, args, "transfer")


@with_actor
def cmd_visit_escalate(desk, actor, args) -> int:
    return _hand_off(desk, actor, args, "escalate")


@with_actor
def cmd_visit_handoffs(desk, actor, args) -> int:
    rows = [view.as_dict() for view in desk.follow_up.handoffs(actor, args.id)]
    emit(args, rows, ["id", "kind", "to_user", "to_dept", "note", "at", "by"])
    return 0


CALLBACK_COLUMNS = ["id", "due_at", "channel", "name", "contact", "purpose", "status",
                    "satisfaction", "complaint_id"]


@with_actor
def cmd_callback_add(desk, actor, args) -> int:
    view = desk.callbacks.schedule_callback(
        actor, args.contact, args.purpose, until_utc(args.at, desk.now()), name=args.name,
        visit_id=args.visit, channel=args.channel, complaint_id=args.complaint)
    print(_("Call-back {id} scheduled for {time}.").format(id=view.id,
                                                          time=format_datetime(view.due_at)))
    return 0


@with_actor
def cmd_callback_list(desk, actor, args) -> int:
    views = desk.callbacks.page_callbacks(actor, args.pending, 0, args.limit)
    emit(args, [{key: getattr(view, key) for key in CALLBACK_COLUMNS} for view in views],
         CALLBACK_COLUMNS)
    return 0


@with_actor
def cmd_callback_record(desk, actor, args) -> int:
    view = desk.callbacks.record_callback(actor, args.id, args.result, args.satisfaction)
    print(_("Call-back {id} recorded.").format(id=view.id))
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
