"""desk-app script / visit / complaint / export visits|complaints."""

from __future__ import annotations

import json
import os

import pytest

from desk_app.desk import Desk
from tests.cli.test_cli import as_boss, cli, initialised  # noqa: F401 (fixtures)


@pytest.fixture
def desk_cli(initialised):  # noqa: F811
    code, _out, err = as_boss(initialised, "user", "add", "wangfang", "--role", "clerk",
                              "--full-name", "王芳", "--password-stdin",
                              stdin="wang-password\n")
    assert code == 0, err

    def as_clerk(*args):
        return initialised(*args, user="wangfang", password="wang-password")

    return as_clerk


def test_script_list_json_in_every_language(desk_cli):
    for lang in ("zh_CN", "zh_TW", "en"):
        code, out, err = desk_cli("script", "list", "--lang", lang, "--json")
        assert code == 0, err
        rows = json.loads(out)
        assert rows and {row["lang"] for row in rows} == {lang}
        assert {"key", "situation", "lang", "text"} <= set(rows[0])
    code, out, _ = desk_cli("script", "list")
    assert code == 0 and "phone.answer" in out


def test_script_render_and_missing_value(desk_cli):
    code, out, _ = desk_cli("script", "render", "phone.answer", "--lang", "zh_CN")
    assert code == 0 and "王芳" in out and "示例物业服务有限公司" in out
    code, out, err = desk_cli("script", "render", "phone.not_available", "--lang", "en",
                              "--set", "caller=Li")
    assert code == 2 and "{caller_title}" in err and "{caller}" not in err
    code, out, _ = desk_cli("script", "render", "phone.not_available", "--lang", "en",
                            "--set", "caller=Li", "--set", "caller_title=Ms")
    assert code == 0 and out.startswith("Ms Li,")


def test_script_check(cli):  # noqa: F811 (needs no database)
    code, out, _ = cli("script", "check", "對不起，這個我們沒做過！")
    assert code == 1 and "我們沒做過" in out and "這項服務" in out
    code, out, _ = cli("script", "check", "I don’t know")
    assert code == 1 and "Let me find that out" in out
    code, out, _ = cli("script", "check", "不知道您现在方便吗？")
    assert code == 0


def test_script_edit_and_history(initialised):  # noqa: F811
    code, out, err = as_boss(initialised, "script", "edit", "visitor.farewell", "--lang", "en",
                             "--text", "Goodbye, see you soon!")
    assert code == 0, err
    assert "version 2" in out
    code, out, err = as_boss(initialised, "script", "edit", "visitor.farewell", "--lang", "en",
                             "--text", "Bye {nobody}")
    assert code == 2 and "{nobody}" in err
    code, out, _ = as_boss(initialised, "script", "history", "visitor.farewell", "--lang", "en",
                           "--json")
    assert [row["version"] for row in json.loads(out)] == [2, 1]


def test_visit_list_and_exports(desk_cli, tmp_path):
    desk = Desk.open(os.environ["DESK_DB"])
    try:
        clerk = desk.auth.login("wangfang", "wang-password")
        desk.visits.open_visit(clerk, "visit", name="李", request="领取快递")
        desk.complaints.add_complaint(clerk, "parking", "车位被占")
    finally:
        desk.close()
    code, out, err = desk_cli("visit", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows[0]["name"] == "李" and rows[0]["time_out"] is None
    code, out, err = desk_cli("export", "visits", "--format", "csv", "--out",
                              str(tmp_path / "v.csv"))
    assert code == 0, err
    assert "领取快递" in (tmp_path / "v.csv").read_text(encoding="utf-8-sig")
    code, out, err = desk_cli("export", "complaints", "--format", "pdf", "--out",
                              str(tmp_path / "c.pdf"))
    assert code == 0, err
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    code, out, err = desk_cli("complaint", "stats", "--month", "2026-11", "--json")
    assert code == 0, err
    code, out, err = desk_cli("complaint", "stats", "--month", "2026-11", "--format", "xlsx",
                              "--out", str(tmp_path / "s.xlsx"))
    assert code == 0, err
    assert (tmp_path / "s.xlsx").exists()


def test_message_add_list_confirm_and_chase(desk_cli, initialised):  # noqa: F811
    code, _out, err = as_boss(initialised, "user", "add", "liqiang", "--role", "supervisor",
                              "--full-name", "李强", "--password-stdin", stdin="li-password\n")
    assert code == 0, err

    def as_li(*args):
        return initialised(*args, user="liqiang", password="li-password")

    code, out, err = desk_cli("message", "add", "--for", "liqiang", "--caller", "赵",
                              "--title", "先生", "--contact", "13800000000",
                              "--text", "请回电，关于12栋漏水。")
    assert code == 0, err
    assert "Message 1 for liqiang" in out
    code, out, err = desk_cli("message", "list", "--unconfirmed", "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["for"], row["for_name"], row["caller"], row["taken_by"], row["chases"]) == (
        "liqiang", "李强", "赵先生", "wangfang", 0)
    assert row["confirmed_at"] is None
    code, out, _ = desk_cli("message", "list", "--to-chase", "--json")
    assert code == 0 and json.loads(out) == []  # not an hour old yet
    code, out, err = desk_cli("message", "chase", "1")
    assert code == 0 and "reminder 1" in out, err

    # only the addressee confirms, once
    code, _out, err = desk_cli("message", "confirm", "1")
    assert code == 3 and "only they can confirm" in err
    code, out, err = as_li("message", "list", "--mine")
    assert code == 0 and "请回电" in out, err
    code, out, err = as_li("message", "confirm", "1")
    assert code == 0 and "confirmed" in out, err
    code, _out, err = as_li("message", "confirm", "1")
    assert code == 5 and "already confirmed" in err
    code, out, _ = as_li("message", "list", "--mine")
    assert code == 0 and "(none)" in out


def test_message_bad_input_writes_nothing(desk_cli):
    code, _out, err = desk_cli("message", "add", "--for", "nobody", "--caller", "赵先生",
                               "--text", "请回电")
    assert code == 2 and "not an active user" in err
    code, _out, err = desk_cli("message", "add", "--for", "wangfang", "--caller", "赵\x1b[2J",
                               "--text", "请回电")
    assert code == 2
    code, out, _ = desk_cli("message", "list", "--json")
    assert code == 0 and json.loads(out) == []
