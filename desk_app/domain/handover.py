"""The shift handover record (seed 001 part 2; R8–R12): what it holds, the order of its
signatures, and the conditions under which the rules forbid it (R12). Pure: the service
gathers the facts, :func:`blockers` names what stops the handover."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from desk_app.i18n import N_, _


class EntryKind(StrEnum):
    PROBLEM = "problem"  # a problem of the shift, handled or not: cause, process, result (R9)
    INSTRUCTION = "instruction"  # a superior's instruction or new work order (R9)
    UNFINISHED = "unfinished"  # unfinished work
    REPAIR = "repair"  # state of a public-area repair


ENTRY_LABELS = {EntryKind.PROBLEM: N_("Problem"), EntryKind.INSTRUCTION: N_("Instruction"),
                EntryKind.UNFINISHED: N_("Unfinished work"), EntryKind.REPAIR: N_("Repair")}
ENTRY_SECTIONS = {EntryKind.PROBLEM: N_("Problems of the shift"),
                  EntryKind.INSTRUCTION: N_("Instructions from superiors"),
                  EntryKind.UNFINISHED: N_("Unfinished work"),
                  EntryKind.REPAIR: N_("Public-area repairs")}


class Status(StrEnum):
    PREPARING = "preparing"  # outgoing writes entries, incoming counts the checklist
    OUTGOING_SIGNED = "outgoing_signed"  # content frozen; waiting for the incoming signature
    HANDED_OVER = "handed_over"  # both signed: the handover happened; awaiting countersign
    LOCKED = "locked"  # the supervisor countersigned; only linked corrections from now on


STATUS_LABELS = {Status.PREPARING: N_("in preparation"),
                 Status.OUTGOING_SIGNED: N_("signed by the outgoing person"),
                 Status.HANDED_OVER: N_("handed over, awaiting countersignature"),
                 Status.LOCKED: N_("countersigned and locked")}
OPEN = (Status.PREPARING, Status.OUTGOING_SIGNED)


class Block(StrEnum):
    """R12's four conditions (seed 001 part 2, 2.4)."""

    MAJOR_EVENT = "major_event"  # (1) a major or emergency event is unresolved
    EQUIPMENT = "equipment"  # (2) major equipment is starting or stopping
    PREPARATION = "preparation"  # (3) preparation is incomplete
    UNFIT = "unfit"  # (4) the incoming person is unfit and no substitute is named


BLOCK_LABELS = {
    Block.MAJOR_EVENT: N_("A major or emergency event is unresolved"),
    Block.EQUIPMENT: N_("Major equipment is starting or stopping"),
    Block.PREPARATION: N_("Preparation is incomplete"),
    Block.UNFIT: N_("The incoming person is unfit and no substitute is named"),
}


@dataclass(frozen=True)
class EntryFacts:
    no: int
    kind: str
    text: str
    cause: str
    process: str
    result: str
    major: bool
    resolved: bool


@dataclass(frozen=True)
class Blocker:
    code: Block
    detail: str  # translated: which entries or lines, the note of a flag

    @property
    def message(self) -> str:
        return f"{_(BLOCK_LABELS[self.code])}: {self.detail}" if self.detail \
            else _(BLOCK_LABELS[self.code])


def _numbers(numbers: Iterable[int], limit: int = 12) -> str:
    listed = sorted(numbers)
    text = ", ".join(str(n) for n in listed[:limit])
    return text + (_(" and {n} more").format(n=len(listed) - limit) if len(listed) > limit else "")


def incomplete_entries(entries: Iterable[EntryFacts]) -> list[int]:
    """Problems without cause, process and result (R9), and entries without text."""
    def incomplete(entry: EntryFacts) -> bool:
        if not entry.text.strip():
            return True
        return entry.kind == EntryKind.PROBLEM and not (
            entry.cause.strip() and entry.process.strip() and entry.result.strip())

    return [entry.no for entry in entries if incomplete(entry)]


def blockers(entries: Iterable[EntryFacts], uncounted_lines: Iterable[int],
             equipment_note: str | None, unfit_note: str | None,
             substitute_named: bool) -> list[Blocker]:
    """Every R12 condition that forbids the handover now, in the rule's order (empty: free).

    ``equipment_note``/``unfit_note``: the flag's note when the flag is set, else None."""
    entries = list(entries)
    found: list[Blocker] = []
    major = [e.no for e in entries if e.kind == EntryKind.PROBLEM and e.major and not e.resolved]
    if major:
        found.append(Blocker(Block.MAJOR_EVENT, _("entries {numbers}").format(
            numbers=_numbers(major))))
    if equipment_note is not None:
        found.append(Blocker(Block.EQUIPMENT, equipment_note))
    details = []
    uncounted = list(uncounted_lines)
    if uncounted:
        details.append(_("checklist lines not counted: {numbers}").format(
            numbers=_numbers(uncounted)))
    incomplete = incomplete_entries(entries)
    if incomplete:
        details.append(_("entries without cause, process and result: {numbers}").format(
            numbers=_numbers(incomplete)))
    if details:
        found.append(Blocker(Block.PREPARATION, "; ".join(details)))
    if unfit_note is not None and not substitute_named:
        found.append(Blocker(Block.UNFIT, unfit_note))
    return found


def is_discrepancy(expected: int, found: int | None, condition: str) -> bool:
    return found is not None and (found != expected or condition != "good")


def carries_forward(kind: str, resolved: bool) -> bool:
    """Open entries reappear in the next handover until closed (R9): everything not marked
    resolved or done."""
    return not resolved
