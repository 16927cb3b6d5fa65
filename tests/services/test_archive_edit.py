"""Correcting the catalogue (issue 14): edit and move items, move a box with its items, pinyin
title order (R1) on every backend, references numbered one way by the archive and the demo."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.pinyin import sort_key
from desk_app.services.archive import ItemFilter
from desk_app.store.archive import Item, Location, PersonnelSealed
from desk_app.store.models import AuditEntry, all_models
from tests.conftest import add_user


@pytest.fixture
def people(desk, admin):
    return {"clerk": add_user(desk, admin, "clerk1", "clerk", "王芳"),
            "manager": add_user(desk, admin, "boss1", "manager", "张伟"),
            "personnel": add_user(desk, admin, "hr1", "personnel", "刘洋"),
            "admin": admin}


@pytest.fixture
def shelves(desk, people):
    clerk = people["clerk"]
    desk.archive.add_location(clerk, "A101")
    desk.archive.add_location(clerk, "柜1", "A101")
    desk.archive.add_location(clerk, "第1层", "A101 › 柜1")
    desk.archive.add_location(clerk, "第2层", "A101 › 柜1")
    desk.archive.add_location(clerk, "01盒", "A101 › 柜1 › 第1层")
    return "A101 › 柜1 › 第1层 › 01盒"


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.seq))


def change(entry: AuditEntry) -> tuple[dict, dict]:
    recorded = json.loads(entry.change)
    return recorded["before"], recorded["after"]


def state() -> tuple[int, ...]:
    return tuple(model.select().count() for model in all_models())


def test_edit_changes_the_fields_given_and_audits_them_before_and_after(desk, people, shelves):
    clerk = people["clerk"]
    item = desk.archive.add_item(clerk, title="电梯维保合同", kind="BG", dept="GC", level="internal",
                                 keywords="电梯", doc_date=date(2025, 3, 1))
    assert item.location == ""  # registered without a place: placed later
    edited = desk.archive_edit.edit_item(clerk, item.ref, title="电梯维保合同（2025）", kind="TZ",
                                         keywords="电梯 维保", location=shelves, retention_years=10)
    assert (edited.title, edited.kind, edited.keywords, edited.location, edited.retention_years) == (
        "电梯维保合同（2025）", "TZ", "电梯 维保", shelves, 10)
    row = Item.get(Item.ref == item.ref)
    assert row.title_key == sort_key("电梯维保合同（2025）")
    assert row.review_on == date(2036, 1, 1)  # 2025 + 10 years, then 1 January
    (entry,) = entries("item.edit")
    before, after = change(entry)
    assert before == {"ref": item.ref, "title": "电梯维保合同", "kind": "BG", "keywords": "电梯",
                      "location": None, "retention_years": None}
    assert after == {"ref": item.ref, "title": "电梯维保合同（2025）", "kind": "TZ",
                     "keywords": "电梯 维保", "location": shelves, "retention_years": 10}
    # the search finds it by its new words, not by the old title
    assert desk.archive.count(clerk, ItemFilter(query="维保")) == 1
    assert desk.archive.count(clerk, ItemFilter(query="2025")) == 1
    # the same values again: nothing happened, nothing recorded
    desk.archive_edit.edit_item(clerk, item.ref, title="电梯维保合同（2025）", location=shelves)
    assert len(entries("item.edit")) == 1
    # taken off its place: location None; only its place changed, so a move, not an edit
    assert desk.archive_edit.place_item(clerk, item.ref, None).location == ""
    assert len(entries("item.edit")) == 1
    (moved,) = entries("item.move")
    assert change(moved) == ({"ref": item.ref, "location": shelves},
                             {"ref": item.ref, "location": None})


def test_a_change_of_place_only_is_recorded_as_a_move(desk, people, shelves):
    from desk_app.domain.audit_text import describe

    clerk = people["clerk"]
    desk.archive.add_location(clerk, "02盒", "A101 › 柜1 › 第1层")
    other = "A101 › 柜1 › 第1层 › 02盒"
    item = desk.archive.add_item(clerk, title="消防检查记录", kind="BG", dept="GC", level="internal",
                                 location=shelves)
    desk.archive_edit.edit_item(clerk, item.ref, location=other)
    assert not entries("item.edit")
    (entry,) = entries("item.move")
    assert change(entry) == ({"ref": item.ref, "location": shelves},
                             {"ref": item.ref, "location": other})
    assert describe(entry, {"clerk1": "王芳"}).sentence == (
        f"王芳 moved {item.ref} from {shelves} to {other}")
    # the place and something else: an edit, with both
    desk.archive_edit.edit_item(clerk, item.ref, location=shelves, keywords="消防")
    (edit,) = entries("item.edit")
    assert set(change(edit)[1]) == {"ref", "location", "keywords"}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"kind": "XX"}, "kind"),
    ({"dept": "??"}, "dept"), ({"location": "Nowhere"}, "location"),
    ({"retention_years": 101}, "retention_years"), ({"keywords": "a\u202eb"}, "keywords"),
])
def test_bad_input_changes_nothing(desk, people, kwargs, field):
    clerk = people["clerk"]
    ref = desk.archive.add_item(clerk, title="原标题", kind="BG", dept="GC", level="public").ref
    before = state()
    with pytest.raises(ValidationError) as raised:
        desk.archive_edit.edit_item(clerk, ref, **kwargs)
    assert raised.value.field == field
    assert state() == before
    assert Item.get(Item.ref == ref).title == "原标题"


def test_who_may_edit(desk, people):
    clerk, manager = people["clerk"], people["manager"]
    ref = desk.archive.add_item(clerk, title="会议纪要", kind="JY", dept="ZB", level="secret").ref
    with pytest.raises(PermissionDenied):
        desk.archive_edit.edit_item(manager, ref, title="改")
    with pytest.raises(NotFound):
        desk.archive_edit.edit_item(clerk, "NO-SUCH-1", title="改")
    assert not entries("item.edit")


def test_personnel_files_are_edited_sealed_by_the_officer_only(desk, people):
    officer, clerk = people["personnel"], people["clerk"]
    ref = desk.archive.add_item(officer, title="员工档案：周敏", kind="YH", dept="XZ",
                                level="personnel", keywords="入职").ref
    # anyone else: the same answer as for an unknown reference (R6)
    with pytest.raises(NotFound) as unknown:
        desk.archive_edit.edit_item(clerk, ref, title="偷看")
    assert str(unknown.value) == f"No item with the reference {ref}."
    sealed_before = PersonnelSealed.get(PersonnelSealed.item == Item.get(Item.ref == ref).id).blob
    edited = desk.archive_edit.edit_item(officer, ref, title="员工档案：周敏（离职）",
                                         retention_years=30)
    assert edited.title == "员工档案：周敏（离职）" and edited.keywords == "入职"
    row = Item.get(Item.ref == ref)
    assert row.title == "—" and row.keywords == "" and row.title_key == sort_key("—")
    assert PersonnelSealed.get(PersonnelSealed.item == row.id).blob != sealed_before
    (entry,) = entries("item.edit")
    assert "周敏" not in entry.change and "离职" not in entry.change  # digests, no words
    _before, after = change(entry)
    assert after["retention_years"] == 30 and len(after["sealed"]) == 64
    assert desk.archive.get(officer, ref).title == "员工档案：周敏（离职）"


def test_moving_a_box_moves_its_items_in_one_audited_step(desk, people, shelves):
    clerk = people["clerk"]
    refs = [desk.archive.add_item(clerk, title=f"文件{n}", kind="BG", dept="GC", level="public",
                                  location=shelves).ref for n in range(3)]
    moved = desk.archive_edit.move_location(clerk, shelves, "A101 › 柜1 › 第2层")
    assert moved.path == "A101 › 柜1 › 第2层 › 01盒" and moved.items == 3
    assert {desk.archive.get(clerk, ref).location for ref in refs} == {moved.path}
    assert not Location.select().where(Location.path == shelves).exists()
    (entry,) = entries("location.move")
    before, after = change(entry)
    assert before == {"path": shelves} and after["items"] == sorted(refs)
    # a box goes on a shelf; a location of that name there already; the same place again
    with pytest.raises(ValidationError):
        desk.archive_edit.move_location(clerk, moved.path, "A101")
    desk.archive.add_location(clerk, "01盒", "A101 › 柜1 › 第1层")
    with pytest.raises(Conflict):
        desk.archive_edit.move_location(clerk, moved.path, "A101 › 柜1 › 第1层")
    desk.archive_edit.move_location(clerk, moved.path, "A101 › 柜1 › 第2层")
    assert len(entries("location.move")) == 1
    with pytest.raises(PermissionDenied):
        desk.archive_edit.move_location(people["manager"], moved.path, "A101 › 柜1 › 第1层")


def test_a_shelf_moves_with_its_boxes(desk, people, shelves):
    clerk = people["clerk"]
    desk.archive.add_location(clerk, "柜2", "A101")
    ref = desk.archive.add_item(clerk, title="x", kind="BG", dept="GC", level="public",
                                location=shelves).ref
    desk.archive_edit.move_location(clerk, "A101 › 柜1 › 第1层", "A101 › 柜2")
    assert desk.archive.get(clerk, ref).location == "A101 › 柜2 › 第1层 › 01盒"
    assert "A101 › 柜2 › 第1层 › 01盒" in dict(desk.archive.locations())


def test_title_order_is_pinyin_order(desk, people):
    """R1 字母顺序: 陈, 李, 张 — not code point order (张 < 李 < 陈 there)."""
    clerk = people["clerk"]
    for title in ("张伟的报告", "陈静的报告", "李强的报告"):
        desk.archive.add_item(clerk, title=title, kind="BG", dept="GC", level="public")
    page = desk.archive.page(clerk, ItemFilter(sort="title"), 0, 10)
    assert [item.title for item in page] == ["陈静的报告", "李强的报告", "张伟的报告"]
    first = page[0].ref
    desk.archive_edit.edit_item(clerk, first, title="赵敏的报告")  # kept on edit too
    page = desk.archive.page(clerk, ItemFilter(sort="title"), 0, 10)
    assert [item.title for item in page] == ["李强的报告", "张伟的报告", "赵敏的报告"]


def test_demo_references_and_new_ones_follow_one_pattern(demo_desk):
    from desk_app.demo.archive import title_key
    from desk_app.demo.people import demo_actor

    clerk = demo_actor("wangfang")
    assert clerk is not None
    last = (Item.select(Item.ref).where(Item.ref.startswith("BA-BG-2026-"))
            .order_by(Item.ref.desc()).scalar())
    assert last is not None and len(last) == len("BA-BG-2026-0001")  # width 4, no suffix
    new = demo_desk.archive.add_item(clerk, title="新文件", kind="BG", dept="BA", level="public",
                                     doc_date=date(2026, 5, 1))
    assert new.ref == f"BA-BG-2026-{int(last[-4:]) + 1:04d}"
    personnel = Item.select(Item.ref).where(Item.level == "personnel").first().ref
    assert personnel.startswith("RS-") and len(personnel) == len("RS-2026-0001")
    # the demo's fast title keys are the real ones
    titles = [title for (title,) in Item.select(Item.title).where(Item.level != "personnel")
              .order_by(Item.id).limit(2000).tuples()]
    assert [title_key(t) for t in titles] == [sort_key(t) for t in titles]
    sample = random.Random(1).sample(titles, 50)
    assert all(Item.get(Item.title == t).title_key == sort_key(t) for t in sample)
