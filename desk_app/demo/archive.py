"""Demo archive and loans: realistic, seeded, and fast enough for 500,000 items and
1,000,000 loans (``desk-app demo --scale 100``): rows go in through the driver's
``executemany`` in large transactions, not one peewee call per row, and on SQLite the
tables' secondary indexes are built once after the load (``bulk_load``)."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import peewee

from desk_app.domain import search as domain_search
from desk_app.domain.archive import (
    DEFAULT_REF_PATTERN,
    format_ref,
    personnel_prefix,
    personnel_ref,
    ref_prefix,
    ref_series,
)
from desk_app.domain.pinyin import SORT_KEY_LENGTH, sort_key
from desk_app.domain.retention import review_on
from desk_app.domain.users import Actor
from desk_app.services.base import Context, Transaction
from desk_app.services.borrowers import pinyin_keys
from desk_app.store import search
from desk_app.store.archive import SEALED_TITLE, Borrower, Department, Item, Kind, Location
from desk_app.store.backup import reset_sequences
from desk_app.store.db import is_postgresql
from desk_app.store.models import NumberCounter, User

ITEMS_PER_SCALE = 5_000
LOANS_PER_SCALE = 10_000
BATCH = 20_000
BULK_CACHE_KIB = 512 * 1024  # SQLite's page cache while the catalogue goes in
BULK_TABLES = ("item", "loan_slip", "loan")  # whose indexes are built after the load

_TOPICS = ("电梯维保", "消防检查", "绿化养护", "停车管理", "安全巡查", "装修审批", "供水维修",
           "保洁质量", "业主投诉处理", "节日布置", "空调机房", "门禁系统", "监控设备", "车位租赁",
           "费用收缴", "应急演练", "垃圾分类", "外墙清洗", "二次供水", "配电房")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
_GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红梅鑫斌宇浩凯慧晶佳琳"
_COMPANIES = ("市住建局", "街道办", "消防大队", "电梯维保公司", "审计事务所", "律师事务所", "业委会")
_PURPOSES = ("核对合同条款", "准备业主大会材料", "年度审计", "处理业主投诉", "工程验收", "查阅历史记录",
             "培训学习", "对外报送", "复印存档（已登记）", "政府检查")
_LEVELS, _LEVEL_CUM_WEIGHTS = ("public", "internal", "secret", "personnel"), (55, 93, 98, 100)
_NAMED = ("业户档案", "车辆档案")  # kinds whose titles name a person
_RETENTIONS = (None, 3, 5, 10, 30)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _title(rng: random.Random, kind: str, dept: str, year: int) -> str:
    if kind == _NAMED[0]:
        return f"业户档案：{rng.randint(1, 30)}栋{rng.randint(1, 32)}{rng.randint(1, 4):02d} {_name(rng)}"
    if kind == _NAMED[1]:
        return f"车辆档案：粤B·{rng.randint(10000, 99999)} {_name(rng)}"
    return f"{year}年{dept}{rng.choice(_TOPICS)}{kind}"


_HANS = re.compile(r"([\u3400-\u9fff]+)")


@functools.lru_cache(maxsize=4096)
def _hans_key(run: str) -> str:
    return sort_key(run)


def title_key(title: str) -> str:
    """``domain.pinyin.sort_key(title)`` for the demo's titles, fast: pypinyin reads each
    Chinese run once (the topics repeat; a short run — a name — is read per character, whose
    pinyin in these names is the same), the digits and letters between need no pypinyin.
    tests/services/test_archive_edit.py checks it equals sort_key on the demo's titles."""
    keys: list[str] = []
    for index, run in enumerate(_HANS.split(title)):
        if index % 2:
            keys.extend(_hans_key(char) for char in run) if len(run) <= 3 else keys.append(
                _hans_key(run))
        else:
            keys.append(" ".join(run.split()).lower())
    return " ".join(key for key in keys if key)[:SORT_KEY_LENGTH]


@functools.lru_cache(maxsize=65536)
def _part_tokens(text: str) -> tuple[str, ...]:
    return tuple(search.tokens_for(text))


