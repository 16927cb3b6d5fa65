"""Complaints on the command line: ``desk-app complaint …`` — the closed loop (R17) and the
monthly statistics.

A complaint is added (with its severity), its cause analysed, resolutions proposed; the
supervisor sends a proposal back or decides (signing the decision form), the customer signs
the decided resolution (their handwriting as a PNG file; the clerk signs the same form) or
refuses it (then the manager decides); the call-back that follows closes or reopens it.
Whoever signs signs with the password given at sign-in (env DESK_PASSWORD or the prompt).
The rules are the service's (``desk.complaint_flow``, ``desk.complaints``): this module turns
options into its arguments and its views into lines, or JSON with ``--json``."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date
from pathlib import Path
from typing import Any

from desk_app.cli.common import (
    CliError,
    add_actions,
    add_command,
    bounded_int,
    date_range_options,
    emit,
    force_option,
    json_option,
    json_text,
    limit_option,
    option,
    safe_text,
    with_actor,
)
from desk_app.cli.keys import parse_until, until_utc
from desk_app.domain.clock import format_datetime
from desk_app.domain.complaints import (
    CALLBACK_CHANNELS,
    CAUSES,
    ProposalState,
    Severity,
    Status,
    cause_label,
    channel_label,
)
from desk_app.domain.reception import COMPLAINT_CATEGORIES, category_label
from desk_app.i18n import _

_ID = bounded_int(1, 2**62)
# The customer's handwriting from a pad is a few kilobytes; the service refuses more than 2 MB.
_SIGNATURE_MAX = 2_000_001
LIST_COLUMNS = ("id", "number", "received_at", "severity", "status", "category", "name",
                "handler", "description")


def _month(text: str) -> tuple[int, int]:
    try:
        value = date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a month: {text} (use YYYY-MM)").format(text=text)) from None
    return value.year, value.month


def register(commands) -> None:
    complaint = add_actions(commands, "complaint", _("complaints: the closed loop and the "
                                                      "monthly statistics"))
    add_command(complaint, "add", _("write down a complaint received"), cmd_add,
                option("--category", required=True, metavar="CATEGORY",
                       help=", ".join(COMPLAINT_CATEGORIES)),
                option("--description", required=True, help=_("the complaint as told")),
                option("--name", default="", help=_("the customer's name")),
                option("--contact", default="", help=_("how to reach the customer")),
                option("--visit", type=_ID, metavar="ID", help=_("the log entry of the call")),
                option("--severity", default="1", choices=[str(s.value) for s in Severity],
                       help=_("1 general, 2 serious, 3 severe (2 and 3 reach the supervisor "
                              "at once)")),
                json_option())
    add_command(complaint, "list", _("list complaints, latest received first"), cmd_list,
                option("--status", choices=[s.value for s in Status]),
                *date_range_options(),
                option("--open", action="store_true",
                       help=_("only complaints not replied to yet")),
                limit_option(200), json_option())
    add_command(complaint, "show", _("one complaint: cause, staff, proposals, decisions, "
                                     "call-backs"), cmd_show, option("id", type=_ID),
                json_option())
    add_command(complaint, "analyse", _("write down the cause and the staff concerned"),
                cmd_analyse, option("id", type=_ID),
                option("--cause", required=True, metavar="CAUSE", help=", ".join(CAUSES)),
                option("--text", required=True, help=_("what caused the complaint")),
                option("--staff", nargs="+", default=[], metavar="USER",
                       help=_("user names of the staff concerned")),
                json_option())
    add_command(complaint, "propose", _("propose a resolution (then the supervisor decides)"),
                cmd_propose, option("id", type=_ID), option("--text", required=True),
                json_option())
    add_command(complaint, "send-back", _("send a proposal back with a reason (supervisor)"),
                cmd_send_back, option("proposal", type=_ID, metavar="PROPOSAL_ID"),
                option("--reason", required=True), json_option())
    add_command(complaint, "decide", _("choose a proposal and sign the decision (supervisor; "
                                       "after the customer refused: the manager)"), cmd_decide,
                option("id", type=_ID), option("--proposal", type=_ID, required=True,
                                               metavar="PROPOSAL_ID"),
                option("--instruction", required=True, help=_("the instruction (批示)")),
                json_option())
    add_command(complaint, "accept", _("the customer signs the decided resolution; you sign "
                                       "too, and a call-back is scheduled"), cmd_accept,
                option("id", type=_ID),
                option("--signature", type=Path, required=True, metavar="PNGFILE",
                       help=_("the customer's handwritten signature (PNG)")),
                option("--channel", choices=list(CALLBACK_CHANNELS), default="phone",
                       help=_("how to call back")),
                option("--callback-at", type=parse_until, metavar="TIME",
                       help=_("when to call back: HH:MM today or YYYY-MM-DD HH:MM (default: "
                              "after the set number of days)")),
                json_option())
    add_command(complaint, "refuse", _("the customer refuses the decision (then the manager "
                                       "decides)"), cmd_refuse, option("id", type=_ID),
                option("--reason", required=True), json_option())
    add_command(complaint, "form", _("write a signed form: TS-…-n the decision, TS-…-n-C the "
                                     "customer's"), cmd_form, option("number", metavar="NUMBER"),
                option("--out", type=Path, required=True, metavar="FILE"), force_option())
    add_command(complaint, "stats", _("monthly statistics by category"), cmd_stats,
                option("--month", type=_month, required=True, metavar="YYYY-MM"),
                option("--format", choices=["pdf", "xlsx"]), option("--out", type=Path),
                force_option(), json_option())
    month = option("--month", type=_month, required=True, metavar="YYYY-MM")
    add_command(complaint, "month", _("a month's complaints by category and by cause beside "
                                      "last month's, with last month's measures"), cmd_month,
                month, json_option())
    add_command(complaint, "sign-month", _("sign a month's cause analysis and improvement "
                                           "measures (supervisor)"), cmd_sign_month, month,
                option("--analysis", required=True, help=_("the analysis of the causes")),
                option("--measures", required=True, help=_("the improvement measures")))
    add_command(complaint, "month-form", _("write a month's signed statistics (PDF)"),
                cmd_month_form, month, option("--out", type=Path, required=True,
                                              metavar="FILE"), force_option())


# --- Output --------------------------------------------------------------------------------
def _complaint_dict(view) -> dict[str, Any]:
    return {**dataclasses.asdict(view), "number": view.number, "on_time": view.on_time}


def _done(args, data: dict[str, Any], message: str) -> int:
    """A changed record: its view as JSON with --json, else one line."""
    if args.json:
        sys.stdout.write(json_text(data) + "\n")
    else:
        print(message)
    return 0


def _case_dict(case) -> dict[str, Any]:
    return {"complaint": _complaint_dict(case.complaint), "staff": case.staff,
            "proposals": [dataclasses.asdict(p) for p in case.proposals],
            "decisions": [dataclasses.asdict(d) for d in case.decisions],
            "callbacks": [dataclasses.asdict(c) for c in case.callbacks],
            "names": case.names}


def _print_case(case) -> None:
    from desk_app.services.reception.views import callback_status_text, satisfaction_text

    view = case.complaint
    name = case.name

    def line(label: str, value: object) -> None:
        if value not in ("", None):
            print(f"  {label}: {safe_text(value)}")

    print(_("{number} ({id}): {status}").format(number=view.number, id=view.id,
                                                status=Status(view.status).label))
    line(_("Received"), format_datetime(view.received_at))
    line(_("Severity"), Severity(view.severity).label)
    line(_("Category"), category_label(view.category))
    line(_("Customer"), " ".join(part for part in (view.name, view.contact) if part))
    line(_("Complaint"), view.description)
    line(_("Handler"), name(view.handler))
    line(_("Reply promised"), format_datetime(view.promised_at))
    if view.replied_at is not None:
        line(_("Replied"), f"{format_datetime(view.replied_at)} {name(view.replied_by)}: "
                           f"{view.result}")
    if view.cause:
        line(_("Cause"), f"{cause_label(view.cause)}: {view.cause_text}")
    line(_("Staff concerned"), "、".join(name(user) for user in case.staff))
    if view.reopened:
        line(_("Reopened"), view.reopened)
    line(_("Closed"), format_datetime(view.closed_at))
    if case.proposals:
        print(_("Proposals:"))
    for proposal in case.proposals:
        who, at = safe_text(name(proposal.proposed_by)), format_datetime(proposal.proposed_at)
        state = ProposalState(proposal.state).label
        print(f"  #{proposal.id} [{state}] {who} {at}: {safe_text(proposal.text)}")
        if proposal.state == ProposalState.REFUSED:
            print("      " + _("sent back by {who}: {reason}").format(
                who=safe_text(name(proposal.decided_by)), reason=safe_text(proposal.reason)))
    if case.decisions:
        print(_("Decisions:"))
    for decision in case.decisions:
        print("  {number} {who} {at} ({proposal}): {text}".format(
            number=decision.number, who=safe_text(name(decision.decided_by)),
            at=format_datetime(decision.decided_at),
            proposal=_("proposal #{id}").format(id=decision.proposal_id),
            text=safe_text(decision.instruction)))
        if decision.accepted is None:
            answer = _("waiting for the customer")
        elif decision.accepted:
            answer = _("signed by the customer {at} (form {number}-C)").format(
                at=format_datetime(decision.answered_at), number=decision.number)
        else:
            answer = _("refused by the customer {at}: {reason}").format(
                at=format_datetime(decision.answered_at), reason=safe_text(decision.refusal))
        print(f"      {answer}")
    if case.callbacks:
        print(_("Call-backs:"))
    for callback in case.callbacks:
        channel, due = channel_label(callback.channel), format_datetime(callback.due_at)
        text = f"  #{callback.id} {channel} {due} {callback_status_text(callback.status)}"
        if callback.done_at is not None:
            done, who = format_datetime(callback.done_at), safe_text(name(callback.done_by))
            satisfaction = satisfaction_text(callback.satisfaction)
            text += f" {done} {who} {satisfaction}: {safe_text(callback.result)}"
        print(text)


# --- Commands ------------------------------------------------------------------------------
@with_actor
def cmd_add(desk, actor, args) -> int:
    view = desk.complaints.add_complaint(actor, args.category, args.description, args.name,
                                         args.contact, args.visit, severity=args.severity)
    message = _("Complaint {number} ({id}) written down: {severity}.").format(
        number=view.number, id=view.id, severity=Severity(view.severity).label)
    return _done(args, _complaint_dict(view), message)


@with_actor
def cmd_list(desk, actor, args) -> int:
    from desk_app.services.reception.views import ComplaintFilter

    # the complaint register's page: the same rows as desk.complaints.complaints, by state
    flt = ComplaintFilter(args.since, args.until, args.open, args.status or "")
    views = desk.registers["complaints"].page(actor, flt, 0, args.limit)
    rows = [_complaint_dict(view) for view in views]
    if not args.json:  # the handler's full name in the table; JSON has both
        rows = [{**row, "handler": row["handler_name"] or row["handler"]} for row in rows]
    emit(args, rows, LIST_COLUMNS)
    return 0


@with_actor
def cmd_show(desk, actor, args) -> int:
    case = desk.complaint_flow.show(actor, args.id)
    if args.json:
        sys.stdout.write(json_text(_case_dict(case)) + "\n")
    else:
        _print_case(case)
    return 0


@with_actor
def cmd_analyse(desk, actor, args) -> int:
    view = desk.complaint_flow.analyse(actor, args.id, args.cause, args.text, args.staff)
    message = _("Cause of {number} written down: {cause}.").format(
        number=view.number, cause=cause_label(view.cause))
    return _done(args, _complaint_dict(view), message)


@with_actor
def cmd_propose(desk, actor, args) -> int:
    view = desk.complaint_flow.propose(actor, args.id, args.text)
    message = _("Proposal {proposal} on complaint {id} waits for a decision.").format(
        proposal=view.id, id=args.id)
    return _done(args, dataclasses.asdict(view), message)


@with_actor
def cmd_send_back(desk, actor, args) -> int:
    view = desk.complaint_flow.send_back(actor, args.proposal, args.reason)
    message = _("Proposal {proposal} sent back.").format(proposal=view.id)
    return _done(args, dataclasses.asdict(view), message)


@with_actor
def cmd_decide(desk, actor, args) -> int:
    view = desk.complaint_flow.decide(actor, args.id, args.proposal, args.instruction,
                                      args.signing_password)
    message = _("Decision {number} signed: proposal {proposal} chosen.").format(
        number=view.number, proposal=view.proposal_id)
    return _done(args, dataclasses.asdict(view), message)


def _signature(path: Path) -> bytes:
    """The customer's handwriting as the pad saved it (the service checks it is a picture)."""
    try:
        with path.expanduser().open("rb") as stream:
            return stream.read(_SIGNATURE_MAX)
    except OSError as error:
        raise CliError(_("Cannot read the signature {path}: {reason}").format(
            path=path, reason=error.strerror or error)) from None


