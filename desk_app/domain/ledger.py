"""Reading an office's existing ledgers (issue 16): which fields each kind of ledger has,
how their columns are recognised, and how a cell written by hand in Excel becomes a value.

Pure rules, no file or database: ``services/imports`` reads the files and writes the rows.
Cells arrive as Excel left them (text, numbers, dates, None); every function here either
returns a clean value or raises ``ValidationError`` saying what is wrong with the cell.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desk_app.domain.archive import CONDITION_LABELS, CONDITIONS, Level, Status
from desk_app.domain.clock import parse_day
from desk_app.domain.errors import ValidationError
from desk_app.domain.labelled import LabelledStrEnum
from desk_app.i18n import N_, _, current_language


class LedgerKind(LabelledStrEnum):
    ITEMS = "items", N_("Archive catalogue")
    LOANS = "loans", N_("Loan ledger")
    BORROWERS = "borrowers", N_("Outside borrowers")
    USERS = "users", N_("Staff list")
    KEYS = "keys", N_("Key and equipment list")


@dataclass(frozen=True)
class LedgerField:
    name: str
    label: str  # N_-marked msgid; ``_(field.label)`` shows it
    required: bool
    aliases: tuple[str, ...]  # headers that mean this field, Simplified, Traditional, English


def _f(name: str, label: str, required: bool, *aliases: str) -> LedgerField:
    return LedgerField(name, label, required, (name, *aliases))


FIELDS: dict[LedgerKind, tuple[LedgerField, ...]] = {
    LedgerKind.ITEMS: (
        _f("ref", N_("Reference"), False, "档号", "档案号", "檔號", "檔案號", "案卷号", "案卷號",
           "编号", "編號", "reference", "ref no"),
        _f("title", N_("Title"), True, "题名", "標題", "题目", "標題名稱", "标题", "題名",
           "案卷题名", "案卷題名", "文件名称", "文件名稱", "名称", "名稱"),
        _f("kind", N_("Kind"), True, "类别", "類別", "类型", "類型", "档案类别", "檔案類別",
           "分类", "分類"),
        _f("dept", N_("Department"), True, "部门", "部門", "单位", "單位", "责任部门",
           "責任部門", "立档单位", "立檔單位", "department", "dept"),
        _f("doc_date", N_("Date"), False, "日期", "成文日期", "文件日期", "形成日期", "年度日期",
           "date"),
        _f("location", N_("Location"), False, "存放位置", "位置", "存放地点", "存放地點",
           "库位", "庫位", "location"),
        _f("level", N_("Level"), False, "密级", "密級", "level", "security"),
        _f("retention_years", N_("Retention"), False, "保管期限", "retention",
           "retention years"),
        _f("keywords", N_("Keywords"), False, "关键词", "關鍵詞", "主题词", "主題詞",
           "keywords"),
        # Only "destroyed" is taken from the ledger (parse_item_status); on loan follows the
        # loans imported afterwards.
        _f("status", N_("Status"), False, "状态", "狀態", "status"),
    ),
    LedgerKind.LOANS: (
        _f("ref", N_("Reference"), True, "档号", "档案号", "檔號", "檔案號", "案卷号",
           "reference"),
        _f("borrower", N_("Borrower"), True, "借阅人", "借閱人", "借阅者", "借閱者", "借用人",
           "borrower"),
        _f("lent_on", N_("Lent on"), True, "借阅日期", "借閱日期", "借出日期", "借阅时间",
           "借閱時間", "lent", "lent at", "lent on"),
        _f("purpose", N_("Purpose"), False, "用途", "事由", "借阅事由", "借閱事由", "借阅用途",
           "借閱用途", "purpose"),
        _f("handler", N_("Handled by"), False, "经手人", "經手人", "经办人", "經辦人",
           "handled by", "handler"),
        _f("due_on", N_("Due"), False, "应还日期", "應還日期", "归还期限", "歸還期限", "due",
           "due on"),
        _f("returned_on", N_("Returned on"), False, "归还日期", "歸還日期", "实际归还日期",
           "實際歸還日期", "returned", "returned at", "returned on"),
        _f("contact", N_("Contact"), False, "电话", "電話", "联系电话", "聯繫電話", "联系方式",
           "聯繫方式", "手机", "手機", "contact", "phone"),
        _f("organisation", N_("Organisation"), False, "借阅单位", "借閱單位", "单位", "單位",
           "organisation", "organization"),
        _f("condition", N_("Condition"), False, "归还状况", "歸還狀況", "完好情况", "完好情況",
           "归还情况", "歸還情況", "condition"),
    ),
    LedgerKind.BORROWERS: (
        _f("name", N_("Name"), True, "姓名", "借阅人", "借閱人", "name"),
        _f("contact", N_("Contact"), False, "电话", "電話", "联系电话", "聯繫電話", "联系方式",
           "聯繫方式", "手机", "手機", "contact", "phone"),
        _f("organisation", N_("Organisation"), False, "单位", "單位", "工作单位", "工作單位",
           "organisation", "organization", "company"),
    ),
    LedgerKind.USERS: (
        _f("full_name", N_("Full name"), True, "姓名", "full name"),
        _f("name", N_("User name"), False, "用户名", "用戶名", "账号", "帳號", "登录名",
           "登錄名", "user name", "login"),
        _f("dept", N_("Department"), False, "部门", "部門", "department", "dept"),
        _f("phone", N_("Phone"), False, "电话", "電話", "联系电话", "聯繫電話", "手机", "手機",
           "phone"),
        _f("roles", N_("Roles"), False, "角色", "岗位", "崗位", "roles", "role"),
    ),
    LedgerKind.KEYS: (
        _f("tag", N_("Tag"), True, "钥匙编号", "鑰匙編號", "编号", "編號", "标签", "標籤",
           "tag", "number"),
        _f("name", N_("Name"), True, "名称", "名稱", "钥匙名称", "鑰匙名稱", "name"),
        _f("count", N_("Count"), False, "数量", "數量", "count", "quantity"),
        _f("home", N_("Kept at"), False, "存放位置", "位置", "存放地点", "存放地點", "home",
           "kept at"),
        _f("kind", N_("Kind"), False, "类别", "類別", "类型", "類型", "kind"),
    ),
}


def fields(kind: LedgerKind | str) -> tuple[LedgerField, ...]:
    return FIELDS[LedgerKind(kind)]


def field_names(kind: LedgerKind | str) -> list[str]:
    return [spec.name for spec in fields(kind)]


# ------------------------------------------------------------------ cells

# What a header may carry around its words: a required-field star, a colon, brackets.
_HEADER_NOISE = re.compile(r"[\s*＊:：()（）\[\]【】<>《》_\-.]+")


def clean_text(value: object) -> str:
    """A cell as one line of text: full-width letters, digits and signs made ASCII (NFKC),
    invisible format characters (zero-width space, soft hyphen) dropped, control characters
    and line breaks made spaces, runs of spaces made one, ends trimmed. A whole number Excel
    stored as a float (档号 12 read as 12.0) loses its ``.0``. For codes, references, numbers
    and dates; free text (titles, names) goes through ``clean_free_text``."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value)
        # the usual cell holds no control or format character: only spaces to collapse
        # (looking up every character's category was a third of a large import)
        return " ".join(text.split()) if text.isprintable() else _scrub(text)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value))


