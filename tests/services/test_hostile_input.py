"""Hostile input and hostile output paths (issue 9): a clear message, nothing changed.

Runs on SQLite and, with DESK_TEST_PG, PostgreSQL (where a NUL byte used to crash the
driver instead of being refused).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from desk_app.desk import Desk
from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.domain.reception import Channel
from desk_app.services.archive import ItemFilter
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.store.archive import Item
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user

HOSTILE = {
    "terminal escape": "报告\x1b[2J\x1b]0;pwned\x07",
    "NUL": "报告\x00尾巴",
    "right-to-left override": "invoice\u202egnp.exe",
    "isolate": "a\u2066b\u2069",
    "C1 control": "a\x9bb",
    "DEL": "a\x7fb",
}


def state() -> tuple[int, int]:
    return Item.select().count(), AuditEntry.select().count()


@pytest.fixture
def clerk(desk, admin):
    return add_user(desk, admin, "clerk1", "clerk", "王芳")


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_control_and_direction_characters_are_refused_everywhere(desk, admin, clerk, kind):
    bad = HOSTILE[kind]
    before = state()
    attempts = [
        lambda: desk.archive.add_item(clerk, title=bad, kind="BG", dept="GC", level="public"),
        lambda: desk.archive.add_item(clerk, title="好标题", kind="BG", dept="GC", level="public",
                                      keywords=bad),
        lambda: desk.archive.add_location(clerk, bad),
        lambda: desk.visits.open_visit(clerk, Channel.VISIT, name=bad, request="咨询"),
        lambda: desk.visits.open_visit(clerk, Channel.VISIT, name="李", request=bad),
        lambda: desk.settings.set(admin, "company_name", bad),
        lambda: desk.users.add(admin, "newbie", PASSWORD, "clerk", full_name=bad),
        lambda: desk.scripts.save_script(admin, "visitor.greet", "en", bad),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="control character"):
            attempt()
    assert state() == before


def test_lengths_are_checked_with_a_message_never_cut(desk, clerk):
    ref = desk.archive.add_item(clerk, title="公开通知", kind="BG", dept="GC", level="public").ref
    before = state()
    with pytest.raises(ValidationError, match="too long — 10000 characters, at most 200"):
        desk.archive.add_item(clerk, title="长" * 10_000, kind="BG", dept="GC", level="public")
    outsider = BorrowerInput(name="张" * 65, contact="138 0000 0000", organisation="某公司")
    with pytest.raises(ValidationError, match="at most 64") as refused:
        desk.loans.lend(clerk, [ref], outsider, "查阅")
    assert refused.value.field == "borrower"
    long_contact = BorrowerInput(name="张三", contact="1" * 121)
    with pytest.raises(ValidationError, match="at most 120"):
        desk.loans.lend(clerk, [ref], long_contact, "查阅")
    assert state() == before


def test_long_texts_keep_their_lines(desk, clerk):
    visit = desk.visits.open_visit(clerk, Channel.VISIT, name="  李  先生 ",
                                      request="第一行\r\n\t第二行  \n")
    assert visit.name == "李 先生" and visit.request == "第一行\n\t第二行"


def test_lookups_with_control_characters_find_nothing_and_crash_nothing(desk, clerk):
    for bad in HOSTILE.values():
        assert isinstance(desk.archive.count(clerk, ItemFilter(query=bad)), int)
        assert isinstance(desk.archive.page(clerk, ItemFilter(query=bad), 0, 10), list)
        assert desk.loans.page(clerk, LoanFilter(borrower=bad), 0, 10) == []
        with pytest.raises(AuthenticationFailed):
            desk.auth.login(bad, PASSWORD)
        with pytest.raises(ValidationError):
            desk.archive.add_item(clerk, title="x", kind=bad, dept="GC", level="public")


def test_a_reference_pattern_that_passes_the_check_numbers_items(desk, admin, clerk):
    desk.settings.set(admin, "ref_pattern", "{dept}-{kind}-{year}-{seq:05d}")
    first = desk.archive.add_item(clerk, title="甲", kind="BG", dept="GC", level="public")
    second = desk.archive.add_item(clerk, title="乙", kind="BG", dept="GC", level="public")
    assert first.ref.endswith("-00001") and second.ref.endswith("-00002")
    for bad in ("{dept}-{seq}-{seq:03d}", "{dept}-{year}", "{dept}-{kind}-{seq:x>}-{nope}"):
        with pytest.raises(ValidationError):
            desk.settings.set(admin, "ref_pattern", bad)


def test_a_typed_reference_is_skipped_by_numbering(desk, clerk):
    year = desk.today().year
    desk.archive.add_item(clerk, title="手编", kind="BG", dept="GC", level="public",
                          ref=f"GC-BG-{year}-0002")
    refs = [desk.archive.add_item(clerk, title=f"自动{n}", kind="BG", dept="GC", level="public",
                                  doc_date=None).ref for n in range(3)]
    assert refs == [f"GC-BG-{year}-0003", f"GC-BG-{year}-0004", f"GC-BG-{year}-0005"]


# ------------------------------------------------------------------------ output paths


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nothing_is_written_over_the_open_database(sqlite_desk, tmp_path):
    desk = sqlite_desk
    desk.users.create_first_admin("boss", PASSWORD)
    boss = desk.auth.login("boss", PASSWORD)
    auditor = add_user(desk, boss, "audit1", "auditor")
    database = desk.ctx.url.path
    symlink = tmp_path / "link.csv"
    symlink.symlink_to(database)
    hardlink = tmp_path / "hard.csv"
    os.link(database, hardlink)
    targets = [database, Path(f"{database}-wal"), Path(f"{database}-shm"), symlink, hardlink,
               tmp_path / "." / database.name]
    entries, fingerprint = AuditEntry.select().count(), _digest(database)
    for target in targets:
        for force in (False, True):
            with pytest.raises(ValidationError, match=r"open database|exists already"):
                desk.exports.export(auditor, "audit", None, None, "csv", target, force=force)
            with pytest.raises(ValidationError, match=r"open database|exists already"):
                desk.backups.backup(boss, target, force=force)
            with pytest.raises(ValidationError, match=r"open database|exists already"):
                desk.keys.export_ca(auditor, target, force=force)
        with pytest.raises(ValidationError, match="open database"):
            desk.exports.export(auditor, "audit", None, None, "csv", target, force=True)
    assert AuditEntry.select().count() == entries and _digest(database) == fingerprint


def test_a_killed_writer_leaves_no_partial_file_after_the_next_start(sqlite_url, tmp_path):
    """A process dies (SIGKILL) while writing FILE.<random>.partial; the next start removes
    it."""
    Desk.open(sqlite_url, create=True).close()
    target = tmp_path / "big-export.csv"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from desk_app.services.output import OutputFile
        with OutputFile(Path({str(target)!r})) as out:
            out.partial.write_bytes(b"x" * 100_000)
            print("writing", flush=True)
            time.sleep(60)
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None and child.stdout.readline().strip() == b"writing"
    child.stdout.close()
    [partial] = tmp_path.glob("big-export.csv.*.partial")  # its own partial file
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    time.sleep(0.1)
    assert partial.exists()  # a kill leaves it behind …
    Desk.open(sqlite_url).close()
    assert not partial.exists() and not target.exists()  # … the next start removes it


def test_a_full_disk_during_an_export_leaves_no_file_and_no_record(sqlite_url, tmp_path):
    """A real write failure, not a mock: the export process may write at most 256 KiB per
    file (RLIMIT_FSIZE, as a full disk would stop it), the loan register is larger."""
    env = {**os.environ, "DESK_DB": sqlite_url, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-m", "desk_app", "demo"], env=env, check=True,
                   capture_output=True)
    out = tmp_path / "loans.csv"
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, resource.RLIM_INFINITY))
        from desk_app.cli import main
        sys.exit(main(["export", "loans", "--format", "csv", "--out", {str(out)!r}]))
    """)
    env.update(DESK_USER="chenjing", DESK_PASSWORD="demo1234")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [f"desk-app: Cannot write {out}: File too large"]
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    desk = Desk.open(sqlite_url)
    try:
        assert not AuditEntry.select().where(AuditEntry.action == "export.loans").exists()
    finally:
        desk.close()


