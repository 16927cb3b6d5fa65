"""Reading ledger files as offices have them (issue 16): encodings, delimiters, title rows,
merged and two-row headers, hidden sheets, cached formula values, dates as Excel stores
them, and one clear refusal for each file that is not a readable ledger."""

from __future__ import annotations

import hashlib
import re
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import clean_text, guess_mapping, parse_ledger_date
from desk_app.services.imports.files import file_sha256, open_ledger
from tests.services import ledger_bad_files as bad
from tests.services import ledger_files as ledgers

CSV_DATA_ROWS = [4, 5, 6, 7, 9, 10, 11, 12]  # row 8 is blank


@pytest.mark.parametrize(("encoding", "detected"), [
    ("gb18030", "gb18030"), ("utf-8", "utf_8"), ("utf-8-sig", "utf_8_sig"), ("utf-16", "utf_16")])
def test_csv_in_each_encoding_reads_the_same_catalogue(tmp_path: Path, encoding: str,
                                                       detected: str) -> None:
    with open_ledger(ledgers.catalogue_csv(tmp_path, encoding), "items") as table:
        assert (table.format, table.encoding, table.sheets, table.sheet) == ("csv", detected, [], None)
        assert table.header_row == 3  # under the title row and a blank row
        assert table.headers == list(ledgers.CATALOGUE_HEADERS)
        rows = list(table.rows())
    assert [number for number, _cells in rows] == CSV_DATA_ROWS
    assert clean_text(rows[0][1][1]) == "关于电梯年度 维保的通知"  # line break and spaces
    assert clean_text(rows[6][1][0]) == "ZB-TZ-2011-0001"  # full-width
    assert [clean_text(cells[0]) for _n, cells in rows] == [row[0] for row in ledgers.CATALOGUE]
    assert [cells[2] for _n, cells in rows] == [row[2] for row in ledgers.CATALOGUE]


def test_gbk_file_is_read_as_gb18030_which_also_has_rarer_characters(tmp_path: Path) -> None:
    path = tmp_path / "gb.csv"
    # 䶮 (in names) is in GB18030 but not in GBK: decoding as GBK would fail on it
    text = "档号,题名,类别,部门\r\n" + "".join(
        f"GC-TZ-2009-{n:04d},关于刘䶮同志借阅档案的说明{n},通知,工程部\r\n" for n in range(1, 40))
    path.write_bytes(text.encode("gb18030"))
    with open_ledger(path, "items") as table:
        assert table.encoding == "gb18030"
        assert next(table.rows())[1][1] == "关于刘䶮同志借阅档案的说明1"


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = ledgers.catalogue_csv(tmp_path, "utf-8", delimiter=delimiter)
    with open_ledger(path, "items") as table:
        assert table.headers == list(ledgers.CATALOGUE_HEADERS)
        assert next(table.rows())[1][0] == "GC-TZ-2009-0001"


def test_messy_workbook_skips_hidden_sheet_and_title_rows_and_joins_two_row_header(
        tmp_path: Path) -> None:
    expected = ledgers.MESSY_CATALOGUE_EXPECTED
    with open_ledger(ledgers.messy_catalogue_xlsx(tmp_path), "items") as table:
        assert (table.format, table.encoding) == ("xlsx", None)
        assert table.sheets == expected["sheets"]  # the hidden 旧目录（作废） is not offered
        assert table.sheet == expected["sheet"]
        assert table.header_row == expected["header_row"]
        assert table.headers == ["序号", "檔號", "題名", "類別", "部門", "成文日期", "存放位置",
                                 "密級", "保管期限", "關鍵詞", "備註"]
        assert sorted(guess_mapping(table.headers, "items").values()) == sorted(
            ["ref", "title", "kind", "dept", "doc_date", "location", "level", "retention_years",
             "keywords"])
        assert table.estimated_rows == 13  # the sheet's dimension, blank rows included
        rows = dict(table.rows())
    assert len(rows) == expected["rows"]
    assert sorted(rows) == [6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17]  # 10 and 18 are blank
    assert all(len(cells) == 11 for cells in rows.values())
    assert rows[6][0] == 1 and rows[14][0] == 9  # =ROW()-5: the cached values
    assert rows[7][1] == "GC-BG-2009-0001" and rows[7][8] == 30  # formulas' cached values
    assert rows[8][5] == datetime(2010, 1, 12)  # an Excel date cell
    assert parse_ledger_date(rows[9][5], "doc_date").isoformat() == "2010-04-01"  # a serial
    assert clean_text(rows[12][1]) == "XZ-JY-2011-0001" and clean_text(rows[12][4]) == "行政人事部"
    assert clean_text(rows[6][2]) == "关于电梯年度维保 的通知"


