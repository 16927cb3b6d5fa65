"""``desk-app grant add|list|revoke`` (R6, issue 12): the personnel officer lets one user read
one personnel file until a day; bad input is one clear line on stderr and writes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

TITLE = "Zebrafinch-9f3 appraisal"
OFFICER = "liuyang"


@pytest.fixture
def cli_user() -> str:
    return OFFICER


@pytest.fixture
def sealed_ref(cli) -> str:
    code, out, err = cli("item", "add", "--title", TITLE, "--kind", "YH", "--dept", "XZ",
                         "--level", "personnel", "--json")
    assert code == 0, err
    return json.loads(out)[0]["ref"]


def later(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def grants(cli, user: str = OFFICER) -> list[dict]:
    code, out, err = cli("grant", "list", "--json", user=user)
    assert code == 0, err
    return json.loads(out)


def test_grant_add_list_revoke(cli, sealed_ref):
    code, out, err = cli("item", "list", "--search", "zebrafinch", "--json", user="wangfang")
    assert (code, json.loads(out)) == (0, [])
    before = len(grants(cli))
    code, out, err = cli("grant", "add", sealed_ref, "--to", "wangfang", "--until", later(7),
                         "--reason", "绩效复核")
    assert code == 0, err
    assert "wangfang may read" in out and sealed_ref in out
    rows = grants(cli)
    assert len(rows) == before + 1
    mine = rows[0]
    assert {key: mine[key] for key in ("ref", "title", "user", "until", "status", "reason",
                                       "granted_by")} == {
        "ref": sealed_ref, "title": TITLE, "user": "wangfang", "until": later(7),
        "status": "live", "reason": "绩效复核", "granted_by": OFFICER}
    # the auditor sees the grant, not the title
    audited = next(row for row in grants(cli, "chenjing") if row["id"] == mine["id"])
    assert audited["title"] != TITLE and "Zebrafinch" not in json.dumps(audited)
    # the grantee finds and reads it
    code, out, err = cli("item", "list", "--search", "zebrafinch", "--json", user="wangfang")
    assert code == 0, err
    assert [(row["ref"], row["title"]) for row in json.loads(out)] == [(sealed_ref, TITLE)]
    code, out, err = cli("grant", "list", user=OFFICER)
    assert code == 0 and sealed_ref in out and "live" in out
    code, out, err = cli("grant", "revoke", str(mine["id"]), "--reason", "已复核")
    assert code == 0, err
    assert "revoked" in out
    code, out, err = cli("grant", "list", "--current", "--json")
    assert mine["id"] not in [row["id"] for row in json.loads(out)]
    code, out, err = cli("item", "list", "--search", "zebrafinch", "--json", user="wangfang")
    assert (code, json.loads(out)) == (0, [])
    code, out, err = cli("item", "show", sealed_ref, user="wangfang")
    assert code == 4 and "No item" in err
    code, _out, err = cli("grant", "revoke", str(mine["id"]))
    assert code == 2 and "revoked already" in err


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--to", "nobody", "--until", later(3), "--reason", "x"), 2, "No active user nobody"),
    (("--to", "wangfang", "--until", later(-1), "--reason", "x"), 2, "until today"),
    (("--to", "wangfang", "--until", later(400), "--reason", "x"), 2, "at most 366 days"),
    (("--to", "wangfang", "--until", "tomorrow", "--reason", "x"), 2, "not a date"),
    (("--to", "wangfang", "--until", later(3), "--reason", " "), 2, "reason"),
    (("--to", "wangfang", "--until", later(3)), 2, "--reason"),
    (("--to", OFFICER, "--until", later(3), "--reason", "x"), 2, "themself"),
])
def test_bad_grants_are_one_clear_line_and_write_nothing(cli, sealed_ref, args, code, message):
    before = len(grants(cli))
    got, out, err = cli("grant", "add", sealed_ref, *args)
    assert (got, out) == (code, "")
    assert err.startswith("desk-app: ") and message in err and err.count("\n") == 1
    assert len(grants(cli)) == before


def test_a_grant_of_a_file_that_is_not_a_personnel_file_is_refused(cli):
    code, out, err = cli("item", "add", "--title", "行政通知", "--kind", "TZ", "--dept", "XZ",
                         "--level", "public", "--json", user="wangfang")
    public = json.loads(out)[0]["ref"]
    for ref in (public, "RS-2026-9999"):
        code, _out, err = cli("grant", "add", ref, "--to", "wangfang", "--until", later(3),
                              "--reason", "x")
        assert code == 2 and "No personnel file" in err


def test_only_the_officer_grants_and_clerks_do_not_list(cli, sealed_ref):
    code, _out, err = cli("grant", "add", sealed_ref, "--to", "zhoumin", "--until", later(3),
                          "--reason", "x", user="wangfang")
    assert code == 3
    assert cli("grant", "list", user="wangfang")[0] == 3
    assert cli("grant", "revoke", "1", user="chenjing")[0] == 3
    code, _out, err = cli("grant", "revoke", "999999")
    assert code == 4 and "No grant 999999" in err
