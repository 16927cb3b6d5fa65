"""`desk-app approval …`: request → decide → show --pdf → revoke, list, export; bad input is
one line on stderr, a non-zero exit, and nothing written."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest


def _secret(cli, count: int = 1) -> list[str]:
    code, out, err = cli("item", "list", "--level", "secret", "--available", "--json",
                         "--limit", "50")
    assert code == 0, err
    taken = set()
    for what in ("pending", "approved"):  # items named by the demo's requests stay out
        taken |= {ref for row in json.loads(cli("approval", "list", "--status", what,
                                                 "--json")[1])
                  for ref in row["refs"].split(", ")}
    return [row["ref"] for row in json.loads(out) if row["ref"] not in taken][:count]


def _day(days: int = 0) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _request(cli, ref: str, *extra: str):
    return cli("approval", "request", ref, "--requester", "赵审计", "--contact", "13812345678",
               "--org", "信达会计师事务所", "--purpose", "年度审计", "--access", "take-out",
               "--from", _day(), "--to", _day(7), *extra)


def test_request_decide_show_revoke_list_export(cli, tmp_path):
    [ref] = _secret(cli)
    code, out, err = _request(cli, ref, "--json")
    assert code == 0, err
    [filed] = json.loads(out)
    assert filed["status"] == "pending" and filed["number"].startswith("SP")
    request_id = str(filed["id"])
    code, out, err = cli("approval", "decide", request_id, "--approve", "--reason", "同意",
                         "--json", user="zhangwei")
    assert code == 0, err
    assert json.loads(out)[0]["status"] == "approved" and json.loads(out)[0]["signed"]
    pdf = tmp_path / "approval.pdf"
    code, out, err = cli("approval", "show", request_id, "--pdf", str(pdf))
    assert code == 0, err
    assert filed["number"] in out and "同意" in out
    code, out, err = cli("verify-pdf", str(pdf), "--json")
    assert code == 0, err + out
    code, out, _ = cli("approval", "list", "--status", "approved", "--json")
    assert filed["id"] in [row["id"] for row in json.loads(out)]
    code, out, err = cli("loan", "lend", ref, "--borrower", "赵审计", "--contact", "13812345678",
                         "--purpose", "审计", "--due", _day(5))
    assert code == 0, err
    code, out, err = cli("approval", "revoke", request_id, "--reason", "审计结束",
                         user="zhangwei")
    assert code == 0, err
    assert f"Still out under it: {ref}, 赵审计" in out  # revoked with the file still out
    code, out, _ = cli("approval", "show", request_id, "--json")
    shown = json.loads(out)[0]
    assert shown["status"] == "revoked"
    assert [e["what"] for e in shown["events"]] == ["requested", "approved", "lent", "revoked"]
    csv = tmp_path / "approvals.csv"
    code, out, err = cli("export", "approvals", "--format", "csv", "--out", str(csv),
                         user="chenjing")
    assert code == 0, err
    assert filed["number"] in csv.read_text(encoding="utf-8-sig")
    code, out, _ = cli("approval", "list")
    assert "revoked" in out and "expired" in out  # the demo's too


@pytest.mark.parametrize(("case", "message"), [
    ("ends_before_start", "before it starts"),
    ("in_the_past", "in the past"),
    ("not_secret", "not secret"),
    ("unknown", "No item"),
    ("zero_copies", "number of copies"),
    ("negative_copies", "number of copies"),
    ("bad_access", "invalid choice"),
    ("no_reason", "required: --reason"),
    ("both", "not allowed with"),
    ("decided_again", "not waiting for a decision"),
    ("revoke_pending", "only a live approval"),
    ("clerk_decides", "may not"),
])
def test_bad_input_is_one_line_and_writes_nothing(cli, case, message):
    [ref] = _secret(cli)
    code, out, _ = cli("approval", "list", "--json", "--limit", "1000")
    before = (len(json.loads(out)), out)
    base = ["approval", "request", ref, "--requester", "liqiang", "--purpose", "审计",
            "--access", "take-out", "--from", _day(), "--to", _day(3)]
    args, user = base, "wangfang"
    if case == "ends_before_start":
        args = [*base[:-4], "--from", _day(3), "--to", _day(1)]
    elif case == "in_the_past":
        args = [*base[:-4], "--from", _day(-1), "--to", _day(1)]
    elif case == "not_secret":
        code, out, _ = cli("item", "list", "--level", "public", "--json", "--limit", "1")
        args = [*base[:2], json.loads(out)[0]["ref"], *base[3:]]
    elif case == "unknown":
        args = [*base[:2], "NO-SUCH-9", *base[3:]]
    elif case in ("zero_copies", "negative_copies"):
        args = [*base[:8], "copy", *base[9:], "--copies",
                "0" if case == "zero_copies" else "-2"]
    elif case == "bad_access":
        args = [*base[:8], "borrow", *base[9:]]
    else:
        pending = json.loads(cli("approval", "list", "--status", "pending", "--json")[1])[0]
        decided = json.loads(cli("approval", "list", "--status", "refused", "--json")[1])[0]
        before = (len(json.loads(out)), cli("approval", "list", "--json", "--limit", "1000")[1])
        user = "zhangwei"
        args = {"no_reason": ["approval", "decide", str(pending["id"]), "--approve"],
                "both": ["approval", "decide", str(pending["id"]), "--approve", "--refuse",
                         "--reason", "x"],
                "decided_again": ["approval", "decide", str(decided["id"]), "--approve",
                                  "--reason", "再议"],
                "revoke_pending": ["approval", "revoke", str(pending["id"]), "--reason", "x"],
                "clerk_decides": ["approval", "decide", str(pending["id"]), "--approve",
                                  "--reason", "x"]}[case]
        if case == "clerk_decides":
            user = "wangfang"
    code, out, err = cli(*args, user=user)
    assert code != 0 and not out
    assert message in err and len(err.strip().splitlines()) == 1, err
    code, out, _ = cli("approval", "list", "--json", "--limit", "1000")
    assert (len(json.loads(out)), out) == before


def test_in_office_reading_under_a_read_approval(cli):
    """`loan lend --in-office` lends a secret file under a 'read' approval, due today (by
    closing time); without the flag the same approval does not let it out."""
    [ref] = _secret(cli)
    # Closing at the last minute of the day, so the test runs at any hour but that one.
    code, out, err = cli("settings", "set", "closing_time", "23:59", user="admin")
    assert code == 0, err
    code, out, err = cli("approval", "request", ref, "--requester", "liqiang", "--purpose",
                         "查阅合同", "--access", "read", "--from", _day(), "--to", _day(), "--json")
    assert code == 0, err
    request_id = str(json.loads(out)[0]["id"])
    code, out, err = cli("approval", "decide", request_id, "--approve", "--reason", "同意查阅",
                         user="zhangwei")
    assert code == 0, err
    code, out, err = cli("loan", "lend", ref, "--borrower", "liqiang", "--purpose", "查阅",
                         "--due", _day(3))
    assert code != 0 and "read" in err.lower() and out == ""
    code, out, err = cli("loan", "lend", ref, "--borrower", "liqiang", "--purpose", "查阅",
                         "--in-office", "--json")
    if code != 0 and "closing" in err.lower():
        pytest.skip("run after closing time: in-office reading is refused then (tested with a "
                    "fixed clock in tests/services/test_approvals.py)")
    assert code == 0, err
    [lent] = json.loads(out)
    assert lent["due_on"] == _day() and lent["approvals"][ref].startswith("SP")
