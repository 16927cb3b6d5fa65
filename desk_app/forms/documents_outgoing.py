"""The outgoing draft sheet (发文稿纸) and the internal liaison sheet (工作联络单) as printed forms.

The draft sheet is rendered when the drafter signs it and carries four empty signature fields
that ``KeyService.sign_pdf`` fills one after another as the document moves on: "drafter",
"reviewer" (the drafting department's head), "approver" (the general manager's sign-off, 签发)
and "clerk" (the office, who numbers and sends it). The issued number (发文字号) is drawn
only when it is sent, after three signatures: the page cannot change then, so the office's
signature names the number (its label, which is also the signature's reason).

The liaison sheet is rendered when the drafting department's head signs it (field "head");
the receiving department's reply is recorded in the register, and the sheet leaves room for
it on paper.

Both carry the running number (FG…/LL…) in the header with its QR code, so scanning the
paper finds the document.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from desk_app.domain.clock import format_datetime
from desk_app.forms.fonts import FONT, FONT_BOLD
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec
from desk_app.i18n import _

SIGNATURE_FIELDS = ("drafter", "reviewer", "approver", "clerk")
"""The draft sheet's signature boxes, in the order they are signed."""
LIAISON_FIELDS = ("head",)

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_PAD = 4.0


def draft_sheet_pdf(company: str, data: dict[str, Any]) -> bytes:
    """``data``: the draft as ``document_dict`` shows it (number, title, addressee, body,
    dept_name, drafted_by, drafted_at, kind_name, level_label, urgency_label, corrects,
    attachment) plus ``printed_at`` (naive UTC). Four empty signature fields."""
    printed_at = data.get("printed_at") or data.get("drafted_at") or datetime(2000, 1, 1)
    spec = FormSpec(company, _("Outgoing document draft sheet"), data["number"], printed_at)
    spec.flowables(lambda width: _Sheet(data, width).draft())
    spec.signatures([("drafter", _("Drafted by")),
                     ("reviewer", _("Reviewed by (department head)")),
                     ("approver", _("Signed off by (general manager)")),
                     ("clerk", _("Numbered and sent by (office)"))])
    return ready_to_sign(spec)


def liaison_pdf(company: str, data: dict[str, Any]) -> bytes:
    """``data``: the liaison sheet as ``document_dict`` shows it plus ``printed_at``. One
    empty signature field, "head"."""
    printed_at = data.get("printed_at") or data.get("drafted_at") or datetime(2000, 1, 1)
    spec = FormSpec(company, _("Liaison sheet"), data["number"], printed_at)
    spec.flowables(lambda width: _Sheet(data, width).liaison())
    spec.signatures([("head", _("Head of the issuing department"))])
    return ready_to_sign(spec)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "<br/>"))


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


