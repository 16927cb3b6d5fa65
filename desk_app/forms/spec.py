"""What a printed record (R15) says, as plain values: no reportlab here, so any code may build one.

Every page carries the same header and footer (see :mod:`desk_app.forms.canvas`). The content is
a list of blocks: headings, paragraphs (CJK-aware wrapping), key/value tables, data tables that
break across pages with a repeated header row, fast single-line row streams for big exports (rows
from a generator, with progress and cancel), handwriting boxes, and signature boxes whose page and
rectangle are returned so :mod:`desk_app.forms.signing` can create the fields.

:mod:`desk_app.forms.render` turns a :class:`FormSpec` into a PDF; reportlab is imported only then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from desk_app.domain.clock import format_datetime

Progress = Callable[[int, int], bool]
"""``(rows done, rows total or 0 when unknown) -> keep going``; returning False cancels."""

# Page geometry in points: the body frame (render) and the header and footer (canvas) share it.
MARGIN = 40.0
HEADER_HEIGHT = 74.0
FOOTER_HEIGHT = 24.0
QR_SIZE = 58.0
SIGNATURE_BOX = (170.0, 72.0)
"""Width and height (points) of a signature box; the field and its appearance use this size."""


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
        wrapped: Sequence[int] = (),
    ) -> FormSpec:
        """A fast table for big exports: rows are pulled lazily from ``rows``.

        Cells longer than their column are cut with "…", except in the ``wrapped`` columns
        (positions), printed in full over as many lines as they need. ``total`` (if known) is
        passed to the progress callback.
        """
        self.blocks.append(("rows", (list(header), rows, col_widths, total, tuple(wrapped))))
        return self

    def flowables(self, build: Callable[[float], list]) -> FormSpec:
        """Blocks the plain ones cannot say (marked rows, grouped tables): ``build(width)``
        returns reportlab flowables for a frame ``width`` points wide. It runs while rendering,
        so reportlab is imported inside it (see :mod:`desk_app.forms.handover`)."""
        self.blocks.append(("flowables", build))
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


def format_time(moment: datetime, tz: tzinfo | None = None) -> str:
    """``2025-03-04 17:05``: local (or ``tz``) time, as everywhere else (domain.clock)."""
    if tz is None:
        return format_datetime(moment)
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(tz).strftime("%Y-%m-%d %H:%M")
