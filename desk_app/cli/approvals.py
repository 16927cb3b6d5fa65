"""Confidential access approvals (R5) on the command line."""

from __future__ import annotations

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
from desk_app.i18n import _

LIST_COLUMNS = ("id", "number", "status", "borrower", "access", "refs", "window_from",
                "window_to", "decided_by")
STATUSES = ("pending", "approved", "refused", "revoked", "expired")


def register(commands) -> None:
    approval = add_actions(commands, "approval", _("confidential access approvals"))
    add_command(approval, "request", _("ask the manager's approval to read, copy or take out "
                                       "secret files"), cmd_request,
                option("refs", nargs="+", metavar="REF"),
                option("--requester", required=True, help=_(
                    "a staff user name, or an outside person's name with --contact")),
                option("--contact", default=""), option("--org", default=""),
                option("--purpose", required=True),
                option("--access", required=True, choices=["read", "copy", "take-out"]),
                option("--from", dest="window_from", required=True, type=parse_date,
                       metavar="YYYY-MM-DD"),
                option("--to", dest="window_to", required=True, type=parse_date,
                       metavar="YYYY-MM-DD"),
                option("--copies", type=bounded_int(-1_000_000, 1_000_000), metavar="N"),
                json_option())
    decide = add_command(approval, "decide", _("approve or refuse a request, signing the form"),
                         cmd_decide, option("id", type=bounded_int(1, 2**62), metavar="ID"),
                         option("--reason", required=True), json_option())
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument("--approve", action="store_true", help=_("approve the request"))
    choice.add_argument("--refuse", action="store_true", help=_("refuse the request"))
    add_command(approval, "revoke", _("end an approval early"), cmd_revoke,
                option("id", type=bounded_int(1, 2**62), metavar="ID"),
                option("--reason", required=True), json_option())
    add_command(approval, "list", _("list requests, newest first"), cmd_list,
                option("--status", choices=STATUSES), limit_option(100), json_option())
    add_command(approval, "show", _("one request with its history"), cmd_show,
                option("id", type=bounded_int(1, 2**62), metavar="ID"),
                option("--pdf", type=Path, metavar="FILE", help=_("save the signed form")),
                force_option(), json_option())


def _requester(args):
    from desk_app.services.borrowers import BorrowerInput

    if args.contact or args.org:
        return BorrowerInput(name=args.requester, contact=args.contact, organisation=args.org)
    return BorrowerInput(user_name=args.requester)


def _print(args, data) -> None:
    if args.json:
        emit(args, [data], ())
        return
    print(_("{number} ({id}): {status}").format(number=data["number"], id=data["id"],
                                                 status=data["status_label"]))
    for label, value in ((_("Requester"), data["borrower"]), (_("Organisation"),
                                                              data["organisation"]),
                         (_("Access"), data["access_label"]), (_("Copies"), data["copies"]),
                         (_("Purpose"), data["purpose"]),
                         (_("Window"), f"{data['window_from']} – {data['window_to']}"),
                         (_("Items"), ", ".join(i["ref"] for i in data["items"])),
                         (_("Decided by"), data["decided_by"]),
                         (_("Reason"), data["decision_reason"] or data["revoke_reason"])):
        if value:
            print(f"  {label}: {safe_text(value)}")


@with_actor
def cmd_request(desk, actor, args) -> int:
    data = desk.approvals.request(actor, args.refs, _requester(args), args.purpose, args.access,
                                  args.window_from, args.window_to, args.copies)
    _print(args, data)
    return 0


@with_actor
def cmd_decide(desk, actor, args) -> int:
    data = desk.approvals.decide(actor, args.id, args.approve, args.reason,
                                 args.signing_password)
    _print(args, data)
    return 0


@with_actor
def cmd_revoke(desk, actor, args) -> int:
    data = desk.approvals.revoke(actor, args.id, args.reason)
    _print(args, data)
    if not args.json:
        for loan in data.get("open_loans", []):  # still out: the desk recalls them
            print(_("Still out under it: {ref}, {borrower}, due {due}.").format(
                ref=safe_text(loan["ref"]), borrower=safe_text(loan["borrower"]),
                due=loan["due_on"]))
    return 0


@with_actor
def cmd_list(desk, actor, args) -> int:
    from desk_app.services.approvals import ApprovalFilter

    rows = desk.approvals.page(actor, ApprovalFilter(status=args.status), 0, args.limit)
    emit(args, rows, LIST_COLUMNS)
    return 0


@with_actor
def cmd_show(desk, actor, args) -> int:
    data = desk.approvals.show(actor, args.id)  # one audited view of the secret items (R7)
    if args.pdf:
        from desk_app.services.output import save_bytes

        path = save_bytes(args.pdf, desk.approvals.document(actor, args.id), force=args.force)
        print(_("Saved the signed form to {path}.").format(path=path))
    if args.json:
        emit(args, [data], ())
        return 0
    _print(args, data)
    for event in data["events"]:
        print("  {at}  {who}  {text}".format(at=_cell_time(event["at"]),
                                              who=safe_text(event["who"] or "—"),
                                              text=safe_text(event["text"])))
    return 0


def _cell_time(moment) -> str:
    from desk_app.domain.clock import format_datetime

    return format_datetime(moment)
