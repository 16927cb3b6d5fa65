"""How exports read their rows (issue 17): one statement in id order (a server-side cursor on
PostgreSQL), inside one snapshot with the audit head, and local times made faster but the
same."""

from __future__ import annotations

import csv
import os
import random
import sqlite3
import time
from datetime import datetime, timedelta

import pytest

from desk_app.demo.service import DEMO_PASSWORD
from desk_app.domain.clock import format_datetime, format_datetime_cached
from desk_app.services.registers import BATCH, in_id_order
from desk_app.store.audit_chain import AuditEntry
from desk_app.store.models import User


def _add_entries(count: int) -> None:
    rows = [{"seq": 100_000 + index, "at": "2020-01-01T00:00:00.000000Z", "actor": "x",
             "action": "bulk", "entity": "", "entity_id": "", "change": "{}", "prev_hash": "",
             "hash": ""} for index in range(count)]
    for start in range(0, count, 500):
        AuditEntry.insert_many(rows[start:start + 500]).execute()


def test_rows_in_id_order_in_and_out_of_a_transaction(desk, admin):
    """Every row once, by id, past a batch's worth; on PostgreSQL through a named cursor
    inside a transaction and keyset batches outside one."""
    _add_entries(BATCH + 500)
    query = AuditEntry.select(AuditEntry.seq, AuditEntry.action).where(
        AuditEntry.action == "bulk")
    expected = [(100_000 + index, "bulk") for index in range(BATCH + 500)]
    assert list(in_id_order(query, AuditEntry.seq)) == expected
    with desk.ctx.db.atomic():
        assert list(in_id_order(query, AuditEntry.seq)) == expected
        # A query of its own while the rows are read (a register looking names up).
        rows = in_id_order(query, AuditEntry.seq)
        first = [next(rows) for _ in range(3)]
        assert User.select().count() == 1
        assert first + list(rows) == expected


def test_loan_export_is_one_statement_in_one_snapshot(demo_desk, tmp_path):
    """The rows are one SELECT; a loan another desk lends while the export runs is neither
    written nor counted (the old keyset batches wrote it without counting it)."""
    desk = demo_desk
    auditor = desk.auth.login("chenjing", DEMO_PASSWORD)
    until = desk.today()
    since = until - timedelta(days=3650)
    statements: list[str] = []
    desk.ctx.db.connection().set_trace_callback(statements.append)
    other = sqlite3.connect(desk.ctx.url.path, isolation_level=None)
    lent: list[int] = []

    def lend_meanwhile(done: int, total: int) -> bool:
        if not lent:  # another desk copies a returned loan, lent today, with a new id
            columns = [row[1] for row in other.execute("PRAGMA table_info(loan)")
                       if row[1] != "id"]
            names = ", ".join(columns)
            chosen = ", ".join("?" if name == "lent_at" else name for name in columns)
            cursor = other.execute(
                f"INSERT INTO loan ({names}) SELECT {chosen} FROM loan "
                "WHERE returned_at IS NOT NULL AND item_id NOT IN "
                "(SELECT id FROM item WHERE level = 'personnel') ORDER BY id LIMIT 1",
                (desk.ctx.clock.now().isoformat(" "),))
            lent.append(int(cursor.lastrowid or 0))
        return True

    out = tmp_path / "loans.csv"
    result = desk.exports.export(auditor, "loans", since, until, "csv", out,
                                 progress=lend_meanwhile)
    desk.ctx.db.connection().set_trace_callback(None)
    assert lent and result.rows > BATCH
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert len(rows) == result.rows
    ids = [int(row[0]) for row in rows]
    assert ids == sorted(ids) and lent[0] not in ids
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")
               and 'FROM "loan"' in s and "COUNT" not in s.upper()]
    assert len(selects) == 1, selects
    # The next export sees it (it was lent today, inside the period).
    again = desk.exports.export(auditor, "loans", since, until, "csv", tmp_path / "b.csv")
    assert again.rows == result.rows + 1
    other.close()


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/St_Johns", "Europe/Berlin",
                                  "Australia/Lord_Howe", "America/New_York", "UTC"])
def test_cached_local_times_read_as_format_datetime(monkeypatch, zone):
    """Random times and times around every change of the clocks (each 7 min 13 s over three
    years, a microsecond either side) read exactly as format_datetime reads them."""
    saved = os.environ.get("TZ")
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        pick = random.Random(17)
        moments = [datetime(1950, 1, 1) + timedelta(seconds=pick.randint(0, 90 * 365 * 86400),
                                                    microseconds=pick.randint(0, 999_999))
                   for _ in range(20_000)]
        moment = datetime(2024, 1, 1)
        while moment < datetime(2027, 1, 1):
            moments += [moment, moment - timedelta(microseconds=1)]
            moment += timedelta(minutes=7, seconds=13)
        for moment in moments:
            for seconds in (False, True):
                assert format_datetime_cached(moment, seconds) == format_datetime(
                    moment, seconds), (zone, moment)
        assert format_datetime_cached(None, empty="—") == "—"
        aware = datetime(2026, 3, 29, 1, 30, tzinfo=datetime.now().astimezone().tzinfo)
        assert format_datetime_cached(aware) == format_datetime(aware)
    finally:
        if saved is None:
            monkeypatch.delenv("TZ")
        else:
            monkeypatch.setenv("TZ", saved)
        time.tzset()
