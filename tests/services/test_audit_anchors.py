"""The audit trail against anchors kept outside the database (issue 11): this desk's
checkpoints, signed exports and signed checkpoints catch what the chain alone cannot — the
newest entries deleted, a back-dated entry appended with a correct hash, the whole chain
recomputed — and a recorded restore is reported, not hidden."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from datetime import timedelta
from pathlib import Path

import pytest

from desk_app.desk import Desk
from desk_app.domain.audit import (
    CHECKPOINT_EVERY,
    GENESIS,
    TIME_TOLERANCE,
    Anchor,
    AnchorKind,
    AuditRecord,
    Restore,
    Verdict,
    judge_anchor,
)
from desk_app.domain.clock import iso_utc
from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.services import anchors
from desk_app.store import audit_chain
from desk_app.store.db import is_postgresql
from desk_app.store.models import AuditEntry, Meta
from tests.conftest import PASSWORD, add_user


@pytest.fixture(autouse=True)
def checkpoint_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "checkpoints"
    monkeypatch.setenv("DESK_CHECKPOINT_DIR", str(folder))
    return folder


def _populate(desk, actor, n):
    for index in range(n):
        desk.settings.set(actor, "idle_lock_minutes", 10 + index % 100)


def _own_lines(desk) -> list[dict]:
    path = anchors.checkpoint_file(desk.audit.database_id())
    return [json.loads(line) for line in path.read_text().splitlines()]


def _unguarded(desk):
    """What an attacker holding the database does first: drop the append-only guard."""
    db = desk.ctx.db
    if is_postgresql(db):
        db.execute_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
        db.execute_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")


def _truncate(desk, keep: int) -> None:
    with desk.ctx.db.atomic():
        _unguarded(desk)
        desk.ctx.db.execute_sql(f"DELETE FROM audit_entry WHERE seq > {int(keep)}")


def _rewrite_everything(desk, actor_of_seq: int, new_actor: str) -> None:
    """Change one entry and recompute every hash after it with the code's own rules."""
    db = desk.ctx.db
    with db.atomic():
        _unguarded(desk)
        previous = GENESIS
        for row in list(AuditEntry.select().order_by(AuditEntry.seq)):
            actor = new_actor if row.seq == actor_of_seq else row.actor
            record = AuditRecord(row.seq, row.at, actor, row.action, row.entity, row.entity_id,
                                 row.change, previous)
            previous = record.digest()
            p = db.param
            db.execute_sql(f"UPDATE audit_entry SET actor = {p}, prev_hash = {p}, hash = {p} "
                           f"WHERE seq = {p}", (actor, record.prev_hash, previous, row.seq))


def _forge(desk, at, actor="admin", action="setting.set", after=None):
    """Append with the code's own append (a correct link and hash), dated as the forger likes."""
    with desk.ctx.db.atomic():
        return audit_chain.append(at=iso_utc(at), actor=actor, action=action, entity="setting",
                                  entity_id="idle_lock_minutes", before=None, after=after)


# ------------------------------------------------------------------ identity and checkpoints


def test_the_database_gets_one_identity_kept_across_opens(sqlite_desk, sqlite_url, clock):
    database_id = sqlite_desk.audit.database_id()
    assert len(database_id) == 32
    assert Meta.get(Meta.key == "database_id").value == database_id
    sqlite_desk.close()
    again = Desk.open(sqlite_url, clock=clock)
    try:
        assert again.audit.database_id() == database_id
    finally:
        again.close()


