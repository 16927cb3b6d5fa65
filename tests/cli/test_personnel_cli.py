"""R6 on the command line (issue 11): a clerk learns nothing of a sealed personnel file, the
audit trail and its exports hold none of its text, the role alone opens nothing, and
``desk-app personnel admit`` lets a second officer read the files."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import openpyxl
import pytest

TITLE = "人事档案：欧阳修远奖惩记录"
KEYWORDS = "晋升评议 处分撤销"
SECRET_WORDS = ("欧阳修远", "奖惩", "晋升评议", "处分撤销")


@pytest.fixture
def sealed_ref(cli) -> str:
    code, out, err = cli("item", "add", "--title", TITLE, "--kind", "YH", "--dept", "XZ",
                         "--level", "personnel", "--keywords", KEYWORDS, "--date", "2026-03-01",
                         "--json", user="liuyang")
    assert code == 0, err
    row = json.loads(out)[0]
    assert row["title"] == TITLE and row["ref"].startswith("RS-2026-")
    return row["ref"]


def assert_no_secret(text: str) -> None:
    for word in SECRET_WORDS:
        assert word not in text, word


def test_a_clerk_cannot_tell_a_sealed_reference_from_an_unknown_one(cli, sealed_ref):
    unknown = "RS-2026-9999"
    for command in (("loan", "return"), ("loan", "renew"), ("item", "show")):
        answers = []
        for ref in (sealed_ref, unknown):
            code, _out, err = cli(*command, ref)
            answers.append((code, err.replace(ref, "REF")))
        assert answers[0] == answers[1], command
        assert answers[0][0] == 4 and "No item with the reference REF" in answers[0][1]
    answers = []
    for ref in (sealed_ref, unknown):
        code, _out, err = cli("item", "add", "--title", "我的文件", "--kind", "TZ", "--dept",
                              "KF", "--level", "public", "--ref", ref)
        answers.append((code, err.replace(ref, "REF")))
    assert answers[0] == answers[1] and answers[0][0] == 2
    assert "are for personnel files" in answers[0][1]
    code, _out, err = cli("item", "add", "--title", "x", "--kind", "YH", "--dept", "XZ",
                          "--level", "personnel")
    assert code == 3  # only the personnel officer registers personnel files


def test_the_ordinary_numbering_has_no_gap_for_personnel_files(cli):
    def clerk_adds() -> str:
        code, out, err = cli("item", "add", "--title", "行政通知", "--kind", "TZ", "--dept",
                             "XZ", "--level", "public", "--date", "2026-04-01", "--json")
        assert code == 0, err
        return json.loads(out)[0]["ref"]

    first = clerk_adds()
    code, _out, err = cli("item", "add", "--title", TITLE, "--kind", "TZ", "--dept", "XZ",
                         "--level", "personnel", "--date", "2026-04-01", "--json",
                         user="liuyang")
    assert code == 0, err
    second = clerk_adds()
    prefix, number = first.rsplit("-", 1)
    assert second == f"{prefix}-{int(number) + 1:0{len(number)}d}"


def test_the_audit_trail_holds_no_personnel_text(cli, sealed_ref, tmp_path):
    assert cli("item", "show", sealed_ref, user="liuyang")[0] == 0
    assert cli("item", "list", "--search", "欧阳", user="liuyang")[0] == 0
    for user in ("admin", "chenjing"):  # the administrator and the auditor
        code, out, err = cli("audit", "list", "--limit", "10000", "--json", user=user)
        assert code == 0, err
        assert sealed_ref in out  # the entries are there, their text is not
        assert_no_secret(out)
        for fmt in ("csv", "xlsx", "pdf"):
            target = tmp_path / f"audit-{user}.{fmt}"
            code, _out, err = cli("export", "audit", "--format", fmt, "--out", str(target),
                                  user=user)
            assert code == 0, err
            assert_no_secret(_text_of(target, fmt))


def _text_of(path, fmt: str) -> str:
    if fmt == "csv":
        return path.read_text(encoding="utf-8-sig")
    if fmt == "xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row)
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/system-deps.sh test)")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_role_alone_opens_nothing_until_an_officer_admits(cli, sealed_ref):
    assert cli("user", "roles", "admin", "--role", "admin,personnel", user="admin")[0] == 0
    code, out, err = cli("item", "show", sealed_ref, "--json", user="admin")
    assert code == 0, err
    assert_no_secret(out)
    assert json.loads(out)[0]["title"] == "Sealed — ask a personnel officer to admit you."
    code, _out, err = cli("personnel", "admit", "admin", user="admin")
    assert code == 3 and "admit" in err  # he holds no key to give himself
    code, out, err = cli("personnel", "status", "--json", user="admin")
    assert json.loads(out)[0] == {"exists": True, "holders": ["liuyang"],
                                  "recovery_code": False, "open": False}
    code, out, err = cli("personnel", "admit", "admin", user="liuyang")
    assert code == 0, err
    code, out, err = cli("item", "show", sealed_ref, "--json", user="admin")
    assert json.loads(out)[0]["title"] == TITLE
    code, out, _err = cli("personnel", "status", user="liuyang")
    assert "admin, liuyang" in out


def test_the_demo_personnel_files_are_sealed_at_set_up(cli):
    """The demo writes its personnel files in clear text and seals them for its officer at
    once (a database from before sealing is sealed at an officer's first use: see
    tests/services/test_personnel_sealed.py)."""
    with sqlite3.connect(cli.path) as db:
        clear = db.execute("SELECT count(*) FROM item WHERE level = 'personnel' "
                           "AND title != '—'").fetchone()[0]
        sealed = db.execute("SELECT count(*) FROM personnel_sealed").fetchone()[0]
    assert clear == 0 and sealed > 0
    assert cli("item", "list", "--level", "personnel", user="wangfang")[1].strip() == "(none)"
    code, out, err = cli("item", "list", "--level", "personnel", "--json", user="liuyang")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all(row["ref"].startswith("RS-") and row["title"].startswith("员工档案")
                        for row in rows)
    code, out, _err = cli("audit", "list", "--action", "personnel.sealed", "--json",
                          user="admin")
    assert [row["action"] for row in json.loads(out)] == ["personnel.sealed"]


def test_a_recovery_code_made_and_used(cli, sealed_ref, monkeypatch):
    code, out, err = cli("personnel", "recovery-code", user="liuyang")
    assert code == 0, err
    recovery = out.splitlines()[-1].strip()
    assert cli("user", "roles", "zhoumin", "--role", "clerk,personnel", user="admin")[0] == 0
    monkeypatch.setenv("DESK_RECOVERY_CODE", "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")
    code, _out, err = cli("personnel", "recover", user="zhoumin")
    assert code == 3 and "Wrong recovery code" in err
    monkeypatch.setenv("DESK_RECOVERY_CODE", recovery)
    code, out, err = cli("personnel", "recover", user="zhoumin")
    assert code == 0, err
    code, out, err = cli("item", "show", sealed_ref, "--json", user="zhoumin")
    assert json.loads(out)[0]["title"] == TITLE
