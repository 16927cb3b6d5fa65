"""`desk-app report service --month YYYY-MM` (issue 18): the trend against last month and a
row per agent; with --json every figure the service computes, the six months included; with
--format pdf|xlsx --out a signed PDF (verify-pdf, pdfsig) or a workbook, one audit entry
each. Refusals are one line on stderr with their exit code, leave no file and write nothing:
a bad or future month, a clerk, a half-given target, a file already there, the database
itself, a signing password that does not open the key.

The command line's clock is the real one, like the demo it reads: the month is the last one
that has ended, which the demo fills (demo/reception.py, demo/reception_history.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess

import pytest

from desk_app.desk import Desk
from desk_app.domain.clock import SystemClock, local_today
from desk_app.domain.service_report import ServiceReport, change_sentence, previous_month

SUPERVISOR, MANAGER, AUDITOR, CLERK = "liqiang", "zhangwei", "chenjing", "wangfang"


@pytest.fixture
def cli_user() -> str:
    return SUPERVISOR


@pytest.fixture
def out_dir(tmp_path):
    """A folder of its own (the database copy is in ``tmp_path``)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _last_month() -> str:
    today = local_today(SystemClock().now())
    return _month_text(*previous_month(today.year, today.month))


def _next_month() -> str:
    today = local_today(SystemClock().now())
    return _month_text(today.year + (today.month == 12), today.month % 12 + 1)


def _service_report(cli, month: str) -> ServiceReport:
    """The report as the service gives it, read from the same database copy."""
    desk = Desk.open(f"sqlite:///{cli.path}")
    try:
        year, number = (int(part) for part in month.split("-"))
        return desk.service_reports.report(desk.auth.login(AUDITOR, "demo1234"), year, number)
    finally:
        desk.close()


def _written(cli) -> list[dict]:
    """The audit entries of the reports written, oldest first."""
    with sqlite3.connect(cli.path) as db:
        return [json.loads(change) for (change,) in db.execute(
            "SELECT change FROM audit_entry WHERE action = 'service_report.write' ORDER BY seq")]


def _refused(cli, code: int, text: str, *args: str, user: str = SUPERVISOR) -> str:
    before = cli.writes()
    got, out, err = cli("report", "service", *args, user=user)
    assert got == code and text in err, (got, out, err)
    assert cli.writes() == before and not _written(cli)
    return err


def test_the_text_report_has_the_trend_and_a_row_per_agent(cli):
    month = _last_month()
    code, out, err = cli("report", "service", "--month", month)
    assert code == 0, err
    report = _service_report(cli, month)
    lines = err.splitlines()
    assert lines[0] == f"Service report {month}"  # an ended month: no "(not ended yet)"
    assert lines[1:] == [change_sentence(item) for item in report.trend()]
    assert any(" shortened by " in line or " up by " in line for line in lines)
    rows = {line.split()[0]: line.split() for line in out.splitlines()}
    assert rows["name"][:3] == ["name", "calls", "visits"]
    [wang] = [line.figures for line in report.agents() if line.user == CLERK]
    assert rows["王芳"][1:3] == [str(wang.calls), str(wang.visits)]
    assert rows["Whole"][2:4] == [str(report.desk.calls), str(report.desk.visits)]


def test_json_has_the_service_figures_and_six_months(cli):
    month = _last_month()
    code, out, err = cli("report", "service", "--month", month, "--json", user=MANAGER)
    assert code == 0, err
    data = json.loads(out)
    report = _service_report(cli, month)
    assert (data["month"], data["complete"]) == (month, True)

    def same(row: dict, figures) -> None:
        assert (row["calls"], row["visits"], row["complaints"], row["callbacks"]) == (
            figures.calls, figures.visits, figures.complaints, figures.callbacks)
        assert (row["timeouts_minor"], row["timeouts_moderate"], row["timeouts_severe"]) == (
            figures.timeouts[1], figures.timeouts[2], figures.timeouts[3])
        assert (row["satisfied"], row["reached"], row["promises_kept"], row["promises"],
                row["messages_confirmed"], row["messages"]) == (
            figures.satisfied, figures.reached, figures.promises_kept, figures.promises,
            figures.messages_confirmed, figures.messages)
        for key in ("answer_median", "answer_p90", "reply_median", "reply_p90"):
            value = getattr(figures, key)
            assert row[f"{key}_s"] == (None if value is None else pytest.approx(value, abs=0.05))
        assert row["causes"] == figures.causes

    same(data["desk"], report.desk)
    assert [agent["agent"] for agent in data["agents"]] == [line.user for line in
                                                           report.agents()]
    for agent, line in zip(data["agents"], report.agents(), strict=True):
        assert agent["name"] == line.name
        same(agent, line.figures)
    assert [(item["figure"], item["now"], item["before"], item["change"], item["points"])
            for item in data["trend"]] == [
        (item.key, item.now, item.before, item.percent, item.points) for item in report.trend()]
    assert [row["month"] for row in data["months"]] == [m.month for m in report.history]
    assert len(data["months"]) == 6 and data["months"][-1]["month"] == month
    for row, history in zip(data["months"], report.history, strict=True):
        same(row, history.desk)
    # the demo fills all six months, follow-up included (demo/reception_history.py)
    assert all(row["calls"] + row["visits"] and row["reached"] and row["promises"]
               and row["messages"] and row["complaints"] for row in data["months"])
    assert any(agent["complaints"] for agent in data["agents"])  # complaints name staff


