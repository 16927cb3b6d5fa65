"""`desk-app retention …`: the destruction flow from the command line, and bad input as one
line on stderr, a non-zero exit and nothing written."""

from __future__ import annotations

import json
import sqlite3

from desk_app.cli import main
from desk_app.forms.verify import verify_pdf


def _free_due(cli, count: int) -> list[str]:
    code, out, err = cli("retention", "due", "--limit", "60", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert {"id", "ref", "title", "kind", "dept", "doc_date", "retention_years", "review_on",
            "held", "on_loan"} <= rows[0].keys()
    code, out, _ = cli("retention", "list", "--status", "proposed", "--json")
    listed = set()
    for row in json.loads(out):
        listed |= {item["ref"] for item in json.loads(
            cli("retention", "show", str(row["id"]), "--json")[1])["items"]}
    free = [r["ref"] for r in rows if not r["held"] and not r["on_loan"] and r["ref"] not in listed]
    return free[-count:]


def test_demo_has_a_signed_record(cli, tmp_path):
    code, out, err = cli("retention", "list", "--json")
    assert code == 0, err
    done = [row for row in json.loads(out) if row["status"] == "done"]
    assert done and done[0]["items"] == 3
    code, out, err = cli("retention", "show", str(done[0]["id"]), "--pdf", str(tmp_path / "r.pdf"))
    assert code == 0, err
    assert main(["verify-pdf", str(tmp_path / "r.pdf")]) == 0


def test_proposal_to_record(cli, tmp_path):
    refs = _free_due(cli, 2)
    code, out, err = cli("retention", "propose", *refs, "--reason", "超过保管期限", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert {"id", "number", "status", "items"} <= listed.keys() and listed["status"] == "proposed"
    list_id = str(listed["id"])
    code, out, err = cli("retention", "decide", list_id, "--approve", "--reason", "同意",
                         "--json", user="zhangwei")
    assert code == 0, err
    assert json.loads(out)["status"] == "approved"
    code, out, err = cli("retention", "destroy", list_id, "--witness", "zhoumin", "--method",
                         "incineration", "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "done"
    pdf = tmp_path / "record.pdf"
    assert cli("retention", "show", list_id, "--pdf", str(pdf))[0] == 0
    with sqlite3.connect(tmp_path / "desk.db") as db:
        ca = db.execute("SELECT cert_pem FROM signing_ca").fetchone()[0].encode()
    report = verify_pdf(pdf.read_bytes(), ca)
    assert report.ok and [s.signer_user for s in report.signatures] == [
        "zhangwei", "wangfang", "zhoumin"]
    code, _out, err = cli("loan", "lend", refs[0], "--borrower", "liqiang", "--purpose", "查阅")
    assert code == 2 and "destroyed" in err


def test_bad_input_writes_nothing(cli):
    refs = _free_due(cli, 3)
    code, out, err = cli("retention", "propose", refs[0], "--reason", "超期", "--json")
    assert code == 0, err
    proposed = str(json.loads(out)["id"])
    assert cli("retention", "hold", refs[1], "--reason", "诉讼")[0] == 0
    before = cli.writes()
    cases = [
        (("retention", "decide", proposed, "--approve", "--reason", " "), "zhangwei", 2,
         "reason"),
        (("retention", "decide", proposed, "--approve"), "zhangwei", 2, "--reason"),
        (("retention", "decide", proposed, "--refuse", "--reason", "x"), "wangfang", 3, "may not"),
        (("retention", "destroy", proposed, "--witness", "zhoumin", "--method", "shredding"),
         "wangfang", 2, "not approved"),
        (("retention", "propose", refs[1], "--reason", "超期"), "wangfang", 2, "hold"),
        (("retention", "hold", refs[1], "--reason", "again"), "wangfang", 2, "already"),
        (("retention", "release", refs[2], "--reason", "x"), "wangfang", 2, "not under"),
        (("retention", "propose", "NO-SUCH-9", "--reason", "超期"), "wangfang", 4, "No item"),
        (("retention", "kind", "TZ", "--years", "0"), "admin", 2, "from 1 to 100"),
        (("retention", "kind", "TZ", "--years", "5"), "wangfang", 3, "may not"),
    ]
    for args, user, exit_code, message in cases:
        code, _out, err = cli(*args, user=user)
        assert (code, message in err) == (exit_code, True), (args, code, err)
        assert len(err.strip().splitlines()) == 1, err
    assert cli.writes() == before
    code, _out, err = cli("retention", "decide", proposed, "--approve", "--reason", "同意",
                          user="zhangwei")
    assert code == 0, err
    before = cli.writes()
    code, _out, err = cli("retention", "decide", proposed, "--refuse", "--reason", "改变主意",
                          user="zhangwei")
    assert code == 5 and "decided only once" in err
    code, _out, err = cli("retention", "destroy", proposed, "--witness", "WANGFANG", "--method",
                          "shredding")
    assert code != 0 and "someone other" in err
    code, _out, err = cli("retention", "destroy", proposed, "--witness", "zhoumin", "--method", " ")
    assert code == 2 and "method" in err
    assert cli.writes() == before


def test_kind_default(cli):
    code, out, err = cli("retention", "kind", "ZD", "--years", "5", user="admin")
    assert code == 0, err
    assert "review dates of" in out
    assert cli("retention", "kind", "ZD", "--permanent", user="admin")[0] == 0
