"""Messages taken at the phone for an absent colleague (issue 18): the ``phone_message``
table, frozen as at version 17."""

from __future__ import annotations

import peewee

VERSION = 17


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class Visit(_Base):
    class Meta:
        table_name = "visit"


class PhoneMessage(_Base):
    id = peewee.AutoField()
    visit = peewee.ForeignKeyField(Visit, null=True, on_delete="RESTRICT")
    caller = peewee.CharField(max_length=64)
    caller_title = peewee.CharField(max_length=16, default="")
    contact = peewee.CharField(max_length=64, default="")
    text = peewee.TextField()
    for_user = peewee.CharField(max_length=32, index=True)
    taken_at = peewee.DateTimeField(index=True)
    taken_by = peewee.CharField(max_length=32)
    confirmed_at = peewee.DateTimeField(null=True)
    chases = peewee.IntegerField(default=0)
    chased_at = peewee.DateTimeField(null=True)
    chased_by = peewee.CharField(max_length=32, default="")

    class Meta:
        table_name = "phone_message"


def upgrade(db: peewee.Database) -> None:
    with db.bind_ctx([Visit, PhoneMessage]):
        db.create_tables([PhoneMessage])
