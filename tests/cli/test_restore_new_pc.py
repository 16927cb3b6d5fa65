"""``desk-app restore FILE`` onto a new PC (issue 14): no ``init`` first — the database is
created by the restore, and the acting user must be an administrator *of the backup* with
the password the backup holds (nobody can sign in to the empty database)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from desk_app.cli import main

BOSS_PASSWORD = "boss-password"


@pytest.fixture
def run(monkeypatch, capsys):
    def run(*args: str, user: str | None = "boss", password: str | None = BOSS_PASSWORD,
            stdin: str = ""):
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
def backup_file(run, tmp_path, monkeypatch):
    """A backup of the old PC's database: the administrator boss and a clerk."""
    monkeypatch.setenv("DESK_CHECKPOINT_DIR", str(tmp_path / "old-pc-checkpoints"))
    old = f"sqlite:///{tmp_path / 'old' / 'desk.db'}"
    (tmp_path / "old").mkdir()
    code, _out, err = run("--db", old, "init", "--admin", "boss", "--password-stdin",
                          user=None, password=None, stdin=BOSS_PASSWORD + "\n")
    assert code == 0, err
    code, _out, err = run("--db", old, "user", "add", "clerk1", "--role", "clerk",
                          "--password-stdin", stdin="clerk-password\n")
    assert code == 0, err
    target = tmp_path / "carried.db"
    code, _out, err = run("--db", old, "backup", str(target))
    assert code == 0, err
    # the new PC: its own (empty) checkpoint folder
    monkeypatch.setenv("DESK_CHECKPOINT_DIR", str(tmp_path / "new-pc-checkpoints"))
    return target


def test_restore_onto_a_new_pc_without_init_and_the_trail_verifies(run, backup_file, tmp_path):
    new_folder = tmp_path / "new-pc"
    new_folder.mkdir()
    new = f"sqlite:///{new_folder / 'NEW.db'}"
    code, out, err = run("--db", new, "restore", str(backup_file))
    assert code == 0, (out, err)
    assert "Database restored from" in out and "Problems: none" in out
    assert "no checkpoints of the restored trail" in out
    code, out, err = run("--db", new, "audit", "verify")
    assert code == 0, (out, err)
    assert "intact" in out
    code, out, err = run("--db", new, "user", "list", "--json")
    assert code == 0, err
    assert {row["name"] for row in json.loads(out)} == {"boss", "clerk1"}
    code, out, err = run("--db", new, "audit", "list", "--action", "backup.restore", "--json")
    assert code == 0, err
    (entry,) = json.loads(out)
    assert entry["actor"] == "boss"
    assert json.loads(entry["change"])["after"]["forced"] is False


@pytest.mark.parametrize(("user", "password", "code", "message"), [
    ("boss", "wrong-password", 3, "Unknown user or wrong password"),
    ("clerk1", "clerk-password", 3, "not an active administrator in this backup"),
    ("ghost", BOSS_PASSWORD, 3, "Unknown user or wrong password"),
    (None, BOSS_PASSWORD, 2, "name an administrator of the backup"),
])
def test_only_an_administrator_of_the_backup_restores_onto_a_new_pc(
        run, backup_file, tmp_path, user, password, code, message):
    new = f"sqlite:///{tmp_path / 'NEW.db'}"
    got, out, err = run("--db", new, "restore", str(backup_file), user=user, password=password)
    assert got == code, (out, err)
    assert message in err
    # nothing restored: the new database still has no user (init can still make one)
    got, out, err = run("--db", new, "init", "--admin", "someone", "--password-stdin",
                        user=None, password=None, stdin="another-password\n")
    assert got == 0 and "Created the database" in out, (out, err)
