"""The page every form shares, and the state of one render.

Every page carries the company name and the form title, the record number and a QR code of it,
"page X of Y", the generation time (local time, no UTC offset) and, on exports, the head hash
of the audit chain (R16). Header, footer and page numbers are form XObjects drawn once, when the
document is saved: only then is the page count known, and each page just refers to them.

Imports reportlab at load: only :mod:`desk_app.forms.render` imports it, while rendering.
"""

from __future__ import annotations

import functools
import zlib

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from desk_app.forms.drawing import draw_qr, fit_text
from desk_app.forms.fonts import FONT, FONT_BOLD
from desk_app.forms.spec import (
    FOOTER_HEIGHT,
    HEADER_HEIGHT,
    MARGIN,
    QR_SIZE,
    FormSpec,
    Progress,
    SlotRect,
    format_time,
)
from desk_app.i18n import _


class RenderState:
    """Per-render state shared by the page template, the canvas and the flowables."""

    def __init__(self, spec: FormSpec, progress: Progress | None) -> None:
        self.spec = spec
        self.progress = progress
        self.page_size = landscape(A4) if spec.landscape else A4
        self.pages = 0
        self.slots: list[SlotRect] = []
        self.rows_done = 0

    def on_page(self, canv, doc) -> None:
        """Page template callback: refer to the header and footer, defined at save time."""
        self.pages = canv.getPageNumber()
        canv.doForm("deskHeader")
        canv.doForm("deskFooter")
        canv.doForm(f"deskPageNo{self.pages}")

    def canvas_maker(self):
        """The ``canvasmaker`` for ``doc.build``: a :class:`FormCanvas` bound to this render."""
        return functools.partial(FormCanvas, state=self)

    def report(self, done_now: int, total: int | None) -> None:
        """Count rows drawn and ask the progress callback; it returning False cancels the render."""
        self.rows_done += done_now
        if self.progress is not None and not self.progress(self.rows_done, total or 0):
            raise InterruptedError(_("Export cancelled."))

    def define_forms(self, canv) -> None:
        """The header, footer and one "page X of Y" XObject per page (the count is known now)."""
        width, height = self.page_size
        spec = self.spec
        canv.beginForm("deskHeader")
        top = height - MARGIN
        canv.setFillGray(0.35)
        canv.setFont(FONT, 9)
        canv.drawString(MARGIN, top - 9, spec.company)
        canv.setFillGray(0)
        canv.setFont(FONT_BOLD, 16)
        title_width = width - 2 * MARGIN - QR_SIZE - 140
        canv.drawString(MARGIN, top - 34, fit_text(spec.title, FONT_BOLD, 16, title_width))
        canv.setFont(FONT, 9)
        canv.drawString(MARGIN, top - 54, _("Record No. {number}").format(number=spec.record_no))
        draw_qr(canv, spec.record_no, width - MARGIN - QR_SIZE, top - QR_SIZE, QR_SIZE)
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


class FormCanvas(Canvas):
    """A canvas that compresses each finished page and adds the shared forms before saving."""

    def __init__(self, *args, state: RenderState, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.state = state

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
        if len(self._code):  # finish the last page as Canvas.save would, before the forms begin
            self.showPage()
        self.state.define_forms(self)
        super().save()
