"""Big register exports are written as they grow and signed in place (issue 17): the file is
never held in memory whole, and what comes out is the same signed, anchored register."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from desk_app.domain.errors import AuthenticationFailed
from desk_app.forms.checkpoint import AuditHead, audit_head_of
from desk_app.forms.registers import EXPORTER_SLOT, RegisterExport, write_register_pdf
from desk_app.forms.signing import SignatureAppearance, rendered_pdf_writer, sign_file
from desk_app.forms.verify import verify_pdf

from .conftest import GENERATED, poppler

HEAD = AuditHead(42, "ab" * 32, "db-1", "2025-03-04T09:05:00Z")
ROWS = 1200  # some 35 pages


def export(total: int = ROWS) -> RegisterExport:
    return RegisterExport("某某客服中心", "借阅登记簿", "LOA-00000042", GENERATED, HEAD.hash,
                          "2025-01-01 – 2025-03-04", "陈静 (chenjing)",
                          ["No.", "Reference", "Title", "Borrower"], [1, 2, 4, 2], total, HEAD)


def rows(total: int = ROWS):
    return ([str(n), f"GC-2025-{n:06d}", f"档案 {n} 号", "张三"] for n in range(1, total + 1))


def xref_offsets_hold_their_objects(pdf: bytes) -> None:
    """Every entry of the first xref table points at the object it names."""
    start = int(pdf[:pdf.index(b"%%EOF")].rsplit(b"startxref", 1)[1].split()[0])
    lines = pdf[start:].split(b"trailer", 1)[0].split(b"\n")
    first, count = (int(value) for value in lines[1].split())
    assert first == 0
    for number, line in enumerate(lines[3:2 + count], start=1):
        offset = int(line[:10])
        assert pdf[offset:].startswith(b"%d 0 obj" % number), number


def test_render_is_written_as_pages_finish(tmp_path):
    """A page is in the file before the next one is drawn (memory stays flat), and the file
    reportlab's streamed document leaves is a well-formed PDF."""
    path = tmp_path / "register.pdf"
    sizes: list[int] = []

    def progress(done: int, total: int) -> bool:
        sizes.append(path.stat().st_size)
        return True

    from desk_app.forms.render import render_to
    from desk_app.forms.spec import FormSpec

    spec = FormSpec("某某客服中心", "借阅登记簿", "LOA-1", GENERATED, landscape=True)
    spec.rows(["No.", "Title"], ([str(n), "档案"] for n in range(3000)), total=3000)
    with path.open("wb", buffering=0) as out:  # unbuffered: the size shows what was written
        render_to(spec, out, progress)
    assert len(sizes) > 10 and sizes[-1] > sizes[0] > 0, "pages reach the file while drawing"
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF-1.4\n")
    xref_offsets_hold_their_objects(pdf)
    assert "Page 1 of " in poppler("pdftotext", "-l", "1", str(path), "-")


def test_rendered_writer_finds_the_same_pages_as_pyhanko(tmp_path):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    path = tmp_path / "register.pdf"
    write_register_pdf(export(), rows(), path)
    with path.open("rb") as stream:
        fast, walked = rendered_pdf_writer(stream), IncrementalPdfFileWriter(stream)
        count = int(walked.root["/Pages"]["/Count"])
        assert count > 30
        for index in (0, 1, count // 2, count - 1):
            assert fast.find_page_for_modification(index)[0].reference == \
                walked.find_page_for_modification(index)[0].reference


def test_register_signed_in_place_verifies(tmp_path, ca, clerk, handwriting):
    path = tmp_path / "register.pdf"
    write_register_pdf(export(), rows(), path)
    unsigned = path.read_bytes()
    assert audit_head_of(unsigned) == HEAD
    assert len(re.findall(rb"%%EOF", unsigned)) == 2, "fields and head: one update"
    sign_file(path, EXPORTER_SLOT, clerk.key_pem, "clerk-pw", clerk.cert_pem, ca.cert_pem,
              SignatureAppearance(handwriting, "张三", "审计", datetime(2025, 3, 4, 9, 6)))
    signed = path.read_bytes()
    assert signed.startswith(unsigned), "the signature is appended to the file"
    report = verify_pdf(signed, ca.cert_pem)
    assert report.ok, report.problems
    assert [s.field_name for s in report.signatures] == [EXPORTER_SLOT]
    assert audit_head_of(signed) == HEAD
    assert "Signature is Valid" in poppler("pdfsig", str(path))


def test_wrong_password_leaves_the_file_unchanged(tmp_path, ca, clerk):
    path = tmp_path / "register.pdf"
    write_register_pdf(export(40), rows(40), path)
    unsigned = path.read_bytes()
    with pytest.raises(AuthenticationFailed):
        sign_file(path, EXPORTER_SLOT, clerk.key_pem, "wrong", clerk.cert_pem, ca.cert_pem, None)
    assert path.read_bytes() == unsigned
