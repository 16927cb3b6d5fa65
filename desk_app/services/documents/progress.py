"""Where a document is and what may be done with it next, and who may read a secret one —
shared by ``show``, the register's pages, "waiting for me" and the register source.

The secret rule (issue 15, docs/documents.md): a secret document's title and texts are
shown to the general manager (document.instruct), office staff (document.register) and the
people of the departments on it — its circulation stops, the handling, drafting or
receiving department — and to whoever drafted or registered it; everybody else reads
"(secret)". Lists judge a page of rows at once (one query for the stops)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from desk_app.domain import documents as rules
from desk_app.domain.areas.documents import DocumentsPermission as P
from desk_app.domain.clock import format_date, format_datetime
from desk_app.domain.users import Actor
from desk_app.i18n import N_, _, ngettext
from desk_app.services.documents.common import is_office_staff, membership
from desk_app.store.archive import Department, tuples
from desk_app.store.documents import DocumentRoute

S = rules.Status
SECRET_TEXT = N_("(secret)")
HIDDEN = ("title", "body", "instruction", "result", "reply", "execution_note")

# What a document's visibility is judged on, in this order in a row tuple:
# (id, level, dept_id, to_dept_id, handler_dept_id, drafted_by_id, created_by_id).
VISIBILITY_FIELDS = ("id", "level", "dept", "to_dept", "handler_dept", "drafted_by",
                     "created_by")


def sees_everything(actor: Actor) -> bool:
    return is_office_staff(actor) or actor.can(P.DOCUMENT_INSTRUCT)


def my_dept_id(actor: Actor) -> int | None:
    row = membership(actor.user_id) if actor.user_id is not None else None
    return row.dept_id if row is not None else None


def hidden_ids(actor: Actor, rows: Iterable[tuple[Any, ...]]) -> set[int]:
    """The ids among ``rows`` (VISIBILITY_FIELDS tuples) whose secret content the actor
    may not read."""
    secret = [row for row in rows if row[1] == "secret"]
    if not secret or sees_everything(actor):
        return set()
    mine = my_dept_id(actor)
    hidden = {row[0] for row in secret
              if actor.user_id not in (row[5], row[6])
              and (mine is None or mine not in (row[2], row[3], row[4]))}
    if hidden and mine is not None:
        on_route = {doc for (doc,) in tuples(DocumentRoute.select(DocumentRoute.document)
                    .where(DocumentRoute.document.in_(sorted(hidden))
                           & (DocumentRoute.dept == mine)))}
        hidden -= on_route
    return hidden


def visibility_row(row: Any) -> tuple[Any, ...]:
    """A Document row as the VISIBILITY_FIELDS tuple."""
    return (row.id, row.level, row.dept_id, row.to_dept_id, row.handler_dept_id,
            row.drafted_by_id, row.created_by_id)


def mask(data: dict[str, Any]) -> dict[str, Any]:
    """A shown document with its secret content replaced by "(secret)"."""
    secret = _(SECRET_TEXT)
    for key in HIDDEN:
        if data.get(key):
            data[key] = secret
    for note in data.get("notes", ()):
        note["text"] = secret
        if note.get("answer"):
            note["answer"] = secret
    for stop in data.get("route", ()):
        if stop.get("comment"):
            stop["comment"] = secret
    return data


# ---------------------------------------------------------------------- where it is now


def _overdue_text(due_on: date | None, today: date) -> str:
    if due_on is None:
        return ""
    days = (today - due_on).days
    if days > 0:
        return ngettext(", due {day} (overdue {n} day)", ", due {day} (overdue {n} days)",
                        days).format(day=format_date(due_on), n=days)
    return _(", due {day}").format(day=format_date(due_on))


def where_line(data: Mapping[str, Any], today: date, location: str = "") -> str:
    """One line: where the paper is now and what happens next. ``data``: a document dict
    (``document_dict``, or a register row with its current stop as ``route``)."""
    status = data["status"]
    dept, to_dept = data.get("dept_name") or "", data.get("to_dept_name") or ""
    handler = data.get("handler_dept_name") or ""
    internal = data.get("direction") == rules.Direction.INTERNAL.value
    if status == S.REGISTERED:
        return _("At the office: waiting for the manager's instructions")
    if status == S.CIRCULATING:
        stop = next((s for s in data.get("route", ()) if s.get("current")), None)
        if stop is None:
            return _("At the office: to be carried to {dept} for handling").format(
                dept=handler or "—")
        who = stop["dept_name"] + (f" ({', '.join(stop['heads'])})" if stop.get("heads") else "")
        if stop.get("carried_at"):
            return _("With {who} for reading since {at}").format(
                who=who, at=format_datetime(stop["carried_at"]))
        return _("At the office: to be carried to {who} for reading").format(who=who)
    if status == S.HANDLING:
        due = _overdue_text(data.get("due_on"), today)
        if data.get("carried_to_handler") is False:  # known not carried yet (show)
            return _("At the office: to be carried to {dept} for handling{due}").format(
                dept=handler or "—", due=due)
        return _("With {dept} for handling{due}").format(dept=handler or "—", due=due)
    if status == S.HANDLED:
        return _("Handled by {dept}: the original goes back to the office to be filed").format(
            dept=handler or "—")
    if status == S.FILED:
        ref = data.get("item_ref") or ""
        if ref and location:
            return _("Filed as {ref} at {location}").format(ref=ref, location=location)
        return _("Filed as {ref}").format(ref=ref) if ref else _("Filed")
    if status == S.DRAFT:
        if internal:
            return _("With {dept}: waiting for the signature of its head").format(dept=dept)
        return _("With {dept}: waiting for the review of its head").format(dept=dept)
    if status == S.RETURNED:
        return _("Returned to the drafter {name}: {reason}").format(
            name=data.get("drafted_by") or "—", reason=data.get("refusal_reason") or "—")
    if status == S.REVIEWED:
        return _("Waiting for the manager's sign-off")
    if status == S.SIGNED_OFF:
        return _("At the office: to be numbered and sent")
    if status == S.SENT:
        execution = data.get("execution_label") or ""
        if execution:
            return _("Sent as {number}; execution: {execution}").format(
                number=data.get("issued_no") or "—", execution=execution)
        return _("Sent as {number}").format(number=data.get("issued_no") or "—")
    if status == S.SIGNED:
        return _("At the office: to be delivered to {dept}").format(dept=to_dept)
    if status == S.DELIVERED:
        return _("With {dept} for a reply").format(dept=to_dept)
    if status == S.REPLIED:
        return _("Replied by {dept}: to be filed").format(dept=to_dept)
    if status == S.VOIDED:
        return _("Voided: {reason}").format(reason=data.get("void_reason") or "—")
    return rules.Status(status).label


# ---------------------------------------------------------------------- what may be done


def actions(actor: Actor, row: Any, data: Mapping[str, Any]) -> list[str]:
    """The actions the actor may take on the document now (in the order of the contract),
    judged as the services judge them: permission, department, state."""
    found: list[str] = []
    status, direction = row.status, row.direction
    register, instruct = is_office_staff(actor), actor.can(P.DOCUMENT_INSTRUCT)
    if not actor.can(P.DOCUMENT_VIEW):
        return found
    mine_row = membership(actor.user_id) if actor.user_id is not None else None
    mine = mine_row.dept_id if mine_row is not None else None
    head = bool(mine_row.head) if mine_row is not None else False
    drafter = actor.user_id is not None and row.drafted_by_id == actor.user_id
    current = next((stop for stop in data.get("route", ()) if stop.get("current")), None)
    current_dept = (Department.get_or_none(Department.code == current["dept"])
                    if current is not None else None)
    incoming = direction == rules.Direction.INCOMING
    outgoing = direction == rules.Direction.OUTGOING
    internal = direction == rules.Direction.INTERNAL
    open_question = any(note["kind"] == rules.NoteKind.QUESTION and not note.get("answered_at")
                        for note in data.get("notes", ()))
    handler_member = mine is not None and mine == row.handler_dept_id
    checks = {
        "instruct": incoming and status == S.REGISTERED and instruct,
        "carry": incoming and register and (
            (status == S.CIRCULATING and current is not None and not current.get("carried_at"))
            or (status == S.HANDLING and not data.get("carried_to_handler"))),
        "read": incoming and status == S.CIRCULATING and current_dept is not None and head
        and mine == current_dept.id,
        "ask": incoming and status == S.HANDLING and handler_member,
        "answer": incoming and instruct and open_question,
        "result": incoming and status == S.HANDLING and handler_member,
        "chase": incoming and register and status in (S.CIRCULATING, S.HANDLING),
        "file": register and ((incoming and status == S.HANDLED)
                              or (outgoing and status == S.SENT)
                              or (internal and status == S.REPLIED)),
        "revise": outgoing and drafter and status in (S.DRAFT, S.RETURNED),
        "review": outgoing and status == S.DRAFT and head and mine == row.dept_id
        and not drafter,
        "signoff": outgoing and status == S.REVIEWED and instruct and not drafter,
        "send": outgoing and status == S.SIGNED_OFF and register,
        "void": (register and ((outgoing and status in (S.DRAFT, S.RETURNED, S.REVIEWED,
                                                         S.SIGNED_OFF, S.SENT))
                               or (internal and status in (S.DRAFT, S.SIGNED))))
                or (drafter and status in (S.DRAFT, S.RETURNED)),
        "execute": outgoing and register and status in (S.SENT, S.FILED),
        "sign_liaison": internal and status == S.DRAFT and head and mine == row.dept_id,
        "deliver": internal and status == S.SIGNED and register,
        "reply": internal and status == S.DELIVERED and mine is not None
        and mine == row.to_dept_id,
    }
    return [name for name, allowed in checks.items() if allowed]
