"""R1, alphabetical means pinyin: ``item.title_key``, the stored pinyin sort key of a file's
title (``domain.pinyin.sort_key``), so SQLite and PostgreSQL sort the catalogue 陈, 李, 张
the same way without a database collation. Existing rows are filled here in batches of
ids; a personnel file's key is that of the placeholder its row holds, never of its sealed
title (R6)."""

from __future__ import annotations

import peewee
from peewee import SQL

from desk_app.domain.pinyin import sort_key
from desk_app.store.migrate import schema_migrator

VERSION = 12
BATCH = 2000
SEALED_TITLE = "—"  # frozen copy of store.archive.SEALED_TITLE


def upgrade(db: peewee.Database) -> None:
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_column("item", "title_key",
                            peewee.CharField(max_length=200, constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
    )
    param = db.param
    last = 0
    while True:
        rows = db.execute_sql(
            f"SELECT id, title, level FROM item WHERE id > {param} ORDER BY id LIMIT {BATCH}",
            (last,)).fetchall()
        if not rows:
            break
        db.cursor().executemany(f"UPDATE item SET title_key = {param} WHERE id = {param}",
                                [(sort_key(SEALED_TITLE if level == "personnel" else title or ""),
                                  item_id) for item_id, title, level in rows])
        last = rows[-1][0]
    migrator.migrate(
        migrator.add_index("item", ("title_key", "ref"), name="item_title_key_ref"),
    )
