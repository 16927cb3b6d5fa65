"""Reading handovers: the record as shown (one query each for the handover, its people, its
checklist lines and its entries), the history rows of the Handover page and the
"handovers" register, and the Today summary. No permission checks here: the service and the
register check before they call."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import peewee

from desk_app.domain import handover as rules
from desk_app.domain.clock import local_day_range
from desk_app.domain.equipment import SECTION_OF, EquipmentKind
from desk_app.domain.handover import ENTRY_LABELS, STATUS_LABELS, EntryFacts, EntryKind, Status
from desk_app.domain.text import LookupFilter
from desk_app.i18n import _
from desk_app.store.archive import tuples
from desk_app.store.handover import (
    ChecklistLine,
    Handover,
    HandoverCorrection,
    HandoverEntry,
    HandoverRefusal,
)
from desk_app.store.models import AuditEntry, User


@dataclass(frozen=True)
class HandoverFilter(LookupFilter):
    text: str = ""  # the number, or part of it
    status: str | None = None
    since: date | None = None  # started on or after this local day
    until: date | None = None
    person: str | None = None  # login name: outgoing, incoming, substitute or supervisor
    discrepancies_only: bool = False


def status_label(status: str) -> str:
    try:
        return _(STATUS_LABELS[Status(status)])
    except ValueError:
        return status


def entry_label(kind: str) -> str:
    try:
        return _(ENTRY_LABELS[EntryKind(kind)])
    except ValueError:
        return kind


def section_label(kind: str) -> str:
    try:
        return _(SECTION_OF[EquipmentKind(kind)])
    except ValueError:
        return kind


def _display(user: Any) -> Any:
    return peewee.fn.COALESCE(peewee.fn.NULLIF(user.full_name, ""), user.name)


def _people(ids: list[int | None]) -> dict[int, dict[str, str]]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {uid: {"name": name, "full_name": full_name or ""} for uid, name, full_name in
            tuples(User.select(User.id, User.name, User.full_name).where(User.id.in_(wanted)))}


def _line(row: tuple) -> dict[str, Any]:
    (no, kind, label, tag, expected, out_with, found, condition, note, counted_by, counted_at,
     discrepancy) = row
    return {"no": no, "kind": kind, "section": section_label(kind), "label": label, "tag": tag,
            "expected": expected, "out_with": out_with, "found": found, "condition": condition,
            "note": note, "counted_by": counted_by, "counted_at": counted_at,
            "discrepancy": bool(discrepancy)}


_counter = User.alias("counter")


def line_query(handover_id: int) -> Any:
    return (ChecklistLine.select(
        ChecklistLine.no, ChecklistLine.kind, ChecklistLine.label, ChecklistLine.tag,
        ChecklistLine.expected, ChecklistLine.out_with, ChecklistLine.found,
        ChecklistLine.condition, ChecklistLine.note, _counter.name, ChecklistLine.counted_at,
        ChecklistLine.discrepancy)
        .join_from(ChecklistLine, _counter, peewee.JOIN.LEFT_OUTER,
                   on=(ChecklistLine.counted_by == _counter.id))
        .where(ChecklistLine.handover == handover_id))


def lines_of(handover_id: int, where: Any = None) -> list[dict[str, Any]]:
    query = line_query(handover_id)
    if where is not None:
        query = query.where(where)
    return [_line(row) for row in tuples(query.order_by(ChecklistLine.no))]


_origin = HandoverEntry.alias("origin")
_first = Handover.alias("first")


def entries_of(handover_id: int) -> list[dict[str, Any]]:
    query = (HandoverEntry.select(
        HandoverEntry.no, HandoverEntry.kind, HandoverEntry.text, HandoverEntry.cause,
        HandoverEntry.process, HandoverEntry.result, HandoverEntry.major, HandoverEntry.resolved,
        _first.number)
        .join_from(HandoverEntry, _origin, peewee.JOIN.LEFT_OUTER,
                   on=(HandoverEntry.origin == _origin.id))
        .join_from(_origin, _first, peewee.JOIN.LEFT_OUTER, on=(_origin.handover == _first.id))
        .where(HandoverEntry.handover == handover_id).order_by(HandoverEntry.no))
    return [{"no": no, "kind": kind, "kind_label": entry_label(kind), "text": text,
             "cause": cause, "process": process, "result": result, "major": bool(major),
             "resolved": bool(resolved), "carried_from": carried}
            for (no, kind, text, cause, process, result, major, resolved, carried)
            in tuples(query)]


def blockers_of(entries: list[dict[str, Any]], lines: list[dict[str, Any]],
                record: Handover) -> list[rules.Blocker]:
    facts = [EntryFacts(e["no"], e["kind"], e["text"], e["cause"], e["process"], e["result"],
                        e["major"], e["resolved"]) for e in entries]
    return rules.blockers(facts, uncounted(record, lines), record.equipment_note,
                          record.unfit_note, record.substitute_id is not None)


def uncounted(record: Handover, lines: list[dict[str, Any]]) -> list[int]:
    """Lines still to count: never counted, or counted by someone other than who takes over
    now — a substitute named after the unfit incoming person counted counts again, face to
    face (R10), rather than signing over someone else's count."""
    if record.substitute_id is None:
        return [line["no"] for line in lines if line["found"] is None]
    by_taker = {int(no) for (no,) in tuples(ChecklistLine.select(ChecklistLine.no).where(
        (ChecklistLine.handover == record.id)
        & (ChecklistLine.counted_by == record.substitute_id)))}
    return [line["no"] for line in lines if line["no"] not in by_taker]


