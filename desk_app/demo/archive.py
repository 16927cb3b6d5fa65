"""Demo archive and loans: realistic, seeded, and fast enough for 500,000 items and
1,000,000 loans (``desk-app demo --scale 100``): rows go in through the driver's
``executemany`` in large transactions, not one peewee call per row."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from desk_app.domain.archive import (
    DEFAULT_REF_PATTERN,
    format_ref,
    personnel_prefix,
    personnel_ref,
    ref_prefix,
    ref_series,
)
from desk_app.domain.pinyin import SORT_KEY_LENGTH, sort_key
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

_TOPICS = ("电梯维保", "消防检查", "绿化养护", "停车管理", "安全巡查", "装修审批", "供水维修",
           "保洁质量", "业主投诉处理", "节日布置", "空调机房", "门禁系统", "监控设备", "车位租赁",
           "费用收缴", "应急演练", "垃圾分类", "外墙清洗", "二次供水", "配电房")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
_GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红梅鑫斌宇浩凯慧晶佳琳"
_COMPANIES = ("市住建局", "街道办", "消防大队", "电梯维保公司", "审计事务所", "律师事务所", "业委会")
_PURPOSES = ("核对合同条款", "准备业主大会材料", "年度审计", "处理业主投诉", "工程验收", "查阅历史记录",
             "培训学习", "对外报送", "复印存档（已登记）", "政府检查")


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _title(rng: random.Random, kind: str, dept: str, year: int) -> str:
    if kind == "业户档案":
        return f"业户档案：{rng.randint(1, 30)}栋{rng.randint(1, 32)}{rng.randint(1, 4):02d} {_name(rng)}"
    if kind == "车辆档案":
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
    kinds = list(Kind.select().order_by(Kind.id))
    depts = list(Department.select().order_by(Department.id))
    locations = _locations(ctx, tx, rng, scale)
    first_item = (Item.select(Item.id).order_by(Item.id.desc()).scalar() or 0) + 1
    item_count = ITEMS_PER_SCALE * scale
    items: list[tuple[int, int]] = []  # (id, loan days) for lending
    counters: dict[str, int] = {}
    for start in range(0, item_count, BATCH):
        rows, index_rows = [], []
        for offset in range(start, min(start + BATCH, item_count)):
            item_id = first_item + offset
            kind, dept = rng.choice(kinds), rng.choice(depts)
            year = rng.randint(now.year - 8, now.year)
            level = rng.choices(("public", "internal", "secret", "personnel"), (55, 38, 5, 2))[0]
            if level == "personnel":
                # Their own series (R6); stored in clear here, sealed by the personnel
                # officer's first look at them (services/personnel.py).
                prefix = personnel_prefix(year)
                counters[prefix] = counters.get(prefix, 0) + 1
                ref = personnel_ref(year, counters[prefix])
                title = f"员工档案：{_name(rng)}（{dept.name}）"
                key = sort_key(SEALED_TITLE)  # never the key of the sealed title (R6)
            else:
                prefix = ref_prefix(ref_pattern, dept.code, kind.code, year)
                counters[prefix] = counters.get(prefix, 0) + 1
                ref = format_ref(ref_pattern, dept.code, kind.code, year, counters[prefix])
                title = _title(rng, kind.name, dept.name, year)
                key = title_key(title)
            keywords = " ".join(rng.sample(_TOPICS, 2))
            doc_date = date(year, rng.randint(1, 12), rng.randint(1, 28))
            rows.append((item_id, ref, title, key, kind.id, dept.id, doc_date, keywords,
                         rng.choice(locations), level, rng.choice((None, 3, 5, 10, 30)),
                         "available", now, clerk_id))
            index_rows.append((item_id, search.item_text(ref, title, keywords, dept.name, kind.name,
                                                                level)))
            if level in ("public", "internal"):
                items.append((item_id, kind.loan_days))
        writer.insert("item", ("id", "ref", "title", "title_key", "kind_id", "dept_id", "doc_date",
                               "keywords", "location_id", "level", "retention_years", "status", "created_at",
                               "created_by_id"), rows)
        search.upsert(index_rows)
        if progress:
            progress(f"items {min(start + BATCH, item_count)}/{item_count}")
    _continue_series(counters)
    borrowers = _borrowers(ctx, rng, scale, now)
    loans = _loans(ctx, writer, rng, items, borrowers, clerk_id, now, LOANS_PER_SCALE * scale,
                   progress)
    if is_postgresql(ctx.db):
        reset_sequences(ctx.db)  # ids were given explicitly
    ctx.db.execute_sql("ANALYZE")  # planner statistics for the new volume
    return {"items": item_count, "loans": loans, "borrowers": len(borrowers)}


def _continue_series(counters: dict[str, int]) -> None:
    """The counters of the reference series the demo used (store.numbers), at its last
    numbers: the series key is the one services/archive.py draws from."""
    for prefix, last in counters.items():
        (NumberCounter.insert(series=ref_series(prefix), value=last)
         .on_conflict(conflict_target=[NumberCounter.series],
                      update={NumberCounter.value: last}).execute())


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


def _borrowers(ctx: Context, rng: random.Random, scale: int, now: datetime) -> list[int]:
    ids = []
    for user in User.select().where(User.active == True).order_by(User.id).limit(200):  # noqa: E712
        person = Borrower.get_or_none(Borrower.user == user.id) or Borrower.create(
            user=user.id, name=user.full_name or user.name, created_at=now,
            **pinyin_keys(user.full_name or user.name))
        ids.append(person.id)
    for _ in range(100 * scale):
        name = _name(rng)
        ids.append(Borrower.create(name=name, contact=f"13{rng.randint(100000000, 999999999)}",
                                   organisation=rng.choice(_COMPANIES), created_at=now,
                                   **pinyin_keys(name)).id)
    return ids


def _loans(ctx: Context, writer: _Writer, rng: random.Random, items: list[tuple[int, int]],
           borrowers: list[int], clerk_id: int, now: datetime, count: int,
           progress: Callable[[str], None] | None) -> int:
    """Mostly returned loans over three years; a few percent still open, some overdue."""
    if not items:
        return 0
    first_slip = 1 + (ctx.db.execute_sql("SELECT max(id) FROM loan_slip").fetchone()[0] or 0)
    first_loan = 1 + (ctx.db.execute_sql("SELECT max(id) FROM loan").fetchone()[0] or 0)
    open_items = set(rng.sample(range(len(items)), k=min(len(items), max(1, count // 30))))
    slips: list[tuple] = []
    loans: list[tuple] = []
    made = 0
    per_year: dict[int, int] = {}

    def flush() -> None:
        writer.insert("loan_slip", ("id", "number", "borrower_id", "purpose", "handler_id",
                                    "lent_at", "due_on"), slips)
        writer.insert("loan", ("id", "slip_id", "item_id", "borrower_id", "purpose", "handler_id",
                               "lent_at", "due_on", "returned_at", "returned_by_id",
                               "return_condition", "renewals", "return_notes"), loans)
        slips.clear()
        loans.clear()

    booked = _Bookings(open_items, now)
    for index, (item_position, lent_at, days, returned) in enumerate(
            _loan_plan(rng, items, open_items, now, count)):
        item_id, _loan_days = items[item_position]
        slip_id, loan_id = first_slip + index, first_loan + index
        borrower = rng.choice(borrowers)
        purpose = rng.choice(_PURPOSES)
        returned_at = None if not returned else lent_at + timedelta(days=rng.randint(1, days + 10))
        if returned_at is not None:  # never lent twice at once (the same draws, moved back)
            lent_at, returned_at = booked.closed(item_position, lent_at, returned_at)
        due = lent_at.date() + timedelta(days=days)
        per_year[lent_at.year] = per_year.get(lent_at.year, 0) + 1
        slips.append((slip_id, f"JY{lent_at.year}-{per_year[lent_at.year]:06d}", borrower, purpose,
                      clerk_id, lent_at, due))
        loans.append((loan_id, slip_id, item_id, borrower, purpose, clerk_id, lent_at, due,
                      returned_at, clerk_id if returned else None,
                      rng.choice(("good", "good", "good", "worn")) if returned else None, 0, ""))
        made += 1
        if len(loans) >= BATCH:
            flush()
            if progress:
                progress(f"loans {made}/{count}")
    flush()
    open_ids = [items[position][0] for position in open_items]
    for start in range(0, len(open_ids), 900):
        Item.update(status="on_loan").where(Item.id.in_(open_ids[start:start + 900])).execute()
    return made


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


def _loan_plan(rng: random.Random, items: list[tuple[int, int]], open_items: set[int],
               now: datetime, count: int) -> Iterator[tuple[int, datetime, int, bool]]:
    """(item position, lent at, loan days, returned?) in time order per item: closed loans
    first, then the one open loan of the items chosen to be out now."""
    closed = count - len(open_items)
    span = 3 * 365 * 24 * 3600
    for _ in range(closed):
        position = rng.randrange(len(items))
        lent_at = now - timedelta(seconds=rng.randint(60 * 24 * 3600, span))
        yield position, lent_at, items[position][1], True
    for position in sorted(open_items):
        lent_at = now - timedelta(days=rng.randint(0, 45), minutes=rng.randint(0, 600))
        yield position, lent_at, items[position][1], False
