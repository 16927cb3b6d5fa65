"""The form blocks platypus cannot draw by itself: row streams, signature and handwriting boxes.

A :class:`RowStream` pulls rows from its iterator one page at a time and draws them at once, so a
big export never holds more than a page of rows (see :mod:`desk_app.forms.render`).

Imports reportlab at load: only :mod:`desk_app.forms.render` imports it, while rendering.
"""

from __future__ import annotations

import bisect
import io
import itertools
from collections.abc import Iterator, Sequence

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from desk_app.forms.canvas import RenderState
from desk_app.forms.drawing import (
    CELL_PAD,
    ROW_FONT_SIZE,
    ROW_HEIGHT,
    PreparedRow,
    column_widths,
    draw_rows,
    fit_text,
)
from desk_app.forms.fonts import FONT
from desk_app.forms.spec import SIGNATURE_BOX, SignatureSlot, SlotRect

BOX_WIDTH, BOX_HEIGHT = SIGNATURE_BOX
LABEL_FONT_SIZE = 9.5


class RowStream(Flowable):
    """Rows pulled from an iterator one page at a time; splits at page ends. Cells are one
    line, cut to fit, except in the ``wrapped`` columns (printed in full, the row grows)."""

    def __init__(
        self,
        state: RenderState,
        header: list[str],
        rows: Iterator,
        col_widths: Sequence[float] | None,
        total: int | None,
        buffer: list[PreparedRow] | None = None,
        wrapped: Sequence[int] = (),
    ) -> None:
        super().__init__()
        self.state, self.header, self.rows, self.col_widths, self.total = (
            state,
            header,
            rows,
            col_widths,
            total,
        )
        self.wrapped = tuple(wrapped)
        self.buffer: list[PreparedRow] = [] if buffer is None else buffer
        self.exhausted = False
        self.widths: list[float] = []
        self._fitter: _CellFitter | None = None

    def _fits(self, height: float) -> int:
        """How many rows fit under the header in ``height`` points (reading more as needed)."""
        used, count = ROW_HEIGHT, 0
        while True:
            if count >= len(self.buffer):
                self._fill(count + 1)
                if count >= len(self.buffer):
                    return count
            used += self.buffer[count].height
            if used > height:
                return count
            count += 1

    def _fill(self, count: int) -> None:
        while not self.exhausted and len(self.buffer) < count:
            try:
                row = next(self.rows)
            except StopIteration:
                self.exhausted = True
            else:
                self.buffer.append(self._prepared(row))

    def _prepared(self, row: Sequence) -> PreparedRow:
        """``PreparedRow(row, widths, wrapped)``, its one-line cells cut by ``_CellFitter``."""
        if self.wrapped:
            return PreparedRow(row, self.widths, self.wrapped)
        if self._fitter is None:
            self._fitter = _CellFitter([width - 2 * CELL_PAD for width in self.widths])
        prepared = PreparedRow.__new__(PreparedRow)
        prepared.cells, prepared.height = self._fitter.cells(row), ROW_HEIGHT  # one line each
        return prepared

    def _measure(self, available_width: float) -> None:
        self.width = available_width
        self.widths = column_widths(len(self.header), self.col_widths, available_width)

    def wrap(self, available_width, available_height):
        self._measure(available_width)
        fits = max(self._fits(available_height), 0)
        self._fill(fits + 1)
        if len(self.buffer) <= fits:
            self.height = ROW_HEIGHT + sum(row.height for row in self.buffer)
        else:
            self.height = available_height + 1  # too tall: platypus will split
        return self.width, self.height

    def _follow(self, rows: Iterator, buffer: list[PreparedRow]) -> RowStream:
        follow = RowStream(self.state, self.header, rows, self.col_widths, self.total, buffer,
                           self.wrapped)
        follow.widths, follow._fitter = self.widths, self._fitter
        return follow

    def split(self, available_width, available_height):
        self._measure(available_width)
        fits = self._fits(available_height)
        if fits <= 0:
            return []
        self._fill(fits + 1)
        head, rest = self.buffer[:fits], self.buffer[fits:]
        first = self._follow(iter(()), head)
        first.exhausted = True
        if not rest and self.exhausted:
            return [first]
        follow = self._follow(self.rows, rest)
        follow.exhausted = self.exhausted
        self.buffer = []
        return [first, follow]

    def draw(self) -> None:
        rows, self.buffer = self.buffer, []
        draw_rows(self.canv, self.header, rows, self.widths, self.width)
        self.state.report(len(rows), self.total)


