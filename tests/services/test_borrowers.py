"""Borrower lookup (Chinese name, pinyin, initials, user name, phone), remembered outside
borrowers, the borrower card, the audited edit and the register in pinyin order (issue 14)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.services.borrowers import BorrowerFilter, input_for
from desk_app.services.loans import BorrowerInput
from desk_app.store.archive import Borrower, Loan
from desk_app.store.models import AuditEntry
from tests.conftest import add_user

VISITOR = BorrowerInput(name="李先生", contact="13800001111", organisation="市档案馆")


@pytest.fixture
def people(desk, admin):
    clerk = add_user(desk, admin, "clerk1", "clerk", "王芳")
    add_user(desk, admin, "zhangwei", "manager", "张伟")
    add_user(desk, admin, "zhaowu", "clerk", "赵武")
    gone = add_user(desk, admin, "zhengwen", "clerk", "郑文")
    desk.users.set_active(admin, gone.name, False)
    return {"clerk": clerk, "admin": admin}


def _item(desk, clerk, title="文件") -> str:
    return desk.archive.add_item(clerk, title=title, kind="TZ", dept="KF", level="public").ref


def _keys(rows) -> list[str]:
    return [row["key"] for row in rows]


@pytest.mark.parametrize("query", ["张伟", "张", "zhangwei", "zhang wei", "ZW", "zw", "zhangw"])
def test_staff_found_by_name_pinyin_initials(desk, people, query):
    rows = desk.borrowers.lookup(people["clerk"], query)
    assert rows and rows[0]["key"] == "user:zhangwei"
    assert rows[0]["kind"] == "staff" and rows[0]["name"] == "张伟"
    assert "张伟" in rows[0]["label"] and "zhangwei" in rows[0]["label"]


def test_initials_find_every_match_and_inactive_staff_are_left_out(desk, people):
    keys = _keys(desk.borrowers.lookup(people["clerk"], "zw"))
    assert "user:zhangwei" in keys and "user:zhaowu" in keys
    assert "user:zhengwen" not in keys  # deactivated


def test_exact_user_name_comes_first(desk, people):
    add_user(desk, people["admin"], "zhangweiming", "clerk", "张伟明")
    rows = desk.borrowers.lookup(people["clerk"], "zhangwei")
    assert _keys(rows)[:2] == ["user:zhangwei", "user:zhangweiming"]


def test_outside_borrower_is_remembered_and_found_by_pinyin_and_phone(desk, people):
    clerk = people["clerk"]
    desk.loans.lend(clerk, [_item(desk, clerk)], VISITOR, "查阅")
    person = Borrower.get(Borrower.name == "李先生")
    assert person.search_key == "lixiansheng lxs"
    for query in ("李先生", "lixiansheng", "lxs", "13800001111", "0001111"):
        rows = desk.borrowers.lookup(clerk, query)
        assert _keys(rows) == [f"borrower:{person.id}"], query
    (row,) = desk.borrowers.lookup(clerk, "lxs")
    assert (row["kind"], row["contact"], row["organisation"]) == ("outside", "13800001111",
                                                                  "市档案馆")
    assert (row["open_loans"], row["overdue_loans"]) == (1, 0)
    # the repeat visitor is chosen, not typed again: the same borrower row
    desk.loans.lend(clerk, [_item(desk, clerk)], input_for(row["key"]), "查阅")
    assert Borrower.select().where(Borrower.name == "李先生").count() == 1
    assert Loan.select().where(Loan.borrower == person.id).count() == 2


def test_lookup_ignores_wildcards_and_needs_loan_rights(desk, people):
    assert desk.borrowers.lookup(people["clerk"], "%") == []
    assert desk.borrowers.lookup(people["clerk"], "   ") == []
    with pytest.raises(PermissionDenied):
        desk.borrowers.lookup(people["admin"], "zw")


def test_card_counts_open_overdue_and_history(desk, people, clock):
    clerk = people["clerk"]
    refs = [_item(desk, clerk, f"文件{n}") for n in range(3)]
    desk.loans.lend(clerk, refs, BorrowerInput(user_name="zhangwei"), "查阅")
    Loan.update(due_on=date(2026, 10, 1)).where(Loan.id == Loan.select(Loan.id).limit(1)).execute()
    desk.loans.return_items(clerk, [refs[2]])
    card = desk.borrowers.card(clerk, "user:zhangwei")
    assert (card["open_loans"], card["overdue_loans"]) == (2, 1)
    assert len(card["open"]) == 2 and len(card["overdue"]) == 1
    assert card["overdue"][0]["days_overdue"] > 0
    assert card["history_count"] == 3 and len(card["history"]) == 3
    assert {row["ref"] for row in card["history"]} == set(refs)
    assert desk.borrowers.history(clerk, "user:zhangwei", 2, 20)[0]["ref"] in refs
    never = desk.borrowers.card(clerk, "user:zhaowu")  # staff who never borrowed
    assert (never["open_loans"], never["history"]) == (0, [])


def test_edit_outside_borrower_is_audited_before_after(desk, people):
    clerk = people["clerk"]
    desk.loans.lend(clerk, [_item(desk, clerk)], VISITOR, "查阅")
    key = f"borrower:{Borrower.get(Borrower.name == '李先生').id}"
    before = AuditEntry.select().count()
    desk.borrowers.edit(clerk, key, "13900002222", "区档案局")
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).get()
    assert AuditEntry.select().count() == before + 1
    assert entry.action == "borrower.edit"
    change = json.loads(entry.change)
    assert change["before"]["contact"] == "13800001111"
    assert change["after"] == {"name": "李先生", "contact": "13900002222", "organisation": "区档案局"}
    person = Borrower.get(Borrower.name == "李先生")
    assert (person.contact, person.organisation) == ("13900002222", "区档案局")
    # nothing changed: nothing recorded
    desk.borrowers.edit(clerk, key, "13900002222", "区档案局")
    assert AuditEntry.select().count() == before + 1
    with pytest.raises(ValidationError) as error:
        desk.borrowers.edit(clerk, key, "", "")
    assert error.value.field == "contact"
    with pytest.raises(ValidationError):
        desk.borrowers.edit(clerk, "user:zhangwei", "1", "")
    desk.loans.lend(clerk, [_item(desk, clerk)], BorrowerInput(name="李先生", contact="1"), "查阅")
    before = AuditEntry.select().count()
    with pytest.raises(Conflict):
        desk.borrowers.edit(clerk, key, "1", "")
    assert AuditEntry.select().count() == before


def test_register_sorted_by_pinyin_with_counts(desk, people):
    clerk = people["clerk"]
    for name in ("张三", "陈静", "王五", "李四", "Adams"):
        desk.loans.lend(clerk, [_item(desk, clerk)], BorrowerInput(name=name, contact="1"), "查阅")
    register = desk.registers["borrowers"]
    page = register.page(clerk, BorrowerFilter(), 0, 10)
    assert [row[1] for row in page] == ["Adams", "陈静", "李四", "王五", "张三"]
    assert [row[1] for row in register.rows(clerk, BorrowerFilter())] == [row[1] for row in page]
    assert register.count(clerk, BorrowerFilter(text="ls")) == 1
    assert page[0][4:6] == (1, 0)
    assert register.cells(page[0])[:5] == ["Adams", "1", "", "1", "0"]


def test_migration_fills_keys_of_existing_borrowers(tmp_path):
    """A database from before m0011: its borrowers get their keys when it is migrated."""
    import peewee

    from desk_app.store import migrate

    db = peewee.SqliteDatabase(str(tmp_path / "old.db"))
    modules = [m for m in migrate.available() if m.VERSION <= 11]
    with db.atomic():
        db.execute_sql("CREATE TABLE desk_meta (key TEXT PRIMARY KEY, value TEXT)")
    for module in modules[:-1]:
        with db.atomic():
            module.upgrade(db)
    db.execute_sql("INSERT INTO app_user (name, full_name, roles, password_hash, active, "
                   "failed_logins, created_at, updated_at) VALUES "
                   "('u', '', 'clerk', 'x', 1, 0, '2026-01-01', '2026-01-01')")
    for name in ("张伟", "Adams"):
        db.execute_sql("INSERT INTO borrower (name, contact, organisation, created_at) "
                       "VALUES (?, '1', '', '2026-01-01')", (name,))
    with db.atomic():
        modules[-1].upgrade(db)
    rows = db.execute_sql("SELECT name, search_key, sort_key FROM borrower ORDER BY sort_key")
    assert list(rows) == [("Adams", "adams adams", "adams"), ("张伟", "zhangwei zw", "zhang1 wei3")]


def test_card_of_a_loan_names_its_borrower(desk, people):
    clerk = people["clerk"]
    slip = desk.loans.lend(clerk, [_item(desk, clerk)], VISITOR, "查阅")
    loan = Loan.get(Loan.slip == slip["id"])
    card = desk.borrowers.card(clerk, f"loan:{loan.id}")
    assert card["key"] == f"borrower:{loan.borrower_id}" and card["name"] == "李先生"
    with pytest.raises(NotFound):
        desk.borrowers.card(clerk, "loan:99999")
