from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys

import pytest

from desk_app import __version__
from desk_app.cli import main


@pytest.fixture
def cli(monkeypatch, capsys, db_url):
    """Run ``desk-app`` in-process against the test database; returns (code, out, err)."""
    monkeypatch.setenv("DESK_DB", db_url)
    monkeypatch.delenv("DESK_USER", raising=False)
    monkeypatch.delenv("DESK_PASSWORD", raising=False)

    def run(*args: str, stdin: str = "", user: str | None = None, password: str | None = None):
        for variable, value in (("DESK_USER", user), ("DESK_PASSWORD", password)):
            if value is None:
                monkeypatch.delenv(variable, raising=False)
            else:
                monkeypatch.setenv(variable, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def initialised(cli):
    code, out, _ = cli("init", "--admin", "boss", "--password-stdin", stdin="boss-password\n")
    assert code == 0, out
    return cli


def as_boss(cli, *args, stdin=""):
    return cli(*args, stdin=stdin, user="boss", password="boss-password")


def test_init_is_idempotent_and_never_adds_a_second_admin(initialised):
    code, out, _ = initialised("init", "--admin", "other", "--password-stdin", stdin="x" * 10 + "\n")
    assert code == 0 and "no administrator was added" in out
    code, out, _ = as_boss(initialised, "user", "list", "--json")
    assert [row["name"] for row in json.loads(out)] == ["boss"]


def test_user_lifecycle_and_json(initialised):
    code, out, err = as_boss(initialised, "user", "add", "wangfang", "--role", "clerk,supervisor",
                             "--full-name", "王芳", "--password-stdin", stdin="wang-password\n")
    assert code == 0, err
    code, out, _ = as_boss(initialised, "user", "list", "--json")
    rows = json.loads(out)
    assert {"name": "wangfang", "full_name": "王芳", "roles": ["clerk", "supervisor"],
            "active": True}.items() <= rows[1].items()
    assert as_boss(initialised, "user", "passwd", "wangfang", "--password-stdin",
                   stdin="another-pass\n")[0] == 0
    assert initialised("user", "list", user="wangfang", password="another-pass")[0] == 3
    assert as_boss(initialised, "user", "deactivate", "wangfang")[0] == 0
    code, _, err = initialised("user", "list", user="wangfang", password="another-pass")
    assert code == 3 and "Unknown user or wrong password" in err  # no account oracle
    code, out, _ = as_boss(initialised, "user", "list")
    assert "wangfang" in out and "False" in out


def test_the_command_line_loads_no_database_layer_before_it_is_needed():
    """With no command the sign-in window must appear before peewee and psycopg load (~0.1 s;
    see docs/gui.md): building the parser may not import them."""
    code = ("import sys; from desk_app.cli.main import build_parser; build_parser(); "
            "assert not [m for m in sys.modules if m.split('.')[0] in ('peewee', 'psycopg')], "
            "sorted(m for m in sys.modules if m.startswith(('peewee', 'psycopg')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (("user", "add", "x", "--role", "clerk", "--password-stdin"), "longenough\n", 2, "user name"),
        (("user", "add", "okay", "--role", "clerk", "--password-stdin"), "short\n", 2, "at least 8"),
        (("user", "add", "okay", "--role", "wizard", "--password-stdin"), "longenough\n", 2, "Unknown role"),
        (("user", "add", "okay", "--role", "clerk", "--password-stdin"), "", 2, "No password"),
        (("user", "deactivate", "ghost"), "", 4, "No user named ghost"),
        (("settings", "set", "idle_lock_minutes", "0"), "", 2, "from 1 to 240"),
    ],
)
def test_bad_input_one_line_non_zero(initialised, args, stdin, code, message):
    got, _out, err = as_boss(initialised, *args, stdin=stdin)
    assert got == code and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_wrong_password_and_missing_user(initialised):
    code, _, err = initialised("user", "list", user="boss", password="wrong-one")
    assert code == 3 and "wrong password" in err
    code, _, err = initialised("user", "list")
    assert code == 2 and "DESK_USER" in err


