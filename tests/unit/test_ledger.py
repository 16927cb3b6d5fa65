"""Pure rules of reading ledgers (issue 16, desk_app/domain/ledger.py): cells to text,
headers to fields, and the values offices write by hand."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest

from desk_app.domain.archive import Level
from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import (
    FIELDS,
    LedgerKind,
    clean_free_text,
    clean_text,
    field_names,
    fields,
    guess_mapping,
    header_key,
    header_score,
    parse_condition,
    parse_count,
    parse_item_status,
    parse_ledger_date,
    parse_level,
    parse_location,
    parse_map_args,
    parse_retention,
)
from desk_app.i18n import _, set_language


def test_each_kind_has_its_fields_and_required_ones() -> None:
    assert field_names("items") == ["ref", "title", "kind", "dept", "doc_date", "location", "level",
                                    "retention_years", "keywords", "status"]
    assert field_names(LedgerKind.LOANS)[:3] == ["ref", "borrower", "lent_on"]
    required = {kind.value: [f.name for f in fields(kind) if f.required] for kind in LedgerKind}
    assert required == {"items": ["title", "kind", "dept"], "loans": ["ref", "borrower", "lent_on"],
                        "borrowers": ["name"], "users": ["full_name"], "keys": ["tag", "name"]}
    assert set(FIELDS) == set(LedgerKind)
    assert field_names("loans")[-1] == "condition"


def test_status_and_condition_from_the_ledger() -> None:
    assert [parse_item_status(cell) for cell in ("已销毁", "Destroyed", "在库", "", "On loan")] == [
        True, True, False, False, False]
    assert [parse_condition(cell) for cell in ("完好", "Worn", "damaged", "缺页", "")] == [
        "good", "worn", "damaged", "incomplete", None]
    with pytest.raises(ValidationError):
        parse_condition("还行")


def test_free_text_keeps_chinese_punctuation() -> None:
    assert clean_free_text("车辆档案：２０１９（上） 　第Ａ册") == "车辆档案：2019（上） 第A册"
    assert clean_text("车辆档案：２０１９（上）") == "车辆档案:2019(上)"
    # where Excel wrapped a Chinese title, no space; between Latin words, one
    assert clean_free_text(" 关于电梯年度\r\n 维保的通知 ") == "关于电梯年度维保的通知"
    assert clean_free_text("Annual\nreport 年度\n报告") == "Annual report 年度报告"


@pytest.mark.parametrize("language", ["en", "zh_CN", "zh_TW"])
def test_no_header_means_two_fields_of_one_kind(language: str) -> None:
    set_language(language)
    try:
        for kind in LedgerKind:
            keys: Counter[str] = Counter()
            for spec in fields(kind):
                keys.update({header_key(alias) for alias in (spec.name, spec.label, _(spec.label),
                                                              *spec.aliases)})
            assert [key for key, count in keys.items() if count > 1] == [], kind
    finally:
        set_language("en")


@pytest.mark.parametrize(("cell", "text"), [
    (None, ""), ("", ""), (12.0, "12"), (12.5, "12.5"), (13800138000.0, "13800138000"), (7, "7"),
    (True, "1"), (" 关于电梯\n维保的通知 ", "关于电梯 维保的通知"), ("a\r\n\tb", "a b"),
    ("ＧＣ－ＴＺ－２０１９－０００１", "GC-TZ-2019-0001"), ("工程部\u3000", "工程部"),
    (datetime(2024, 3, 5), "2024-03-05"), (datetime(2024, 3, 5, 9, 30), "2024-03-05 09:30"),
    (date(2024, 3, 5), "2024-03-05"), ("a\x00b\x1fc", "a b c"), ("\ufeff档号", "档号"),
])
def test_clean_text(cell: object, text: str) -> None:
    assert clean_text(cell) == text


def test_clean_text_drops_invisible_characters() -> None:
    assert clean_text("GC\u200b-TZ-2019\u00ad-0001") == "GC-TZ-2019-0001"


def test_headers_match_with_noise_traditional_and_english() -> None:
    assert header_key(" 档 号* ") == header_key("【档号】") == header_key("档号:") == "档号"
    assert header_key("檔號：") == "檔號"  # Traditional headers are aliases of their own
    assert header_score(["档 号*", "題名：", "（类别）", "Dept", "备注"], "items") == 4
    assert header_score(["XX物业公司档案目录"], "items") == 0
    assert header_score(["档号", "档案号"], "items") == 1  # one field, counted once
    assert guess_mapping(["序号", "档号", "档案号", "題名", "類別", "部門"], "items") == {
        1: "ref", 3: "title", 4: "kind", 5: "dept"}  # the leftmost of two wins
    assert guess_mapping(["借阅日期", "借阅人", "经手人", "归还日期"], "loans") == {
        0: "lent_on", 1: "borrower", 2: "handler", 3: "returned_on"}
    assert guess_mapping(["Reference", "Title", "Kind", "Department"], "items") == {
        0: "ref", 1: "title", 2: "kind", 3: "dept"}
    assert guess_mapping(["钥匙编号", "名称", "数量"], "keys") == {0: "tag", 1: "name", 2: "count"}
    assert guess_mapping(["姓名", "用户名", "部门"], "users") == {0: "full_name", 1: "name", 2: "dept"}


def test_headers_with_a_unit_in_brackets() -> None:
    assert guess_mapping(["保管期限（年）"], "items") == {0: "retention_years"}
    assert guess_mapping(["数量(把)"], "keys") == {0: "count"}


def test_map_args() -> None:
    assert parse_map_args(["借阅人 = borrower", "A=B=ref", "备注="], "loans") == {
        "借阅人": "borrower", "A=B": "ref", "备注": ""}
    for arg in ("借阅人", "=ref", "借阅人=nosuch"):
        with pytest.raises(ValidationError) as refused:
            parse_map_args([arg], "loans")
        assert refused.value.field == "map" and arg in str(refused.value)


@pytest.mark.parametrize("cell", [
    "2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", 20240305, "24-3-5", "24/3/5",
    "２０２４年３月５日", "2024-03-05 09:30", "2024/03/05 09:30:15", datetime(2024, 3, 5, 9, 30),
    date(2024, 3, 5), 45356, 45356.75, " 2024-3-5 ",
])
def test_ledger_dates(cell: object) -> None:
    assert parse_ledger_date(cell, "lent_on") == date(2024, 3, 5)


@pytest.mark.parametrize("cell", ["", None, "2024-13-05", "2024年2月30日", "3/5/2024", "昨天",
                                  "2024-03", True])
def test_bad_ledger_dates_name_their_field(cell: object) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_ledger_date(cell, "lent_on")
    assert refused.value.field == "lent_on"


def test_a_bare_year_is_not_a_day() -> None:
    with pytest.raises(ValidationError):
        parse_ledger_date(2024, "doc_date")


def test_two_digit_years_of_the_last_century() -> None:
    assert parse_ledger_date("99-3-5", "doc_date") == date(1999, 3, 5)


def test_chinese_date_with_a_time() -> None:
    assert parse_ledger_date("2024年3月5日 9:30", "lent_on") == date(2024, 3, 5)


@pytest.mark.parametrize(("cell", "level"), [
    (None, Level.PUBLIC), ("", Level.PUBLIC), ("公开", Level.PUBLIC), ("公开级", Level.PUBLIC),
    ("内部", Level.INTERNAL), ("內部", Level.INTERNAL), ("秘密", Level.SECRET),
    ("机密级", Level.SECRET), ("SECRET", Level.SECRET), ("人事", Level.PERSONNEL),
    ("人事档案", Level.PERSONNEL), (" 秘密 ", Level.SECRET),
])
def test_levels(cell: object, level: Level) -> None:
    assert parse_level(cell) == level


def test_unknown_level() -> None:
    with pytest.raises(ValidationError) as refused:
        parse_level("很秘密")
    assert refused.value.field == "level" and "很秘密" in str(refused.value)


@pytest.mark.parametrize(("cell", "years"), [
    (None, None), ("", None), ("永久", 0), ("Permanent", 0), ("长期", 30), ("長期", 30),
    ("短期", 10), ("30", 30), (30.0, 30), ("30年", 30), ("10 years", 10), ("３０年", 30),
])
def test_retention(cell: object, years: int | None) -> None:
    assert parse_retention(cell) == years


@pytest.mark.parametrize("cell", ["101", "三十年", "30天", "-5"])
def test_bad_retention(cell: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_retention(cell)
    assert refused.value.field == "retention_years"


def test_retention_in_the_standards_terms() -> None:
    assert [parse_retention(cell) for cell in ("定期30年", "定期-10年", "D30", "Y")] == [30, 10, 30, 0]


@pytest.mark.parametrize(("cell", "count"), [
    (None, 1), ("", 1), (3, 3), (2.0, 2), ("３", 3), ("3把", 3), ("12 个", 12)])
def test_count(cell: object, count: int) -> None:
    assert parse_count(cell) == count


@pytest.mark.parametrize("cell", ["0", "-1", "2.5", "很多", "1234567"])
def test_bad_count(cell: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_count(cell, "count")
    assert refused.value.field == "count"


@pytest.mark.parametrize(("cell", "separator", "parts"), [
    ("档案室02-2号柜-3层-03盒", None, ["档案室02", "2号柜", "3层", "03盒"]),
    ("档案室02/2号柜/3/03", None, ["档案室02", "2号柜", "3", "03"]),
    ("档案室02 › 2号柜 › 第3层", None, ["档案室02", "2号柜", "第3层"]),
    ("档案室02／2号柜", None, ["档案室02", "2号柜"]),  # full-width slash
    ("档案室A-1/2号柜", None, ["档案室A-1", "2号柜"]),  # / before - in the order tried
    ("档案室02、2号柜", "、", ["档案室02", "2号柜"]),
    ("档案室02", None, ["档案室02"]), ("", None, []), (None, None, []),
])
def test_locations(cell: object, separator: str | None, parts: list[str]) -> None:
    assert parse_location(cell, separator) == parts


@pytest.mark.parametrize("cell", ["档案室02--3层", "a-b-c-d-e", "档案室02-"])
def test_bad_locations(cell: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_location(cell)
    assert refused.value.field == "location"
