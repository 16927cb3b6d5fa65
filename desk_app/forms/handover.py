"""The shift handover record (交接班記錄; seed 001 part 2, R8–R12) as a printed form.

The header (number, shift, scheduled against actual handover time with a LATE mark, status),
the people, the R12 flags, the four kinds of entries (problems with cause, process and
result; instructions; unfinished work; public-area repairs; each with its carried-from mark),
the checklist grouped by section with every discrepancy marked, the refusals, the corrections,
and three empty signature fields "outgoing", "incoming", "supervisor" that
``KeyService.sign_pdf`` fills in that order.

The checklist is one table whose header row repeats on every page; cells are plain strings
unless they need wrapping, so 300 lines render in a fraction of a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from desk_app.domain.clock import format_datetime
from desk_app.domain.equipment import CONDITION_LABELS, SECTION_OF
from desk_app.domain.handover import ENTRY_SECTIONS, EntryKind
from desk_app.domain.shifts import shift_label
from desk_app.forms.fonts import FONT, FONT_BOLD
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec
from desk_app.i18n import _

SIGNATURE_FIELDS = ("outgoing", "incoming", "supervisor")
"""The signature boxes, in the order they are signed."""

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_RED = (0.72, 0.05, 0.05)
_MARK = "!"
# Checklist columns: marker, no, item, tag, expected, out with, found, condition, note.
_CHECK_WEIGHTS = (14, 24, 112, 54, 42, 84, 36, 50, 99)
_SMALL = 8.0
_PAD = 3.0


def render_handover(data: dict[str, Any], company: str = "") -> bytes:
    """``data``: ``HandoverService.show``'s dict plus ``printed_at`` (naive UTC). The PDF has
    its three signature fields, empty: ready for ``KeyService.sign_pdf``."""
    printed_at = data.get("printed_at") or data["started_at"]
    spec = FormSpec(company, _("Shift handover record"), data["number"], printed_at)
    spec.flowables(lambda width: _Story(data, width, printed_at).build())
    spec.signatures([("outgoing", _("Outgoing")), ("incoming", _("Incoming")),
                     ("supervisor", _("Supervisor countersignature"))])
    return ready_to_sign(spec)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "<br/>"))


def _person(person: dict[str, Any] | None) -> str:
    if not person:
        return "—"
    full, name = person.get("full_name") or "", person.get("name") or ""
    return f"{full} ({name})" if full and name and full != name else (full or name)


def _minutes_late(data: dict[str, Any], printed_at: datetime) -> int:
    actual = data.get("handed_over_at") or printed_at
    return max(0, int((actual - data["scheduled_at"]).total_seconds() // 60))


class _Story:
    """The flowables of the record's body, built while rendering (reportlab imported here)."""

    def __init__(self, data: dict[str, Any], width: float, printed_at: datetime) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        self.data, self.width, self.printed_at = data, width, printed_at
        self.colors = colors
        self.red_color = colors.Color(*_RED)
        self.grid = colors.Color(0.55, 0.55, 0.55)
        self.shade = colors.Color(0.93, 0.93, 0.93)
        self.head_shade = colors.Color(0.88, 0.88, 0.88)
        cell = ParagraphStyle("hoCell", fontName=FONT, fontSize=9, leading=12)
        small = ParagraphStyle("hoSmall", fontName=FONT, fontSize=_SMALL, leading=10)
        self.styles = {
            "heading": ParagraphStyle("hoHeading", fontName=FONT_BOLD, fontSize=12.5, leading=17,
                                      spaceBefore=8, spaceAfter=5, keepWithNext=1),
            "body": ParagraphStyle("hoBody", fontName=FONT, fontSize=10, leading=14,
                                   spaceAfter=4),
            "closing": ParagraphStyle("hoClosing", fontName=FONT, fontSize=10, leading=14,
                                      spaceBefore=8, spaceAfter=6, keepWithNext=1),
            "cell": cell,
            "head": ParagraphStyle("hoHead", parent=cell, fontName=FONT_BOLD),
            "small": small,
            "small_head": ParagraphStyle("hoSmallHead", parent=small, fontName=FONT_BOLD),
            "small_red": ParagraphStyle("hoSmallRed", parent=small, textColor=self.red_color),
        }
        self.cjk: dict[str, Any] = {}

    # -- helpers ---------------------------------------------------------------------------
    def para(self, markup: str, style: str = "cell", plain: str | None = None):
        """A paragraph of ready ``markup``; ``plain`` (the text without markup) picks the CJK
        wrapping style when it holds Chinese."""
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        base = self.styles[style]
        if _CJK.search(markup if plain is None else plain):
            if style not in self.cjk:
                self.cjk[style] = ParagraphStyle(base.name + "CJK", parent=base, wordWrap="CJK")
            base = self.cjk[style]
        return Paragraph(markup, base)

    def text(self, value: Any, style: str = "cell"):
        value = "" if value is None else str(value)
        return self.para(_escape(value), style, value)

    def red(self, text: str) -> str:
        return f'<font color="#b80d0d"><b>{_escape(text)}</b></font>'

    def table(self, rows: list[list[Any]], weights: tuple[float, ...], header: bool = True,
              extra: list[tuple] | None = None):
        from reportlab.platypus import Table, TableStyle

        total = sum(weights)
        table = Table(rows, colWidths=[self.width * w / total for w in weights],
                      repeatRows=1 if header else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.5, self.grid), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9),
                 ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                 ("LEFTPADDING", (0, 0), (-1, -1), _PAD), ("RIGHTPADDING", (0, 0), (-1, -1), _PAD)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), self.head_shade))
        table.setStyle(TableStyle(style + (extra or [])))
        return table

    def heading(self, text: str):
        return self.para(_escape(text), "heading", text)

    # -- the body --------------------------------------------------------------------------
    def build(self) -> list:
        from reportlab.platypus import Spacer

        story: list = [self.header(), Spacer(1, 6), self.people(), Spacer(1, 4)]
        story.extend(self.flags())
        for kind in EntryKind:
            story.extend(self.entries(kind))
        story.extend(self.checklist())
        story.extend(self.refusals())
        story.extend(self.corrections())
        # Kept on the page of the signature boxes, which follow this block.
        story.append(self.text(_(
            "The outgoing and the incoming person went through this record and counted the "
            "checklist together, face to face; the supervisor countersigns. After the "
            "countersignature the record is locked: changes are made only as linked "
            "corrections."), "closing"))
        return story

    def header(self):
        data = self.data
        actual = data.get("handed_over_at")
        # A form signed while open keeps what it said when printed: the incoming signature's
        # time below is then the actual handover time.
        actual_text = _escape(format_datetime(actual)) if actual else _escape(
            _("not yet when printed: the time of the incoming signature below"))
        if data.get("late"):
            minutes = _minutes_late(data, self.printed_at)
            late = _("(+{minutes} min)") if actual else _("(+{minutes} min when printed)")
            actual_text += ("  " if actual else "<br/>") + self.red(
                _("LATE") + " " + late.format(minutes=minutes))
        shift = _("{shift} shift of {day}").format(shift=shift_label(data["shift"]),
                                                    day=data["shift_day"].isoformat())
        pairs = [
            (_("Handover"), _escape(data["number"]), _("Status when printed"),
             _escape(data["status_label"])),
            (_("Shift"), _escape(shift), _("Started"),
             _escape(format_datetime(data.get("started_at")))),
            (_("Scheduled handover"), _escape(format_datetime(data["scheduled_at"])),
             _("Actual handover"), actual_text),
            (_("Outgoing signed"), _escape(format_datetime(data.get("outgoing_signed_at"),
                                                           empty="—")),
             _("Countersigned"), _escape(format_datetime(data.get("locked_at"), empty="—"))),
        ]
        if data.get("document_no"):
            pairs.append((_("Signed document"), _escape(data["document_no"]), "", ""))
        rows = [[self.text(a, "head"), self.para(b, plain=b), self.text(c, "head"),
                 self.para(d, plain=d)] for a, b, c, d in pairs]
        return self.table(rows, (20, 30, 20, 30), header=False, extra=[
            ("BACKGROUND", (0, 0), (0, -1), self.shade),
            ("BACKGROUND", (2, 0), (2, -1), self.shade)])

    def people(self):
        data = self.data
        substitute = data.get("substitute")
        rows = [[self.text(_("Role"), "head"), self.text(_("Person"), "head")],
                [self.text(_("Outgoing")), self.text(_person(data["outgoing"]))],
                [self.text(_("Incoming")), self.text(_person(data["incoming"]))]]
        if substitute:
            rows.append([self.text(_("Substitute")), self.text(
                _("{person}, counts and signs instead of the incoming person").format(
                    person=_person(substitute)))])
        rows.append([self.text(_("Supervisor")), self.text(_person(data.get("supervisor")))])
        return self.table(rows, (28, 72))

    def flags(self) -> list:
        data = self.data
        out: list = [self.heading(_("Conditions that forbid the handover"))]
        rows = [[self.text(_("Condition"), "head"), self.text(_("State"), "head")]]
        for label, note in ((_("Major equipment starting or stopping"), data.get("equipment_note")),
                            (_("Incoming person unfit"), data.get("unfit_note"))):
            state = self.red(_("Yes")) + ": " + _escape(note) if note is not None \
                else _escape(_("No"))
            rows.append([self.text(label), self.para(state, plain=note or "")])
        blockers = data.get("blockers") or []
        if blockers:
            text = "<br/>".join(_escape(b["message"]) for b in blockers)
            rows.append([self.text(_("Blocking the handover now")),
                         self.para(f'<font color="#b80d0d">{text}</font>',
                                   plain=" ".join(b["message"] for b in blockers))])
        out.append(self.table(rows, (38, 62)))
        return out

    def entries(self, kind: EntryKind) -> list:
        entries = [e for e in self.data.get("entries") or [] if e["kind"] == kind]
        out: list = [self.heading(_(ENTRY_SECTIONS[kind]))]
        if not entries:
            out.append(self.text(_("None."), "body"))
            return out
        rows = [[self.text(_("No."), "head"), self.text(_("Entry"), "head"),
                 self.text(_("State"), "head")]]
        for entry in entries:
            parts = [_escape(entry["text"])]
            plain = [entry["text"], entry.get("cause") or "", entry.get("process") or "",
                     entry.get("result") or ""]
            labelled = ((_("Cause"), entry.get("cause")), (_("Process"), entry.get("process")),
                        (_("Result"), entry.get("result")))
            for label, value in labelled:
                if kind == EntryKind.PROBLEM or value:
                    parts.append("<b>{}:</b> {}".format(_escape(label), _escape(value or "—")))
            rows.append([self.text(entry["no"]), self.para("<br/>".join(parts), plain=" ".join(plain)),
                         self.para(self.state_of(entry, kind))])
        out.append(self.table(rows, (7, 71, 22)))
        return out

    def state_of(self, entry: dict[str, Any], kind: EntryKind) -> str:
        marks = []
        if entry.get("major"):
            marks.append(self.red(_("MAJOR")))
        if entry.get("resolved"):
            marks.append(_escape(_("resolved") if kind == EntryKind.PROBLEM else _("done")))
        else:
            marks.append(self.red(_("open")) if entry.get("major") else _escape(_("open")))
        if entry.get("carried_from"):
            marks.append(_escape(_("carried from {number}").format(number=entry["carried_from"])))
        return "<br/>".join(marks)

    def checklist(self) -> list:
        lines = self.data.get("lines") or []
        out: list = [self.heading(_("Checklist"))]
        if not lines:
            out.append(self.text(_("None."), "body"))
            return out
        counted = sum(1 for line in lines if line.get("found") is not None)
        marked = sum(1 for line in lines if line.get("discrepancy"))
        summary = _escape(_("{lines} lines, {counted} counted, {open} not counted.").format(
            lines=len(lines), counted=counted, open=len(lines) - counted))
        if marked:
            summary += " " + self.red(_("{n} discrepancies, marked {mark}.").format(
                n=marked, mark=_MARK))
        out.append(self.para(summary, "body"))
        out.append(_ChecklistTable(self, lines).build())
        return out

    def refusals(self) -> list:
        refusals = self.data.get("refusals") or []
        if not refusals:
            return []
        rows = [[self.text(_("Time"), "head"), self.text(_("By"), "head"),
                 self.text(_("Conditions that blocked the handover"), "head")]]
        for refusal in refusals:
            reasons = [r["message"] for r in refusal.get("reasons") or []]
            rows.append([self.text(format_datetime(refusal["at"])), self.text(refusal["by"]),
                         self.para("<br/>".join(_escape(r) for r in reasons),
                                   plain=" ".join(reasons))])
        return [self.heading(_("Refused handovers")), self.table(rows, (18, 16, 66))]

    def corrections(self) -> list:
        corrections = self.data.get("corrections") or []
        if not corrections:
            return []
        rows = [[self.text(_("Time"), "head"), self.text(_("By"), "head"),
                 self.text(_("Correction"), "head")]]
        rows.extend([self.text(format_datetime(c["at"])), self.text(c["by"]), self.text(c["text"])]
                    for c in corrections)
        return [self.heading(_("Corrections")), self.table(rows, (18, 16, 66))]


