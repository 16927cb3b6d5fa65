"""Kind and department names are stored in Simplified Chinese; a zh_TW user reads them in
Traditional characters in lists, combos and registers (i18n.display_name)."""

from __future__ import annotations

from desk_app.i18n import display_name, set_language
from desk_app.services.archive_registers import ItemRegister


def test_display_name_converts_for_zh_tw_only():
    try:
        assert display_name("档案馆") == "档案馆"
        set_language("zh_CN")
        assert display_name("财务部") == "财务部"
        set_language("zh_TW")
        assert display_name("财务部") == "財務部" and display_name("行政档案") == "行政檔案"
        assert display_name("") == ""
    finally:
        set_language("en")


def test_kinds_departments_and_the_item_register_read_traditional(desk, admin):
    kinds = dict((code, name) for code, name, _days in desk.archive.kinds())
    departments = dict(desk.archive.departments())
    simplified = [*kinds.values(), *departments.values()]
    try:
        set_language("zh_TW")
        shown = [name for _code, name, _days in desk.archive.kinds()]
        shown += [name for _code, name in desk.archive.departments()]
        assert shown != simplified  # the seeded names have simplified characters
        assert all(display_name(name) == name for name in shown)  # already traditional
        columns = {column.title: column for column in ItemRegister.columns}
        row = (1, "BA-1", "标题", "档案", "财务部", None, "public", "in", "A/1")
        assert columns["Kind"].text(row) == "檔案"
        assert columns["Department"].text(row) == "財務部"
        assert columns["Title"].text(row) == "标题"  # what staff typed stays as typed
    finally:
        set_language("en")
