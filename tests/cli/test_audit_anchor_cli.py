"""``desk-app audit verify [--anchor FILE ...]`` and ``desk-app audit checkpoint --out FILE``
(issue 11): the trail shortened or rewritten by someone holding the database fails, with a
clear message and exit code 1; this desk's checkpoints are checked without being asked."""

from __future__ import annotations

import io
import json
import sys

import pytest

from desk_app.cli import main
from desk_app.desk import Desk
from desk_app.domain.clock import iso_utc
from desk_app.store import audit_chain
from desk_app.store.db import is_postgresql
from desk_app.store.models import AuditEntry

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

    code, _out, err = run("init", "--admin", "boss", "--password-stdin", stdin="boss-password\n",
                         user=None, password=None)
    assert code == 0, err
    return run


def _changes(cli, n: int) -> None:
    for index in range(n):
        assert cli("settings", "set", "idle_lock_minutes", str(10 + index))[0] == 0


def _raw(db_url: str):
    """The database as its holder sees it, without the program's rules."""
    return Desk.open(db_url)


def _truncate(db_url: str, keep: int) -> None:
    desk = _raw(db_url)
    try:
        db = desk.ctx.db
        with db.atomic():
            if is_postgresql(db):
                db.execute_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
            else:
                db.execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
            db.execute_sql(f"DELETE FROM audit_entry WHERE seq > {int(keep)}")
    finally:
        desk.close()


def _head(db_url: str) -> tuple[int, str]:
    desk = _raw(db_url)
    try:
        return audit_chain.head()
    finally:
        desk.close()


def test_verify_checks_this_desks_checkpoints_and_reports_them(cli, tmp_path):
    _changes(cli, 3)
    code, out, err = cli("audit", "verify")
    assert code == 0, err
    assert "Audit trail intact" in out and "Anchors checked:" in out and "0 failed" in out
    code, out, _err = cli("audit", "verify", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["database_id"]
    assert report["anchors"] and {a["verdict"] for a in report["anchors"]} == {"ok"}
    assert all(a["source"].startswith(str(tmp_path / "checkpoints")) for a in report["anchors"])


def test_deleting_the_newest_entries_fails_verify(cli, db_url):
    _changes(cli, 5)
    seq, _hash = _head(db_url)  # the last sign-in's checkpoint is at seq - 1 or seq
    _truncate(db_url, seq - 4)
    code, out, err = cli("audit", "verify")
    assert code == 1
    assert "Audit trail BROKEN" in err and "removed from its end" in err
    code, out, _err = cli("audit", "verify", "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"] and report["broken_seq"] is None
    assert "truncated" in {a["verdict"] for a in report["anchors"]}


def test_a_signed_checkpoint_and_a_signed_export_are_anchors(cli, db_url, tmp_path, monkeypatch):
    _changes(cli, 2)
    checkpoint = tmp_path / "checkpoint.pdf"
    code, out, err = cli("audit", "checkpoint", "--out", str(checkpoint))
    assert code == 0, err
    assert checkpoint.is_file() and "signed and written to" in out
    export = tmp_path / "audit.pdf"
    assert cli("export", "audit", "--format", "pdf", "--out", str(export))[0] == 0
    assert cli("audit", "checkpoint", "--out", str(checkpoint))[0] == 2  # exists: --force

    desk = _raw(db_url)
    try:
        recorded = AuditEntry.select().where(AuditEntry.action == "audit.checkpoint").get()
        stated = json.loads(recorded.change)["after"]["chain_head"][0]
    finally:
        desk.close()
    _truncate(db_url, stated - 1)
    # Another desk, which never saw this database: only the files handed to it count.
    monkeypatch.setenv("DESK_CHECKPOINT_DIR", str(tmp_path / "elsewhere"))
    for anchor in (checkpoint, export):
        code, out, err = cli("audit", "verify", "--anchor", str(anchor))
        assert code == 1, out
        # (this command's own sign-in was appended where the removed entries were)
        assert f"BROKEN: {anchor}: entry " in err and "seen earlier" in err
    code, out, _err = cli("audit", "verify", "--json", "--anchor", str(checkpoint),
                          "--anchor", str(export))
    signed = [a["verdict"] for a in json.loads(out)["anchors"] if a["kind"] == "signed"]
    assert len(signed) == 2 and set(signed) <= {"different", "truncated"} and code == 1


def test_a_recorded_restore_is_a_notice(cli, db_url):
    _changes(cli, 3)
    backup_head = _head(db_url)
    _changes(cli, 3)
    replaced = _head(db_url)
    _truncate(db_url, backup_head[0])
    desk = _raw(db_url)
    try:
        with desk.ctx.db.atomic():
            restore = audit_chain.append(
                at=iso_utc(desk.now()), actor="boss", action="backup.restore",
                entity="database", entity_id=None,
                after={"replaced_head": list(replaced), "backup_head": list(backup_head),
                       "lost_entries": replaced[0] - backup_head[0], "forced": True,
                       "reason": "server replaced"})
    finally:
        desk.close()
    code, out, err = cli("audit", "verify")
    assert code == 0, err
    assert "NOTICE: " in out and f"restore recorded as entry {restore.seq}" in out
    assert "server replaced" in out
    report = json.loads(cli("audit", "verify", "--json")[1])
    restored = [a for a in report["anchors"] if a["verdict"] == "restored"]
    assert restored and restored[0]["restore"]["seq"] == restore.seq
    assert restored[0]["restore"]["reason"] == "server replaced"


def test_refusals_are_one_line(cli, tmp_path):
    assert cli("user", "add", "clerk1", "--role", "clerk", "--password-stdin",
               stdin="clerk-password\n")[0] == 0
    code, _out, err = cli("audit", "checkpoint", "--out", str(tmp_path / "c.pdf"),
                          user="clerk1", password="clerk-password")
    assert code == 3 and len(err.strip().splitlines()) == 1
    code, _out, err = cli("audit", "verify", "--anchor", str(tmp_path / "missing.pdf"))
    assert code == 2 and "No file" in err and len(err.strip().splitlines()) == 1
    code, _out, err = cli("audit", "checkpoint", "--out", str(tmp_path / "c.pdf"),
                          password="wrong-password")
    assert code == 3 and not (tmp_path / "c.pdf").exists()
