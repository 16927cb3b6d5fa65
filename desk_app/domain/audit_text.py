"""Audit entries as people read them: one sentence per entry in the user's language
("王芳 lent BA-BG-2026-00004 to 李先生, due 2026-12-14") and the change as field / old / new
rows with translated field names — never ``auth.login``, ``user #3`` or a Python dict.

Pure: user names are turned into full names through a ``names`` mapping the service reads
once per page (``user_names_in`` says which names a page needs). Every action the code
writes has a sentence (``tests/unit/test_audit_text.py`` reads them from the source); an
action without one still reads as a sentence and rows (``describe``'s fallback)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from desk_app.domain.clock import format_datetime
from desk_app.i18n import N_, _

# (label, sentence). Placeholders: {actor}, {id}, each key of "after" and "old_<key>" for
# each key of "before" (also plain <key> when "after" lacks it). A missing one reads "—".
ACTIONS: dict[str, tuple[str, str]] = {
    # signing in and accounts
    "auth.login": (N_("Sign-in"), N_("{actor} signed in")),
    "auth.unlock": (N_("Unlock"), N_("{actor} unlocked the screen")),
    "auth.login_failed": (N_("Failed sign-in"), N_("Failed sign-in as {actor}")),
    "auth.unlock_failed": (N_("Failed unlock"), N_("Wrong password unlocking the screen of {actor}")),
    "auth.password_change_failed": (N_("Failed password change"),
                                    N_("Wrong old password changing the password of {actor}")),
    "auth.sign_failed": (N_("Failed signature"), N_("Wrong password signing as {actor}")),
    "auth.failures_cleared": (N_("Failures cleared"),
                              N_("{actor} signed in correctly after {failures} failed attempts")),
    "user.add": (N_("User added"), N_("{actor} added the user {full_name} ({name}) as {roles}")),
    "user.first_admin": (N_("First administrator"),
                         N_("{actor} created the first administrator {full_name} ({name})")),
    "user.roles": (N_("Roles changed"), N_("{actor} changed the roles of {full_name} to {roles}")),
    "user.password_reset": (N_("Password reset"), N_("{actor} reset the password of {name}")),
    "user.password_change": (N_("Password changed"), N_("{actor} changed their own password")),
    "user.deactivate": (N_("User deactivated"), N_("{actor} deactivated the user {full_name}")),
    "user.reactivate": (N_("User reactivated"), N_("{actor} reactivated the user {full_name}")),
    "setting.set": (N_("Settings changed"), N_("{actor} changed the settings: {id}")),
    # the catalogue
    "kind.add": (N_("Kind added"), N_("{actor} added the kind {name} ({code})")),
    "kind.retention": (N_("Retention changed"),
                       N_("{actor} set the retention of kind {code} to {retention_years} years")),
    "department.add": (N_("Department added"), N_("{actor} added the department {name} ({code})")),
    "location.add": (N_("Location added"), N_("{actor} added the location {path}")),
    "location.move": (N_("Location moved"), N_("{actor} moved the location {path}")),
    "item.add": (N_("Item added"), N_("{actor} added the item {ref}")),
    "item.edit": (N_("Item edited"), N_("{actor} edited the item {ref}")),
    "item.move": (N_("Item moved"), N_("{actor} moved {ref} from {old_location} to {location}")),
    "item.view_secret": (N_("Confidential item opened"),
                         N_("{actor} opened the confidential item {refs}")),
    # loans and borrowers
    "loan.lend": (N_("Lent"), N_("{actor} lent {refs} to {borrower}, due {due}")),
    "loan.return": (N_("Returned"), N_("{actor} took back {refs} (receipt {receipt})")),
    "loan.renew": (N_("Renewed"), N_("{actor} renewed {ref} for {borrower}: due {old_due} → {due}")),
    "loan.correct": (N_("Loan corrected"), N_("{actor} corrected a loan: {reason}")),
    "loan.remind": (N_("Reminder"), N_("{actor} sent {borrower} a reminder for {refs}")),
    "loan_slip.sign": (N_("Loan slip signed"), N_("{actor} signed the loan slip {number}")),
    "return_receipt.sign": (N_("Return receipt signed"),
                            N_("{actor} signed the return receipt {number}")),
    "borrower.add": (N_("Borrower added"), N_("{actor} added the borrower {name}")),
    "borrower.edit": (N_("Borrower edited"), N_("{actor} edited the borrower {name}")),
    # confidential access and retention
    "access_request.file": (N_("Access requested"),
                            N_("{actor} filed access request {number} for {requester}: {refs}")),
    "access_approval.sign": (N_("Access decided"),
                             N_("{actor} decided access request {number}: {decision}")),
    "access_request.revoke": (N_("Access revoked"), N_("{actor} revoked access request {number}")),
    "access_request.copies": (N_("Copies made"),
                              N_("{actor} made {copies} copies of {ref} (request {number})")),
    "access_request.copies_returned": (N_("Copies returned"),
                                       N_("{actor} recorded {copies} copies returned")),
    "access_request.copies_destroyed": (N_("Copies destroyed"),
                                        N_("{actor} recorded {copies} copies destroyed")),
    "personnel.sealed": (N_("Personnel key sealed"),
                         N_("{actor} sealed {files} personnel files with the personnel key")),
    "personnel.admit": (N_("Personnel officer admitted"),
                        N_("{actor} gave {user} the personnel key")),
    "personnel.recovery_code": (N_("Personnel recovery code"),
                                N_("{actor} made a new recovery code for the personnel key")),
    "personnel.recover": (N_("Personnel key recovered"),
                          N_("{actor} recovered the personnel key with the recovery code")),
    "personnel.grant": (N_("Personnel file granted"),
                        N_("{actor} let {user} read {ref} until {until}")),
    "personnel.grant_revoke": (N_("Personnel grant revoked"),
                               N_("{actor} revoked the reading of {ref} by {user}")),
    "retention.hold": (N_("Disposal hold"), N_("{actor} put {ref} on hold: {reason}")),
    "retention.release": (N_("Hold released"), N_("{actor} released the hold on {ref}: {reason}")),
    "destruction.propose": (N_("Destruction proposed"),
                            N_("{actor} proposed destroying {refs} ({number})")),
    "destruction_decision.sign": (N_("Destruction decided"),
                                  N_("{actor} decided destruction {number}: {decision}")),
    "destruction_record.sign": (N_("Destruction recorded"),
                                N_("{actor} recorded the destruction {number} of {refs}, "
                                   "witnessed by {witness}")),
    # keys, equipment, rota and handover
    "equipment.add": (N_("Article added"), N_("{actor} added {name} ({tag})")),
    "equipment.edit": (N_("Article edited"), N_("{actor} edited the article {tag}")),
    "equipment.checkout": (N_("Article handed out"),
                           N_("{actor} handed {tag} to {to}, due {due}")),
    "equipment.checkin": (N_("Article returned"), N_("{actor} took back {tag} ({condition})")),
    "rota.assign": (N_("Rota changed"), N_("{actor} set the people of shift {id}: {people}")),
    "shift_swap.request": (N_("Swap requested"),
                           N_("{actor} asked that {substitute} work {day} {shift} for {absent}")),
    "shift_swap.decide": (N_("Swap decided"), N_("{actor} decided swap {number}: {decision}")),
    "handover.start": (N_("Handover started"),
                       N_("{actor} started handover {number} to {incoming}")),
    "handover.entry": (N_("Handover entry"), N_("{actor} added entry {no} to handover {number}")),
    "handover.entry_edit": (N_("Handover entry edited"),
                            N_("{actor} edited entry {no} of handover {number}")),
    "handover.resolve": (N_("Handover entry resolved"),
                         N_("{actor} resolved entry {no} of handover {number}")),
    "handover.count": (N_("Counted"),
                       N_("{actor} counted {label} on handover {number}: {found} of {expected}")),
    "handover.correct": (N_("Handover correction"),
                         N_("{actor} asked for a correction of handover {number}")),
    "handover.flag_equipment": (N_("Equipment flagged"),
                                N_("{actor} flagged equipment on handover {number}")),
    "handover.flag_unfit": (N_("Unfit flagged"),
                            N_("{actor} flagged the incoming person on handover {number}")),
    "handover.refuse": (N_("Signature refused"),
                        N_("Handover {number} could not be signed: {reasons}")),
    "handover.sign_outgoing": (N_("Signed as outgoing"),
                               N_("{actor} signed handover {number} as outgoing")),
    "handover.sign_incoming": (N_("Signed as incoming"),
                               N_("{actor} signed handover {number} as incoming")),
    "handover.sign": (N_("Handover signed"), N_("{actor} countersigned handover {number}")),
    "handover.template_add": (N_("Checklist line added"),
                              N_("{actor} added {label} to the handover checklist")),
    "handover.template_remove": (N_("Checklist line removed"),
                                 N_("{actor} removed {label} from the handover checklist")),
    # reception
    "visit.open": (N_("Visit or call logged"), N_("{actor} opened log entry {id}")),
    "visit.edit": (N_("Log entry edited"), N_("{actor} edited log entry {id}")),
    "visit.answer": (N_("Marked answered"), N_("{actor} answered log entry {id}")),
    "visit.resolve": (N_("Marked resolved"), N_("{actor} resolved log entry {id}")),
    "visit.close": (N_("Visit or call ended"), N_("{actor} ended log entry {id}")),
    "visit.timeouts": (N_("Time-outs"), N_("{actor} marked log entries past their time")),
    "visit.review": (N_("Reviewed"), N_("{actor} reviewed log entry {id}: {note}")),
    "complaint.add": (N_("Complaint"), N_("{actor} recorded a complaint: {description}")),
    "complaint.reply": (N_("Complaint answered"), N_("{actor} answered complaint {id}: {result}")),
    "callback.schedule": (N_("Call-back scheduled"),
                          N_("{actor} scheduled a call-back to {contact}, due {due}")),
    "callback.record": (N_("Call-back made"), N_("{actor} recorded call-back {id}: {result}")),
    "callback.sign": (N_("Call-back signed"), N_("{actor} signed call-back record {record}")),
    "message.take": (N_("Message taken"), N_("{actor} took a message from {caller} for {for}")),
    "message.confirm": (N_("Message confirmed"), N_("{actor} confirmed message {id}")),
    "message.chase": (N_("Message chased"), N_("{actor} reminded {for} of message {id}")),
    "script.seed": (N_("Scripts installed"), N_("{actor} installed {count} standard scripts")),
    "script.edit": (N_("Script edited"), N_("{actor} edited the script {id} ({title})")),
    # the program
    "audit.checkpoint": (N_("Checkpoint signed"),
                         N_("{actor} signed a checkpoint of the audit trail at entry {id}")),
    "backup.create": (N_("Backup"), N_("{actor} made a backup: {file}")),
    "backup.restore": (N_("Restore"), N_("{actor} restored the backup {file}")),
    "backup.daily": (N_("Daily backup"), N_("{actor} made the daily backup: {file}")),
    "backup.prune": (N_("Old backups removed"), N_("{actor} removed old backups")),
    "ca.export": (N_("CA certificate saved"), N_("{actor} saved the office's CA certificate: {file}")),
    "ca.sealed": (N_("CA key sealed"), N_("{actor} sealed the office's signing key")),
    "ca.recovery_code": (N_("CA recovery code"),
                         N_("{actor} made a new recovery code for the signing key")),
    "ca.recover": (N_("CA key recovered"), N_("{actor} recovered the signing key")),
    "ca.crl": (N_("Revocation list saved"), N_("{actor} saved the revocation list: {file}")),
    "demo.generate": (N_("Demo data"), N_("{actor} filled the database with demo data")),
    "demo.archive": (N_("Demo archive"), N_("{actor} filled the archive with demo data")),
    "demo.keys": (N_("Demo keys and equipment"), N_("{actor} filled the keys and equipment with demo data")),
    "demo.reception": (N_("Demo reception log"), N_("{actor} filled the reception log with demo data")),
    "demo.retention": (N_("Demo retention"),
                       N_("{actor} filled retention reviews and destructions with demo data")),
}

# Sentences for entries written before their action recorded the fields its sentence now
# names: (those fields, the sentence used when one is missing).
EARLIER: dict[str, tuple[tuple[str, ...], str]] = {
    "loan.renew": (("ref", "borrower"), N_("{actor} renewed a loan: due {old_due} → {due}")),
}

# Action names built in the code (f"export.{register}", f"auth.{purpose}_failed", …).
PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"export\.(?P<what>\w+)"), N_("Export"),
     N_("{actor} exported {what}: {file}")),
    (re.compile(r"auth\.(?P<what>\w+)_failed"), N_("Wrong password"),
     N_("Wrong password for {actor}")),
    (re.compile(r"handover\.sign_(?P<what>\w+)"), N_("Handover signed"),
     N_("{actor} signed handover {number}")),
    (re.compile(r"(?P<what>\w+)\.sign"), N_("Signed"), N_("{actor} signed {number}")),
    (re.compile(r"access_request\.copies_(?P<what>\w+)"), N_("Copies"),
     N_("{actor} recorded copies: {what}")),
)

FIELDS: dict[str, str] = {
    "access": N_("Access"), "active": N_("Active"), "approvals": N_("Approvals"),
    "borrower": N_("Borrower"), "bytes": N_("Size (bytes)"), "carried": N_("Carried over"),
    "category": N_("Category"), "chain_hash": N_("Chain hash"), "chain_head": N_("Chain head"),
    "changes": N_("Changes"), "channel": N_("Channel"), "code": N_("Code"),
    "condition": N_("Condition"), "contact": N_("Contact"), "copies": N_("Copies"),
    "correction": N_("Correction"), "count": N_("Count"), "decision": N_("Decision"),
    "department": N_("Department"), "description": N_("Description"),
    "discrepancy": N_("Discrepancy"), "due": N_("Due"), "expected": N_("Expected"),
    "failures": N_("Failures"), "file": N_("File name"), "files": N_("Files"),
    "format": N_("Format"), "found": N_("Found"), "from": N_("From"),
    "full_name": N_("Full name"), "home": N_("Home"), "incoming": N_("Incoming"),
    "key": N_("Key"), "keywords": N_("Keywords"), "kind": N_("Kind"), "label": N_("Label"),
    "languages": N_("Languages"), "late": N_("Late"), "level": N_("Level"),
    "lines": N_("Lines"), "loan_days": N_("Loan days"), "location": N_("Location"),
    "major": N_("Major"), "method": N_("Method"), "name": N_("Name"), "no": N_("No."),
    "note": N_("Note"), "notes": N_("Notes"), "number": N_("Number"),
    "on_checklist": N_("On the checklist"), "on_time": N_("On time"),
    "organisation": N_("Organisation"), "outgoing": N_("Outgoing"), "path": N_("Path"),
    "people": N_("People"), "phone": N_("Phone"), "promised": N_("Promised"),
    "purpose": N_("Purpose"), "reason": N_("Reason"), "reasons": N_("Reasons"),
    "receipt": N_("Receipt"), "record": N_("Record"), "recount": N_("Recount"),
    "ref": N_("Reference"), "refs": N_("References"), "renewals": N_("Renewals"),
    "request": N_("Request"), "requester": N_("Requester"), "resolved": N_("Resolved"),
    "result": N_("Result"), "retention_years": N_("Retention (years)"),
    "revoked": N_("Revoked"), "roles": N_("Roles"), "rows": N_("Rows"),
    "satisfaction": N_("Satisfaction"), "sealed": N_("Sealed"),
    "sealed_for": N_("Sealed for"), "sha256": N_("SHA-256"), "shift": N_("Shift"),
    "signature_withdrawn": N_("Signature withdrawn"), "slip": N_("Slip"),
    "status": N_("Status"), "substitute": N_("Substitute"), "absent": N_("Absent"),
    "day": N_("Day"), "tag": N_("Tag"), "text": N_("Text"), "title": N_("Title"),
    "to": N_("To"), "until": N_("Until"), "user": N_("User"), "version": N_("Version"),
    "via": N_("Via"), "visit": N_("Visit"), "witness": N_("Witness"), "what": N_("What"),
    "items": N_("Items"), "lost_entries": N_("Lost entries"), "replaced": N_("Replaced"),
    "backup_head": N_("Backup's chain head"), "replaced_head": N_("Replaced chain head"),
    "database_id": N_("Database"), "head_at": N_("Head time"), "line": N_("Line"),
    "renewal": N_("Renewal slip"), "address": N_("Address"), "error": N_("Error"),
    "articles": N_("Articles"), "callbacks": N_("Call-backs"), "complaints": N_("Complaints"),
    "caller": N_("Caller"), "chases": N_("Reminders"), "for": N_("For"),
    "messages": N_("Messages"), "taken_at": N_("Taken"),
    "visits": N_("Visits and calls"), "borrowers": N_("Borrowers"), "loans": N_("Loans"),
    "common_seq": N_("Last common entry"), "content": N_("Content"), "demo": N_("Demo data"),
    "forced": N_("Forced"), "handed_over_at": N_("Handed over at"), "hold": N_("Hold"),
    "locations": N_("Locations"), "lost_actions": N_("Lost actions"),
    "overdue": N_("Overdue"), "problems": N_("Problems"), "recorded": N_("Recorded"),
    "recovery_code": N_("Recovery code"), "relation": N_("Relation"),
    "review_dates": N_("Review dates"), "rota_lines": N_("Rota lines"), "staff": N_("Staff"),
    "was": N_("Was"), "item": N_("Item"),
}

# Stored words of a field (``purpose`` "login", a reminder's ``channel`` "print") in the
# user's language. Fields whose values are an enum of the domain are in ``_value_enums``.
VALUES: dict[str, dict[str, str]] = {
    "purpose": {"login": N_("signing in"), "unlock": N_("unlocking the screen"),
                "password_change": N_("changing the password"), "sign": N_("signing")},
    "reason": {"unknown": N_("no such user"), "inactive": N_("user deactivated"),
               "paused": N_("paused after wrong passwords"),
               "locked_out": N_("wrong password; locked out"), "password": N_("wrong password")},
    "channel": {"print": N_("printed letter"), "email": N_("e-mail")},
    "result": {"made": N_("made for printing"), "printed": N_("printed"),
               "sent": N_("sent"), "failed": N_("failed")},
    "via": {"show": N_("shown"), "detail": N_("details"), "history": N_("history"),
            "edit": N_("editing"), "labels": N_("labels"),
            "access_request": N_("access request"), "access_approval": N_("access approval")},
    "was": {"live": N_("in force"), "ended": N_("ended"), "revoked": N_("revoked")},
    "key": {"created": N_("created")},
}

# Keys whose values are user names: shown as full names.
USER_KEYS = frozenset({"user", "borrower", "requester", "to", "absent", "substitute",
                       "outgoing", "incoming", "witness", "people", "sealed_for"})
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$")
SYSTEM = "system"


class ChangeRow(NamedTuple):  # a tuple: JSON output (desk-app audit list --json) as a list
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Described:
    label: str  # short name of the action ("Lent")
    sentence: str  # the whole entry in one sentence
    rows: tuple[ChangeRow, ...]  # field / old / new


def _entry_part(entry: Mapping[str, Any] | Any, name: str) -> Any:
    return entry.get(name) if isinstance(entry, Mapping) else getattr(entry, name, None)


def parse_change(change: Any) -> tuple[Any, Any]:
    """(before, after) of an entry's stored change (JSON text or a dict)."""
    if isinstance(change, str):
        try:
            change = json.loads(change)
        except ValueError:
            return None, change
    if isinstance(change, Mapping):
        return change.get("before"), change.get("after")
    return None, change


