"""The handover record's PDF: what it says, its three empty signature fields, and three PAdES
signatures in the order the service makes them (outgoing, incoming, supervisor)."""

from __future__ import annotations

from datetime import datetime

import pytest

from desk_app.forms import pki
from desk_app.forms.handover import SIGNATURE_FIELDS, render_handover
from desk_app.forms.signing import SignatureAppearance, signature_fields
from desk_app.forms.verify import verify_pdf

from .conftest import CA_SECRET, poppler, sign_as
from .handover_sample import show

COMPANY = "某某客服中心 Service Centre"


@pytest.fixture(scope="module")
def handed_over() -> bytes:
    return render_handover(show(300), COMPANY)


@pytest.fixture(scope="module")
def incoming_key(ca) -> pki.UserKeyMaterial:
    return pki.issue_user(ca, CA_SECRET, "huang", "黃大衛", "incoming-pw")


def text_of(pdf: bytes, tmp_path, *pages: int) -> str:
    path = tmp_path / "handover.pdf"
    path.write_bytes(pdf)
    window = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return poppler("pdftotext", "-layout", *window, str(path), "-")


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_header_people_entries_and_refusals_are_printed(handed_over, tmp_path):
    text = text_of(handed_over, tmp_path)
    flat = squeeze(text)
    for expected in ("Shift handover record", "JB2026-0431", "day shift of 2026-11-30",
                     "Scheduled handover", "Actual handover", "LATE", "(+12 min)",
                     "handed over, awaiting countersignature", "林美玲 (lin)", "陳志明 (chen)",
                     "黃大衛 (huang), counts and signs instead of the incoming person",
                     "陳志明 身體不適", "Problems of the shift", "Instructions from superiors",
                     "Unfinished work", "Public-area repairs", "二號空調機組跳脫",
                     "Cause:", "Process:", "Result:", "MAJOR", "resolved", "open",
                     "carried from JB2026-0412", "carried from JB2026-0398",
                     "carried from JB2026-0377", "Refused handovers",
                     "A major or emergency event is unresolved: entries 1, 3",
                     "Major equipment is starting or stopping", "Corrections",
                     "卡號應為 A-20931", "Outgoing", "Incoming", "Supervisor countersignature"):
        assert squeeze(expected) in flat, expected
    # the long CJK process text wraps inside its cell and is printed in full
    assert flat.count("已於十六時零五分復歸並持續觀察運轉電流") == 3


def test_checklist_is_grouped_and_marks_discrepancies(handed_over, tmp_path):
    text = text_of(handed_over, tmp_path)
    flat = squeeze(text)
    for section in ("Office supplies", "Communication equipment", "Documents and materials",
                    "Keys", "Other shared articles"):
        assert section in text
    assert "300 lines, 299 counted, 1 not counted." in text
    data = show(300)
    marked = [line for line in data["lines"] if line["discrepancy"]]
    assert f"{len(marked)} discrepancies, marked !." in text
    for line in data["lines"]:  # every line is printed, with its number and tag
        assert squeeze(line["tag"]) in flat
    for line in marked:  # each discrepancy line starts with the mark
        assert any(row.split()[:3] == ["!", str(line["no"]), line["label"].split()[0]]
                   for row in text.splitlines() if row.strip()), line["no"]
    marked_rows = [row for row in text.splitlines()
                   if row.split()[:1] == ["!"] and "Out with" not in row]  # not the header
    assert len(marked_rows) == len(marked)
    assert "對講機不在充電座上" in flat and "missing" in text and "damaged" in text
    assert "王小明" in flat


def test_header_row_repeats_on_every_checklist_page(handed_over, tmp_path):
    path = tmp_path / "handover.pdf"
    path.write_bytes(handed_over)
    pages = int(next(line.split()[-1] for line in poppler("pdfinfo", str(path)).splitlines()
                     if line.startswith("Pages:")))
    assert pages >= 6
    with_lines = 0
    for page in range(1, pages + 1):
        text = poppler("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-")
        if "Umbrella" in text or "Sample room" in text or "Radio" in text:
            with_lines += 1
            assert "Out with" in text and "Condition" in text, page
    assert with_lines >= 4


def test_three_empty_signature_fields(handed_over):
    assert signature_fields(handed_over) == {name: False for name in SIGNATURE_FIELDS}


def test_preparing_record_shows_the_flags_and_what_blocks(tmp_path):
    text = squeeze(text_of(render_handover(show(40, preparing=True), COMPANY), tmp_path))
    for expected in ("Status when printed", "in preparation",
                     "not yet when printed: the time of the incoming signature below", "LATE",
                     "(+22 min when printed)",
                     "Yes: 冷水主機 CH-1 停機保養中", "Blocking the handover now",
                     "The incoming person is unfit and no substitute is named",
                     "火警受信總機誤報", "40 lines, 39 counted, 1 not counted."):
        assert squeeze(expected) in text, expected


def test_empty_record_renders():
    data = show(0)
    data.update(entries=[], refusals=[], corrections=[], substitute=None, late=False)
    assert signature_fields(render_handover(data)) == {name: False for name in SIGNATURE_FIELDS}


def test_three_signatures_in_order_verify(handed_over, ca, clerk, incoming_key, supervisor,
                                          handwriting, tmp_path):
    at = datetime(2026, 11, 30, 9, 40)
    pdf = sign_as(handed_over, "outgoing", clerk, "clerk-pw", ca,
                  SignatureAppearance(handwriting, "张三", "Outgoing", at))
    pdf = sign_as(pdf, "incoming", incoming_key, "incoming-pw", ca,
                  SignatureAppearance(handwriting, "黃大衛", "Incoming", at))
    first_two = verify_pdf(pdf, ca.cert_pem)
    assert first_two.ok and first_two.unsigned_fields == ["supervisor"]
    pdf = sign_as(pdf, "supervisor", supervisor, "super-pw", ca,
                  SignatureAppearance(handwriting, "李四", "Supervisor", at))
    report = verify_pdf(pdf, ca.cert_pem)
    assert report.ok, report.problems
    assert [(s.field_name, s.signer_user) for s in report.signatures] == [
        ("outgoing", "zhang.san"), ("incoming", "huang"), ("supervisor", "li.si")]
    assert report.unsigned_fields == []
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    assert poppler("pdfsig", str(path)).count("Signature Validation: Signature is Valid") == 3


def test_300_lines_render_every_line(tmp_path):
    """Speed is measured in tests/perf/test_handover_perf.py (no timing thresholds here)."""
    data = show(300)
    text = squeeze(text_of(render_handover(data), tmp_path))
    assert all(squeeze(line["label"]) in text for line in data["lines"][::50])