class _Sheet:
    """The flowables of a sheet's body, built while rendering (reportlab imported here)."""

    def __init__(self, data: dict[str, Any], width: float) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        self.data, self.width = data, width
        self.grid = colors.Color(0.45, 0.45, 0.45)
        self.shade = colors.Color(0.93, 0.93, 0.93)
        cell = ParagraphStyle("dsCell", fontName=FONT, fontSize=9.5, leading=13)
        self.styles = {
            "cell": cell,
            "head": ParagraphStyle("dsHead", parent=cell, fontName=FONT_BOLD),
            "title": ParagraphStyle("dsTitle", fontName=FONT_BOLD, fontSize=14, leading=20,
                                    alignment=1, spaceBefore=10, spaceAfter=8),
            "label": ParagraphStyle("dsLabel", fontName=FONT_BOLD, fontSize=10.5, leading=15,
                                    spaceBefore=4, spaceAfter=2),
            "body": ParagraphStyle("dsBody", fontName=FONT, fontSize=11, leading=18,
                                   firstLineIndent=22, spaceAfter=4),
            "salutation": ParagraphStyle("dsSalutation", fontName=FONT, fontSize=11,
                                         leading=18, spaceAfter=4),
            "note": ParagraphStyle("dsNote", fontName=FONT, fontSize=8.5, leading=11,
                                   textColor=colors.Color(0.3, 0.3, 0.3)),
        }
        self.cjk: dict[str, Any] = {}

    def para(self, markup: str, style: str = "cell", plain: str | None = None):
        """A paragraph; CJK text wraps between any two characters."""
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        base = self.styles[style]
        if _CJK.search(markup if plain is None else plain):
            if style not in self.cjk:
                self.cjk[style] = ParagraphStyle(base.name + "CJK", parent=base, wordWrap="CJK")
            base = self.cjk[style]
        return Paragraph(markup, base)

    def text(self, value: Any, style: str = "cell"):
        value = "" if value is None or value == "" else str(value)
        return self.para(_escape(value or "—"), style, value)

    def grid_table(self, pairs: list[tuple[str, Any, str, Any]], wide: list[tuple[str, Any]]):
        """Label/value pairs two to a row, then ``wide`` rows whose value spans the width."""
        from reportlab.platypus import Table, TableStyle

        rows = [[self.text(a, "head"), self.text(b), self.text(c, "head"), self.text(d)]
                for a, b, c, d in pairs]
        first_wide = len(rows)
        rows += [[self.text(label, "head"), self.text(value), "", ""] for label, value in wide]
        weights = (19, 31, 19, 31)
        table = Table(rows, colWidths=[self.width * w / 100 for w in weights])
        style = [("GRID", (0, 0), (-1, -1), 0.6, self.grid), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                 ("LEFTPADDING", (0, 0), (-1, -1), _PAD), ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
                 ("BACKGROUND", (0, 0), (0, -1), self.shade),
                 ("BACKGROUND", (2, 0), (2, first_wide - 1), self.shade)]
        style += [("SPAN", (1, row), (-1, row)) for row in range(first_wide, len(rows))]
        table.setStyle(TableStyle(style))
        return table

    def title_and_body(self) -> list:
        from reportlab.platypus import Spacer

        data = self.data
        out: list = [self.para(_escape(data["title"]), "title", data["title"])]
        body = str(data.get("body") or "").strip()
        if body:
            parts = [part.strip() for part in body.splitlines() if part.strip()]
            for index, part in enumerate(parts):
                # a salutation ("各位业主：") starts at the margin; paragraphs are indented
                salutation = index == 0 and len(parts) > 1 and part.endswith(("：", ":"))
                out.append(self.para(_escape(part), "salutation" if salutation else "body",
                                     part))
        else:
            out.append(self.text(_("(No text: see the attachment.)"), "note"))
        out.append(Spacer(1, 8))
        return out

    def attachment(self) -> str:
        found = self.data.get("attachment")
        if not found:
            return ""
        return _("{name} ({size})").format(name=found["name"], size=_size(int(found["size"])))

    def draft(self) -> list:
        from reportlab.platypus import Spacer

        data = self.data
        drafted = "{} {}".format(data.get("drafted_by") or "",
                                 format_datetime(data.get("drafted_at")))
        corrects = data.get("corrects") or ""
        pairs = [
            (_("Draft number"), data["number"], _("Issued number"),
             data.get("issued_no") or _("given when sent: see the office's signature below")),
            (_("Drafting department"), data.get("dept_name"), _("Drafted"), drafted.strip()),
            (_("Kind"), data.get("kind_name"), _("Urgency"), data.get("urgency_label")),
            (_("Confidentiality"), data.get("level_label"), _("Attachment"),
             self.attachment() or _("none")),
        ]
        wide = [(_("Addressee"), data.get("addressee")), (_("Title"), data["title"])]
        if corrects:
            wide.append((_("Corrects"), _("{number}, which this document replaces").format(
                number=corrects)))
        return [self.grid_table(pairs, wide), Spacer(1, 4), *self.title_and_body(),
                self.text(_(
                    "Signed in this order: the drafter, the head of the drafting department, the "
                    "general manager (sign-off, 签发), then the office numbers and sends it. Once "
                    "signed off the document is never changed: a correction is a new, linked "
                    "document."), "note"), Spacer(1, 6)]

    def liaison(self) -> list:
        from reportlab.platypus import Spacer, Table, TableStyle

        data = self.data
        drafted = "{} {}".format(data.get("drafted_by") or "",
                                 format_datetime(data.get("drafted_at")))
        pairs = [
            (_("Number"), data["number"], _("Drafted"), drafted.strip()),
            (_("From department"), data.get("dept_name"), _("To department"),
             data.get("to_dept_name")),
            (_("Urgency"), data.get("urgency_label"), _("Confidentiality"),
             data.get("level_label")),
        ]
        wide = [(_("Title"), data["title"])]
        if self.attachment():
            wide.append((_("Attachment"), self.attachment()))
        reply = Table([[self.text(_("Reply of the receiving department"), "head")],
                       [self.text(_("Recorded in the register by the receiving department; "
                                    "written here on paper if replied by hand."), "note")]],
                      colWidths=[self.width], rowHeights=[None, 92])
        reply.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, self.grid),
                                   ("LINEBELOW", (0, 0), (-1, 0), 0.6, self.grid),
                                   ("BACKGROUND", (0, 0), (-1, 0), self.shade),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [self.grid_table(pairs, wide), Spacer(1, 4), *self.title_and_body(), reply,
                Spacer(1, 8)]