def test_sign_in_and_every_hundred_entries_write_a_checkpoint(desk, admin):
    lines = _own_lines(desk)
    login = [line for line in lines if line["reason"] == "auth.login"]
    assert login and login[-1]["seq"] == AuditEntry.select().count()
    _populate(desk, admin, CHECKPOINT_EVERY + 20)
    lines = _own_lines(desk)
    blocks = [line for line in lines if line["reason"] == f"every {CHECKPOINT_EVERY}"]
    assert any(line["seq"] // CHECKPOINT_EVERY >= 1 for line in blocks)
    database_id = desk.audit.database_id()
    for line in lines:  # every line is a true head of this chain
        entry = AuditEntry.get(AuditEntry.seq == line["seq"])
        assert (line["hash"], line["at"], line["database_id"]) == (entry.hash, entry.at,
                                                                    database_id)
    # a checkpoint per block passed, not per entry
    assert len(lines) <= 3 + (AuditEntry.select().count() // CHECKPOINT_EVERY)
    report = desk.audit.verify(admin)
    assert report.ok and report.anchors and all(c.verdict == Verdict.OK for c in report.anchors)


def test_a_checkpoint_that_cannot_be_written_never_stops_the_user(
        desk, admin, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("DESK_CHECKPOINT_DIR", str(blocker))
    with caplog.at_level(logging.WARNING, logger="desk_app.services.anchors"):
        again = desk.auth.login("admin", PASSWORD)
    assert again.name == "admin"
    assert "cannot write the audit checkpoint" in caplog.text
    assert AuditEntry.select().order_by(AuditEntry.seq.desc()).first().action == "auth.login"


def test_a_big_checkpoint_file_is_compacted_keeping_the_highest(tmp_path, monkeypatch):
    monkeypatch.setattr(anchors, "COMPACT_BYTES", 4000)
    monkeypatch.setattr(anchors, "KEEP_LINES", 5)
    recorder = anchors.CheckpointRecorder("db", "sqlite:///x", folder=lambda: tmp_path)
    recorder.committed(900, "f" * 64, "2026-01-01T00:00:00.000000Z", "auth.login")
    for seq in range(1, 40):  # a trail shortened and written on again
        recorder.committed(seq, "a" * 64, "2026-01-01T00:00:00.000000Z", "auth.login")
    seqs = [anchor.seq for anchor in anchors.read_checkpoints(recorder.path)]
    assert 900 in seqs and len(seqs) < 40 and seqs[-1] == 39


# ------------------------------------------------------------------------------ attacks


def test_deleting_the_newest_entries_is_caught_by_this_desks_checkpoints(desk, admin):
    _populate(desk, admin, CHECKPOINT_EVERY + 10)
    desk.auth.login("admin", PASSWORD)  # a checkpoint at the head
    head = AuditEntry.select().count()
    assert desk.audit.verify(admin).ok
    _truncate(desk, head - 15)
    report = desk.audit.verify(admin)
    assert not report.ok
    assert report.chain_ok  # the chain alone still looks whole: that was the hole
    failed = report.failed_anchors
    assert failed and {check.verdict for check in failed} == {Verdict.TRUNCATED}
    assert any(check.anchor.seq == head for check in failed)
    assert "removed from its end" in failed[0].message()


def test_a_back_dated_entry_with_a_correct_hash_is_caught(desk, admin, clock):
    first_login = clock.now()
    _populate(desk, admin, 3)
    clock.advance(hours=2)
    desk.auth.login("admin", PASSWORD)  # checkpoint: the chain as it stood two hours later
    forged = _forge(desk, first_login + timedelta(minutes=30), after=99)
    report = desk.audit.verify(admin)
    assert not report.ok and report.broken_seq == forged.seq
    assert "back-dated" in report.problem


def test_times_within_the_tolerance_are_not_called_back_dated(desk, admin, clock):
    desk.auth.login("admin", PASSWORD)
    _forge(desk, clock.now() - TIME_TOLERANCE + timedelta(seconds=1))  # a slow transaction
    assert desk.audit.verify(admin).ok


def test_recomputing_the_whole_chain_is_caught_against_a_checkpoint(desk, admin):
    _populate(desk, admin, 5)
    desk.auth.login("admin", PASSWORD)
    _rewrite_everything(desk, 2, "mallory")
    report = desk.audit.verify(admin)
    assert report.chain_ok  # every link and hash is right again
    assert not report.ok
    assert Verdict.DIFFERENT in {check.verdict for check in report.failed_anchors}
    assert "rewritten" in report.failed_anchors[0].message()


# ------------------------------------------------------------------------- signed PDFs


@pytest.fixture
def auditor(desk, admin):
    return add_user(desk, admin, "auditor1", "auditor")


def test_an_earlier_signed_export_catches_a_truncation(desk, admin, auditor, tmp_path):
    from desk_app.forms.checkpoint import audit_head_of

    _populate(desk, admin, 4)
    out = tmp_path / "audit.pdf"
    result = desk.exports.export(auditor, "audit", None, None, "pdf", out, password=PASSWORD)
    head = audit_head_of(out.read_bytes())
    assert head is not None
    assert (head.seq, head.hash, head.database_id) == (
        result.head_seq, result.head_hash, desk.audit.database_id())
    assert desk.audit.verify(auditor, anchors=[out], own=False).ok

    _truncate(desk, result.head_seq - 1)
    report = desk.audit.verify(auditor, anchors=[out], own=False)
    assert not report.ok
    [check] = report.anchors
    assert check.verdict == Verdict.TRUNCATED and check.anchor.kind == AnchorKind.SIGNED


def test_a_changed_signed_pdf_is_not_evidence(desk, admin, auditor, tmp_path):
    out = tmp_path / "audit.pdf"
    result = desk.exports.export(auditor, "audit", None, None, "pdf", out, password=PASSWORD)
    data = out.read_bytes()
    assert result.head_hash.encode() in data  # in the document information, as text
    earlier = AuditEntry.get(AuditEntry.seq == 1)
    forged = tmp_path / "forged.pdf"  # the head's hash edited to an older one, same length
    forged.write_bytes(data.replace(result.head_hash.encode(), earlier.hash.encode()))
    report = desk.audit.verify(auditor, anchors=[forged], own=False)
    [check] = report.anchors
    assert check.verdict == Verdict.INVALID and not report.ok
    assert "not evidence" in check.message()

    plain = tmp_path / "unsigned.pdf"
    plain.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(ValidationError, match="no audit chain head"):
        desk.audit.verify(auditor, anchors=[plain])
    with pytest.raises(ValidationError, match="No file"):
        desk.audit.verify(auditor, anchors=[tmp_path / "missing.jsonl"])
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    with pytest.raises(ValidationError, match="neither a checkpoint file"):
        desk.audit.verify(auditor, anchors=[junk])


def test_a_signed_checkpoint_is_recorded_and_anchors_the_trail(desk, admin, auditor, tmp_path):
    from desk_app.forms.checkpoint import audit_head_of
    from desk_app.forms.verify import verify_pdf

    _populate(desk, admin, 3)
    out = tmp_path / "checkpoint.pdf"
    with pytest.raises(AuthenticationFailed):
        desk.audit.checkpoint(auditor, out, "wrong password")
    assert not out.exists()
    result = desk.audit.checkpoint(auditor, out, PASSWORD)
    assert verify_pdf(out.read_bytes(), desk.keys.ca_certificate()).ok
    head = audit_head_of(out.read_bytes())
    assert (head.seq, head.hash, head.database_id) == (result.seq, result.head_hash,
                                                        result.database_id)
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert (entry.action, entry.actor) == ("audit.checkpoint", "auditor1")
    assert json.loads(entry.change)["after"]["chain_head"] == [result.seq, result.head_hash]
    assert desk.audit.verify(auditor, anchors=[out], own=False).ok

    _truncate(desk, result.seq - 1)
    report = desk.audit.verify(auditor, anchors=[out], own=False)
    assert [check.verdict for check in report.anchors] == [Verdict.TRUNCATED]


def test_an_anchor_of_another_database_fails(desk, admin, tmp_path):
    other = tmp_path / "other.jsonl"
    recorder = anchors.CheckpointRecorder("someone-else", "x", folder=lambda: tmp_path)
    recorder.committed(1, "b" * 64, "2026-01-01T00:00:00.000000Z", "auth.login")
    recorder.path.rename(other)
    report = desk.audit.verify(admin, anchors=[other], own=False)
    assert [check.verdict for check in report.anchors] == [Verdict.OTHER_DATABASE]
    assert not report.ok


# ------------------------------------------------------------------------------ restores


def _record_restore(desk, clock, replaced, backup, lost, reason="disk failure"):
    with desk.ctx.db.atomic():
        return audit_chain.append(
            at=iso_utc(clock.now()), actor="admin", action="backup.restore", entity="database",
            entity_id=None, before=None,
            after={"replaced_head": list(replaced), "backup_head": list(backup),
                   "lost_entries": lost, "forced": False, "reason": reason})


def test_a_recorded_restore_is_a_notice_an_unrecorded_one_is_broken(desk, admin, clock):
    _populate(desk, admin, 4)
    backup_head = audit_chain.head()
    _populate(desk, admin, 6)
    desk.auth.login("admin", PASSWORD)  # checkpoint of the trail the restore will replace
    replaced = audit_chain.head()

    _truncate(desk, backup_head[0])  # what restoring the backup does to the trail
    report = desk.audit.verify(admin)
    assert not report.ok and {c.verdict for c in report.failed_anchors} == {Verdict.TRUNCATED}

    clock.advance(minutes=5)
    restore = _record_restore(desk, clock, replaced, backup_head, replaced[0] - backup_head[0])
    report = desk.audit.verify(admin)
    assert report.ok, [check.message() for check in report.failed_anchors]
    notices = report.notices
    assert notices and all(check.verdict == Verdict.RESTORED for check in notices)
    assert {check.restore.seq for check in notices} == {restore.seq}
    text = notices[-1].message()
    assert f"entry {restore.seq}" in text and "admin" in text and "disk failure" in text


def test_a_restore_does_not_explain_what_was_checkpointed_after_it(desk, admin, clock):
    """A trail restored, written on, checkpointed, then shortened: the restore is no excuse
    for the entries made after it, even where its replaced head was further on."""
    _populate(desk, admin, 3)
    backup_head = audit_chain.head()
    _populate(desk, admin, 30)
    replaced = audit_chain.head()
    _truncate(desk, backup_head[0])
    _record_restore(desk, clock, replaced, backup_head, replaced[0] - backup_head[0])
    clock.advance(hours=1)
    _populate(desk, admin, 5)
    desk.auth.login("admin", PASSWORD)  # checkpoint of the trail written after the restore
    after_restore = audit_chain.head()
    assert after_restore[0] < replaced[0]
    assert desk.audit.verify(admin).ok  # the old trail's checkpoints are notices
    _truncate(desk, after_restore[0] - 3)
    report = desk.audit.verify(admin)
    assert not report.ok
    [failed] = report.failed_anchors
    assert failed.anchor.seq == after_restore[0] and failed.verdict == Verdict.TRUNCATED


def test_a_real_restore_of_an_older_backup_is_reported_not_hidden(desk, admin, tmp_path):
    """With the restore of services.backup: what this desk saw after the backup was made is
    gone from the trail, and verify names the restore that replaced it."""
    _populate(desk, admin, 3)
    backup = desk.backups.backup(admin, tmp_path / "older.db")
    _populate(desk, admin, 4)
    desk.auth.login("admin", PASSWORD)  # this desk checkpoints the newer trail
    seen = audit_chain.head()
    desk.backups.restore(admin, backup, force=True, reason="ticket 4711: disk failure")
    report = desk.audit.verify(admin)
    assert report.ok, [check.message() for check in report.failed_anchors]
    restored = [check for check in report.notices if check.anchor.seq == seen[0]]
    assert restored and restored[0].restore.reason == "ticket 4711: disk failure"
    assert restored[0].restore.replaced_head == seen
    assert desk.audit.database_id() == restored[0].anchor.database_id  # same database


def test_a_backup_opened_elsewhere_gets_notices_unless_the_file_is_given(
        sqlite_desk, tmp_path, clock):
    """A backup is an older copy: opened as a database from its own file, this desk's
    checkpoints of the live database (another location) are notices, not a break — but the
    same checkpoint file handed over on purpose counts."""
    desk = sqlite_desk
    desk.users.create_first_admin("admin", PASSWORD)
    admin = desk.auth.login("admin", PASSWORD)
    backup = desk.backups.backup(admin, tmp_path / "copy.db")
    _populate(desk, admin, 3)
    desk.auth.login("admin", PASSWORD)
    own_file = anchors.checkpoint_file(desk.audit.database_id())
    copy = Desk.open(f"sqlite:///{backup}", clock=clock)
    try:
        report = copy.audit.verify(admin)
        assert report.ok and report.notices
        assert {check.verdict for check in report.notices} == {Verdict.ELSEWHERE}
        assert str(backup) in report.notices[0].message()
        strict = copy.audit.verify(admin, anchors=[own_file], own=False)
        assert not strict.ok
    finally:
        copy.close()
        from desk_app.store.db import database_proxy

        desk.ctx.db.connect(reuse_if_open=True)
        database_proxy.initialize(desk.ctx.db)


def test_judge_anchor_rules():
    anchor = Anchor(10, "a" * 64, "db", AnchorKind.CHECKPOINT, "f:1")
    restore = Restore(8, "2026-01-01T00:00:00.000000Z", "admin", (12, "x" * 64), (7, "y" * 64),
                      5, False, "why")
    assert judge_anchor(anchor, "db", "a" * 64, 20, []).verdict == Verdict.OK
    assert judge_anchor(anchor, "db", None, 9, []).verdict == Verdict.TRUNCATED
    assert judge_anchor(anchor, "db", "b" * 64, 20, []).verdict == Verdict.DIFFERENT
    assert judge_anchor(anchor, "other", "a" * 64, 20, []).verdict == Verdict.OTHER_DATABASE
    # no time recorded: within the replaced trail
    assert judge_anchor(anchor, "db", None, 9, [restore]).verdict == Verdict.RESTORED
    at_the_head = Restore(8, "", "admin", (10, "z" * 64), (7, ""), 3, False, "")
    assert judge_anchor(anchor, "db", None, 9, [at_the_head]).verdict == Verdict.TRUNCATED
    # with a time: made before the restore (a backup restored onto another database too)
    before = Anchor(15, "a" * 64, "db", AnchorKind.CHECKPOINT, "f:2",
                    at="2025-12-31T23:00:00.000000Z")
    after = Anchor(11, "a" * 64, "db", AnchorKind.CHECKPOINT, "f:3",
                   at="2026-01-01T01:00:00.000000Z")
    assert judge_anchor(before, "db", None, 9, [restore]).verdict == Verdict.RESTORED
    assert judge_anchor(after, "db", None, 9, [restore]).verdict == Verdict.TRUNCATED
    below = Anchor(7, "a" * 64, "db", AnchorKind.CHECKPOINT, "f:4", at="2025-01-01T00:00:00.000000Z")
    assert judge_anchor(below, "db", "c" * 64, 9, [restore]).verdict == Verdict.DIFFERENT
    assert Restore.from_entry(1, "", "a", '{"after":{"reason":"x"}}') is None


# ------------------------------------------------------------------ several desks at once


def _desk_writes(url: str, folder: str, worker: int, count: int) -> None:
    os.environ["DESK_CHECKPOINT_DIR"] = folder
    desk = Desk.open(url)
    try:
        actor = desk.auth.login("admin", PASSWORD)
        for index in range(count):
            desk.settings.set(actor, "company_name", f"desk {worker} change {index}")
    finally:
        desk.close()


def test_several_desks_writing_at_once_raise_no_false_alarm(db_url, tmp_path):
    """Three desks (processes, each with its own checkpoint folder, as on three PCs) × 50
    writes, on the system clock: verified against all their checkpoint files, all is well."""
    desk = Desk.open(db_url, create=True)
    try:
        desk.users.create_first_admin("admin", PASSWORD)
        admin = desk.auth.login("admin", PASSWORD)
        folders = [tmp_path / f"desk{index}" for index in range(3)]
        ctx = multiprocessing.get_context("spawn")
        workers = [ctx.Process(target=_desk_writes, args=(db_url, str(folder), index, 50))
                   for index, folder in enumerate(folders)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(180)
            assert worker.exitcode == 0
        files = [file for folder in folders for file in folder.glob("*.jsonl")]
        assert len(files) == 3
        report = desk.audit.verify(admin, anchors=files)
        assert report.ok, (report.problem, [c.message() for c in report.failed_anchors])
        assert report.count == AuditEntry.select().count() >= 3 * 51
        sources = {check.anchor.source.rsplit(":", 1)[0] for check in report.anchors}
        assert {str(file) for file in files} <= sources
    finally:
        desk.close()
