"""`desk-app complaint …`: a complaint's closed loop on the command line — add, analyse, two
proposals, the supervisor's signed decision, the customer's signature (a real PNG), the
call-back that closes it — and the signed forms verified by verify-pdf and poppler's pdfsig.
Refusals are one line on stderr with their exit code, and write nothing."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from datetime import date, timedelta

import pytest

from desk_app.desk import Desk

CLERK, SUPERVISOR, MANAGER = "wangfang", "liqiang", "zhangwei"


def _png(path):
    """The customer's strokes, as a signature pad saves them."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (240, 80), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 60), (80, 15), (150, 65), (230, 20)], fill="black", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def _json(result):
    code, out, err = result
    assert code == 0, err
    return json.loads(out)


def _show(cli, complaint_id: int, user: str = CLERK) -> dict:
    return _json(cli("complaint", "show", str(complaint_id), "--json", user=user))


def _proposed(cli) -> tuple[int, int, int]:
    """A complaint analysed, with two proposals waiting for the supervisor."""
    added = _json(cli("complaint", "add", "--category", "repairs", "--description",
                      "报修三天未上门，态度冷淡", "--name", "刘先生", "--contact", "13800000001",
                      "--severity", "2", "--json"))
    assert added["severity"] == 2 and added["status"] == "open"
    complaint_id = added["id"]
    code, out, err = cli("complaint", "analyse", str(complaint_id), "--cause", "delay",
                         "--text", "派工单漏派，无人跟进", "--staff", CLERK, "zhoumin")
    assert code == 0 and "TS-" in out, err
    first = _json(cli("complaint", "propose", str(complaint_id), "--text", "今天下午派师傅上门",
                      "--json"))
    second = _json(cli("complaint", "propose", str(complaint_id), "--text",
                       "明天上午上门并减免本月维修费", "--json"))
    return complaint_id, first["id"], second["id"]


def _trusted_pdfsig(cli, tmp_path, pdf) -> str:
    """pdfsig's report with the database's CA trusted in a throw-away NSS database."""
    for tool in ("pdfsig", "certutil"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install poppler-utils and libnss3-tools")
    nss = tmp_path / "nss"
    if not nss.exists():
        ca = tmp_path / "ca.pem"
        assert cli("ca", "export", str(ca))[0] == 0
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True,
                       capture_output=True, timeout=60)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "desk-ca", "-t", "C,C,C",
                        "-a", "-i", str(ca)], check=True, capture_output=True, timeout=60)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout


def test_a_complaint_runs_the_whole_loop_on_the_command_line(cli, tmp_path):
    complaint_id, first, second = _proposed(cli)
    ids = [row["id"] for row in _json(cli("complaint", "list", "--status", "proposed",
                                          "--json"))]
    assert complaint_id in ids

    decision = _json(cli("complaint", "decide", str(complaint_id), "--proposal", str(second),
                         "--instruction", "同意减免，明早九点前上门", "--json", user=SUPERVISOR))
    number = decision["number"]
    assert number == f"TS-{complaint_id:06d}-1" and decision["decided_role"] == "supervisor"
    signature = _png(tmp_path / "customer.png")
    code, out, err = cli("complaint", "accept", str(complaint_id), "--signature", str(signature),
                         "--channel", "email")
    assert code == 0 and f"{number}-C" in out, err

    case = _show(cli, complaint_id)
    assert case["complaint"]["status"] == "accepted" and case["staff"] == [CLERK, "zhoumin"]
    assert {p["id"]: p["state"] for p in case["proposals"]} == {first: "not_chosen",
                                                                second: "chosen"}
    assert [d["accepted"] for d in case["decisions"]] == [True]
    [callback] = case["callbacks"]
    assert callback["channel"] == "email" and callback["status"] == "scheduled"

    # no call-back command on the command line: the call-back is recorded as the GUI does
    desk = Desk.open(os.environ["DESK_DB"])
    try:
        clerk = desk.auth.login(CLERK, "demo1234")
        desk.callbacks.record_callback(clerk, callback["id"], "师傅已上门修好", "satisfied")
    finally:
        desk.close()
    case = _show(cli, complaint_id, user="chenjing")  # the auditor reads it too
    assert case["complaint"]["status"] == "closed" and case["complaint"]["closed_at"]
    assert case["callbacks"][0]["satisfaction"] == "satisfied"

    code, out, _err = cli("complaint", "show", str(complaint_id))
    assert code == 0 and "Closed" in out and number in out and "明天上午上门" in out
    assert "sent back" not in out

    for form, signer in ((number, SUPERVISOR), (f"{number}-C", CLERK)):
        pdf = tmp_path / f"{form}.pdf"
        code, out, err = cli("complaint", "form", form, "--out", str(pdf))
        assert code == 0 and pdf.read_bytes().startswith(b"%PDF"), err
        code, out, err = cli("verify-pdf", str(pdf), "--json")
        report = json.loads(out)
        assert code == 0 and report["ok"], out
        assert [s["user"] for s in report["signatures"]] == [signer]
        report = _trusted_pdfsig(cli, tmp_path, pdf)
        assert "Signature is Valid" in report and "Certificate is Trusted" in report, report


