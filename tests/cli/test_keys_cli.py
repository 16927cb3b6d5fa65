"""`desk-app key …`: the register, checkout and check-in from the command line, the JSON
lists, and bad input as one line on stderr, a documented exit code and nothing written."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def cli_user() -> str:
    return "liqiang"  # a supervisor: keeps the register and lends


def _add(cli, tag="T-1", *extra):
    code, out, err = cli("key", "add", tag, "--name", "样品室钥匙", "--kind", "key", "--home",
                         "Cabinet A", *extra)
    assert code == 0, err
    return out


def test_add_checkout_list_checkin_history(cli):
    assert "T-1" in _add(cli, "t-1")
    code, out, err = cli("key", "add", "T-P", "--name", "A4 paper", "--kind", "supply",
                         "--count", "10", "--no-checklist", "--json")
    assert code == 0, err
    paper = json.loads(out)
    assert (paper["tag"], paper["count"], paper["on_checklist"]) == ("T-P", 10, False)
    code, out, err = cli("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "取样",
                         "--until", "2099-01-01 10:00", user="wangfang")
    assert code == 0, err
    assert "周敏" in out
    code, out, err = cli("key", "list", "--out", "--json", user="chenjing")  # an auditor reads
    assert code == 0, err
    rows = [row for row in json.loads(out) if row["tag"].startswith("T-")]  # not the demo's
    assert [row["tag"] for row in rows] == ["T-1"]
    row = rows[0]
    assert {"tag", "name", "kind", "holder", "due"} <= row.keys()
    assert (row["holder"], row["kind"], row["name"]) == ("zhoumin", "key", "样品室钥匙")
    assert row["due"].startswith("2099-01-01T10:00")  # local time, with its offset
    code, out, err = cli("key", "list")
    assert code == 0 and "T-1" in out and "T-P" in out and "周敏" in out
    code, out, err = cli("key", "checkin", "T-1", "--condition", "damaged", "--note", "齿断",
                         "--json", user="wangfang")
    assert code == 0, err
    assert json.loads(out)["condition"] == "damaged" and json.loads(out)["holder"] is None
    code, out, err = cli("key", "history", "T-1", "--json")
    history = json.loads(out)
    assert [(h["holder"], h["condition_in"], h["note_in"]) for h in history] == [
        ("zhoumin", "damaged", "齿断")]
    code, out, err = cli("key", "history", "--holder", "zhoumin")
    assert code == 0 and "T-1" in out


def test_checkout_default_and_hhmm(cli):
    _add(cli)
    code, out, err = cli("key", "checkout", "T-1", "--to", "wangfang", "--reason", "r",
                         "--json")
    assert code == 0, err
    assert json.loads(out)["due_at"]  # the end of the shift
    _add(cli, "T-2")
    code, out, err = cli("key", "checkout", "T-2", "--to", "wangfang", "--reason", "r",
                         "--until", "23:59", "--json")
    assert code == 0 or "already passed" in err  # run at 23:59 exactly: refused
    if code == 0:
        assert "T23:59" in json.loads(out)["due_at"]


def test_already_out_is_a_conflict(cli):
    _add(cli)
    assert cli("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "a")[0] == 0
    before = cli.writes()
    code, _out, err = cli("key", "checkout", "T-1", "--to", "wangfang", "--reason", "b")
    assert code == 5
    assert "T-1 is already out with zhoumin since" in err and len(err.splitlines()) == 1
    assert cli.writes() == before


@pytest.mark.parametrize(("args", "code", "message"), [
    (("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "a", "--until", "00:00"), 2,
     "already passed"),
    (("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "a", "--until", "2001-01-01 09:00"),
     2, "already passed"),
    (("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "a", "--until", "tomorrow"), 2,
     "not a time"),
    (("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "a", "--until", "25:00"), 2,
     "not a time"),
    (("key", "checkout", "T-1", "--to", "nobody", "--reason", "a"), 2, "No active user nobody"),
    (("key", "checkout", "T-404", "--to", "zhoumin", "--reason", "a"), 4, "T-404"),
    (("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "a\x1b[2Jb"), 2,
     "control character"),
    (("key", "checkin", "T-1"), 2, "not out"),
    (("key", "checkin", "T-1", "--condition", "broken"), 2, "invalid choice"),
    (("key", "add", "T-9", "--name", "x", "--kind", "key", "--count", "-3"), 2, "whole number"),
    (("key", "add", "T-9", "--name", "x", "--kind", "key", "--count", "three"), 2,
     "whole number"),
    (("key", "add", "T-9", "--name", "x", "--kind", "spoon"), 2, "invalid choice"),
    (("key", "add", "T-1", "--name", "x", "--kind", "key"), 2, "already"),
    (("key", "add", "T 9", "--name", "x", "--kind", "key"), 2, "tag"),
    (("key", "add", "T-9", "--name", "x\x07", "--kind", "key"), 2, "control character"),
])
def test_bad_input(cli, args, code, message):
    _add(cli)
    before = cli.writes()
    got, _out, err = cli(*args)
    assert got == code, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert cli.writes() == before


def test_roles(cli):
    _add(cli)
    before = cli.writes()
    code, _out, err = cli("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "a",
                          user="chenjing")  # an auditor
    assert code == 3, err
    code, _out, err = cli("key", "add", "T-8", "--name", "x", "--kind", "key", user="wangfang")
    assert code == 3, err
    assert cli.writes() == before


def test_overdue_list_and_retire(cli):
    import sqlite3

    _add(cli)
    _add(cli, "T-2")
    assert cli("key", "checkout", "T-1", "--to", "zhoumin", "--reason", "a")[0] == 0
    assert cli("key", "checkout", "T-2", "--to", "zhoumin", "--reason", "b")[0] == 0
    with sqlite3.connect(cli.path) as db:  # T-1 was due yesterday
        db.execute("UPDATE equipment_loan SET due_at = '2000-01-01 00:00:00' WHERE reason = 'a'")
    code, out, err = cli("key", "list", "--overdue", "--json")
    assert code == 0, err
    assert [row["tag"] for row in json.loads(out) if row["tag"].startswith("T-")] == ["T-1"]
    assert json.loads(out)[0]["overdue"] is True
    code, out, err = cli("key", "retire", "T-1")
    assert code == 2 and "out" in err
    assert cli("key", "checkin", "T-1")[0] == 0
    code, out, err = cli("key", "retire", "T-1", "--json")
    assert code == 0 and json.loads(out)["active"] is False
    code, out, err = cli("key", "edit", "T-2", "--name", "新名字", "--count", "2", "--json")
    assert code == 0 and json.loads(out)["name"] == "新名字"
