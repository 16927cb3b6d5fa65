"""Keys and equipment (R10): the register, checkouts with a reason and a curfew, check-ins
with the condition, overdue articles, history per article and per person, and every
refusal of the issue's "bad input" list (a clear message, nothing written)."""

from __future__ import annotations

from datetime import datetime, timedelta

import peewee
import pytest

from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.services.handover.equipment import EquipmentFilter, EquipmentService
from desk_app.services.handover.shifts import to_utc
from desk_app.store.handover import Equipment, EquipmentLoan
from desk_app.store.models import AuditEntry
from tests.conftest import add_user


def move_to(clock, local: datetime) -> None:
    """Set the fixed clock to a local time of day."""
    clock.advance(seconds=(to_utc(local) - clock.now()).total_seconds())


@pytest.fixture
def people(desk, admin):
    return {"admin": admin,
            "keeper": add_user(desk, admin, "keeper", "supervisor", "李强"),
            "clerk": add_user(desk, admin, "clerk1", "clerk", "王芳"),
            "bob": add_user(desk, admin, "bob", "clerk", "Bob"),
            "auditor": add_user(desk, admin, "audit", "auditor")}


@pytest.fixture
def keys(desk, people):
    keeper = people["keeper"]
    desk.equipment.add(keeper, "k-101", "Sample room key", "key", home="Cabinet A")
    desk.equipment.add(keeper, "R-1", "Radio 1", "radio")
    desk.equipment.add(keeper, "PAPER", "A4 paper (reams)", "supply", count=10)
    return desk.equipment


def _state():
    return tuple(model.select().count() for model in (Equipment, EquipmentLoan, AuditEntry))


def _actions():
    return [entry.action for entry in AuditEntry.select().order_by(AuditEntry.seq)]


def test_add_and_get(keys, people):
    row = keys.get(people["clerk"], "K-101")
    assert row["tag"] == "K-101"  # typed k-101, stored upper case
    assert (row["name"], row["kind"], row["home"], row["count"]) == (
        "Sample room key", "key", "Cabinet A", 1)
    assert row["holder"] is None and not row["overdue"] and row["on_checklist"]
    assert keys.get(people["auditor"], "paper")["count"] == 10
    assert _actions().count("equipment.add") == 3
    with pytest.raises(NotFound, match="K-999"):
        keys.get(people["clerk"], "K-999")


@pytest.mark.parametrize(("field", "kwargs", "message"), [
    ("tag", {"tag": "K 101"}, "tag"),
    ("tag", {"tag": ""}, "tag"),
    ("tag", {"tag": "K-101"}, "already"),  # duplicate
    ("tag", {"tag": "k-101"}, "already"),  # duplicate, other case
    ("kind", {"kind": "spoon"}, "Kind"),
    ("count", {"count": -1}, "whole number"),
    ("count", {"count": "three"}, "whole number"),
    ("count", {"count": "2.5"}, "whole number"),
    ("count", {"count": 0}, "between"),
    ("count", {"count": 10**6}, "between"),
    ("count", {"count": 10**12}, "whole number"),
    ("count", {"count": True}, "whole number"),
    ("name", {"name": "Key\x1b[2J"}, "control character"),
    ("name", {"name": "Key\u202e"}, "control character"),
    ("name", {"name": "\u200b"}, "name"),
    ("name", {"name": "x" * 201}, "too long"),
    ("home", {"home": "A\x00"}, "control character"),
])
def test_bad_articles_are_refused(keys, people, field, kwargs, message):
    given = {"tag": "K-200", "name": "Office key", "kind": "key", **kwargs}
    before = _state()
    with pytest.raises(ValidationError, match=message) as error:
        keys.add(people["keeper"], given.pop("tag"), given.pop("name"), given.pop("kind"),
                 **given)
    assert error.value.field == field
    assert _state() == before


