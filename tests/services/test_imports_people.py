"""Personnel rows of a catalogue (R6), the staff list, outside borrowers and the key list."""

from __future__ import annotations

import json

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.services.imports.report import ImportOptions
from desk_app.store import search
from desk_app.store.archive import SEALED_TITLE, Borrower, Item, PersonnelSealed
from desk_app.store.documents import StaffDepartment
from desk_app.store.handover import Equipment
from desk_app.store.models import AuditEntry, User
from tests.conftest import PASSWORD, add_user
from tests.services.imports_helpers import ITEMS_HEADER, counts, write_csv

SECRET_TITLE = "张三的劳动合同与薪资档案"


def _catalogue(tmp_path):
    return write_csv(tmp_path / "hr.csv", [
        ITEMS_HEADER,
        ["RS-2019-0001", SECRET_TITLE, "YH", "XZ", "2019-01-01", "", "人事", "", "薪资 合同"],
        ["", "李四的人事档案", "YH", "XZ", "2019-02-01", "", "personnel", "", ""],
        ["KF-TZ-2019-0009", "普通通知", "TZ", "KF", "", "", "", "", ""],
    ])


def test_personnel_rows_only_by_the_officer_sealed_and_unsearchable(desk, admin, tmp_path):
    path = _catalogue(tmp_path)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        desk.imports.run(admin, "items", path, ImportOptions())
    report = refused.value.report  # type: ignore[attr-defined]
    assert {p.row for p in report.errors} == {2, 3} and counts() == before
    add_user(desk, admin, "hr1", "personnel", "刘洋")
    hr1 = desk.auth.login("hr1", PASSWORD)
    report = desk.imports.run(hr1, "items", path, ImportOptions(only_valid=True))
    assert report.imported == 2 and [p.row for p in report.errors] == [4]
    sealed = Item.get(Item.ref == "RS-2019-0001")
    assert sealed.title == SEALED_TITLE and sealed.keywords == ""
    assert PersonnelSealed.select().count() == 2
    numbered = Item.select().where(Item.ref.startswith("RS-2019-")).order_by(Item.ref)
    assert [item.ref for item in numbered] == ["RS-2019-0001", "RS-2019-0002"]
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert entry.action == "import.items" and "张三" not in entry.change and "薪资" not in entry.change
    assert search.match_count(search.terms_for("张三")) == 0
    assert search.match_count(search.terms_for("薪资")) == 0
    shown, _loans = desk.archive.open_item(desk.auth.login("hr1", PASSWORD), "RS-2019-0001")
    assert shown.title == SECRET_TITLE


def test_staff_list_makes_users_with_keys_and_departments(desk, admin, tmp_path):
    path = write_csv(tmp_path / "staff.csv", [
        ["姓名", "用户名", "部门", "电话", "角色"],
        ["张伟", "", "KF", "138", "文员"],
        ["李娜", "lina", "工程部", "", "clerk, supervisor"],
        ["张伟", "", "", "", ""],
    ])
    with pytest.raises(ValidationError, match="password"):
        desk.imports.run(admin, "users", path, ImportOptions())
    checked = desk.imports.check(admin, "users", path, ImportOptions())
    assert checked.imported == 3 and checked.error_count == 0
    with pytest.raises(ValidationError, match="8"):  # a password given is checked at once
        desk.imports.check(admin, "users", path, ImportOptions(initial_password="abc"))
    report = desk.imports.run(admin, "users", path, ImportOptions(initial_password="start-1234"))
    assert report.imported == 3
    names = {u.name: u for u in User.select()}
    assert {"zhangwei", "zhangwei2", "lina"} <= set(names)
    assert names["lina"].roles == "clerk,supervisor" and names["zhangwei"].roles == "clerk"
    assert StaffDepartment.get(StaffDepartment.user == names["lina"].id).dept.code == "GC"
    assert desk.auth.login("lina", "start-1234").name == "lina"
    assert "start-1234" not in AuditEntry.select().order_by(AuditEntry.seq.desc()).first().change
    again = write_csv(tmp_path / "again.csv", [["姓名", "用户名"], ["李娜", "lina"],
                                                ["王五", "wangwu"], ["王六", "wangwu"]])
    report = desk.imports.check(admin, "users", again, ImportOptions())
    assert {p.row for p in report.errors} == {2, 4}


def test_outside_borrowers_found_or_created(desk, admin, tmp_path):
    path = write_csv(tmp_path / "b.csv", [
        ["姓名", "联系电话", "单位"], ["李先生", "13800001111", "市档案馆"],
        ["李先生", "13800001111", "市档案馆"], ["王女士", "", ""], ["赵先生", "139", ""]])
    with pytest.raises(ValidationError):
        desk.imports.run(admin, "borrowers", path, ImportOptions())
    report = desk.imports.run(admin, "borrowers", path, ImportOptions(only_valid=True))
    assert report.imported == 2 and [p.row for p in report.errors] == [4]
    assert Borrower.select().where(Borrower.user.is_null()).count() == 2
    again = desk.imports.run(admin, "borrowers", path, ImportOptions(only_valid=True, force=True))
    assert again.imported == 0


def test_key_list(desk, admin, tmp_path):
    path = write_csv(tmp_path / "k.csv", [
        ["钥匙编号", "名称", "数量", "存放位置", "类别"],
        ["K-101", "样板间钥匙", "2把", "钥匙柜A", "钥匙"], ["R-1", "对讲机", "", "", "对讲机"],
        ["k-101", "重复", "", "", ""], ["X 1", "坏编号", "", "", ""]])
    report = desk.imports.check(admin, "keys", path, ImportOptions())
    assert {p.row for p in report.errors} == {4, 5}
    report = desk.imports.run(admin, "keys", path, ImportOptions(only_valid=True))
    assert report.imported == 2
    radio = Equipment.get(Equipment.tag == "R-1")
    assert radio.kind == "radio" and radio.count == 1
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert entry.action == "import.keys" and json.loads(entry.change)["after"]["imported"] == 2
    clerk = add_user(desk, admin, "clerk1", "clerk", "王芳")
    from desk_app.domain.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        desk.imports.check(clerk, "keys", path, ImportOptions())