@with_actor
def cmd_accept(desk, actor, args) -> int:
    png = _signature(args.signature)
    view = desk.complaint_flow.customer_accepts(
        actor, args.id, args.signing_password, png, channel=args.channel,
        callback_at=until_utc(args.callback_at, desk.now()))
    message = _("{number}-C signed by the customer and by you; a call-back by {channel} is "
                "scheduled.").format(number=view.number, channel=channel_label(args.channel))
    return _done(args, dataclasses.asdict(view), message)


@with_actor
def cmd_refuse(desk, actor, args) -> int:
    view = desk.complaint_flow.customer_refuses(actor, args.id, args.reason)
    message = _("The customer refused {number}: the manager decides now.").format(
        number=view.number)
    return _done(args, dataclasses.asdict(view), message)


@with_actor
def cmd_form(desk, actor, args) -> int:
    from desk_app.services.output import check_target, save_bytes

    check_target(args.out, force=args.force, field="file")  # before reading the form
    path = save_bytes(args.out, desk.complaint_flow.decision_form(actor, args.number),
                      force=args.force)
    print(_("Signed form {number} written to {path}.").format(number=safe_text(args.number),
                                                              path=path))
    return 0


@with_actor
def cmd_stats(desk, actor, args) -> int:
    year, month = args.month
    if args.format or args.out:
        if not (args.format and args.out):
            raise CliError(_("Give both --format and --out to write a file."))
        password = args.signing_password if args.format == "pdf" else None
        result = desk.complaints.export_complaint_stats(actor, year, month, args.format,
                                                       args.out, password=password,
                                                       force=args.force)
        print(_("Complaint statistics for {month} written to {path}.").format(
            month=f"{year:04d}-{month:02d}", path=result.path))
        return 0
    stats = desk.complaints.complaint_stats(actor, year, month)
    header = stats.header()
    keys = ["category", "complaints", "replied", "on_time", "open", "average_hours", "share"]
    rows = [dict(zip(keys, row, strict=True)) for row in stats.table()]
    if not args.json:
        print(" / ".join(safe_text(text) for text in header), file=sys.stderr)
    emit(args, rows, keys)
    return 0


