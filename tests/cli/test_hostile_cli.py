"""Hostile input on the command line (issue 9): every failure is one line on stderr with a
documented exit code, never "unexpected error" (70) for something a user can type or a
damaged file; stored text reaches the terminal without control or bidi-override characters;
only the global --lang picks the language of the messages."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import peewee
import pytest

from desk_app.cli import main
from desk_app.cli.common import json_text, safe_text
from desk_app.cli.main import _language_from

BOSS = {"DESK_USER": "boss", "DESK_PASSWORD": "boss-password"}
# ESC sequences (retitle the window, clear the screen, colour), a C1 CSI, DEL, a
# right-to-left override and a newline that would fake a second line.
HOSTILE = "evil\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b\x7f\u202eexe.txt\u2066x\u2069\nVALID"
UNSAFE_CHARS = ["\x1b", "\x07", "\x9b", "\x7f", "\u202e", "\u2066", "\u2069"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """An initialised SQLite database with the admin boss and one archive item R-1."""
    path = tmp_path_factory.mktemp("hostile") / "desk.db"
    env = {**os.environ, "DESK_DB": f"sqlite:///{path}", **BOSS}
    for args, stdin in ((["init", "--admin", "boss", "--password-stdin"], "boss-password\n"),
                        (["item", "add", "--title", "消防设施年检报告", "--kind", "BG", "--dept", "GC",
                          "--level", "public", "--ref", "R-1"], "")):
        done = subprocess.run([sys.executable, "-m", "desk_app", *args], input=stdin, text=True,
                              capture_output=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def db(tmp_path, template) -> Path:
    copy = tmp_path / "desk.db"
    shutil.copy(template, copy)
    return copy


@pytest.fixture
def cli(monkeypatch, capsys, db):
    """``desk-app`` in-process as boss; returns (code, out, err)."""
    monkeypatch.setenv("DESK_DB", f"sqlite:///{db}")
    monkeypatch.setenv("DESK_LANG", "en")
    for name, value in BOSS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    def run(*args: str):
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def one_line_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("desk-app: ") and "unexpected error" not in err
    assert "Traceback" not in err and not any(char in err for char in UNSAFE_CHARS)
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_bytes(*args: bytes | str, env: dict | None = None, stdin: bytes = b"",
              db: Path | None = None) -> subprocess.CompletedProcess:
    """``desk-app`` in a subprocess: arguments and environment as raw bytes."""
    full = {**os.environ, "DESK_LANG": "en", **BOSS}
    if db is not None:
        full["DESK_DB"] = f"sqlite:///{db}"
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "desk_app", *args], input=stdin,
                          capture_output=True, env=full, timeout=60)


# --- 1. argparse errors: one line, exit 2; --help as before ---------------------------

@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["bogus"], "invalid choice: 'bogus'", "desk-app --help"),
        (["item"], "required: ACTION", "desk-app item --help"),
        (["item", "list", "--nope"], "unrecognized arguments: --nope", "desk-app item list --help"),
        (["item", "list", "--limit"], "expected one argument", "desk-app item list --help"),
        (["loan", "lend", "R-1"], "required", "desk-app loan lend --help"),
        (["script", "list", "--lang", "xx"], "invalid choice: 'xx'", "desk-app script list --help"),
        (["--lang", "klingon", "user", "list"], "invalid choice: 'klingon'", "desk-app --help"),
        (["--db"], "expected one argument", "desk-app --help"),
    ],
)
def test_argparse_errors_are_one_line_with_exit_2(cli, args, message, hint):
    code, out, err = cli(*args)
    line = one_line_error(err)
    assert code == 2 and out == ""
    assert message in line and line.endswith(f"(see {hint})"), line


def test_help_is_unchanged_and_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0 and out.startswith("usage: desk-app [-h] [--version]")
    assert "[--lang LANG]" in out
    for code in (0, 1, 2, 3, 4, 5, 6, 70, 130):
        assert f"\n  {code:<5}" in out.split("exit codes:")[1], code
    with pytest.raises(SystemExit) as stop:
        main(["item", "list", "--help"])
    assert stop.value.code == 0 and "usage: desk-app item list" in capsys.readouterr().out


def test_readme_documents_the_exit_codes():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command line")[1].split("\n## ")[0]
    for code in ("0 done", "1 a check", "2 bad input", "3 not allowed", "4 not found",
                 "5 conflict", "6 database", "70 internal error", "130 interrupted"):
        assert code in " ".join(section.split()), code


# --- 2. nothing a user can type ends in "unexpected error" ---------------------------

@pytest.mark.parametrize(
    "args",
    [
        ["item", "list", "--limit", "10^30"],
        ["item", "list", "--limit", "1" + "0" * 30],
        ["item", "list", "--limit", "9" * 5000],  # more digits than int() takes
        ["item", "list", "--limit", "0"],
        ["item", "list", "--limit", "10001"],
        ["item", "list", "--limit", "1e3"],
        ["audit", "list", "--limit", "1" + "0" * 30],
        ["loan", "list", "--limit", "-5"],
        ["visit", "list", "--limit", "1" + "0" * 30],
        ["item", "add", "--title", "x", "--kind", "BG", "--dept", "GC", "--level", "public",
         "--retention", "1" + "0" * 21],
        ["item", "add", "--title", "x", "--kind", "BG", "--dept", "GC", "--level", "public",
         "--retention", "-1"],
        ["demo", "--scale", "1" + "0" * 24],
        ["demo", "--scale", "0"],
        ["audit", "list", "--from", "0001-01-01"],
        ["audit", "list", "--to", "9999-12-31"],
        ["visit", "list", "--from", "0001-01-01", "--to", "9999-12-31"],
        ["loan", "lend", "R-1", "--borrower", "boss", "--purpose", "x", "--due", "9999-12-31"],
    ],
)
def test_numbers_and_dates_are_bounded(cli, db, args):
    before = digest(db)
    code, _out, err = cli(*args)
    line = one_line_error(err)
    assert code == 2 and ("not a whole number from" in line or "not a date from" in line), line
    assert digest(db) == before


def test_bounds_themselves_are_accepted(cli):
    code, out, err = cli("item", "list", "--limit", "10000", "--json")
    assert code == 0, err
    assert [row["ref"] for row in json.loads(out)] == ["R-1"]
    assert cli("audit", "list", "--limit", "1", "--from", "1000-01-01", "--to", "9998-12-31")[0] == 0


@pytest.mark.parametrize(
    "args",
    [
        [b"item", b"list", b"--search", b"\xff\xfe"],
        [b"item", b"add", b"--title", b"ab\xffcd", b"--kind", b"BG", b"--dept", b"GC",
         b"--level", b"public"],
        [b"settings", b"set", b"company_name", b"\xc3"],
        [b"script", b"check", b"\xe4\xb8"],
        [b"--db", b"/tmp/\xff.db", b"user", b"list"],
        [b"--user", b"bo\xffss", b"user", b"list"],
        [b"\xff"],
    ],
)
def test_invalid_utf8_arguments_exit_2(db, args):
    before = digest(db)
    result = run_bytes(*args, db=db)
    err = result.stderr.decode("utf-8")
    line = one_line_error(err)
    assert result.returncode == 2 and "Not valid UTF-8 text on the command line" in line, err
    assert "\ufffd" in line  # the bad bytes, shown
    assert digest(db) == before


@pytest.mark.parametrize("name", ["DESK_DB", "DESK_USER", "DESK_PASSWORD", "DESK_LANG"])
def test_invalid_utf8_environment_exits_2(db, name):
    value = {"DESK_DB": f"sqlite:///{db}".encode() + b"\xff", "DESK_USER": b"bo\xffss",
             "DESK_PASSWORD": b"boss-\xffpassword", "DESK_LANG": b"zh\xff"}[name]
    result = run_bytes("user", "list", db=db, env={name: value})
    err = result.stderr.decode("utf-8")
    line = one_line_error(err)
    assert result.returncode == 2 and name in line and "not valid UTF-8" in line, err
    assert "password" not in line.replace("DESK_PASSWORD", "")  # the value is never echoed


def test_invalid_utf8_password_on_stdin(db):
    result = run_bytes("user", "add", "newcomer", "--role", "clerk", "--password-stdin",
                       stdin=b"\xff\xfe12345678\n", db=db)
    line = one_line_error(result.stderr.decode("utf-8"))
    assert result.returncode == 2 and "password is not valid UTF-8" in line


@pytest.mark.parametrize("errors", ["strict", "surrogateescape"])
def test_invalid_utf8_password_on_stdin_in_process(cli, db, monkeypatch, errors):
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\xfe12345678\n"), encoding="utf-8", errors=errors)
    monkeypatch.setattr(sys, "stdin", stdin)
    code, _out, err = cli("user", "add", "newcomer", "--role", "clerk", "--password-stdin")
    assert code == 2 and "password is not valid UTF-8" in one_line_error(err)
    code, out, _err = cli("user", "list", "--json")
    assert [row["name"] for row in json.loads(out)] == ["boss"]


def _overwrite_page(path: Path, table: str | None = None, page: int | None = None) -> None:
    """Random-looking bytes over one page: the root page of ``table``, or page ``page``."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        if table:
            page = conn.execute("SELECT rootpage FROM sqlite_master WHERE type='table' AND name=?",
                                (table,)).fetchone()[0]
    conn.close()
    assert page
    with path.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(bytes((i * 151 + 7) % 256 for i in range(size)))