def test_hidden_sheet_is_read_when_named_and_a_missing_sheet_names_the_sheets(
        tmp_path: Path) -> None:
    path = ledgers.messy_catalogue_xlsx(tmp_path)
    with open_ledger(path, "items", sheet="旧目录（作废）") as table:
        assert table.header_row == 1
        assert [cells[0] for _n, cells in table.rows()] == ["OLD-0001", "OLD-0002"]
    with pytest.raises(ValidationError) as refused:
        open_ledger(path, "items", sheet="2012年")
    assert refused.value.field == "sheet"
    assert "2012年" in str(refused.value) and "填表说明" in str(refused.value)


def test_loan_book_group_header_names_the_lent_date(tmp_path: Path) -> None:
    with open_ledger(ledgers.messy_loans_xlsx(tmp_path), "loans") as table:
        assert table.header_row == ledgers.MESSY_LOANS_EXPECTED["header_row"]
        assert table.headers[5:8] == ["借阅 日期", "事由", "经手人"]
        mapping = guess_mapping(table.headers, "loans")
        assert mapping == {1: "ref", 2: "borrower", 3: "organisation", 4: "contact", 5: "lent_on",
                           6: "purpose", 7: "handler", 8: "due_on", 9: "returned_on"}
        assert [number for number, _cells in table.rows()] == list(range(5, 13))


def test_staff_and_keys_lists(tmp_path: Path) -> None:
    with open_ledger(ledgers.staff_csv(tmp_path), "users") as table:
        assert (table.encoding, table.header_row) == ("gb18030", 1)
        assert [cells[4] for _n, cells in table.rows()][1] == "clerk, supervisor"
    with open_ledger(ledgers.keys_xlsx(tmp_path), "keys") as table:
        assert table.header_row == 2
        assert [cells[0] for _n, cells in table.rows()] == ["K-301", "K-302", "K-101", "K-303",
                                                              "R-05"]


def test_rows_are_padded_truncated_and_can_be_read_again(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("档号,题名,类别,部门\nA-1,题名一\nA-2,题名二,通知,工程部,多余,多余\n",
                    encoding="utf-8")
    with open_ledger(path, "items") as table:
        first = list(table.rows())
        assert first == [(2, ["A-1", "题名一", None, None]), (3, ["A-2", "题名二", "通知", "工程部"])]
        assert list(table.rows()) == first


def test_a_header_naming_nothing_is_the_first_non_blank_row(tmp_path: Path) -> None:
    with open_ledger(bad.unmapped_header_csv(tmp_path), "items") as table:
        assert (table.header_row, table.headers) == (1, ["列1", "列2", "备注"])
        assert guess_mapping(table.headers, "items") == {}
        assert len(list(table.rows())) == 2


def test_a_workbook_with_a_wrong_dimension_is_read_whole(tmp_path: Path) -> None:
    """Some programs write <dimension ref="A1"/> whatever the sheet holds; read-only openpyxl
    would then read one cell."""
    path = ledgers.keys_xlsx(tmp_path)
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    member = "xl/worksheets/sheet1.xml"
    contents[member] = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>',
                              contents[member])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    with open_ledger(path, "keys") as table:
        assert table.headers == ["钥匙编号", "名称", "数量", "存放位置", "类别"]
        assert len(list(table.rows())) == 5


