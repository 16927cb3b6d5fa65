"""A :class:`~desk_app.forms.spec.FormSpec` as a PDF: the story of its blocks on the shared page.

reportlab is imported only when a form is rendered: importing this module stays cheap, and the
page (:mod:`desk_app.forms.canvas`) and block (:mod:`desk_app.forms.flowables`) modules, which
need reportlab at load, are imported inside :func:`render_to`.

Memory for big exports: rows are pulled from the iterator one page at a time
(:class:`~desk_app.forms.flowables.RowStream`) and each finished page is compressed and written
to the output at once (:class:`~desk_app.forms.canvas.StreamedDocument`), so memory grows only
by an object number and offset per page, never with the rows or the output.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from desk_app.forms.drawing import column_widths
from desk_app.forms.fonts import FONT, FONT_BOLD, register_fonts
from desk_app.forms.spec import FOOTER_HEIGHT, HEADER_HEIGHT, MARGIN, FormSpec, Progress, SlotRect

if TYPE_CHECKING:
    from desk_app.forms.canvas import RenderState

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


@dataclass(frozen=True)
class RenderedForm:
    pdf: bytes
    pages: int
    slots: list[SlotRect]


@dataclass(frozen=True)
class RenderInfo:
    pages: int
    slots: list[SlotRect]


def render(spec: FormSpec, progress: Progress | None = None) -> bytes:
    """The PDF bytes of ``spec``."""
    return render_form(spec, progress).pdf


def render_form(spec: FormSpec, progress: Progress | None = None) -> RenderedForm:
    """The PDF plus page count and the signature boxes (for :func:`signing.prepare_fields`)."""
    out = io.BytesIO()
    info = render_to(spec, out, progress)
    return RenderedForm(pdf=out.getvalue(), pages=info.pages, slots=info.slots)


def render_to(
    spec: FormSpec, out: BinaryIO | str | os.PathLike[str], progress: Progress | None = None
) -> RenderInfo:
    """Render into a file or binary stream (for big exports), written as pages are finished
    (:class:`~desk_app.forms.canvas.StreamedDocument`). Cancel → ``InterruptedError``, with
    a part of the file written."""
    if isinstance(out, str | os.PathLike):
        with open(out, "wb") as stream:
            return render_to(spec, stream, progress)
    register_fonts()
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from desk_app.forms.canvas import RenderState

    state = RenderState(spec, progress)
    width, height = state.page_size
    doc = BaseDocTemplate(
        out,
        pagesize=state.page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=f"{spec.title} {spec.record_no}",
        author=spec.author or spec.company,
        subject=spec.record_no,
        creator="desk_app",
        pageCompression=1,
        initialFontName=FONT,
        initialFontSize=10,
    )
    frame = Frame(
        MARGIN,
        MARGIN + FOOTER_HEIGHT,
        width - 2 * MARGIN,
        height - 2 * MARGIN - HEADER_HEIGHT - FOOTER_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPage=state.on_page)])
    doc.build(_build_story(state), canvasmaker=state.canvas_maker())
    return RenderInfo(pages=state.pages, slots=list(state.slots))


def _build_story(state: RenderState) -> list:
    """The flowables of ``state.spec``'s blocks, in order."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from desk_app.forms.flowables import HandwritingBox, RowStream, SignatureBoxes

    styles = _paragraph_styles()
    width = state.page_size[0] - 2 * MARGIN
    grid = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.Color(0.55, 0.55, 0.55)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    story: list = []
    for kind, block in state.spec.blocks:
        if kind == "heading":
            story.append(Paragraph(_escape_markup(block), styles["heading"]))
        elif kind == "paragraph":
            story.append(_paragraph(block, styles))
        elif kind == "spacer":
            story.append(Spacer(1, block))
        elif kind == "key_values":
            data = [[_paragraph(k, styles, "cell_head"), _paragraph(v, styles, "cell")] for k, v in block]
            table = Table(data, colWidths=[width * 0.28, width * 0.72])
            table.setStyle(
                TableStyle([*grid, ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.93, 0.93, 0.93))])
            )
            story.extend([table, Spacer(1, 8)])
        elif kind == "table":
            header, rows, weights = block
            data = [[_paragraph(h, styles, "cell_head") for h in header]]
            data.extend([_paragraph(c, styles, "cell") for c in row] for row in rows)
            table = Table(data, colWidths=column_widths(len(header), weights, width), repeatRows=1)
            table.setStyle(
                TableStyle([*grid, ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88))])
            )
            story.extend([table, Spacer(1, 8)])
        elif kind == "rows":
            header, rows, weights, total, wrapped = block
            story.append(RowStream(state, header, iter(rows), weights, total, wrapped=wrapped))
            story.append(Spacer(1, 8))
        elif kind == "signatures":
            story.append(SignatureBoxes(state, block))
        elif kind == "flowables":
            story.extend(block(width))
        elif kind == "handwriting":
            story.append(HandwritingBox(*block))
        else:  # pragma: no cover - the builder only appends known kinds
            raise ValueError(kind)
    if not story:
        story.append(Spacer(1, 1))
    return story


def _escape_markup(text: str) -> str:
    """``text`` as platypus paragraph markup: the printed string, line breaks kept."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def _paragraph_styles() -> dict[str, Any]:
    """Body, heading and table cell styles; each ``*_cjk`` twin wraps between any two characters."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("deskBody", fontName=FONT, fontSize=10.5, leading=15, spaceAfter=4)
    return {
        "body": body,
        "body_cjk": ParagraphStyle("deskBodyCJK", parent=body, wordWrap="CJK"),
        "heading": ParagraphStyle(
            "deskHeading", fontName=FONT_BOLD, fontSize=13, leading=18, spaceBefore=6, spaceAfter=6
        ),
        "cell": ParagraphStyle("deskCell", fontName=FONT, fontSize=9, leading=12),
        "cell_cjk": ParagraphStyle("deskCellCJK", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK"),
        "cell_head": ParagraphStyle(
            "deskCellHead", fontName=FONT_BOLD, fontSize=9, leading=12, textColor=colors.black
        ),
        "cell_head_cjk": ParagraphStyle(
            "deskCellHeadCJK", fontName=FONT_BOLD, fontSize=9, leading=12, wordWrap="CJK"
        ),
    }


def _paragraph(text: Any, styles: dict[str, Any], kind: str = "body"):
    """A paragraph of ``text`` (None prints nothing) in style ``kind``, its CJK twin when the text
    holds Chinese: Latin text keeps wrapping at spaces only."""
    from reportlab.platypus import Paragraph

    value = "" if text is None else str(text)
    style = styles[kind + "_cjk"] if _CJK.search(value) else styles[kind]
    return Paragraph(_escape_markup(value), style)
