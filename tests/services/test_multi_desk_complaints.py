"""Several desks on one complaint at once (issue 18), on SQLite and (DESK_TEST_PG)
PostgreSQL.

Desk processes (the "spawn" context, each with its own ``Desk``) are released together at a
barrier. All at once: each desk's clerk proposes a resolution for one same complaint; then
each desk's own supervisor decides it, choosing that desk's proposal and signing; then each
clerk has the customer sign. Afterwards the database holds exactly what the desks were
told: every acknowledged proposal once, one decision (the others refused as a Conflict, none
half-written), one customer form and one call-back, and an audit chain that verifies.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from typing import Any

from desk_app.domain.errors import Conflict
from desk_app.store.archive import SignedDocument
from desk_app.store.models import AuditEntry
from desk_app.store.reception import CallBack, Complaint, ComplaintDecision, ComplaintProposal
from tests.conftest import PASSWORD
from tests.desks import close_desk, first_line, open_desk, recorder, run_desks

DESKS = int(os.environ.get("DESK_MULTI_DESKS", "6"))
TIMEOUT = 300.0


def _pad() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (200, 60), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(5, 50), (90, 10), (190, 45)], fill="black", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _worker(url: str, index: int, complaint_id: int, barrier, results) -> None:
    out: dict[str, Any] = {}
    call = recorder(out)
    desk = None
    try:
        desk, clerk = open_desk(url, f"clerk{index:02d}")
        supervisor = desk.auth.login(f"super{index:02d}", PASSWORD)
        pad = _pad()
        barrier.wait(timeout=120)
        proposal = call("propose", lambda: desk.complaint_flow.propose(
            clerk, complaint_id, f"第{index}号方案：上门处理").id)
        barrier.wait(timeout=120)
        if proposal is not None:
            call("decide", lambda: desk.complaint_flow.decide(
                supervisor, complaint_id, proposal, f"同意第{index}号方案", PASSWORD).number)
        barrier.wait(timeout=120)
        call("accept", lambda: desk.complaint_flow.customer_accepts(
            clerk, complaint_id, PASSWORD, pad).number)
    except Exception as error:
        out["unexpected"].append(("desk", type(error).__name__, first_line(error)))
    finally:
        close_desk(desk)
        results.put((index, out))


def test_desks_propose_decide_and_sign_one_complaint_at_once(db_url):
    from desk_app.desk import Desk

    desk = Desk.open(db_url, create=True)
    try:
        desk.users.create_first_admin("boss", PASSWORD, "Boss")
        admin = desk.auth.login("boss", PASSWORD)
        for index in range(DESKS):
            desk.users.add(admin, f"clerk{index:02d}", PASSWORD, "clerk")
            desk.users.add(admin, f"super{index:02d}", PASSWORD, "supervisor")
        first = desk.auth.login("clerk00", PASSWORD)
        complaint = desk.complaints.add_complaint(first, "repairs", "报修三天未上门", "刘先生",
                                                  "13800000001", severity=2)
        desk.complaint_flow.analyse(first, complaint.id, "delay", "派工单漏派")
    finally:
        desk.close()

    outs = run_desks(_worker, [(db_url, i, complaint.id) for i in range(DESKS)], TIMEOUT)
    assert len(outs) == DESKS, f"desks that sent no result: {set(range(DESKS)) - set(outs)}"
    unexpected = [u for out in outs.values() for u in out["unexpected"]]
    assert not unexpected, unexpected

    acks = [ack for out in outs.values() for ack in out["acks"]]
    by_op = Counter(op for op, _value in acks)
    assert by_op["propose"] == DESKS, by_op
    assert by_op["decide"] == 1 and by_op["accept"] == 1, by_op
    refused = Counter()
    for out in outs.values():
        refused.update(out["refused"])
    assert refused[("decide", Conflict.__name__)] == DESKS - 1, refused
    assert refused[("accept", Conflict.__name__)] == DESKS - 1, refused
    proposals = [value for op, value in acks if op == "propose"]
    (decided,) = [value for op, value in acks if op == "decide"]

    desk = Desk.open(db_url)
    try:
        assert sorted(p.id for p in ComplaintProposal.select()) == sorted(proposals)
        states = Counter(p.state for p in ComplaintProposal.select())
        assert states == {"chosen": 1, "not_chosen": DESKS - 1}, states
        (decision,) = ComplaintDecision.select()
        assert decision.number == decided and decision.accepted is True
        assert Complaint.get_by_id(complaint.id).status == "accepted"
        assert CallBack.select().where(CallBack.complaint == complaint.id).count() == 1
        kinds = Counter(d.kind for d in SignedDocument.select())
        assert kinds == {"complaint_decision": 1, "complaint_signoff": 1}, kinds
        actions = Counter(action for (action,) in AuditEntry.select(AuditEntry.action).tuples())
        assert actions["complaint.propose"] == DESKS
        assert actions["complaint_decision.sign"] == 1
        assert actions["complaint_signoff.sign"] == 1
        boss = desk.auth.login("boss", PASSWORD)
        desk.users.add(boss, "auditor1", PASSWORD, "auditor")
        auditor = desk.auth.login("auditor1", PASSWORD)
        assert desk.complaint_flow.decision_form(auditor, decided).startswith(b"%PDF")
        report = desk.audit.verify(auditor)
        assert report.ok, report
    finally:
        desk.close()