def blocker_dicts(found: list[rules.Blocker]) -> list[dict[str, str]]:
    return [{"code": blocker.code.value, "message": blocker.message} for blocker in found]


def content_digest(record: Handover) -> str:
    """SHA-256 of what the signatures vouch for: the entries, the checklist as counted, the
    flags, the people and the refusals (all printed on the form), from the stored columns (a
    renamed user changes nothing)."""
    E, L = HandoverEntry, ChecklistLine
    entries = [[no, kind, text, cause, process, result, int(bool(major)), int(bool(resolved)),
                origin] for no, kind, text, cause, process, result, major, resolved, origin
               in tuples(E.select(E.no, E.kind, E.text, E.cause, E.process, E.result, E.major,
                                  E.resolved, E.origin).where(E.handover == record.id)
                         .order_by(E.no))]
    lines = [[no, kind, label, tag, expected, out_with, found, condition, note, by,
              int(bool(discrepancy))] for no, kind, label, tag, expected, out_with, found,
             condition, note, by, discrepancy
             in tuples(L.select(L.no, L.kind, L.label, L.tag, L.expected, L.out_with, L.found,
                                L.condition, L.note, L.counted_by, L.discrepancy)
                       .where(L.handover == record.id).order_by(L.no))]
    refusals = [[number, reasons] for number, reasons in tuples(
        HandoverRefusal.select(HandoverRefusal.id, HandoverRefusal.reasons)
        .where(HandoverRefusal.handover == record.id).order_by(HandoverRefusal.id))]
    head = [record.number, record.outgoing_id, record.incoming_id, record.substitute_id,
            record.equipment_note, record.unfit_note]
    text = json.dumps([head, entries, lines, refusals], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def signed_content(record: Handover) -> str | None:
    """The content digest the trail recorded at the record's last outgoing signature (None:
    not signed yet, or signed before digests were recorded)."""
    last = (AuditEntry.select(AuditEntry.change)
            .where((AuditEntry.entity == "handover") & (AuditEntry.entity_id == str(record.id))
                   & (AuditEntry.action == "handover.sign_outgoing"))
            .order_by(AuditEntry.seq.desc()).first())
    if last is None:
        return None
    content = (json.loads(last.change).get("after") or {}).get("content")
    return str(content) if content else None


def changed_since_signed(record: Handover) -> bool:
    """True when the record's stored content is not what the outgoing person signed (rows
    edited in the database after the signature; the signed form is the record of truth)."""
    if record.status == Status.PREPARING:
        return False
    signed = signed_content(record)
    return signed is not None and signed != content_digest(record)


def show_data(record: Handover, now: datetime) -> dict[str, Any]:
    """The record as the contract's ``show`` dict."""
    people = _people([record.outgoing_id, record.incoming_id, record.substitute_id,
                      record.supervisor_id])
    entries = entries_of(record.id)
    lines = lines_of(record.id)
    is_open = record.status in (Status.PREPARING, Status.OUTGOING_SIGNED)
    refusals = [{"at": at, "by": by, "reasons": json.loads(reasons)} for at, by, reasons in tuples(
        HandoverRefusal.select(HandoverRefusal.at, _display(User), HandoverRefusal.reasons)
        .join(User, on=(HandoverRefusal.by == User.id))
        .where(HandoverRefusal.handover == record.id).order_by(HandoverRefusal.id))]
    corrections = [{"at": at, "by": by, "text": text} for at, by, text in tuples(
        HandoverCorrection.select(HandoverCorrection.at, _display(User), HandoverCorrection.text)
        .join(User, on=(HandoverCorrection.by == User.id))
        .where(HandoverCorrection.handover == record.id).order_by(HandoverCorrection.id))]
    handed = record.handed_over_at
    return {
        "id": record.id, "number": record.number, "shift": record.shift,
        "shift_day": record.shift_day, "scheduled_at": record.scheduled_at,
        "started_at": record.started_at, "status": record.status,
        "status_label": status_label(record.status),
        "outgoing": people.get(record.outgoing_id), "incoming": people.get(record.incoming_id),
        "substitute": people.get(record.substitute_id) if record.substitute_id else None,
        "supervisor": people.get(record.supervisor_id) if record.supervisor_id else None,
        "outgoing_signed_at": record.outgoing_signed_at, "handed_over_at": handed,
        "locked_at": record.locked_at,
        "late": (handed or now) > record.scheduled_at,
        "equipment_note": record.equipment_note, "unfit_note": record.unfit_note,
        "version": record.version,
        "document_no": record.number if record.document_id is not None else None,
        "entries": entries, "lines": lines,
        "blockers": blocker_dicts(blockers_of(entries, lines, record)) if is_open else [],
        "refusals": refusals, "corrections": corrections,
        "changed_since_signed": changed_since_signed(record),
    }


# ------------------------------------------------------------ history rows

_out, _in, _sub, _sup = (User.alias("h_out"), User.alias("h_in"), User.alias("h_sub"),
                         User.alias("h_sup"))


def rows_query() -> Any:
    """The history's tuple rows: id, number, shift, shift_day, outgoing, incoming,
    supervisor, status, started_at, scheduled_at, handed_over_at, locked_at (people by
    login name)."""
    return (Handover.select(
        Handover.id, Handover.number, Handover.shift, Handover.shift_day, _out.name, _in.name,
        _sup.name, Handover.status, Handover.started_at, Handover.scheduled_at,
        Handover.handed_over_at, Handover.locked_at)
        .join_from(Handover, _out, on=(Handover.outgoing == _out.id))
        .join_from(Handover, _in, on=(Handover.incoming == _in.id))
        .join_from(Handover, _sup, peewee.JOIN.LEFT_OUTER, on=(Handover.supervisor == _sup.id)))


ROW_KEYS = ("id", "number", "shift", "shift_day", "outgoing", "incoming", "supervisor",
            "status", "started_at", "scheduled_at", "handed_over_at", "locked_at")


def where_of(flt: HandoverFilter) -> Any:
    where: Any = peewee.SQL("1 = 1")
    if flt.text.strip():
        where &= Handover.number.contains(flt.text.strip().upper())
    if flt.status:
        where &= Handover.status == flt.status
    start, end = local_day_range(flt.since, flt.until)
    if start:
        where &= Handover.started_at >= start
    if end:
        where &= Handover.started_at < end
    if flt.person:
        ids = User.select(User.id).where(User.name == flt.person.strip().lower())
        where &= (Handover.outgoing.in_(ids) | Handover.incoming.in_(ids)
                  | Handover.substitute.in_(ids) | Handover.supervisor.in_(ids))
    if flt.discrepancies_only:
        where &= Handover.id.in_(ChecklistLine.select(ChecklistLine.handover).where(
            ChecklistLine.discrepancy == True))  # noqa: E712
    return where


def count_rows(flt: HandoverFilter) -> int:
    return int(Handover.select().where(where_of(flt)).count())


def page_rows(where: Any, offset: int, limit: int, now: datetime) -> list[dict[str, Any]]:
    """Newest first, with how many discrepancies and refusals each holds."""
    rows = tuples(rows_query().where(where).order_by(Handover.started_at.desc(),
                                                     Handover.id.desc())
                  .offset(max(0, offset)).limit(max(0, limit)))
    ids = [row[0] for row in rows]
    discrepancies: dict[int, int] = dict(tuples(  # type: ignore[arg-type]
        ChecklistLine.select(ChecklistLine.handover, peewee.fn.COUNT(1))
        .where(ChecklistLine.handover.in_(ids) & (ChecklistLine.discrepancy == True))  # noqa: E712
        .group_by(ChecklistLine.handover))) if ids else {}
    refusals: dict[int, int] = dict(tuples(  # type: ignore[arg-type]
        HandoverRefusal.select(HandoverRefusal.handover, peewee.fn.COUNT(1))
        .where(HandoverRefusal.handover.in_(ids)).group_by(HandoverRefusal.handover))) \
        if ids else {}
    result = []
    for row in rows:
        data = dict(zip(ROW_KEYS, row, strict=True))
        data["status_label"] = status_label(data["status"])
        data["discrepancies"] = discrepancies.get(data["id"], 0)
        data["refusals"] = refusals.get(data["id"], 0)
        data["late"] = (data["handed_over_at"] or now) > data["scheduled_at"]
        result.append(data)
    return result


def summary_data(due_at: datetime) -> dict[str, Any]:
    record = Handover.select(Handover.id, Handover.number, Handover.status,
                             Handover.scheduled_at).where(Handover.open_slot == 1).first()
    open_data = None if record is None else {
        "id": record.id, "number": record.number, "status": record.status,
        "scheduled_at": record.scheduled_at}
    waiting = Handover.select().where(Handover.status == Status.HANDED_OVER).count()
    discrepancies = (ChecklistLine.select().join(Handover)
                     .where((ChecklistLine.discrepancy == True)  # noqa: E712
                            & (Handover.status != Status.LOCKED)).count())
    return {"open": open_data, "due_at": due_at, "awaiting_countersign": int(waiting),
            "discrepancies": int(discrepancies)}
