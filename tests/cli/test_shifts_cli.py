"""`desk-app shift …`: the rota, assignments and swaps approved beforehand (R12) from the
command line, with refusals as one line, a documented exit code and nothing written."""

from __future__ import annotations

import json

import pytest

DAY = "2099-01-05"  # far ahead: the slot has not started whenever the test runs


@pytest.fixture
def cli_user() -> str:
    return "liqiang"  # a supervisor: plans and decides


def _plan(cli):
    code, out, err = cli("shift", "assign", DAY, "day", "wangfang", "zhoumin")
    assert code == 0, err
    assert "王芳" in out
    return out


def _request(cli, *extra, user="wangfang"):
    return cli("shift", "swap", "request", "--day", DAY, "--shift", "day", "--absent",
               "wangfang", "--substitute", "liqiang", "--reason", "家中有事", *extra, user=user)


def test_plan_request_approve_and_rota(cli):
    _plan(cli)
    code, out, err = _request(cli, "--json")
    assert code == 0, err
    swap = json.loads(out)
    assert swap["number"].startswith("TB") and swap["status"] == "pending"
    code, out, err = cli("shift", "swaps", "--pending", "--json")
    assert code == 0, err
    pending = [s["id"] for s in json.loads(out)]
    assert pending[0] == swap["id"]  # newest first; the rest are the demo's own waiting swaps
    assert all(other < swap["id"] for other in pending[1:])
    # liqiang is the substitute: another supervisor decides
    code, out, err = cli("shift", "swap", "decide", str(swap["id"]), "--approve", "--reason",
                         "同意")
    assert code == 3 and "another supervisor" in err
    # zhoumin works the same shift but is not part of the swap: may decide
    code, out, err = cli("shift", "swap", "decide", str(swap["id"]), "--approve", "--reason",
                         "同意", "--json", user="zhoumin")
    assert code == 0, err
    assert json.loads(out)["status"] == "approved"
    code, out, err = cli("shift", "list", "--from", DAY, "--days", "1", "--json")
    day = json.loads(out)[0]
    assert sorted((p["name"], p["planned"]) for p in day["people"]) == [
        ("liqiang", "wangfang"), ("zhoumin", None)]


def test_refuse_leaves_the_rota(cli):
    _plan(cli)
    code, out, err = _request(cli, "--json", user="zhoumin")
    swap_id = str(json.loads(out)["id"])
    # zhoumin asked: cannot decide; liqiang is the substitute: cannot decide
    code, out, err = cli("shift", "swap", "decide", swap_id, "--refuse", "--reason", "x",
                         user="zhoumin")
    assert code == 3, err
    code, out, err = cli("shift", "list", "--from", DAY, "--days", "1", "--json")
    assert code == 0, err
    lines = json.loads(out)
    assert [(line["shift"], sorted(p["name"] for p in line["people"])) for line in lines] == [
        ("day", ["wangfang", "zhoumin"]), ("night", [])]


def test_approved_swap_shows_in_the_rota(cli):
    code, out, err = cli("shift", "assign", DAY, "night", "wangfang")
    assert code == 0, err
    code, out, err = cli("shift", "swap", "request", "--day", DAY, "--shift", "night",
                         "--absent", "wangfang", "--substitute", "zhoumin", "--reason", "病假",
                         user="wangfang")
    assert code == 0, err
    assert "TB" in out
    code, out, err = cli("shift", "swaps", "--json")
    swap = json.loads(out)[0]
    code, out, err = cli("shift", "swap", "decide", str(swap["id"]), "--approve", "--reason",
                         "同意")
    assert code == 0, err
    assert "approved" in out
    code, out, err = cli("shift", "list", "--from", DAY, "--days", "1", "--json")
    night = json.loads(out)[1]
    assert night["people"] == [{"name": "zhoumin", "full_name": "周敏", "planned": "wangfang",
                                "swap": swap["number"]}]
    code, out, err = cli("shift", "list", "--from", DAY, "--days", "1")
    assert code == 0 and swap["number"] in out and "周敏" in out
    code, out, err = cli("shift", "swaps")
    assert code == 0 and swap["number"] in out


@pytest.mark.parametrize(("args", "user", "code", "message"), [
    (("shift", "assign", DAY, "evening", "wangfang"), "liqiang", 2, "No shift evening"),
    (("shift", "assign", DAY, "day", "nobody"), "liqiang", 2, "No active user nobody"),
    (("shift", "assign", "2099-13-01", "day", "wangfang"), "liqiang", 2, "not a date"),
    (("shift", "assign", DAY, "day", "wangfang"), "wangfang", 3, "shift.plan"),
    (("shift", "swap", "request", "--day", DAY, "--shift", "day", "--absent", "liqiang",
      "--substitute", "zhoumin", "--reason", "x"), "wangfang", 2, "not on the rota"),
    (("shift", "swap", "request", "--day", "2001-01-01", "--shift", "day", "--absent",
      "wangfang", "--substitute", "liqiang", "--reason", "x"), "wangfang", 2, "already started"),
    (("shift", "swap", "request", "--day", DAY, "--shift", "day", "--absent", "wangfang",
      "--substitute", "liqiang", "--reason", "x\x1b]0;t\x07"), "wangfang", 2,
     "control character"),
    (("shift", "swap", "request", "--day", DAY, "--shift", "day", "--absent", "wangfang",
      "--substitute", "liqiang", "--reason", "x"), "chenjing", 3, "shift.request"),
    (("shift", "swap", "decide", "999", "--approve", "--reason", "x"), "liqiang", 4, "999"),
    (("shift", "swap", "decide", "1", "--reason", "x"), "liqiang", 2, "required"),
    (("shift", "list", "--days", "0"), "liqiang", 2, "whole number"),
])
def test_bad_input(cli, args, user, code, message):
    _plan(cli)
    before = cli.writes()
    got, _out, err = cli(*args, user=user)
    assert got == code, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert cli.writes() == before


def test_clerk_cannot_decide(cli):
    _plan(cli)
    code, out, err = _request(cli, "--json")
    swap_id = str(json.loads(out)["id"])
    before = cli.writes()
    code, out, err = cli("shift", "swap", "decide", swap_id, "--approve", "--reason", "ok",
                         user="wangfang")
    assert code == 3 and "shift.decide" in err
    assert cli.writes() == before
