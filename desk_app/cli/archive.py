"""The archive catalogue and the loan register on the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from desk_app.cli.common import MAX_ROWS, bounded_int, emit, parse_date, safe_text, with_actor
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _

ITEM_COLUMNS = ("ref", "title", "kind", "dept", "level", "status", "location")
LOAN_COLUMNS = ("id", "refs", "borrower", "purpose", "handler", "lent_at", "due_on", "returned_at")


def register(commands) -> None:
    item = commands.add_parser("item", help=_("the archive catalogue"))
    item_commands = item.add_subparsers(dest="item_command", metavar="ACTION", required=True)
    add = item_commands.add_parser("add", help=_("register a file"))
    add.add_argument("--title", required=True)
    add.add_argument("--kind", required=True, help=_("kind code, e.g. TZ"))
    add.add_argument("--dept", required=True, help=_("department code, e.g. KF"))
    add.add_argument("--level", required=True, help=_("public, internal, secret or personnel"))
    add.add_argument("--ref", help=_("reference (default: auto-numbered)"))
    add.add_argument("--date", dest="doc_date", type=parse_date, metavar="YYYY-MM-DD")
    add.add_argument("--keywords", default="")
    add.add_argument("--location", help=_("location path, e.g. \"A101 › 柜1\""))
    add.add_argument("--retention", type=bounded_int(0, 999), metavar="YEARS")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_item_add)
    listing = item_commands.add_parser("list", help=_("find files"))
    listing.add_argument("--search", default="", metavar="Q")
    listing.add_argument("--available", action="store_true")
    listing.add_argument("--level")
    listing.add_argument("--kind")
    listing.add_argument("--dept")
    listing.add_argument("--sort", default="ref", choices=["ref", "title", "date", "kind"])
    listing.add_argument("--limit", type=bounded_int(1, MAX_ROWS), default=100)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_item_list)
    show = item_commands.add_parser("show", help=_("one file with its loan history"))
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_item_show)
    kinds = item_commands.add_parser("kinds", help=_("list kinds and departments"))
    kinds.set_defaults(run=cmd_item_kinds)

    location = commands.add_parser("location", help=_("rooms, cabinets, shelves and boxes"))
    location_commands = location.add_subparsers(dest="location_command", metavar="ACTION",
                                                required=True)
    loc_add = location_commands.add_parser("add", help=_("add a location"))
    loc_add.add_argument("name")
    loc_add.add_argument("--in", dest="parent", metavar="PATH")
    loc_add.set_defaults(run=cmd_location_add)
    loc_list = location_commands.add_parser("list", help=_("list locations"))
    loc_list.add_argument("--json", action="store_true")
    loc_list.set_defaults(run=cmd_location_list)

    loan = commands.add_parser("loan", help=_("the loan register"))
    loan_commands = loan.add_subparsers(dest="loan_command", metavar="ACTION", required=True)
    lend = loan_commands.add_parser("lend", help=_("lend files to one borrower"))
    lend.add_argument("refs", nargs="+", metavar="REF")
    lend.add_argument("--borrower", required=True,
                      help=_("a staff user name, or an outside person's name with --contact"))
    lend.add_argument("--contact", default="")
    lend.add_argument("--org", default="")
    lend.add_argument("--purpose", required=True)
    lend.add_argument("--due", type=parse_date, metavar="YYYY-MM-DD")
    lend.add_argument("--json", action="store_true")
    lend.set_defaults(run=cmd_loan_lend)
    ret = loan_commands.add_parser("return", help=_("take files back"))
    ret.add_argument("refs", nargs="+", metavar="REF")
    ret.add_argument("--condition", default="good", choices=["good", "worn", "damaged", "incomplete"])
    ret.add_argument("--notes", default="")
    ret.set_defaults(run=cmd_loan_return)
    renew = loan_commands.add_parser("renew", help=_("extend a loan"))
    renew.add_argument("ref")
    renew.set_defaults(run=cmd_loan_renew)
    loan_list = loan_commands.add_parser("list", help=_("list loans, newest first"))
    loan_list.add_argument("--overdue", action="store_true")
    loan_list.add_argument("--open", action="store_true")
    loan_list.add_argument("--borrower")
    loan_list.add_argument("--limit", type=bounded_int(1, MAX_ROWS), default=100)
    loan_list.add_argument("--json", action="store_true")
    loan_list.set_defaults(run=cmd_loan_list)
    remind = loan_commands.add_parser("remind", help=_("send one overdue notice per borrower"))
    remind.add_argument("--out", type=Path, required=True, metavar="FOLDER")
    remind.add_argument("--force", action="store_true", help=_("replace notices that exist"))
    remind.set_defaults(run=cmd_loan_remind)


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
    slip = desk.loans.lend(actor, args.refs, _borrower(desk, args), args.purpose, args.due)
    if args.json:
        emit(args, [{"id": slip["id"], "slip": slip["number"], "refs": [i["ref"] for i in slip["items"]],
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
    row = desk.loans.renew(actor, args.ref)
    print(_("{ref} is now due {due}.").format(ref=row["ref"], due=row["due_on"]))
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
    bundles = desk.loans.overdue_by_borrower(actor)
    for bundle in bundles:
        sent, pdf = desk.loans.send_reminder(actor, bundle["borrower_id"])
        target = folder / f"reminder-{bundle['borrower_id']}.pdf"
        save_bytes(target, pdf, force=args.force)
        print(_("{borrower}: {count} overdue, notice {path}").format(
            borrower=safe_text(sent["borrower"]), count=len(sent["loans"]), path=target))
    if not bundles:
        print(_("Nothing is overdue."))
    return 0
