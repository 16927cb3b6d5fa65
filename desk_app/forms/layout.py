"""One page template and a small form builder for every printed record (R15).

Over 500 lines: spec, rendering and drawing helpers in one file until issue 10 splits them.

Every page carries the company name and the form title, the record number and a QR code of it,
"page X of Y", the generation time (local time with its UTC offset) and, on exports, the head hash
of the audit chain (R16). Content is a list of blocks: headings, paragraphs (CJK-aware wrapping),
key/value tables, data tables that break across pages with a repeated header row, fast single-line
row streams for big exports (rows from a generator, with progress and cancel), and signature boxes
whose page and rectangle are returned so :mod:`desk_app.forms.signing` can create the fields.

reportlab is imported only when a form is rendered.

Memory for big exports: rows are pulled from the iterator one page at a time and each finished
page's content stream is compressed at once, so memory grows only with the compressed output
(about 3 KB per page), never with Python objects per row.
"""

from __future__ import annotations

import io
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, BinaryIO

from desk_app.domain.clock import format_datetime
from desk_app.forms.fonts import FONT, FONT_BOLD, register_fonts
from desk_app.i18n import _

Progress = Callable[[int, int], bool]
"""``(rows done, rows total or 0 when unknown) -> keep going``; returning False cancels."""

MARGIN = 40.0
HEADER_HEIGHT = 74.0
FOOTER_HEIGHT = 24.0
QR_SIZE = 58.0
SIGNATURE_BOX = (170.0, 72.0)
"""Width and height (points) of a signature box; the field and its appearance use this size."""

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


# ---------------------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class SignatureSlot:
    name: str
    """Field name (ASCII, unique in the document), e.g. ``"clerk"``."""
    label: str
    """Role label shown above the box, e.g. ``"经办人"``."""


@dataclass(frozen=True)
class SlotRect:
    """Where a signature box landed: page index (0-based) and (x1, y1, x2, y2) in PDF points."""

    name: str
    label: str
    page_index: int
    rect: tuple[float, float, float, float]

    @property
    def width(self) -> float:
        return self.rect[2] - self.rect[0]

    @property
    def height(self) -> float:
        return self.rect[3] - self.rect[1]


@dataclass
class FormSpec:
    """What to print. The caller passes the time from the standard clock (R8), naive UTC or aware.

    Build the body with the chaining methods; strings are printed as given (the caller translates).
    """

    company: str
    title: str
    record_no: str
    generated_at: datetime
    head_hash: str | None = None
    landscape: bool = False
    display_tz: tzinfo | None = None
    """Time zone for the printed generation time; None = this machine's local zone."""
    author: str = ""
    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def heading(self, text: str) -> FormSpec:
        self.blocks.append(("heading", text))
        return self

    def paragraph(self, text: str) -> FormSpec:
        self.blocks.append(("paragraph", text))
        return self

    def spacer(self, height: float = 8.0) -> FormSpec:
        self.blocks.append(("spacer", height))
        return self

    def key_values(self, pairs: Sequence[tuple[str, str]]) -> FormSpec:
        self.blocks.append(("key_values", [(str(k), str(v)) for k, v in pairs]))
        return self

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        col_widths: Sequence[float] | None = None,
    ) -> FormSpec:
        """A wrapping table (cells may hold long text); the header row repeats on every page.

        ``col_widths`` are relative weights. Rows are materialised; use :meth:`rows` for exports.
        """
        self.blocks.append(("table", (list(header), [list(r) for r in rows], col_widths)))
        return self

    def rows(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        col_widths: Sequence[float] | None = None,
        total: int | None = None,
    ) -> FormSpec:
        """A fast single-line table for big exports: rows are pulled lazily from ``rows``.

        Cells longer than their column are cut with "…". ``total`` (if known) is passed to the
        progress callback.
        """
        self.blocks.append(("rows", (list(header), rows, col_widths, total)))
        return self

    def handwriting(self, label: str, png: bytes | None) -> FormSpec:
        """A labelled box holding a signature drawn at the desk by someone without a key
        (e.g. an outside borrower): part of the page, covered by the later PAdES signatures."""
        self.blocks.append(("handwriting", (label, png)))
        return self

    def signatures(self, slots: Sequence[tuple[str, str] | SignatureSlot]) -> FormSpec:
        """Reserve a box for each signer, e.g. ``[("clerk", "经办人"), ("supervisor", "主管")]``."""
        parsed = [s if isinstance(s, SignatureSlot) else SignatureSlot(*s) for s in slots]
        names = [s.name for s in parsed]
        existing = {s.name for kind, block in self.blocks if kind == "signatures" for s in block}
        if len(set(names)) != len(names) or existing & set(names):
            raise ValueError(f"duplicate signature slot names: {names}")
        for name in names:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]*", name):
                raise ValueError(f"signature slot name must be ASCII: {name!r}")
        self.blocks.append(("signatures", parsed))
        return self


