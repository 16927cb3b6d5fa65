"""Several desks on one database at once, for keys and the handover (issue 13), on SQLite
and (DESK_TEST_PG) PostgreSQL.

Desk processes (the "spawn" context, each with its own ``Desk``) are released together at
a barrier and, all at once: check out one same key, start a handover (each as its own
outgoing clerk, all to the same incoming one), then count the same checklist lines as that
incoming person in different orders, then check out and in a key of their own. Afterwards
the database must hold exactly what the desks were told: one holder of the shared key, one
open handover, each line counted once with the value the one acknowledged desk sent, every
acknowledged checkout once, and an audit chain that verifies.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from typing import Any

from desk_app.domain.errors import Conflict
from desk_app.store.handover import ChecklistLine, EquipmentLoan, Handover
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD
from tests.desks import close_desk, first_line, open_desk, recorder, run_desks

DESKS = int(os.environ.get("DESK_MULTI_DESKS", "6"))
LINES = 24  # checklist lines every desk tries to count
TIMEOUT = 240.0


def _worker(url: str, index: int, barrier, results) -> None:
    out: dict[str, Any] = {}
    call = recorder(out)
    desk = None

    try:
        desk, clerk = open_desk(url, f"clerk{index:02d}")
        incoming = desk.auth.login("incoming", PASSWORD)
        barrier.wait(timeout=120)
        call("checkout-shared", lambda: desk.equipment.checkout(
            clerk, "K-SHARED", clerk.name, "contended")["tag"])
        barrier.wait(timeout=120)
        call("start", lambda: desk.handovers.start(clerk, "incoming")["id"])
        barrier.wait(timeout=120)
        current = desk.handovers.current(incoming)
        order = list(range(1, LINES + 1))
        random.Random(index).shuffle(order)
        for no in order:
            found = call("count", lambda no=no: desk.handovers.count(
                incoming, current["id"], no, str(index))["found"])
            if found is not None:
                out["acks"][-1] = ("count", (no, found))
        own = f"K-OWN{index:02d}"
        call("checkout-own", lambda: desk.equipment.checkout(clerk, own, clerk.name, "own")["tag"])
        call("checkin-own", lambda: desk.equipment.checkin(clerk, own)["tag"])
    except Exception as error:
        out["unexpected"].append(("desk", type(error).__name__, first_line(error)))
    finally:
        close_desk(desk)
        results.put((index, out))


def _floor(desk, admin) -> None:
    for index in range(DESKS):
        desk.users.add(admin, f"clerk{index:02d}", PASSWORD, "clerk")
    desk.users.add(admin, "incoming", PASSWORD, "clerk")
    desk.users.add(admin, "keeper", PASSWORD, "supervisor")
    keeper = desk.auth.login("keeper", PASSWORD)
    desk.equipment.add(keeper, "K-SHARED", "Sample room key", "key")
    for index in range(DESKS):
        desk.equipment.add(keeper, f"K-OWN{index:02d}", f"Office key {index}", "key",
                           on_checklist=False)
    for index in range(LINES - 1):  # with K-SHARED, LINES lines on the checklist
        desk.equipment.add(keeper, f"R-{index:03d}", f"Radio {index}", "radio")


def test_desks_check_out_start_and_count_at_once(db_url, tmp_path):
    from desk_app.desk import Desk
    from tests.conftest import PASSWORD as ADMIN_PASSWORD

    desk = Desk.open(db_url, create=True)
    try:
        admin_name = "boss"
        desk.users.create_first_admin(admin_name, ADMIN_PASSWORD, "Boss")
        admin = desk.auth.login(admin_name, ADMIN_PASSWORD)
        _floor(desk, admin)
    finally:
        desk.close()

    outs = run_desks(_worker, [(db_url, i) for i in range(DESKS)], TIMEOUT)
    assert len(outs) == DESKS, f"desks that sent no result: {set(range(DESKS)) - set(outs)}"
    unexpected = [u for out in outs.values() for u in out["unexpected"]]
    assert not unexpected, unexpected

    acks = [ack for out in outs.values() for ack in out["acks"]]
    by_op = Counter(op for op, _value in acks)
    desk = Desk.open(db_url)
    try:
        assert by_op["checkout-shared"] == 1, by_op
        assert EquipmentLoan.select().where(EquipmentLoan.reason == "contended").count() == 1
        assert by_op["start"] == 1, by_op
        assert Handover.select().count() == 1
        counted = {value[0]: value[1] for op, value in acks if op == "count"}
        assert by_op["count"] == LINES, ("each line acknowledged once", by_op)
        lines = {line.no: line.found for line in ChecklistLine.select()}
        assert len(lines) == LINES
        assert lines == counted, "a count was lost or overwritten"
        assert by_op["checkout-own"] == DESKS and by_op["checkin-own"] == DESKS
        actions = Counter(action for (action,) in AuditEntry.select(AuditEntry.action).tuples())
        assert actions["equipment.checkout"] == 1 + DESKS
        assert actions["equipment.checkin"] == DESKS
        assert actions["handover.start"] == 1
        assert actions["handover.count"] == LINES
        auditor_name = "auditor1"
        boss = desk.auth.login("boss", ADMIN_PASSWORD)
        desk.users.add(boss, auditor_name, PASSWORD, "auditor")
        report = desk.audit.verify(desk.auth.login(auditor_name, PASSWORD))
        assert report.ok, report
    finally:
        desk.close()
    refused = Counter()
    for out in outs.values():
        refused.update(out["refused"])
    assert refused[("checkout-shared", Conflict.__name__)] == DESKS - 1, refused
    assert refused[("start", Conflict.__name__)] == DESKS - 1, refused
    assert refused[("count", Conflict.__name__)] == (DESKS - 1) * LINES, refused
