"""Holes an adversarial tester found in confidential access approvals (issue 12, R5): renewing
past an approval, a stored status or document link rewritten in the database, a manager
deciding his own request, revoking an approval with files still out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk_app.domain.errors import PermissionDenied, Tampered, ValidationError
from desk_app.services.loans import BorrowerInput
from desk_app.store.approvals import AccessRequest, CopyRecord
from desk_app.store.archive import Loan
from tests.conftest import PASSWORD, add_user
from tests.services import test_approvals as base
from tests.services.test_approvals import AUDITOR, _approved, _request, _today

people, items = base.people, base.items  # the fixtures


def _loan(ref: str) -> Loan:
    return Loan.get((Loan.item == Loan.item.rel_model.get(ref=ref).id)
                    & Loan.returned_at.is_null())


def _set_status(request_id: int, status: str) -> None:
    """What someone with write access to the database does."""
    AccessRequest.update(status=status).where(AccessRequest.id == request_id).execute()


# ------------------------------------------------------------------ 1. renewing


def test_renewal_stays_inside_the_approval_window(desk, people, items, clock):
    clerk, ref = people["clerk"], items["contract"]
    data = _approved(desk, people, [ref], days=(0, 20))  # renewal_days: 14
    desk.loans.lend(clerk, [ref], AUDITOR, "审计", _today(desk) + timedelta(days=3))
    renewed = desk.loans.renew(clerk, ref)  # +14 days: inside the window
    assert renewed["due_on"] == _today(desk) + timedelta(days=17)
    last = data["window_to"].isoformat()
    with pytest.raises(ValidationError, match=last):  # +14 more: after the window's last day
        desk.loans.renew(clerk, ref)
    loan = _loan(ref)
    assert (loan.due_on, loan.renewals) == (_today(desk) + timedelta(days=17), 1)


def test_no_renewal_after_revocation_or_expiry(desk, people, items, clock):
    clerk, ref = people["clerk"], items["contract"]
    data = _approved(desk, people, [ref], days=(0, 60))
    desk.loans.lend(clerk, [ref], AUDITOR, "审计", _today(desk) + timedelta(days=3))
    desk.approvals.revoke(people["manager"], data["id"], "项目取消")
    with pytest.raises(ValidationError, match="revoked"):
        desk.loans.renew(clerk, ref)
    assert _loan(ref).renewals == 0
    ref2 = items["minutes"]
    _approved(desk, people, [ref2], days=(0, 2))
    desk.loans.lend(clerk, [ref2], AUDITOR, "审计", _today(desk) + timedelta(days=2))
    clock.advance(days=3)
    with pytest.raises(ValidationError, match="window ended"):
        desk.loans.renew(clerk, ref2)


def test_in_office_reading_is_never_renewed(desk, people, items):
    clerk, ref = people["clerk"], items["contract"]
    _approved(desk, people, [ref], access="read", days=(0, 30))
    desk.loans.lend(clerk, [ref], AUDITOR, "查阅", in_office=True)
    with pytest.raises(ValidationError, match="closing time"):
        desk.loans.renew(clerk, ref)
    loan = _loan(ref)
    assert (loan.due_on, loan.renewals) == (_today(desk), 0)


def test_public_loans_still_renew(desk, people, items):
    clerk, ref = people["clerk"], items["manual"]
    desk.loans.lend(clerk, [ref], AUDITOR, "查阅", _today(desk) + timedelta(days=3))
    assert desk.loans.renew(clerk, ref)["due_on"] == _today(desk) + timedelta(days=17)


# ------------------------------------------------------------------ 2. the signed decision


def test_a_refused_request_set_to_approved_lends_nothing(desk, people, items):
    clerk, ref = people["clerk"], items["contract"]
    data = _request(desk, people, [ref])
    desk.approvals.decide(people["manager"], data["id"], False, "不需要", PASSWORD)
    _set_status(data["id"], "approved")
    with pytest.raises(Tampered, match="signed form"):
        desk.loans.lend(clerk, [ref], AUDITOR, "审计", _today(desk) + timedelta(days=3))
    assert not Loan.select().exists()
    (explained,) = desk.approvals.explain(clerk, [ref], AUDITOR, False,
                                          _today(desk) + timedelta(days=3))
    assert explained["approval"] is None and "signed form" in explained["problem"]


def test_a_pending_request_set_to_approved_lends_nothing(desk, people, items):
    clerk, ref = people["clerk"], items["contract"]
    data = _request(desk, people, [ref])
    _set_status(data["id"], "approved")
    with pytest.raises(ValidationError, match="signed form is missing"):
        desk.loans.lend(clerk, [ref], AUDITOR, "审计", _today(desk) + timedelta(days=3))
    assert not Loan.select().exists()


def test_a_link_to_another_requests_form_is_tampering(desk, people, items):
    clerk, ref = people["clerk"], items["contract"]
    genuine = _approved(desk, people, [items["minutes"]])
    forged = _request(desk, people, [ref])
    _set_status(forged["id"], "approved")
    other_form = AccessRequest.get_by_id(genuine["id"]).document_id
    (AccessRequest.update(document=other_form, decided_by=people["manager"].user_id)
     .where(AccessRequest.id == forged["id"]).execute())
    with pytest.raises(Tampered):
        desk.approvals.document(clerk, forged["id"])
    with pytest.raises(Tampered):
        desk.loans.lend(clerk, [ref], AUDITOR, "审计", _today(desk) + timedelta(days=3))
    assert desk.approvals.document(clerk, genuine["id"]).startswith(b"%PDF")


def test_a_loan_under_a_forged_approval_is_not_renewed(desk, people, items):
    clerk, ref = people["clerk"], items["contract"]
    data = _approved(desk, people, [ref], days=(0, 60))
    other = _approved(desk, people, [items["minutes"]], days=(0, 60))
    desk.loans.lend(clerk, [ref], AUDITOR, "审计", _today(desk) + timedelta(days=3))
    (AccessRequest.update(document=AccessRequest.get_by_id(other["id"]).document_id)
     .where(AccessRequest.id == data["id"]).execute())
    with pytest.raises(Tampered):
        desk.loans.renew(clerk, ref)
    assert _loan(ref).renewals == 0


def test_no_copies_under_a_forged_copy_approval(desk, people, items):
    clerk, ref = people["clerk"], items["contract"]
    data = _request(desk, people, [ref], access="copy", copies=2)
    desk.approvals.decide(people["manager"], data["id"], False, "不需要", PASSWORD)
    _set_status(data["id"], "approved")
    with pytest.raises(Tampered):
        desk.approvals.record_copies(clerk, data["id"], ref, 1)
    assert not CopyRecord.select().exists()


# ------------------------------------------------------------------ 3. separation of duties


def test_a_manager_does_not_decide_his_own_filing(desk, admin, people, items):
    both = add_user(desk, admin, "clerkboss", "clerk,manager", "赵敏")
    today = _today(desk)
    data = desk.approvals.request(both, [items["contract"]], AUDITOR, "审计", "take-out",
                                  today, today + timedelta(days=5))
    with pytest.raises(PermissionDenied, match="another manager"):
        desk.approvals.decide(both, data["id"], True, "自批", PASSWORD)
    assert AccessRequest.get_by_id(data["id"]).status == "pending"
    desk.approvals.decide(people["manager"], data["id"], True, "审计需要", PASSWORD)


def test_a_manager_does_not_approve_his_own_access(desk, people, items):
    data = _request(desk, people, [items["contract"]], requester=BorrowerInput(user_name="boss"))
    with pytest.raises(PermissionDenied, match="another manager"):
        desk.approvals.decide(people["manager"], data["id"], True, "自批", PASSWORD)
    assert AccessRequest.get_by_id(data["id"]).document_id is None


# ------------------------------------------------------------------ 4. revoking with files out


def test_revoking_names_the_files_still_out(desk, people, items):
    clerk, ref = people["clerk"], items["contract"]
    data = _approved(desk, people, [ref, items["minutes"]], days=(0, 30))
    assert data["open_loans"] == []
    desk.loans.lend(clerk, [ref], AUDITOR, "审计", _today(desk) + timedelta(days=3))
    revoked = desk.approvals.revoke(people["manager"], data["id"], "项目取消")
    assert revoked["status"] == "revoked"
    assert [(o["ref"], o["borrower"]) for o in revoked["open_loans"]] == [(ref, AUDITOR.name)]
    desk.loans.return_items(clerk, [ref])
    assert desk.approvals.show(clerk, data["id"])["open_loans"] == []