@dataclass(frozen=True)
class RenderedForm:
    pdf: bytes
    pages: int
    slots: list[SlotRect]


@dataclass(frozen=True)
class RenderInfo:
    pages: int
    slots: list[SlotRect]


def format_time(moment: datetime, tz: tzinfo | None = None) -> str:
    """``2025-03-04 17:05``: local (or ``tz``) time, as everywhere else (domain.clock)."""
    if tz is None:
        return format_datetime(moment)
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(tz).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------------- rendering


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
    """Render into a file or binary stream (for big exports). Cancel → ``InterruptedError``."""
    register_fonts()
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    ctx = _Context(spec, progress)
    width, height = ctx.page_size
    target = os.fspath(out) if isinstance(out, str | os.PathLike) else out
    doc = BaseDocTemplate(
        target,
        pagesize=ctx.page_size,
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
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPage=ctx.on_page)])
    story = _story(ctx)
    doc.build(story, canvasmaker=ctx.canvas_class())
    return RenderInfo(pages=ctx.pages, slots=list(ctx.slots))


# ---------------------------------------------------------------------------------------- internals


class _Context:
    """Per-render state shared by the page template, the canvas and the flowables."""

    def __init__(self, spec: FormSpec, progress: Progress | None) -> None:
        from reportlab.lib.pagesizes import A4, landscape

        self.spec = spec
        self.progress = progress
        self.page_size = landscape(A4) if spec.landscape else A4
        self.pages = 0
        self.slots: list[SlotRect] = []
        self.rows_done = 0

    # -- page template: header and footer are form XObjects defined once, at save time
    def on_page(self, canv, doc) -> None:
        self.pages = canv.getPageNumber()
        canv.doForm("deskHeader")
        canv.doForm("deskFooter")
        canv.doForm(f"deskPageNo{self.pages}")

    def canvas_class(self):
        from reportlab.pdfbase import pdfdoc
        from reportlab.pdfgen.canvas import Canvas

        ctx = self

        class FormCanvas(Canvas):
            def showPage(self) -> None:
                super().showPage()
                # Compress the finished page now, so a long export keeps only compressed bytes.
                page = self._doc.Pages.pages[-1]
                stream = page.stream
                if stream and not page.Contents:
                    data = stream.encode("latin-1") if isinstance(stream, str) else stream
                    contents = pdfdoc.PDFStream(content=zlib.compress(data, 6))
                    contents.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
                    contents.__Comment__ = "page stream"
                    page.Contents = contents
                    page.stream = None

            def save(self) -> None:
                if len(self._code):
                    self.showPage()
                ctx.define_forms(self)
                super().save()

        return FormCanvas

    def define_forms(self, canv) -> None:
        width, height = self.page_size
        spec = self.spec
        canv.beginForm("deskHeader")
        top = height - MARGIN
        canv.setFillGray(0.35)
        canv.setFont(FONT, 9)
        canv.drawString(MARGIN, top - 9, spec.company)
        canv.setFillGray(0)
        canv.setFont(FONT_BOLD, 16)
        canv.drawString(MARGIN, top - 34, _fit(spec.title, FONT_BOLD, 16, width - 2 * MARGIN - QR_SIZE - 140))
        canv.setFont(FONT, 9)
        canv.drawString(MARGIN, top - 54, _("Record No. {number}").format(number=spec.record_no))
        _draw_qr(canv, spec.record_no, width - MARGIN - QR_SIZE, top - QR_SIZE, QR_SIZE)
        canv.setLineWidth(0.8)
        canv.setStrokeGray(0.3)
        canv.line(MARGIN, top - HEADER_HEIGHT + 8, width - MARGIN, top - HEADER_HEIGHT + 8)
        canv.endForm()

        canv.beginForm("deskFooter")
        canv.setStrokeGray(0.6)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, MARGIN + FOOTER_HEIGHT - 8, width - MARGIN, MARGIN + FOOTER_HEIGHT - 8)
        canv.setFillGray(0.3)
        canv.setFont(FONT, 8)
        generated = format_time(spec.generated_at, spec.display_tz)
        canv.drawString(MARGIN, MARGIN + 4, _("Generated {time}").format(time=generated))
        if spec.head_hash:
            canv.setFont(FONT, 7)
            canv.drawString(MARGIN, MARGIN - 6, _("Audit chain head {hash}").format(hash=spec.head_hash))
        canv.endForm()

        total = self.pages
        for number in range(1, total + 1):
            canv.beginForm(f"deskPageNo{number}")
            canv.setFillGray(0.3)
            canv.setFont(FONT, 8)
            canv.drawRightString(
                width - MARGIN, MARGIN + 4, _("Page {page} of {pages}").format(page=number, pages=total)
            )
            canv.endForm()

    def report(self, done_now: int, total: int | None) -> None:
        self.rows_done += done_now
        if self.progress is not None and not self.progress(self.rows_done, total or 0):
            raise InterruptedError(_("Export cancelled."))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def _styles():
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


