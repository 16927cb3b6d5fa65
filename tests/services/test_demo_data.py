"""The demo's bulk loading (issue 17: ``demo --scale 100`` under 90 s) gives what the slow
way gave: the search index holds each file's tokens as store.search makes them, the review
dates are the ones the retention refresh sets, and the indexes dropped during the load are
back, or left untouched when the load fails."""

from __future__ import annotations

import json

import peewee
import pytest

from desk_app.demo.archive import BULK_TABLES, bulk_load, unchecked_references
from desk_app.demo.service import DEMO_PASSWORD
from desk_app.domain.complaints import ProposalState, Status
from desk_app.domain.retention import review_on
from desk_app.forms.verify import verify_pdf
from desk_app.store import search
from desk_app.store.archive import Department, Item, Kind, tuples
from desk_app.store.models import AuditEntry
from desk_app.store.reception import CallBack, Complaint, ComplaintDecision, ComplaintProposal


def _indexes(db: peewee.Database) -> list[tuple[str, str]]:
    return sorted(db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('item', 'loan_slip', 'loan')").fetchall())


def test_the_search_index_holds_the_tokens_store_search_makes(demo_desk):
    db = demo_desk.ctx.db
    stored = dict(db.execute_sql("SELECT rowid, tokens FROM item_fts").fetchall())
    rows = tuples(Item.select(Item.id, Item.ref, Item.title, Item.keywords, Department.name,
                              Kind.name, Item.level)
                  .join_from(Item, Department).join_from(Item, Kind).order_by(Item.id))
    assert len(rows) == len(stored) > 1000
    levels = set()
    for item_id, ref, title, keywords, dept, kind, level in rows:
        levels.add(level)
        expected = " ".join(search.tokens_for(search.item_text(ref, title, keywords, dept, kind,
                                                               level)))
        assert stored[item_id] == expected, ref
    assert levels == {"public", "internal", "secret", "personnel"}
    # and the index answers a search by a title's words
    hits = db.execute_sql(*search.match_sql(search.terms_for("电梯维保"))).fetchall()
    assert 0 < len(hits) < len(rows)


def test_review_dates_are_the_ones_the_retention_refresh_gives(demo_desk):
    rows = tuples(Item.select(Item.doc_date, Item.retention_years, Item.review_on, Kind.code)
                  .join_from(Item, Kind))
    kept = [row for row in rows if row[1] is not None]
    assert kept and all(row[2] == review_on(row[0].year, None, row[1]) for row in kept)
    # the demo's entry counts the files dated, as when it refreshed them itself
    entry = AuditEntry.get(AuditEntry.action == "demo.retention")
    assert json.loads(entry.change)["after"] == {"review_dates": len(kept)}


def test_bulk_load_puts_the_indexes_back(sqlite_desk):
    db = sqlite_desk.ctx.db
    before = _indexes(db)
    assert len(before) > 20
    cache = db.execute_sql("PRAGMA cache_size").fetchone()[0]
    with db.atomic(), bulk_load(db, BULK_TABLES):
        assert _indexes(db) == []
    assert _indexes(db) == before
    assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == cache


def test_a_failed_bulk_load_leaves_the_indexes_as_they_were(sqlite_desk):
    db = sqlite_desk.ctx.db
    before = _indexes(db)
    with pytest.raises(RuntimeError), db.atomic(), bulk_load(db, BULK_TABLES):
        raise RuntimeError("the load failed")
    assert _indexes(db) == before


def test_every_reference_the_unchecked_load_wrote_exists(demo_desk):
    """The demo loads its catalogue and loans with foreign keys unchecked row by row
    (demo.archive.unchecked_references): each one points at a row."""
    assert demo_desk.ctx.db.execute_sql("PRAGMA foreign_key_check").fetchall() == []


def test_the_references_are_checked_again_after_the_load(sqlite_desk):
    db = sqlite_desk.ctx.db
    with pytest.raises(RuntimeError), unchecked_references(db):
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 0
        raise RuntimeError("the load failed")
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_the_search_index_is_left_with_its_own_settings(demo_desk):
    """The bulk load's larger buffer of new tokens (store.search.bulk_insert) leaves no
    trace in the index's configuration."""
    rows = demo_desk.ctx.db.execute_sql("SELECT k FROM item_fts_config").fetchall()
    assert rows == [("version",)]


def test_the_demo_shows_every_state_of_a_complaints_closed_loop(demo_desk):
    """Made through the services: every state, a proposal sent back, a complaint reopened by
    its call-back; the decisions signed by the demo supervisor (the refused one waits for the
    manager), the customers' forms by the demo clerk; every step in an intact audit trail."""
    statuses = {status for (status,) in tuples(Complaint.select(Complaint.status))}
    assert statuses == {status.value for status in Status}
    reopened = Complaint.get(Complaint.reopened > 0)
    assert reopened.status == Status.OPEN and reopened.cause
    assert ComplaintProposal.select().where(
        ComplaintProposal.state == ProposalState.REFUSED.value).count() == 1
    accepted = Complaint.get(Complaint.status == Status.ACCEPTED.value)
    [pending] = CallBack.select().where(CallBack.complaint == accepted.id)
    assert pending.status == "scheduled"
    # the loop's closed one: the demo's history (demo/reception_history.py) has older
    # complaints closed before the loop's call-backs
    closed = Complaint.get((Complaint.status == Status.CLOSED.value)
                           & Complaint.id.in_(CallBack.select(CallBack.complaint)))
    assert CallBack.get(CallBack.complaint == closed.id).satisfaction == "satisfied"

    auditor = demo_desk.auth.login("chenjing", DEMO_PASSWORD)
    ca = demo_desk.keys.ca_certificate()
    forms = []
    for decision in ComplaintDecision.select().order_by(ComplaintDecision.id):
        forms.append((decision.number, "liqiang"))
        if decision.accepted:
            forms.append((f"{decision.number}-C", "wangfang"))
    assert len(forms) == 8
    for number, signer in forms:
        report = verify_pdf(demo_desk.complaint_flow.decision_form(auditor, number), ca)
        assert report.ok and [s.signer_user for s in report.signatures] == [signer], number
    supervisor = demo_desk.auth.login("liqiang", DEMO_PASSWORD)
    manager = demo_desk.auth.login("zhangwei", DEMO_PASSWORD)
    assert {c.status for c in demo_desk.complaint_flow.waiting_for_me(supervisor)} == {
        Status.OPEN, Status.PROPOSED}  # the serious one at once, and the proposals
    assert [c.status for c in demo_desk.complaint_flow.waiting_for_me(manager)] == [
        Status.REFUSED]
    actions = {action for (action,) in tuples(AuditEntry.select(AuditEntry.action))}
    assert {"complaint.add", "complaint.analyse", "complaint.propose", "complaint.send_back",
            "complaint_decision.sign", "complaint.customer_refuse", "complaint_signoff.sign",
            "callback.record"} <= actions
    assert demo_desk.audit.verify(demo_desk.auth.login("admin", DEMO_PASSWORD)).ok


def test_the_demo_shows_promises_hand_offs_and_signed_months(demo_desk):
    """Promises pending (one within the reminder), kept and broken; a transfer and
    escalations with their targets; the last two months signed, so the last one's page shows
    the measures of the month before."""
    from desk_app.store.reception import ComplaintMonth, Visit, VisitHandoff

    clerk = demo_desk.auth.login("wangfang", DEMO_PASSWORD)
    now = demo_desk.now()
    promised = [demo_desk.visits.get_visit(clerk, visit_id).promise(now) for (visit_id,) in
                tuples(Visit.select(Visit.id).where(Visit.promised_at.is_null(False)))]
    assert {"pending", "kept", "broken"} <= set(promised)
    assert len(demo_desk.follow_up.promises_due(clerk)) == 1  # due within 15 minutes
    assert {h.kind for h in VisitHandoff.select()} == {"transfer", "escalate"}
    assert all(h.to_user or h.to_dept for h in VisitHandoff.select())
    months = sorted(m.month for m in ComplaintMonth.select())
    assert len(months) == 2
    year, month = (int(part) for part in months[1].split("-"))
    review = demo_desk.complaint_months.month_review(clerk, year, month)
    assert review.record is not None and review.previous_record is not None
    pdf = demo_desk.complaint_months.month_form(clerk, year, month)
    assert verify_pdf(pdf, demo_desk.keys.ca_certificate()).ok
