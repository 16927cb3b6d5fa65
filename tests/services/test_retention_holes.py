"""Holes an adversarial tester found in retention and destruction (issue 12, R2/R3): a status
or decision link rewritten in the database, separation of duties, personnel files on lists,
retention changed after approval, and unaudited views of secret titles."""

from __future__ import annotations

import json
from datetime import date

import pytest

from desk_app.domain.errors import NotFound, Tampered, ValidationError
from desk_app.services.loans import BorrowerInput
from desk_app.store.approvals import Destruction, DestructionItem
from desk_app.store.archive import Item, LoanSlip, SignedDocument
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user
from tests.services.test_retention import _approved, _old, _state


@pytest.fixture
def people(desk, admin):
    return {"admin": admin,
            "clerk": add_user(desk, admin, "clerk1", "clerk", "王芳"),
            "clerk2": add_user(desk, admin, "clerk2", "clerk", "周敏"),
            "manager": add_user(desk, admin, "boss", "manager", "张伟"),
            "boss2": add_user(desk, admin, "boss2", "manager,clerk", "李强")}


def _destroy(desk, people, destruction_id, witness="clerk2"):
    return desk.retention.destroy(people["clerk"], destruction_id, witness, PASSWORD,
                                  "shredding", PASSWORD)


def _status(refs):
    return {Item.get(Item.ref == ref).status for ref in refs}


# ------------------------------------------------------------------ 1. forged approvals


def test_destroy_refuses_another_lists_decision(desk, people):
    clerk = people["clerk"]
    first = _approved(desk, people, [_old(desk, clerk, "甲")])
    victim = _old(desk, clerk, "乙")
    second = desk.retention.propose(clerk, [victim], "超过保管期限")
    Destruction.update(status="approved", decision_document=Destruction.get_by_id(
        first["id"]).decision_document).where(Destruction.id == second["id"]).execute()
    before = _state()
    with pytest.raises(Tampered):
        _destroy(desk, people, second["id"])
    with pytest.raises(Tampered):  # retention show --pdf of the forged list
        desk.retention.document(people["manager"], second["id"])
    assert _state() == before and _status([victim]) == {"available"}


def test_destroy_refuses_a_status_rewritten_without_a_signature(desk, people):
    clerk = people["clerk"]
    victim = _old(desk, clerk)
    listed = desk.retention.propose(clerk, [victim], "超过保管期限")
    Destruction.update(status="approved").where(Destruction.id == listed["id"]).execute()
    with pytest.raises(Tampered, match="missing"):
        _destroy(desk, people, listed["id"])
    assert _status([victim]) == {"available"}


def test_destroy_refuses_a_refusal_turned_into_approval(desk, people):
    clerk = people["clerk"]
    victim = _old(desk, clerk)
    listed = desk.retention.propose(clerk, [victim], "超过保管期限")
    desk.retention.decide(people["manager"], listed["id"], False, "仍有价值", PASSWORD)
    Destruction.update(status="approved").where(Destruction.id == listed["id"]).execute()
    before = _state()
    with pytest.raises(Tampered):
        _destroy(desk, people, listed["id"])
    assert _state() == before and _status([victim]) == {"available"}
    entry = AuditEntry.select().where(AuditEntry.action == "destruction_decision.sign").get()
    assert json.loads(entry.change)["after"]["decision"] == "refused"


def test_a_swapped_loan_slip_link_is_tampered(desk, people):
    clerk = people["clerk"]
    refs = [desk.archive.add_item(clerk, title=t, kind="TZ", dept="KF", level="public").ref
            for t in ("一", "二")]
    slips = [desk.loans.lend(clerk, [ref], BorrowerInput(user_name="clerk2"), "查阅")
             for ref in refs]
    for slip in slips:
        desk.loans.sign_slip(clerk, slip["id"], PASSWORD, None, None)
    first, second = (LoanSlip.get(LoanSlip.number == slip["number"]) for slip in slips)
    assert desk.loans.document(clerk, first.number)
    LoanSlip.update(document=first.document_id).where(LoanSlip.id == second.id).execute()
    with pytest.raises(Tampered):  # two slips claim one form
        desk.loans.document(clerk, first.number)
    with pytest.raises(Tampered):  # the second slip's own form is linked by nobody now
        desk.loans.document(clerk, second.number)


# ------------------------------------------------------------------ 2. separation of duties