def _para(text: Any, styles, kind: str = "body"):
    from reportlab.platypus import Paragraph

    value = "" if text is None else str(text)
    style = styles[kind + "_cjk"] if _CJK.search(value) else styles[kind]
    return Paragraph(_escape(value), style)


def _weights(count: int, col_widths: Sequence[float] | None, available: float) -> list[float]:
    weights = list(col_widths) if col_widths else [1.0] * count
    if len(weights) != count:
        raise ValueError("col_widths must have one weight per column")
    scale = available / sum(weights)
    return [w * scale for w in weights]


def _story(ctx: _Context) -> list:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    width = ctx.page_size[0] - 2 * MARGIN
    grid = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.Color(0.55, 0.55, 0.55)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    story: list = []
    for kind, block in ctx.spec.blocks:
        if kind == "heading":
            story.append(Paragraph(_escape(block), styles["heading"]))
        elif kind == "paragraph":
            story.append(_para(block, styles))
        elif kind == "spacer":
            story.append(Spacer(1, block))
        elif kind == "key_values":
            data = [[_para(k, styles, "cell_head"), _para(v, styles, "cell")] for k, v in block]
            table = Table(data, colWidths=[width * 0.28, width * 0.72])
            table.setStyle(
                TableStyle([*grid, ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.93, 0.93, 0.93))])
            )
            story.extend([table, Spacer(1, 8)])
        elif kind == "table":
            header, rows, col_widths = block
            data = [[_para(h, styles, "cell_head") for h in header]]
            data.extend([_para(c, styles, "cell") for c in row] for row in rows)
            table = Table(data, colWidths=_weights(len(header), col_widths, width), repeatRows=1)
            table.setStyle(
                TableStyle([*grid, ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88))])
            )
            story.extend([table, Spacer(1, 8)])
        elif kind == "rows":
            header, rows, col_widths, total = block
            story.append(_RowStream(ctx, header, iter(rows), col_widths, total))
            story.append(Spacer(1, 8))
        elif kind == "signatures":
            story.append(_SignatureBoxes(ctx, block))
        elif kind == "handwriting":
            story.append(_handwriting_box(*block))
        else:  # pragma: no cover - the builder only appends known kinds
            raise ValueError(kind)
    if not story:
        story.append(Spacer(1, 1))
    return story


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with "…" to ``width`` points (a fast check first: no glyph is wider than 1 em)."""
    text = text.replace("\n", " ")
    if len(text) * size <= width:
        return text
    from reportlab.pdfbase import pdfmetrics

    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    face = pdfmetrics.getFont(font).face
    widths, default = face.charWidths, face.defaultWidth
    limit = width * 1000.0 / size - widths.get(0x2026, default)
    used = 0.0
    for index, char in enumerate(text):
        used += widths.get(ord(char), default)
        if used > limit:
            return text[:index] + "…"
    return text


def _draw_qr(canv, value: str, x: float, y: float, size: float) -> None:
    """A QR code of ``value`` as one filled path (no renderPDF: it would add a Helvetica resource)."""
    import itertools

    from reportlab.graphics.barcode.qr import QrCodeWidget

    qr = QrCodeWidget(value).qr
    qr.make()
    count = qr.getModuleCount()
    path = canv.beginPath()
    for r, row in enumerate(qr.modules):
        column = 0
        for dark, run in itertools.groupby(bool(cell) for cell in row):
            length = len(list(run))
            if dark:
                path.rect(column, count - r - 1, length, 1)
            column += length
    canv.saveState()
    canv.translate(x, y)
    canv.scale(size / count, size / count)  # module units: integer coordinates, short content
    canv.setFillGray(0)
    canv.drawPath(path, stroke=0, fill=1)
    canv.restoreState()


def _row_stream_class():
    global _RowStreamImpl
    if _RowStreamImpl is None:
        _RowStreamImpl = _make_row_stream()
    return _RowStreamImpl


_RowStreamImpl: Any = None
_SignatureBoxesImpl: Any = None


def _RowStream(ctx: _Context, header, rows: Iterator, col_widths, total):
    return _row_stream_class()(ctx, header, rows, col_widths, total, [])


def _SignatureBoxes(ctx: _Context, slots: list[SignatureSlot]):
    global _SignatureBoxesImpl
    if _SignatureBoxesImpl is None:
        _SignatureBoxesImpl = _make_signature_boxes()
    return _SignatureBoxesImpl(ctx, slots)


ROW_FONT_SIZE = 7.5
ROW_HEIGHT = 11.0
CELL_PAD = 2.5


def _make_row_stream():
    from reportlab.platypus import Flowable

    class RowStream(Flowable):
        """Single-line rows pulled from an iterator one page at a time; splits at page ends."""

        def __init__(self, ctx, header, rows, col_widths, total, buffer) -> None:
            super().__init__()
            self.ctx, self.header, self.rows, self.col_widths, self.total = (
                ctx,
                header,
                rows,
                col_widths,
                total,
            )
            self.buffer: list = buffer
            self.exhausted = False

        def _fits(self, height: float) -> int:
            return int((height - ROW_HEIGHT) // ROW_HEIGHT)

        def _fill(self, count: int) -> None:
            while not self.exhausted and len(self.buffer) < count:
                try:
                    self.buffer.append(next(self.rows))
                except StopIteration:
                    self.exhausted = True

        def wrap(self, available_width, available_height):
            self.width = available_width
            fits = max(self._fits(available_height), 0)
            self._fill(fits + 1)
            if len(self.buffer) <= fits:
                self.height = ROW_HEIGHT * (1 + len(self.buffer))
            else:
                self.height = available_height + 1  # too tall: platypus will split
            return self.width, self.height

        def split(self, available_width, available_height):
            fits = self._fits(available_height)
            if fits <= 0:
                return []
            self._fill(fits + 1)
            head, rest = self.buffer[:fits], self.buffer[fits:]
            first = RowStream(self.ctx, self.header, iter(()), self.col_widths, self.total, head)
            first.exhausted = True
            if not rest and self.exhausted:
                return [first]
            follow = RowStream(self.ctx, self.header, self.rows, self.col_widths, self.total, rest)
            follow.exhausted = self.exhausted
            self.buffer = []
            return [first, follow]

        def draw(self) -> None:
            rows, self.buffer = self.buffer, []
            _draw_rows(self.canv, self.header, rows, self.col_widths, self.width)
            self.ctx.report(len(rows), self.total)

    return RowStream


def _draw_rows(canv, header: list[str], rows: list, col_widths, width: float) -> None:
    widths = _weights(len(header), col_widths, width)
    lefts = [sum(widths[:i]) for i in range(len(widths))]
    height = ROW_HEIGHT * (1 + len(rows))
    canv.saveState()
    canv.setFillGray(0.88)
    canv.rect(0, height - ROW_HEIGHT, width, ROW_HEIGHT, stroke=0, fill=1)
    canv.setFillGray(0)
    text = canv.beginText()
    baseline = ROW_HEIGHT - 8.0
    text.setFont(FONT_BOLD, ROW_FONT_SIZE)
    y = height - ROW_HEIGHT
    for left, cell_width, label in zip(lefts, widths, header, strict=True):
        text.setTextOrigin(left + CELL_PAD, y + baseline)
        text.textOut(_fit(label, FONT_BOLD, ROW_FONT_SIZE, cell_width - 2 * CELL_PAD))
    text.setFont(FONT, ROW_FONT_SIZE)
    for row in rows:
        y -= ROW_HEIGHT
        for left, cell_width, value in zip(lefts, widths, row, strict=False):
            if value is None or value == "":
                continue
            text.setTextOrigin(left + CELL_PAD, y + baseline)
            text.textOut(_fit(str(value), FONT, ROW_FONT_SIZE, cell_width - 2 * CELL_PAD))
    canv.drawText(text)
    canv.setLineWidth(0.4)
    canv.setStrokeGray(0.6)
    path = canv.beginPath()
    for index in range(len(rows) + 2):
        path.moveTo(0, index * ROW_HEIGHT)
        path.lineTo(width, index * ROW_HEIGHT)
    for left in [*lefts, width]:
        path.moveTo(left, 0)
        path.lineTo(left, height)
    canv.drawPath(path, stroke=1, fill=0)
    canv.restoreState()


def _make_signature_boxes():
    from reportlab.platypus import Flowable

    box_width, box_height = SIGNATURE_BOX
    label_height, gap = 14.0, 18.0

    class SignatureBoxes(Flowable):
        """A row (or rows) of labelled boxes; never split across pages."""

        def __init__(self, ctx, slots) -> None:
            super().__init__()
            self.ctx, self.slots = ctx, slots

        def _per_row(self, available_width: float) -> int:
            return max(1, int((available_width + gap) // (box_width + gap)))

        def wrap(self, available_width, available_height):
            self.width = available_width
            lines = -(-len(self.slots) // self._per_row(available_width))
            self.height = 6 + lines * (label_height + box_height + gap)
            return self.width, self.height

        def split(self, available_width, available_height):
            return []

        def draw(self) -> None:
            canv = self.canv
            per_row = self._per_row(self.width)
            page_index = canv.getPageNumber() - 1
            for index, slot in enumerate(self.slots):
                line, column = divmod(index, per_row)
                x = column * (box_width + gap)
                y = self.height - 6 - (line + 1) * (label_height + box_height) - line * gap
                canv.setFillGray(0)
                canv.setFont(FONT, 9.5)
                canv.drawString(x, y + box_height + 4, _fit(slot.label, FONT, 9.5, box_width))
                canv.setStrokeGray(0.55)
                canv.setLineWidth(0.6)
                canv.setDash(3, 2)
                canv.rect(x, y, box_width, box_height, stroke=1, fill=0)
                canv.setDash()
                ax, ay = canv.absolutePosition(x, y)
                self.ctx.slots.append(
                    SlotRect(
                        slot.name,
                        slot.label,
                        page_index,
                        (round(ax, 2), round(ay, 2), round(ax + box_width, 2), round(ay + box_height, 2)),
                    )
                )

    return SignatureBoxes


def _handwriting_box(label: str, png: bytes | None):
    """A box like a signature box, with the captured strokes drawn in it."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Flowable

    box_width, box_height = SIGNATURE_BOX
    image = ImageReader(io.BytesIO(png)) if png else None

    class HandwritingBox(Flowable):
        def wrap(self, available_width, available_height):
            self.width, self.height = available_width, box_height + 24
            return self.width, self.height

        def draw(self) -> None:
            canv = self.canv
            canv.setFillGray(0)
            canv.setFont(FONT, 9.5)
            canv.drawString(0, box_height + 10, _fit(label, FONT, 9.5, box_width))
            canv.setStrokeGray(0.55)
            canv.setLineWidth(0.6)
            canv.rect(0, 6, box_width, box_height, stroke=1, fill=0)
            if image is not None:
                width, height = image.getSize()
                scale = min((box_width - 8) / width, (box_height - 8) / height)
                canv.drawImage(image, 4, 10, width * scale, height * scale, mask="auto")

    return HandwritingBox()
