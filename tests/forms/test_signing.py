from __future__ import annotations

import io
from datetime import datetime

import pytest

from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.forms import pki
from desk_app.forms.signing import SignatureAppearance, prepare_fields, signature_fields
from desk_app.forms.verify import verify_pdf

from .conftest import CA_SECRET, loan_spec, poppler, sign_as


def appearance(handwriting, name="张三", role="经办人"):
    return SignatureAppearance(handwriting, name, role, datetime(2025, 3, 4, 9, 6))


def test_two_signers_verify(signed_pdf, ca):
    report = verify_pdf(signed_pdf, ca.cert_pem)
    assert report.ok, report.problems
    assert [(s.field_name, s.signer_name, s.signer_user) for s in report.signatures] == [
        ("clerk", "张三", "zhang.san"),
        ("supervisor", "李四", "li.si"),
    ]
    for check in report.signatures:
        assert check.intact and check.trusted and not check.modified_after and check.problem == ""
        assert check.signed_at is not None
    assert report.unsigned_fields == []
    assert signature_fields(signed_pdf) == {"clerk": True, "supervisor": True}


def test_fields_exist_before_any_signature(fields_pdf, ca):
    assert signature_fields(fields_pdf) == {"clerk": False, "supervisor": False}
    report = verify_pdf(fields_pdf, ca.cert_pem)
    assert not report.ok and report.signatures == [] and report.unsigned_fields == ["clerk", "supervisor"]


def test_first_signature_alone_is_valid(fields_pdf, ca, clerk, handwriting):
    pdf = sign_as(fields_pdf, "clerk", clerk, "clerk-pw", ca, appearance(handwriting))
    report = verify_pdf(pdf, ca.cert_pem)
    assert report.ok and report.unsigned_fields == ["supervisor"]


def test_signer_certificate_embedded_once(signed_pdf, clerk):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(clerk.cert_pem).public_bytes(Encoding.DER)
    from pyhanko.pdf_utils.reader import PdfFileReader

    sig = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures[0]
    certs = [c.dump() for c in sig.signed_data["certificates"]]
    assert certs.count(der) == 1
    assert len(certs) == 2  # signer + CA


def test_changed_byte_in_signed_range_fails(signed_pdf, ca):
    needle = b"/Author"
    at = signed_pdf.index(needle) + 1
    tampered = signed_pdf[:at] + b"B" + signed_pdf[at + 1 :]  # /Author -> /Buthor, same length
    report = verify_pdf(tampered, ca.cert_pem)
    assert not report.ok
    assert not report.signatures[0].intact and report.signatures[0].problem


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_changed_byte_anywhere_fails(signed_pdf, ca, fraction):
    at = int(len(signed_pdf) * fraction)
    tampered = signed_pdf[:at] + bytes([signed_pdf[at] ^ 0x01]) + signed_pdf[at + 1 :]
    try:
        report = verify_pdf(tampered, ca.cert_pem)
    except ValidationError:
        return  # unreadable is a failure too
    assert not report.ok


def test_update_appended_after_last_signature_is_flagged(signed_pdf, ca):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    page_ref, _resources = writer.find_page_for_modification(0)
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (50, 50, 70, 70)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("已归还"),
        }
    )
    writer.register_annotation(page_ref, writer.add_object(annot))
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), ca.cert_pem)
    assert not report.ok
    assert report.signatures[-1].modified_after
    assert all(s.intact for s in report.signatures)


def test_new_object_appended_after_last_signature_is_flagged(signed_pdf, ca):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.add_object(generic.TextStringObject("appended"))
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), ca.cert_pem)
    assert not report.ok and report.signatures[-1].modified_after


def test_foreign_ca_is_untrusted(fields_pdf, ca, foreign_ca, handwriting):
    stranger = pki.issue_user(foreign_ca, "other", "zhang.san", "张三", "pw")
    pdf = sign_as(fields_pdf, "clerk", stranger, "pw", foreign_ca, appearance(handwriting))
    report = verify_pdf(pdf, ca.cert_pem)
    assert not report.ok
    check = report.signatures[0]
    assert check.intact and not check.trusted and not check.modified_after and check.problem
    assert verify_pdf(pdf, foreign_ca.cert_pem).ok


def test_truncated_and_text_files_are_validation_errors(signed_pdf, ca):
    with pytest.raises(ValidationError, match="truncated"):
        verify_pdf(signed_pdf[: len(signed_pdf) // 2], ca.cert_pem)
    with pytest.raises(ValidationError, match="not a PDF"):
        verify_pdf("借阅记录\n这不是 PDF\n".encode(), ca.cert_pem)
    with pytest.raises(ValidationError):
        verify_pdf(b"", ca.cert_pem)
    with pytest.raises(ValidationError):
        verify_pdf(b"%PDF-1.7\ngarbage\n%%EOF\n", ca.cert_pem)


def test_wrong_password_returns_nothing(fields_pdf, ca, clerk, handwriting):
    result = None
    with pytest.raises(AuthenticationFailed, match="Wrong password"):
        result = sign_as(fields_pdf, "clerk", clerk, "bad", ca, appearance(handwriting))
    assert result is None


def test_unknown_or_signed_field_is_refused(signed_pdf, fields_pdf, ca, clerk, handwriting):
    with pytest.raises(ValidationError):
        sign_as(fields_pdf, "nobody", clerk, "clerk-pw", ca, appearance(handwriting))
    with pytest.raises(ValidationError):
        sign_as(signed_pdf, "clerk", clerk, "clerk-pw", ca, appearance(handwriting))
    with pytest.raises(ValidationError):
        prepare_fields(signed_pdf, [])


def test_invisible_and_no_handwriting(fields_pdf, ca, clerk):
    pdf = sign_as(fields_pdf, "clerk", clerk, "clerk-pw", ca, None)
    assert verify_pdf(pdf, ca.cert_pem).ok
    pdf = sign_as(fields_pdf, "clerk", clerk, "clerk-pw", ca,
                  SignatureAppearance(None, "张三", "经办人", datetime(2025, 3, 4, 9, 6)))
    assert verify_pdf(pdf, ca.cert_pem).ok


def test_poppler_sees_valid_signatures_and_embedded_fonts(signed_pdf, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)
    out = poppler("pdfsig", str(path))
    assert out.count("Signature is Valid.") == 2, out
    assert "Signer Certificate Common Name: 张三" in out
    for line in poppler("pdffonts", str(path)).splitlines()[2:]:
        assert " yes " in line and line.split()[-5] == "yes", line
    text = poppler("pdftotext", str(path), "-")
    assert "张三" in text and "李四" in text  # drawn by our appearance, in the CJK font


def test_record_spec_is_reusable(ca, supervisor, handwriting):
    from desk_app.forms.render import render_form

    rendered = render_form(loan_spec("LN-2"))
    pdf = prepare_fields(rendered.pdf, rendered.slots)
    pdf = sign_as(pdf, "supervisor", supervisor, "super-pw", ca, appearance(handwriting, "李四", "主管"))
    report = verify_pdf(pdf, ca.cert_pem)
    assert report.ok and report.unsigned_fields == ["clerk"]
    assert CA_SECRET
