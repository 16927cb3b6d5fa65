"""The demo catalogue's rows: 5,000 files per scale, made a batch at a time.

Each column's random values of a batch are drawn in one ``random.choices`` call (from the
same seeded generator, so the demo stays the same from run to run), and what repeats is
worked out once: a title without a name, with its pinyin key and search tokens; the head of a
named title (``业户档案：12栋1203``) and each name; a reference's prefix; a review date.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from itertools import product
from typing import TYPE_CHECKING

from desk_app.demo.prefetch import ahead
from desk_app.domain.archive import format_ref, personnel_prefix, personnel_ref, ref_prefix
from desk_app.domain.pinyin import SORT_KEY_LENGTH, sort_key
from desk_app.domain.retention import review_on
from desk_app.store import search
from desk_app.store.archive import SEALED_TITLE, Department, Item, Kind
from desk_app.store.db import is_postgresql

if TYPE_CHECKING:
    from desk_app.demo.archive import _Writer

TOPICS = ("电梯维保", "消防检查", "绿化养护", "停车管理", "安全巡查", "装修审批", "供水维修",
          "保洁质量", "业主投诉处理", "节日布置", "空调机房", "门禁系统", "监控设备", "车位租赁",
          "费用收缴", "应急演练", "垃圾分类", "外墙清洗", "二次供水", "配电房")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红梅鑫斌宇浩凯慧晶佳琳"
# A surname and one or two given characters, one or two as likely: each two-character given
# name is listed once, each one-character given name as often as there are given characters.
NAMES = tuple(surname + given for surname in SURNAMES
              for given in [*GIVEN * len(GIVEN), *map("".join, product(GIVEN, repeat=2))])
_LEVELS, _LEVEL_CUM_WEIGHTS = ("public", "internal", "secret", "personnel"), (55, 93, 98, 100)
_OWNER, _VEHICLE = "业户档案", "车辆档案"  # kinds whose titles name a person
_OWNER_HEADS = tuple(f"{_OWNER}：{block}栋{floor}{flat:02d}" for block in range(1, 31)
                     for floor in range(1, 33) for flat in range(1, 5))
_VEHICLE_HEAD, _PLATES = f"{_VEHICLE}：粤B·", range(10000, 100000)
_KEYWORDS = tuple(f"{first} {second}" for first in TOPICS for second in TOPICS
                  if first != second)  # as " ".join(random.sample(TOPICS, 2))
_RETENTIONS = (None, 3, 5, 10, 30)
_DAYS = tuple((month, day) for month in range(1, 13) for day in range(1, 29))

_HANS = re.compile(r"([\u3400-\u9fff]+)")
_WORDS = re.compile(r"[0-9a-z]+")  # domain.search's tokens of ASCII text


@functools.lru_cache(maxsize=4096)
def _hans_key(run: str) -> str:
    return sort_key(run)


def _key_text(text: str) -> str:
    """``sort_key(text)`` before it is cut to length: pypinyin reads each Chinese run alone
    (as sort_key does: a name's run as a phrase, 高丽 gao1 li2), the other characters between
    need no pypinyin."""
    keys: list[str] = []
    for index, run in enumerate(_HANS.split(text)):
        keys.append(_hans_key(run) if index % 2 else " ".join(run.split()).lower())
    return " ".join(key for key in keys if key)


def title_key(title: str) -> str:
    """``domain.pinyin.sort_key(title)`` for the demo's titles, fast.
    tests/services/test_archive_edit.py checks it equals sort_key on the demo's titles."""
    return _key_text(title)[:SORT_KEY_LENGTH]


@functools.lru_cache(maxsize=1 << 17)
def _part(text: str) -> tuple[str, tuple[str, ...]]:
    """The key text and the search tokens of a part of a title that repeats (a name, the
    head of an owner's file: some 80,000 in all)."""
    return _key_text(text), tuple(search.tokens_for(text))


def _plate(plate: int) -> tuple[str, str, tuple[str, ...]]:
    """The head of a vehicle's file, its key text and tokens. The fixed part ends in "·"
    (neither letter, digit, space nor Chinese): in the key the plate's digits follow it as
    they are, and they are a token of their own."""
    key, tokens = _part(_VEHICLE_HEAD)
    return f"{_VEHICLE_HEAD}{plate}", f"{key}{plate}", (*tokens, str(plate))


def _named(head: tuple[str, str, tuple[str, ...]],
           name: str) -> tuple[str, str, tuple[str, ...]]:
    """Title, key and tokens of ``head name``: a space parts them, so no pinyin run and no
    token spans it — each is the head's followed by the name's."""
    name_key, name_tokens = _part(name)
    return (f"{head[0]} {name}", f"{head[1]} {name_key}"[:SORT_KEY_LENGTH],
            head[2] + name_tokens)


@functools.lru_cache(maxsize=65536)
def _part_tokens(text: str) -> tuple[str, ...]:
    return tuple(search.tokens_for(text))


def _ref_tokens(ref: str) -> list[str]:
    return _WORDS.findall(ref.lower()) if ref.isascii() else search.tokens_for(ref)


def _tokens(ref: str, *parts: tuple[str, ...]) -> str:
    """The search index's tokens of a file that is not a personnel file, as
    ``search.tokens_for(search.item_text(…))`` makes them, from its parts: no token spans the
    space between two parts, so the text's tokens are the parts' tokens in turn without
    repeats; the parts but the reference repeat, so each is folded and split once, and a
    reference in ASCII needs no folding but lower case. tests/services/test_demo_data.py
    checks it on every file of the demo."""
    own = _ref_tokens(ref)
    for part in parts:
        own.extend(part)
    return " ".join(dict.fromkeys(own))


class Items:
    """The catalogue: files of every kind, department, year and level. Kinds and
    departments are read once into plain tuples."""

    COLUMNS = ("id", "ref", "title", "title_key", "kind_id", "dept_id", "doc_date", "keywords",
               "location_id", "level", "retention_years", "status", "created_at", "created_by_id",
               "review_on")

    def __init__(self, writer: _Writer, rng: random.Random, now: datetime, clerk_id: int,
                 locations: list[int], ref_pattern: str) -> None:
        self.writer, self.rng, self.now, self.clerk_id = writer, rng, now, clerk_id
        self.locations, self.ref_pattern = locations, ref_pattern
        self.kinds = [(kind.id, kind.code, kind.name, kind.loan_days)
                      for kind in Kind.select().order_by(Kind.id)]
        self.depts = [(dept.id, dept.code, dept.name)
                      for dept in Department.select().order_by(Department.id)]
        self.years = range(now.year - 8, now.year + 1)
        # Dates as the driver's adapters write them (isoformat), each made once; the review
        # date is the one services/retention_queries.refresh_review_dates gives a file of a
        # year kept so many years (demo/retention.py relies on it).
        self.dates = {year: [date(year, month, day).isoformat() for month, day in _DAYS]
                      for year in self.years}
        self.reviews = {(year, years): review and review.isoformat() for year in self.years
                        for years in _RETENTIONS for review in [review_on(year, None, years)]}
        self.counters: dict[str, int] = {}  # reference prefix → last number
        self.prefixes: dict[tuple[str, str, int], str] = {}
        # (year, department, topic, kind) → title, key and tokens of a title without a name
        self.titles: dict[tuple[int, str, str, str], tuple[str, str, tuple[str, ...]]] = {}
        self.sealed_key = sort_key(SEALED_TITLE)  # never the key of the sealed title (R6)
        self.sqlite = not is_postgresql(writer.db)

    def insert(self, count: int, batch: int,
               progress: Callable[[str], None] | None) -> list[tuple[int, int]]:
        """Returns (id, loan days) of the files that may be lent (public and internal)."""
        first = (Item.select(Item.id).order_by(Item.id.desc()).scalar() or 0) + 1
        loan_days = {kind[0]: kind[3] for kind in self.kinds}
        lendable: list[tuple[int, int]] = []
        def made() -> Iterator[tuple[list[tuple], list[tuple[int, str]]]]:
            for start in range(0, count, batch):
                yield self.rows(first + start, min(batch, count - start))

        with search.bulk_insert():
            for rows, texts in ahead(made, self.rng, count,
                                     kept=lambda: self.counters, restore=self._counted):
                self.writer.insert("item", self.COLUMNS, rows)
                if self.sqlite:  # the tokens straight into the new items' rows of the index
                    search.insert_tokens(texts)
                else:
                    search.upsert(texts)
                lendable += [(row[0], loan_days[row[4]]) for row in rows
                             if row[9] in ("public", "internal")]
                if progress:
                    progress(f"items {rows[-1][0] - first + 1}/{count}")
        return lendable

    def _counted(self, counters: dict[str, int]) -> None:
        """The reference series' last numbers, as the rows were made (demo/prefetch.py)."""
        self.counters = counters

    def rows(self, first: int, count: int) -> tuple[list[tuple], list[tuple[int, str]]]:
        """``count`` item rows from the id ``first`` on, and each one's search text (SQLite:
        its index tokens). Every column is drawn for every row, whether the row uses it or
        not (a name only for the files that name a person, a plate only for vehicles'):
        13 calls a batch instead of ten draws a row."""
        choices = self.rng.choices
        columns = zip(range(first, first + count), choices(self.kinds, k=count),
                      choices(self.depts, k=count), choices(self.years, k=count),
                      choices(_LEVELS, cum_weights=_LEVEL_CUM_WEIGHTS, k=count),
                      choices(TOPICS, k=count), choices(_KEYWORDS, k=count),
                      choices(range(len(_DAYS)), k=count), choices(self.locations, k=count),
                      choices(_RETENTIONS, k=count), choices(NAMES, k=count),
                      choices(_OWNER_HEADS, k=count), choices(_PLATES, k=count), strict=True)
        rows: list[tuple] = []
        texts: list[tuple[int, str]] = []
        counters, prefixes, titles = self.counters, self.prefixes, self.titles
        dates, reviews = self.dates, self.reviews
        pattern, clerk_id, sqlite = self.ref_pattern, self.clerk_id, self.sqlite
        now = self.now.isoformat(" ")
        for (item_id, (kind_id, kind_code, kind, _days), (dept_id, dept_code, dept), year, level,
             topic, keywords, day, location, years, name, owner, plate) in columns:
            if level == "personnel":
                # Their own series (R6); stored in clear here, sealed by the personnel
                # officer's first look at them (services/personnel.py).
                prefix = personnel_prefix(year)
                counters[prefix] = number = counters.get(prefix, 0) + 1
                ref = personnel_ref(year, number)
                title, key = f"员工档案：{name}（{dept}）", self.sealed_key
                text = search.item_text(ref, title, keywords, dept, kind, level)
                if sqlite:  # the reference and the sealed marker
                    text = " ".join(search.tokens_for(text))
            else:
                prefix = prefixes.get((dept_code, kind_code, year)) or prefixes.setdefault(
                    (dept_code, kind_code, year), ref_prefix(pattern, dept_code, kind_code, year))
                counters[prefix] = number = counters.get(prefix, 0) + 1
                ref = format_ref(pattern, dept_code, kind_code, year, number)
                if kind == _OWNER:
                    title, key, tokens = _named((owner, *_part(owner)), name)
                elif kind == _VEHICLE:
                    title, key, tokens = _named(_plate(plate), name)
                else:
                    made = titles.get((year, dept, topic, kind))
                    if made is None:
                        title = f"{year}年{dept}{topic}{kind}"
                        made = titles[year, dept, topic, kind] = (
                            title, title_key(title), _part_tokens(title))
                    title, key, tokens = made
                if sqlite:
                    text = _tokens(ref, tokens, _part_tokens(keywords),
                                   _part_tokens(f"{dept} {kind}"))
                else:  # store.search makes the index's row of the text
                    text = search.item_text(ref, title, keywords, dept, kind, level)
            rows.append((item_id, ref, title, key, kind_id, dept_id, dates[year][day], keywords,
                         location, level, years, "available", now, clerk_id, reviews[year, years]))
            texts.append((item_id, text))
        return rows, texts
