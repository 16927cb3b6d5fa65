"""The archive catalogue and the loan register on the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from desk_app.cli.common import (
    add_actions,
    add_command,
    bounded_int,
    emit,
    force_option,
    json_option,
    limit_option,
    option,
    parse_date,
    safe_text,
    with_actor,
)
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _, ngettext

ITEM_COLUMNS = ("ref", "title", "kind", "dept", "level", "status", "location")
LOAN_COLUMNS = ("id", "refs", "borrower", "purpose", "handler", "lent_at", "due_on", "returned_at")


def register(commands) -> None:
    refs = option("refs", nargs="+", metavar="REF")
    item = add_actions(commands, "item", _("the archive catalogue"))
    add_command(item, "add", _("register a file"), cmd_item_add,
                option("--title", required=True),
                option("--kind", required=True, help=_("kind code, e.g. TZ")),
                option("--dept", required=True, help=_("department code, e.g. KF")),
                option("--level", required=True, help=_("public, internal, secret or personnel")),
                option("--ref", help=_("reference (default: auto-numbered)")),
                option("--date", dest="doc_date", type=parse_date, metavar="YYYY-MM-DD"),
                option("--keywords", default=""),
                option("--location", help=_("location path, e.g. \"A101 › 柜1\"")),
                option("--retention", type=bounded_int(0, 999), metavar="YEARS",
                       help=_("years kept (0: permanent; default: the kind's retention)")),
                json_option())
    add_command(item, "list", _("find files"), cmd_item_list,
                option("--search", default="", metavar="Q"),
                option("--available", action="store_true"), option("--level"), option("--kind"),
                option("--dept"),
                option("--sort", default="ref", choices=["ref", "title", "date", "kind"]),
                limit_option(100), json_option())
    add_command(item, "show", _("one file with its loan history"), cmd_item_show, option("ref"),
                json_option())
    add_command(item, "kinds", _("list kinds and departments"), cmd_item_kinds)
    add_command(item, "edit", _("correct a file's description or place"), cmd_item_edit,
                option("ref"), option("--title"), option("--kind", help=_("kind code")),
                option("--dept", help=_("department code")), option("--keywords"),
                option("--location", help=_("location path; \"\" for none")),
                option("--retention", type=bounded_int(-1, 999), metavar="YEARS",
                       help=_("years kept (0: permanent; -1: the kind's retention)")),
                json_option())

    location = add_actions(commands, "location", _("rooms, cabinets, shelves and boxes"))
    add_command(location, "add", _("add a location"), cmd_location_add, option("name"),
                option("--in", dest="parent", metavar="PATH"))
    add_command(location, "list", _("list locations"), cmd_location_list, json_option())
    add_command(location, "move", _("move a box (shelf, cabinet) with everything in it"),
                cmd_location_move, option("path"),
                option("--to", dest="parent", required=True, metavar="PATH"))

    loan = add_actions(commands, "loan", _("the loan register"))
    add_command(loan, "lend", _("lend files to one borrower"), cmd_loan_lend, refs,
                option("--borrower", required=True, help=_(
                    "a staff user name, or an outside person's name with --contact")),
                option("--contact", default=""), option("--org", default=""),
                option("--purpose", required=True),
                option("--due", type=parse_date, metavar="YYYY-MM-DD"),
                option("--in-office", action="store_true", help=_(
                    "reading in the office, back by closing time today (a secret file: "
                    "under a 'read' approval)")), json_option())
    add_command(loan, "return", _("take files back"), cmd_loan_return, refs,
                option("--condition", default="good",
                       choices=["good", "worn", "damaged", "incomplete"]),
                option("--notes", default=""))
    add_command(loan, "renew", _("extend a loan"), cmd_loan_renew, option("ref"),
                option("--until", type=parse_date, metavar="YYYY-MM-DD",
                       help=_("the new due date (default: the loan period, within the "
                              "renewal rules)")))
    add_command(loan, "list", _("list loans, newest first"), cmd_loan_list,
                option("--overdue", action="store_true"), option("--open", action="store_true"),
                option("--borrower"), limit_option(100), json_option())
    add_command(loan, "remind", _("send the overdue notices: e-mail where set up, the rest "
                                  "printed in one PDF"), cmd_loan_remind,
                option("--out", type=Path, required=True, metavar="FOLDER"),
                force_option(_("replace notices that exist")))


@with_actor
def cmd_item_add(desk, actor, args) -> int:
    item = desk.archive.add_item(actor, title=args.title, kind=args.kind, dept=args.dept,
                                 level=args.level, ref=args.ref, doc_date=args.doc_date,
                                 keywords=args.keywords, location=args.location,
                                 retention_years=args.retention)
    if args.json:
        emit(args, [item.as_json()], ITEM_COLUMNS)
    else:
        print(_("Registered {ref}: {title}").format(ref=safe_text(item.ref),
                                                    title=safe_text(item.title)))
    return 0


@with_actor
def cmd_item_list(desk, actor, args) -> int:
    from desk_app.services.archive import ItemFilter

    flt = ItemFilter(query=args.search, level=args.level, kind=args.kind, dept=args.dept,
                     available_only=args.available, sort=args.sort)
    rows = [item.as_json() for item in desk.archive.page(actor, flt, 0, max(1, args.limit))]
    emit(args, rows, ITEM_COLUMNS)
    return 0


@with_actor
def cmd_item_show(desk, actor, args) -> int:
    item, history = desk.archive.open_item(actor, args.ref)  # one audited view (R7)
    if args.json:
        emit(args, [{**item.as_json(), **({"loans": history} if history is not None else {})}], ())
        return 0
    for key, value in item.as_json().items():
        print(f"{key:<16}{'' if value is None else safe_text(value)}")
    if history is not None:  # the loan history is for those who may see loans
        print()
        emit(args, history, ("id", "borrower", "purpose", "handler", "lent_at", "due_on",
                             "returned_at"))
    return 0


@with_actor
def cmd_item_edit(desk, actor, args) -> int:
    from desk_app.services.archive_edit import UNCHANGED

    def given(value):
        return UNCHANGED if value is None else value

    retention = (UNCHANGED if args.retention is None
                 else None if args.retention < 0 else args.retention)
    item = desk.archive_edit.edit_item(
        actor, args.ref, title=given(args.title), kind=given(args.kind), dept=given(args.dept),
        keywords=given(args.keywords), location=given(args.location),
        retention_years=retention)
    if args.json:
        emit(args, [item.as_json()], ITEM_COLUMNS)
    else:
        print(_("Saved {ref}: {title}").format(ref=safe_text(item.ref), title=safe_text(item.title)))
    return 0


@with_actor
def cmd_item_kinds(desk, actor, args) -> int:
    for code, name, days in desk.archive.kinds():
        print(_("kind {code:<5} {name} (loan {days} days)").format(
            code=safe_text(code), name=safe_text(name), days=days))
    for code, name in desk.archive.departments():
        print(_("dept {code:<5} {name}").format(code=safe_text(code), name=safe_text(name)))
    return 0


@with_actor
def cmd_location_add(desk, actor, args) -> int:
    path = desk.archive.add_location(actor, args.name, args.parent)
    print(_("Added location {path}.").format(path=safe_text(path)))
    return 0


@with_actor
def cmd_location_list(desk, actor, args) -> int:
    emit(args, [{"path": path, "level": level} for path, level in desk.archive.locations()],
         ("path", "level"))
    return 0


def _borrower(desk, args: argparse.Namespace):
    from desk_app.services.loans import BorrowerInput

    if args.contact or args.org:
        return BorrowerInput(name=args.borrower, contact=args.contact, organisation=args.org)
    return BorrowerInput(user_name=args.borrower)


@with_actor
def cmd_loan_lend(desk, actor, args) -> int:
    slip = desk.loans.lend(actor, args.refs, _borrower(desk, args), args.purpose, args.due,
                           in_office=args.in_office)
    if args.json:
        emit(args, [{"id": slip["id"], "slip": slip["number"], "refs": [i["ref"] for i in slip["items"]],
                     "approvals": {i["ref"]: i.get("approval") for i in slip["items"]},
                     "borrower": slip["borrower"], "purpose": slip["purpose"],
                     "handler": slip["handler"], "lent_at": slip["lent_at"],
                     "due_on": slip["due_on"], "returned_at": None}], ())
    else:
        print(_("Lent {refs} to {borrower} on slip {number}, due {due}.").format(
            refs=safe_text(", ".join(i["ref"] for i in slip["items"])),
            borrower=safe_text(slip["borrower"]),
            number=slip["number"], due=slip["due_on"].isoformat()))
    return 0


@with_actor
def cmd_loan_return(desk, actor, args) -> int:
    receipt = desk.loans.return_items(actor, args.refs, args.condition, args.notes)
    print(_("Returned {refs} on receipt {number}.").format(
        refs=", ".join(i["ref"] for i in receipt["items"]), number=receipt["number"]))
    return 0


@with_actor
def cmd_loan_renew(desk, actor, args) -> int:
    row = desk.loans.renew(actor, args.ref, args.until)
    print(_("{ref} is now due {due} (renewal slip {number}).").format(
        ref=row["ref"], due=row["due_on"], number=row["renewal"]["number"]))
    return 0


@with_actor
def cmd_loan_list(desk, actor, args) -> int:
    from desk_app.services.loans import LoanFilter

    flt = LoanFilter(open_only=args.open, overdue_only=args.overdue, borrower=args.borrower)
    rows = desk.loans.page(actor, flt, 0, max(1, args.limit))
    columns = LOAN_COLUMNS + (("days_overdue",) if args.overdue else ())
    emit(args, rows, columns)
    return 0


@with_actor
def cmd_loan_remind(desk, actor, args) -> int:
    from desk_app.services.output import save_bytes  # (the database layer loads lazily)

    folder = args.out.expanduser()
    if not folder.is_dir():
        raise ValidationError(_("{path} is not a folder.").format(path=folder), field="out")
    if not desk.loans.overdue_by_borrower(actor):
        print(_("Nothing is overdue."))
        return 0
    target = folder / f"reminder-batch-{desk.loans.today().isoformat()}.pdf"
    if target.exists() and not args.force:  # refused before anything is sent
        raise ValidationError(_("{path} exists; use --force to replace it.").format(path=target),
                              field="out")
    outcome = desk.loans.send_reminders(actor)
    for bundle in outcome["sent"]:
        print(_("{borrower}: {count} overdue, e-mailed to {address}").format(
            borrower=safe_text(bundle["borrower"]), count=len(bundle["loans"]),
            address=safe_text(bundle["address"])))
    for bundle in outcome["failed"]:
        print(_("{borrower}: e-mail to {address} failed ({error}); printed").format(
            borrower=safe_text(bundle["borrower"]), address=safe_text(bundle["address"]),
            error=safe_text(bundle["error"])))
    for bundle in outcome["printed"]:
        print(_("{borrower}: {count} overdue, printed").format(
            borrower=safe_text(bundle["borrower"]), count=len(bundle["loans"])))
    if outcome["pdf"] is not None:
        save_bytes(target, outcome["pdf"], force=True)
        print(_("Printed notices: {path}").format(path=target))
    return 0


@with_actor
def cmd_location_move(desk, actor, args) -> int:
    moved = desk.archive_edit.move_location(actor, args.path, args.parent)
    print(ngettext("Moved {before} to {path}, with {count} item.",
                   "Moved {before} to {path}, with {count} items.", moved.items).format(
        before=safe_text(moved.before), path=safe_text(moved.path), count=moved.items))
    return 0
