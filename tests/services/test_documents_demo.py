"""The document register's demo data (demo/documents.py): every state is there, the running
and issued numbers have no gaps and continue where the demo stopped, the chase list has
work, and the documents made through the service have sheets that open and verify."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

import pytest

from desk_app.demo import documents as demo_documents
from desk_app.demo.service import DEMO_PASSWORD
from desk_app.domain.documents import Direction, NoteKind, Status, parse_running_number, series
from desk_app.forms.verify import verify_pdf
from desk_app.store.archive import tuples
from desk_app.store.documents import Document, DocumentNote, StaffDepartment
from desk_app.store.models import AuditEntry, NumberCounter, User

ISSUED = re.compile(r"〔(\d{4})〕(\d+)号$")
# Drafts on their way (an outgoing draft sheet signed so far) come only from the service
ONLY_SIGNED = {Status.DRAFT.value, Status.REVIEWED.value, Status.SIGNED_OFF.value}


def _numbers() -> tuple[dict[tuple[str, int], list[int]], dict[int, list[int]]]:
    """Running numbers by (direction, year) and issued numbers by year, as drawn."""
    running: dict[tuple[str, int], list[int]] = defaultdict(list)
    issued: dict[int, list[int]] = defaultdict(list)
    for number, issued_no in tuples(Document.select(Document.number, Document.issued_no)):
        parsed = parse_running_number(number)
        assert parsed is not None, number
        running[(parsed[0].value, parsed[1])].append(parsed[2])
        if issued_no:
            found = ISSUED.search(issued_no)
            assert found, issued_no
            issued[int(found.group(1))].append(int(found.group(2)))
    return running, issued


def _counter(name: str) -> int:
    return int(NumberCounter.select(NumberCounter.value)
               .where(NumberCounter.series == name).scalar() or 0)


def _check_numbers(desk, actor) -> None:
    running, issued = _numbers()
    assert running and issued
    for (direction, year), seqs in running.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), (direction, year)
        assert _counter(series(Direction(direction), year)) == len(seqs), (direction, year)
    for year, seqs in issued.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), year
        assert _counter(f"doc-issued-{year}") == len(seqs), year
    for year in {year for _direction, year in running}:
        assert desk.documents.gaps(actor, year) == []


def test_the_full_demo_has_every_state_and_its_signed_sheets_verify(sqlite_desk, monkeypatch):
    monkeypatch.setattr("desk_app.demo.handover.WEEKS", 0)
    assert demo_documents.SIGNED
    counts = sqlite_desk.demo.generate(None)
    assert counts["signed_documents"] == 11
    desk = sqlite_desk
    clerk = desk.auth.login("wangfang", DEMO_PASSWORD)
    statuses = {status for (status,) in tuples(Document.select(Document.status).distinct())}
    assert statuses == {status.value for status in Status}
    for direction, wanted in ((Direction.INCOMING, {"registered", "circulating", "handling",
                                                    "handled", "filed"}),
                              (Direction.OUTGOING, {"draft", "returned", "reviewed",
                                                    "signed_off", "sent", "voided", "filed"}),
                              (Direction.INTERNAL, {"draft", "signed", "delivered", "replied",
                                                    "voided", "filed"})):
        have = {s for (s,) in tuples(Document.select(Document.status).distinct()
                                     .where(Document.direction == direction.value))}
        assert have == wanted, direction
    _check_numbers(desk, clerk)

    ca = desk.keys.ca_certificate()
    made_today = list(Document.select().where(
        Document.document.is_null(False) | Document.pending_pdf.is_null(False)
        | Document.instruction_document.is_null(False)).order_by(Document.id))
    assert len(made_today) == 9  # made through the service, but a letter and a liaison draft
    for row in made_today:
        report = verify_pdf(desk.documents.sheet(clerk, row.id), ca)
        assert report.ok and report.signatures, (row.number, report)
        if row.instruction_document_id is not None:
            assert verify_pdf(desk.documents.instruction_sheet(clerk, row.id), ca).ok
    filed = Document.get((Document.direction == "incoming") & Document.document.is_null(False))
    assert filed.status == "filed" and filed.item_id is not None
    sent = Document.get(Document.sent_at.is_null(False) & Document.document.is_null(False))
    assert [s.field_name for s in verify_pdf(desk.documents.sheet(clerk, sent.id), ca)
            .signatures] == ["drafter", "reviewer", "approver", "clerk"]

    verified = desk.audit.verify(desk.auth.login("chenjing", DEMO_PASSWORD))
    assert verified.ok, verified


def test_the_tests_demo_history(demo_desk):
    """The demo the tests use (no signed documents): a year of history in every state the
    bulk part makes, numbers without gaps that new documents continue, chases and questions
    on the record, the people in their departments."""
    desk = demo_desk
    clerk = desk.auth.login("wangfang", DEMO_PASSWORD)
    manager = desk.auth.login("zhangwei", DEMO_PASSWORD)
    statuses = {status for (status,) in tuples(Document.select(Document.status).distinct())}
    assert statuses == {s.value for s in Status} - ONLY_SIGNED
    assert not Document.select().where(Document.pending_pdf.is_null(False)).exists()
    assert Document.select().count() == demo_documents.DOCS_PER_SCALE
    oldest = Document.select(Document.created_at).order_by(Document.created_at).scalar()
    assert desk.documents.now() - oldest > timedelta(days=360)
    _check_numbers(desk, clerk)
    heads = {(user.name, member.dept.code, member.head)
             for member in StaffDepartment.select() for user in [User.get_by_id(member.user_id)]}
    assert heads == set(demo_documents.MEMBERS)

    assert desk.documents.chase_count(clerk) > 0
    chased = desk.documents.chase_list(clerk)
    assert all(row["days_overdue"] > 0 for row in chased)
    assert any(row["chases"] for row in chased)
    kinds = {kind for (kind,) in tuples(DocumentNote.select(DocumentNote.kind).distinct())}
    assert kinds == {NoteKind.QUESTION.value, NoteKind.CHASE.value}
    assert AuditEntry.select().where(AuditEntry.action == "demo.documents").count() == 1

    # the next document continues each series where the demo stopped
    year = desk.documents.today().year
    last = max(seq for (d, y), seqs in _numbers()[0].items() if (d, y) == ("incoming", year)
               for seq in seqs)
    letter = desk.documents.receive(clerk, sender="市场监督管理局", title="关于电梯年检的通知")
    assert letter["number"] == f"SW{year}-{last + 1:04d}"
    assert desk.documents.find(clerk, letter["number"].lower())["id"] == letter["id"]
    assert desk.documents.waiting_for_me(manager)["instruct"]


@pytest.mark.parametrize("scale", [2])
def test_scale_multiplies_the_history(desk, monkeypatch, scale):
    """On every backend: batches, explicit ids (PostgreSQL's sequences set after them)."""
    monkeypatch.setattr("desk_app.demo.handover.WEEKS", 0)
    monkeypatch.setattr("desk_app.demo.documents.SIGNED", False)
    monkeypatch.setattr("desk_app.demo.documents.DOCS_PER_SCALE", 700)
    monkeypatch.setattr("desk_app.demo.documents.BATCH", 64)  # many batches
    counts = desk.demo.generate(None, scale=scale)
    assert counts["documents"] == 700 * scale == Document.select().count()
    clerk = desk.auth.login("wangfang", DEMO_PASSWORD)
    _check_numbers(desk, clerk)
    draft = desk.documents.draft_liaison(clerk, title="演示之后的联络单", to_dept="KF",
                                         body="请协助。")
    assert draft["id"] == 700 * scale + 1
    parsed = parse_running_number(draft["number"])
    assert parsed is not None and parsed[2] == len(
        _numbers()[0][("internal", desk.documents.today().year)])