def template_of(action: str) -> tuple[str, str] | None:
    """(label, sentence) written for ``action``, or None (the fallback is used then)."""
    if action in ACTIONS:
        return ACTIONS[action]
    for pattern, label, sentence in PATTERNS:
        if pattern.fullmatch(action):
            return label, sentence
    return None


def has_sentence(action: str) -> bool:
    return template_of(action) is not None


def action_label(action: str) -> str:
    """The action's short name in the user's language (filters, the Action column)."""
    found = template_of(action)
    return _(found[0]) if found else _humanise(action)


def field_label(key: str) -> str:
    """A field's name in the user's language; a setting's by its own label."""
    if key in FIELDS:
        return _(FIELDS[key])
    from desk_app.domain.manifest import settings_by_key

    found = settings_by_key().get(key)
    return _(found.label) if found is not None else _humanise(str(key))


def _humanise(name: str) -> str:
    text = re.sub(r"[._]+", " ", name).strip()
    return text[:1].upper() + text[1:]


def person(name: Any, names: Mapping[str, str]) -> str:
    """A user name as its full name ("王芳"); someone not a user (an outside borrower) as is."""
    if name is None:
        return "—"
    text = str(name)
    if text == SYSTEM:
        return _("System")
    return names.get(text, text)


def show_value(key: str, value: Any, names: Mapping[str, str]) -> str:
    """One value as text: full names, role names, local times, lists and mappings in words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in USER_KEYS and isinstance(value, str):
        return person(value, names)
    if key == "roles" and isinstance(value, str):
        return _roles(value)
    if isinstance(value, str) and value in VALUES.get(key, {}):
        return _(VALUES[key][value])
    if isinstance(value, str) and key in _value_enums():
        for kind in _value_enums()[key]:
            try:
                return kind(value).label
            except ValueError:
                continue
    if isinstance(value, (list, tuple)):
        return _(", ").join(show_value(key, item, names) for item in value) or "—"
    if isinstance(value, Mapping):
        shown = {show_value(key, item, names) for item in value.values()}
        if key == "due" and len(shown) == 1:
            return shown.pop()  # every item due the same day
        return "; ".join(f"{show_value('', k, names)}: {show_value(str(k), v, names)}"
                         for k, v in value.items()) or "—"
    if isinstance(value, str) and _ISO_TIME.match(value):
        return _local_time(value)
    return str(value)


@functools.cache
def _value_enums() -> dict[str, tuple[Any, ...]]:
    """Fields whose stored values are named in the user's language (``approved``)."""
    from desk_app.domain import approvals, archive, reception, retention

    return {"decision": (approvals.RequestStatus, retention.DestructionStatus),
            "status": (archive.Status, approvals.RequestStatus, retention.DestructionStatus),
            "access": (approvals.Access,), "method": (retention.Method,),
            "level": (archive.Level,), "channel": (reception.Channel,),
            "was": (approvals.RequestStatus,)}


