"""R6, issue 12: the personnel officer grants one named user time-limited read access to one
personnel file, with a reason; grants are audited, listed (for auditors too), revocable, and
end by the clock: first day, last day, the day after, revoked."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from desk_app.domain.errors import NotFound, PermissionDenied, ValidationError
from desk_app.services.archive import ItemFilter
from desk_app.store.archive import PersonnelGrant
from desk_app.store.models import AuditEntry, SealedSecret
from tests.conftest import PASSWORD, add_user

TITLE = "Zebrafinch-9f3 appraisal"
KEYWORDS = "quokka7 transfer"
SEALED = "Sealed — ask a personnel officer to admit you."
TODAY = date(2026, 11, 2)  # the clock fixture's local day (01:30 UTC)


@pytest.fixture
def staff(desk, admin):
    return {
        "clerk": add_user(desk, admin, "clerk1", "clerk", "王芳"),
        "clerk2": add_user(desk, admin, "clerk2", "clerk", "李强"),
        "auditor": add_user(desk, admin, "audit1", "auditor", "陈静"),
        "hr1": add_user(desk, admin, "hr1", "personnel", "刘洋"),
    }


def login(desk, name: str):
    """Sign in again: a desk holds the secrets of the last user signed in."""
    return desk.auth.login(name, PASSWORD)


@pytest.fixture
def sealed_ref(desk, staff) -> str:
    return desk.archive.add_item(login(desk, "hr1"), title=TITLE, kind="YH", dept="XZ",
                                 level="personnel", keywords=KEYWORDS).ref


def sees(desk, name: str, ref: str) -> bool:
    """Whether ``name`` finds the file (by a word of its title) and reads its title."""
    actor = login(desk, name)
    found = [view for view in desk.archive.page(actor, ItemFilter(query="zebrafinch"), 0, 10)]
    count = desk.archive.count(actor, ItemFilter(query="zebrafinch"))
    assert count == len(found)
    if not found:
        with pytest.raises(NotFound):
            desk.archive.get(actor, ref)
        return False
    assert [view.ref for view in found] == [ref]
    assert found[0].title == TITLE
    assert desk.archive.get(actor, ref).title == TITLE
    return True


def test_a_grant_lets_one_user_read_one_file_until_the_end_of_its_last_day(desk, clock, staff,
                                                                           sealed_ref):
    assert not sees(desk, "clerk1", sealed_ref)
    hr1 = login(desk, "hr1")
    grant = desk.personnel.grant(hr1, sealed_ref, "clerk1", TODAY + timedelta(days=3), "复核")
    assert {key: grant[key] for key in ("ref", "user", "until", "reason", "granted_by",
                                        "status", "title")} == {
        "ref": sealed_ref, "user": "clerk1", "until": TODAY + timedelta(days=3),
        "reason": "复核", "granted_by": "hr1", "status": "live", "title": TITLE}
    assert sees(desk, "clerk1", sealed_ref)  # the first day
    assert not sees(desk, "clerk2", sealed_ref)  # one named user only
    clerk = login(desk, "clerk1")
    assert desk.archive.count(clerk, ItemFilter(query="quokka7")) == 1  # by its keywords too
    assert desk.archive.count(clerk, ItemFilter(query=sealed_ref)) == 1  # by its reference
    assert desk.archive.count(clerk, ItemFilter()) == 1
    assert desk.archive.count(clerk, ItemFilter(level="personnel")) == 1
    clock.advance(days=3)
    assert sees(desk, "clerk1", sealed_ref)  # the last day
    clock.advance(days=1)
    assert not sees(desk, "clerk1", sealed_ref)  # the day after: gone, with nothing to run
    clerk = login(desk, "clerk1")
    assert desk.archive.count(clerk, ItemFilter()) == 0
    assert desk.personnel.grants(login(desk, "hr1"))[0]["status"] == "ended"


def test_a_grant_made_while_the_grantee_is_signed_in_opens_at_their_next_sign_in(
        desk, staff, sealed_ref):
    clerk = login(desk, "clerk1")
    desk.personnel.grant(login(desk, "hr1"), sealed_ref, "clerk1", TODAY, "复核")
    # this desk's clerk1 session holds no copy yet: the file shows, sealed
    view = desk.archive.get(clerk, sealed_ref)
    assert view.title == "Sealed — sign in again to open your grant."
    assert desk.archive.count(clerk, ItemFilter(query=sealed_ref)) == 1
    assert desk.archive.get(login(desk, "clerk1"), sealed_ref).title == TITLE


def test_revoking_hides_the_file_at_once_and_drops_its_sealed_copy(desk, staff, sealed_ref):
    grant = desk.personnel.grant(login(desk, "hr1"), sealed_ref, "clerk1",
                                 TODAY + timedelta(days=30), "复核")
    assert sees(desk, "clerk1", sealed_ref)
    clerk = login(desk, "clerk1")
    assert SealedSecret.select().where(SealedSecret.purpose == f"grant:{grant['id']}").count() == 1
    revoked = desk.personnel.revoke_grant(login(desk, "hr1"), grant["id"], "已复核完毕")
    assert (revoked["status"], revoked["revoked_by"], revoked["revoke_reason"]) == (
        "revoked", "hr1", "已复核完毕")
    assert SealedSecret.select().where(SealedSecret.purpose == f"grant:{grant['id']}").count() == 0
    # the clerk's session (which opened the copy at sign-in) no longer shows it either
    with pytest.raises(NotFound):
        desk.archive.get(clerk, sealed_ref)
    assert not sees(desk, "clerk1", sealed_ref)
    with pytest.raises(ValidationError, match="revoked already"):
        desk.personnel.revoke_grant(login(desk, "hr1"), grant["id"], "")
    with pytest.raises(NotFound):
        desk.personnel.revoke_grant(login(desk, "hr1"), 999, "x")
    # a new grant to the same user is allowed once the old one is not live
    again = desk.personnel.grant(login(desk, "hr1"), sealed_ref, "clerk1", TODAY, "再次复核")
    assert again["status"] == "live" and sees(desk, "clerk1", sealed_ref)


def test_grants_are_audited_without_the_title_and_listed_for_auditors(desk, clock, staff,
                                                                      sealed_ref):
    hr1 = login(desk, "hr1")
    first = desk.personnel.grant(hr1, sealed_ref, "clerk1", TODAY, "复核")
    second = desk.personnel.grant(hr1, sealed_ref, "clerk2", TODAY + timedelta(days=9), "调岗")
    desk.personnel.revoke_grant(hr1, second["id"], "不再需要")
    entries = list(AuditEntry.select().where(AuditEntry.action.startswith("personnel.grant"))
                   .order_by(AuditEntry.seq))
    assert [entry.action for entry in entries] == ["personnel.grant", "personnel.grant",
                                                   "personnel.grant_revoke"]
    assert json.loads(entries[0].change)["after"] == {
        "ref": sealed_ref, "user": "clerk1", "until": TODAY.isoformat(), "reason": "复核"}
    every = "\n".join(entry.change for entry in AuditEntry.select())
    assert "Zebrafinch" not in every and "quokka" not in every
    auditor = login(desk, "audit1")
    rows = desk.personnel.grants(auditor)
    assert [(row["id"], row["user"], row["status"], row["title"]) for row in rows] == [
        (second["id"], "clerk2", "revoked", "—"), (first["id"], "clerk1", "live", "—")]
    assert [row["id"] for row in desk.personnel.grants(auditor, current_only=True)] == [
        first["id"]]
    assert [row["title"] for row in desk.personnel.grants(login(desk, "hr1"))] == [TITLE, TITLE]
    with pytest.raises(PermissionDenied):
        desk.personnel.grants(login(desk, "clerk1"))
    with pytest.raises(PermissionDenied):
        desk.personnel.grant(auditor, sealed_ref, "clerk1", TODAY, "x")
    clock.advance(days=1)
    assert desk.personnel.grants(auditor, current_only=True) == []
    assert desk.audit.verify(auditor).ok


def test_an_ended_grants_copy_is_dropped_by_the_next_grant(desk, clock, staff, sealed_ref):
    hr1 = login(desk, "hr1")
    ended = desk.personnel.grant(hr1, sealed_ref, "clerk1", TODAY, "复核")
    clock.advance(days=1)
    desk.personnel.grant(login(desk, "hr1"), sealed_ref, "clerk2", TODAY + timedelta(days=1),
                         "调岗")
    assert not SealedSecret.select().where(
        SealedSecret.purpose == f"grant:{ended['id']}").exists()
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert json.loads(entry.change)["after"]["ended_copies_dropped"] == 1


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"user_name": "nobody"}, "user", "No active user nobody"),
    ({"user_name": "hr1"}, "user", "to themself"),
    ({"until": TODAY - timedelta(days=1)}, "until", "until today or a later day"),
    ({"until": TODAY + timedelta(days=367)}, "until", "at most 366 days"),
    ({"reason": "  "}, "reason", "reason"),
    ({"ref": "RS-2026-0777"}, "ref", "No personnel file"),
    ({"ref": "PUBLIC"}, "ref", "No personnel file"),
])
def test_bad_grants_are_refused_at_their_field_and_write_nothing(desk, staff, sealed_ref,
                                                                 change, field, message):
    public = desk.archive.add_item(staff["clerk"], title="行政通知", kind="YH", dept="XZ",
                                   level="public").ref
    args = {"ref": sealed_ref, "user_name": "clerk1", "until": TODAY + timedelta(days=366),
            "reason": "复核", **change}
    if args["ref"] == "PUBLIC":
        args["ref"] = public
    hr1 = login(desk, "hr1")
    before = AuditEntry.select().count()
    with pytest.raises(ValidationError, match=message) as refused:
        desk.personnel.grant(hr1, **args)
    assert refused.value.field == field
    assert AuditEntry.select().count() == before and PersonnelGrant.select().count() == 0


def test_an_inactive_user_or_a_second_live_grant_is_refused(desk, admin, staff, sealed_ref):
    hr1 = login(desk, "hr1")
    desk.personnel.grant(hr1, sealed_ref, "clerk1", TODAY, "复核")
    with pytest.raises(ValidationError, match="live grant to"):
        desk.personnel.grant(hr1, sealed_ref, "clerk1", TODAY, "again")
    desk.users.set_active(login(desk, "admin"), "clerk2", False)
    with pytest.raises(ValidationError, match="No active user"):
        desk.personnel.grant(login(desk, "hr1"), sealed_ref, "clerk2", TODAY, "复核")
    assert PersonnelGrant.select().count() == 1


def test_an_officer_not_admitted_cannot_grant(desk, admin, staff, sealed_ref):
    add_user(desk, admin, "hr2", "personnel")
    with pytest.raises(PermissionDenied, match="admit"):
        desk.personnel.grant(login(desk, "hr2"), sealed_ref, "clerk1", TODAY, "复核")


def test_only_the_personnel_role_registers_a_personnel_file(desk, staff):
    for name in ("clerk1", "admin"):
        with pytest.raises(PermissionDenied, match="Only a personnel officer registers"):
            desk.archive.add_item(login(desk, name), title="x", kind="YH", dept="XZ",
                                  level="personnel")
    view = desk.archive.add_item(login(desk, "hr1"), title=TITLE, kind="YH", dept="XZ",
                                 level="personnel")
    assert view.title == TITLE and view.ref.startswith("RS-")


def test_a_loan_page_shows_exactly_the_loans_its_count_counts(desk, staff):
    """Issue 17: a page of loans checks each row's own file (``visible_loans(per_row=True)``),
    a count the list of sealed files: both must hide the same loans, a grant's included."""
    from desk_app.services.loans import BorrowerInput, LoanFilter
    from desk_app.store.archive import Item

    clerk = login(desk, "clerk1")
    items = [desk.archive.add_item(clerk, title=f"借阅核对{n}", kind="YH", dept="XZ",
                                   level="internal") for n in range(3)]
    for item in items:
        desk.loans.lend(clerk, [item.ref], BorrowerInput(user_name="audit1"), "核对")
    Item.update(level="personnel").where(Item.id.in_([items[0].id, items[1].id])).execute()
    hr1 = login(desk, "hr1")  # the first officer: seals the two re-classified files
    desk.personnel.grant(hr1, items[0].ref, "clerk1", TODAY, "复核")
    refs = {item.ref for item in items}
    for name, shown in (("clerk1", {items[0].ref, items[2].ref}), ("clerk2", {items[2].ref}),
                        ("audit1", {items[2].ref})):
        actor = login(desk, name)
        for flt in (LoanFilter(), LoanFilter(open_only=True), LoanFilter(borrower="audit1")):
            rows = desk.loans.page(actor, flt, 0, 50)
            assert {row["ref"] for row in rows} & refs == shown, (name, flt)
            assert len(rows) == desk.loans.count(actor, flt), (name, flt)