def _record_dict(record) -> dict[str, Any] | None:
    return None if record is None else dataclasses.asdict(record)


@with_actor
def cmd_month(desk, actor, args) -> int:
    review = desk.complaint_months.month_review(actor, *args.month)
    causes = [{"cause": row.cause, "label": row.label, "complaints": row.count,
               "last_month": row.previous} for row in review.causes]
    if args.json:
        keys = ["category", "complaints", "replied", "on_time", "open", "average_hours", "share"]
        sys.stdout.write(json_text({
            "month": review.month, "previous_total": review.previous_total,
            "categories": [dict(zip(keys, row, strict=True)) for row in review.stats.table()],
            "causes": causes, "signed": _record_dict(review.record),
            "last_month_measures": _record_dict(review.previous_record)}) + "\n")
        return 0
    total = review.stats.total.total if review.stats.total else 0
    print(_("{month}: {count} complaints (last month {previous}).").format(
        month=review.month, count=total, previous=review.previous_total))
    for row in causes:
        print(f"  {safe_text(row['label'])}: {row['complaints']} ({row['last_month']})")
    print(_("Last month's measures: {text}").format(
        text=safe_text(review.previous_text()) or "—"))
    if review.record is not None:
        print(_("Signed {number} by {name}: {measures}").format(
            number=review.record.number, name=safe_text(review.record.signed_by_name),
            measures=safe_text(review.record.measures)))
    return 0


@with_actor
def cmd_sign_month(desk, actor, args) -> int:
    record = desk.complaint_months.sign_month(actor, *args.month, args.analysis, args.measures,
                                              args.signing_password)
    print(_("{number} signed: the complaints of {month} with their improvement "
            "measures.").format(number=record.number, month=record.month))
    return 0


@with_actor
def cmd_month_form(desk, actor, args) -> int:
    from desk_app.services.output import check_target, save_bytes

    check_target(args.out, force=args.force, field="file")
    path = save_bytes(args.out, desk.complaint_months.month_form(actor, *args.month),
                      force=args.force)
    print(_("Signed statistics written to {path}.").format(path=path))
    return 0
