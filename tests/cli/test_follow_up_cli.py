"""desk-app visit promise|promises|transfer|escalate|handoffs, callback add|list|record,
complaint month|sign-month|month-form (issue 18)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tests.cli.test_cli import as_boss, cli, initialised  # noqa: F401 (fixtures)


@pytest.fixture
def people(initialised):  # noqa: F811
    for name, role, full in (("wangfang", "clerk", "王芳"), ("liqiang", "supervisor", "李强")):
        code, _out, err = as_boss(initialised, "user", "add", name, "--role", role,
                                  "--full-name", full, "--password-stdin",
                                  stdin=f"{name}-password\n")
        assert code == 0, err

    def as_user(name):
        return lambda *args: initialised(*args, user=name, password=f"{name}-password")

    return as_user("wangfang"), as_user("liqiang")


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def test_a_promise_and_a_transfer_from_the_command_line(people, db_url):
    clerk, _supervisor = people
    from desk_app.desk import Desk

    desk = Desk.open(db_url)  # a call in the log (the CLI has no command to open one)
    try:
        actor = desk.auth.login("wangfang", "wangfang-password")
        entry = desk.visits.open_visit(actor, "phone_in", name="赵", request="查询水费").id
    finally:
        desk.close()

    past = _local(datetime.now() - timedelta(hours=1))
    code, _out, err = clerk("visit", "promise", str(entry), "--by", past)
    assert code == 2 and "already passed" in err
    soon = _local(datetime.now() + timedelta(minutes=10))
    code, out, err = clerk("visit", "promise", str(entry), "--by", soon)
    assert code == 0 and f"log entry {entry} promised" in out.lower(), err
    code, out, err = clerk("visit", "promises", "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["id"] == entry and row["promise"] == "pending"

    code, _out, err = clerk("visit", "transfer", str(entry))
    assert code == 2 and "to whom" in err
    code, out, err = clerk("visit", "transfer", str(entry), "--to-dept", "工程部")
    assert code == 0 and "工程部" in out, err
    code, out, err = clerk("visit", "escalate", str(entry), "--to-user", "liqiang")
    assert code == 0 and "李强" in out, err
    code, out, err = clerk("visit", "handoffs", str(entry), "--json")
    rows = json.loads(out)
    assert [(r["kind"], r["to_dept"], r["to_user"]) for r in rows] == [
        ("transfer", "工程部", None), ("escalate", None, "liqiang")]


def test_a_call_back_scheduled_listed_and_recorded(people):
    clerk, _supervisor = people
    code, _out, err = clerk("callback", "add", "--contact", "13800000000", "--purpose", "回访",
                            "--at", _local(datetime.now() - timedelta(days=1)))
    assert code == 2 and "past" in err
    code, out, err = clerk("callback", "add", "--contact", "13800000000", "--purpose", "回访",
                           "--at", _local(datetime.now() + timedelta(hours=2)),
                           "--channel", "email")
    assert code == 0 and "Call-back 1 scheduled" in out, err
    code, out, err = clerk("callback", "list", "--pending", "--json")
    (row,) = json.loads(out)
    assert (row["id"], row["channel"], row["status"]) == (1, "email", "scheduled")
    code, out, err = clerk("callback", "record", "1", "--result", "已解决",
                           "--satisfaction", "satisfied")
    assert code == 0, err
    code, out, err = clerk("callback", "record", "1", "--result", "已解决",
                           "--satisfaction", "satisfied")
    assert code == 5  # recorded already


def test_a_month_reviewed_and_signed_from_the_command_line(people, tmp_path):
    clerk, supervisor = people
    today = datetime.now()
    last = (today.replace(day=1) - timedelta(days=1))
    month = f"{last.year:04d}-{last.month:02d}"
    this_month = f"{today.year:04d}-{today.month:02d}"
    code, _out, err = clerk("complaint", "sign-month", "--month", month, "--analysis", "分析",
                            "--measures", "措施")
    assert code == 3, err
    code, _out, err = supervisor("complaint", "sign-month", "--month", this_month,
                                 "--analysis", "分析", "--measures", "措施")
    assert code == 2 and "not ended" in err
    code, out, err = supervisor("complaint", "sign-month", "--month", month, "--analysis",
                                "派工漏派", "--measures", "每日核对派工单")
    assert code == 0 and f"CPS-{last.year:04d}{last.month:02d}" in out, err
    code, out, err = clerk("complaint", "month", "--month", month, "--json")
    data = json.loads(out)
    assert data["signed"]["measures"] == "每日核对派工单", err
    code, out, err = clerk("complaint", "month", "--month", this_month)
    assert code == 0 and "每日核对派工单" in out  # last month's measures shown
    target = tmp_path / "month.pdf"
    code, out, err = clerk("complaint", "month-form", "--month", month, "--out", str(target))
    assert code == 0 and target.read_bytes().startswith(b"%PDF"), err
    code, out, err = clerk("verify-pdf", str(target))
    assert code == 0, out + err
