"""Personnel files sealed at rest (R6): the key's fingerprint and each file's encrypted
descriptive fields (frozen). Existing personnel files are sealed by the first personnel
officer who works with them after this (services/personnel.py), not here: sealing needs the
key, and the key is made for an officer, never by the program alone."""

from __future__ import annotations

import peewee

VERSION = 7


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class Item(_Base):
    class Meta:
        table_name = "item"


class PersonnelKey(_Base):
    purpose = peewee.CharField(max_length=32, primary_key=True)
    fingerprint = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField()
    created_by = peewee.CharField(max_length=32)


class PersonnelSealed(_Base):
    item = peewee.ForeignKeyField(Item, primary_key=True, on_delete="RESTRICT")
    blob = peewee.TextField()
    sealed_at = peewee.DateTimeField()


def upgrade(db: peewee.Database) -> None:
    with db.bind_ctx([Item, PersonnelKey, PersonnelSealed]):
        db.create_tables([PersonnelKey, PersonnelSealed])