# Full-width letters and digits (Ａ, １) and the ideographic space: typed on a Chinese
# keyboard by accident, meant as ASCII. Chinese punctuation (：，（）) is not folded.
_WIDE_ALNUM = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                              *range(0xFF41, 0xFF5B))}
_WIDE_ALNUM[0x3000] = 0x20


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \\t]*[\\r\\n]+\\s*(?=[{_CJK}])")


def clean_free_text(value: object) -> str:
    """A cell of free text (a title, keywords, a name, a purpose) as one line: like
    ``clean_text`` but Chinese punctuation stays as written — 车辆档案：2019（上） is a title,
    and NFKC would make its colon and brackets ASCII."""
    if not isinstance(value, str):
        return clean_text(value)
    text = unicodedata.normalize("NFC", value).translate(_WIDE_ALNUM)
    if text.isprintable():
        return " ".join(text.split())
    # A line break Excel kept inside a Chinese title is where the cell wrapped, not a word
    # break: 关于电梯年度⏎维保的通知 is 关于电梯年度维保的通知 (a space would split 维保 for search).
    return _scrub(_CJK_BREAK.sub("", text))


def _scrub(text: str) -> str:
    text = "".join("" if unicodedata.category(char) == "Cf"
                   else " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char
                   for char in text)
    return " ".join(text.split())


_HEADER_UNIT = re.compile(r"\s*[(\[【][^()\[\]【】]*[)\]】]\s*$")


