"""PAdES signatures with pyHanko (R15): empty fields first, then one incremental update per signer.

* :func:`prepare_fields` adds every signature field (empty) at generation time, on the boxes the
  rendered form reserved. Adding a field after a signature could invalidate it, so signing never
  creates fields.
* :func:`sign` fills one field by incremental update: the user's EC key (decrypted with their
  password), their certificate, and the CA certificate as the only extra certificate.
  :func:`sign_file` does the same to a file, in place (big exports).
* The visible appearance (handwriting, name, role, time) is drawn by reportlab in the CJK font into
  a one-page PDF of the field's size, which becomes the field's appearance stream. pyHanko's text
  stamp is not used (it garbles Chinese; its CJK path costs >1 s per signature).

pyHanko and reportlab are imported on first use.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from desk_app.domain.errors import ValidationError
from desk_app.forms.fonts import FONT, register_fonts
from desk_app.forms.pki import load_private_key
from desk_app.forms.spec import FormSpec, Progress, SlotRect, format_time
from desk_app.i18n import _

SIGNATURE_RESERVED_BYTES = 8192


@dataclass(frozen=True)
class SignatureAppearance:
    """What the signature box shows. ``handwriting_png``: a (transparent) PNG of the captured strokes."""

    handwriting_png: bytes | None
    signer_name: str
    role_label: str
    signed_at: datetime
    """From the standard clock (R8); naive UTC or aware. Printed as local time with offset."""


def ready_to_sign(spec: FormSpec, progress: Progress | None = None) -> bytes:
    """Render a form with all its signature fields, still empty: ready for
    ``KeyService.sign_pdf``."""
    from desk_app.forms.render import render_form

    rendered = render_form(spec, progress)
    return prepare_fields(rendered.pdf, rendered.slots)


def prepare_fields(pdf: bytes, slots: Sequence[SlotRect]) -> bytes:
    """``pdf`` plus one empty signature field per slot (an incremental update, before any signature)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    add_fields(writer, slots)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_fields(writer: Any, slots: Sequence[SlotRect]) -> None:
    """One empty signature field per slot, in the pending update of ``writer`` (a pyHanko
    ``IncrementalPdfFileWriter``); refused once the document holds a signature."""
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field, enumerate_sig_fields

    if any(True for _field in enumerate_sig_fields(writer.prev, filled_status=True)):
        raise ValidationError(_("Signature fields must be added before the first signature."))
    for slot in slots:
        x1, y1, x2, y2 = slot.rect
        append_signature_field(
            writer,
            SigFieldSpec(
                sig_field_name=slot.name,
                on_page=slot.page_index,
                box=(round(x1), round(y1), round(x2), round(y2)),
            ),
        )


def rendered_pdf_writer(stream: BinaryIO):
    """An incremental writer over a PDF this program has just rendered (``render_to``), for
    ``add_fields``: reportlab writes one flat page tree, so page N is looked up as the N-th
    kid, without pyHanko's walk that parses every page before it (30 MB and seconds for the
    last page of a 2,800-page export)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class RenderedPdfWriter(IncrementalPdfFileWriter):
        def find_page_for_modification(self, page_ix: int):
            pages = self.root["/Pages"]
            kids = pages["/Kids"]
            if len(kids) == pages["/Count"] and 0 <= page_ix < len(kids):
                page_ref = kids.raw_get(page_ix)
                page = page_ref.get_object()
                if page["/Type"] == "/Page":  # reportlab's tree: one /Pages, a kid per page
                    return page_ref, page.get("/Resources", pages.get("/Resources"))
            return super().find_page_for_modification(page_ix)

    return RenderedPdfWriter(stream)


def signature_fields(pdf: bytes) -> dict[str, bool]:
    """Field name → already signed, in document order."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf))
    return {name: value is not None for name, value, _ref in enumerate_sig_fields(reader)}


def render_appearance(appearance: SignatureAppearance, width: float, height: float) -> bytes:
    """A one-page PDF of ``width`` x ``height`` points: handwriting scaled to fit, role, name, time."""
    register_fonts()
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from desk_app.forms.drawing import fit_text

    out = io.BytesIO()
    canv = Canvas(out, pagesize=(width, height), initialFontName=FONT, pageCompression=1)
    pad, size = 2.5, min(7.5, max(5.0, height / 9))
    text_block = 2 * (size + 1.5)
    if appearance.handwriting_png:
        try:
            image = ImageReader(io.BytesIO(appearance.handwriting_png))
        except Exception as error:
            raise ValidationError(_("The handwritten signature image cannot be read.")) from error
        canv.drawImage(
            image,
            pad,
            text_block + pad,
            width - 2 * pad,
            height - text_block - 2 * pad,
            mask="auto",
            preserveAspectRatio=True,
            anchor="c",
        )
    canv.setFillColorRGB(0.05, 0.1, 0.35)
    canv.setFont(FONT, size)
    line1 = f"{appearance.role_label}  {appearance.signer_name}".strip()
    line2 = _("Signed {time}").format(time=format_time(appearance.signed_at))
    canv.drawString(pad, pad + size + 1.5, fit_text(line1, FONT, size, width - 2 * pad))
    canv.drawString(pad, pad, fit_text(line2, FONT, size, width - 2 * pad))
    canv.showPage()
    canv.save()
    return out.getvalue()