def test_two_writers_of_one_file_never_write_into_each_other(sqlite_desk, tmp_path):
    """Two desks write the same file name in a shared folder at once: each writes its own
    partial; the first to finish publishes, the second is refused (TargetExists) and records
    nothing — its audit entry is rolled back with the refused rename."""
    from desk_app.domain.errors import TargetExists
    from desk_app.services.output import OutputFile, check_target

    desk = sqlite_desk
    desk.users.create_first_admin("boss", "boss-pass-123")
    admin = desk.auth.login("boss", "boss-pass-123")
    target = check_target(tmp_path / "report.csv")
    entries = AuditEntry.select().count()
    with OutputFile(target) as first, OutputFile(target) as second:
        assert first.partial != second.partial
        first.partial.write_bytes(b"first desk")
        second.partial.write_bytes(b"second desk")
        first.publish(desk.users, admin, "export.test", "test", {})
        with pytest.raises(TargetExists, match="written meanwhile"):
            second.publish(desk.users, admin, "export.test", "test", {})
    assert target.read_bytes() == b"first desk"
    assert AuditEntry.select().count() == entries + 1
    assert not list(tmp_path.glob("*.partial"))


def test_without_hard_links_an_existing_file_is_still_not_replaced(sqlite_desk, tmp_path,
                                                                   monkeypatch):
    """On a file system without hard links (FAT, some shares) the check and the rename are
    two steps; the taken name is still refused, a free one written."""
    from desk_app.domain.errors import TargetExists
    from desk_app.services import output

    def no_links(*_args):
        raise PermissionError("no hard links here")

    monkeypatch.setattr(output.os, "link", no_links)
    taken = tmp_path / "taken.bin"
    taken.write_bytes(b"keep")
    with output.OutputFile(taken) as out:
        out.partial.write_bytes(b"new")
        with pytest.raises(TargetExists):
            out._rename()
    assert taken.read_bytes() == b"keep"
    assert output.save_bytes(tmp_path / "free.bin", b"new").read_bytes() == b"new"
    assert output.save_bytes(taken, b"forced", force=True).read_bytes() == b"forced"
