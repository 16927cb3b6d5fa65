"""Several desks registering and sending documents at once (issue 15), on SQLite and (with
DESK_TEST_PG) PostgreSQL.

Desk processes (the "spawn" context, each with its own ``Desk``) wait at a barrier, then all
at once: each signs in ``LETTERS`` incoming documents; then each numbers and sends the
signed-off outgoing documents prepared for it. Afterwards every acknowledged document is in
the register exactly once under the number its desk was told, the incoming numbers (收文号)
are 1…N and the issued numbers (发文字号) 1…M without a gap, and the audit chain verifies.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from desk_app.desk import Desk
from desk_app.domain.documents import parse_running_number
from desk_app.store.archive import tuples
from desk_app.store.documents import Document
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD
from tests.desks import close_desk, first_line, open_desk, recorder, run_desks

DESKS = 4
LETTERS = 10  # each desk signs in this many at once
SENDS = 2  # signed-off outgoing documents each desk sends at once
TIMEOUT = 240.0
ISSUED = re.compile(r"〔(\d{4})〕(\d+)号$")


def _seq(number: str) -> int:
    parsed = parse_running_number(number)
    assert parsed is not None, number
    return parsed[2]


def _issued_seq(text: str) -> int:
    found = ISSUED.search(text)
    assert found is not None, text
    return int(found.group(2))


def _worker(url: str, index: int, to_send: list[int], barrier, results) -> None:
    out: dict[str, Any] = {}
    call = recorder(out, lambda op, value: (op, value["id"], value["number"], value["issued_no"]))
    desk = None

    try:
        desk, clerk = open_desk(url, f"clerk{index:02d}")
        barrier.wait(timeout=120)
        for k in range(LETTERS):
            call("receive", lambda k=k: desk.documents.receive(
                clerk, sender=f"来文单位{index}", sender_ref=f"D{index}〔2026〕{k + 1}号",
                title=f"多台同时收文 {index}-{k}", pages=2))
        barrier.wait(timeout=120)
        for doc_id in to_send:
            call("send", lambda doc_id=doc_id: desk.documents.send(
                clerk, doc_id, password=PASSWORD))
    except Exception as error:
        out["unexpected"].append(("desk", type(error).__name__, first_line(error)))
        barrier.abort()
    finally:
        close_desk(desk)
        results.put((index, out))


def _floor(desk: Desk) -> list[list[int]]:
    """The clerks, 工程部 (a drafter and its head), the manager; ``SENDS`` outgoing
    documents per desk drafted, reviewed and signed off (each with its signatures)."""
    desk.users.create_first_admin("admin", PASSWORD, "系统管理员")
    admin = desk.auth.login("admin", PASSWORD)
    for index in range(DESKS):
        desk.users.add(admin, f"clerk{index:02d}", PASSWORD, "clerk")
    for name, roles in (("drafter", "clerk"), ("head", "supervisor"), ("boss", "manager"),
                        ("auditor1", "auditor")):
        desk.users.add(admin, name, PASSWORD, roles)
    desk.documents.set_department(admin, "drafter", "GC")
    desk.documents.set_department(admin, "head", "GC", head=True)
    drafter, head, boss = (desk.auth.login(name, PASSWORD) for name in ("drafter", "head", "boss"))
    prepared: list[list[int]] = []
    for index in range(DESKS):
        ids = []
        for k in range(SENDS):
            doc = desk.documents.draft(drafter, title=f"多台同时发文 {index}-{k}",
                                       addressee="业主委员会", body="通知正文。", password=PASSWORD)
            desk.documents.review(head, doc["id"], approve=True, password=PASSWORD)
            desk.documents.signoff(boss, doc["id"], approve=True, password=PASSWORD)
            ids.append(doc["id"])
        prepared.append(ids)
    return prepared


def _run(url: str, prepared: list[list[int]]) -> dict[int, dict[str, Any]]:
    return run_desks(_worker, [(url, i, prepared[i]) for i in range(DESKS)], TIMEOUT)


def test_desks_receive_and_send_documents_at_once(db_url):
    desk = Desk.open(db_url, create=True)
    try:
        prepared = _floor(desk)
        year = desk.documents.today().year
    finally:
        desk.close()

    outs = _run(db_url, prepared)
    assert len(outs) == DESKS, f"desks that sent no result: {set(range(DESKS)) - set(outs)}"
    unexpected = [u for out in outs.values() for u in out["unexpected"]]
    assert not unexpected, unexpected
    refused: Counter = sum((out["refused"] for out in outs.values()), Counter())
    assert not refused, refused  # nothing here may be refused: different documents
    acks = [ack for out in outs.values() for ack in out["acks"]]
    received = {doc_id: number for op, doc_id, number, _issued in acks if op == "receive"}
    sent = {doc_id: issued for op, doc_id, _number, issued in acks if op == "send"}
    assert len(received) == DESKS * LETTERS and len(sent) == DESKS * SENDS

    desk = Desk.open(db_url)
    try:
        incoming = dict(tuples(Document.select(Document.id, Document.number)
                               .where(Document.direction == "incoming")))
        assert incoming == received, "a document acknowledged to a desk is missing or differs"
        seqs = sorted(_seq(number) for number in incoming.values())
        assert seqs == list(range(1, DESKS * LETTERS + 1))
        assert all(number.startswith(f"SW{year}-") for number in incoming.values())

        issued = dict(tuples(Document.select(Document.id, Document.issued_no)
                             .where(Document.issued_no.is_null(False))))
        assert issued == sent
        numbers = sorted(_issued_seq(text) for text in issued.values())
        assert numbers == list(range(1, DESKS * SENDS + 1))
        assert not Document.select().where((Document.direction == "outgoing")
                                           & (Document.status != "sent")).exists()

        actions = Counter(action for (action,) in tuples(AuditEntry.select(AuditEntry.action)))
        assert actions["document.receive"] == DESKS * LETTERS
        assert actions["doc_outgoing.sign"] == DESKS * SENDS
        clerk = desk.auth.login("clerk00", PASSWORD)
        assert desk.documents.gaps(clerk, year) == []
        report = desk.audit.verify(desk.auth.login("auditor1", PASSWORD))
        assert report.ok, report
    finally:
        desk.close()
