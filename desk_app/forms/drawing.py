"""Drawing straight on a reportlab canvas, shared by forms, labels and signature appearances.

Callers pass the canvas; reportlab is imported inside the functions that need it, so importing
this module (as :mod:`desk_app.forms.labels` and :mod:`desk_app.forms.signing` do) stays cheap.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from desk_app.forms.fonts import FONT, FONT_BOLD

# One line of a big export's row stream, in points; :mod:`desk_app.forms.flowables` pages by it.
ROW_FONT_SIZE = 7.5
ROW_HEIGHT = 11.0
CELL_PAD = 2.5


def fit_text(text: str, font: str, size: float, width: float) -> str:
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


def draw_qr(canv, value: str, x: float, y: float, size: float) -> None:
    """A QR code of ``value`` as one filled path (no renderPDF: it would add a Helvetica resource)."""
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


def column_widths(count: int, weights: Sequence[float] | None, available: float) -> list[float]:
    """Point widths of ``count`` columns sharing ``available`` by relative ``weights`` (None: equal)."""
    shares = list(weights) if weights else [1.0] * count
    if len(shares) != count:
        raise ValueError("col_widths must have one weight per column")
    scale = available / sum(shares)
    return [w * scale for w in shares]


def draw_rows(canv, header: list[str], rows: list, weights: Sequence[float] | None, width: float) -> None:
    """A header row and single-line ``rows`` at the origin, cells cut to fit, one text object and
    one path for the whole block (cheaper than a platypus Table for thousands of rows)."""
    widths = column_widths(len(header), weights, width)
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
        text.textOut(fit_text(label, FONT_BOLD, ROW_FONT_SIZE, cell_width - 2 * CELL_PAD))
    text.setFont(FONT, ROW_FONT_SIZE)
    for row in rows:
        y -= ROW_HEIGHT
        for left, cell_width, value in zip(lefts, widths, row, strict=False):
            if value is None or value == "":
                continue
            text.setTextOrigin(left + CELL_PAD, y + baseline)
            text.textOut(fit_text(str(value), FONT, ROW_FONT_SIZE, cell_width - 2 * CELL_PAD))
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
