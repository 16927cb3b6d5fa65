"""Renewing a loan: the chosen date within the rules, the limit, the signed renewal slip."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk_app.domain.errors import Conflict, ValidationError
from desk_app.forms.verify import verify_pdf
from desk_app.services.loans import BorrowerInput
from desk_app.store.archive import Loan, Renewal, SignedDocument
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD
from tests.services.test_archive_loans import items, people  # noqa: F401 (fixtures)

STAFF = BorrowerInput(user_name="borrower1")
MANUAL = "Fire safety manual"


def test_the_clerk_chooses_the_new_due_date_within_the_rules(desk, people, items):  # noqa: F811
    clerk = people["clerk"]
    desk.loans.lend(clerk, [items[MANUAL]], STAFF, "培训")
    terms = desk.loans.renewal_terms(clerk, items[MANUAL])
    old_due = terms["due_on"]
    assert terms["earliest"] == old_due + timedelta(days=1)
    assert terms["latest"] == old_due + timedelta(days=14)  # renewal_days
    assert terms["proposed"] <= terms["latest"] and (terms["renewals"], terms["limit"]) == (0, 2)
    for wrong in (old_due, terms["latest"] + timedelta(days=1)):
        with pytest.raises(ValidationError, match="Choose a new due date") as refused:
            desk.loans.renew(clerk, items[MANUAL], wrong)
        assert refused.value.field == "due"
    assert Renewal.select().count() == 0 and Loan.get().due_on == old_due  # nothing changed
    chosen = old_due + timedelta(days=5)
    row = desk.loans.renew(clerk, items[MANUAL], chosen)
    assert row["due_on"] == chosen and row["renewals"] == 1
    renewal = Renewal.get()
    assert (renewal.old_due, renewal.new_due, renewal.number) == (
        old_due, chosen, f"XJ{renewal.renewed_at.year}-000001")
    assert row["renewal"]["number"] == renewal.number
    entry = AuditEntry.select().where(AuditEntry.action == "loan.renew").get()
    assert renewal.number in entry.change and chosen.isoformat() in entry.change
    second = desk.loans.renew(clerk, items[MANUAL])  # the proposed date
    assert second["renewal"]["number"].endswith("-000002")
    assert second["due_on"] == chosen + timedelta(days=14)
    with pytest.raises(ValidationError, match="limit"):
        desk.loans.renewal_terms(clerk, items[MANUAL])
    with pytest.raises(ValidationError, match="limit"):
        desk.loans.renew(clerk, items[MANUAL])
    assert Renewal.select().count() == 2


def test_an_in_office_reading_is_not_renewed(desk, people, items):  # noqa: F811
    clerk = people["clerk"]
    desk.loans.lend(clerk, [items[MANUAL]], STAFF, "查阅", in_office=True)
    with pytest.raises(ValidationError, match="renewed"):
        desk.loans.renew(clerk, items[MANUAL])
    assert Renewal.select().count() == 0


def test_the_renewal_slip_is_signed_once_and_verifies(desk, people, items):  # noqa: F811
    clerk = people["clerk"]
    desk.loans.lend(clerk, [items[MANUAL]], STAFF, "培训")
    row = desk.loans.renew(clerk, items[MANUAL])
    pdf = desk.loans.sign_renewal(clerk, row["renewal"]["id"], PASSWORD, None, None)
    report = verify_pdf(pdf, desk.keys.ca_certificate())
    assert report.ok and report.signatures[0].signer_user == "clerk1"
    document = SignedDocument.get(SignedDocument.record_no == row["renewal"]["number"])
    assert document.kind == "renewal" and Renewal.get().document_id == document.id
    assert desk.loans.document(clerk, row["renewal"]["number"]) == pdf
    assert AuditEntry.select().where(AuditEntry.action == "renewal.sign").count() == 1
    with pytest.raises(Conflict, match="never changed"):
        desk.loans.sign_renewal(clerk, row["renewal"]["id"], PASSWORD, None, None)


def test_the_renewal_slip_shows_both_dates(desk, people, items):  # noqa: F811
    import pypdfium2

    clerk = people["clerk"]
    desk.loans.lend(clerk, [items[MANUAL]], STAFF, "培训")
    row = desk.loans.renew(clerk, items[MANUAL])
    pdf = desk.loans.sign_renewal(clerk, row["renewal"]["id"], PASSWORD, None, None)
    page = pypdfium2.PdfDocument(pdf)[0]
    text = page.get_textpage().get_text_range()
    renewal = Renewal.get()
    assert renewal.number in text and items[MANUAL] in text
    assert renewal.old_due.isoformat() in text and renewal.new_due.isoformat() in text
