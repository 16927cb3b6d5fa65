"""How ``desk-app doc …`` prints a document, its route, notes and timeline, what waits for
the user, and the departments (``--json`` prints the service's dicts as they are)."""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from typing import Any

from desk_app.cli.common import emit, json_text, safe_text
from desk_app.domain.clock import format_date, format_datetime
from desk_app.i18n import N_, _

# A time as the audit trail keeps it (a timeline event's "at").
_AUDIT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
WAITING_COLUMNS = ("id", "number", "title", "status_label", "due_on")
# The shown fields of a document, in order: (label, key, key of the time it happened).
_FIELDS = (
    (N_("Title"), "title", None), (N_("Sender"), "sender", None),
    (N_("Sender's number"), "sender_ref", None), (N_("Received on"), "received_on", None),
    (N_("Addressee"), "addressee", None), (N_("Department"), "dept_name", None),
    (N_("To department"), "to_dept_name", None), (N_("Issued number"), "issued_no", None),
    (N_("Kind"), "kind_name", None), (N_("Level"), "level_label", None),
    (N_("Urgency"), "urgency_label", None), (N_("Pages"), "pages", None),
    (N_("Paper copies"), "copies", None), (N_("Text"), "body", None),
    (N_("Instructions"), "instruction", None), (N_("Instructed by"), "instructed_by", "instructed_at"),
    (N_("Handling department"), "handler_dept_name", None), (N_("Handling due"), "due_on", None),
    (N_("Result"), "result", None), (N_("Result by"), "result_by", "result_at"),
    (N_("Drafted by"), "drafted_by", "drafted_at"), (N_("Reviewed by"), "reviewed_by", "reviewed_at"),
    (N_("Signed off by"), "signed_off_by", "signed_off_at"), (N_("Sent out by"), "sent_by", "sent_at"),
    (N_("Execution"), "execution_label", None), (N_("Execution note"), "execution_note", None),
    (N_("Delivered by"), "delivered_by", "delivered_at"), (N_("Reply"), "reply", None),
    (N_("Replied by"), "reply_by", "reply_at"), (N_("Returned because"), "refusal_reason", None),
    (N_("Voided because"), "void_reason", None), (N_("Corrects"), "corrects", None),
    (N_("Corrected by"), "corrected_by", None), (N_("Archive item"), "item_ref", None),
    (N_("Filed by"), "filed_by", "filed_at"), (N_("Registered by"), "created_by", "created_at"),
    (N_("Where"), "where", None), (N_("You may"), "actions", None),
)
_WAITING = {
    "instruct": N_("Waiting for my instructions"), "answer": N_("Questions to answer"),
    "signoff": N_("To sign off"), "read": N_("To read"), "handle": N_("To handle"),
    "review": N_("To review"), "sign_liaison": N_("Liaison sheets to sign"),
    "reply": N_("Liaison sheets to reply to"), "send": N_("To number and send"),
    "deliver": N_("To deliver"), "file": N_("To file"), "overdue": N_("Handling overdue"),
}


def as_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(as_text(item) for item in value)
    if isinstance(value, str) and _AUDIT_TIME.match(value):  # a time as the audit trail keeps it
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    # Several lines (an instruction, a result) stay several, indented under their label.
    return safe_text(value, keep_newlines=True).replace("\n", "\n    ")


def document(args, data: dict[str, Any]) -> None:
    if args.json:
        sys.stdout.write(json_text(data) + "\n")
        return
    print(_("{number} ({id}): {direction}, {status}").format(
        number=safe_text(data["number"]), id=data["id"],
        direction=data["direction_label"], status=data["status_label"]))
    for label, key, at_key in _FIELDS:
        value = data.get(key)
        if value in (None, "", [], 0) or isinstance(value, bool):
            continue
        if key == "body" and data["direction"] == "incoming":
            label = N_("Summary")
        text = as_text(value)
        if at_key and data.get(at_key):
            text += ", " + as_text(data[at_key])
        if key == "due_on" and data.get("overdue"):
            text += " " + _("(overdue)")
        print(_("{label}: {text}").format(label=_(label), text=text))
    history(data)


def history(data: dict[str, Any]) -> None:
    """The circulation route, the questions and chases, and (``show``) the timeline."""
    if data.get("route"):
        print(_("Route:"))
    for stop in data.get("route", []):
        steps = [_("carried by {who} {at}").format(who=safe_text(stop["carried_by"]),
                                                   at=as_text(stop["carried_at"]))
                 if stop["carried_by"] else "",
                 _("read by {who} {at}").format(who=safe_text(stop["confirmed_by"]),
                                                at=as_text(stop["confirmed_at"]))
                 if stop["confirmed_by"] else "",
                 "“" + as_text(stop["comment"]) + "”" if stop["comment"] else "",
                 _("← here now") if stop["current"] else ""]
        heads = ", ".join(safe_text(name) for name in stop["heads"]) or "—"
        print(f"  {stop['seq']}. {safe_text(stop['dept_name'])} ({heads})  "
              + "; ".join(step for step in steps if step).rstrip())
    if data.get("notes"):
        print(_("Notes:"))
    for note in data.get("notes", []):
        channel = f" [{safe_text(note['channel'])}]" if note.get("channel") else ""
        print(f"  #{note['id']} {note['kind_label']}{channel}, {safe_text(note['by'])} "
              f"{as_text(note['at'])}: {as_text(note['text'])}")
        if note.get("answered_at"):
            print(f"      → {safe_text(note['answered_by'])} {as_text(note['answered_at'])}: "
                  f"{as_text(note['answer'])}")
    if data.get("events"):
        print(_("Timeline:"))
    for event in data.get("events", []):
        print(f"  {as_text(event['at'])}  {safe_text(event['who'] or '—')}  "
              f"{safe_text(event['text'])}")


def waiting(args, lists: dict[str, list[dict[str, Any]]]) -> None:
    if args.json:
        sys.stdout.write(json_text(lists) + "\n")
        return
    shown = [(key, rows) for key, rows in lists.items() if rows]
    if not shown:
        print(_("Nothing waits for you."))
    for key, rows in shown:
        print(_(_WAITING[key]) if key in _WAITING else key)
        emit(args, rows, WAITING_COLUMNS)
        print()


def departments(args, rows: list[dict[str, Any]]) -> None:
    if args.json:
        sys.stdout.write(json_text(rows) + "\n")
        return
    emit(args, [{"code": row["code"], "name": row["name"], "heads": row["heads"],
                 "members": [_("{name} (head)").format(name=m["name"]) if m["head"]
                             else m["name"] for m in row["members"]]}
                for row in rows], ("code", "name", "heads", "members"))


def membership(args, data: dict[str, Any]) -> None:
    if args.json:
        sys.stdout.write(json_text(data) + "\n")
        return
    who = f"{safe_text(data['full_name'])} ({safe_text(data['user'])})"
    if not data["code"]:
        print(_("{user} has no department now.").format(user=who))
    else:
        print((_("{user} heads {dept} now.") if data["head"] else
               _("{user} is in {dept} now.")).format(user=who, dept=safe_text(data["dept_name"])))
