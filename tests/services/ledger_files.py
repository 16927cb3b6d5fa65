"""Ledger files as offices really have them (issue 16), written into a test's folder.

Each function writes one file and returns its path; its docstring says what the file holds
and what a correct import into ``demo_desk`` reports. The kinds, departments, users and
locations are the demo's (store/migrations/m0004_archive.py, demo/service.py,
demo/archive.py); references use the years 2009–2011, which the demo (the last eight years
before its clock) never numbers, so an import into a demo desk does not collide with it.

The expected reports are also constants (``*_EXPECTED``): ``rows`` data rows, ``valid``
rows a correct import takes, ``errors`` {row number in the file: the field (and why)}.
Bad files are in tests/services/ledger_bad_files.py.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

# ref, title, kind, department, date, location, level, retention, keywords: eight good files
CATALOGUE: tuple[tuple[str, ...], ...] = (
    ("GC-TZ-2009-0001", "关于电梯年度维保的通知", "通知", "工程部", "2009年3月5日",
     "档案室01-1号柜-第1层-01盒", "公开", "10年", "电梯 维保"),
    ("GC-BG-2009-0001", "2009年消防设施检查报告", "报告", "工程部", "2009.6.18",
     "档案室01/1号柜/第1层/01盒", "内部", "30", "消防"),
    ("KF-HJ-2010-0001", "关于业主投诉处理的复函", "函件", "客服部", "2010/1/12",
     "档案室01-1号柜-第1层-02盒", "公开", "长期", "投诉"),
    ("BA-ZD-2010-0001", "门岗值班管理规定", "规章制度", "保安部", "10-4-1",
     "档案室01-1号柜-第2层-01盒", "内部", "永久", "门岗 值班"),
    ("CW-BG-2010-0001", "2010年度物业费收缴情况报告", "报告", "财务部", "2010-12-28",
     "档案室01-2号柜-第1层-01盒", "内部", "30年", "费用收缴"),
    ("XZ-JY-2011-0001", "2011年第一季度工作会议纪要", "会议纪要", "行政人事部", "2011年3月30日",
     "档案室01-2号柜-第1层-02盒", "秘密", "10", "会议"),
    ("ZB-TZ-2011-0001", "关于春节期间安全值守的通知", "通知", "总经理办公室", "2011.1.20",
     "档案室01-2号柜-第2层-01盒", "公开", "短期", "春节 安全"),
    ("BJ-ZJ-2011-0001", "2011年保洁质量工作总结", "总结", "保洁部", "2011/12/30", "", "公开", "",
     "保洁"),
)
CATALOGUE_HEADERS = ("档号", "题名", "类别", "部门", "成文日期", "存放位置", "密级", "保管期限",
                     "关键词")
# the same headers in Traditional characters (an office in Hong Kong or Taiwan, or an old file)
TRADITIONAL_HEADERS = ("檔號", "題名", "類別", "部門", "成文日期", "存放位置", "密級", "保管期限",
                       "關鍵詞")

CATALOGUE_CSV_EXPECTED = {"rows": 8, "valid": 8, "errors": {}}
MESSY_CATALOGUE_EXPECTED = {
    "sheets": ["填表说明", "档案目录"], "sheet": "档案目录", "header_row": 5,
    "rows": 11, "valid": 8,
    "errors": {15: "ref (repeats the reference of row 14)", 16: "doc_date (2010年13月45日)",
               17: "ref (GC TZ#2010/7: not a reference)"},
}
MESSY_LOANS_EXPECTED = {
    "sheet": "借阅登记簿", "header_row": 4, "rows": 8, "valid": 4, "returned": 3, "open": 1,
    "errors": {9: "lent twice at once (with row 10)", 10: "lent twice at once (with row 9)",
               11: "ref (ZZ-XX-2011-9999: no such item)", 12: "lent_on (2011年13月1日)"},
}
STAFF_CSV_EXPECTED = {
    "rows": 6, "valid": 3,
    "errors": {5: "name (wangfang: a demo user already)", 6: "name (huangwei: twice in the file)",
               7: "roles (boss: no such role)"},
}
KEYS_EXPECTED = {
    "rows": 5, "valid": 3,
    "errors": {5: "tag (K-101: in the demo's register already)", 6: "name (empty)"},
}

_EXCEL_EPOCH = date(1899, 12, 30)


def excel_serial(day: date) -> int:
    """The number Excel stores for a date."""
    return (day - _EXCEL_EPOCH).days


def catalogue_csv(folder: Path, encoding: str = "gb18030", delimiter: str | None = None) -> Path:
    """The eight CATALOGUE files as Excel saves a sheet as CSV: a title row
    (「示例物业服务有限公司档案目录」 followed by empty cells), a blank row, the header on row 3,
    the data on rows 4–12 with a blank row (row 8) among them; the title of row 4 has a line
    break and stray spaces inside its quotes, the reference of row 10 is full-width
    (ＺＢ－ＴＺ－２０１１－０００１), dates written five ways. ``encoding`` is one of
    gb18030 (Excel's "CSV" on a Chinese Windows), utf-8, utf-8-sig (Excel's "CSV UTF-8"),
    utf-16 (Excel's "Unicode text": a BOM, tab-separated unless ``delimiter`` says otherwise).

    A correct import: 8 rows, 8 imported, no errors (CATALOGUE_CSV_EXPECTED)."""
    if delimiter is None:
        delimiter = "\t" if encoding == "utf-16" else ","
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    width = len(CATALOGUE_HEADERS)
    writer.writerow(["示例物业服务有限公司档案目录"] + [""] * (width - 1))
    writer.writerow([""] * width)
    writer.writerow(CATALOGUE_HEADERS)
    for index, row in enumerate(CATALOGUE):
        cells = list(row)
        if index == 0:
            cells[1] = " 关于电梯年度\n维保的通知  "
        if index == 6:
            cells[0] = "ＺＢ－ＴＺ－２０１１－０００１"
        if index == 4:
            writer.writerow([""] * width)
        writer.writerow(cells)
    name = f"档案目录-{encoding}.csv"
    (folder / name).write_bytes(text.getvalue().encode(encoding))
    return folder / name


def messy_catalogue_xlsx(folder: Path) -> Path:
    """档案目录（旧）.xlsx, as an office keeps it:

    - sheet 1 「旧目录（作废）」 is HIDDEN, with a proper header and two old rows (refs
      OLD-0001, OLD-0002): it must not be read unless asked for by name;
    - sheet 2 「填表说明」: instructions, no header;
    - sheet 3 「档案目录」: a title merged over A1:K1, a subtitle on row 2, a blank row 3, a
      two-row header in Traditional characters on rows 4–5: 序号, 檔號, 成文日期, 存放位置, 密級,
      保管期限, 關鍵詞, 備註 each merged over rows 4 and 5, and 「文件信息」 merged over C4:E4 with
      題名, 類別, 部門 below it on row 5. 序号 and 備註 map to no field.
    - rows 6–9 and 11–14: the eight CATALOGUE files, row 10 blank between them; 序号 holds
      =ROW()-5 formulas; row 6's title has stray spaces and a line break; row 7's reference
      is the formula ="GC-BG-"&"2009-0001" (cached value the reference) and its retention
      =10*3 (cached 30); row 8's date is an Excel date cell (2010-01-12), row 9's a raw
      serial number 40269 (2010-04-01); row 12's reference is in full-width letters and
      digits (ＸＺ－ＪＹ－…) and its department ends in a full-width space;
    - row 15 repeats row 14's reference (BJ-ZJ-2011-0001): an error on 檔號 (the later row);
    - row 16: date 2010年13月45日: an error on 成文日期;
    - row 17: reference 「GC TZ#2010/7」: an error on 檔號 (breaks the reference rules);
    - row 18 holds only spaces and a line break: skipped like a blank row.

    A correct import (MESSY_CATALOGUE_EXPECTED): sheet 档案目录, header row 5, 11 rows, errors on
    rows 15, 16 and 17; with only_valid 8 imported and 3 skipped. The cached formula values
    are written into the sheet XML after openpyxl saved it (openpyxl cannot compute them)."""
    workbook = Workbook()
    old = workbook.active
    old.title = "旧目录（作废）"
    old.append(CATALOGUE_HEADERS)
    old.append(("OLD-0001", "作废的目录行", "通知", "工程部"))
    old.append(("OLD-0002", "作废的目录行", "通知", "工程部"))
    old.sheet_state = "hidden"
    notes = workbook.create_sheet("填表说明")
    for line in ("填表说明", "1. 日期请按“年月日”填写。", "2. 存放位置写到盒号。"):
        notes.append((line,))
    sheet = workbook.create_sheet("档案目录")
    sheet.append(("示例物业服务有限公司档案目录",))
    sheet.merge_cells("A1:K1")
    sheet.append(("（2009—2011年度，档案室整理）",))
    sheet.append(())
    sheet.append(("序号", "檔號", "文件信息", None, None, "成文日期", "存放位置", "密級", "保管期限",
                  "關鍵詞", "備註"))
    sheet.append((None, None, "題名", "類別", "部門"))
    sheet.merge_cells("C4:E4")
    for column in "ABFGHIJK":
        sheet.merge_cells(f"{column}4:{column}5")
    cached: dict[str, object] = {}
    for index, (ref, title, kind, dept, day, location, level, years, words) in enumerate(CATALOGUE):
        if index == 4:
            sheet.append(())
        row = 6 + index + (index >= 4)
        cells: list[object] = ["=ROW()-5", ref, title, kind, dept, day, location, level, years,
                               words, ""]
        cached[f"A{row}"] = row - 5
        if index == 0:
            cells[2] = "  关于电梯年度维保\n的通知 "
        if index == 1:
            cells[1], cells[8] = '="GC-BG-"&"2009-0001"', "=10*3"
            cached[f"B{row}"], cached[f"I{row}"] = ref, 30
        if index == 2:
            cells[5] = datetime(2010, 1, 12)
        if index == 3:
            cells[5] = excel_serial(date(2010, 4, 1))
        if index == 5:
            cells[1], cells[4] = "ＸＺ－ＪＹ－２０１１－０００１", "行政人事部\u3000"
        sheet.append(cells)
    sheet.append((None, "BJ-ZJ-2011-0001", "2011年保洁质量工作总结（重复登记）", "总结", "保洁部",
                  "2011/12/30"))
    sheet.append((None, "KF-TZ-2010-0009", "关于停水的通知", "通知", "客服部", "2010年13月45日"))
    sheet.append((None, "GC TZ#2010/7", "关于停电的通知", "通知", "工程部", "2010.7.1"))
    sheet.append((None, "  ", " ", None, "\n"))
    path = folder / "档案目录（旧）.xlsx"
    workbook.save(path)
    set_cached_values(path, "档案目录", cached)
    return path


def set_cached_values(path: Path, sheet: str, values: dict[str, object]) -> None:
    """Give formula cells the value Excel would have cached on saving (openpyxl saves
    formulas with an empty ``<v/>``): rewrites the sheet's XML inside the .xlsx."""
    with zipfile.ZipFile(path) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
        position = re.findall(r"<sheet [^>]*name=\"([^\"]+)\"", workbook_xml).index(sheet)
        member = f"xl/worksheets/sheet{position + 1}.xml"
        contents = {name: archive.read(name) for name in archive.namelist()}
    xml = contents[member].decode()
    for cell, value in values.items():
        kind = "" if isinstance(value, int | float) else ' t="str"'
        pattern = rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?'
        replacement = rf'<c r="{cell}"\1{kind}><f>\2</f><v>{value}</v>'
        xml, count = re.subn(pattern, replacement, xml)
        assert count == 1, f"no formula in {cell}"
    contents[member] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def messy_loans_xlsx(folder: Path) -> Path:
    """借阅登记簿.xlsx, one sheet 「借阅登记簿」: a title on row 1, a note on row 2, a two-row
    header on rows 3–4 (序号, 档号, 借阅人, 借阅单位, 联系电话, 应还日期, 归还日期 merged over both
    rows; 「借阅」 merged over F3:H3 with 日期, 事由, 经手人 below it), so the headers read
    序号, 档号, 借阅人, 借阅单位, 联系电话, 借阅 日期, 事由, 经手人, 应还日期, 归还日期
    (「借阅 日期」 names lent_on only with its group above; 事由 and 经手人 name fields alone).
    The items are the CATALOGUE's: import ``messy_catalogue_xlsx`` or ``catalogue_csv`` first.

    - row 5: GC-TZ-2009-0001 lent to 王芳 (a demo user) 2009/3/10, handled by 周敏 (a user),
      due 2009/3/24, returned 2009年3月20日;
    - row 6: GC-BG-2009-0001 lent to 李明 of 市住建局 (13800138000, an outside borrower)
      on 2009.7.1, handled by 老张 (no such user: the importer handles it, ledger_handler
      老张), returned on an Excel date cell 2009-07-05, no due date;
    - row 7: KF-HJ-2010-0001 lent to 周敏 (a user, by full name) on the Excel serial 40269
      (2010-04-01), returned 2010-04-08;
    - row 8: BA-ZD-2010-0001 lent to 张三 of 街道办 on 24-3-5 (2024-03-05), never returned:
      an open loan, the item on loan afterwards;
    - rows 9 and 10: CW-BG-2010-0001 lent 2011-01-05 → 2011-01-20 and 2011-01-10 →
      2011-01-15: the item lent twice at once, an error on both rows;
    - row 11: ZZ-XX-2011-9999, no such item: an error on 档号;
    - row 12: lent on 2011年13月1日: an error on 借阅日期;
    - row 13 blank, row 14 spaces only: skipped.

    A correct import (MESSY_LOANS_EXPECTED): 8 rows, errors on rows 9–12; with only_valid
    4 imported (3 returned, 1 open)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "借阅登记簿"
    sheet.append(("档案借阅登记簿",))
    sheet.merge_cells("A1:J1")
    sheet.append(("（借阅人签字后方可借出）",))
    sheet.append(("序号", "档号", "借阅人", "借阅单位", "联系电话", "借阅", None, None, "应还日期",
                  "归还日期"))
    sheet.append((None, None, None, None, None, "日期", "事由", "经手人"))
    sheet.merge_cells("F3:H3")
    for column in "ABCDEIJ":
        sheet.merge_cells(f"{column}3:{column}4")
    rows: list[tuple[object, ...]] = [
        ("GC-TZ-2009-0001", "王芳", "", "", "2009/3/10", "核对合同条款", "周敏", "2009/3/24",
         "2009年3月20日"),
        ("GC-BG-2009-0001", "李明", "市住建局", 13800138000, "2009.7.1", "年度检查", "老张", None,
         datetime(2009, 7, 5)),
        ("KF-HJ-2010-0001", " 周敏 ", "", "", excel_serial(date(2010, 4, 1)), "处理业主投诉",
         "周敏", "", "2010-04-08"),
        ("BA-ZD-2010-0001", "张三", "街道办", "13912345678", "24-3-5", "查阅历史记录", "王芳", "",
         ""),
        ("CW-BG-2010-0001", "王芳", "", "", "2011-01-05", "年度审计", "周敏", "", "2011-01-20"),
        ("CW-BG-2010-0001", "李明", "市住建局", "", "2011-01-10", "核对", "周敏", "", "2011-01-15"),
        ("ZZ-XX-2011-9999", "王芳", "", "", "2011-02-01", "核对", "周敏", "", "2011-02-02"),
        ("GC-TZ-2009-0001", "王芳", "", "", "2011年13月1日", "核对", "周敏", "", ""),
    ]
    for number, row in enumerate(rows, 1):
        sheet.append((number, *row))
    sheet.append(())
    sheet.append((None, " ", None, "  "))
    path = folder / "借阅登记簿.xlsx"
    workbook.save(path)
    return path


def staff_csv(folder: Path) -> Path:
    """员工名单.csv in GB18030, header on row 1 (姓名, 用户名, 部门, 电话, 角色), six people:

    - rows 2–4: 吴小明 wuxiaoming 客服部 clerk; 郑丽 zhengli 工程部 "clerk, supervisor"
      (quoted); 黄伟 huangwei 保安部 clerk with no phone — new users;
    - row 5: 王芳 wangfang: the user name is the demo's: an error;
    - row 6: 陈晨 huangwei: the user name twice in the file: an error;
    - row 7: 林涛 lintao 财务部 role 「boss」: no such role: an error.

    A correct import (STAFF_CSV_EXPECTED): 6 rows, errors on rows 5, 6, 7; 3 valid."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerows((
        ("姓名", "用户名", "部门", "电话", "角色"),
        ("吴小明", "wuxiaoming", "客服部", "13912345678", "clerk"),
        ("郑丽", "zhengli", "工程部", "13812345678", "clerk, supervisor"),
        ("黄伟", "huangwei", "保安部", "", "clerk"),
        ("王芳", "wangfang", "客服部", "", "clerk"),
        ("陈晨", "huangwei", "保洁部", "", "clerk"),
        ("林涛", "lintao", "财务部", "13700000000", "boss"),
    ))
    path = folder / "员工名单.csv"
    path.write_bytes(text.getvalue().encode("gb18030"))
    return path


