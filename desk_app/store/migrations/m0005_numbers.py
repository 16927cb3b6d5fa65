"""Running numbers: one counter row per series, so several desks never collide (frozen)."""

from __future__ import annotations

import peewee

VERSION = 5


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class NumberCounter(_Base):
    series = peewee.CharField(max_length=80, primary_key=True)
    value = peewee.BigIntegerField()

    class Meta:
        table_name = "number_counter"


def upgrade(db: peewee.Database) -> None:
    # Counters start lazily from the highest number already issued (store.numbers), so
    # existing slips, receipts and references need no copying here.
    with db.bind_ctx([NumberCounter]):
        db.create_tables([NumberCounter])