@pytest.mark.parametrize(
    ("damage", "args"),
    [
        ("item table", ["item", "list"]),  # sign-in works; the query meets the bad page
        ("item table", ["item", "show", "R-1"]),
        ("user table", ["user", "list"]),  # already the sign-in does
        ("truncated", ["user", "list"]),
        ("header only", ["item", "list"]),
    ],
)
def test_damaged_database_exits_6_with_what_to_do(cli, db, caplog, damage, args):
    if damage == "item table":
        _overwrite_page(db, table="item")
    elif damage == "user table":
        _overwrite_page(db, table="app_user")
    elif damage == "truncated":
        os.truncate(db, db.stat().st_size // 2)
    else:
        os.truncate(db, 100)
    caplog.set_level(logging.INFO)
    code, out, err = cli(*args)
    line = one_line_error(err)
    assert code == 6 and out == ""
    assert "is damaged" in line and str(db) in line and "desk-app restore FILE" in line, line
    assert any(record.exc_info for record in caplog.records)  # the traceback is in the log


def test_a_file_that_is_no_database_exits_6(cli, db):
    db.write_bytes(os.urandom(8192))
    code, _out, err = cli("user", "list")
    assert code == 6 and "not a database file" in one_line_error(err)


def test_a_genuine_bug_still_exits_70(cli, monkeypatch):
    from desk_app.services.reception import phrases

    def broken(*args, **kwargs):
        raise peewee.OperationalError(sqlite3.OperationalError("no such column: oops"))

    monkeypatch.setattr(phrases, "check_text", broken)
    code, _out, err = cli("script", "check", "hello")
    assert code == 70 and "unexpected error" in err and len(err.splitlines()) == 1


# --- 3. stored text reaches the terminal defused --------------------------------------

def _store_hostile_text(db: Path) -> None:
    """Old data (from before the domain refused such text), written past the services."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE item SET title = ?, keywords = ? WHERE ref = 'R-1'",
                     (HOSTILE, "\x1b[8m"))
        conn.execute("UPDATE app_user SET full_name = ? WHERE name = 'boss'", (HOSTILE,))
    conn.close()


@pytest.mark.parametrize(
    ("args", "lines"),
    [(["item", "list"], 2), (["item", "show", "R-1"], None), (["user", "list"], 2)],
)
def test_stored_control_characters_are_shown_as_placeholders(cli, db, args, lines):
    _store_hostile_text(db)
    code, out, err = cli(*args)
    assert code == 0, err
    assert not any(char in out for char in UNSAFE_CHARS), repr(out)
    assert "evil␛]0;pwned␇␛[2J␛[31mred" in out and "\u240aVALID" in out
    if lines:  # header and one row: the newline in the title made no line of its own
        assert len(out.splitlines()) == lines, out


def test_json_escapes_control_characters_losslessly(cli, db):
    _store_hostile_text(db)
    code, out, err = cli("item", "list", "--json")
    assert code == 0, err
    assert not any(char in out for char in UNSAFE_CHARS), repr(out)
    assert json.loads(out)[0]["title"] == HOSTILE
    code, out, err = cli("item", "show", "R-1", "--json")
    assert code == 0 and json.loads(out)[0]["title"] == HOSTILE


def test_json_module_alone_leaves_c1_and_bidi_raw():
    """Why json_text exists: ensure_ascii=False escapes only C0 controls."""
    raw = json.dumps(HOSTILE, ensure_ascii=False)
    assert "\x1b" not in raw and "\\u001b" in raw
    assert "\x9b" in raw and "\u202e" in raw and "\x7f" in raw
    escaped = json_text(HOSTILE)
    assert not any(char in escaped for char in UNSAFE_CHARS)
    assert json.loads(escaped) == HOSTILE


def test_safe_text():
    assert safe_text("a\x1b[31mb") == "a\u241b[31mb"
    assert safe_text("a\nb\tc\r") == "a\u240ab\u2409c\u240d"
    assert safe_text("a\nb\tc", keep_newlines=True) == "a\nb\tc"
    assert safe_text("\x9b\u202e\u2067\x00\x7f") == "\ufffd\ufffd\ufffd\u2400\u2421"
    assert safe_text("王芳 Zoë ‹›") == "王芳 Zoë ‹›"


def test_user_input_echoed_in_an_error_stays_on_one_line(cli):
    code, _out, err = cli("user", "deactivate", "gh\nost\x1b[31m")
    line = one_line_error(err)
    assert code == 4 and "gh\u240aost\u241b[31m" in line


def test_console_is_restored_after_a_command(cli):
    stdout, stderr = sys.stdout, sys.stderr
    cli("item", "list")
    assert sys.stdout is stdout and sys.stderr is stderr


def test_a_console_without_chinese_does_not_fail(db):
    result = run_bytes("item", "list", db=db, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert b"R-1" in result.stdout and b"?" in result.stdout


# --- 4. only the global --lang picks the language of the messages ----------------------

@pytest.mark.parametrize(
    ("argv", "language"),
    [
        (["--lang", "zh_CN", "user", "list"], "zh_CN"),
        (["--lang=zh_TW", "user", "list"], "zh_TW"),
        (["--la", "zh_CN", "user", "list"], "zh_CN"),  # argparse takes abbreviations too
        (["--db", "x.db", "--lang", "zh_CN", "script", "list", "--lang", "en"], "zh_CN"),
        (["script", "edit", "k", "--lang", "zh_CN", "--text", "t"], "en"),
        (["script", "list", "--lang=zh_TW"], "en"),
        (["--db", "--lang", "script", "list"], "en"),  # --lang is --db's value here
        (["--lang"], "en"),
    ],
)
def test_language_comes_from_the_global_option_only(monkeypatch, argv, language):
    monkeypatch.setenv("DESK_LANG", "en")
    assert _language_from(argv) == language


def test_a_commands_own_lang_does_not_translate_messages(cli):
    code, _out, err = cli("script", "edit", "BAD KEY", "--lang", "zh_CN", "--text", "t")
    line = one_line_error(err)
    assert code == 2 and "A script key looks like" in line, line
    code, _out, err = cli("--lang", "zh_CN", "user", "deactivate", "nobody")
    assert code == 4 and "没有名为 nobody 的用户" in one_line_error(err)


# --- 6. output paths: never the database, never an existing file without --force ------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
@pytest.mark.parametrize("command", [["export", "items", "--format", "csv", "--out"],
                                     ["backup"], ["ca", "export"]])
def test_no_command_writes_over_the_database(cli, db, command, suffix):
    cli("item", "list")  # the database is open at least once (WAL files exist)
    target = Path(f"{db}{suffix}")
    code, _out, err = cli(*command, str(target), "--force")
    assert code == 2 and "is the open database" in one_line_error(err)
    # Still the same database (sign-in itself writes to it), and nothing was recorded.
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        assert connection.execute("SELECT ref FROM item").fetchall() == [("R-1",)]
        written = connection.execute(
            "SELECT count(*) FROM audit_entry WHERE action IN "
            "('export.items', 'backup.create', 'ca.export')").fetchone()[0]
    connection.close()
    assert written == 0


def test_an_existing_file_needs_force(cli, tmp_path):
    out = tmp_path / "items.csv"
    out.write_text("keep me")
    code, _out, err = cli("export", "items", "--format", "csv", "--out", str(out))
    line = one_line_error(err)
    assert code == 2 and "exists already" in line and "--force" in line
    assert out.read_text() == "keep me"
    assert cli("export", "items", "--format", "csv", "--out", str(out), "--force")[0] == 0
    assert "R-1" in out.read_text(encoding="utf-8-sig")


def test_ca_export_needs_a_signed_in_user(cli, monkeypatch, tmp_path):
    monkeypatch.delenv("DESK_USER")
    code, _out, err = cli("ca", "export", str(tmp_path / "ca.pem"))
    assert code == 2 and "acting user" in one_line_error(err)
    assert not (tmp_path / "ca.pem").exists()


def test_a_five_digit_reference_pattern_numbers_items(cli):
    assert cli("settings", "set", "ref_pattern", "{dept}-{kind}-{year}-{seq:05d}")[0] == 0
    code, out, err = cli("item", "add", "--title", "五位流水号", "--kind", "BG", "--dept", "GC",
                         "--level", "public", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["ref"].endswith("-00001")
