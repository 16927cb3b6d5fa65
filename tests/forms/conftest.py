"""Shared key material and sample forms for the forms tests (session-scoped: keys are slow-ish)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime

import pytest

from desk_app.forms import pki
from desk_app.forms.render import render_form
from desk_app.forms.signing import SignatureAppearance, prepare_fields, sign
from desk_app.forms.spec import FormSpec

CA_SECRET = "ca-secret"
GENERATED = datetime(2025, 3, 4, 9, 5, 9)
SIMPLIFIED = "档案借阅规划"
TRADITIONAL = "檔案借閱規劃"


@pytest.fixture(scope="session")
def ca() -> pki.CaMaterial:
    return pki.create_ca("前台档案室 CA", "某某客服中心", CA_SECRET)


@pytest.fixture(scope="session")
def foreign_ca() -> pki.CaMaterial:
    return pki.create_ca("Other CA", "Other office", "other")


@pytest.fixture(scope="session")
def clerk(ca) -> pki.UserKeyMaterial:
    return pki.issue_user(ca, CA_SECRET, "zhang.san", "张三", "clerk-pw")


@pytest.fixture(scope="session")
def supervisor(ca) -> pki.UserKeyMaterial:
    return pki.issue_user(ca, CA_SECRET, "li.si", "李四", "super-pw")


@pytest.fixture(scope="session")
def handwriting() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(10, 100), (80, 30), (150, 120), (220, 40), (300, 110), (390, 20)], fill=(0, 0, 0, 255), width=6
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def loan_spec(record_no: str = "LN-2025-000123") -> FormSpec:
    spec = FormSpec("某某客服中心", "档案借阅单 / 檔案借閱單", record_no, GENERATED)
    spec.heading("借阅信息 / 借閱資訊")
    spec.key_values([("借阅人", "张三"), ("档案", f"{SIMPLIFIED} 2024"), ("檔案", f"{TRADITIONAL} 2024")])
    spec.paragraph("说明：" + "借阅档案应于三个工作日内归还，逾期须由主管审批。" * 6)
    spec.paragraph(f"繁體：{TRADITIONAL}，應於三日內歸還。")
    spec.signatures([("clerk", "经办人"), ("supervisor", "主管")])
    return spec


def sign_as(pdf: bytes, field: str, signer: pki.UserKeyMaterial, password: str,
            ca: pki.CaMaterial, appearance: SignatureAppearance | None) -> bytes:
    """``sign`` with the signer's key and certificate, issued by ``ca``."""
    return sign(pdf, field, signer.key_pem, password, signer.cert_pem, ca.cert_pem, appearance)


@pytest.fixture(scope="session")
def fields_pdf() -> bytes:
    rendered = render_form(loan_spec())
    return prepare_fields(rendered.pdf, rendered.slots)


@pytest.fixture(scope="session")
def signed_pdf(fields_pdf, ca, clerk, supervisor, handwriting) -> bytes:
    pdf = sign_as(fields_pdf, "clerk", clerk, "clerk-pw", ca,
                  SignatureAppearance(handwriting, "张三", "经办人", datetime(2025, 3, 4, 9, 6)))
    return sign_as(pdf, "supervisor", supervisor, "super-pw", ca,
                   SignatureAppearance(handwriting, "李四", "主管", datetime(2025, 3, 4, 9, 7)))


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:  # `make test` installs it; a skip would hide the check
        pytest.fail(f"{tool} is missing: install poppler-utils (scripts/system-deps.sh test)")
    result = subprocess.run([tool, *args], capture_output=True, text=True, check=False, timeout=60)
    return result.stdout + result.stderr
