"""Importing the archive catalogue (issue 16): rows by the typed rules, all or nothing,
only the valid rows recorded, re-import refused, dry run and cancel write nothing, unknown
kinds and departments mapped or created, locations built from text."""

from __future__ import annotations

import json

import pytest

from desk_app.domain.errors import Conflict, PermissionDenied, ValidationError
from desk_app.services.imports.report import ImportOptions
from desk_app.store.archive import Item, Kind, Location
from desk_app.store.imports import ImportBatch
from desk_app.store.models import AuditEntry
from tests.conftest import add_user
from tests.services.imports_helpers import ITEMS_HEADER, counts, write_csv


def _good(tmp_path, name="catalogue.csv"):
    return write_csv(tmp_path / name, [
        ["某某物业公司档案目录"],
        ITEMS_HEADER,
        ["KF-TZ-2019-0001", "关于 电梯\n维修的通知", "TZ", "KF", "2019年3月5日",
         "档案室02-2号柜-3层-03盒", "公开", "30年", "电梯"],
        ["ＫＦ-TZ-2019-0002", "停水通知", "通知", "客服部", "2019.3.6", "档案室02/2号柜/3层/04盒",
         "", "永久", ""],
        ["", "自动编号的文件", "TZ", "KF", "24-3-5", "", "内部", "", ""],
    ])


def test_catalogue_imports_with_one_audit_entry(desk, admin, tmp_path):
    path = _good(tmp_path)
    before = counts()
    report = desk.imports.run(admin, "items", path, ImportOptions())
    assert (report.rows, report.imported, report.skipped, report.error_count) == (3, 3, 0, 0)
    assert not report.dry_run and report.batch_id
    first = Item.get(Item.ref == "KF-TZ-2019-0001")
    assert first.title == "关于 电梯维修的通知" and first.doc_date.isoformat() == "2019-03-05"
    assert first.retention_years == 30 and first.location.path == "档案室02 › 2号柜 › 3层 › 03盒"
    assert first.location.level == "box" and first.title_key.startswith("guan")
    second = Item.get(Item.ref == "KF-TZ-2019-0002")  # full-width letters made ASCII
    assert second.location.parent_id == first.location.parent_id  # the shelf reused
    assert second.retention_years == 0 and second.level == "public"
    numbered = Item.get(Item.title == "自动编号的文件")
    assert numbered.ref == "KF-TZ-2024-0001" and numbered.level == "internal"
    assert Location.select().count() - 0 >= 5
    after = counts()
    assert after["audit"] == before["audit"] + 1 and after["item"] == before["item"] + 3
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert entry.action == "import.items" and entry.entity == "import_batch"
    data = json.loads(entry.change)["after"]
    assert data["file"] == "catalogue.csv" and data["rows"] == 3 and data["imported"] == 3
    assert len(data["sha256"]) == 64 and data["only_valid"] is False
    # found by the search like a typed entry
    from desk_app.services.archive import ItemFilter
    assert desk.archive.count(admin, ItemFilter(query="电梯")) == 1


def test_reimport_refused_unless_forced(desk, admin, tmp_path):
    path = _good(tmp_path)
    desk.imports.run(admin, "items", path, ImportOptions())
    with pytest.raises(Conflict, match="imported on"):
        desk.imports.run(admin, "items", path, ImportOptions())
    with pytest.raises(Conflict):
        desk.imports.check(admin, "items", path, ImportOptions())
    assert ImportBatch.select().count() == 1


def test_forced_reimport_reports_existing_refs(desk, admin, tmp_path):
    path = _good(tmp_path)
    desk.imports.run(admin, "items", path, ImportOptions())
    before = counts()
    with pytest.raises(ValidationError, match="nothing was imported") as refused:
        desk.imports.run(admin, "items", path, ImportOptions(force=True))
    report = refused.value.report  # type: ignore[attr-defined]
    assert [p.row for p in report.errors] == [3, 4]
    assert all("exists already" in p.message and p.column == "档号" for p in report.errors)
    assert counts() == before


