"""The shift handover (R8–R12) on the command line: start, entries, flags, the face-to-face
count, the signatures, history and the checklist template.

Signing uses the acting user's password (env DESK_PASSWORD or the prompt at sign-in). A
refusal (R12) exits with the conflict code and prints each blocking condition on its own
line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from desk_app.cli.common import (
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
from desk_app.domain.equipment import Condition, EquipmentKind
from desk_app.domain.errors import Conflict
from desk_app.domain.handover import EntryKind, Status
from desk_app.domain.shifts import shift_label
from desk_app.i18n import _

_ID = bounded_int(1, 2**62)
_NO = bounded_int(1, 1_000_000)
LIST_COLUMNS = ("id", "number", "shift", "shift_day", "outgoing", "incoming", "supervisor",
                "status", "started_at", "locked_at")


def register(commands) -> None:
    handover = add_actions(commands, "handover", _("shift handover: prepare, count, sign"))
    add_command(handover, "start", _("start handing your shift over; prints its id"), cmd_start,
                option("--incoming", required=True, metavar="USER"), json_option())
    add_command(handover, "add", _("add a problem, instruction, unfinished work or repair"),
                cmd_add, option("id", type=_ID),
                option("--kind", required=True, choices=[k.value for k in EntryKind]),
                option("--text", required=True), option("--cause", default=""),
                option("--process", default=""), option("--result", default=""),
                option("--major", action="store_true",
                       help=_("a major or emergency event (blocks until resolved)")),
                option("--resolved", action="store_true"), json_option())
    add_command(handover, "edit", _("change an entry"), cmd_edit, option("id", type=_ID),
                option("entry", type=_NO), option("--text"), option("--cause"),
                option("--process"), option("--result"),
                option("--major", action="store_true", default=None), json_option())
    add_command(handover, "resolve", _("mark an entry resolved or done"), cmd_resolve,
                option("id", type=_ID), option("entry", type=_NO),
                option("--result", required=True), json_option())
    flag = add_command(handover, "flag", _("R12 flags: equipment starting or stopping, an "
                                           "unfit incoming person"), cmd_flag,
                       option("id", type=_ID), option("--substitute", metavar="USER"),
                       json_option())
    which = flag.add_mutually_exclusive_group(required=True)
    which.add_argument("--equipment-changing", metavar="NOTE")
    which.add_argument("--clear-equipment", action="store_true")
    which.add_argument("--unfit", metavar="NOTE", nargs="?", const="",
                       help=_("the incoming person is unfit to take over (with a note)"))
    which.add_argument("--fit", action="store_true")
    add_command(handover, "count", _("count one checklist line (the incoming person)"),
                cmd_count, option("id", type=_ID), option("line", type=_NO),
                option("--found", required=True, metavar="N"),
                option("--condition", default="good", choices=[c.value for c in Condition]),
                option("--note", default=""), option("--recount", action="store_true"),
                json_option())
    add_command(handover, "scan", _("count the line of a scanned tag"), cmd_scan,
                option("id", type=_ID), option("tag", metavar="TAG"),
                option("--found", default="1", metavar="N"),
                option("--condition", default="good", choices=[c.value for c in Condition]),
                option("--note", default=""), option("--recount", action="store_true"),
                json_option())
    add_command(handover, "check",
                _("what forbids the handover now (R12); exit 1 if anything does"), cmd_check,
                option("id", type=_ID), json_option())
    add_command(handover, "sign", _("sign your part (outgoing first, then incoming)"),
                cmd_sign, option("id", type=_ID), json_option())
    add_command(handover, "countersign", _("countersign as supervisor; locks the record"),
                cmd_countersign, option("id", type=_ID), json_option())
    add_command(handover, "correct", _("a linked correction of a locked handover"),
                cmd_correct, option("id", type=_ID), option("--text", required=True),
                json_option())
    add_command(handover, "list", _("handovers, newest first"), cmd_list,
                option("--status", choices=[s.value for s in Status]),
                option("--person", metavar="USER"), limit_option(100), json_option())
    add_command(handover, "show", _("one handover; --pdf writes its form"), cmd_show,
                option("id", type=_ID), option("--pdf", type=Path, metavar="FILE"),
                force_option(), json_option())
    template = add_actions(handover, "template", _("the checklist lines not in the register"))
    add_command(template, "list", _("the template's lines"), cmd_template_list, json_option())
    add_command(template, "add", _("add a line"), cmd_template_add,
                option("--label", required=True),
                option("--kind", required=True, choices=[k.value for k in EquipmentKind]),
                option("--expected", default="1", metavar="N"), json_option())
    add_command(template, "remove", _("remove a line"), cmd_template_remove,
                option("line_id", type=_ID))


def _person(person: dict[str, str] | None) -> str:
    if not person:
        return "—"
    return safe_text(person["full_name"] or person["name"]) + f" ({safe_text(person['name'])})"


def _print(args, data: dict[str, Any]) -> None:
    if args.json:
        sys.stdout.write(json_text(data) + "\n")
        return
    print(_("{number} ({id}): {shift} shift of {day}, {status}").format(
        number=data["number"], id=data["id"], shift=shift_label(data["shift"]), day=data["shift_day"],
        status=data["status_label"]))
    print(_("Outgoing {outgoing}, incoming {incoming}").format(
        outgoing=_person(data["outgoing"]), incoming=_person(data["incoming"])))
    if data.get("changed_since_signed"):
        print(_("WARNING: the entries or the checklist below were changed in the database "
                "after the outgoing person signed; the signed PDF (--pdf) is the record."))
    if data["substitute"]:
        print(_("Substitute: {who}").format(who=_person(data["substitute"])))
    if data["supervisor"]:
        print(_("Countersigned by {who}").format(who=_person(data["supervisor"])))
    print(_("Scheduled {scheduled}, handed over {actual}{late}").format(
        scheduled=format_datetime(data["scheduled_at"]),
        actual=format_datetime(data["handed_over_at"], empty="—"),
        late=" " + _("(late)") if data["late"] else ""))
    for entry in data["entries"]:
        mark = _("done") if entry["resolved"] else _("open")
        print(f"  #{entry['no']} [{entry['kind_label']}, {mark}] {safe_text(entry['text'])}")
    for line in data["lines"]:
        found = "—" if line["found"] is None else line["found"]
        flag = " !" if line["discrepancy"] else ""
        print(f"  {line['no']:>3} {safe_text(line['tag'] or '-'):<10} "
              f"{safe_text(line['label'])}: {line['expected']} / {found}{flag}")
    for blocker in data["blockers"]:
        print(_("Blocks: {message}").format(message=safe_text(blocker["message"])))


@with_actor
def cmd_start(desk, actor, args) -> int:
    data = desk.handovers.start(actor, args.incoming)
    if args.json:
        sys.stdout.write(json_text(data) + "\n")
    else:
        print(data["id"])
    return 0


@with_actor
def cmd_add(desk, actor, args) -> int:
    _print(args, desk.handovers.add_entry(
        actor, args.id, args.kind, args.text, cause=args.cause, process=args.process,
        result=args.result, major=args.major, resolved=args.resolved))
    return 0


@with_actor
def cmd_edit(desk, actor, args) -> int:
    _print(args, desk.handovers.edit_entry(
        actor, args.id, args.entry, text=args.text, cause=args.cause, process=args.process,
        result=args.result, major=args.major))
    return 0


@with_actor
def cmd_resolve(desk, actor, args) -> int:
    _print(args, desk.handovers.resolve(actor, args.id, args.entry, args.result))
    return 0


@with_actor
def cmd_flag(desk, actor, args) -> int:
    if args.equipment_changing is not None or args.clear_equipment:
        data = desk.handovers.flag_equipment(actor, args.id, args.equipment_changing)
    else:
        note = None if args.fit else (args.unfit or _("unfit to take over"))
        data = desk.handovers.flag_unfit(actor, args.id, note, args.substitute)
    _print(args, data)
    return 0


def _line(args, line: dict[str, Any]) -> None:
    if args.json:
        sys.stdout.write(json_text(line) + "\n")
        return
    print(_("Line {no} {label}: expected {expected}, found {found} ({condition}){flag}").format(
        no=line["no"], label=safe_text(line["label"]), expected=line["expected"],
        found=line["found"], condition=line["condition"],
        flag=" — " + _("discrepancy, escalated to the supervisor") if line["discrepancy"]
        else ""))


@with_actor
def cmd_count(desk, actor, args) -> int:
    _line(args, desk.handovers.count(actor, args.id, args.line, args.found, args.condition,
                                     args.note, recount=args.recount))
    return 0


@with_actor
def cmd_scan(desk, actor, args) -> int:
    line = desk.handovers.line_for_tag(actor, args.id, args.tag)
    _line(args, desk.handovers.count(actor, args.id, line["no"], args.found, args.condition,
                                     args.note, recount=args.recount))
    return 0


def _blockers(number: str, blockers: list[dict[str, str]]) -> int:
    print(_("desk-app: the handover {number} cannot take place now (R12):").format(
        number=number), file=sys.stderr)
    for blocker in blockers:
        print(f"  {safe_text(blocker['message'])}", file=sys.stderr)
    return Conflict.exit_code


@with_actor
def cmd_check(desk, actor, args) -> int:
    blockers = desk.handovers.check(actor, args.id)
    if args.json:
        sys.stdout.write(json_text(blockers) + "\n")
    elif not blockers:
        print(_("Nothing blocks the handover."))
    for blocker in blockers if not args.json else []:
        print(safe_text(blocker["message"]))
    return 1 if blockers else 0  # like audit verify and script check: 1 = a problem found


@with_actor
def cmd_sign(desk, actor, args) -> int:
    from desk_app.services.handover.handovers import HandoverRefused

    try:
        data = desk.handovers.sign(actor, args.id, args.signing_password)
    except HandoverRefused as refused:
        return _blockers(refused.number, refused.blockers)
    _print(args, data)
    return 0


@with_actor
def cmd_countersign(desk, actor, args) -> int:
    _print(args, desk.handovers.countersign(actor, args.id, args.signing_password))
    return 0


@with_actor
def cmd_correct(desk, actor, args) -> int:
    _print(args, desk.handovers.correct(actor, args.id, args.text))
    return 0


@with_actor
def cmd_list(desk, actor, args) -> int:
    from desk_app.services.handover.handovers import HandoverFilter

    rows = desk.handovers.page(actor, HandoverFilter(status=args.status, person=args.person),
                               0, args.limit)
    emit(args, rows, LIST_COLUMNS)
    return 0


@with_actor
def cmd_show(desk, actor, args) -> int:
    data = desk.handovers.show(actor, args.id)
    if args.pdf:
        from desk_app.services.output import save_bytes

        path = save_bytes(args.pdf, desk.handovers.pdf(actor, args.id), force=args.force)
        if not args.json:
            print(_("Form written to {path}.").format(path=path))
    _print(args, data)
    return 0


@with_actor
def cmd_template_list(desk, actor, args) -> int:
    emit(args, desk.handovers.template_lines(actor), ("id", "label", "kind", "expected"))
    return 0


@with_actor
def cmd_template_add(desk, actor, args) -> int:
    line = desk.handovers.add_template_line(actor, args.label, args.kind, args.expected)
    emit(args, [line], ("id", "label", "kind", "expected"))
    return 0


@with_actor
def cmd_template_remove(desk, actor, args) -> int:
    desk.handovers.remove_template_line(actor, args.line_id)
    print(_("Line {id} removed from the template.").format(id=args.line_id))
    return 0
