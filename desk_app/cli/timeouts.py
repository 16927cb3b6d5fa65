"""Timeouts and responsibility on the command line: ``desk-app timeout …`` (002, issue 18).

A timed-out log entry is reviewed by a supervisor — the cause, the person directly
responsible, a supervisor held jointly liable, the measure (by default the office's table's
for the level), any retraining and evidence files kept with their SHA-256 —; the person held
responsible may appeal within the appeal window; a supervisor with no part in the case, or the
manager, decides. Staff see only the reviews naming them.
The rules are the service's (``desk.timeouts``): this module turns options into its
arguments and its cases into lines, or JSON with ``--json``."""

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
from desk_app.domain.reception import Channel
from desk_app.domain.timeouts import Cause, Measure, Outcome, RequestType, Urgency
from desk_app.i18n import _

_ID = bounded_int(1, 2**62)
# to_review: severe, escalated; not_reviewed: minor or moderate (a supervisor may review them)
STATES = ("to_review", "not_reviewed", "reviewed", "appealed", "decided")
LIST_COLUMNS = ("entry", "time_in", "level", "state", "request_type", "handler", "responsible",
                "measure_now", "reviewed_by")


def register(commands) -> None:
    timeout = add_actions(commands, "timeout", _("timed-out log entries: the review, the "
                                                 "appeal and its decision"))
    entry = option("entry", type=_ID, metavar="ENTRY", help=_("the log entry"))
    add_command(timeout, "list", _("timed-out entries, newest first (staff: their own "
                                   "record)"), cmd_list,
                option("--state", choices=STATES),
                option("--mine", action="store_true",
                       help=_("only the reviews naming me responsible or jointly liable")),
                limit_option(200), json_option())
    add_command(timeout, "show", _("one timed-out entry: its review, evidence, appeal and "
                                   "decision"), cmd_show, entry, json_option())
    add_command(timeout, "review", _("review a timed-out entry (supervisor; once)"), cmd_review,
                entry,
                option("--cause", required=True, choices=[c.value for c in Cause]),
                # not required by argparse: the service says what is missing in its words
                option("--responsible", default="", metavar="USER",
                       help=_("the person directly responsible (required)")),
                option("--joint-supervisor", default="", metavar="USER",
                       help=_("a supervisor held jointly liable")),
                option("--measure", choices=[m.value for m in Measure],
                       help=_("default: the office's table for the level (setting "
                              "timeout_measures)")),
                option("--measure-text", default="", metavar="TEXT",
                       help=_("what the measure is (needed for 'other')")),
                option("--retraining", metavar="NOTE", help=_("retraining ordered: what")),
                option("--text", default="", help=_("the cause analysis")),
                option("--evidence", nargs="+", action="extend", type=Path, default=[],
                       metavar="FILE", help=_("recordings, screenshots… (kept with their "
                                              "SHA-256)")),
                json_option())
    add_command(timeout, "appeal", _("appeal against a review naming you (within the appeal "
                                     "window)"), cmd_appeal, entry,
                option("--reason", required=True), json_option())
    add_command(timeout, "decide-appeal", _("decide an appeal (a supervisor with no part in "
                                            "the case, or the manager)"),
                cmd_decide_appeal, entry,
                option("--outcome", required=True, choices=[o.value for o in Outcome]),
                option("--decision", required=True, metavar="TEXT",
                       help=_("the reasons for the decision")),
                option("--measure", choices=[m.value for m in Measure],
                       help=_("the measure that replaces the reviewed one (outcome changed)")),
                json_option())
    add_command(timeout, "evidence", _("write an evidence file (its SHA-256 checked)"),
                cmd_evidence, option("evidence_id", type=_ID, metavar="EVIDENCE_ID"),
                option("--out", type=Path, required=True, metavar="FILE"), force_option())


# --- Output --------------------------------------------------------------------------------
def _case_dict(case) -> dict[str, Any]:
    """The case as JSON: the service's dict with the request and the people's full names."""
    people = {case.handler, case.responsible, case.joint_supervisor, case.reviewed_by,
              case.appellant, case.decided_by} - {""}
    return {**case.as_dict(), "request": case.request,
            "names": {user: case.full(user) for user in sorted(people)}}


def _done(args, case, message: str) -> int:
    """A changed case: as JSON with --json, else one line."""
    if args.json:
        sys.stdout.write(json_text(_case_dict(case)) + "\n")
    else:
        print(message)
    return 0


