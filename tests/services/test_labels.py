"""LabelService: labels of visible items only, validated choices."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from desk_app.domain.errors import NotFound, PermissionDenied, ValidationError
from desk_app.domain.users import Actor
from desk_app.services.audit import AuditFilter


@pytest.fixture
def items(demo_desk):
    clerk = demo_desk.auth.login("wangfang", "demo1234")
    demo_desk.archive.add_location(clerk, "A101")
    demo_desk.archive.add_location(clerk, "柜1", "A101")
    public = demo_desk.archive.add_item(clerk, title="2025年度园区规划报告", kind="BG", dept="GC",
                                        level="internal", location="A101 › 柜1")
    secret = demo_desk.archive.add_item(clerk, title="机密合同", kind="BG", dept="GC", level="secret")
    officer = demo_desk.auth.login("liuyang", "demo1234")  # R6: the officer registers them
    personnel = demo_desk.archive.add_item(officer, title="人事档案", kind="BG", dept="GC",
                                           level="personnel")
    return clerk, public, secret, personnel


def text_of(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:  # `make test` installs it; a skip would hide the check
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/system-deps.sh test)")
    path = tmp_path / "l.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_labels_of_items(demo_desk, items, tmp_path):
    clerk, public, secret, _personnel = items
    pdf = demo_desk.labels.labels_pdf(clerk, [public.ref.lower(), secret.ref, public.ref],
                                      sheet="L7160", start=3, code="qr")
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf, tmp_path)
    assert public.ref in text and secret.ref in text and "A101 › 柜1" in text
    # looking at a secret item to label it is audited like any look at it (R7)
    admin = demo_desk.auth.login("admin", "demo1234")
    assert demo_desk.audit.count(admin, AuditFilter(action="item.view_secret")) == 1


def test_personnel_files_are_invisible(demo_desk, items):
    clerk, _public, _secret, personnel = items
    with pytest.raises(NotFound):
        demo_desk.labels.labels_pdf(clerk, [personnel.ref])


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"sheet": "A5"}, "sheet"), ({"code": "ean13"}, "code"),
    ({"sheet": "L7163", "start": 14}, "start"), ({"start": -1}, "start"),
])
def test_bad_choices(demo_desk, items, kwargs, field):
    clerk, public, *_ = items
    with pytest.raises(ValidationError) as caught:
        demo_desk.labels.labels_pdf(clerk, [public.ref], **kwargs)
    assert caught.value.field == field


def test_needs_items_and_permission(demo_desk, items):
    clerk, public, *_ = items
    with pytest.raises(ValidationError):
        demo_desk.labels.labels_pdf(clerk, ["  "])
    nobody = Actor(clerk.user_id, clerk.name, frozenset())
    with pytest.raises(PermissionDenied):
        demo_desk.labels.labels_pdf(nobody, [public.ref])