def test_a_refused_decision_goes_to_the_manager_and_a_proposal_can_be_sent_back(cli):
    complaint_id, first, second = _proposed(cli)
    before = cli.writes()
    code, _out, err = cli("complaint", "send-back", str(first), "--reason", "不够")
    assert code == 3 and cli.writes() == before, err
    code, out, err = cli("complaint", "send-back", str(first), "--reason", "没有解决维修问题",
                         user=SUPERVISOR)
    assert code == 0 and str(first) in out, err
    assert _show(cli, complaint_id)["complaint"]["status"] == "proposed"  # the second waits
    code, _out, err = cli("complaint", "decide", str(complaint_id), "--proposal", str(first),
                          "--instruction", "同意", user=SUPERVISOR)
    assert code == 5 and "Sent back" in err

    assert cli("complaint", "decide", str(complaint_id), "--proposal", str(second),
               "--instruction", "同意", user=SUPERVISOR)[0] == 0
    code, out, err = cli("complaint", "refuse", str(complaint_id), "--reason", "要求赔偿")
    assert code == 0 and "manager" in out, err
    assert _show(cli, complaint_id)["complaint"]["status"] == "refused"
    code, _out, err = cli("complaint", "decide", str(complaint_id), "--proposal", str(second),
                          "--instruction", "维持", user=SUPERVISOR)
    assert code == 3 and "manager" in err
    decision = _json(cli("complaint", "decide", str(complaint_id), "--proposal", str(second),
                         "--instruction", "维持原处理，另赠一次保洁", "--json", user=MANAGER))
    assert decision["number"].endswith("-2") and decision["decided_role"] == "manager"
    case = _show(cli, complaint_id)
    assert case["complaint"]["status"] == "decided"
    assert [d["accepted"] for d in case["decisions"]] == [False, None]