def _roles(text: str) -> str:
    from desk_app.domain.roles import Role, role_label

    parts = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            parts.append(role_label(Role(part)))
        except ValueError:
            parts.append(part)
    return _(", ").join(parts)


def _local_time(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return format_datetime(moment)


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def change_rows(before: Any, after: Any, names: Mapping[str, str],
                entity_id: Any = None) -> tuple[ChangeRow, ...]:
    """The change as field / old / new rows; an unchanged field of an edit is left out."""
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        old = before if isinstance(before, Mapping) else {}
        new = after if isinstance(after, Mapping) else {}
        rows = []
        for key in [*new, *(k for k in old if k not in new)]:
            if key in old and key in new and old[key] == new[key] and len(new) > 1:
                continue
            rows.append(ChangeRow(field_label(str(key)),
                                  show_value(str(key), old[key], names) if key in old else "",
                                  show_value(str(key), new[key], names) if key in new else ""))
        return tuple(rows)
    if before is None and after is None:
        return ()
    field = field_label(str(entity_id)) if entity_id is not None else _("Value")
    return (ChangeRow(field, "" if before is None else show_value("", before, names),
                      "" if after is None else show_value("", after, names)),)


def describe(entry: Mapping[str, Any] | Any, names: Mapping[str, str] | None = None
             ) -> Described:
    """An audit entry (a page's dict or a stored row) in words."""
    names = names or {}
    action = str(_entry_part(entry, "action") or "")
    before, after = parse_change(_entry_part(entry, "change"))
    entity_id = _entry_part(entry, "entity_id")
    rows = change_rows(before, after, names, entity_id)
    values = _Values()
    if isinstance(before, Mapping):
        for key, value in before.items():
            values[f"old_{key}"] = show_value(str(key), value, names)
            values[str(key)] = values[f"old_{key}"]
    if isinstance(after, Mapping):
        for key, value in after.items():
            values[str(key)] = show_value(str(key), value, names)
    values["actor"] = person(_entry_part(entry, "actor"), names)
    values["id"] = "—" if entity_id in (None, "") else str(entity_id)
    if _entry_part(entry, "entity") == "setting" and entity_id:
        values["id"] = ", ".join(field_label(key) for key in str(entity_id).split(","))
    found = template_of(action)
    if found is None:
        label = _humanise(action)
        sentence = _("{actor}: {action} ({entity} {id})").format(
            actor=values["actor"], action=label,
            entity=_humanise(str(_entry_part(entry, "entity") or "")), id=values["id"])
        return Described(label, sentence, rows)
    for pattern, _label, _sentence in PATTERNS:
        match = pattern.fullmatch(action)
        if match and action not in ACTIONS:
            values.setdefault("what", _humanise(match.group("what")))
    sentence = found[1]
    if action in EARLIER and not all(key in values for key in EARLIER[action][0]):
        sentence = EARLIER[action][1]
    return Described(_(found[0]), _(sentence).format_map(values), rows)


def change_text(rows: Iterable[ChangeRow]) -> str:
    """The rows in one line of text (exports, the PDF): ``Field: old → new; …``."""
    parts = []
    for row in rows:
        if row.old and row.new:
            parts.append(f"{row.field}: {row.old} → {row.new}")
        else:
            parts.append(f"{row.field}: {row.new or row.old}")
    return "; ".join(parts)


def user_names_in(entries: Iterable[Mapping[str, Any] | Any]) -> set[str]:
    """Every user name a page of entries shows: actors and user-valued fields."""
    found: set[str] = set()
    for entry in entries:
        actor = _entry_part(entry, "actor")
        if actor:
            found.add(str(actor))
        for part in parse_change(_entry_part(entry, "change")):
            if isinstance(part, Mapping):
                for key in USER_KEYS & set(part):
                    value = part[key]
                    items = value if isinstance(value, (list, tuple)) else [value]
                    found.update(str(item) for item in items if isinstance(item, str))
    return found
# Areas' sentences, merged into the tables above when this module is imported.
from desk_app.domain import audit_text_documents, audit_text_imports, audit_text_reception  # noqa: E402,F401