def test_the_proposer_does_not_decide(desk, people):
    boss2 = people["boss2"]
    listed = desk.retention.propose(boss2, [_old(desk, people["clerk"])], "超过保管期限")
    before = _state()
    with pytest.raises(ValidationError, match="proposed by you") as error:
        desk.retention.decide(boss2, listed["id"], True, "同意", PASSWORD)
    assert error.value.field == "decision" and _state() == before
    assert desk.retention.decide(people["manager"], listed["id"], True, "同意",
                                 PASSWORD)["status"] == "approved"


def test_the_witness_is_neither_proposer_nor_decider(desk, people):
    clerk = people["clerk"]
    ref = _old(desk, clerk)
    listed = desk.retention.propose(people["clerk2"], [ref], "超过保管期限")
    desk.retention.decide(people["manager"], listed["id"], True, "同意", PASSWORD)
    before = _state()
    for witness in ("clerk2", "boss", "clerk1"):
        with pytest.raises(ValidationError, match="someone other") as error:
            _destroy(desk, people, listed["id"], witness)
        assert error.value.field == "witness"
    assert _state() == before and _status([ref]) == {"available"}
    assert _destroy(desk, people, listed["id"], "boss2")["status"] == "done"


# ------------------------------------------------------------------ 3. personnel files


def test_personnel_files_never_go_on_lists_or_holds(desk, people, admin):
    officer = add_user(desk, admin, "hr", "clerk,personnel")
    sealed = desk.archive.add_item(officer, title="人事档案", kind="TZ", dept="KF",
                                   level="personnel", doc_date=date(2000, 1, 1),
                                   retention_years=5).ref
    fine = _old(desk, officer)
    assert [r["ref"] for r in desk.retention.due_page(officer, 0, 50)] == [fine]
    assert desk.retention.due_count(officer) == 1
    before = _state()
    with pytest.raises(NotFound) as error:
        desk.retention.propose(officer, [fine, sealed], "超过保管期限")
    with pytest.raises(NotFound) as unknown:
        desk.retention.propose(officer, ["RS-2000-9999"], "超过保管期限")
    assert str(error.value) == str(unknown.value).replace("RS-2000-9999", sealed)
    with pytest.raises(NotFound):
        desk.retention.hold(officer, sealed, "x")
    assert _state() == before


def test_an_old_list_with_personnel_files_reveals_nothing(desk, people, admin):
    officer = add_user(desk, admin, "hr", "clerk,personnel")
    sealed = desk.archive.add_item(officer, title="人事档案", kind="TZ", dept="KF",
                                   level="personnel", doc_date=date(2000, 1, 1),
                                   retention_years=5).ref
    listed = _approved(desk, people, [_old(desk, people["clerk"])])
    DestructionItem.create(destruction=listed["id"], item=Item.get(Item.ref == sealed).id)
    shown = desk.retention.show(people["clerk"], listed["id"])
    assert sealed not in [i["ref"] for i in shown["items"]] and len(shown["items"]) == 1
    with pytest.raises(NotFound):
        desk.retention.document(people["clerk"], listed["id"])
    assert sealed in [i["ref"] for i in desk.retention.show(officer, listed["id"])["items"]]


# ------------------------------------------------------------------ 4. retention re-checked


def test_destroy_rechecks_that_the_files_are_still_due(desk, people):
    clerk = people["clerk"]
    kept = desk.archive.add_item(clerk, title="按类保管", kind="TZ", dept="KF", level="public",
                                 doc_date=date(2000, 1, 1), retention_years=None).ref
    desk.retention.set_kind_retention(people["admin"], "TZ", 10)
    listed = _approved(desk, people, [kept, _old(desk, clerk)])
    desk.retention.set_kind_retention(people["admin"], "TZ", None)  # permanent now
    before = _state()
    with pytest.raises(ValidationError, match=kept):
        _destroy(desk, people, listed["id"])
    assert _state() == before and _status([kept]) == {"available"}


# ------------------------------------------------------------------ 5. audited views


def test_showing_a_list_with_secret_titles_is_an_audited_view(desk, people):
    clerk = people["clerk"]
    secret = desk.archive.add_item(clerk, title="机密合同", kind="TZ", dept="KF", level="secret",
                                   doc_date=date(2000, 1, 1), retention_years=5).ref
    listed = _approved(desk, people, [secret])

    def views():
        return [e for e in AuditEntry.select().where(AuditEntry.action == "item.view_secret")
                if '"destruction"' in e.change]

    seen = len(views())
    desk.retention.show(people["manager"], listed["id"])
    assert len(views()) == seen + 1 and secret in views()[-1].change
    desk.retention.document(people["manager"], listed["id"])
    assert len(views()) == seen + 2
    assert SignedDocument.select().count() >= 1
