"""`desk-app timeout …` and `visit add|edit --type --urgency` (002, issue 18): a call logged
with its request type and urgency times out; the supervisor reviews it with an evidence
file; the clerk held responsible appeals; someone with no part in the case decides; the
evidence comes back byte for byte. Refusals are one line on stderr with their exit code and
write nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from desk_app.desk import Desk

CLERK, OTHER_CLERK, SUPERVISOR, SECOND, MANAGER = (
    "wangfang", "sunli", "liqiang", "zhoumin", "zhangwei")


def _json(result):
    code, out, err = result
    assert code == 0, err
    return json.loads(out)


def _refused(cli, code: int, text: str, *args: str, user: str = CLERK) -> str:
    before = cli.writes()
    got, _out, err = cli(*args, user=user)
    assert got == code and text in err, (got, err)
    assert cli.writes() == before
    return err


def _forty_minutes_later(cli, entry: int) -> None:
    """The call was answered at once 40 minutes ago; it is resolved now (the clock of the
    command line is the real one: the entry's times are moved back instead)."""
    from desk_app.store.reception import Visit

    desk = Desk.open(f"sqlite:///{cli.path}")
    try:
        row = Visit.get_by_id(entry)
        arrived = row.arrived_at - timedelta(minutes=40)
        Visit.update(arrived_at=arrived, answered_at=arrived + timedelta(seconds=5)).where(
            Visit.id == entry).execute()
        desk.visits.resolve(desk.auth.login(CLERK, "demo1234"), entry, "已派维修师傅上门")
    finally:
        desk.close()


def test_a_timeout_reviewed_appealed_and_decided_on_the_command_line(cli, tmp_path):
    added = _json(cli("visit", "add", "--channel", "phone_in", "--name", "赵先生", "--request",
                      "门禁系统无法识别业主卡", "--type", "technical", "--json"))
    entry = added["id"]
    assert (added["request_type"], added["urgency"]) == ("technical", "normal")
    code, out, err = cli("visit", "edit", str(entry), "--urgency", "urgent")
    assert code == 0 and f"{entry}" in out, err
    _refused(cli, 2, "Give what to change", "visit", "edit", str(entry))
    _forty_minutes_later(cli, entry)
    # 40 minutes: moderate for a technical question (15/30/60), severe when urgent (halved)
    [row] = [r for r in _json(cli("visit", "list", "--json", "--limit", "20"))
             if r["id"] == entry]
    assert (row["request_type"], row["urgency"], row["timeout_level"]) == (
        "technical", "urgent", "severe")

    waiting = _json(cli("timeout", "list", "--state", "to_review", "--json", user=SUPERVISOR))
    assert waiting[0]["entry"] == entry and waiting[0]["state"] == "to_review"
    assert _json(cli("timeout", "list", "--state", "to_review", "--json")) == []  # staff

    recording = tmp_path / "来电录音.wav"
    recording.write_bytes(b"RIFF" + bytes(range(256)) * 64)
    review = ("timeout", "review", str(entry), "--cause", "staff")
    _refused(cli, 3, "", *review, "--responsible", CLERK)  # a clerk does not review
    err = _refused(cli, 2, "responsible", *review, user=SUPERVISOR)
    assert "Name the person directly responsible" in err
    _refused(cli, 2, "cannot be read", *review, "--responsible", CLERK, "--evidence",
             str(tmp_path / "missing.wav"), user=SUPERVISOR)
    _refused(cli, 2, "not a supervisor", *review, "--responsible", CLERK,
             "--joint-supervisor", OTHER_CLERK, user=SUPERVISOR)
    case = _json(cli(*review, "--responsible", "王芳", "--joint-supervisor", SECOND,
                     "--text", "交接班时无人跟进", "--retraining", "接听规范培训",
                     "--evidence", str(recording), "--json", user=SUPERVISOR))
    assert (case["state"], case["responsible"], case["joint_supervisor"]) == (
        "reviewed", CLERK, SECOND)
    assert case["measure"] == "deduction"  # the office's table for a severe timeout
    assert case["retraining"] is True and case["retraining_note"] == "接听规范培训"
    [evidence] = case["evidence"]
    assert evidence["sha256"] == hashlib.sha256(recording.read_bytes()).hexdigest()
    assert evidence["file"] == "来电录音.wav" and evidence["size"] == recording.stat().st_size
    _refused(cli, 5, "already reviewed", *review, "--responsible", CLERK, user=SECOND)

    mine = _json(cli("timeout", "list", "--mine", "--json"))
    assert entry in [r["entry"] for r in mine]
    shown = _json(cli("timeout", "show", str(entry), "--json"))
    assert shown["evidence"] == case["evidence"] and shown["request"] == "门禁系统无法识别业主卡"
    code, out, err = cli("timeout", "show", str(entry))
    assert code == 0 and evidence["sha256"] in out and "王芳" in out, err
    _refused(cli, 3, "", "timeout", "show", str(entry), user=OTHER_CLERK)  # not theirs
    _refused(cli, 4, "", "timeout", "show", "999999", user=SUPERVISOR)

    _refused(cli, 3, "Only the person held responsible", "timeout", "appeal", str(entry),
             "--reason", "不是我", user=OTHER_CLERK)
    appealed = _json(cli("timeout", "appeal", str(entry), "--reason", "当时系统故障，电话无法接通",
                         "--json"))
    assert appealed["state"] == "appealed" and appealed["appellant"] == CLERK
    _refused(cli, 5, "already appealed", "timeout", "appeal", str(entry), "--reason", "再次")
    decide = ("timeout", "decide-appeal", str(entry), "--outcome", "changed", "--decision",
              "系统日志证实故障")
    _refused(cli, 3, "other than", *decide, "--measure", "verbal", user=SUPERVISOR)  # reviewer
    _refused(cli, 3, "other than", *decide, "--measure", "verbal", user=SECOND)  # jointly liable
    _refused(cli, 3, "", *decide, "--measure", "verbal")  # a clerk
    _refused(cli, 2, "replaces", *decide, user=MANAGER)  # changed to what?
    code, out, err = cli(*decide, "--measure", "verbal", user=MANAGER)
    assert code == 0 and "verbal warning" in out, err
    decided = _json(cli("timeout", "show", str(entry), "--json"))
    assert (decided["state"], decided["outcome"], decided["decided_by"],
            decided["measure_now"]) == ("decided", "changed", MANAGER, "verbal")
    _refused(cli, 5, "already decided", "timeout", "decide-appeal", str(entry), "--outcome",
             "annulled", "--decision", "撤销", user=SECOND)

    target = tmp_path / "copy.wav"
    code, out, err = cli("timeout", "evidence", str(evidence["id"]), "--out", str(target))
    assert code == 0 and "SHA-256" in out, err
    assert target.read_bytes() == recording.read_bytes()
    _refused(cli, 2, "exists", "timeout", "evidence", str(evidence["id"]), "--out", str(target))
    code, _out, err = cli("timeout", "evidence", str(evidence["id"]), "--out", str(target),
                          "--force")
    assert code == 0, err
    _refused(cli, 4, "", "timeout", "evidence", "999999", "--out", str(tmp_path / "x"))


def test_the_demo_timeouts_listed_by_state(cli):
    """The demo's cases (demo/reception_timeouts.py) as each role sees them."""
    by_state = {}
    for state in ("to_review", "not_reviewed", "reviewed", "appealed", "decided"):
        rows = _json(cli("timeout", "list", "--state", state, "--json", user=MANAGER))
        assert rows and {r["state"] for r in rows} == {state}
        by_state[state] = rows
    [appealed] = by_state["appealed"]
    assert (appealed["appellant"], appealed["reviewed_by"]) == (CLERK, SECOND)
    # another supervisor than 周敏, who reviewed it, decides
    decided = _json(cli("timeout", "decide-appeal", str(appealed["entry"]), "--outcome",
                        "upheld", "--decision", "维持", "--json", user=SUPERVISOR))
    assert (decided["state"], decided["measure_now"]) == ("decided", appealed["measure"])
    staff = _json(cli("timeout", "list", "--json"))  # 王芳's own record only
    assert staff and all(CLERK in (r["responsible"], r["joint_supervisor"]) for r in staff)
    code, out, err = cli("timeout", "list", user=SUPERVISOR)
    assert code == 0 and "to_review" in out and "李强" in out, err
    code, _out, err = cli("timeout", "list", "--state", "closed")
    assert code == 2 and "invalid choice" in err
