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
from typing import Any, BinaryIO

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
    """A canvas that writes each page as soon as it is finished (its content compressed) and
    the shared forms when saving. The target must be a binary stream (``render_to`` opens a
    file name): the document is written into it as it grows (:class:`StreamedDocument`)."""

    def __init__(self, out: BinaryIO, *args, state: RenderState, **kwargs) -> None:
        super().__init__(out, *args, **kwargs)
        self.state = state
        self._doc.__class__ = StreamedDocument  # reportlab builds its own; ours only adds methods
        self._doc.start(out)

    def doForm(self, name: str) -> None:
        self._doc.reserve(pdfdoc.xObjectName(name))  # a page written before the form refers to it
        super().doForm(name)

    def showPage(self) -> None:
        super().showPage()
        doc = self._doc
        page = doc.Pages.pages[-1]
        stream = page.stream
        if stream and not page.Contents:
            data = stream.encode("latin-1") if isinstance(stream, str) else stream
            contents = pdfdoc.PDFStream(content=zlib.compress(data, 6))
            contents.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            contents.__Comment__ = "page stream"
            page.Contents = doc.write_now(contents)
            page.stream = None
        doc.Pages.pages[-1] = doc.write_now(page)

    def endForm(self, **extra_attributes) -> None:
        name = self._formData[0]
        super().endForm(**extra_attributes)
        self._doc.write_now(self._doc.idToObject[pdfdoc.xObjectName(name)])

    def save(self) -> None:
        if len(self._code):  # finish the last page as Canvas.save would, before the forms begin
            self.showPage()
        self.state.define_forms(self)
        super().save()


class StreamedDocument(pdfdoc.PDFDocument):
    """reportlab's document, written as it grows: each page (its content and its dictionary)
    as soon as it is finished, each form as soon as it is defined, the rest when saving.
    reportlab would keep every page until the end and then join the whole file in memory
    (about three times its size); this way memory does not grow with the pages of a long
    export (issue 17: 100,000 rows are about 2,800 pages), but for a number and an offset per
    object. A page refers to the header, footer and page number forms, which are drawn only
    at the end (the page count is known then): their object numbers are reserved when a page
    first uses them (``reserve``), and the forms take them when they are defined.

    ``format`` is reportlab's ``PDFDocument.format`` (4.x–5.x) without encryption or digital
    signatures, skipping the objects already written; it writes to the output itself."""

    _out: Any
    _offset: int
    _header_version: tuple[int, int]
    _reserved: set[str]

    def start(self, out: BinaryIO) -> None:
        """Begin the file in ``out`` with reportlab's header. Its PDF version is written now,
        so it is the one every feature reportlab knows needs (1.4, transparency: any colour
        set on a form asks for it), not raised later as reportlab would."""
        self._out, self._offset, self._reserved = out, 0, set()
        self.ensureMinPdfVersion(*pdfdoc.PDF_SUPPORT_VERSION)
        self._header_version = self._pdfVersion
        for chunk in pdfdoc.PDFFile(self._pdfVersion).strings:
            self._write(chunk)

    def _write(self, data: bytes | str) -> int:
        """Write ``data``; its offset in the file."""
        data = pdfdoc.pdfdocEnc(data)
        offset = self._offset
        self._out.write(data)
        self._offset = offset + len(data)
        return offset

    def reserve(self, name: str) -> None:
        """An object number for the object to be registered as ``name`` later."""
        if name not in self.idToObjectNumberAndVersion:
            self.objectcounter += 1
            self.idToObjectNumberAndVersion[name] = (self.objectcounter, 0)
            self.numberToId[self.objectcounter] = name
            self._reserved.add(name)

    def Reference(self, obj: Any, name: str | None = None) -> Any:
        """reportlab's ``Reference``; registered under a reserved name, ``obj`` takes its number."""
        if name in self._reserved and isinstance(obj, pdfdoc.PDFObject):
            self._reserved.discard(name)
            setattr(obj, pdfdoc.__InternalName__, name)
            self.idToObject[name] = obj
            return pdfdoc.PDFObjectReference(name)
        return super().Reference(obj, name)

    def write_now(self, obj: Any) -> Any:
        """Number ``obj`` and write it now; a reference to it (the object itself is dropped)."""
        reference = self.Reference(obj)
        self._write_object(reference.name)
        return reference

    def _write_object(self, name: str) -> None:
        obj = self.idToObject[name]
        self.idToOffset[name] = self._write(pdfdoc.PDFIndirectObject(name, obj).format(self))
        self.idToObject[name] = None  # written: only its number and offset are kept

    def format(self) -> bytes:
        if not isinstance(self.encrypt, pdfdoc.NoEncryption) or getattr(self, "_digiSigs", None):
            raise ValueError("a streamed document is never encrypted or signed by reportlab")
        if self._pdfVersion > self._header_version:
            raise ValueError(f"PDF version {self._pdfVersion} needed after the header was written")
        if self._reserved:
            raise ValueError(f"forms used but never defined: {sorted(self._reserved)}")
        catalog, info = self.Catalog, self.info
        self.Reference(catalog)
        self.Reference(info)
        ids = []
        number = 1
        while number in self.numberToId:  # objects may be added while others are formatted
            name = self.numberToId[number]
            if name not in self.idToOffset:
                self._write_object(name)
            ids.append(name)
            number += 1
        if len(ids) != len(self.numberToId):
            raise ValueError("the document's object numbers have a gap")
        xref = pdfdoc.PDFCrossReferenceTable()
        xref.addsection(0, ids)
        start_xref = self._write(xref.format(self))
        trailer = pdfdoc.PDFTrailer(startxref=start_xref, Size=len(ids) + 1,
                                    Root=self.Reference(catalog), Info=self.Reference(info),
                                    Encrypt=None, ID=self.ID())
        self._write(trailer.format(self))
        return b""  # all written already: SaveToFile appends nothing
