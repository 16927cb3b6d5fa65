"""Several desks on one database at once, for messages (issue 18), on SQLite and
(DESK_TEST_PG) PostgreSQL.

Desk processes (the "spawn" context, each with its own ``Desk``) are released together at a
barrier and, all at once: each takes messages of its own for one same colleague, then all
chase one same message, then the colleague — signed in at every desk — confirms one same
message from all of them. Afterwards the database holds exactly what the desks were told:
every acknowledged message once, one chase per acknowledged chase, one confirmation, and an
audit chain that verifies.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from desk_app.domain.errors import Conflict
from desk_app.store.models import AuditEntry
from desk_app.store.reception import PhoneMessage
from tests.conftest import PASSWORD
from tests.desks import chain_verifies, close_desk, first_line, open_desk, recorder, run_desks

DESKS = int(os.environ.get("DESK_MULTI_DESKS", "6"))
EACH = 5  # messages each desk takes
TIMEOUT = 240.0


def _worker(url: str, index: int, shared_id: int, barrier, results) -> None:
    out: dict[str, Any] = {}
    call = recorder(out)
    desk = None

    try:
        desk, clerk = open_desk(url, f"clerk{index:02d}")
        away = desk.auth.login("away", PASSWORD)
        barrier.wait(timeout=120)
        for n in range(EACH):
            call("take", lambda n=n: desk.messages.take_message(
                clerk, "away", f"来电人{index}-{n}", f"请回电 {index}-{n}").id)
        barrier.wait(timeout=120)
        call("chase", lambda: desk.messages.chase_message(clerk, shared_id).chases)
        barrier.wait(timeout=120)
        call("confirm", lambda: desk.messages.confirm_message(away, shared_id).id)
    except Exception as error:
        out["unexpected"].append(("desk", type(error).__name__, first_line(error)))
    finally:
        close_desk(desk)
        results.put((index, out))


def test_desks_take_chase_and_confirm_messages_at_once(db_url):
    from desk_app.desk import Desk

    desk = Desk.open(db_url, create=True)
    try:
        desk.users.create_first_admin("boss", PASSWORD, "Boss")
        admin = desk.auth.login("boss", PASSWORD)
        for index in range(DESKS):
            desk.users.add(admin, f"clerk{index:02d}", PASSWORD, "clerk")
        desk.users.add(admin, "away", PASSWORD, "supervisor")
        first = desk.auth.login("clerk00", PASSWORD)
        shared_id = desk.messages.take_message(first, "away", "赵先生", "请回电").id
    finally:
        desk.close()

    outs = run_desks(_worker, [(db_url, i, shared_id) for i in range(DESKS)], TIMEOUT)
    assert len(outs) == DESKS, f"desks that sent no result: {set(range(DESKS)) - set(outs)}"
    unexpected = [u for out in outs.values() for u in out["unexpected"]]
    assert not unexpected, unexpected

    acks = [ack for out in outs.values() for ack in out["acks"]]
    by_op = Counter(op for op, _value in acks)
    assert by_op["take"] == DESKS * EACH and by_op["chase"] == DESKS, by_op
    assert by_op["confirm"] == 1, by_op
    taken = [value for op, value in acks if op == "take"]
    assert len(set(taken)) == len(taken)  # every acknowledged message its own row
    chases = sorted(value for op, value in acks if op == "chase")
    assert chases == list(range(1, DESKS + 1)), "a chase was lost or counted twice"
    refused = Counter()
    for out in outs.values():
        refused.update(out["refused"])
    assert refused[("confirm", Conflict.__name__)] == DESKS - 1, refused

    desk = Desk.open(db_url)
    try:
        assert PhoneMessage.select().count() == 1 + DESKS * EACH
        assert {m.id for m in PhoneMessage.select().where(PhoneMessage.id != shared_id)} == set(taken)
        shared = PhoneMessage.get_by_id(shared_id)
        assert shared.chases == DESKS and shared.confirmed_at is not None
        actions = Counter(action for (action,) in AuditEntry.select(AuditEntry.action).tuples())
        assert actions["message.take"] == 1 + DESKS * EACH
        assert actions["message.chase"] == DESKS and actions["message.confirm"] == 1
        chain_verifies(desk)
    finally:
        desk.close()