class _ChecklistTable:
    """The checklist: a band row per section, then its lines; discrepancies red with a mark."""

    def __init__(self, story: _Story, lines: list[dict[str, Any]]) -> None:
        from reportlab.pdfbase import pdfmetrics

        self.story, self.lines = story, lines
        total = sum(_CHECK_WEIGHTS)
        self.widths = [story.width * w / total for w in _CHECK_WEIGHTS]
        self.measure: Callable[[str], float] = lambda text: pdfmetrics.stringWidth(
            text, FONT, _SMALL)

    def cell(self, value: Any, column: int, red: bool) -> Any:
        """Plain string when it fits on one line (fast), else a wrapping paragraph."""
        text = "" if value is None else str(value)
        room = self.widths[column] - 2 * _PAD - 1
        if "\n" not in text and (len(text) * _SMALL * 0.5 <= room or self.measure(text) <= room):
            return text
        return self.story.text(text, "small_red" if red else "small")

    @staticmethod
    def condition(condition: str) -> str:
        labels: dict[str, str] = {str(k): v for k, v in CONDITION_LABELS.items()}
        return _(labels[condition]) if condition in labels else condition

    def build(self):
        story = self.story
        header = [story.text(h, "small_head") for h in (
            _MARK, _("No."), _("Item"), _("Tag"), _("Expected"), _("Out with"), _("Found"),
            _("Condition"), _("Note"))]
        rows: list[list[Any]] = [header]
        extra: list[tuple] = [("FONTSIZE", (0, 0), (-1, -1), _SMALL),
                              ("LEADING", (0, 0), (-1, -1), 10),
                              ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                              ("ALIGN", (4, 1), (4, -1), "RIGHT"),
                              ("ALIGN", (6, 1), (6, -1), "RIGHT")]
        tint = story.colors.Color(1, 0.88, 0.88)
        section = None
        for line in self.lines:
            raw = line.get("section") or SECTION_OF.get(line["kind"], "")
            label = _(raw) if raw else ""
            if label != section:
                section = label
                at = len(rows)
                rows.append([story.text(label, "small_head")] + [""] * 8)
                extra += [("SPAN", (0, at), (-1, at)), ("BACKGROUND", (0, at), (-1, at),
                                                         story.shade)]
            red = bool(line.get("discrepancy"))
            found = line.get("found")
            condition = line.get("condition") or ""
            rows.append([
                _MARK if red else "", str(line["no"]), self.cell(line.get("label"), 2, red),
                self.cell(line.get("tag") or "", 3, red), str(line.get("expected", "")),
                self.cell(line.get("out_with") or "", 5, red),
                "—" if found is None else str(found),
                "" if found is None else self.condition(condition),
                self.cell(line.get("note") or "", 8, red)])
            if red:
                at = len(rows) - 1
                extra += [("BACKGROUND", (0, at), (-1, at), tint),
                          ("TEXTCOLOR", (0, at), (-1, at), story.red_color),
                          ("FONTNAME", (0, at), (-1, at), FONT_BOLD)]
        return story.table(rows, _CHECK_WEIGHTS, extra=extra)