def test_refusals_say_why_with_their_exit_code_and_write_nothing(cli, tmp_path):
    complaint_id, first, _second = _proposed(cli)
    bad_png = tmp_path / "scribble.png"
    bad_png.write_bytes(b"\x89PNG" * 10)
    before = cli.writes()
    for args, user, code, message in (
        (("decide", str(complaint_id), "--proposal", str(first), "--instruction", "同意"),
         CLERK, 3, "Only a supervisor"),
        (("show", "999999"), CLERK, 4, "No complaint 999999"),
        (("analyse", "999999", "--cause", "delay", "--text", "漏派"), CLERK, 4, "No complaint"),
        (("decide", str(complaint_id), "--proposal", "999999", "--instruction", "同意"),
         SUPERVISOR, 4, "no proposal 999999"),
        (("form", "TS-999999-1", "--out", str(tmp_path / "none.pdf")), CLERK, 4,
         "No signed complaint form"),
        (("analyse", str(complaint_id), "--cause", "weather", "--text", "太热"), CLERK, 2,
         "cause"),
        (("add", "--category", "weather", "--description", "x"), CLERK, 2, "category"),
        (("add", "--category", "noise", "--description", "x", "--severity", "9"), CLERK, 2,
         "invalid choice"),
        (("accept", str(complaint_id), "--signature", str(tmp_path / "missing.png")), CLERK, 2,
         "Cannot read the signature"),
        (("accept", str(complaint_id), "--signature", str(tmp_path)), CLERK, 2,
         "Cannot read the signature"),
        (("accept", str(complaint_id), "--signature", str(bad_png)), CLERK, 2,
         "not a readable picture"),
        (("accept", str(complaint_id), "--signature", str(_png(tmp_path / "ok.png")),
          "--channel", "fax"), CLERK, 2, "invalid choice"),
        (("list", "--status", "lost"), CLERK, 2, "invalid choice"),
    ):
        got, out, err = cli("complaint", *args, user=user)
        assert (got, out) == (code, ""), (args, got, out, err)
        assert message in err and len(err.strip().splitlines()) == 1, (args, err)
    assert cli.writes() == before

    # decided once: deciding again is a conflict; a decided complaint's customer signs once
    assert cli("complaint", "decide", str(complaint_id), "--proposal", str(first),
               "--instruction", "同意", user=SUPERVISOR)[0] == 0
    before = cli.writes()
    code, _out, err = cli("complaint", "decide", str(complaint_id), "--proposal", str(first),
                          "--instruction", "再次", user=SUPERVISOR)
    assert code == 5 and "not possible now" in err
    code, _out, err = cli("complaint", "accept", str(complaint_id), "--signature",
                          str(bad_png))
    assert code == 2 and "not a readable picture" in err
    code, _out, err = cli("complaint", "accept", str(complaint_id), "--signature",
                          str(tmp_path / "ok.png"), "--callback-at", "2001-01-01 09:00")
    assert code == 2 and "past" in err
    # the form is never written over the open database
    number = f"TS-{complaint_id:06d}-1"
    code, _out, err = cli("complaint", "form", number, "--out", str(cli.path))
    assert code == 2 and "open database" in err
    code, _out, err = cli("complaint", "form", number, "--out", str(cli.path), "--force")
    assert code == 2 and "open database" in err
    assert cli.writes() == before
    existing = tmp_path / "exists.pdf"
    existing.write_bytes(b"older")
    code, _out, err = cli("complaint", "form", number, "--out", str(existing))
    assert code == 2 and "--force" in err and existing.read_bytes() == b"older"


def test_list_filters_by_state_and_day(cli):
    complaint_id, _first, _second = _proposed(cli)
    today = date.today()
    rows = _json(cli("complaint", "list", "--from", today.isoformat(), "--to",
                     today.isoformat(), "--json"))
    assert complaint_id in [row["id"] for row in rows]
    assert all(row["received_at"][:10] in {(today - timedelta(days=1)).isoformat(),
                                            today.isoformat(),
                                            (today + timedelta(days=1)).isoformat()}
               for row in rows)
    for status in ("open", "closed", "refused"):
        rows = _json(cli("complaint", "list", "--status", status, "--json"))
        assert {row["status"] for row in rows} <= {status}
        assert complaint_id not in [row["id"] for row in rows]
    rows = _json(cli("complaint", "list", "--open", "--limit", "5", "--json"))
    assert len(rows) <= 5 and all(row["replied_at"] is None for row in rows)
    code, out, _err = cli("complaint", "list", "--status", "proposed")
    assert code == 0 and f"TS-{complaint_id:06d}" in out and "王芳" in out
