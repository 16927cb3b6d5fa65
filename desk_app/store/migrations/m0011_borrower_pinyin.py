"""Pinyin keys on the borrower register (issue 14): the clerk finds 张伟 by ``zhangwei`` or
``zw`` and the register of outside borrowers is sorted by pinyin, on SQLite and PostgreSQL
alike, without a database collation. ``search_key`` ("zhangwei zw") is what a lookup
matches, ``sort_key`` ("zhang1 wei3") what the register orders by; both are filled here for
the borrowers already registered and kept up to date where borrowers are written
(services/borrowers.py)."""

from __future__ import annotations

import peewee
from peewee import SQL

from desk_app.domain import pinyin
from desk_app.store.migrate import schema_migrator

VERSION = 11
BATCH = 1000


class _Base(peewee.Model):
    pass


class Borrower(_Base):
    id = peewee.AutoField()
    name = peewee.CharField(max_length=64)
    search_key = peewee.CharField(max_length=400)
    sort_key = peewee.CharField(max_length=200)

    class Meta:
        table_name = "borrower"


def upgrade(db: peewee.Database) -> None:
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_column("borrower", "search_key",
                            peewee.CharField(max_length=400, constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
        migrator.add_column("borrower", "sort_key",
                            peewee.CharField(max_length=200, constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
        migrator.add_index("borrower", ("search_key",), name="borrower_search_key"),
        migrator.add_index("borrower", ("sort_key", "id"), name="borrower_sort_key"),
    )
    with db.bind_ctx([Borrower]):
        last = 0
        while True:  # keyset batches: flat memory however many visitors were registered
            query = (Borrower.select(Borrower.id, Borrower.name).where(Borrower.id > last)
                     .order_by(Borrower.id).limit(BATCH))
            rows = [(int(row.id), str(row.name)) for row in query]
            if not rows:
                break
            for borrower_id, name in rows:
                Borrower.update(search_key=pinyin.name_search_key(name)[:400],
                                sort_key=pinyin.name_sort_key(name)).where(
                    Borrower.id == borrower_id).execute()
            last = rows[-1][0]
