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
LINE_HEIGHT = 9.0  # each further line of a wrapped cell
_NO_LINE_START = frozenset("，。、；：？！）」』》〉】”’…")  # never begin a wrapped line
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


def wrap_text(text: str, font: str, size: float, width: float, max_lines: int = 30) -> list[str]:
    """``text`` in lines of at most ``width`` points, broken at spaces or after any Chinese
    character (or anywhere in a long unbroken word: a hash); at most ``max_lines``, the last
    cut with "…" (a row never outgrows a page)."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font).face
    widths, default = face.charWidths, face.defaultWidth
    limit = width * 1000.0 / size
    lines: list[str] = []
    for paragraph in text.split("\n"):
        start, used, breakable = 0, 0.0, -1
        for index, char in enumerate(paragraph):
            used += widths.get(ord(char), default)
            if used > limit and index > start:
                cut = breakable if breakable > start else index
                lines.append(paragraph[start:cut].rstrip())
                start = cut
                while start < len(paragraph) and paragraph[start] == " ":
                    start += 1
                used = sum(widths.get(ord(c), default) for c in paragraph[start:index + 1])
                breakable = -1
            following = paragraph[index + 1:index + 2]
            if char == " " or (ord(char) >= 0x2E80 and following not in _NO_LINE_START):
                breakable = index + 1
        lines.append(paragraph[start:].rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fit_text(lines[-1] + "…", font, size, width)
        if not lines[-1].endswith("…"):
            lines[-1] = lines[-1][:-1] + "…"
    return lines


class PreparedRow:
    """One row's cells ready to draw: single-line cells cut to fit, wrapped ones in lines."""

    __slots__ = ("cells", "height")

    def __init__(self, row: Sequence, widths: Sequence[float], wrapped: Sequence[int]) -> None:
        self.cells: list[list[str]] = []
        for index, (cell_width, value) in enumerate(zip(widths, row, strict=False)):
            text = "" if value is None else str(value)
            inner = cell_width - 2 * CELL_PAD
            if not text:
                self.cells.append([])
            elif index in wrapped:
                self.cells.append(wrap_text(text, FONT, ROW_FONT_SIZE, inner))
            else:
                self.cells.append([fit_text(text, FONT, ROW_FONT_SIZE, inner)])
        lines = max((len(lines) for lines in self.cells), default=1)
        self.height = ROW_HEIGHT + max(lines - 1, 0) * LINE_HEIGHT


def draw_rows(canv, header: list[str], rows: Sequence[PreparedRow], widths: Sequence[float],
              width: float) -> None:
    """A header row and ``rows`` at the origin (``widths`` in points), one text object and
    one path for the whole block (cheaper than a platypus Table for thousands of rows)."""
    lefts = [sum(widths[:i]) for i in range(len(widths))]
    height = ROW_HEIGHT + sum(row.height for row in rows)
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
        text.textLine(fit_text(label, FONT_BOLD, ROW_FONT_SIZE, cell_width - 2 * CELL_PAD))
    text.setFont(FONT, ROW_FONT_SIZE)
    tops = [y]
    for row in rows:
        top = y
        y -= row.height
        tops.append(y)
        for left, lines in zip(lefts, row.cells, strict=False):
            for number, line in enumerate(lines):
                text.setTextOrigin(left + CELL_PAD, top - ROW_HEIGHT + baseline - number * LINE_HEIGHT)
                # textLine, not textOut: every cell sets its origin, and textOut would
                # measure each string (pure Python) only to move past it (14% of an export).
                text.textLine(line)
    canv.drawText(text)
    canv.setLineWidth(0.4)
    canv.setStrokeGray(0.6)
    path = canv.beginPath()
    for line_y in [height, *tops]:
        path.moveTo(0, line_y)
        path.lineTo(width, line_y)
    for left in [*lefts, width]:
        path.moveTo(left, 0)
        path.lineTo(left, height)
    canv.drawPath(path, stroke=1, fill=0)
    canv.restoreState()
