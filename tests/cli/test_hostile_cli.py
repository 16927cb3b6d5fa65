"""Hostile input on the command line (issue 9): every failure is one line on stderr with a
documented exit code; only the global --lang picks the language of the messages."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desk_app.cli import main
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
