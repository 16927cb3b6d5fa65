"""The shift handover (seed 001 part 2; R8–R12): the outgoing person prepares the record, the
incoming person counts the checklist face to face, both sign, a supervisor countersigns and
the record is locked; corrections afterwards are linked records.

Preparing, counting and the flags are here; the signatures are in ``handover_signing``, the
queries in ``handover_queries``, the checklist template in ``handover_template``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import peewee

from desk_app.domain import text as texts
from desk_app.domain.areas.handover import HandoverPermission
from desk_app.domain.clock import format_clock
from desk_app.domain.equipment import check_condition, check_count, check_tag
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.handover import EntryKind, Status, is_discrepancy
from desk_app.domain.roles import parse_roles, permissions_of
from desk_app.domain.shifts import shift_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.handover import handover_queries as q
from desk_app.services.handover.handover_queries import HandoverFilter
from desk_app.services.handover.handover_signing import HandoverRefused, HandoverSigning
from desk_app.services.handover.handover_template import HandoverTemplate
from desk_app.services.handover.shifts import ShiftService, to_utc
from desk_app.store import numbers
from desk_app.store.handover import (
    ChecklistLine,
    ChecklistTemplateLine,
    Handover,
    HandoverCorrection,
    HandoverEntry,
)
from desk_app.store.models import User

if TYPE_CHECKING:
    from desk_app.services.handover.equipment import EquipmentService

__all__ = ["HandoverFilter", "HandoverRefused", "HandoverService"]

H = HandoverPermission
TEXT_LIMIT = 4000
NOTE_LIMIT = 500


def _text(value: str | None, field: str, label: str, required: bool = False) -> str:
    checked = texts.block(value, field, label, TEXT_LIMIT)
    if required:
        checked = texts.required(checked, field, _("{label}: write something.").format(label=label))
    return checked


def _note(value: str, field: str) -> str:
    checked = texts.line(value, field, _("The note"), NOTE_LIMIT)
    return texts.required(checked, field, _("Write a note saying what is going on."))


class HandoverService(HandoverSigning, HandoverTemplate):
    shifts: ShiftService
    equipment: EquipmentService

    # ------------------------------------------------------------ helpers

    def _user(self, name: str, field: str) -> User:
        """An active user who may work a handover (count and sign): else they could never
        take over, and the open handover would block every other one."""
        wanted = texts.lookup(name or "").strip().lower()
        user = User.get_or_none(User.name == wanted) if wanted else None
        if user is None or not user.active:
            raise ValidationError(_("No active staff member {name}.").format(
                name=wanted or _("(none)")), field=field)
        if H.HANDOVER_WORK not in permissions_of(parse_roles(user.roles)):
            raise ValidationError(_("{name} cannot take over a shift: their role does not work "
                                    "handovers.").format(name=user.name), field=field)
        return user

    @staticmethod
    def _party(actor: Actor, record: Handover) -> None:
        """The outgoing, incoming or substitute person, or a supervisor."""
        if actor.user_id in (record.outgoing_id, record.incoming_id, record.substitute_id) \
                or actor.can(H.HANDOVER_COUNTERSIGN):
            return
        raise ValidationError(_("{user} is not a party to the handover {number}: only the "
                                "outgoing and incoming person or a supervisor work on it.").format(
            user=actor.name, number=record.number), field="user")

    @staticmethod
    def _preparing(record: Handover) -> None:
        if record.status == Status.PREPARING:
            return
        if record.status == Status.OUTGOING_SIGNED:
            raise Conflict(_("The outgoing person signed {number} already: its content is "
                             "frozen. Raise a flag to withdraw the signature first.").format(
                number=record.number))
        raise Conflict(_("The handover {number} was handed over already: it can no longer be "
                         "changed (a correction is a linked record once it is countersigned).")
                       .format(number=record.number))

    @staticmethod
    def _bump(record: Handover, **changes: Any) -> None:
        Handover.update(version=Handover.version + 1, **changes).where(
            Handover.id == record.id).execute()

    def _entry(self, record: Handover, no: int) -> HandoverEntry:
        entry = self.locked(HandoverEntry.select().where(
            (HandoverEntry.handover == record.id) & (HandoverEntry.no == no)),
            of=HandoverEntry).first()
        if entry is None:
            raise ValidationError(_("The handover {number} has no entry {no}.").format(
                number=record.number, no=no), field="entry")
        return entry

    # ------------------------------------------------------------ starting

    def start(self, actor: Actor, incoming: str) -> dict[str, Any]:
        """The actor hands their shift over to ``incoming``, who works the next shift."""
        self.require(actor, H.HANDOVER_WORK)
        successor = self._user(incoming, "incoming")
        if successor.id == actor.user_id:
            raise ValidationError(_("The incoming person must be someone other than you."),
                                  field="incoming")
        me = User.get_by_id(actor.user_id)
        slot = self.shifts.slot_now()
        after = self.shifts.following(slot)
        self.shifts.check_on_rota(slot, me, _("outgoing person"))
        self.shifts.check_on_rota(after, successor, _("incoming person"))
        source = self.equipment.checklist_source()
        templates = list(ChecklistTemplateLine.select().where(ChecklistTemplateLine.active)
                         .order_by(ChecklistTemplateLine.position, ChecklistTemplateLine.id))
        try:
            with self.write() as tx:
                self._none_open()
                done = Handover.select(Handover.number).where(
                    (Handover.shift_day == slot.day) & (Handover.shift == slot.name)
                    & Handover.status.in_([Status.HANDED_OVER, Status.LOCKED])).first()
                if done is not None:
                    raise Conflict(_("The {shift} shift of {day} was handed over already "
                                     "({number}).").format(shift=shift_label(slot.name),
                                                          day=slot.day.isoformat(),
                                                          number=done.number))
                prefix = f"JB{tx.at.year}-"
                seq = numbers.next_number(f"handover:{prefix}", lambda: numbers.highest_suffix(
                    Handover, Handover.number, prefix))
                record = Handover.create(
                    number=f"{prefix}{seq:04d}", shift_day=slot.day, shift=slot.name,
                    scheduled_at=to_utc(slot.end), outgoing=actor.user_id,
                    incoming=successor.id, status=Status.PREPARING.value, open_slot=1,
                    started_at=tx.at, version=0)
                lines = self._lines(record.id, source, templates)
                for batch in peewee.chunked(lines, 1000):
                    ChecklistLine.insert_many(batch).execute()
                carried = self._carried(record.id, actor, tx.at)
                if carried:
                    HandoverEntry.insert_many(carried).execute()
                tx.audit(actor, "handover.start", "handover", record.id, after={
                    "number": record.number, "shift": slot.name, "day": slot.day.isoformat(),
                    "outgoing": actor.name, "incoming": successor.name, "lines": len(lines),
                    "carried": len(carried)})
        except peewee.IntegrityError:  # another desk started one at the same moment
            self._none_open()
            raise
        return self._show(record.id)

    @staticmethod
    def _none_open() -> None:
        other = Handover.select().where(Handover.open_slot == 1).first()
        if other is not None:
            names = q._people([other.outgoing_id, other.incoming_id])
            raise Conflict(_("The handover {number} ({shift} shift of {day}, {outgoing} → "
                             "{incoming}) is still open: finish it first.").format(
                number=other.number, shift=shift_label(other.shift), day=other.shift_day.isoformat(),
                outgoing=names[other.outgoing_id]["name"],
                incoming=names[other.incoming_id]["name"]))

    @staticmethod
    def _lines(handover_id: int, source: list[dict[str, Any]],
               templates: list[ChecklistTemplateLine]) -> list[dict[str, Any]]:
        lines = []
        for row in source:
            home = not row["holder_name"]
            out_with = "" if home else _("{holder}, due {time}").format(
                holder=row["holder_name"], time=format_clock(row["due_at"]))
            lines.append({"kind": row["kind"], "label": row["name"], "tag": row["tag"],
                          "equipment": row["id"], "expected": row["count"] if home else 0,
                          "out_with": out_with[:200]})
        lines += [{"kind": t.kind, "label": t.label, "tag": "", "equipment": None,
                   "expected": t.expected, "out_with": ""} for t in templates]
        return [{**line, "handover": handover_id, "no": no}
                for no, line in enumerate(lines, start=1)]

    @staticmethod
    def _carried(handover_id: int, actor: Actor, at: datetime) -> list[dict[str, Any]]:
        """The open entries of the last handover that happened, as new entries (R9)."""
        last = (Handover.select(Handover.id)
                .where(Handover.status.in_([Status.HANDED_OVER, Status.LOCKED]))
                .order_by(Handover.handed_over_at.desc(), Handover.id.desc()).first())
        if last is None:
            return []
        entries = HandoverEntry.select().where((HandoverEntry.handover == last.id)
                                               & ~HandoverEntry.resolved).order_by(
            HandoverEntry.no)
        return [{"handover": handover_id, "no": no, "kind": e.kind, "text": e.text,
                 "cause": e.cause, "process": e.process, "result": e.result, "major": e.major,
                 "resolved": False, "origin": e.origin_id or e.id, "created_by": actor.user_id,
                 "created_at": at} for no, e in enumerate(entries, start=1)]

    # ------------------------------------------------------------ reading

    def current(self, actor: Actor) -> dict[str, Any] | None:
        self.require(actor, H.HANDOVER_VIEW)
        record = Handover.select().where(Handover.open_slot == 1).first()
        return None if record is None else q.show_data(record, self.ctx.clock.now())

    def show(self, actor: Actor, handover_id: int) -> dict[str, Any]:
        self.require(actor, H.HANDOVER_VIEW)
        return self._show(handover_id)

    def check(self, actor: Actor, handover_id: int) -> list[dict[str, str]]:
        """What forbids the handover now (R12); empty when it may be signed."""
        self.require(actor, H.HANDOVER_VIEW)
        record = self._record(handover_id)
        if record.status not in (Status.PREPARING, Status.OUTGOING_SIGNED):
            return []
        return q.blocker_dicts(q.blockers_of(q.entries_of(record.id), q.lines_of(record.id),
                                             record))

    def line_for_tag(self, actor: Actor, handover_id: int, tag: str) -> dict[str, Any]:
        self.require(actor, H.HANDOVER_VIEW)
        record = self._record(handover_id)
        found = q.lines_of(record.id, ChecklistLine.tag == check_tag(tag))
        if not found:
            raise NotFound(_("{tag} is not on the checklist of {number}.").format(
                tag=check_tag(tag), number=record.number))
        return found[0]

    def count_history(self, actor: Actor, flt: HandoverFilter) -> int:
        self.require(actor, H.HANDOVER_VIEW)
        return q.count_rows(flt)

    def page(self, actor: Actor, flt: HandoverFilter, offset: int,
             limit: int) -> list[dict[str, Any]]:
        self.require(actor, H.HANDOVER_VIEW)
        return q.page_rows(q.where_of(flt), offset, limit, self.ctx.clock.now())

    def summary(self, actor: Actor) -> dict[str, Any]:
        self.require(actor, H.HANDOVER_VIEW)
        return q.summary_data(to_utc(self.shifts.slot_now().end))

    # ------------------------------------------------------------ entries

    def add_entry(self, actor: Actor, handover_id: int, kind: str, text: str, cause: str = "",
                  process: str = "", result: str = "", major: bool = False,
                  resolved: bool = False) -> dict[str, Any]:
        self.require(actor, H.HANDOVER_WORK)
        try:
            entry_kind = EntryKind((kind or "").strip().lower())
        except ValueError:
            raise ValidationError(_("Kind: choose one of {kinds}.").format(
                kinds=", ".join(k.value for k in EntryKind)), field="kind") from None
        values = {"text": _text(text, "text", _("The text"), required=True),
                  "cause": _text(cause, "cause", _("The cause")),
                  "process": _text(process, "process", _("The process")),
                  "result": _text(result, "result", _("The result"))}
        if major and entry_kind != EntryKind.PROBLEM:
            raise ValidationError(_("Only a problem can be a major or emergency event."),
                                  field="major")
        with self.write() as tx:
            record = self._record(handover_id, lock=True)
            self._party(actor, record)
            self._preparing(record)
            no = (HandoverEntry.select(peewee.fn.MAX(HandoverEntry.no))
                  .where(HandoverEntry.handover == record.id).scalar() or 0) + 1
            HandoverEntry.create(handover=record.id, no=no, kind=entry_kind.value, major=major,
                                 resolved=resolved, created_by=actor.user_id, created_at=tx.at,
                                 resolved_by=actor.user_id if resolved else None,
                                 resolved_at=tx.at if resolved else None, **values)
            self._bump(record)
            tx.audit(actor, "handover.entry", "handover", record.id, after={
                "number": record.number, "no": no, "kind": entry_kind.value, "major": major,
                "resolved": resolved, **values})
        return self._show(handover_id)

    def edit_entry(self, actor: Actor, handover_id: int, no: int, *, text: str | None = None,
                   cause: str | None = None, process: str | None = None,
                   result: str | None = None, major: bool | None = None) -> dict[str, Any]:
        self.require(actor, H.HANDOVER_WORK)
        changes: dict[str, Any] = {}
        if text is not None:
            changes["text"] = _text(text, "text", _("The text"), required=True)
        for name, value, label in (("cause", cause, _("The cause")),
                                   ("process", process, _("The process")),
                                   ("result", result, _("The result"))):
            if value is not None:
                changes[name] = _text(value, name, label)
        if major is not None:
            changes["major"] = bool(major)
        if not changes:
            raise ValidationError(_("Nothing to change: give a new text, cause, process, "
                                    "result or major mark."), field="text")
        with self.write() as tx:
            record = self._record(handover_id, lock=True)
            self._party(actor, record)
            self._preparing(record)
            entry = self._entry(record, no)
            if changes.get("major") and entry.kind != EntryKind.PROBLEM:
                raise ValidationError(_("Only a problem can be a major or emergency event."),
                                      field="major")
            before = {name: getattr(entry, name) for name in changes}
            HandoverEntry.update(**changes).where(HandoverEntry.id == entry.id).execute()
            self._bump(record)
            tx.audit(actor, "handover.entry_edit", "handover", record.id,
                     before={"no": no, **before},
                     after={"number": record.number, "no": no, **changes})
        return self._show(handover_id)

    def resolve(self, actor: Actor, handover_id: int, no: int, result: str) -> dict[str, Any]:
        """Marks an entry resolved (a problem) or done (an instruction, work, a repair): it is
        no longer carried forward."""
        self.require(actor, H.HANDOVER_WORK)
        result = _text(result, "result", _("The result"), required=True)
        with self.write() as tx:
            record = self._record(handover_id, lock=True)
            self._party(actor, record)
            self._preparing(record)
            entry = self._entry(record, no)
            if entry.resolved:
                raise Conflict(_("Entry {no} of {number} is resolved already.").format(
                    no=no, number=record.number))
            HandoverEntry.update(resolved=True, result=result, resolved_by=actor.user_id,
                                 resolved_at=tx.at).where(HandoverEntry.id == entry.id).execute()
            self._bump(record)
            tx.audit(actor, "handover.resolve", "handover", record.id,
                     after={"number": record.number, "no": no, "result": result})
        return self._show(handover_id)

    # ------------------------------------------------------------ R12 flags

    def _flag(self, actor: Actor, handover_id: int, action: str,
              changes: dict[str, Any], check: Any = None) -> dict[str, Any]:
        with self.write() as tx:
            record = self._record(handover_id, lock=True)
            self._party(actor, record)
            if record.status not in (Status.PREPARING, Status.OUTGOING_SIGNED):
                self._preparing(record)
            if check is not None:
                check(record)
            # nothing changes: no write, and above all no withdrawn signature
            if all(getattr(record, "substitute_id" if key == "substitute" else key) == value
                   for key, value in changes.items() if not key.endswith("_by")):
                tx.unchanged()
                return self._show(handover_id)
            withdrawn = record.status == Status.OUTGOING_SIGNED
            if withdrawn:  # the outgoing signature covered what no longer holds
                changes = {**changes, "status": Status.PREPARING.value,
                           "outgoing_signed_at": None, "pending_pdf": None}
            self._bump(record, **changes)
            tx.audit(actor, action, "handover", record.id, after={
                "number": record.number, "signature_withdrawn": withdrawn,
                **{k: v for k, v in changes.items() if k not in ("pending_pdf", "status",
                                                                 "outgoing_signed_at")}})
        return self._show(handover_id)

    def flag_equipment(self, actor: Actor, handover_id: int,
                       note: str | None) -> dict[str, Any]:
        """R12 (2): major equipment is starting or stopping (None: it no longer is)."""
        self.require(actor, H.HANDOVER_WORK)
        checked = None if note is None else _note(note, "equipment_note")
        return self._flag(actor, handover_id, "handover.flag_equipment",
                          {"equipment_note": checked,
                           "equipment_by": None if checked is None else actor.user_id})

    def flag_unfit(self, actor: Actor, handover_id: int, note: str | None,
                   substitute: str | None = None) -> dict[str, Any]:
        """R12 (4): the incoming person is unfit to take over; a named substitute then counts
        and signs as the incoming person. ``note`` None: fit again (the substitute goes)."""
        self.require(actor, H.HANDOVER_WORK)
        checked = None if note is None else _note(note, "unfit_note")
        sub = None
        if substitute and checked is None:
            raise ValidationError(_("A substitute is named only for an incoming person marked "
                                    "unfit."), field="substitute")
        if substitute:
            sub = self._user(substitute, "substitute")

        def check(record: Handover) -> None:
            if checked is None and record.unfit_note is not None \
                    and actor.user_id == record.incoming_id \
                    != record.__data__.get("unfit_by"):
                raise ValidationError(_("You were marked unfit for {number} by someone else: "
                                        "they or another supervisor clear it.").format(
                    number=record.number), field="unfit_note")
            if sub is None:
                return
            if sub.id == record.incoming_id:
                raise ValidationError(_("The substitute cannot be the incoming person who is "
                                        "unfit."), field="substitute")
            if sub.id == record.outgoing_id:
                raise ValidationError(_("The substitute cannot be the outgoing person."),
                                      field="substitute")
            # A supervisor who takes no part approves an off-rota substitute here (R12); one
            # handing over, taking over or named does not approve their own (as with swaps).
            if not actor.can(H.SHIFT_DECIDE) or actor.user_id in (
                    record.outgoing_id, record.incoming_id, sub.id):
                after = self.shifts.following(self.shifts.slot(record.shift_day, record.shift))
                self.shifts.check_on_rota(after, sub, _("substitute"))

        return self._flag(actor, handover_id, "handover.flag_unfit", {
            "unfit_note": checked, "unfit_by": None if checked is None else actor.user_id,
            "substitute": None if sub is None else sub.id}, check)

    # ------------------------------------------------------------ counting

    def count(self, actor: Actor, handover_id: int, line_no: int, found: object,
              condition: str = "good", note: str = "", recount: bool = False) -> dict[str, Any]:
        """The incoming person (or the named substitute) counts one line face to face; a
        discrepancy is marked for the supervisor. Touches that line (and the version) only."""
        self.require(actor, H.HANDOVER_WORK)
        number = check_count(found, "found")
        state = check_condition(condition).value
        note = texts.line(note, "note", _("The note"), NOTE_LIMIT)
        with self.write() as tx:
            record = self._record(handover_id, lock=True)
            counter = record.substitute_id or record.incoming_id
            if actor.user_id != counter:
                raise ValidationError(_("Only {name}, who takes over, counts the checklist of "
                                        "{number}.").format(
                    name=q._people([counter])[counter]["name"], number=record.number),
                    field="user")
            self._preparing(record)
            line = self.locked(ChecklistLine.select().where(
                (ChecklistLine.handover == record.id) & (ChecklistLine.no == line_no)),
                of=ChecklistLine).first()
            if line is None:
                raise ValidationError(_("The checklist of {number} has no line {no}.").format(
                    number=record.number, no=line_no), field="line")
            discrepancy = is_discrepancy(line.expected, number, state)
            where = ChecklistLine.id == line.id
            if not recount:  # a line someone else counted (before a substitute came) is open
                where &= ChecklistLine.found.is_null() | (ChecklistLine.counted_by != counter)
            updated = ChecklistLine.update(
                found=number, condition=state, note=note, counted_by=actor.user_id,
                counted_at=tx.at, discrepancy=discrepancy).where(where).execute()
            if not updated:
                self._counted_already(line_no, record)
            self._bump(record)
            tx.audit(actor, "handover.count", "handover", record.id, after={
                "number": record.number, "line": line_no, "label": line.label,
                "expected": line.expected, "found": number, "condition": state, "note": note,
                "discrepancy": discrepancy, "recount": recount,
                "before": line.found if recount else None})
        return q.lines_of(handover_id, ChecklistLine.no == line_no)[0]

    @staticmethod
    def _counted_already(line_no: int, record: Handover) -> None:
        line = q.lines_of(record.id, ChecklistLine.no == line_no)[0]
        raise Conflict(_("Line {no} ({label}) of {number} was counted already by {user} at "
                         "{time}: found {found}. Count again with recount to change it.").format(
            no=line_no, label=line["label"], number=record.number, user=line["counted_by"],
            time=format_clock(line["counted_at"]), found=line["found"]))

    # ------------------------------------------------------------ corrections

    def correct(self, actor: Actor, handover_id: int, text: str) -> dict[str, Any]:
        """A correction of a locked handover: a linked record; the signed one is unchanged."""
        if not actor.can(H.HANDOVER_COUNTERSIGN):
            self.require(actor, H.HANDOVER_WORK)
        body = _text(text, "text", _("The correction"), required=True)
        with self.write() as tx:
            record = self._record(handover_id, lock=True)
            self._party(actor, record)
            if record.status == Status.HANDED_OVER:
                raise ValidationError(_("{number} awaits the supervisor's countersignature: a "
                                        "correction is added once it is locked.").format(
                    number=record.number), field="status")
            if record.status != Status.LOCKED:
                raise ValidationError(_("Only a countersigned handover is corrected by a linked "
                                        "record; {number} can still be changed itself.").format(
                    number=record.number), field="status")
            correction = HandoverCorrection.create(handover=record.id, text=body,
                                                   by=actor.user_id, at=tx.at)
            tx.audit(actor, "handover.correct", "handover", record.id, after={
                "number": record.number, "correction": correction.id, "text": body})
        return self._show(handover_id)
