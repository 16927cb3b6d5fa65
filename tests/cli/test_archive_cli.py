"""Archive and loan commands: --json keys, bad input as one line and a non-zero exit."""

from __future__ import annotations

import json

import openpyxl
import pytest

from desk_app.forms.verify import verify_pdf


def test_item_and_loan_round_trip(cli):
    code, out, err = cli("item", "add", "--title", "消防设施年检报告", "--kind", "BG", "--dept", "BA",
                         "--level", "public", "--ref", "BA-BG-T-1", "--json")
    assert code == 0, err
    assert {"ref", "title", "kind", "dept", "level", "status", "location"} <= json.loads(out)[0].keys()
    code, out, _ = cli("item", "list", "--search", "消防设施", "--json")
    assert [row["ref"] for row in json.loads(out)] == ["BA-BG-T-1"]
    code, out, err = cli("loan", "lend", "BA-BG-T-1", "--borrower", "liqiang", "--purpose", "年检",
                         "--json")
    assert code == 0, err
    code, out, _ = cli("loan", "list", "--borrower", "liqiang", "--json")
    row = json.loads(out)[0]
    assert {"id", "refs", "borrower", "purpose", "handler", "lent_at", "due_on",
            "returned_at"} <= row.keys()
    assert row["refs"] == ["BA-BG-T-1"] and row["returned_at"] is None
    assert row["handler"] == "王芳"  # staff by full name
    assert cli("loan", "renew", "BA-BG-T-1")[0] == 0
    assert cli("loan", "return", "BA-BG-T-1", "--condition", "worn")[0] == 0
    code, out, _ = cli("item", "show", "BA-BG-T-1", "--json")
    assert json.loads(out)[0]["loans"][0]["condition"] == "worn"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("loan", "lend", "NOPE-1", "--borrower", "liqiang", "--purpose", "x"), 4, "No item"),
        (("loan", "lend", "X", "--borrower", "liqiang", "--purpose", " "), 2, "purpose"),
        (("loan", "lend", "X", "--borrower", "陌生人", "--purpose", "x"), 2, "contact"),
        (("loan", "lend", "X", "--borrower", "liqiang", "--purpose", "x", "--due", "2000-01-01"),
         2, "in the past"),
        (("item", "add", "--title", "t", "--kind", "TZ", "--dept", "KF", "--level", "top"), 2,
         "Unknown level"),
        (("item", "add", "--title", "t", "--kind", "TZ", "--dept", "KF", "--level", "public",
          "--ref", "X"), 5, "exists already"),
        (("loan", "return", "X"), 2, "not on loan"),
    ],
)
def test_bad_input_is_one_line(cli, args, code, message):
    assert cli("item", "add", "--title", "样本", "--kind", "TZ", "--dept", "KF", "--level", "public",
               "--ref", "X")[0] == 0
    got, _out, err = cli(*args)
    assert got == code and message in err and len(err.strip().splitlines()) == 1


def test_malformed_date_is_refused_by_argparse(cli):
    code, _out, err = cli("loan", "lend", "X", "--borrower", "liqiang", "--purpose", "x",
                          "--due", "31/12/2026")
    assert code == 2 and "--due" in err and len(err.strip().splitlines()) == 1


def test_exports_of_items_and_loans(cli, tmp_path):
    xlsx = tmp_path / "loans.xlsx"
    code, _out, err = cli("export", "loans", "--format", "xlsx", "--out", str(xlsx), user="chenjing")
    assert code == 0, err
    book = openpyxl.load_workbook(xlsx, read_only=True)
    try:
        rows = list(book.active.iter_rows(values_only=True))
    finally:
        book.close()  # read-only workbooks keep the file open until closed
    assert rows[0][1] == "Reference" and len(rows) == 1 + 10_000
    pdf = tmp_path / "items.pdf"
    assert cli("export", "items", "--format", "pdf", "--out", str(pdf), user="chenjing")[0] == 0
    assert cli("ca", "export", str(tmp_path / "ca.pem"))[0] == 0
    assert verify_pdf(pdf.read_bytes(), (tmp_path / "ca.pem").read_bytes()).ok
    code, _, err = cli("export", "items", "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert code == 3 and "may not" in err  # a clerk does not export registers


def test_reminders_for_overdue_demo_loans(cli, tmp_path):
    code, out, err = cli("loan", "remind", "--out", str(tmp_path))
    assert code == 0, err
    notices = list(tmp_path.glob("reminder-*.pdf"))
    assert notices and all(p.read_bytes().startswith(b"%PDF") for p in notices)
    code, out, _ = cli("loan", "list", "--overdue", "--json")
    assert all(row["days_overdue"] > 0 for row in json.loads(out))


def test_item_edit_and_location_move(cli):
    assert cli("location", "add", "测试室")[0] == 0
    assert cli("location", "add", "柜1", "--in", "测试室")[0] == 0
    assert cli("location", "add", "柜2", "--in", "测试室")[0] == 0
    assert cli("location", "add", "第1层", "--in", "测试室 › 柜1")[0] == 0
    assert cli("item", "add", "--title", "旧标题", "--kind", "BG", "--dept", "BA", "--level",
               "public", "--ref", "BA-BG-T-9")[0] == 0
    code, out, err = cli("item", "edit", "BA-BG-T-9", "--title", "新标题", "--location",
                         "测试室 › 柜1 › 第1层", "--retention", "0", "--json")
    assert code == 0, err
    row = json.loads(out)[0]
    assert (row["title"], row["location"], row["retention_years"]) == (
        "新标题", "测试室 › 柜1 › 第1层", 0)
    code, out, err = cli("location", "move", "测试室 › 柜1 › 第1层", "--to", "测试室 › 柜2")
    assert code == 0 and "with 1 item." in out, err
    code, out, _ = cli("item", "show", "BA-BG-T-9", "--json")
    assert json.loads(out)[0]["location"] == "测试室 › 柜2 › 第1层"
    before = cli.writes()
    code, _out, err = cli("item", "edit", "BA-BG-T-9", "--title", " ")
    assert code == 2 and len(err.strip().splitlines()) == 1 and cli.writes() == before