def header_key(value: object) -> str:
    """A header reduced to what identifies it: 「 档 号* 」, 「档号：」 and 「档号」 match, and a
    unit or note in brackets after it goes (保管期限（年）, 数量(把), 档号(必填))."""
    text = clean_text(value)
    return _HEADER_NOISE.sub("", _HEADER_UNIT.sub("", text) or text).lower()


def _alias_index(kind: LedgerKind | str) -> dict[str, str]:
    return _alias_index_in(LedgerKind(kind), current_language())


@functools.cache
def _alias_index_in(kind: LedgerKind, language: str) -> dict[str, str]:
    """Header key → field; the labels in ``language`` count as headers too."""
    index: dict[str, str] = {}
    for spec in fields(kind):
        for alias in (spec.name, _(spec.label), spec.label, *spec.aliases):
            index.setdefault(header_key(alias), spec.name)
    return index


def header_score(cells: Sequence[object], kind: LedgerKind | str) -> int:
    """How many cells of a row are headers of this kind of ledger (the header row is the
    row scoring highest among the first rows; title rows above it score 0)."""
    index = _alias_index(kind)
    return len({index[key] for key in map(header_key, cells) if key in index})


def guess_mapping(headers: Sequence[object], kind: LedgerKind | str) -> dict[int, str]:
    """Column index → field, for the columns whose header names a field; each field once
    (the leftmost column wins), other columns unmapped."""
    index = _alias_index(kind)
    mapping: dict[int, str] = {}
    for column, header in enumerate(headers):
        field = index.get(header_key(header))
        if field is not None and field not in mapping.values():
            mapping[column] = field
    return mapping


def parse_map_args(args: Sequence[str], kind: LedgerKind | str) -> dict[str, str]:
    """``['借阅人=borrower', 'Column C=purpose']`` → {header: field}; an unknown field or a
    malformed argument raises, naming the argument."""
    known = field_names(kind)
    mapping: dict[str, str] = {}
    for arg in args:
        header, sep, field = arg.rpartition("=")
        header, field = header.strip(), field.strip()
        if not sep or not header:
            raise ValidationError(_("“{arg}”: write a mapping as Column=field.").format(arg=arg),
                                  field="map")
        if field not in known and field != "":
            raise ValidationError(
                _("“{arg}”: no field {field} in this ledger; the fields are {known}.").format(
                    arg=arg, field=field, known=", ".join(known)), field="map")
        mapping[header] = field
    return mapping


# ------------------------------------------------------------------ values

# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in); a ledger's serials lie
# between 1910 and 2199 (a smaller number is more likely a year than a day).
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (3_654, 109_574)  # 1910-01-01 to 2199-12-31: 2024 is a year, not a day
_SHORT_YEAR = re.compile(r"(\d{2})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_WITH_TIME = re.compile(r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?=[ T])|\d{4}年\d{1,2}月\d{1,2}[日号]?)"
                        r"[ T]?\d{1,2}:\d{2}(:\d{2})?(\.\d+)?", re.ASCII)