def keys_xlsx(folder: Path) -> Path:
    """钥匙清单.xlsx, header on row 2 under a title (钥匙编号, 名称, 数量, 存放位置, 类别):

    - row 3: K-301 3号楼单元门钥匙, count 2, 钥匙柜 C, key;
    - row 4: K-302 地下车库门禁卡, count 「５」 (full-width), 钥匙柜 C, key;
    - row 5: K-101: the demo's register has it already: an error;
    - row 6: K-303 with no name: an error;
    - row 7: R-05 对讲机 5, count 1.0 (a float as Excel stores it), 充电座, radio.

    A correct import (KEYS_EXPECTED): 5 rows, errors on rows 5 and 6; 3 valid."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "钥匙清单"
    sheet.append(("前台钥匙及物品清单",))
    sheet.append(("钥匙编号", "名称", "数量", "存放位置", "类别"))
    sheet.append(("K-301", "3号楼单元门钥匙", 2, "钥匙柜 C", "key"))
    sheet.append(("K-302", "地下车库门禁卡", "５", "钥匙柜 C", "key"))
    sheet.append(("K-101", "样板间A钥匙", 1, "钥匙柜 A", "key"))
    sheet.append(("K-303", "", 1, "钥匙柜 C", "key"))
    sheet.append(("R-05", "对讲机 5", 1.0, "充电座", "radio"))
    path = folder / "钥匙清单.xlsx"
    workbook.save(path)
    return path


# ------------------------------------------------------------------ big

_KINDS = (("TZ", "通知"), ("ZD", "规章制度"), ("HJ", "函件"), ("ZJ", "总结"), ("BG", "报告"),
          ("JY", "会议纪要"), ("ZF", "政府文件"), ("SC", "手册"))
_DEPTS = (("KF", "客服部"), ("GC", "工程部"), ("BA", "保安部"), ("BJ", "保洁部"), ("CW", "财务部"),
          ("XZ", "行政人事部"), ("ZB", "总经理办公室"))
_TOPICS = ("电梯维保", "消防检查", "绿化养护", "停车管理", "安全巡查", "装修审批", "供水维修",
           "保洁质量", "业主投诉处理", "节日布置", "空调机房", "门禁系统", "监控设备", "车位租赁")


def big_catalogue_xlsx(path: Path, rows: int, seed: int = 16, like_excel: bool = True) -> Path:
    """A catalogue of ``rows`` valid files in one sheet 「档案目录」 (write-only openpyxl): a
    title row, the header on row 2 (CATALOGUE_HEADERS), then the rows: references
    ``{dept}-{kind}-{year}-{seq:04d}`` for the years 2000–2015 (unique; the demo numbers
    none of them), realistic titles, the demo's kinds and departments, dates as Excel date
    cells, locations of the demo's room 档案室01, levels 公开/内部/秘密, retentions.
    A correct import: ``rows`` rows, all imported, no errors.

    ``like_excel`` (the default) then stores it as Excel does (``excel_like``): openpyxl
    writes every text as an inline string and no dimension, which read-only openpyxl reads
    about ten times slower than Excel's shared strings (a Serialisable per cell), and the
    files offices import come from Excel. ``like_excel=False`` keeps openpyxl's file, as the
    app's own exports (services/exports.py) are."""
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("档案目录")
    sheet.append(("示例物业服务有限公司档案目录（2000—2015）",))
    sheet.append(CATALOGUE_HEADERS)
    counters: dict[str, int] = {}
    levels = ("公开",) * 11 + ("内部",) * 8 + ("秘密",)
    for _ in range(rows):
        (kind_code, kind), (dept_code, dept) = rng.choice(_KINDS), rng.choice(_DEPTS)
        year = rng.randint(2000, 2015)
        prefix = f"{dept_code}-{kind_code}-{year}"
        counters[prefix] = counters.get(prefix, 0) + 1
        topic = rng.choice(_TOPICS)
        sheet.append((f"{prefix}-{counters[prefix]:04d}", f"{year}年{dept}{topic}{kind}", kind, dept,
                      datetime(year, rng.randint(1, 12), rng.randint(1, 28)),
                      f"档案室01-{rng.randint(1, 4)}号柜-第{rng.randint(1, 3)}层-0{rng.randint(1, 3)}盒",
                      rng.choice(levels), rng.choice(("", "10", "30", "永久")),
                      " ".join(rng.sample(_TOPICS, 2))))
    workbook.save(path)
    if like_excel:
        excel_like(path, f"A1:{chr(ord('A') + len(CATALOGUE_HEADERS) - 1)}{rows + 2}")
    return path