def _bad(tmp_path):
    return write_csv(tmp_path / "bad.csv", [
        ITEMS_HEADER,
        ["A-1", "好的文件", "TZ", "KF", "2020-01-02", "", "", "", ""],
        ["A 2", "坏的档号", "TZ", "KF", "", "", "", "", ""],
        ["A-3", "坏的日期", "TZ", "KF", "2020-13-45", "", "", "", ""],
        ["A-4", "", "TZ", "KF", "", "", "", "", ""],
        ["A-5", "重复", "TZ", "KF", "", "", "", "", ""],
        ["A-5", "重复", "TZ", "KF", "", "", "", "", ""],
        ["RS-2020-0001", "人事档号给普通文件", "TZ", "KF", "", "", "", "", ""],
        ["A-6", "未知类别", "文书", "某部门", "", "", "", "", ""],
        ["A-7", "坏的密级与期限", "TZ", "KF", "", "", "绝密级别", "200年", ""],
    ])


def test_errors_import_nothing_and_name_row_column_value(desk, admin, tmp_path):
    path = _bad(tmp_path)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        desk.imports.run(admin, "items", path, ImportOptions())
    assert counts() == before
    report = refused.value.report  # type: ignore[attr-defined]
    found = {(p.row, p.column) for p in report.errors}
    assert {(3, "档号"), (4, "成文日期"), (5, "题名"), (7, "档号"), (8, "档号"),
            (9, "类别"), (9, "部门"), (10, "密级"), (10, "保管期限")} <= found
    assert (2, "档号") not in found and 6 not in {row for row, _column in found}
    assert "repeats row 6" in next(p.message for p in report.errors if p.row == 7)
    assert report.unknown == {"kind": ["文书"], "dept": ["某部门"]}
    bad_ref = next(p for p in report.errors if p.row == 3)
    assert bad_ref.value == "A 2" and "reference" in bad_ref.message
    assert str(refused.value).startswith(f"{report.error_count} problems")


def test_check_reports_the_same_and_writes_nothing(desk, admin, tmp_path):
    path = _bad(tmp_path)
    before = counts()
    report = desk.imports.check(admin, "items", path, ImportOptions())
    assert report.dry_run and report.batch_id is None
    assert report.rows == 9 and report.imported == 2 and report.error_count == 9
    assert counts() == before
    good = desk.imports.check(admin, "items", _good(tmp_path), ImportOptions())
    assert (good.imported, good.error_count) == (3, 0)
    assert "location" in good.created
    assert counts() == before and Location.select().count() == 0


def test_only_valid_rows_recorded(desk, admin, tmp_path):
    path = _bad(tmp_path)
    report = desk.imports.run(admin, "items", path, ImportOptions(only_valid=True))
    assert report.imported == 2 and report.skipped == 7 and report.error_count == 9
    assert sorted(ref for (ref,) in Item.select(Item.ref).where(Item.ref.startswith("A-"))
                  .tuples()) == ["A-1", "A-5"]
    batch = ImportBatch.get_by_id(report.batch_id)
    assert batch.only_valid and (batch.rows, batch.imported, batch.skipped) == (9, 2, 7)
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert json.loads(entry.change)["after"]["only_valid"] is True


def test_a_reference_repeated_chunks_later_is_an_error_on_the_later_row(desk, admin, tmp_path):
    rows = [ITEMS_HEADER] + [[f"D-{i}", f"文件{i}", "TZ", "KF", "", "", "", "", ""]
                             for i in range(1, 700)]
    rows.append(["D-1", "又一个", "TZ", "KF", "", "", "", "", ""])
    path = write_csv(tmp_path / "dup.csv", rows)
    checked = desk.imports.check(admin, "items", path, ImportOptions())
    assert checked.imported == 699 and {p.row for p in checked.errors} == {701}
    report = desk.imports.run(admin, "items", path, ImportOptions(only_valid=True))
    assert report.imported == 699 and {p.row for p in report.errors} == {701}
    assert Item.get(Item.ref == "D-1").title == "文件1"
    from desk_app.store import search
    assert search.indexed_count() == Item.select().count()


def test_unknown_values_mapped_or_created(desk, admin, tmp_path):
    path = write_csv(tmp_path / "u.csv", [
        ITEMS_HEADER, ["U-1", "甲", "文书档案", "综合部", "", "", "", "", ""],
        ["U-2", "乙", "文书档案", "KF", "", "", "", "", ""]])
    mapped = desk.imports.check(admin, "items", path, ImportOptions(
        values={("kind", "文书档案"): "TZ", ("dept", "综合部"): "KF"}))
    assert mapped.error_count == 0 and mapped.imported == 2
    wrong = desk.imports.check(admin, "items", path, ImportOptions(
        values={("kind", "文书档案"): "NOPE", ("dept", "综合部"): "KF"}))
    assert "NOPE" in wrong.errors[0].message
    report = desk.imports.run(admin, "items", path, ImportOptions(create_missing=True))
    assert report.created["kind"] == ["WSDA"] and report.created["dept"] == ["ZHB"]
    assert Kind.get(Kind.code == "WSDA").name == "文书档案"
    assert Item.get(Item.ref == "U-1").kind.code == "WSDA"