def test_checkout_defaults_to_the_end_of_the_shift(keys, people, clock):
    move_to(clock, datetime(2026, 11, 2, 10, 0))
    row = keys.checkout(people["clerk"], "K-101", "bob", "  visit  the\nsample room ")
    assert row["holder"] == "bob" and row["holder_full_name"] == "Bob"
    assert row["reason"] == "visit the sample room"  # one line, spaces collapsed
    assert row["due_at"] == to_utc(datetime(2026, 11, 2, 17, 30))
    assert row["out_at"] == clock.now() and not row["overdue"]
    # in the night shift: due at its end (midnight)
    move_to(clock, datetime(2026, 11, 2, 20, 0))
    assert keys.checkout(people["clerk"], "R-1", "bob", "patrol")["due_at"] == to_utc(
        datetime(2026, 11, 3, 0, 0))
    # between shifts (03:00): the end of the next (day) shift
    move_to(clock, datetime(2026, 11, 3, 3, 0))
    assert keys.checkout(people["clerk"], "PAPER", "clerk1", "printing")["due_at"] == to_utc(
        datetime(2026, 11, 3, 17, 30))
    assert _actions().count("equipment.checkout") == 3


def test_checkout_until_given(keys, people, clock):
    until = clock.now() + timedelta(hours=30)
    assert keys.checkout(people["keeper"], "K-101", "bob", "audit", until)["due_at"] == until


def test_already_out_names_the_holder_and_writes_nothing(keys, people):
    keys.checkout(people["clerk"], "K-101", "bob", "visit")
    before = _state()
    with pytest.raises(Conflict, match=r"K-101 is already out with bob since"):
        keys.checkout(people["keeper"], "k-101", "clerk1", "another visit")
    assert _state() == before


def test_race_lost_on_the_unique_column_is_the_same_conflict(keys, people, monkeypatch):
    """Another desk checked the key out between our check and our insert (PostgreSQL, READ
    COMMITTED): the unique ``open_for`` refuses the insert, the user sees who has it."""
    keys.checkout(people["clerk"], "K-101", "bob", "visit")
    before = _state()
    real = EquipmentService._open_loan
    calls = []

    def blind_first(item_id):
        calls.append(item_id)
        return None if len(calls) == 1 else real(item_id)

    monkeypatch.setattr(EquipmentService, "_open_loan", staticmethod(blind_first))
    with pytest.raises(Conflict, match="already out with bob"):
        keys.checkout(people["keeper"], "K-101", "clerk1", "same moment")
    assert len(calls) == 2
    assert _state() == before
    # and the unique column itself refuses a second open loan
    item = Equipment.get(Equipment.tag == "K-101")
    with pytest.raises(peewee.IntegrityError), keys.ctx.db.atomic():
        EquipmentLoan.create(equipment=item.id, holder=people["keeper"].user_id, reason="x",
                             out_at=keys.ctx.clock.now(), out_by=people["keeper"].user_id,
                             due_at=keys.ctx.clock.now(), open_for=item.id)


def _second_desk(url: str, results) -> None:
    """Another desk process: tries to check the same key out."""
    from desk_app.desk import Desk
    from tests.conftest import PASSWORD

    desk = Desk.open(url)
    try:
        clerk = desk.auth.login("ben", PASSWORD)
        desk.equipment.checkout(clerk, "K-1", "ben", "second desk")
        results.put(("ok", ""))
    except Exception as error:  # reported to the test
        results.put((type(error).__name__, str(error)))
    finally:
        desk.close()