class _CellFitter:
    """``drawing.fit_text`` of every one-line cell of a row stream, to the same cut, with the
    glyph widths summed by C code (``map``/``accumulate``): reportlab's pure-Python
    ``stringWidth`` per cell was a sixth of a big export. Widths in points, padding off."""

    def __init__(self, inner_widths: Sequence[float]) -> None:
        face = pdfmetrics.getFont(FONT).face
        self.width_of, self.default = face.charWidths.get, face.defaultWidth
        self.ellipsis = self.width_of(0x2026, self.default)
        self.inner = list(inner_widths)

    def cells(self, row: Sequence) -> list[list[str]]:
        cells: list[list[str]] = []
        for width, value in zip(self.inner, row, strict=False):
            text = "" if value is None else str(value)
            cells.append([self.fit(text, width)] if text else [])
        return cells

    def fit(self, text: str, width: float) -> str:
        text = text.replace("\n", " ")
        size = ROW_FONT_SIZE
        if len(text) * size <= width:
            return text
        glyphs = list(map(self.width_of, map(ord, text), itertools.repeat(self.default)))
        if 0.001 * size * sum(glyphs) <= width:  # reportlab's stringWidth, term for term
            return text
        limit = width * 1000.0 / size - self.ellipsis
        used = list(itertools.accumulate(glyphs, initial=0.0))  # used[i + 1]: through char i
        cut = bisect.bisect_right(used, limit)  # the first total over the limit
        if cut >= len(used):
            return text
        return text[:max(cut - 1, 0)] + "…"


class SignatureBoxes(Flowable):
    """A row (or rows) of labelled boxes; never split across pages. Each box drawn is recorded in
    ``state.slots`` with its page and absolute rectangle, where the signature field will go."""

    LABEL_HEIGHT = 14.0
    GAP = 18.0

    def __init__(self, state: RenderState, slots: list[SignatureSlot]) -> None:
        super().__init__()
        self.state, self.slots = state, slots

    def _per_row(self, available_width: float) -> int:
        return max(1, int((available_width + self.GAP) // (BOX_WIDTH + self.GAP)))

    def wrap(self, available_width, available_height):
        self.width = available_width
        lines = -(-len(self.slots) // self._per_row(available_width))
        self.height = 6 + lines * (self.LABEL_HEIGHT + BOX_HEIGHT + self.GAP)
        return self.width, self.height

    def split(self, available_width, available_height):
        return []

    def draw(self) -> None:
        canv = self.canv
        per_row = self._per_row(self.width)
        page_index = canv.getPageNumber() - 1
        for index, slot in enumerate(self.slots):
            line, column = divmod(index, per_row)
            x = column * (BOX_WIDTH + self.GAP)
            y = self.height - 6 - (line + 1) * (self.LABEL_HEIGHT + BOX_HEIGHT) - line * self.GAP
            canv.setFillGray(0)
            canv.setFont(FONT, LABEL_FONT_SIZE)
            canv.drawString(x, y + BOX_HEIGHT + 4, fit_text(slot.label, FONT, LABEL_FONT_SIZE, BOX_WIDTH))
            canv.setStrokeGray(0.55)
            canv.setLineWidth(0.6)
            canv.setDash(3, 2)
            canv.rect(x, y, BOX_WIDTH, BOX_HEIGHT, stroke=1, fill=0)
            canv.setDash()
            ax, ay = canv.absolutePosition(x, y)
            self.state.slots.append(
                SlotRect(
                    slot.name,
                    slot.label,
                    page_index,
                    (round(ax, 2), round(ay, 2), round(ax + BOX_WIDTH, 2), round(ay + BOX_HEIGHT, 2)),
                )
            )


class HandwritingBox(Flowable):
    """A box like a signature box (solid, not dashed), with the captured strokes drawn in it."""

    def __init__(self, label: str, png: bytes | None) -> None:
        super().__init__()
        self.label = label
        self.image = ImageReader(io.BytesIO(png)) if png else None

    def wrap(self, available_width, available_height):
        self.width, self.height = available_width, BOX_HEIGHT + 24
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.setFillGray(0)
        canv.setFont(FONT, LABEL_FONT_SIZE)
        canv.drawString(0, BOX_HEIGHT + 10, fit_text(self.label, FONT, LABEL_FONT_SIZE, BOX_WIDTH))
        canv.setStrokeGray(0.55)
        canv.setLineWidth(0.6)
        canv.rect(0, 6, BOX_WIDTH, BOX_HEIGHT, stroke=1, fill=0)
        if self.image is not None:
            width, height = self.image.getSize()
            scale = min((BOX_WIDTH - 8) / width, (BOX_HEIGHT - 8) / height)
            canv.drawImage(self.image, 4, 10, width * scale, height * scale, mask="auto")
