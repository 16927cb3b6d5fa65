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


@functools.lru_cache(maxsize=65536)
def _segments(text: str, style_name: str) -> tuple[str, ...]:
    pypinyin = _pypinyin()
    style = getattr(pypinyin.Style, style_name)
    return tuple(pypinyin.lazy_pinyin(text, style=style, errors="default"))


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
