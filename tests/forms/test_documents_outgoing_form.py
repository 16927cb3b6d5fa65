"""The outgoing draft sheet (发文稿纸) and the liaison sheet (工作联络单): what they print, their
empty signature fields, and the four PAdES signatures of the draft sheet in the order the
service makes them (drafter, reviewer, signer, clerk)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from desk_app.forms import pki
from desk_app.forms.documents_outgoing import (
    LIAISON_FIELDS,
    SIGNATURE_FIELDS,
    draft_sheet_pdf,
    liaison_pdf,
)
from desk_app.forms.signing import SignatureAppearance, signature_fields
from desk_app.forms.verify import verify_pdf

from .conftest import CA_SECRET, poppler, sign_as

COMPANY = "示例物业服务有限公司"
AT = datetime(2026, 11, 2, 1, 30)


def sample(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": "FG2026-0007", "title": "关于春节期间物业服务安排的通知",
        "addressee": "各业主、住户", "dept_name": "客服部", "drafted_by": "陈晓",
        "drafted_at": AT, "printed_at": AT, "kind_name": "通知", "level_label": "Internal",
        "urgency_label": "Urgent", "corrects": "", "issued_no": "",
        "body": "各位业主、住户：\n春节期间客服中心值班时间为每日8:00至20:00。",
        "attachment": {"name": "值班表.xlsx", "size": 24_000}}
    data.update(changes)
    return data


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return "".join(poppler("pdftotext", str(path), "-").split())


@pytest.fixture(scope="module")
def signers(ca) -> list[tuple[str, pki.UserKeyMaterial, str, str]]:
    """(field, key, password, name) in signing order."""
    people = [("drafter", "chen", "陈晓"), ("reviewer", "zhou", "周敏"),
              ("approver", "boss", "张伟"), ("clerk", "wang", "王芳")]
    return [(field, pki.issue_user(ca, CA_SECRET, user, name, f"{user}-pw"), f"{user}-pw", name)
            for field, user, name in people]


def test_the_draft_sheet_prints_the_draft_and_has_four_empty_fields(tmp_path):
    pdf = draft_sheet_pdf(COMPANY, sample(corrects="FG2026-0003"))
    assert list(signature_fields(pdf).items()) == [(f, False) for f in SIGNATURE_FIELDS]
    text = text_of(pdf, tmp_path)
    for shown in ("Outgoing document draft sheet", "FG2026-0007", "关于春节期间物业服务安排的通知",
                  "各业主、住户", "客服部", "陈晓", "通知", "Urgent", "值班表.xlsx(23KB)",
                  "FG2026-0003,whichthisdocumentreplaces", "Drafted by",
                  "Reviewed by (department head)", "Signed off by (general manager)",
                  "Numbered and sent by (office)", "春节期间客服中心值班时间为每日8:00至20:00"):
        assert "".join(shown.split()) in text, shown
    assert "givenwhensent" in text  # the issued number is drawn only when it is sent


def test_four_signatures_one_after_another_all_verify(ca, signers, handwriting, tmp_path):
    pdf = draft_sheet_pdf(COMPANY, sample())
    for n, (field, key, password, name) in enumerate(signers):
        label = "Sent as 示例物业发〔2026〕7号" if field == "clerk" else field
        pdf = sign_as(pdf, field, key, password, ca, SignatureAppearance(
            handwriting if n % 2 == 0 else None, name, label, datetime(2026, 11, 2, 2 + n)))
        report = verify_pdf(pdf, ca.cert_pem)
        assert report.ok, report.problems
        assert [s.field_name for s in report.signatures] == list(SIGNATURE_FIELDS[:n + 1])
    assert verify_pdf(pdf, ca.cert_pem).signatures[-1].role == "Sent as 示例物业发〔2026〕7号"
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    out = poppler("pdfsig", str(path))
    assert out.count("Signature is Valid") == 4, out


def test_a_long_text_runs_over_pages_and_the_boxes_stay_together(tmp_path):
    body = "\n".join(f"{n}、" + "小区公共区域的保洁、绿化、安保与设备维护按本通知执行。" * 4
                     for n in range(1, 40))
    pdf = draft_sheet_pdf(COMPANY, sample(body=body, attachment=None))
    text = text_of(pdf, tmp_path)
    assert "39、" in text and "none" in text
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    pages = int(next(line.split()[-1] for line in poppler("pdfinfo", str(path)).splitlines()
                     if line.startswith("Pages:")))
    assert pages >= 2
    last = "".join(poppler("pdftotext", "-f", str(pages), "-l", str(pages), str(path),
                           "-").split())
    for label in ("Draftedby", "Reviewedby", "Signedoffby", "Numberedandsentby"):
        assert label in last, label  # the four boxes are on one page, after the text


def test_markup_in_typed_text_is_printed_as_typed(tmp_path):
    pdf = draft_sheet_pdf(COMPANY, sample(title="A <b>&amp; B", body="", attachment=None))
    text = text_of(pdf, tmp_path)
    assert "A<b>&amp;B" in text and "Notext" in text


def test_the_liaison_sheet_prints_both_departments_and_has_the_head_field(ca, signers,
                                                                         tmp_path):
    data = sample(number="LL2026-0002", title="请协助检修3号楼电梯", dept_name="客服部",
                  to_dept_name="工程部", body="3号楼2号电梯异响，请安排检修。")
    pdf = liaison_pdf(COMPANY, data)
    assert list(signature_fields(pdf)) == list(LIAISON_FIELDS)
    text = text_of(pdf, tmp_path)
    for shown in ("Liaison sheet", "LL2026-0002", "From department", "客服部", "To department",
                  "工程部", "请协助检修3号楼电梯", "3号楼2号电梯异响", "Reply of the receiving department",
                  "Head of the issuing department"):
        assert "".join(shown.split()) in text, shown
    _field, key, password, name = signers[1]
    signed = sign_as(pdf, "head", key, password, ca,
                     SignatureAppearance(None, name, "Department head", AT))
    assert verify_pdf(signed, ca.cert_pem).ok