def _stamp_style(appearance_pdf: bytes):
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.stamp import StaticStampStyle

    class ImportedPdfBytes(PdfContent):
        """Like pyHanko's ImportedPdfPage, from bytes instead of a file name."""

        def render(self) -> bytes:
            writer = self._ensure_writer
            xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(appearance_pdf)), page_ix=0)
            self.resources.xobject["/DeskSignature"] = xobject
            x1, y1, x2, y2 = xobject.get_object()["/BBox"]
            self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
            return b"/DeskSignature Do"

    return StaticStampStyle(
        background=ImportedPdfBytes(),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


def _field_box(writer, field_name: str) -> tuple[float, float]:
    from pyhanko.sign.fields import enumerate_sig_fields

    for name, value, ref in enumerate_sig_fields(writer.prev):
        if name != field_name:
            continue
        if value is not None:
            raise ValidationError(_("This form is already signed in that box."), field="field_name")
        field = ref.get_object()
        widget = field if "/Rect" in field else field["/Kids"][0].get_object()
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        return abs(x2 - x1), abs(y2 - y1)
    raise ValidationError(_("This form has no signature box named {name}.").format(name=field_name))


def sign(
    pdf: bytes,
    field_name: str,
    key_pem: bytes,
    password: str,
    cert_pem: bytes,
    ca_cert_pem: bytes,
    appearance: SignatureAppearance | None,
) -> bytes:
    """Sign the empty field ``field_name`` (PAdES, incremental update) and return the new PDF.

    Wrong password → ``AuthenticationFailed`` (nothing returned); unknown or already signed field,
    or a file that is not a PDF → ``ValidationError``. ``appearance=None`` signs invisibly.
    """
    key = load_private_key(key_pem, password)  # first: a wrong password changes nothing
    return sign_with_key(pdf, field_name, key, cert_pem, ca_cert_pem, appearance)


def sign_with_key(pdf: bytes, field_name: str, key: Any, cert_pem: bytes, ca_cert_pem: bytes,
                  appearance: SignatureAppearance | None) -> bytes:
    """``sign`` with a private key already opened (the demo signs many forms with one key;
    opening it costs a scrypt derivation each time)."""
    signer = _signer(key, cert_pem, ca_cert_pem)
    writer = _writer(io.BytesIO(pdf))
    out = io.BytesIO()
    _sign_into(writer, field_name, signer, appearance, output=out)
    return out.getvalue()


def sign_file(path: str | os.PathLike[str], field_name: str, key_pem: bytes, password: str,
              cert_pem: bytes, ca_cert_pem: bytes, appearance: SignatureAppearance | None) -> None:
    """``sign`` the PDF file at ``path`` in place: the signature is appended to the file, which
    is read and hashed in chunks, never held in memory whole (a register export's is tens of MB)."""
    key = load_private_key(key_pem, password)  # first: a wrong password changes nothing
    signer = _signer(key, cert_pem, ca_cert_pem)
    with open(path, "r+b") as stream:
        _sign_into(_writer(stream), field_name, signer, appearance, in_place=True)


def _signer(key: Any, cert_pem: bytes, ca_cert_pem: bytes):
    """pyHanko's signer of ``key`` with its certificate, the CA as the only other one."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def certificate(data: bytes):
        try:
            return asn1_x509.Certificate.load(asn1_pem.unarmor(data)[2] if asn1_pem.detect(data) else data)
        except Exception as error:
            raise ValidationError(_("This is not a certificate.")) from error

    signing_cert, ca_cert = certificate(cert_pem), certificate(ca_cert_pem)
    signing_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=signing_key,
        # Only the CA: the signer's own certificate is embedded once, by pyHanko itself.
        cert_registry=SimpleCertificateStore.from_certs([ca_cert]),
    )


def _writer(stream: BinaryIO):
    """An incremental writer over the PDF in ``stream``; not a PDF → ``ValidationError``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    try:
        return IncrementalPdfFileWriter(stream)
    except Exception as error:
        raise ValidationError(_("This file is not a readable PDF.")) from error


def _sign_into(writer: Any, field_name: str, signer: Any, appearance: SignatureAppearance | None,
               output: BinaryIO | None = None, in_place: bool = False) -> None:
    """Fill the empty field ``field_name`` of ``writer``'s PDF: into ``output``, or appended
    to the PDF's own stream when ``in_place``."""
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    width, height = _field_box(writer, field_name)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=appearance.signer_name if appearance else None,
        reason=appearance.role_label if appearance else None,
    )
    style = None
    if appearance is not None:
        style = _stamp_style(render_appearance(appearance, width, height))
    pdf_signer = signers.PdfSigner(metadata, signer=signer, stamp_style=style)
    # A fixed reservation skips pyHanko's dry-run signature (a third of the signing time); an EC
    # P-256 CMS with the signer and CA certificates is about 1.5 KB.
    pdf_signer.sign_pdf(writer, existing_fields_only=True, bytes_reserved=SIGNATURE_RESERVED_BYTES,
                        output=output, in_place=in_place)