def test_two_desks_on_one_file(sqlite_desk, sqlite_url):
    """A second desk (its own process, one SQLite file) checking out a key the first desk
    just checked out is refused with the holder's name; one loan, one audit entry."""
    import multiprocessing

    from tests.conftest import PASSWORD

    desk = sqlite_desk
    desk.users.create_first_admin("admin", PASSWORD, "Admin")
    admin = desk.auth.login("admin", PASSWORD)
    keeper = add_user(desk, admin, "keeper", "supervisor")
    add_user(desk, admin, "amy", "clerk")
    add_user(desk, admin, "ben", "clerk")
    desk.equipment.add(keeper, "K-1", "Office", "key")
    desk.equipment.checkout(keeper, "K-1", "amy", "first desk",
                            desk.now() + timedelta(days=3650))
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    process = ctx.Process(target=_second_desk, args=(sqlite_url, results))
    process.start()
    outcome = results.get(timeout=120)
    process.join(30)
    assert outcome[0] == "Conflict" and "already out with amy" in outcome[1], outcome
    assert EquipmentLoan.select().count() == 1
    assert AuditEntry.select().where(AuditEntry.action == "equipment.checkout").count() == 1


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"to": "nobody"}, ValidationError, "No active user nobody"),
    ({"to": ""}, ValidationError, "No active user"),
    ({"to": "\x1b[2J"}, ValidationError, "No active user"),  # cleaned: finds nobody
    ({"tag": "K-999"}, NotFound, "K-999"),
    ({"tag": "K 101"}, ValidationError, "tag"),
    ({"tag": "K\x00-999"}, NotFound, "K-999"),  # a scanned control character is dropped
    ({"reason": ""}, ValidationError, "reason"),
    ({"reason": "\u200b "}, ValidationError, "reason"),
    ({"reason": "visit\x07"}, ValidationError, "control character"),
    ({"reason": "x" * 501}, ValidationError, "too long"),
])
def test_bad_checkouts_write_nothing(keys, people, kwargs, error, message):
    given = {"tag": "K-101", "to": "bob", "reason": "visit", **kwargs}
    before = _state()
    with pytest.raises(error, match=message):
        keys.checkout(people["clerk"], given["tag"], given["to"], given["reason"])
    assert _state() == before


def test_curfew_in_the_past_is_refused(keys, people, clock):
    before = _state()
    for until in (clock.now() - timedelta(minutes=1), clock.now()):
        with pytest.raises(ValidationError, match="already passed") as error:
            keys.checkout(people["clerk"], "K-101", "bob", "visit", until)
        assert error.value.field == "until"
    assert _state() == before


def test_inactive_user_and_retired_article(desk, keys, people):
    desk.users.set_active(people["admin"], "bob", False)
    with pytest.raises(ValidationError, match="No active user bob"):
        keys.checkout(people["clerk"], "K-101", "bob", "visit")
    keys.edit(people["keeper"], "R-1", active=False)
    before = _state()
    with pytest.raises(ValidationError, match="retired"):
        keys.checkout(people["clerk"], "R-1", "clerk1", "patrol")
    assert _state() == before


def test_checkin_records_the_condition(keys, people, clock):
    keys.checkout(people["clerk"], "R-1", "bob", "patrol")
    clock.advance(hours=1)
    row = keys.checkin(people["clerk"], "r-1", "damaged", "antenna bent")
    assert row["holder"] is None and row["condition"] == "damaged"
    (loan,) = keys.history(people["auditor"], "R-1")
    assert (loan["condition_in"], loan["note_in"], loan["in_by"]) == (
        "damaged", "antenna bent", "clerk1")
    assert loan["in_at"] == clock.now() and not loan["overdue"]
    # back in good condition: the article is good again
    keys.checkout(people["clerk"], "R-1", "bob", "patrol")
    assert keys.checkin(people["clerk"], "R-1")["condition"] == "good"
    keys.checkout(people["clerk"], "K-101", "bob", "visit")
    assert keys.checkin(people["clerk"], "K-101", "MISSING")["condition"] == "missing"
    assert _actions().count("equipment.checkin") == 3


def test_bad_checkins_write_nothing(keys, people):
    before = _state()
    with pytest.raises(ValidationError, match="not out"):
        keys.checkin(people["clerk"], "K-101")
    keys.checkout(people["clerk"], "K-101", "bob", "visit")
    before = _state()
    for condition, note in (("broken", ""), ("good", "fine\x1b[31m")):
        with pytest.raises(ValidationError):
            keys.checkin(people["clerk"], "K-101", condition, note)
    with pytest.raises(NotFound):
        keys.checkin(people["clerk"], "K-404")
    assert _state() == before


