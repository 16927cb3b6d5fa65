"""desk-app handover …: a full handover scripted (start, add, count, scan, sign, countersign,
list/show --json, --pdf), a refusal with the conflict code and each condition on its own line,
and bad input that writes nothing."""

from __future__ import annotations

import json
import sqlite3

import pytest

from desk_app.cli import main
from desk_app.desk import Desk
from desk_app.forms.verify import verify_pdf
from tests.conftest import PASSWORD


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    path = tmp_path / "desk.db"
    desk = Desk.open(f"sqlite:///{path}", create=True)
    desk.users.create_first_admin("admin", PASSWORD, "管理员")
    admin = desk.auth.login("admin", PASSWORD)
    for name, roles, full in (("bob", "clerk", "鲍勃"), ("amy", "clerk", "艾米"),
                              ("sue", "supervisor", "苏珊")):
        desk.users.add(admin, name, PASSWORD, roles, full)
    sue = desk.auth.login("sue", PASSWORD)
    desk.equipment.add(sue, "K-101", "样品室钥匙", "key")
    desk.equipment.add(sue, "R-1", "对讲机", "radio")
    ca = desk.keys.ca_certificate()
    desk.close()
    monkeypatch.setenv("DESK_DB", f"sqlite:///{path}")
    monkeypatch.setenv("DESK_PASSWORD", PASSWORD)
    capsys.readouterr()

    def cli(*args: str, user: str = "bob"):
        monkeypatch.setenv("DESK_USER", user)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    def writes() -> int:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT COUNT(*) FROM audit_entry WHERE action NOT LIKE 'auth.%'"
                              ).fetchone()[0]

    cli.writes = writes  # type: ignore[attr-defined]
    cli.ca = ca  # type: ignore[attr-defined]
    return cli


def test_full_handover_scripted(run, tmp_path):
    code, out, err = run("handover", "start", "--incoming", "amy")
    assert code == 0, err
    hid = out.strip()
    assert hid.isdigit()
    assert run("handover", "add", hid, "--kind", "problem", "--text", "漏水", "--cause", "水管",
               "--process", "报修", "--result", "修好")[0] == 0
    assert run("handover", "add", hid, "--kind", "instruction", "--text", "明早检查")[0] == 0
    code, out, err = run("handover", "count", hid, "1", "--found", "1", user="amy")
    assert code == 0, err
    code, out, err = run("handover", "scan", hid, "r-1", "--found", "0", user="amy")
    assert code == 0, err
    code, out, _err = run("handover", "check", hid)
    assert code == 0 and "Nothing blocks" in out
    assert run("handover", "sign", hid)[0] == 0
    assert run("handover", "sign", hid, user="amy")[0] == 0
    code, out, err = run("handover", "countersign", hid, user="sue")
    assert code == 0, err
    code, out, _err = run("handover", "list", "--json")
    [row] = json.loads(out)
    assert {"id", "shift", "outgoing", "incoming", "supervisor", "status", "started_at",
            "locked_at"} <= row.keys()
    assert row["status"] == "locked" and row["supervisor"] == "sue" and row["outgoing"] == "bob"
    pdf = tmp_path / "h.pdf"
    code, out, _err = run("handover", "show", hid, "--json", "--pdf", str(pdf))
    data = json.loads(out)
    assert [e["text"] for e in data["entries"]] == ["漏水", "明早检查"]
    assert [(line["no"], line["expected"], line["found"]) for line in data["lines"]] == \
        [(1, 1, 1), (2, 1, 0)]
    report = verify_pdf(pdf.read_bytes(), run.ca)
    assert report.ok and len(report.signatures) == 3
    code, out, _err = run("handover", "correct", hid, "--text", "更正", user="sue")
    assert code == 0


def test_refusal_prints_each_condition_and_exits_with_conflict(run):
    hid = run("handover", "start", "--incoming", "amy")[1].strip()
    run("handover", "add", hid, "--kind", "problem", "--text", "火警", "--cause", "a",
        "--process", "b", "--result", "c", "--major")
    run("handover", "flag", hid, "--equipment-changing", "发电机切换")
    assert run("handover", "flag", hid, "--unfit", user="amy")[0] == 0
    before = run.writes()
    code, out, _err = run("handover", "check", hid)
    assert code == 1 and len(out.splitlines()) == 4  # a check that finds a problem exits 1
    assert run.writes() == before  # checking records nothing
    code, _out, err = run("handover", "sign", hid)
    assert code == 5
    lines = [line.strip() for line in err.splitlines()[1:]]
    assert len(lines) == 4
    assert lines[0].startswith("A major or emergency event is unresolved")
    assert lines[1].startswith("Major equipment is starting or stopping: 发电机切换")
    assert lines[2].startswith("Preparation is incomplete: checklist lines not counted: 1, 2")
    assert lines[3].startswith("The incoming person is unfit")
    assert run.writes() == before + 1  # the refusal, recorded
    shown = json.loads(run("handover", "show", hid, "--json")[1])
    assert len(shown["refusals"]) == 1 and len(shown["blockers"]) == 4


def test_bad_input_writes_nothing(run):
    hid = run("handover", "start", "--incoming", "amy")[1].strip()
    before = run.writes()
    for args, user, code in (
            (("count", hid, "1", "--found", "-1"), "amy", 2),
            (("count", hid, "1", "--found", "abc"), "amy", 2),
            (("count", hid, "9", "--found", "1"), "amy", 2),
            (("count", hid, "1", "--found", "1"), "bob", 2),  # only the incoming counts
            (("sign", hid), "amy", 2),  # out of order
            (("countersign", hid), "sue", 2),
            (("countersign", hid), "bob", 3),
            (("resolve", hid, "4", "--result", "x"), "bob", 2),
            (("flag", hid, "--unfit", "发烧", "--substitute", "amy"), "bob", 2),
            (("start", "--incoming", "amy"), "bob", 5)):
        got, _out, err = run("handover", *args, user=user)
        assert got == code, (args, err)
        assert err.startswith("desk-app: ") and len(err.strip().splitlines()) == 1
    assert run.writes() == before
    assert run("handover", "count", hid, "1", "--found", "1", user="amy")[0] == 0
    code, _out, err = run("handover", "count", hid, "1", "--found", "2", user="amy")
    assert code == 5 and "counted already by amy" in err


def test_template_commands(run):
    code, out, err = run("handover", "template", "add", "--label", "值班日志", "--kind",
                         "document", "--json", user="sue")
    assert code == 0, err
    line = json.loads(out)[0]
    code, out, _err = run("handover", "template", "list", "--json")
    assert json.loads(out)[0]["label"] == "值班日志"
    assert run("handover", "template", "add", "--label", "x", "--kind", "key",
               user="bob")[0] == 3
    assert run("handover", "template", "remove", str(line["id"]), user="sue")[0] == 0
    assert json.loads(run("handover", "template", "list", "--json")[1]) == []