def test_a_signed_pdf_is_written_and_audited(cli, out_dir):
    month = _last_month()
    pdf = out_dir / "服务报告.pdf"
    code, out, err = cli("report", "service", "--month", month, "--format", "pdf", "--out",
                         str(pdf))
    assert code == 0, err
    data = pdf.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    assert data.startswith(b"%PDF") and str(pdf) in out and sha in out
    [entry] = _written(cli)
    assert (entry["after"]["month"], entry["after"]["format"], entry["after"]["sha256"]) == (
        month, "pdf", sha)
    code, out, err = cli("verify-pdf", str(pdf), "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"], out
    assert [signature["user"] for signature in report["signatures"]] == [SUPERVISOR]
    if shutil.which("pdfsig"):  # poppler's own check of the signature (not of the CA)
        done = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True,
                              timeout=60)
        assert "Signature is Valid" in done.stdout, done.stdout + done.stderr
    assert list(out_dir.iterdir()) == [pdf]  # no partial left behind


def test_an_xlsx_workbook_is_written_that_openpyxl_reads(cli, out_dir):
    from openpyxl import load_workbook

    month = _last_month()
    target = out_dir / "report.xlsx"
    code, out, err = cli("report", "service", "--month", month, "--format", "xlsx", "--out",
                         str(target), user=AUDITOR)
    assert code == 0 and str(target) in out, err
    book = load_workbook(target)
    try:
        assert book.sheetnames
        cells = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows()
                 for cell in row if cell.value is not None}
    finally:
        book.close()
    assert "王芳" in cells and any(month in text for text in cells)
    [entry] = _written(cli)
    assert (entry["after"]["format"], entry["after"]["sha256"]) == (
        "xlsx", hashlib.sha256(target.read_bytes()).hexdigest())


def test_json_with_a_file_says_what_was_written(cli, out_dir):
    target = out_dir / "report.xlsx"
    code, out, err = cli("report", "service", "--month", _last_month(), "--format", "xlsx",
                         "--out", str(target), "--json")
    assert code == 0, err
    written = json.loads(out)
    assert (written["file"], written["format"], written["bytes"]) == (
        str(target), "xlsx", target.stat().st_size)
    assert written["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()


def test_bad_months_a_clerk_and_half_a_target_are_refused(cli, out_dir):
    _refused(cli, 2, "not a month", "--month", "2026-13")
    _refused(cli, 2, "not a month", "--month", "november")
    future = _next_month()
    err = _refused(cli, 2, f"{future} has not begun yet", "--month", future)
    assert len(err.strip().splitlines()) == 1  # one line, no traceback
    _refused(cli, 2, f"{future} has not begun yet", "--month", future, "--format", "xlsx",
             "--out", str(out_dir / "future.xlsx"))
    _refused(cli, 3, "", "--month", _last_month(), user=CLERK)
    _refused(cli, 3, "", "--month", _last_month(), "--format", "xlsx", "--out",
             str(out_dir / "clerk.xlsx"), user=CLERK)
    _refused(cli, 2, "Give both --format and --out", "--month", _last_month(), "--format",
             "pdf")
    _refused(cli, 2, "Give both --format and --out", "--month", _last_month(), "--out",
             str(out_dir / "report.pdf"))
    _refused(cli, 2, "must end in .pdf", "--month", _last_month(), "--format", "pdf", "--out",
             str(out_dir / "report.xlsx"))
    assert list(out_dir.iterdir()) == []


def test_an_existing_file_is_kept_unless_forced(cli, out_dir):
    target = out_dir / "report.xlsx"
    target.write_bytes(b"last month's report")
    args = ("--month", _last_month(), "--format", "xlsx", "--out", str(target))
    _refused(cli, 2, "exists already", *args)
    assert target.read_bytes() == b"last month's report"
    code, _out, err = cli("report", "service", *args, "--force")
    assert code == 0 and target.read_bytes().startswith(b"PK"), err
    assert len(_written(cli)) == 1 and list(out_dir.iterdir()) == [target]


def test_the_database_itself_is_never_the_target(cli):
    database = cli.path
    with sqlite3.connect(database) as db:
        tables = db.execute("SELECT COUNT(*) FROM visit").fetchone()
    for extra in ((), ("--force",)):
        _refused(cli, 2, "is the open database", "--month", _last_month(), "--format", "pdf",
                 "--out", str(database), *extra)
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM visit").fetchone() == tables
    assert not list(database.parent.glob("*.partial"))


def test_a_wrong_signing_password_writes_no_file_and_no_entry(cli, out_dir, monkeypatch):
    """The password given at sign-in unseals the signing key; here it does not (as when the
    key was sealed with another one): the PDF is refused before any work."""
    from desk_app.cli import common

    signed_in = common.sign_in

    def wrong_key_password(desk, args):
        actor = signed_in(desk, args)
        args.signing_password = "not the key's password"
        return actor

    monkeypatch.setattr(common, "sign_in", wrong_key_password)
    pdf = out_dir / "report.pdf"
    _refused(cli, 3, "", "--month", _last_month(), "--format", "pdf", "--out", str(pdf))
    assert list(out_dir.iterdir()) == []
    with sqlite3.connect(cli.path) as db:  # the failure counted, as every password check
        assert db.execute("SELECT COUNT(*) FROM audit_entry WHERE action LIKE 'auth.%failed'"
                          ).fetchone()[0] >= 1
    monkeypatch.setattr(common, "sign_in", signed_in)  # the right one goes through
    code, _out, err = cli("report", "service", "--month", _last_month(), "--format", "pdf",
                          "--out", str(pdf))
    assert code == 0 and pdf.exists(), err