def _label(enum: Any, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:  # a value written by a newer version
        return value


def _state_text(state: str) -> str:
    return {"to_review": _("to review"), "not_reviewed": _("not reviewed"),
            "reviewed": _("reviewed"),
            "appealed": _("appealed, waiting for a decision"),
            "decided": _("appeal decided")}.get(state, state)


def _print_case(case) -> None:
    def line(label: str, value: object) -> None:
        if value not in ("", None):
            print(f"  {label}: {safe_text(value)}")

    def who(user: str) -> str:
        return case.full(user) if case.full(user) == user else f"{case.full(user)} ({user})"

    print(_("Log entry {id}: {level}, {state}").format(
        id=case.visit_id, level=case.level.label, state=_state_text(case.state)))
    line(_("Arrived"), format_datetime(case.arrived_at))
    line(_("Channel"), _label(Channel, case.channel))
    line(_("Caller"), case.name)
    line(_("Request"), case.request)
    line(_("Type"), f"{_label(RequestType, case.request_type)}, "
                    f"{_label(Urgency, case.urgency)}")
    line(_("Handler"), who(case.handler))
    if case.review_id is None:
        return
    cause = _label(Cause, case.cause)
    line(_("Cause"), f"{cause}: {case.cause_text}" if case.cause_text else cause)
    line(_("Responsible"), who(case.responsible))
    line(_("Jointly liable"), who(case.joint_supervisor) if case.joint_supervisor else "")
    measure = _label(Measure, case.measure)
    line(_("Measure"), f"{measure}: {case.measure_text}" if case.measure_text else measure)
    line(_("Retraining"), case.retraining_note if case.retraining else "")
    line(_("Timeout reviewed"), f"{format_datetime(case.reviewed_at)} {who(case.reviewed_by)}")
    line(_("Appeal until"), format_datetime(case.appeal_until))
    if case.evidence:
        print(_("Evidence:"))
    for evidence in case.evidence:
        print("  #{id} {name} ({size}) SHA-256 {sha}".format(
            id=evidence.id, name=safe_text(evidence.file_name),
            size=_("{count} bytes").format(count=evidence.size), sha=evidence.sha256))
    if case.appealed_at is not None:
        line(_("Appeal"), f"{format_datetime(case.appealed_at)} {who(case.appellant)}: "
                          f"{case.appeal_reason}")
    if case.decided_at is not None:
        line(_("Decision"), f"{format_datetime(case.decided_at)} {who(case.decided_by)}: "
                            f"{_label(Outcome, case.outcome)} — {case.decision}")
        line(_("Measure now"), _label(Measure, case.measure_now))


# --- Commands ------------------------------------------------------------------------------
@with_actor
def cmd_list(desk, actor, args) -> int:
    cases = desk.timeouts.cases(actor, state=args.state or "", mine=args.mine, limit=args.limit)
    rows = [case.as_dict() for case in cases]
    if not args.json:  # full names in the table; JSON has the user names
        rows = [{**row, "handler": case.full(case.handler),
                 "responsible": case.full(case.responsible),
                 "reviewed_by": case.full(case.reviewed_by)}
                for row, case in zip(rows, cases, strict=True)]
    emit(args, rows, LIST_COLUMNS)
    return 0


@with_actor
def cmd_show(desk, actor, args) -> int:
    case = desk.timeouts.case(actor, args.entry)
    if args.json:
        sys.stdout.write(json_text(_case_dict(case)) + "\n")
    else:
        _print_case(case)
    return 0


@with_actor
def cmd_review(desk, actor, args) -> int:
    case = desk.timeouts.review(
        actor, args.entry, cause=args.cause, responsible=args.responsible,
        cause_text=args.text, joint_supervisor=args.joint_supervisor, measure=args.measure,
        measure_text=args.measure_text, retraining=args.retraining is not None,
        retraining_note=args.retraining or "",
        evidence=[path.expanduser() for path in args.evidence])
    message = _("Log entry {id} reviewed: {name} responsible, {measure}; appeal until "
                "{until}.").format(id=case.visit_id, name=safe_text(case.full(case.responsible)),
                                   measure=_label(Measure, case.measure).lower(),
                                   until=format_datetime(case.appeal_until))
    return _done(args, case, message)


@with_actor
def cmd_appeal(desk, actor, args) -> int:
    case = desk.timeouts.appeal(actor, args.entry, args.reason)
    message = _("Appeal against the review of log entry {id} filed: a supervisor with no part "
                "in the case, or the manager, decides.").format(id=case.visit_id)
    return _done(args, case, message)


@with_actor
def cmd_decide_appeal(desk, actor, args) -> int:
    case = desk.timeouts.decide_appeal(actor, args.entry, args.outcome, args.decision,
                                       measure=args.measure or "")
    message = _("Appeal on log entry {id} decided: {outcome}; the measure now: "
                "{measure}.").format(id=case.visit_id, outcome=_label(Outcome, case.outcome),
                                     measure=_label(Measure, case.measure_now).lower())
    return _done(args, case, message)


@with_actor
def cmd_evidence(desk, actor, args) -> int:
    from desk_app.services.output import check_target, save_bytes

    check_target(args.out, force=args.force, field="file")  # before reading the file
    name, data = desk.timeouts.evidence_file(actor, args.evidence_id)
    path = save_bytes(args.out, data, force=args.force)
    print(_("Evidence file {id} ({name}, {size} bytes, SHA-256 checked) written to "
            "{path}.").format(id=args.evidence_id, name=safe_text(name), size=len(data),
                              path=path))
    return 0
