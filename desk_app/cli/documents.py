"""The document register (收发文) on the command line: ``desk-app doc …``.

Incoming letters are received, instructed (the manager signs the instruction sheet), carried,
read, handled and filed; outgoing documents are drafted, reviewed, signed off, numbered and
sent; liaison sheets are drafted, signed by a department head, delivered and replied to.
Whoever signs a sheet signs with the password given at sign-in (env DESK_PASSWORD or the
prompt). The rules are the service's (``desk.documents``): this module turns options into
its arguments and its dicts into lines, or JSON with ``--json``."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desk_app.cli import documents_output as show
from desk_app.cli.common import (
    CliError,
    add_actions,
    add_command,
    bounded_int,
    emit,
    force_option,
    json_option,
    json_text,
    limit_option,
    option,
    parse_date,
    safe_text,
    with_actor,
)
from desk_app.domain.documents import LEVELS, PAGES_MAX, Execution, Status, Urgency
from desk_app.domain.errors import NotFound
from desk_app.i18n import _

_ID = bounded_int(1, 2**62)
_COUNT = bounded_int(0, PAGES_MAX)
_BODY_FILE_MAX = 1_000_000
_DEPT_SPLIT = re.compile(r"[,，、;；\s]+")  # "GC,BA", "GC，BA", "GC、BA"
LIST_COLUMNS = ("id", "number", "direction", "status", "title", "sender", "addressee",
                "issued_no", "received_on", "due_on", "where")
CHASE_COLUMNS = ("id", "number", "title", "handler_dept_name", "due_on", "days_overdue",
                 "chases", "last_chase_at")
def register(commands) -> None:
    doc = add_actions(commands, "doc", _("the document register: incoming, outgoing, "
                                         "liaison sheets"))
    _register_incoming(doc)
    _register_outgoing(doc)
    _register_queries(doc)
    dept = add_actions(doc, "dept", _("who belongs to and heads which department"))
    add_command(dept, "list", _("the departments, their heads and members"), cmd_dept_list,
                json_option())
    add_command(dept, "set", _("put a user in a department (--head: as its head)"),
                cmd_dept_set, option("user_name", metavar="USER"), option("dept", metavar="DEPT"),
                option("--head", action="store_true"), json_option())
    add_command(dept, "clear", _("take a user out of their department"), cmd_dept_clear,
                option("user_name", metavar="USER"), json_option())


def _id(name: str = "id") -> Any:
    return option(name, type=_ID, metavar=name.upper())


def _kind_level_urgency(default: bool = True) -> tuple[Any, ...]:
    """``revise`` keeps what is not given, so there the options have no default."""
    return (option("--kind", help=_("an archive kind, by code or name")),
            option("--level", choices=LEVELS, default="internal" if default else None),
            option("--urgency", choices=[u.value for u in Urgency],
                   default="normal" if default else None))


def _attach_option() -> Any:
    return option("--attach", type=Path, metavar="FILE",
                  help=_("a scan, photo or file to keep with it (at most 20 MB)"))


def _register_incoming(doc) -> None:
    add_command(doc, "receive", _("sign in an incoming document (收文)"), cmd_receive,
                option("--sender", required=True, help=_("the sending organisation")),
                option("--title", required=True),
                option("--sender-ref", default="", help=_("the sender's own number")),
                *_kind_level_urgency(),
                option("--pages", type=_COUNT, default=1, metavar="N"),
                option("--copies", type=_COUNT, default=1, metavar="N"),
                option("--received", type=parse_date, metavar="YYYY-MM-DD",
                       help=_("the day it came (default: today)")),
                option("--summary", default=""), _attach_option(), json_option())
    add_command(doc, "instruct", _("the manager's instruction: who reads it in which order, "
                                   "who handles it, by when (signs the instruction sheet)"),
                cmd_instruct, _id(), option("--instruction", required=True),
                option("--read", dest="readers", action="extend", nargs="+", metavar="DEPT",
                       help=_("departments that read it, in this order (GC BA, or GC,BA)")),
                option("--handler", metavar="DEPT"),
                option("--due", type=parse_date, metavar="YYYY-MM-DD",
                       help=_("handling due (default: the document_handling_days setting)")),
                json_option())
    add_command(doc, "carry", _("record that you carried the paper to its next stop"),
                _use_case("carry", "id"), _id(), json_option())
    add_command(doc, "read", _("confirm reading, as the current department's head"),
                _use_case("confirm_reading", "id", "comment"), _id(),
                option("--comment", default=""), json_option())
    add_command(doc, "ask", _("a question of the handling department to the manager"),
                _use_case("ask", "id", "question"), _id(), option("--question", required=True),
                json_option())
    add_command(doc, "answer", _("the manager's answer to a question (its note id)"),
                _use_case("answer", "note_id", "answer"), _id("note_id"),
                option("--answer", required=True), json_option())
    add_command(doc, "result", _("the handling department's result and report"),
                _use_case("record_result", "id", "text"), _id(),
                option("--text", required=True), json_option())
    add_command(doc, "chase", _("record a chase of overdue handling (催办)"),
                _use_case("chase", "id", "note", "channel"), _id(), option("--note", required=True),
                option("--channel", choices=["phone", "visit", "message"], default="phone"),
                json_option())
    add_command(doc, "file", _("file the original in the archive (an incoming document's "
                               "processing sheet is signed)"),
                _use_case("file", "id", location="location", ref="ref", kind="kind", signs=True),
                _id(),
                option("--location", metavar="PATH", help=_("where the original is kept")),
                option("--ref", help=_("add it to this existing archive item instead")),
                option("--kind", help=_("the archive item's kind")), json_option())


def _register_outgoing(doc) -> None:
    def with_text(name: str, helptext: str, run, required: bool, *more: Any) -> None:
        parser = add_command(doc, name, helptext, run,
                             *([] if required else [_id()]), option("--title", required=required),
                             option("--to", dest="addressee", required=required,
                                    metavar="ADDRESSEE"))
        body = parser.add_mutually_exclusive_group()
        body.add_argument("--body", help=_("the text"))
        body.add_argument("--body-file", type=Path, metavar="FILE",
                          help=_("the text from a UTF-8 file"))
        for flags, settings in (*_kind_level_urgency(required), *more, json_option()):
            parser.add_argument(*flags, **settings)

    with_text("draft", _("draft an outgoing document; you sign the draft sheet"), cmd_draft,
              True, option("--dept", metavar="DEPT",
                           help=_("the drafting department (default: yours)")),
              option("--corrects", metavar="ID|NUMBER",
                     help=_("the signed-off document this one corrects")), _attach_option())
    with_text("revise", _("change a draft or a returned document (what is not given stays)"),
              cmd_revise, False)
    for name, helptext, run in (
            ("review", _("review as head of the drafting department"), _decision("review")),
            ("signoff", _("sign off (签发) or refuse, as the general manager"),
             _decision("signoff"))):
        parser = add_command(doc, name, helptext, run, _id(),
                             option("--reason", default="", help=_("required with --refuse")),
                             json_option())
        choice = parser.add_mutually_exclusive_group(required=True)
        choice.add_argument("--approve", action="store_true")
        choice.add_argument("--refuse", action="store_true")
    add_command(doc, "send", _("number a signed-off document and send it; you sign as clerk"),
                _use_case("send", "id", signs=True), _id(), json_option())
    add_command(doc, "void", _("withdraw a draft or liaison sheet, or void a sent number"),
                _use_case("void", "id", "reason"), _id(), option("--reason", required=True),
                json_option())
    add_command(doc, "execute", _("how far a sent document has been carried out"),
                _use_case("record_execution", "id", "status", "note"), _id(),
                option("--status", required=True, choices=[e.value for e in Execution]),
                option("--note", default=""), json_option())
    add_command(doc, "liaison", _("draft a liaison sheet to another department (工作联络单)"),
                cmd_liaison, option("--title", required=True),
                option("--to-dept", required=True, metavar="DEPT"),
                option("--body", required=True),
                option("--dept", metavar="DEPT", help=_("from (default: your department)")),
                *_kind_level_urgency()[1:], _attach_option(), json_option())
    add_command(doc, "sign", _("sign a liaison sheet as head of its department"),
                _use_case("sign_liaison", "id", signs=True), _id(), json_option())
    add_command(doc, "deliver", _("record a liaison sheet delivered"),
                _use_case("deliver", "id"), _id(), json_option())
    add_command(doc, "reply", _("the receiving department's reply to a liaison sheet"),
                _use_case("reply", "id", "text"), _id(), option("--text", required=True),
                json_option())


def _register_queries(doc) -> None:
    listing = add_command(doc, "list", _("the register, newest first"), cmd_list,
                          option("--overdue", action="store_true",
                                 help=_("handling past its due date")),
                          option("--status", choices=[s.value for s in Status]),
                          option("--search", metavar="TEXT"), limit_option(100), json_option())
    direction = listing.add_mutually_exclusive_group()
    for name in ("incoming", "outgoing", "internal"):
        direction.add_argument(f"--{name}", dest="direction", action="store_const", const=name,
                               default="")
    add_command(doc, "show", _("one document: its fields, route, notes and timeline"),
                cmd_show, _id(),
                option("--pdf", type=Path, metavar="FILE",
                       help=_("save its signed sheet (the final one, else the draft sheet "
                              "signed so far, else the instruction sheet)")),
                option("--instruction-pdf", type=Path, metavar="FILE",
                       help=_("save the manager's signed instruction sheet")),
                force_option(), json_option())
    add_command(doc, "find", _("a document by running, issued or sender's number (what a "
                               "barcode scanner types)"), cmd_find,
                option("text", metavar="TEXT"), json_option())
    add_command(doc, "waiting", _("what waits for you"), cmd_waiting, json_option())
    add_command(doc, "chase-list", _("handling past its due date, most overdue first"),
                cmd_chase_list, limit_option(200), json_option())
    add_command(doc, "gaps", _("missing running or issued numbers of a year; exit 1 if any"),
                cmd_gaps, option("--year", type=bounded_int(1000, 9998), metavar="YYYY"),
                json_option())


# --- Input --------------------------------------------------------------------------------
def _read(path: Path, limit: int = -1) -> bytes:
    try:
        with path.expanduser().open("rb") as stream:
            return stream.read(limit)
    except OSError as error:
        raise CliError(_("Cannot read {path}: {reason}").format(
            path=path, reason=error.strerror or error)) from None


def _attachment(path: Path | None) -> tuple[str, bytes] | None:
    if path is None:
        return None
    from desk_app.services.documents.incoming import ATTACHMENT_MAX

    data = _read(path, ATTACHMENT_MAX + 1)  # a wrong file (a disk image) is never read whole
    if len(data) > ATTACHMENT_MAX:
        raise CliError(_("{path} is larger than {size} MB: attach a smaller scan.").format(
            path=path, size=ATTACHMENT_MAX // (1024 * 1024)))
    return path.name, data


def _body(args, default: str = "") -> str:
    if args.body_file is None:
        return default if args.body is None else args.body
    data = _read(args.body_file, _BODY_FILE_MAX + 1)
    if len(data) > _BODY_FILE_MAX:  # (the service takes a few thousand characters)
        raise CliError(_("{path} is too long for a document's text.").format(
            path=args.body_file))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CliError(_("{path} is not UTF-8 text.").format(path=args.body_file)) from None


def _depts(values: list[str] | None) -> list[str]:
    return [code for value in values or () for code in _DEPT_SPLIT.split(value) if code]


def _reason(args) -> str:
    if args.refuse and not args.reason.strip():
        raise CliError(_("A refusal needs --reason: the drafter is told why."))
    return args.reason


def _doc_id(desk, actor, text: str | None) -> int | None:
    """A document typed by its id or by its number."""
    if not text:
        return None
    if text.strip().isdigit():
        return int(text)
    found = desk.documents.find(actor, text)
    if found is None:
        raise NotFound(_("No document numbered {number}.").format(number=safe_text(text)))
    return int(found["id"])


# --- Use cases ----------------------------------------------------------------------------
def _use_case(method: str, *positional: str, signs: bool = False, **keywords: str
              ) -> Callable[[argparse.Namespace], int]:
    """A command that calls ``desk.documents.<method>(actor, args.<positional>…,
    <keyword>=args.<name>…)`` (with the signing password if it ``signs``) and prints the
    document it returns."""

    @with_actor
    def run(desk, actor, args) -> int:
        named = {key: getattr(args, name) for key, name in keywords.items()}
        if signs:
            named["password"] = args.signing_password
        show.document(args, getattr(desk.documents, method)(
            actor, *(getattr(args, name) for name in positional), **named))
        return 0

    return run


@with_actor
def cmd_receive(desk, actor, args) -> int:
    show.document(args, desk.documents.receive(
        actor, sender=args.sender, title=args.title, sender_ref=args.sender_ref,
        kind=args.kind, level=args.level, urgency=args.urgency, pages=args.pages,
        copies=args.copies, received_on=args.received, summary=args.summary,
        attachment=_attachment(args.attach)))
    return 0


@with_actor
def cmd_instruct(desk, actor, args) -> int:
    show.document(args, desk.documents.instruct(
        actor, args.id, instruction=args.instruction, readers=_depts(args.readers),
        handler=args.handler, due_on=args.due, password=args.signing_password))
    return 0


# --- Outgoing and liaison -----------------------------------------------------------------
@with_actor
def cmd_draft(desk, actor, args) -> int:
    show.document(args, desk.documents.draft(
        actor, title=args.title, addressee=args.addressee, body=_body(args), kind=args.kind,
        level=args.level, urgency=args.urgency, dept=args.dept,
        corrects=_doc_id(desk, actor, args.corrects), attachment=_attachment(args.attach),
        password=args.signing_password))
    return 0


@with_actor
def cmd_revise(desk, actor, args) -> int:
    now = desk.documents.show(actor, args.id)
    show.document(args, desk.documents.revise(
        actor, args.id, title=now["title"] if args.title is None else args.title,
        addressee=now["addressee"] if args.addressee is None else args.addressee,
        body=_body(args, now["body"]), kind=args.kind or now["kind"] or None,
        level=args.level or now["level"], urgency=args.urgency or now["urgency"],
        password=args.signing_password))
    return 0


def _decision(method: str) -> Callable[[argparse.Namespace], int]:
    """``review`` and ``signoff``: approve (and sign) or refuse with a reason."""

    @with_actor
    def run(desk, actor, args) -> int:
        show.document(args, getattr(desk.documents, method)(
            actor, args.id, approve=args.approve, reason=_reason(args),
            password=args.signing_password))
        return 0

    return run


@with_actor
def cmd_liaison(desk, actor, args) -> int:
    show.document(args, desk.documents.draft_liaison(
        actor, title=args.title, to_dept=args.to_dept, body=args.body, dept=args.dept,
        urgency=args.urgency, level=args.level, attachment=_attachment(args.attach)))
    return 0


# --- Reading the register -----------------------------------------------------------------
@with_actor
def cmd_list(desk, actor, args) -> int:
    from desk_app.services.documents.registers import DocumentFilter

    flt = DocumentFilter(direction=args.direction, status=args.status or "",
                         overdue=args.overdue, text=args.search or "",
                         today=desk.documents.today())
    emit(args, desk.documents.page(actor, flt, 0, args.limit), LIST_COLUMNS)
    return 0


@with_actor
def cmd_show(desk, actor, args) -> int:
    data = desk.documents.show(actor, args.id)
    # Every sheet is fetched before any is written: a missing one leaves no file behind.
    sheets = [(path, fetch(actor, args.id)) for path, fetch in (
        (args.pdf, desk.documents.sheet), (args.instruction_pdf, desk.documents.instruction_sheet))
        if path is not None]
    if len({path.expanduser().resolve() for path, _pdf in sheets}) < len(sheets):
        raise CliError(_("--pdf and --instruction-pdf name the same file."))
    from desk_app.services.output import save_bytes

    for path, pdf in sheets:
        saved = save_bytes(path, pdf, force=args.force)
        if not args.json:
            print(_("Saved the signed sheet to {path}.").format(path=saved))
    show.document(args, data)
    return 0


@with_actor
def cmd_find(desk, actor, args) -> int:
    data = desk.documents.find(actor, args.text)
    if data is None:
        raise NotFound(_("No document numbered {number}.").format(number=safe_text(args.text)))
    show.document(args, data)
    return 0


@with_actor
def cmd_waiting(desk, actor, args) -> int:
    show.waiting(args, desk.documents.waiting_for_me(actor))
    return 0


@with_actor
def cmd_chase_list(desk, actor, args) -> int:
    emit(args, desk.documents.chase_list(actor, 0, args.limit), CHASE_COLUMNS)
    return 0


@with_actor
def cmd_gaps(desk, actor, args) -> int:
    year = args.year or desk.documents.today().year
    gaps = desk.documents.gaps(actor, year)
    if args.json:
        sys.stdout.write(json_text({"year": year, "gaps": gaps}) + "\n")
    elif not gaps:
        print(_("No numbers missing in {year}.").format(year=year))
    for message in gaps if not args.json else []:
        print(safe_text(message))
    return 1 if gaps else 0  # like audit verify: 1 = a check found a problem


# --- Departments --------------------------------------------------------------------------
@with_actor
def cmd_dept_list(desk, actor, args) -> int:
    show.departments(args, desk.documents.departments(actor))
    return 0


@with_actor
def cmd_dept_set(desk, actor, args) -> int:
    show.membership(args, desk.documents.set_department(actor, args.user_name, args.dept,
                                                    head=args.head))
    return 0


@with_actor
def cmd_dept_clear(desk, actor, args) -> int:
    show.membership(args, desk.documents.set_department(actor, args.user_name, None))
    return 0