def index_tokens(ref: str, title: str, keywords: str, dept: str, kind: str) -> str:
    """The search index's tokens of an item that is not a personnel file, as
    ``search.tokens_for(search.item_text(…))`` makes them, from its parts: no token spans the
    space between two parts, so the text's tokens are the parts' tokens in turn without
    repeats; the parts but the reference repeat (titles, keyword pairs, departments and
    kinds), so each is folded and split once, and a reference in ASCII needs no folding
    but lower case. tests/services/test_demo_data.py checks it."""
    own = domain_search.index_tokens(ref.lower()) if ref.isascii() else search.tokens_for(ref)
    return " ".join(dict.fromkeys([*own, *_part_tokens(title), *_part_tokens(keywords),
                                   *_part_tokens(f"{dept} {kind}")]))


@contextmanager
def page_cache(db: peewee.Database) -> Iterator[None]:
    """SQLite: a page cache of ``BULK_CACHE_KIB`` for this connection while the demo writes
    (the default 2 MB makes a large transaction spill and re-read its pages), the
    connection's own size back afterwards. On PostgreSQL it does nothing."""
    if is_postgresql(db):
        yield
        return
    cache_size = int(db.execute_sql("PRAGMA cache_size").fetchone()[0])
    db.execute_sql(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA cache_size = {cache_size}")


@contextmanager
def bulk_load(db: peewee.Database, tables: tuple[str, ...]) -> Iterator[None]:
    """Inside a write transaction on SQLite: drop the secondary indexes of ``tables`` and
    build them again, from their own SQL, when the block is done — one sort per index instead
    of a B-tree insert per row — with a large page cache. An error in the block rolls the
    transaction back, indexes included. On PostgreSQL it does nothing."""
    if is_postgresql(db):
        yield
        return
    marks = ", ".join("?" * len(tables))
    indexes = db.execute_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY rowid", tables).fetchall()
    with page_cache(db):
        for name, _sql in indexes:
            db.execute_sql(f'DROP INDEX "{name}"')
        yield
        for _name, sql in indexes:
            db.execute_sql(sql)


class _Writer:
    """executemany through the raw connection, with the placeholder of the dialect."""

    def __init__(self, ctx: Context) -> None:
        self.db = ctx.db
        self.param = "%s" if is_postgresql(ctx.db) else "?"

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join([self.param] * len(columns))
            names = ", ".join(columns)
            self.db.cursor().executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def generate_archive(ctx: Context, tx: Transaction, actor: Actor, rng: random.Random, scale: int,
                     progress: Callable[[str], None] | None = None,
                     ref_pattern: str = DEFAULT_REF_PATTERN) -> dict[str, int]:
    """Locations, items and years of loans. Runs inside the caller's write transaction.
    References are made by the functions the archive numbers new files with (the same
    pattern, width and no suffix), and each series' counter is left at its last number, so
    the next file registered continues the series."""
    writer = _Writer(ctx)
    now = tx.at
    clerk = User.get_or_none(User.name == "wangfang") or User.select().order_by(User.id).first()
    clerk_id = actor.user_id or clerk.id
    locations = _locations(ctx, tx, rng, scale)
    item_count = ITEMS_PER_SCALE * scale
    with bulk_load(ctx.db, BULK_TABLES):
        items = _Items(writer, rng, now, clerk_id, locations, ref_pattern).insert(item_count,
                                                                                  progress)
        borrowers = _borrowers(writer, rng, scale, now)
        loans = _loans(ctx, writer, rng, items, borrowers, clerk_id, now,
                       LOANS_PER_SCALE * scale, progress)
    if is_postgresql(ctx.db):
        reset_sequences(ctx.db)  # ids were given explicitly
    ctx.db.execute_sql("ANALYZE")  # planner statistics for the new volume
    return {"items": item_count, "loans": loans, "borrowers": len(borrowers)}


class _Items:
    """The catalogue: files of every kind, department, year and level. Kinds and
    departments are read once into plain tuples; what repeats (a reference's prefix, a title
    without a name, the tokens of a title) is worked out once."""

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
        self.counters: dict[str, int] = {}  # reference prefix → last number
        self.prefixes: dict[tuple[str, str, int], str] = {}
        self.title_keys: dict[str, str] = {}  # of the titles without a name, which repeat
        self.sealed_key = sort_key(SEALED_TITLE)  # never the key of the sealed title (R6)
        self.sqlite = not is_postgresql(writer.db)

    def insert(self, count: int, progress: Callable[[str], None] | None) -> list[tuple[int, int]]:
        """Returns (id, loan days) of the files that may be lent (public and internal)."""
        first = (Item.select(Item.id).order_by(Item.id.desc()).scalar() or 0) + 1
        loan_days = {kind[0]: kind[3] for kind in self.kinds}
        lendable: list[tuple[int, int]] = []
        for start in range(0, count, BATCH):
            rows = [self._row(item_id) for item_id in
                    range(first + start, first + min(start + BATCH, count))]
            self.writer.insert("item", self.COLUMNS, [row for row, _text in rows])
            self._index(rows)
            lendable += [(row[0], loan_days[row[4]]) for row, _text in rows
                         if row[9] in ("public", "internal")]
            if progress:
                progress(f"items {min(start + BATCH, count)}/{count}")
        _continue_series(self.counters)
        return lendable

    def _row(self, item_id: int) -> tuple[tuple, str]:
        """The item's row and its search text (SQLite: its index tokens)."""
        rng, now, counters = self.rng, self.now, self.counters
        kind_id, kind_code, kind, _days = rng.choice(self.kinds)
        dept_id, dept_code, dept = rng.choice(self.depts)
        year = rng.randint(now.year - 8, now.year)
        level = rng.choices(_LEVELS, cum_weights=_LEVEL_CUM_WEIGHTS)[0]
        if level == "personnel":
            # Their own series (R6); stored in clear here, sealed by the personnel
            # officer's first look at them (services/personnel.py).
            prefix = personnel_prefix(year)
            counters[prefix] = counters.get(prefix, 0) + 1
            ref = personnel_ref(year, counters[prefix])
            title = f"员工档案：{_name(rng)}（{dept}）"
            key = self.sealed_key
        else:
            prefix = self.prefixes.get((dept_code, kind_code, year)) or self.prefixes.setdefault(
                (dept_code, kind_code, year), ref_prefix(self.ref_pattern, dept_code, kind_code,
                                                         year))
            counters[prefix] = counters.get(prefix, 0) + 1
            ref = format_ref(self.ref_pattern, dept_code, kind_code, year, counters[prefix])
            title = _title(rng, kind, dept, year)
            key = self.title_keys.get(title) or title_key(title)
            if kind not in _NAMED:
                self.title_keys[title] = key
        keywords = " ".join(rng.sample(_TOPICS, 2))
        doc_date = date(year, rng.randint(1, 12), rng.randint(1, 28))
        location, years = rng.choice(self.locations), rng.choice(_RETENTIONS)
        # the review date services/retention_queries.refresh_review_dates gives a file kept
        # ``years`` (demo/retention.py relies on it)
        row = (item_id, ref, title, key, kind_id, dept_id, doc_date, keywords, location, level,
               years, "available", now, self.clerk_id, review_on(year, None, years))
        if not self.sqlite:  # store.search makes the index's row of the text
            return row, search.item_text(ref, title, keywords, dept, kind, level)
        if level == "personnel":  # the reference and the sealed marker
            return row, " ".join(search.tokens_for(search.item_text(ref, title, keywords, dept,
                                                                    kind, level)))
        return row, index_tokens(ref, title, keywords, dept, kind)

    def _index(self, rows: list[tuple[tuple, str]]) -> None:
        """The search index: on SQLite the tokens straight into the FTS table, in id order
        (the new items have no rows there to replace), on PostgreSQL through store.search."""
        if self.sqlite:
            self.writer.insert("item_fts", ("rowid", "tokens"),
                               [(row[0], tokens) for row, tokens in rows])
        else:
            search.upsert((row[0], text) for row, text in rows)


def _continue_series(counters: dict[str, int]) -> None:
    """The counters of the reference series the demo used (store.numbers), at its last
    numbers: the series key is the one services/archive.py draws from."""
    rows = [{"series": ref_series(prefix), "value": last} for prefix, last in counters.items()]
    for start in range(0, len(rows), 500):
        (NumberCounter.insert_many(rows[start:start + 500])
         .on_conflict(conflict_target=[NumberCounter.series],
                      update={NumberCounter.value: peewee.EXCLUDED.value}).execute())


def _locations(ctx: Context, tx: Transaction, rng: random.Random, scale: int) -> list[int]:
    boxes = []
    for room_no in range(1, 3 + min(scale, 20)):
        room = Location.create(name=f"档案室{room_no:02d}", level="room", path=f"档案室{room_no:02d}")
        for cabinet_no in range(1, 5):
            cabinet = Location.create(parent=room, name=f"{cabinet_no}号柜", level="cabinet",
                                      path=f"{room.path} › {cabinet_no}号柜")
            for shelf_no in range(1, 4):
                shelf = Location.create(parent=cabinet, name=f"第{shelf_no}层", level="shelf",
                                        path=f"{cabinet.path} › 第{shelf_no}层")
                for box_no in range(1, 4):
                    box = Location.create(parent=shelf, name=f"{box_no:02d}盒", level="box",
                                          path=f"{shelf.path} › {box_no:02d}盒")
                    boxes.append(box.id)
    return boxes


def _borrowers(writer: _Writer, rng: random.Random, scale: int, now: datetime) -> list[int]:
    """The first 200 active users as borrowers, and ``100 * scale`` people from outside (in
    bulk, their ids given)."""
    ids = []
    for user in User.select().where(User.active == True).order_by(User.id).limit(200):  # noqa: E712
        person = Borrower.get_or_none(Borrower.user == user.id) or Borrower.create(
            user=user.id, name=user.full_name or user.name, created_at=now,
            **pinyin_keys(user.full_name or user.name))
        ids.append(person.id)
    first = (Borrower.select(peewee.fn.MAX(Borrower.id)).scalar() or 0) + 1
    rows = []
    for person_id in range(first, first + 100 * scale):
        name = _name(rng)
        contact, organisation = f"13{rng.randint(100000000, 999999999)}", rng.choice(_COMPANIES)
        keys = pinyin_keys(name)
        rows.append((person_id, name, contact, organisation, now, keys["search_key"],
                     keys["sort_key"]))
    for start in range(0, len(rows), BATCH):
        writer.insert("borrower", ("id", "name", "contact", "organisation", "created_at",
                                   "search_key", "sort_key"), rows[start:start + BATCH])
    return ids + [row[0] for row in rows]


SLIP_COLUMNS = ("id", "number", "borrower_id", "purpose", "handler_id", "lent_at", "due_on")
LOAN_COLUMNS = ("id", "slip_id", "item_id", "borrower_id", "purpose", "handler_id", "lent_at",
                "due_on", "returned_at", "returned_by_id", "return_condition", "renewals",
                "return_notes")
_CONDITIONS = ("good", "good", "good", "worn")


def _loans(ctx: Context, writer: _Writer, rng: random.Random, items: list[tuple[int, int]],
           borrowers: list[int], clerk_id: int, now: datetime, count: int,
           progress: Callable[[str], None] | None) -> int:
    """Mostly returned loans over three years; a few percent still open, some overdue."""
    if not items:
        return 0
    first_slip = 1 + (ctx.db.execute_sql("SELECT max(id) FROM loan_slip").fetchone()[0] or 0)
    first_loan = 1 + (ctx.db.execute_sql("SELECT max(id) FROM loan").fetchone()[0] or 0)
    open_items = set(rng.sample(range(len(items)), k=min(len(items), max(1, count // 30))))
    made = 0
    for slips, loans in _loan_rows(rng, items, open_items, borrowers, clerk_id, now, count,
                                   (first_slip, first_loan)):
        writer.insert("loan_slip", SLIP_COLUMNS, slips)
        writer.insert("loan", LOAN_COLUMNS, loans)
        made += len(loans)
        if progress:
            progress(f"loans {made}/{count}")
    open_ids = [items[position][0] for position in open_items]
    for start in range(0, len(open_ids), 900):
        Item.update(status="on_loan").where(Item.id.in_(open_ids[start:start + 900])).execute()
    return made


def _loan_rows(rng: random.Random, items: list[tuple[int, int]], open_items: set[int],
               borrowers: list[int], clerk_id: int, now: datetime, count: int,
               first_ids: tuple[int, int]) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """(slips, loans) in batches of ``BATCH``: one slip per loan, numbered per year."""
    first_slip, first_loan = first_ids
    booked = _Bookings(open_items, now)
    per_year: dict[int, int] = {}
    choice, randint = rng.choice, rng.randint
    slips: list[tuple] = []
    loans: list[tuple] = []
    for index, (position, lent_at, returned) in enumerate(
            _loan_plan(rng, len(items), open_items, now, count)):
        item_id, days = items[position]
        borrower, purpose = choice(borrowers), choice(_PURPOSES)
        returned_at = None
        if returned:  # never lent twice at once (the same draws, moved back)
            lent_at, returned_at = booked.closed(
                position, lent_at, lent_at + timedelta(days=randint(1, days + 10)))
        year = lent_at.year
        per_year[year] = number = per_year.get(year, 0) + 1
        slip_id = first_slip + index
        # times as the driver's adapters write them (isoformat), each made once, not twice
        lent = lent_at.isoformat(" ")
        due = (lent_at.date() + timedelta(days=days)).isoformat()
        slips.append((slip_id, f"JY{year}-{number:06d}", borrower, purpose, clerk_id, lent, due))
        loans.append((first_loan + index, slip_id, item_id, borrower, purpose, clerk_id, lent, due,
                      returned_at and returned_at.isoformat(" "), clerk_id if returned else None,
                      choice(_CONDITIONS) if returned else None, 0, ""))
        if len(loans) >= BATCH:
            yield slips, loans
            slips, loans = [], []
    if loans:
        yield slips, loans


class _Bookings:
    """The periods each item was out, so that no item is lent twice at once (a ledger import
    of the demo's loan register refuses such pairs, issue 16). A closed loan that would
    overlap another is moved back to end the day before the earliest one it meets; one of an
    item chosen to be out now ends before its open loan can start (45 days back at most)."""

    def __init__(self, open_items: set[int], now: datetime) -> None:
        self.periods: dict[int, list[tuple[datetime, datetime]]] = {}
        self.open_items, self.open_from = open_items, now - timedelta(days=46)

    def closed(self, position: int, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        length = end - start
        if position in self.open_items and end > self.open_from:
            start, end = self.open_from - length, self.open_from
        periods = self.periods.setdefault(position, [])
        while True:
            met = [other for other in periods if other[0] < end and start < other[1]]
            if not met:
                break
            end = min(other[0] for other in met) - timedelta(days=1)
            start = end - length
        periods.append((start, end))
        return start, end


def _loan_plan(rng: random.Random, item_count: int, open_items: set[int], now: datetime,
               count: int) -> Iterator[tuple[int, datetime, bool]]:
    """(item position, lent at, returned?) in time order per item: closed loans first, then
    the one open loan of the items chosen to be out now."""
    span = 3 * 365 * 24 * 3600
    randint, randrange = rng.randint, rng.randrange
    for _ in range(count - len(open_items)):
        position = randrange(item_count)
        yield position, now - timedelta(seconds=randint(60 * 24 * 3600, span)), True
    for position in sorted(open_items):
        yield position, now - timedelta(days=randint(0, 45), minutes=randint(0, 600)), False
