"""Several desks write the monthly service report at once (issue 18), on SQLite and
(DESK_TEST_PG) PostgreSQL, while the log keeps being written.

Desk processes (the "spawn" context, each with its own ``Desk``) are released together at a
barrier: the supervisors' desks each write the report as a signed PDF and as XLSX to files
of their own, and the clerks' desks record visitors meanwhile. Afterwards: every
acknowledged report has exactly one ``service_report.write`` entry whose SHA-256 is its
file's, every acknowledged visitor is in the log once, and the audit chain verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from desk_app.store.models import AuditEntry
from desk_app.store.reception import Visit
from tests.conftest import PASSWORD
from tests.desks import chain_verifies, close_desk, first_line, open_desk, recorder, run_desks

DESKS = int(os.environ.get("DESK_MULTI_DESKS", "6"))
TIMEOUT = 240.0


def _worker(url: str, index: int, folder: str, barrier, results) -> None:
    out: dict[str, Any] = {}
    desk = None
    try:
        writer = index % 2 == 0
        desk, actor = open_desk(url, f"sup{index:02d}" if writer else f"clerk{index:02d}")
        call = recorder(out)
        now = desk.ctx.clock.now()
        barrier.wait(timeout=120)
        if writer:
            for fmt in ("pdf", "xlsx"):
                path = Path(folder) / f"desk{index:02d}.{fmt}"
                call(fmt, lambda fmt=fmt, path=path: (str(path), desk.service_reports.write_report(
                    actor, now.year, now.month, fmt, path,
                    password=PASSWORD if fmt == "pdf" else None).sha256))
        else:
            for n in range(5):
                call("visit", lambda n=n: desk.visits.open_visit(
                    actor, "visit", name=f"来访 {index}-{n}", request="咨询").id)
    except Exception as error:
        out.setdefault("unexpected", []).append(("desk", type(error).__name__,
                                                 first_line(error)))
    finally:
        close_desk(desk)
        results.put((index, out))


def test_desks_write_the_report_while_the_log_is_written(db_url, tmp_path):
    from desk_app.desk import Desk

    desk = Desk.open(db_url, create=True)
    try:
        desk.users.create_first_admin("boss", PASSWORD, "Boss")
        admin = desk.auth.login("boss", PASSWORD)
        for index in range(DESKS):
            role = "supervisor" if index % 2 == 0 else "clerk"
            name = f"sup{index:02d}" if index % 2 == 0 else f"clerk{index:02d}"
            desk.users.add(admin, name, PASSWORD, role)
    finally:
        desk.close()

    outs = run_desks(_worker, [(db_url, i, str(tmp_path)) for i in range(DESKS)], TIMEOUT)
    assert len(outs) == DESKS, f"desks that sent no result: {set(range(DESKS)) - set(outs)}"
    unexpected = [u for out in outs.values() for u in out["unexpected"]]
    assert not unexpected, unexpected
    acks = [ack for out in outs.values() for ack in out["acks"]]
    writers = (DESKS + 1) // 2
    by_op = Counter(op for op, _value in acks)
    assert by_op == {"pdf": writers, "xlsx": writers, "visit": 5 * (DESKS - writers)}, by_op

    desk = Desk.open(db_url)
    try:
        recorded = {}
        for entry in AuditEntry.select().where(AuditEntry.action == "service_report.write"):
            after = json.loads(entry.change)["after"]
            assert after["file"] not in recorded, after["file"]  # one entry per file
            recorded[after["file"]] = after["sha256"]
        files = {path: sha for op, (path, sha) in
                 ((op, value) for op, value in acks if op in ("pdf", "xlsx"))}
        assert recorded == files
        for path, sha in files.items():
            assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha
        visits = [value for op, value in acks if op == "visit"]
        assert sorted(visits) == sorted(v for (v,) in Visit.select(Visit.id).tuples())
        chain_verifies(desk)
    finally:
        desk.close()