def test_audit_verify_and_list(initialised):
    code, out, _ = as_boss(initialised, "audit", "verify")
    assert code == 0 and "intact" in out and "head hash" in out
    code, out, _ = as_boss(initialised, "audit", "verify", "--json")
    report = json.loads(out)
    assert report["ok"] and report["count"] >= 2
    code, out, _ = as_boss(initialised, "audit", "list", "--action", "auth.", "--json")
    assert code == 0 and all(row["action"].startswith("auth.") for row in json.loads(out))


def test_settings_list_json(initialised):
    as_boss(initialised, "settings", "set", "company_name", "華南物業")
    _code, out, _ = as_boss(initialised, "settings", "list", "--json")
    values = {row["key"]: row["value"] for row in json.loads(out)}
    assert values["company_name"] == "華南物業" and values["idle_lock_minutes"] == 5


def test_backup_and_restore_commands(initialised, tmp_path):
    target = tmp_path / "nightly.db"
    assert as_boss(initialised, "backup", str(target))[0] == 0 and target.exists()
    as_boss(initialised, "user", "add", "temp", "--role", "clerk", "--password-stdin",
            stdin="temp-password\n")
    # The user added since would be lost: refused unless forced with a reason (issue 11).
    code, out, err = as_boss(initialised, "restore", str(target))
    assert code == 5 and "would lose" in err and "user.add" in out, (out, err)
    code, out, err = as_boss(initialised, "restore", str(target), "--force", "--reason",
                             "drop the temp user")
    assert code == 0, err
    _, out, _ = as_boss(initialised, "user", "list", "--json")
    assert [row["name"] for row in json.loads(out)] == ["boss"]
    code, _, err = as_boss(initialised, "restore", str(tmp_path / "missing.db"))
    assert code == 2 and "No backup file" in err


def test_demo_creates_users_of_every_role(cli):
    code, out, _ = cli("demo")
    assert code == 0 and "demo1234" in out
    code, out, _ = cli("user", "list", "--json", user="admin", password="demo1234")
    roles = {role for row in json.loads(out) for role in row["roles"]}
    assert roles == {"admin", "clerk", "supervisor", "manager", "auditor", "personnel"}
    assert cli("demo", "--if-empty")[0] == 0


def test_demo_is_deterministic(tmp_path, monkeypatch, capsys):
    names = []
    for n in range(2):
        url = f"sqlite:///{tmp_path / f'd{n}.db'}"
        assert main(["--db", url, "demo", "--scale", "2"]) == 0
        monkeypatch.setenv("DESK_USER", "admin")
        monkeypatch.setenv("DESK_PASSWORD", "demo1234")
        capsys.readouterr()
        main(["--db", url, "user", "list", "--json"])
        names.append([(r["name"], r["full_name"]) for r in json.loads(capsys.readouterr().out)])
    assert names[0] == names[1] and len(names[0]) == 59


def run_cli(*args: str, env: dict | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "desk_app", *args], input=stdin, text=True,
                          capture_output=True, env=full_env, timeout=60)


def test_version_and_module_entry_point():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"desk-app {__version__}"


def test_commands_do_not_import_qt(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.db'}"
    code = ("import sys; from desk_app.cli import main; "
            f"rc = main(['--db', '{url}', 'demo']); "
            "assert rc == 0; assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("db", "message"),
    [("mysql://x/y", "Not a database URL"),
     ("postgresql://nobody@127.0.0.1:9/none", "Cannot reach the PostgreSQL server"),
     ("NOTADB", "not a database file"),
     ("NEWER", "newer desk_app")],
)
def test_database_problems_are_one_clear_line(tmp_path, db, message):
    if db == "NOTADB":
        (tmp_path / "text.db").write_text("not sqlite")
        db = f"sqlite:///{tmp_path / 'text.db'}"
    elif db == "NEWER":
        path = tmp_path / "newer.db"
        assert run_cli("--db", f"sqlite:///{path}", "demo").returncode == 0
        conn = sqlite3.connect(path)
        conn.execute("UPDATE desk_meta SET value='99' WHERE key='schema_version'")
        conn.commit()
        conn.close()
        db = f"sqlite:///{path}"
    result = run_cli("--db", db, "user", "list", env={"DESK_USER": "admin", "DESK_PASSWORD": "x"})
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_chinese_messages(tmp_path):
    result = run_cli("--lang", "zh_CN", "--db", "mysql://x", "user", "list")
    assert result.returncode == 2 and "sqlite:///" in result.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr), result.stderr
