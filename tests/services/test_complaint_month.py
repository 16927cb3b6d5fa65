"""A month's complaints reviewed and signed by the supervisor (issue 18): statistics by
category and by cause beside last month's, the analysis and improvement measures, and last
month's measures shown so their effect can be judged."""

from __future__ import annotations

from datetime import datetime

import pytest

from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.services.exports import verify_pdf_file
from desk_app.store.archive import SignedDocument
from desk_app.store.models import AuditEntry
from desk_app.store.reception import ComplaintMonth
from tests.conftest import PASSWORD, add_user


@pytest.fixture
def clerk(desk, admin):
    return add_user(desk, admin, "wangfang", "clerk", "王芳")


@pytest.fixture
def supervisor(desk, admin):
    return add_user(desk, admin, "liqiang", "supervisor", "李强")


def _at(clock, moment: datetime) -> None:
    clock.advance(seconds=(moment - clock.now()).total_seconds())


def _written() -> tuple[int, int, int]:
    return (ComplaintMonth.select().count(), SignedDocument.select().count(),
            AuditEntry.select().count())


def _complaint(desk, clerk, cause: str | None) -> None:
    complaint = desk.complaints.add_complaint(clerk, "repairs", "报修未上门")
    if cause:
        desk.complaint_flow.analyse(clerk, complaint.id, cause, "分析")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "month.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_a_month_is_reviewed_signed_and_shown_next_month(desk, clerk, supervisor, clock,
                                                         tmp_path):
    _at(clock, datetime(2026, 10, 10, 2, 0))
    _complaint(desk, clerk, "delay")
    _complaint(desk, clerk, "delay")
    _complaint(desk, clerk, "staff_conduct")
    _at(clock, datetime(2026, 11, 3, 2, 0))
    october = desk.complaint_months.month_review(clerk, 2026, 10)
    assert october.record is None and october.previous_record is None
    assert {(c.cause, c.count, c.previous) for c in october.causes} == {
        ("delay", 2, 0), ("staff_conduct", 1, 0)}
    record = desk.complaint_months.sign_month(
        supervisor, 2026, 10, "派工单漏派占多数", "派工单每日下班前核对一次", PASSWORD)
    assert (record.number, record.month, record.signed_by_name) == ("CPS-202610", "2026-10",
                                                                   "李强")
    pdf = desk.complaint_months.month_form(clerk, 2026, 10)
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    report = verify_pdf_file(path, desk.keys.ca_certificate())
    assert report.ok and [s.signer_user for s in report.signatures] == ["liqiang"]
    assert "派工单每日下班前核对一次" in _pdf_text(pdf, tmp_path)

    _complaint(desk, clerk, "delay")
    _complaint(desk, clerk, None)
    _at(clock, datetime(2026, 12, 2, 2, 0))
    november = desk.complaint_months.month_review(clerk, 2026, 11)
    assert november.previous_total == 3
    assert november.previous_record is not None
    assert november.previous_record.measures == "派工单每日下班前核对一次"
    assert "派工单每日下班前核对一次" in november.previous_text()
    by_cause = {c.cause: (c.count, c.previous) for c in november.causes}
    assert by_cause == {"delay": (1, 2), "staff_conduct": (0, 1), "": (1, 0)}
    desk.complaint_months.sign_month(supervisor, 2026, 11, "漏派减少", "继续核对", PASSWORD)
    text = _pdf_text(desk.complaint_months.month_form(clerk, 2026, 11), tmp_path)
    assert "派工单每日下班前核对一次" in text  # last month's measures on this month's form


def test_bad_input_says_why_and_writes_nothing(desk, clerk, supervisor, clock):
    _at(clock, datetime(2026, 11, 20, 2, 0))
    before = _written()
    with pytest.raises(PermissionDenied):
        desk.complaint_months.sign_month(clerk, 2026, 10, "分析", "措施", PASSWORD)
    with pytest.raises(ValidationError, match="not ended"):
        desk.complaint_months.sign_month(supervisor, 2026, 11, "分析", "措施", PASSWORD)
    with pytest.raises(ValidationError, match="improvement measures"):
        desk.complaint_months.sign_month(supervisor, 2026, 10, "分析", " ", PASSWORD)
    with pytest.raises(ValidationError, match="analysis"):
        desk.complaint_months.sign_month(supervisor, 2026, 10, "", "措施", PASSWORD)
    with pytest.raises(ValidationError):
        desk.complaint_months.sign_month(supervisor, 2026, 13, "分析", "措施", PASSWORD)
    with pytest.raises(ValidationError):
        desk.complaint_months.sign_month(supervisor, 2026, 10, "分析\x00", "措施", PASSWORD)
    with pytest.raises(NotFound):
        desk.complaint_months.month_form(clerk, 2026, 10)
    assert _written() == before
    desk.complaint_months.sign_month(supervisor, 2026, 10, "分析", "措施", PASSWORD)
    before = _written()
    with pytest.raises(Conflict, match="signed already"):
        desk.complaint_months.sign_month(supervisor, 2026, 10, "分析2", "措施2", PASSWORD)
    assert _written() == before