def test_overdue(keys, people, clock):
    move_to(clock, datetime(2026, 11, 2, 10, 0))
    keys.checkout(people["clerk"], "K-101", "bob", "visit")  # due 17:30
    keys.checkout(people["clerk"], "R-1", "clerk1", "patrol",
                  to_utc(datetime(2026, 11, 2, 12, 0)))
    viewer = people["auditor"]
    assert keys.count(viewer, EquipmentFilter(overdue_only=True)) == 0
    assert keys.out_summary(viewer) == {"out": 2, "overdue": 0, "overdue_rows": []}
    move_to(clock, datetime(2026, 11, 2, 12, 0))  # due_at == now: not yet overdue
    assert keys.count(viewer, EquipmentFilter(overdue_only=True)) == 0
    clock.advance(minutes=1)
    rows = keys.page(viewer, EquipmentFilter(overdue_only=True), 0, 10)
    assert [row["tag"] for row in rows] == ["R-1"] and rows[0]["overdue"]
    move_to(clock, datetime(2026, 11, 2, 18, 0))
    summary = keys.out_summary(viewer)
    assert (summary["out"], summary["overdue"]) == (2, 2)
    assert [row["tag"] for row in summary["overdue_rows"]] == ["R-1", "K-101"]  # oldest due
    keys.checkin(people["clerk"], "R-1")
    assert keys.count(viewer, EquipmentFilter(overdue_only=True)) == 1
    late = keys.history(viewer, "R-1")[0]
    assert late["overdue"]  # came back after its due time


def test_lists_filters_and_paging(keys, people):
    viewer = people["clerk"]
    keys.checkout(viewer, "K-101", "bob", "visit")
    assert keys.count(viewer, EquipmentFilter()) == 3
    assert [r["tag"] for r in keys.page(viewer, EquipmentFilter(), 0, 2)] == ["K-101", "PAPER"]
    assert [r["tag"] for r in keys.page(viewer, EquipmentFilter(), 2, 2)] == ["R-1"]
    assert [r["tag"] for r in keys.page(viewer, EquipmentFilter(out_only=True), 0, 9)] == [
        "K-101"]
    assert keys.count(viewer, EquipmentFilter(kind="radio")) == 1
    assert keys.count(viewer, EquipmentFilter(text="k-1")) == 1  # tag prefix
    assert keys.count(viewer, EquipmentFilter(text="paper")) == 1  # part of the name
    assert keys.count(viewer, EquipmentFilter(text="\x1bpaper")) == 1  # cleaned, not refused
    assert keys.count(viewer, EquipmentFilter(holder="bob")) == 1
    assert keys.count(viewer, EquipmentFilter(holder="nobody")) == 0
    keys.edit(people["keeper"], "PAPER", active=False)
    assert keys.count(viewer, EquipmentFilter()) == 2
    assert keys.count(viewer, EquipmentFilter(include_retired=True)) == 3


def test_history_per_article_and_person(keys, people, clock):
    clerk = people["clerk"]
    keys.checkout(clerk, "K-101", "bob", "first")
    clock.advance(minutes=10)
    keys.checkin(clerk, "K-101")
    clock.advance(minutes=10)
    keys.checkout(clerk, "K-101", "clerk1", "second")
    keys.checkout(clerk, "R-1", "bob", "patrol")
    assert [h["reason"] for h in keys.history(clerk, "K-101")] == ["second", "first"]
    assert [h["tag"] for h in keys.history(clerk, holder="bob")] == ["R-1", "K-101"]
    assert [h["reason"] for h in keys.history(clerk, "K-101", holder="bob")] == ["first"]
    assert len(keys.history(clerk)) == 3
    assert len(keys.history(clerk, limit=1)) == 1
    assert keys.history(clerk, offset=1, limit=5)[0]["reason"] == "second"
    with pytest.raises(NotFound):
        keys.history(clerk, "K-404")
    with pytest.raises(NotFound):
        keys.history(clerk, holder="nobody")


