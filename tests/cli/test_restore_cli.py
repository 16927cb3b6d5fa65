"""``desk-app restore FILE [--force --reason TEXT] [--dry-run]`` (issue 11): the plan is printed
before anything happens; a restore that would lose entries or whose backup is not recorded
is refused (exit 5) unless forced with a reason; ``--dry-run`` only prints (exit 0 when no
force is needed, 1 otherwise)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from desk_app.cli import main
from tests.services.test_restore_chain import edit_backup

BOSS_PASSWORD = "boss-password"


@pytest.fixture
def cli(monkeypatch, capsys, db_url, tmp_path):
    monkeypatch.setenv("DESK_DB", db_url)
    monkeypatch.setenv("DESK_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))

    def run(*args: str, stdin: str = "", user: str | None = "boss",
            password: str | None = BOSS_PASSWORD):
        for variable, value in (("DESK_USER", user), ("DESK_PASSWORD", password)):
            if value is None:
                monkeypatch.delenv(variable, raising=False)
            else:
                monkeypatch.setenv(variable, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    code, _out, err = run("init", "--admin", "boss", "--password-stdin",
                         stdin=BOSS_PASSWORD + "\n", user=None, password=None)
    assert code == 0, err
    return run


def users(cli) -> list[str]:
    code, out, err = cli("user", "list", "--json")
    assert code == 0, err
    return [row["name"] for row in json.loads(out)]


def restores(cli) -> list[dict]:
    code, out, err = cli("audit", "list", "--action", "backup.restore", "--json")
    assert code == 0, err
    return [json.loads(row["change"])["after"] for row in json.loads(out)]


def add_user(cli, name: str) -> None:
    code, _out, err = cli("user", "add", name, "--role", "clerk", "--password-stdin",
                          stdin="clerk-password\n")
    assert code == 0, err


def test_a_fresh_backup_restores_without_force_and_the_plan_says_why(cli, tmp_path):
    target = tmp_path / "now.db"
    assert cli("backup", str(target))[0] == 0
    code, out, err = cli("restore", str(target), "--dry-run")
    assert code == 0, (out, err)
    assert "Recorded:" in out and "yes, by entry" in out
    assert "backup.create" in out and "auth.login" in out  # listed, though expected
    assert "Problems: none" in out
    code, out, err = cli("restore", str(target))
    assert code == 0, err
    assert "Database restored from" in out
    assert restores(cli)[0]["forced"] is False


def test_an_older_backup_is_refused_with_what_would_be_lost(cli, tmp_path):
    target = tmp_path / "monday.db"
    assert cli("backup", str(target))[0] == 0
    add_user(cli, "temp1")
    add_user(cli, "temp2")
    code, out, err = cli("restore", str(target), "--dry-run")
    assert code == 1, (out, err)
    # backup.create, then per user add: the sign-in and the add; then this dry run's sign-in
    lost = [line.split() for line in out.splitlines() if line.startswith("  ")
            and line[2] not in " -"]
    counts = {words[0]: int(words[1]) for words in lost}
    assert counts == {"auth.login": 3, "backup.create": 1, "user.add": 2}
    assert "Entries lost:" in out and "6 (entries" in out
    assert "of them 4 expected" in out  # the backup's record and boss's own sign-ins
    assert "would lose 6 audit entries" in out

    code, out, err = cli("restore", str(target))
    assert code == 5 and "would lose 7 audit entries" in err, (out, err)
    assert "temp1" in users(cli)  # nothing changed
    code, out, err = cli("restore", str(target), "--force")
    assert code == 2 and "reason" in err, (out, err)
    assert "temp1" in users(cli)

    code, out, err = cli("restore", str(target), "--force", "--reason", "undo the test users")
    assert code == 0, err
    assert users(cli) == ["boss"]
    record = restores(cli)[0]
    assert record["forced"] is True and record["reason"] == "undo the test users"
    assert record["recorded"] is True
    # Every command signs in: the refused attempts and the lists added their sign-ins too.
    assert record["lost_entries"] == record["replaced_head"][0] - record["backup_head"][0] == 11


def test_an_edited_backup_is_refused_and_forcing_it_is_recorded(cli, tmp_path):
    for _attempt in range(3):
        assert cli("user", "list", password="wrong password")[0] == 3
    target = tmp_path / "nightly.db"
    assert cli("backup", str(target))[0] == 0
    edit_backup(target, delete_action="auth.login_failed")
    code, out, err = cli("restore", str(target), "--dry-run")
    assert code == 1, (out, err)
    assert "Recorded:" in out and "no record of making this backup" in out
    assert "differ from entry" in out
    code, out, err = cli("restore", str(target))
    assert code == 5 and "was not restored" in err, (out, err)
    assert restores(cli) == []

    code, out, err = cli("restore", str(target), "--force", "--reason", "ticket 4711")
    assert code == 0, err
    record = restores(cli)[0]
    assert record["forced"] is True and record["reason"] == "ticket 4711"
    assert set(record["problems"]) >= {"not_recorded", "diverged"}
    assert record["replaced_head"][0] > record["backup_head"][0]
