"""Timeouts and responsibility (002, issue 18): each log entry's request type and urgency,
and the tables of reviews, their evidence files and appeals (frozen as at version 21)."""

from __future__ import annotations

import peewee
from peewee import SQL

from desk_app.store.migrate import schema_migrator

VERSION = 21


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class Visit(_Base):
    class Meta:
        table_name = "visit"


class TimeoutReview(_Base):
    id = peewee.AutoField()
    visit = peewee.ForeignKeyField(Visit, on_delete="RESTRICT", unique=True)
    level = peewee.IntegerField()
    cause = peewee.CharField(max_length=16)
    cause_text = peewee.TextField(default="")
    responsible = peewee.CharField(max_length=32, index=True)
    joint_supervisor = peewee.CharField(max_length=32, default="")
    measure = peewee.CharField(max_length=16)
    measure_text = peewee.TextField(default="")
    retraining = peewee.BooleanField(default=False)
    retraining_note = peewee.TextField(default="")
    reviewed_by = peewee.CharField(max_length=32)
    reviewed_at = peewee.DateTimeField()
    appeal_until = peewee.DateTimeField()

    class Meta:
        table_name = "timeout_review"


class TimeoutEvidence(_Base):
    id = peewee.AutoField()
    review = peewee.ForeignKeyField(TimeoutReview, on_delete="RESTRICT")
    file_name = peewee.CharField(max_length=255)
    size = peewee.IntegerField()
    sha256 = peewee.CharField(max_length=64)
    data = peewee.BlobField()
    added_at = peewee.DateTimeField()
    added_by = peewee.CharField(max_length=32)

    class Meta:
        table_name = "timeout_evidence"


class TimeoutAppeal(_Base):
    id = peewee.AutoField()
    review = peewee.ForeignKeyField(TimeoutReview, on_delete="RESTRICT", unique=True)
    appellant = peewee.CharField(max_length=32)
    reason = peewee.TextField()
    filed_at = peewee.DateTimeField()
    decided_by = peewee.CharField(max_length=32, default="")
    decided_at = peewee.DateTimeField(null=True, index=True)
    outcome = peewee.CharField(max_length=16, default="")
    decision = peewee.TextField(default="")
    measure = peewee.CharField(max_length=16, default="")

    class Meta:
        table_name = "timeout_appeal"


def upgrade(db: peewee.Database) -> None:
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_column("visit", "request_type",
                            peewee.CharField(max_length=16, constraints=[SQL("DEFAULT 'enquiry'")]),
                            allow_not_null=True),
        migrator.add_column("visit", "urgency",
                            peewee.CharField(max_length=8, constraints=[SQL("DEFAULT 'normal'")]),
                            allow_not_null=True),
    )
    with db.bind_ctx([Visit, TimeoutReview, TimeoutEvidence, TimeoutAppeal]):
        db.create_tables([TimeoutReview, TimeoutEvidence, TimeoutAppeal])