_INLINE = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>')
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def excel_like(path: Path, dimension: str) -> None:
    """Store a one-sheet openpyxl workbook as Excel would: texts in the shared-string table,
    the sheet's dimension (``A1:I100002``) at its head. Streams the sheet, a row at a time."""
    source = path.with_suffix(".openpyxl.xlsx")
    path.rename(source)
    strings: dict[str, int] = {}

    def shared(match: re.Match[str]) -> str:
        index = strings.setdefault(match.group(3), len(strings))
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with old.open(info) as reader, new.open(info.filename, "w") as writer:
                    pending = ""
                    for block in iter(lambda: reader.read(1 << 20).decode(), ""):
                        pending += block
                        if "<sheetViews>" in pending and dimension:
                            pending = pending.replace("<sheetViews>",
                                                      f'<dimension ref="{dimension}"/><sheetViews>', 1)
                            dimension = ""
                        cut = pending.rfind("</row>") + len("</row>")
                        if cut >= len("</row>"):
                            writer.write(_INLINE.sub(shared, pending[:cut]).encode())
                            pending = pending[cut:]
                    writer.write(_INLINE.sub(shared, pending).encode())
            elif info.filename == "[Content_Types].xml":
                new.writestr(info.filename, old.read(info).decode().replace(
                    "</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                f'ContentType="{_STRINGS_TYPE}"/></Types>'))
            elif info.filename == "xl/_rels/workbook.xml.rels":
                new.writestr(info.filename, old.read(info).decode().replace(
                    "</Relationships>", f'<Relationship Type="{_STRINGS_REL}" '
                                        f'Target="sharedStrings.xml" Id="rIdStrings"/></Relationships>'))
            else:
                new.writestr(info, old.read(info))
        with new.open("xl/sharedStrings.xml", "w") as writer:
            writer.write(f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                         f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
            for text in strings:
                writer.write(f"<si><t>{text}</t></si>".encode())
            writer.write(b"</sst>")
    source.unlink()
