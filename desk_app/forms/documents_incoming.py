"""The two printed sheets of an incoming document (收文, seed 001 §2.1).

- The **instruction sheet** (批示单, record number ``SW…-PS``): the registration and the general
  manager's instruction — who reads it in which order, who handles it, by when — signed by
  the manager in the "manager" box when the instruction is given.
- The **processing sheet** (收文处理单, record number ``SW…``): the whole life of the document
  at filing time — registration, the instruction (naming the signed instruction sheet and
  its SHA-256, so this sheet binds the manager's signature without repeating it), each
  reading confirmation, questions and answers, chases, the handling result, and the filing
  (archive reference and location) — signed by the clerk in the "clerk" box.

Both carry the record number and its QR code in the page header (forms/canvas), so a
scanner at the desk finds the document from the paper.
"""

from __future__ import annotations

from typing import Any

from desk_app.domain.clock import format_date, format_datetime
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec
from desk_app.i18n import _, ngettext

INSTRUCTION_FIELD = "manager"
PROCESSING_FIELD = "clerk"
FILING_BLOCK_HEIGHT = 180.0  # points: the Filing heading, its two rows and the signature box


def instruction_pdf(company: str, data: dict[str, Any]) -> bytes:
    """``data``: ``document_dict`` with the instruction about to be signed (instruction,
    instructed_by, instructed_at, route, handler_dept_name, due_on) and ``record_no``
    (the number + "-PS"). The PDF has one empty field, "manager"."""
    spec = FormSpec(company, _("Instructions on an incoming document"), data["record_no"],
                    data["instructed_at"])
    _registration(spec, data)
    spec.heading(_("The manager's instruction"))
    spec.key_values([(_("Instructions"), data["instruction"]), *_plan(data)])
    spec.paragraph(_("The office carries the document to each department in this order; each "
                     "head confirms reading, then the handling department records its result."))
    spec.signatures([(INSTRUCTION_FIELD, _("Manager"))])
    return ready_to_sign(spec)


def processing_pdf(company: str, data: dict[str, Any]) -> bytes:
    """``data``: ``document_dict`` at filing (filed_by, filed_at, item_ref set) plus
    ``location``, ``instruction_sheet`` ({record_no, sha256} or None). The PDF has one
    empty field, "clerk"."""
    spec = FormSpec(company, _("Incoming document processing sheet"), data["number"],
                    data["filed_at"])
    _registration(spec, data)

    spec.heading(_("Instructions"))
    pairs = [(_("Instructions"), data["instruction"] or "—"), *_plan(data),
             (_("Instructed by"), _who_when(data["instructed_by"], data["instructed_at"]))]
    sheet = data.get("instruction_sheet")
    if sheet:
        pairs.append((_("Signed instruction sheet"),
                      _("{number}, SHA-256 {digest}").format(number=sheet["record_no"],
                                                             digest=sheet["sha256"])))
    spec.key_values(pairs)

    if data["route"]:
        spec.heading(_("Circulation"))
        spec.table([_("No."), _("Department"), _("Carried by"), _("Read by"), _("Comment")],
                   [[str(stop["seq"]), stop["dept_name"],
                     _who_when(stop["carried_by"], stop["carried_at"]),
                     _who_when(stop["confirmed_by"], stop["confirmed_at"]),
                     stop["comment"]] for stop in data["route"]],
                   col_widths=[1, 3, 4, 4, 7])

    questions = [note for note in data["notes"] if note["kind"] == "question"]
    if questions:
        spec.heading(_("Questions to the manager"))
        spec.table([_("Question"), _("Asked by"), _("Answer"), _("Answered by")],
                   [[note["text"], _who_when(note["by"], note["at"]), note["answer"] or "—",
                     _who_when(note["answered_by"], note["answered_at"])]
                    for note in questions], col_widths=[4, 4, 4, 4])

    chases = [note for note in data["notes"] if note["kind"] == "chase"]
    if chases:
        spec.heading(_("Chases"))
        spec.table([_("When"), _("By"), _("How"), _("Note")],
                   [[format_datetime(note["at"]), note["by"], _channel(note["channel"]),
                     note["text"]] for note in chases], col_widths=[3, 3, 2, 10])

    spec.heading(_("Handling result"))
    spec.key_values([(_("Result"), data["result"] or "—"),
                     (_("Handled by"), _who_when(data["result_by"], data["result_at"]))])

    # The filing and the clerk's signature box stay on one page (never a box alone).
    spec.flowables(_keep_room(FILING_BLOCK_HEIGHT))
    spec.heading(_("Filing"))
    where = data["item_ref"] or "—"
    if data.get("location"):
        where = _("{ref}, at {location}").format(ref=where, location=data["location"])
    spec.key_values([(_("Archive file"), where),
                     (_("Filed by"), _who_when(data["filed_by"], data["filed_at"]))])
    spec.signatures([(PROCESSING_FIELD, _("Filed by"))])
    return ready_to_sign(spec)


def _registration(spec: FormSpec, data: dict[str, Any]) -> None:
    """What the office registered (the number is in the header, with its QR code)."""
    spec.heading(_("Registration"))
    spec.key_values([
        (_("Title"), data["title"]),
        (_("Sender"), data["sender"]),
        (_("Sender's number"), data["sender_ref"] or "—"),
        (_("Received on"), _("{day}, registered by {who}").format(
            day=format_date(data["received_on"], empty="—"),
            who=_who_when(data["created_by"], data["created_at"]))),
        (_("Kind · urgency · level"), " · ".join([data["kind_name"] or "—",
                                                  data["urgency_label"], data["level_label"]])),
        (_("Pages · copies"), " · ".join([
            ngettext("{n} page", "{n} pages", data["pages"]).format(n=data["pages"]),
            ngettext("{n} copy", "{n} copies", data["copies"]).format(n=data["copies"])])),
        (_("Summary"), data["body"] or "—"),
    ])


def _plan(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Who reads (in order, with the heads' names), who handles, by when."""
    readers = "\n".join(
        _("{seq}. {dept} ({heads})").format(seq=stop["seq"], dept=stop["dept_name"],
                                            heads=", ".join(stop["heads"]) or "—")
        for stop in data["route"])
    handler = data["handler_dept_name"] or "—"
    if data["due_on"] is not None:
        handler = _("{dept}, due on {day}").format(dept=handler, day=format_date(data["due_on"]))
    return [(_("Read by, in order"), readers or "—"), (_("Handled by department"), handler)]


def _keep_room(height: float):
    """A page break unless ``height`` points are left on the page."""
    def build(_width: float) -> list:
        from reportlab.platypus import CondPageBreak

        return [CondPageBreak(height)]
    return build


def _who_when(who: str, when: Any) -> str:
    if not who:
        return "—"
    return _("{who}, {when}").format(who=who, when=format_datetime(when)) if when else who


def _channel(channel: str) -> str:
    names = {"phone": _("Phone"), "visit": _("Visit in person"), "message": _("Message")}
    return names.get(channel, channel)