def test_mapping_problems(desk, admin, tmp_path):
    path = _good(tmp_path)
    with pytest.raises(ValidationError, match="no column “Nope”"):
        desk.imports.check(admin, "items", path, ImportOptions(mapping={"Nope": "title"}))
    with pytest.raises(ValidationError, match="Title"):
        desk.imports.check(admin, "items", path, ImportOptions(mapping={"题名": ""}))
    plain = write_csv(tmp_path / "plain.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(ValidationError, match="map the columns by hand"):
        desk.imports.check(admin, "items", plain, ImportOptions())
    with pytest.raises(ValidationError, match="No column gives the Department"):
        desk.imports.check(admin, "items", plain, ImportOptions(mapping={"a": "title", "b": "kind"}))
    with pytest.raises(ValidationError, match="No field colour"):
        desk.imports.check(admin, "items", plain, ImportOptions(mapping={"a": "colour"}))
    three = write_csv(tmp_path / "three.csv", [["a", "b", "c"], ["文件", "TZ", "KF"]])
    by_hand = desk.imports.check(admin, "items", three, ImportOptions(
        mapping={"a": "title", "b": "kind", "c": "dept"}))
    assert (by_hand.imported, by_hand.error_count) == (1, 0)


def test_cancel_leaves_nothing(desk, admin, tmp_path):
    rows = [ITEMS_HEADER] + [[f"C-{i}", f"文件{i}", "TZ", "KF", "", "", "", "", ""]
                             for i in range(1200)]
    path = write_csv(tmp_path / "c.csv", rows)
    before = counts()
    seen = []

    def progress(done, total):
        seen.append(done)
        return done < 1000
    with pytest.raises(InterruptedError):
        desk.imports.run(admin, "items", path, ImportOptions(), progress)
    assert seen[:2] == [500, 1000] and counts() == before


def test_permissions(desk, admin, tmp_path):
    path = _good(tmp_path)
    clerk = add_user(desk, admin, "clerk1", "clerk", "王芳")
    with pytest.raises(PermissionDenied):
        desk.imports.check(clerk, "items", path, ImportOptions())
    officer = add_user(desk, admin, "hr1", "personnel", "人事官")
    report = desk.imports.check(officer, "items", path, ImportOptions())
    assert report.error_count == 3  # not personnel files: only personnel files for them
    auditor = add_user(desk, admin, "aud", "auditor", "审计")
    with pytest.raises(PermissionDenied):
        desk.imports.preview(auditor, "items", path)


def test_locations_under_a_room_the_ledger_leaves_out(desk, admin, tmp_path):
    """A ledger kept in one archive room writes only cabinet, shelf and box."""
    room = desk.archive.add_location(admin, "档案室05")
    path = write_csv(tmp_path / "room5.csv", [
        ITEMS_HEADER, ["R5-1", "甲", "TZ", "KF", "", "2号柜-3层-03盒", "", "", ""],
        ["R5-2", "乙", "TZ", "KF", "", "2号柜-3层-04盒", "", "", ""],
        ["R5-3", "丙", "TZ", "KF", "", "2号柜-3层-04盒-1", "", "", ""]])
    report = desk.imports.run(admin, "items", path, ImportOptions(location_under=room,
                                                                   only_valid=True))
    assert report.imported == 2 and [p.row for p in report.errors] == [4]
    assert "too many levels" in report.errors[0].message
    box = Item.get(Item.ref == "R5-2").location
    assert box.path == "档案室05 › 2号柜 › 3层 › 04盒" and box.level == "box"
    assert box.parent == Item.get(Item.ref == "R5-1").location.parent  # one shelf, reused
    with pytest.raises(ValidationError, match="档案室09"):
        desk.imports.check(admin, "items", path, ImportOptions(location_under="档案室09",
                                                               force=True))
