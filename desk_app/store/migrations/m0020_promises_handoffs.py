"""Promised reply times on the log (``visit.promised_at``, ``promised_by`` and a partial
index of the promises) and the targets of transfers and escalations (``visit_handoff``,
frozen as at version 20), issue 18."""

from __future__ import annotations

import peewee
from peewee import SQL

from desk_app.store.migrate import schema_migrator

VERSION = 20


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class Visit(_Base):
    class Meta:
        table_name = "visit"


class VisitHandoff(_Base):
    id = peewee.AutoField()
    visit = peewee.ForeignKeyField(Visit, on_delete="RESTRICT")
    kind = peewee.CharField(max_length=12)
    to_user = peewee.CharField(max_length=32, default="")
    to_dept = peewee.CharField(max_length=64, default="")
    note = peewee.TextField(default="")
    at = peewee.DateTimeField()
    by = peewee.CharField(max_length=32)

    class Meta:
        table_name = "visit_handoff"


def upgrade(db: peewee.Database) -> None:
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_column("visit", "promised_at", peewee.DateTimeField(null=True)),
        migrator.add_column("visit", "promised_by",
                            peewee.CharField(max_length=32, constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
    )
    # A partial index: the migrator has no WHERE, both databases take the same statement.
    db.execute_sql("CREATE INDEX visit_promised ON visit (promised_at) "
                   "WHERE promised_at IS NOT NULL")
    with db.bind_ctx([Visit, VisitHandoff]):
        db.create_tables([VisitHandoff])
