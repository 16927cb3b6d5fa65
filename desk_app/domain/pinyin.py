"""Pinyin for sorting and finding Chinese text (R1: alphabetical order means pinyin order).

A clerk finds 张伟 by ``zhangwei`` or ``zw`` and expects lists sorted 陈, 李, 王, 张 — not by
code point. Stored keys (``sort_key``, ``search_key``) go into indexed columns so both SQLite
and PostgreSQL sort and search the same way without a database collation.

pypinyin costs ~170 ms to import, so it is imported on first use, never at start-up.
"""

from __future__ import annotations

import functools
import re
from typing import Any

SORT_KEY_LENGTH = 200
_SPACES = re.compile(r"\s+")


@functools.cache
def _pypinyin() -> Any:
    import pypinyin

    return pypinyin


@functools.cache
def _simple_seg() -> Any:
    from pypinyin.seg.simpleseg import simple_seg

    return simple_seg


@functools.lru_cache(maxsize=65536)
def _piece(piece: str, style_name: str) -> tuple[str, ...]:
    pypinyin = _pypinyin()
    style = getattr(pypinyin.Style, style_name)
    return tuple(pypinyin.lazy_pinyin(piece, style=style, errors="default"))


@functools.lru_cache(maxsize=65536)
def _segments(text: str, style_name: str) -> tuple[str, ...]:
    """pypinyin's own first step splits text into runs of Chinese and of other characters and
    reads each run alone; reading the runs through a cache gives the same result, and the
    runs of a register's titles repeat (关于, 年度, 合同 …): an import of 100,000 titles
    pays pypinyin once per distinct run, not per title."""
    return tuple(part for piece in _simple_seg()(text) for part in _piece(piece, style_name))


def syllables(text: str) -> list[str]:
    """Toneless pinyin of each Chinese character; other text kept as it is, lower case."""
    return [s.strip().lower() for s in _segments(text, "NORMAL") if s.strip()]


def sort_key(text: str) -> str:
    """A key that sorts Chinese by pinyin (tone as tie-break) and other text by letters.

    张伟 → ``zhang1 wei3``; mixed text keeps digits and Latin letters, lower-cased."""
    parts = [_SPACES.sub(" ", s).strip().lower() for s in _segments(text, "TONE3")]
    return " ".join(p for p in parts if p)[:SORT_KEY_LENGTH]


def initials(text: str) -> str:
    """First letters: 张伟 → ``zw``; other text kept whole (ZW Co → ``zwco``)."""
    return "".join(_SPACES.sub("", s).lower() for s in _segments(text, "FIRST_LETTER"))


def search_key(text: str) -> str:
    """What a lookup matches against: full pinyin and initials, no spaces (``zhangwei zw``)."""
    full = "".join(_SPACES.sub("", s).lower() for s in _segments(text, "NORMAL"))
    return f"{full} {initials(text)}"


def matches(query: str, text: str) -> bool:
    """Whether ``query`` finds ``text``: a part of it, of its pinyin, or of its initials."""
    needle = _SPACES.sub("", query).lower()
    if not needle:
        return True
    if needle in _SPACES.sub("", text).lower():
        return True
    return any(needle in key for key in search_key(text).split(" "))


# People: a surname's reading differs from the character's everyday one (曾 is zeng, not
# ceng; 单 shan, 仇 qiu …), so names sort and are found as people say them.
SURNAMES: dict[str, str] = {
    "曾": "zeng1", "单": "shan4", "單": "shan4", "仇": "qiu2", "解": "xie4", "区": "ou1",
    "區": "ou1", "查": "zha1", "朴": "piao2", "樸": "piao2", "覃": "qin2", "翟": "zhai2",
    "盖": "ge3", "蓋": "ge3", "乐": "yue4", "樂": "yue4", "任": "ren2", "华": "hua4",
    "華": "hua4", "纪": "ji3", "紀": "ji3", "宁": "ning4", "寧": "ning4", "缪": "miao4",
    "繆": "miao4", "种": "chong2", "種": "chong2", "秘": "bi4", "召": "shao4", "员": "yun4",
    "員": "yun4", "阚": "kan4", "闞": "kan4", "黑": "he4", "尉": "yu4", "长": "zhang3",
    "長": "zhang3", "都": "du1", "薄": "bo2", "过": "guo1", "過": "guo1", "繁": "po2",
    "重": "chong2", "万": "wan4", "萬": "wan4",
}


def _with_surname(name: str, style_name: str) -> list[str]:
    name = name.strip()
    reading = SURNAMES.get(name[:1])
    if reading is None:
        return list(_segments(name, style_name))
    first = {"TONE3": reading, "NORMAL": reading.rstrip("12345"),
             "FIRST_LETTER": reading[0]}[style_name]
    return [first, *_segments(name[1:], style_name)] if name[1:] else [first]


def name_sort_key(name: str) -> str:
    """``sort_key`` for a person's name, the surname read as a surname (曾 → zeng)."""
    parts = [_SPACES.sub(" ", s).strip().lower() for s in _with_surname(name, "TONE3")]
    return " ".join(p for p in parts if p)[:SORT_KEY_LENGTH]


def name_search_key(name: str) -> str:
    """``search_key`` for a person's name: 曾明 → ``zengming zm``."""
    full = "".join(_SPACES.sub("", s).lower() for s in _with_surname(name, "NORMAL"))
    first = "".join(_SPACES.sub("", s).lower() for s in _with_surname(name, "FIRST_LETTER"))
    return f"{full} {first}"


def name_matches(query: str, name: str) -> bool:
    """``matches`` for a person's name (the surname reading included)."""
    needle = _SPACES.sub("", query).lower()
    return matches(query, name) or any(needle in key for key in name_search_key(name).split(" "))
