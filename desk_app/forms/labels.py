"""Folder and box labels (R1): reference, title, location and a barcode or QR code of the reference.

One label per page (``single``, 90 × 50 mm, for a label printer) or A4 sheets of self-adhesive
labels: Avery L7163 (2 × 7, 99.1 × 38.1 mm) and L7160 (3 × 7, 63.5 × 38.1 mm). ``start`` skips
labels already used on the first sheet. Like every form, the text is the embedded CJK font.
No Qt and no database here: the caller passes plain :class:`Label` values.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

MM = 72.0 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Label:
    ref: str
    title: str
    location: str = ""


@dataclass(frozen=True)
class Sheet:
    """Page and grid in millimetres (pitch = label size + gap)."""

    name: str
    page_w: float
    page_h: float
    columns: int
    rows: int
    label_w: float
    label_h: float
    left: float = 0.0
    top: float = 0.0
    pitch_x: float = 0.0
    pitch_y: float = 0.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, position: int) -> tuple[float, float]:
        """Bottom-left corner (points) of label ``position`` (0-based, row by row) on a page."""
        row, column = divmod(position, self.columns)
        x = self.left + column * (self.pitch_x or self.label_w)
        y_top = self.top + row * (self.pitch_y or self.label_h)
        return x * MM, (self.page_h - y_top - self.label_h) * MM


SHEETS: dict[str, Sheet] = {
    "single": Sheet("single", 90.0, 50.0, 1, 1, 90.0, 50.0),
    "L7163": Sheet("L7163", 210.0, 297.0, 2, 7, 99.1, 38.1, left=4.65, top=15.15,
                   pitch_x=101.6, pitch_y=38.1),
    "L7160": Sheet("L7160", 210.0, 297.0, 3, 7, 63.5, 38.1, left=7.25, top=15.15,
                   pitch_x=66.0, pitch_y=38.1),
}
CODES = ("code128", "qr")


def wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` in at most ``max_lines`` lines of ``width`` points; the last one cut with "…".

    Breaks at spaces where it can (Latin words), anywhere otherwise (CJK has no spaces).
    """
    from reportlab.pdfbase import pdfmetrics

    text = " ".join((text or "").split())
    lines: list[str] = []
    while text and len(lines) < max_lines:
        if pdfmetrics.stringWidth(text, font, size) <= width:
            lines.append(text)
            text = ""
            break
        cut = 1
        while cut < len(text) and pdfmetrics.stringWidth(text[:cut + 1], font, size) <= width:
            cut += 1
        space = text.rfind(" ", 0, cut + 1)
        if space > 0 and text[cut:cut + 1] != " " and space > cut // 2:
            cut = space
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text and lines:  # more than fits: end the last line with an ellipsis
        last = lines[-1]
        while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def render_labels(labels: Sequence[Label], sheet: str = "single", start: int = 0,
                  code: str = "code128") -> bytes:
    """The labels as a PDF; ``start`` labels of the first page are left blank (already used)."""
    if sheet not in SHEETS:
        raise ValueError(f"unknown sheet {sheet!r}")
    if code not in CODES:
        raise ValueError(f"unknown code {code!r}")
    layout = SHEETS[sheet]
    if not 0 <= start < layout.per_page:
        raise ValueError(f"start must be 0 to {layout.per_page - 1}")
    if not labels:
        raise ValueError("no labels")

    from reportlab.pdfgen.canvas import Canvas

    from desk_app.forms.fonts import FONT, register_fonts

    register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(layout.page_w * MM, layout.page_h * MM), pageCompression=1,
                    initialFontName=FONT, initialFontSize=10)
    canvas.setTitle(", ".join(label.ref for label in labels[:5]) + ("…" if len(labels) > 5 else ""))
    canvas.setCreator("desk_app")
    position = start
    for index, label in enumerate(labels):
        if position == layout.per_page:
            canvas.showPage()
            position = 0
        x, y = layout.origin(position)
        _draw_label(canvas, label, x, y, layout.label_w * MM, layout.label_h * MM, code)
        position += 1
        if index == len(labels) - 1:
            canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_label(canvas, label: Label, x: float, y: float, w: float, h: float, code: str) -> None:
    from reportlab.pdfbase import pdfmetrics

    from desk_app.forms.drawing import draw_qr, fit_text
    from desk_app.forms.fonts import FONT, FONT_BOLD

    pad = 3.0 * MM
    big = h >= 45 * MM  # the single label has room for larger type
    ref_size, title_size, small = (14.0, 10.0, 8.0) if big else (11.0, 8.0, 7.0)
    text_x, text_w = x + pad, w - 2 * pad
    bottom = y + pad
    if code == "qr":
        qr_size = min(h - 2 * pad, 0.4 * w)
        text_w -= qr_size + 2 * MM
        draw_qr(canvas, label.ref, x + w - pad - qr_size, y + (h - qr_size) / 2, qr_size)
    else:
        bar_h = (12.0 if big else 9.0) * MM
        _draw_code128(canvas, label.ref, x + pad, y + pad, w - 2 * pad, bar_h)
        bottom = y + pad + bar_h + 1.5 * MM

    top = y + h - pad
    canvas.setFillGray(0)
    ascent = pdfmetrics.getFont(FONT).face.ascent / 1000.0
    ref_size = _size_to_fit(label.ref, FONT_BOLD, ref_size, text_w)  # the reference is never cut
    baseline = top - ref_size * ascent
    canvas.setFont(FONT_BOLD, ref_size)
    canvas.drawString(text_x, baseline, fit_text(label.ref, FONT_BOLD, ref_size, text_w))
    location_h = small * 1.25 if label.location else 0.0
    room = baseline - ref_size * 0.3 - bottom - location_h
    max_lines = max(1, int(room // (title_size * 1.2)))
    canvas.setFont(FONT, title_size)
    line_y = baseline - ref_size * 0.3 - title_size * 1.1
    for line in wrap(label.title, FONT, title_size, text_w, min(max_lines, 3)):
        canvas.drawString(text_x, line_y, line)
        line_y -= title_size * 1.2
    if label.location:
        canvas.setFont(FONT, small)
        canvas.setFillGray(0.25)
        canvas.drawString(text_x, bottom + small * 0.3,
                          fit_text(label.location, FONT, small, text_w))
        canvas.setFillGray(0)


def _size_to_fit(text: str, font: str, size: float, width: float, smallest: float = 6.0) -> float:
    from reportlab.pdfbase import pdfmetrics

    needed = pdfmetrics.stringWidth(text, font, size)
    return size if needed <= width else max(smallest, size * width / needed)


def _draw_code128(canvas, value: str, x: float, y: float, width: float, height: float) -> None:
    """Code 128 of ``value`` centred in ``width``, bars as wide as fit (at most 0.5 mm), quiet zones kept."""
    from reportlab.graphics.barcode.code128 import Code128

    probe = Code128(value, barWidth=1.0, barHeight=height, humanReadable=False, quiet=True)
    bar = min(0.5 * MM, width / probe.width)
    barcode = Code128(value, barWidth=bar, barHeight=height, humanReadable=False, quiet=True)
    barcode.drawOn(canvas, x + (width - barcode.width) / 2, y)