@pytest.mark.parametrize(("make", "words"), bad.BAD_FILES,
                         ids=[make.__name__ for make, _words in bad.BAD_FILES])
def test_each_bad_file_is_refused_with_one_clear_message(tmp_path: Path, make, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        open_ledger(make(tmp_path), "items")
    assert refused.value.field == "file"
    assert words in str(refused.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        open_ledger(tmp_path / "nowhere.xlsx", "items")
    assert refused.value.field == "file" and "nowhere.xlsx" in str(refused.value)


def test_bytes_the_detected_encoding_cannot_read_are_refused_with_their_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    ascii_rows = "".join(f"A-{n},title {n},TZ,GC\r\n" for n in range(3000))  # > the 64 KiB sample
    path.write_bytes(("ref,title,kind,dept\r\n" + ascii_rows).encode() + "B-1,题名,TZ,GC\r\n"
                     .encode("gb18030"))
    with open_ledger(path, "items") as table, pytest.raises(ValidationError) as refused:
        list(table.rows())
    assert refused.value.field == "file" and "Row 3002" in str(refused.value)


def test_csv_rows_stream_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    line = "GC-TZ-2009-{:06d},2009年工程部电梯维保通知,通知,工程部,2009-03-05,档案室01-1号柜,公开\n"
    with open(path, "w", encoding="gb18030") as handle:
        handle.write("档号,题名,类别,部门,日期,存放位置,密级\n")
        for number in range(100_000):
            handle.write(line.format(number))
    with open_ledger(path, "items") as table:
        assert 90_000 < table.estimated_rows < 110_000
        tracemalloc.start()
        count = sum(1 for _row in table.rows())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert count == 100_000
    assert peak < 2_000_000, peak  # a list of the rows would take ~100 MB


def test_big_workbook_rows_and_estimate(tmp_path: Path) -> None:
    path = ledgers.big_catalogue_xlsx(tmp_path / "big.xlsx", 2_000)
    with open_ledger(path, "items") as table:
        assert (table.header_row, table.estimated_rows) == (2, 2_000)
        rows = list(table.rows())
    assert len(rows) == 2_000 and rows[-1][0] == 2_002
    assert len({cells[0] for _n, cells in rows}) == 2_000  # unique references


def test_file_sha256_is_the_files_digest(tmp_path: Path) -> None:
    path = ledgers.staff_csv(tmp_path)
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert file_sha256(str(path)) == file_sha256(path)


def test_close_releases_the_workbook(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(("钥匙编号", "名称"))
    workbook.active.append(("K-1", "门钥匙"))
    path = tmp_path / "k.xlsx"
    workbook.save(path)
    table = open_ledger(path, "keys")
    with table:
        assert list(table.rows()) == [(2, ["K-1", "门钥匙"])]
    assert table._workbook is None
    table.close()  # twice is harmless


def test_excel_sep_hint_line_names_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "hint.csv"
    path.write_text("sep=;\n档号;题名;类别;部门\nA-1;题名,有逗号;通知;工程部\n", encoding="utf-8-sig")
    with open_ledger(path, "items") as table:
        assert (table.header_row, table.headers) == (2, ["档号", "题名", "类别", "部门"])
        assert list(table.rows()) == [(3, ["A-1", "题名,有逗号", "通知", "工程部"])]


def test_a_group_of_sub_columns_under_a_field_takes_the_fields_header(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(("档号", "题名", "类别", "部门", "存放位置", None, "密级"))
    sheet.append((None, None, None, None, "柜号", "盒号"))
    sheet.merge_cells("E1:F1")
    for column in "ABCDG":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.append(("GC-TZ-2009-0001", "关于停水的通知", "通知", "工程部", "2号柜", "03盒", "公开"))
    path = tmp_path / "groups.xlsx"
    workbook.save(path)
    with open_ledger(path, "items") as table:
        assert table.header_row == 2  # the sub-header row 柜号/盒号 is no data row
        assert table.headers == ["档号", "题名", "类别", "部门", "存放位置", "存放位置", "密级"]
        assert [number for number, _cells in table.rows()] == [3]
