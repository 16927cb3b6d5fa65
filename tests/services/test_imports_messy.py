"""The messy ledgers offices really have (tests/services/ledger_files.py) imported into the
demo desk: each gives the report its docstring expects."""

from __future__ import annotations

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.services.imports.report import ImportOptions
from desk_app.store.archive import Item, Loan
from desk_app.store.models import User
from tests.services import ledger_files as files
from tests.services.imports_helpers import counts

DEMO_PASSWORD = "demo1234"


@pytest.fixture
def admin(demo_desk):
    return demo_desk.auth.login("admin", DEMO_PASSWORD)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_catalogue_csv_in_every_encoding(demo_desk, admin, tmp_path, encoding):
    path = files.catalogue_csv(tmp_path, encoding)
    report = demo_desk.imports.run(admin, "items", path, ImportOptions())
    expected = files.CATALOGUE_CSV_EXPECTED
    assert (report.rows, report.imported, report.error_count) == (expected["rows"],
                                                                 expected["valid"], 0)
    assert Item.get(Item.ref == "GC-TZ-2009-0001").title == "关于电梯年度维保的通知"  # unwrapped
    assert Item.get(Item.ref == "ZB-TZ-2011-0001").dept.code == "ZB"  # full-width reference
    assert Item.get(Item.ref == "BA-ZD-2010-0001").doc_date.isoformat() == "2010-04-01"
    assert Item.get(Item.ref == "KF-HJ-2010-0001").retention_years == 30
    box = Item.get(Item.ref == "GC-BG-2009-0001").location
    assert box.path == "档案室01 › 1号柜 › 第1层 › 01盒" and box.level == "box"


def _rows(report) -> set[int]:
    return {problem.row for problem in report.errors}


def test_messy_catalogue_xlsx(demo_desk, admin, tmp_path):
    path = files.messy_catalogue_xlsx(tmp_path)
    expected = files.MESSY_CATALOGUE_EXPECTED
    preview = demo_desk.imports.preview(admin, "items", path)
    assert preview.sheets == expected["sheets"] and preview.sheet == expected["sheet"]
    assert preview.header_row == expected["header_row"]
    before = counts()
    with pytest.raises(ValidationError) as refused:
        demo_desk.imports.run(admin, "items", path, ImportOptions())
    assert counts() == before
    report = refused.value.report  # type: ignore[attr-defined]
    assert report.rows == expected["rows"] and _rows(report) == set(expected["errors"])
    report = demo_desk.imports.run(admin, "items", path, ImportOptions(only_valid=True))
    assert (report.imported, report.skipped) == (expected["valid"], 3)
    assert Item.get(Item.ref == "GC-BG-2009-0001").retention_years == 30  # a formula's value
    assert Item.get(Item.ref == "XZ-JY-2011-0001").level == "secret"
    assert not Item.select().where(Item.ref.startswith("OLD-")).exists()  # the hidden sheet


def test_messy_loan_book_xlsx(demo_desk, admin, tmp_path):
    demo_desk.imports.run(admin, "items", files.catalogue_csv(tmp_path), ImportOptions())
    path = files.messy_loans_xlsx(tmp_path)
    expected = files.MESSY_LOANS_EXPECTED
    report = demo_desk.imports.check(admin, "loans", path, ImportOptions())
    assert report.rows == expected["rows"] and _rows(report) == set(expected["errors"])
    report = demo_desk.imports.run(admin, "loans", path, ImportOptions(only_valid=True))
    assert report.imported == expected["valid"]
    loans = list(Loan.select().where(Loan.import_batch == report.batch_id))
    assert sum(loan.returned_at is not None for loan in loans) == expected["returned"]
    assert Item.get(Item.ref == "BA-ZD-2010-0001").status == "on_loan"
    handled = {loan.ledger_handler for loan in loans}
    assert "老张" in handled


def test_staff_csv(demo_desk, admin, tmp_path):
    path = files.staff_csv(tmp_path)
    expected = files.STAFF_CSV_EXPECTED
    report = demo_desk.imports.run(admin, "users", path,
                                   ImportOptions(only_valid=True, initial_password="start-2026"))
    assert report.rows == expected["rows"] and report.imported == expected["valid"]
    assert _rows(report) == set(expected["errors"])
    assert User.get(User.name == "zhengli").roles == "clerk,supervisor"


def test_keys_xlsx(demo_desk, admin, tmp_path):
    path = files.keys_xlsx(tmp_path)
    expected = files.KEYS_EXPECTED
    report = demo_desk.imports.run(admin, "keys", path, ImportOptions(only_valid=True))
    assert report.rows == expected["rows"] and report.imported == expected["valid"]
    assert _rows(report) == set(expected["errors"])