def parse_ledger_date(value: object, field: str) -> date:
    """A date as ledgers write it: an Excel date or serial number, ``2024-03-05``,
    ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``, ``20240305``, ``24-3-5`` (20xx), with a
    time of day ignored; full-width digits too."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        value = clean_text(value)  # 20240305 stored as a number
    text = clean_text(value)
    timed = _WITH_TIME.fullmatch(text)
    if timed:
        text = timed.group(1)
    short = _SHORT_YEAR.fullmatch(text)
    if short:
        century = "19" if int(short.group(1)) >= 69 else "20"  # as strptime's %y
        text = f"{century}{short.group(1)}-{short.group(3)}-{short.group(4)}"
    return parse_day(text, field)


_LEVELS = {
    "public": Level.PUBLIC, "公开": Level.PUBLIC, "公開": Level.PUBLIC, "普通": Level.PUBLIC,
    "无": Level.PUBLIC, "無": Level.PUBLIC, "非密": Level.PUBLIC,
    "internal": Level.INTERNAL, "内部": Level.INTERNAL, "內部": Level.INTERNAL,
    "限内部": Level.INTERNAL,
    "secret": Level.SECRET, "秘密": Level.SECRET, "机密": Level.SECRET, "機密": Level.SECRET,
    "绝密": Level.SECRET, "絕密": Level.SECRET, "保密": Level.SECRET,
    "personnel": Level.PERSONNEL, "人事": Level.PERSONNEL, "人事档案": Level.PERSONNEL,
    "人事檔案": Level.PERSONNEL,
}


def parse_level(value: object) -> Level:
    """A confidentiality level; an empty cell is public."""
    text = clean_text(value).lower()
    if not text:
        return Level.PUBLIC
    level = _LEVELS.get(text) or _LEVELS.get(text.rstrip("级級"))
    if level is None:
        raise ValidationError(
            _("Unknown level “{text}”: use 公开/public, 内部/internal, 秘密/secret or "
              "人事/personnel.").format(text=text), field="level")
    return level


# 定期30年 and the codes Y, D30, D10: the national standard's terms (DA/T 22)
_YEARS = re.compile(r"(?:定期\s*-?\s*|d)?(\d{1,3})\s*(年|years?|y)?", re.ASCII | re.IGNORECASE)
_NAMED_RETENTION = {"永久": 0, "permanent": 0, "y": 0, "长期": 30, "長期": 30, "短期": 10}


def parse_retention(value: object) -> int | None:
    """Retention in years: empty (the kind's default), 永久/permanent (0), 长期 (30), 短期 (10),
    or a number of years (``30``, ``30年``)."""
    text = clean_text(value)
    if not text:
        return None
    if text.lower() in _NAMED_RETENTION:
        return _NAMED_RETENTION[text.lower()]
    match = _YEARS.fullmatch(text)
    if match is None or int(match.group(1)) > 100:
        raise ValidationError(
            _("Retention “{text}” is not 永久, 长期, 短期 or a number of years up to 100.").format(
                text=text), field="retention_years")
    return int(match.group(1))


def parse_count(value: object, field: str = "count") -> int:
    """A positive whole number (``3``, ``３``, ``3把``); empty is 1."""
    text = clean_text(value)
    if not text:
        return 1
    match = re.fullmatch(r"(\d{1,6})\s*\D{0,2}", text)
    if match is None or int(match.group(1)) < 1:
        raise ValidationError(_("“{text}” is not a count of 1 or more.").format(text=text),
                              field=field)
    return int(match.group(1))


_DESTROYED = {"destroyed", "已销毁", "已銷毀", "销毁", "銷毀"}


def parse_item_status(value: object) -> bool:
    """Whether the ledger marks the file destroyed (the only status a catalogue decides: a
    file is on loan when an open loan says so)."""
    text = clean_text(value).lower()
    return text in _DESTROYED or text == _(Status.DESTROYED.msgid).lower()


_CONDITIONS = {"完好": "good", "良好": "good", "磨损": "worn", "磨損": "worn", "损坏": "damaged",
               "損壞": "damaged", "破损": "damaged", "破損": "damaged", "缺失": "incomplete",
               "不全": "incomplete", "缺页": "incomplete", "缺頁": "incomplete"}


def parse_condition(value: object) -> str | None:
    """The condition a returned file came back in: good, worn, damaged, incomplete — as a
    code, its label in the current language or the usual Chinese words; empty: None."""
    text = clean_text(value).lower()
    if not text:
        return None
    if text in CONDITIONS:
        return text
    labels = {_(label).lower(): code for code, label in CONDITION_LABELS.items()}
    found = labels.get(text) or _CONDITIONS.get(text)
    if found is None:
        raise ValidationError(_("Unknown condition “{text}”: use 完好/good, 磨损/worn, "
                                "损坏/damaged or 缺失/incomplete.").format(text=text),
                              field="condition")
    return found


# ------------------------------------------------------------------ locations

LOCATION_SEPARATORS = ("›", ">", "/", "\\", "-", "|")
MAX_LOCATION_LEVELS = 4  # room › cabinet › shelf › box (domain.archive.LOCATION_LEVELS)


def parse_location(value: object, separator: str | None = None) -> list[str]:
    """``档案室02-2号柜-3层-03盒`` or ``档案室02/2号柜/3/03`` → the names from room to box.
    Without a separator the first of › > / \\ - | the text contains splits it."""
    text = clean_text(value)
    if not text:
        return []
    if separator is None:
        separator = next((sep for sep in LOCATION_SEPARATORS if sep in text), "")
    parts = [part.strip() for part in text.split(separator)] if separator else [text]
    if any(not part for part in parts):
        raise ValidationError(_("Location “{text}” has an empty level.").format(text=text),
                              field="location")
    if len(parts) > MAX_LOCATION_LEVELS:
        raise ValidationError(
            _("Location “{text}” has {count} levels; at most room, cabinet, shelf and box.")
            .format(text=text, count=len(parts)), field="location")
    return parts
