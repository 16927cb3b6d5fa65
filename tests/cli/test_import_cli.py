"""``desk-app import``: the report as text or JSON, exit codes 0 / 2 / 3 / 5, dry run."""

from __future__ import annotations

import json

import pytest

from tests.services.imports_helpers import ITEMS_HEADER, write_csv


@pytest.fixture
def cli_user() -> str:
    return "admin"


def test_import_dry_run_then_run_then_again(cli, tmp_path):
    path = write_csv(tmp_path / "c.csv", [
        ITEMS_HEADER, ["IMP-1", "导入的文件", "TZ", "KF", "2020-01-02", "", "", "", ""]])
    before = cli.writes()
    code, out, err = cli("import", "items", str(path), "--dry-run", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["dry_run"] and data["rows"] == 1 and data["imported"] == 1 and not data["errors"]
    assert cli.writes() == before  # the check wrote nothing
    code, out, _err = cli("import", "items", str(path))
    assert code == 0 and "1 imported" in out and cli.writes() == before + 1
    code, out, err = cli("import", "items", str(path), "--json")
    assert code == 5 and "imported on" in err and "--force" in err
    assert json.loads(out)["refused"] and cli.writes() == before + 1  # JSON even when refused
    code, out, _err = cli("import", "items", str(path), "--force", "--json")
    assert code == 2 and "exists already" in json.loads(out)["errors"][0]["message"]


def test_errors_exit_2_with_row_and_column(cli, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [
        ["档号", "题名", "类别", "部门"], ["BAD REF", "文件", "TZ", "KF"], ["OK-1", "好", "TZ", "KF"]])
    before = cli.writes()
    code, out, err = cli("import", "items", str(path))
    assert code == 2 and "row 2, column 档号" in out and "desk-app: " in err
    assert "nothing was imported" in err and "0 imported" in out  # what happened, not what would
    assert cli.writes() == before
    code, out, _err = cli("import", "items", str(path), "--only-valid", "--json")
    assert code == 2 and json.loads(out)["imported"] == 1


def test_mapping_and_permission(cli, tmp_path):
    path = write_csv(tmp_path / "m.csv", [["A", "B", "C"], ["文件", "TZ", "KF"]])
    code, _out, err = cli("import", "items", str(path), "--map", "A=title", "--map", "B=kind",
                          "--map", "C=dept", "--dry-run")
    assert code == 0, err
    code, out, err = cli("import", "items", str(path), "--map", "Z=title", "--json")
    assert code == 2 and "no column" in err and json.loads(out)["errors"][0]["row"] == 0
    code, _out, err = cli("import", "items", str(path), "--dry-run", user="wangfang")
    assert code == 3


def test_users_take_the_initial_password_from_the_environment(cli, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "s.csv", [["姓名", "用户名", "部门"], ["吴小明", "wuxiaoming", "客服部"]])
    monkeypatch.delenv("DESK_IMPORT_PASSWORD", raising=False)
    code, _out, err = cli("import", "users", str(path))
    assert code == 2 and "DESK_IMPORT_PASSWORD" in err
    monkeypatch.setenv("DESK_IMPORT_PASSWORD", "start-2026")
    code, out, err = cli("import", "users", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["created"]["user"] == ["wuxiaoming"] and "start-2026" not in out