def test_edit(keys, people):
    keeper = people["keeper"]
    row = keys.edit(keeper, "PAPER", name="A4 paper", count="12", home="Shelf 2",
                    on_checklist=False)
    assert (row["name"], row["count"], row["home"], row["on_checklist"]) == (
        "A4 paper", 12, "Shelf 2", False)
    entries = AuditEntry.select().where(AuditEntry.action == "equipment.edit").count()
    keys.edit(keeper, "PAPER", name="A4 paper")  # nothing changes: nothing recorded
    assert AuditEntry.select().where(AuditEntry.action == "equipment.edit").count() == entries
    before = _state()
    with pytest.raises(ValidationError):
        keys.edit(keeper, "PAPER", count=-3)
    keys.checkout(people["clerk"], "K-101", "bob", "visit")
    before = _state()
    with pytest.raises(ValidationError, match="out"):
        keys.edit(keeper, "K-101", active=False)
    assert _state() == before


def test_checklist_source(keys, people, clock):
    keys.add(people["keeper"], "K-OWN", "Desk drawer", "key", on_checklist=False)
    keys.checkout(people["clerk"], "R-1", "bob", "patrol")
    keys.edit(people["keeper"], "PAPER", active=False)
    rows = keys.checklist_source()
    assert [(r["kind"], r["tag"]) for r in rows] == [("key", "K-101"), ("radio", "R-1")]
    key, radio = rows
    assert key["holder_name"] == "" and key["due_at"] is None and key["count"] == 1
    assert radio["holder_name"] == "Bob" and radio["due_at"] is not None


def test_roles(keys, people):
    clerk, auditor, admin = people["clerk"], people["auditor"], people["admin"]
    before = _state()
    with pytest.raises(PermissionDenied):
        keys.add(clerk, "K-300", "Key", "key")
    with pytest.raises(PermissionDenied):
        keys.checkout(auditor, "K-101", "bob", "visit")
    with pytest.raises(PermissionDenied):
        keys.checkout(admin, "K-101", "bob", "visit")  # admin manages, does not lend
    with pytest.raises(PermissionDenied):
        keys.edit(clerk, "K-101", name="x")
    assert _state() == before
    keys.checkout(clerk, "K-101", "bob", "visit")
    with pytest.raises(PermissionDenied):
        keys.checkin(auditor, "K-101")
    assert keys.get(auditor, "K-101")["holder"] == "bob"  # auditors read
    keys.add(admin, "K-301", "Key", "key")  # administrators keep the register


def test_registers(desk, keys, people):
    from desk_app.services.registers import Period

    keys.checkout(people["clerk"], "K-101", "bob", "visit")
    keys.checkin(people["clerk"], "K-101", "damaged", "bent")
    keys.checkout(people["clerk"], "R-1", "bob", "patrol")
    register = desk.registers["keys"]
    count, rows = register.export_rows(people["auditor"], Period())
    cells = list(rows)
    assert count == 3 and len(cells) == 3 and len(cells[0]) == len(register.header())
    assert cells[1][:3] == ["R-1", "Radio 1", "radio"] and cells[1][8] == "Bob"
    loans = desk.registers["key_loans"]
    count, rows = loans.export_rows(people["clerk"], Period())
    assert count == 2
    assert [row[0] for row in rows] == ["K-101", "R-1"]
    assert [row[1] for row in loans.page(people["clerk"], None, 0, 10)] == ["R-1", "K-101"]
    with pytest.raises(PermissionDenied):
        desk.registers["keys"].export_rows(_nobody(desk, people), Period())


def _nobody(desk, people):
    """A personnel officer: no keys.view."""
    return add_user(desk, people["admin"], "hr", "personnel")
