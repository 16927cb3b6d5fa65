"""`desk-app doc …` tried as new users would: a letter signed in, instructed to two readers
and a handler, read in order, answered, handled and filed (then found in the Archive); an
outgoing notice drafted, reviewed, signed off, numbered and sent; a liaison sheet; both
signed sheets accepted by `desk-app verify-pdf`; bad input is one line on stderr, a non-zero
exit, and nothing written; every --json output parses."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta

import pytest

from desk_app.demo.service import DEMO_PASSWORD
from desk_app.desk import Desk

# The people of these tests (the demo's names, password and roles, without the demo's year of
# documents: each number and list below is this module's own), and their departments.
USERS = (("wangfang", "王芳", "clerk"), ("zhoumin", "周敏", "clerk,supervisor"),
         ("liqiang", "李强", "supervisor"), ("zhangwei", "张伟", "manager"),
         ("chenjing", "陈静", "auditor"), ("tiandong", "田东", "clerk"),
         ("gaofei", "高飞", "clerk"))
DEPARTMENTS = (("wangfang", "ZB", False), ("liqiang", "GC", True), ("tiandong", "BA", True),
               ("zhoumin", "KF", True), ("gaofei", "GC", False))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """Replaces the shared demo database: the people above in their departments (made once
    per module, copied for each test by the ``cli`` fixture)."""
    path = tmp_path_factory.mktemp("documents") / "desk.db"
    desk = Desk.open(f"sqlite:///{path}", create=True)
    try:
        desk.users.create_first_admin("admin", DEMO_PASSWORD, "系统管理员")
        admin = desk.auth.login("admin", DEMO_PASSWORD)
        for name, full_name, roles in USERS:
            desk.users.add(admin, name, DEMO_PASSWORD, roles, full_name)
        for name, dept, head in DEPARTMENTS:
            desk.documents.set_department(admin, name, dept, head=head)
    finally:
        desk.close()
    return path


def _day(days: int = 0) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _ok(cli, *args: str, user: str = "wangfang") -> dict:
    """Run a command with --json; it must succeed; its document (or object)."""
    code, out, err = cli(*args, "--json", user=user)
    assert code == 0, err
    return json.loads(out)


def _verified(cli, pdf) -> list[str]:
    """The signed fields of a sheet `desk-app verify-pdf` accepts."""
    code, out, err = cli("verify-pdf", str(pdf), "--json")
    assert code == 0, err + out
    report = json.loads(out)
    assert report["ok"]
    return [signature["field"] for signature in report["signatures"]]


def _received(cli, tmp_path, ref: str = "建消〔2026〕12号") -> dict:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 a scanned letter")
    return _ok(cli, "doc", "receive", "--sender", "市住房和城乡建设局",
               "--title", "关于开展冬季消防安全检查的通知", "--sender-ref", ref,
               "--kind", "ZF", "--urgency", "urgent", "--pages", "3",
               "--summary", "各单位自查并于月底前报告",
               "--attach", str(scan))


def _instructed(cli, tmp_path) -> dict:
    letter = _received(cli, tmp_path)
    return _ok(cli, "doc", "instruct", str(letter["id"]), "--instruction",
               "请工程部、保安部阅，客服部牵头办理。", "--read", "GC,BA", "--handler", "KF",
               "--due", _day(7), user="zhangwei")


def test_incoming_letter_from_sign_in_to_the_archive(cli, tmp_path):
    letter = _received(cli, tmp_path)
    assert letter["number"].startswith(f"SW{date.today().year}-")
    assert letter["status"] == "registered"
    doc_id = str(letter["id"])
    code, out, err = cli("doc", "waiting", user="zhangwei")
    assert code == 0 and letter["number"] in out, err
    data = _ok(cli, "doc", "instruct", doc_id, "--instruction", "请工程部、保安部阅，客服部牵头办理。",
               "--read", "GC", "--read", "BA", "--handler", "KF", "--due", _day(7),
               user="zhangwei")
    assert data["status"] == "circulating"
    assert [stop["dept"] for stop in data["route"]] == ["GC", "BA"]
    assert data["handler_dept"] == "KF" and data["due_on"] == _day(7)
    _ok(cli, "doc", "carry", doc_id)
    data = _ok(cli, "doc", "read", doc_id, "--comment", "工程部已安排自查", user="liqiang")
    assert data["route"][0]["confirmed_by"] == "李强" and data["route"][1]["current"]
    _ok(cli, "doc", "carry", doc_id)
    code, out, err = cli("doc", "read", doc_id, user="tiandong")
    assert code == 0, err
    assert "Route:" in out and "工程部已安排自查" in out
    data = _ok(cli, "doc", "ask", doc_id, "--question", "检查范围是否包括地下车库？", user="zhoumin")
    assert data["status"] == "handling"
    [question] = data["notes"]
    data = _ok(cli, "doc", "answer", str(question["id"]), "--answer", "包括。", user="zhangwei")
    assert data["notes"][0]["answer"] == "包括。"
    data = _ok(cli, "doc", "chase", doc_id, "--note", "电话询问进度", "--channel", "phone")
    assert [note["kind"] for note in data["notes"]] == ["question", "chase"]
    data = _ok(cli, "doc", "result", doc_id, "--text", "已完成自查，报告已报送。", user="zhoumin")
    assert data["status"] == "handled"
    code, out, err = cli("location", "add", "收文柜", user="wangfang")
    assert code == 0, err
    data = _ok(cli, "doc", "file", doc_id, "--location", "收文柜")
    assert data["status"] == "filed" and data["item_ref"]
    code, out, err = cli("item", "show", data["item_ref"])
    assert code == 0, err
    assert "关于开展冬季消防安全检查的通知" in out  # the original is in the Archive now
    sheet, instruction = tmp_path / "sheet.pdf", tmp_path / "ps.pdf"
    code, out, err = cli("doc", "show", doc_id, "--pdf", str(sheet), "--instruction-pdf",
                         str(instruction))
    assert code == 0, err
    for text in (letter["number"], "Route:", "Notes:", "Timeline:", "包括。", "已完成自查"):
        assert text in out
    assert "clerk" in _verified(cli, sheet)
    assert "manager" in _verified(cli, instruction)
    code, out, err = cli("doc", "show", doc_id, "--pdf", str(sheet))
    assert code != 0 and "--force" in err  # never over an existing file unless told
    found = _ok(cli, "doc", "find", letter["number"].lower())  # as a scanner might type it
    assert found["id"] == letter["id"]
    assert letter["id"] in [row["id"] for row in _ok(cli, "doc", "list", "--incoming")]
    assert letter["id"] not in [row["id"] for row in _ok(cli, "doc", "list", "--outgoing")]


def test_outgoing_notice_drafted_signed_off_numbered_and_sent(cli, tmp_path):
    body = tmp_path / "body.txt"
    body.write_text("春节期间各部门安排值班，名单于一月二十日前报办公室。\n", encoding="utf-8")
    draft = _ok(cli, "doc", "draft", "--title", "关于春节期间值班安排的通知", "--to", "各部门",
                "--body-file", str(body), "--dept", "GC", user="gaofei")
    assert draft["number"].startswith(f"FG{date.today().year}-") and draft["status"] == "draft"
    assert "值班" in draft["body"]
    doc_id = str(draft["id"])
    writes = cli.writes()
    code, out, err = cli("doc", "send", doc_id)
    assert code != 0 and not out and "signed off" in err
    assert cli.writes() == writes
    assert _ok(cli, "doc", "review", doc_id, "--approve", user="liqiang")["status"] == "reviewed"
    code, out, err = cli("doc", "signoff", doc_id, "--refuse", user="zhangwei")
    assert code == 2 and "--reason" in err and cli.writes() == writes + 1
    data = _ok(cli, "doc", "signoff", doc_id, "--refuse", "--reason", "请写明值班电话",
               user="zhangwei")
    assert data["status"] == "returned" and data["refusal_reason"] == "请写明值班电话"
    data = _ok(cli, "doc", "revise", doc_id, "--body", "春节期间各部门安排值班，值班电话见附表。",
               user="gaofei")
    assert data["status"] == "draft" and data["title"] == draft["title"]  # the rest stays
    assert "值班电话" in data["body"]
    _ok(cli, "doc", "review", doc_id, "--approve", user="liqiang")
    data = _ok(cli, "doc", "signoff", doc_id, "--approve", "--reason", "同意", user="zhangwei")
    assert data["status"] == "signed_off"
    data = _ok(cli, "doc", "send", doc_id)
    assert data["status"] == "sent" and data["issued_no"] and data["execution"] == "pending"
    data = _ok(cli, "doc", "execute", doc_id, "--status", "in_progress", "--note", "已通知")
    assert data["execution"] == "in_progress"
    sheet = tmp_path / "outgoing.pdf"
    code, out, err = cli("doc", "show", doc_id, "--pdf", str(sheet))
    assert code == 0, err
    assert data["issued_no"] in out and "Timeline:" in out
    assert {"drafter", "reviewer", "approver", "clerk"} <= set(_verified(cli, sheet))
    assert _ok(cli, "doc", "find", data["issued_no"])["id"] == draft["id"]
    code, out, err = cli("doc", "revise", doc_id, "--title", "改了")
    assert code != 0 and not out  # signed off: never edited, a correction is a new document
    correction = _ok(cli, "doc", "draft", "--title", "关于春节期间值班安排的补充通知",
                     "--to", "各部门", "--body", "更正：名单于一月十八日前报送。",
                     "--corrects", data["number"], user="gaofei")
    assert correction["corrects"] == data["number"]
    csv = tmp_path / "documents.csv"
    code, out, err = cli("export", "documents", "--format", "csv", "--out", str(csv),
                         user="chenjing")
    assert code == 0, err
    assert data["number"] in csv.read_text(encoding="utf-8-sig")


def test_liaison_sheet_signed_delivered_replied(cli, tmp_path):
    sheet = _ok(cli, "doc", "liaison", "--title", "请协助检查三号楼消防通道", "--to-dept", "BA",
                "--body", "三号楼消防通道堆放杂物，请安排清理。", user="gaofei")
    assert sheet["number"].startswith(f"LL{date.today().year}-") and sheet["dept"] == "GC"
    doc_id = str(sheet["id"])
    assert _ok(cli, "doc", "sign", doc_id, user="liqiang")["status"] == "signed"
    assert _ok(cli, "doc", "deliver", doc_id)["status"] == "delivered"
    data = _ok(cli, "doc", "reply", doc_id, "--text", "已清理完毕。", user="tiandong")
    assert data["status"] == "replied" and data["reply"] == "已清理完毕。"
    pdf = tmp_path / "liaison.pdf"
    assert cli("doc", "show", doc_id, "--pdf", str(pdf))[0] == 0
    assert "head" in _verified(cli, pdf)
    assert sheet["id"] in [row["id"] for row in _ok(cli, "doc", "list", "--internal")]
    second = _ok(cli, "doc", "liaison", "--title", "请借用会议室", "--to-dept", "KF", "--body",
                 "周五下午借用一号会议室。", user="gaofei")
    data = _ok(cli, "doc", "void", str(second["id"]), "--reason", "会议取消")
    assert data["status"] == "voided" and data["number"] == second["number"]  # kept, not reused


def test_lists_departments_and_gaps_as_json(cli, tmp_path):
    _instructed(cli, tmp_path)
    for args, user in ((("doc", "list", "--overdue"), "wangfang"),
                       (("doc", "list", "--status", "circulating", "--search", "消防"), "wangfang"),
                       (("doc", "chase-list"), "wangfang"), (("doc", "dept", "list"), "admin")):
        rows = _ok(cli, *args, user=user)
        assert isinstance(rows, list)
    rows = _ok(cli, "doc", "list", "--status", "circulating", "--search", "消防")
    assert rows and all(row["status"] == "circulating" for row in rows)
    waiting = _ok(cli, "doc", "waiting", user="liqiang")
    assert any(row["title"] == "关于开展冬季消防安全检查的通知" for row in waiting["read"])
    departments = {row["code"]: row for row in _ok(cli, "doc", "dept", "list", user="admin")}
    assert "田东" in departments["BA"]["heads"]
    assert _ok(cli, "doc", "gaps") == {"year": date.today().year, "gaps": []}
    second = _ok(cli, "doc", "receive", "--sender", "区消防大队", "--title", "消防检查回执")
    with sqlite3.connect(cli.path) as db:  # a row lost behind the register's back
        db.execute("DELETE FROM document WHERE id = ?", (second["id"],))
    code, out, err = cli("doc", "gaps")
    assert code == 1 and second["number"] in out, err  # an error, never silently
    placed = _ok(cli, "doc", "dept", "set", "gaofei", "KF", user="admin")
    assert (placed["user"], placed["code"], placed["head"]) == ("gaofei", "KF", False)
    code, out, err = cli("doc", "dept", "set", "gaofei", "BA", "--head", user="admin")
    assert code == 0 and out == "高飞 (gaofei) heads 保安部 now.\n", err
    code, out, err = cli("doc", "dept", "clear", "gaofei", user="admin")
    assert code == 0 and out == "高飞 (gaofei) has no department now.\n", err
    code, out, err = cli("doc", "dept", "set", "gaofei", "KF", user="wangfang")
    assert code == 3 and not out  # the admin's, not the clerk's
    code, out, err = cli("doc", "find", "SW1999-0001")
    assert code == 4 and "SW1999-0001" in err
    # The installed entry point, as a script runs it: a real process, the same JSON.
    result = subprocess.run(
        [sys.executable, "-m", "desk_app", "doc", "list", "--incoming", "--json"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "DESK_DB": f"sqlite:///{cli.path}", "DESK_USER": "chenjing",
             "DESK_PASSWORD": DEMO_PASSWORD})
    assert result.returncode == 0, result.stderr
    assert [row["title"] for row in json.loads(result.stdout)] == ["关于开展冬季消防安全检查的通知"]


@pytest.mark.parametrize(("case", "message", "exit_code"), [
    ("due_in_the_past", "in the past", 2),
    ("duplicate_sender_number", "registered already", 5),
    ("instructed_by_a_clerk", "", 3),
    ("read_out_of_order", "first", 5),
    ("read_by_someone_not_listed", "not circulated to you", 3),
    ("unknown_department", "No department", 2),
    ("refusal_without_reason", "--reason", 2),
    ("attachment_missing", "Cannot read", 2),
    ("attachment_too_large", "larger than 20 MB", 2),
    ("body_twice", "not allowed with", 2),
    ("received_in_the_future", "future", 2),
    ("unknown_document", "No document", 4),
])
def test_bad_input_is_one_line_and_writes_nothing(cli, tmp_path, case, message, exit_code):
    letter = _received(cli, tmp_path, ref="建消〔2026〕99号")
    doc_id = str(letter["id"])
    instruct = ["doc", "instruct", doc_id, "--instruction", "阅办", "--read", "GC", "BA",
                "--handler", "KF"]
    if case in ("read_out_of_order", "read_by_someone_not_listed", "refusal_without_reason"):
        _ok(cli, *instruct, user="zhangwei")
    writes = cli.writes()
    user = "wangfang"
    if case == "due_in_the_past":
        args, user = [*instruct, "--due", _day(-1)], "zhangwei"
    elif case == "duplicate_sender_number":
        args = ["doc", "receive", "--sender", "市住房和城乡建设局", "--title", "又一份",
                "--sender-ref", "建消〔2026〕99号"]
    elif case == "instructed_by_a_clerk":
        args = instruct
    elif case == "read_out_of_order":
        args, user = ["doc", "read", doc_id], "tiandong"
    elif case == "read_by_someone_not_listed":
        args, user = ["doc", "read", doc_id], "zhoumin"
    elif case == "unknown_department":
        args, user = [*instruct[:-1], "XX"], "zhangwei"
    elif case == "refusal_without_reason":
        args, user = ["doc", "signoff", doc_id, "--refuse"], "zhangwei"
    elif case == "attachment_missing":
        args = ["doc", "receive", "--sender", "甲", "--title", "乙", "--attach",
                str(tmp_path / "no-such-scan.pdf")]
    elif case == "attachment_too_large":
        big = tmp_path / "big.tif"
        with big.open("wb") as stream:  # sparse: 20 MB and one byte, written in no time
            stream.truncate(20 * 1024 * 1024 + 1)
        args = ["doc", "receive", "--sender", "甲", "--title", "乙", "--attach", str(big)]
    elif case == "body_twice":
        args = ["doc", "draft", "--title", "甲", "--to", "乙", "--body", "丙", "--body-file",
                str(tmp_path / "x.txt")]
    elif case == "received_in_the_future":
        args = ["doc", "receive", "--sender", "甲", "--title", "乙", "--received", _day(2)]
    else:
        args = ["doc", "carry", "999999"]
    code, out, err = cli(*args, user=user)
    assert code == exit_code and not out, err
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert cli.writes() == writes
