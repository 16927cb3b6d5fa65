"""Demo archive and loans: realistic, seeded, and fast enough for 500,000 items and
1,000,000 loans (``desk-app demo --scale 100``): the rows (demo/items.py, demo/loans.py) go
in through the driver's ``executemany`` in one transaction, not one peewee call per row; on
SQLite the tables' secondary indexes are built once after the load (``bulk_load``), the
foreign keys are not checked row by row (``unchecked_references``) and the search index
holds its new tokens in memory (``store.search.bulk_insert``)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import peewee

from desk_app.demo.items import NAMES, Items, title_key
from desk_app.demo.loans import LOAN_COLUMNS, SLIP_COLUMNS, loan_rows
from desk_app.demo.prefetch import ahead
from desk_app.domain.archive import DEFAULT_REF_PATTERN, ref_series
from desk_app.domain.users import Actor
from desk_app.services.base import Context, Transaction
from desk_app.services.borrowers import pinyin_keys
from desk_app.store.archive import Borrower, Item, Location
from desk_app.store.backup import reset_sequences
from desk_app.store.db import is_postgresql
from desk_app.store.models import NumberCounter, User

__all__ = ["bulk_load", "generate_archive", "page_cache", "title_key", "unchecked_references"]

ITEMS_PER_SCALE = 5_000
LOANS_PER_SCALE = 10_000
BATCH = 20_000
BULK_CACHE_KIB = 512 * 1024  # SQLite's page cache while the catalogue goes in
BULK_TABLES = ("item", "loan_slip", "loan")  # whose indexes are built after the load

_COMPANIES = ("市住建局", "街道办", "消防大队", "电梯维保公司", "审计事务所", "律师事务所", "业委会")


def _name(rng: random.Random) -> str:
    return rng.choice(NAMES)


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


@contextmanager
def unchecked_references(db: peewee.Database) -> Iterator[None]:
    """SQLite, around the demo's bulk write transaction (the setting is only taken outside
    one): foreign keys not checked row by row. Every reference the demo writes is to a row
    it has just written or read, so the check — half the time of a loan row going in — is
    the tests' (tests/services/test_demo_data.py: ``PRAGMA foreign_key_check`` finds
    nothing). The connection's setting is back afterwards. On PostgreSQL it does nothing."""
    if is_postgresql(db):
        yield
        return
    checked = int(db.execute_sql("PRAGMA foreign_keys").fetchone()[0])
    db.execute_sql("PRAGMA foreign_keys = 0")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA foreign_keys = {checked}")


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
        catalogue = Items(writer, rng, now, clerk_id, locations, ref_pattern)
        items = catalogue.insert(item_count, BATCH, progress)
        _continue_series(catalogue.counters)
        borrowers = _borrowers(writer, rng, scale, now)
        loans = _loans(ctx, writer, rng, items, borrowers, clerk_id, now,
                       LOANS_PER_SCALE * scale, progress)
    if is_postgresql(ctx.db):
        reset_sequences(ctx.db)  # ids were given explicitly
    ctx.db.execute_sql("ANALYZE")  # planner statistics for the new volume
    return {"items": item_count, "loans": loans, "borrowers": len(borrowers)}


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


def _loans(ctx: Context, writer: _Writer, rng: random.Random, items: list[tuple[int, int]],
           borrowers: list[int], clerk_id: int, now: datetime, count: int,
           progress: Callable[[str], None] | None) -> int:
    """The loan history (demo/loans.py), and the items out now marked so."""
    if not items:
        return 0
    first_slip = 1 + (ctx.db.execute_sql("SELECT max(id) FROM loan_slip").fetchone()[0] or 0)
    first_loan = 1 + (ctx.db.execute_sql("SELECT max(id) FROM loan").fetchone()[0] or 0)
    open_items = set(rng.sample(range(len(items)), k=min(len(items), max(1, count // 30))))
    made = 0

    def batches() -> Iterator[tuple[list[tuple], list[tuple]]]:
        return loan_rows(rng, items, open_items, borrowers, clerk_id, now, count,
                         (first_slip, first_loan), BATCH)

    for slips, loans in ahead(batches, rng, count):
        writer.insert("loan_slip", SLIP_COLUMNS, slips)
        writer.insert("loan", LOAN_COLUMNS, loans)
        made += len(loans)
        if progress:
            progress(f"loans {made}/{count}")
    open_ids = [items[position][0] for position in open_items]
    for start in range(0, len(open_ids), 900):
        Item.update(status="on_loan").where(Item.id.in_(open_ids[start:start + 900])).execute()
    return made
