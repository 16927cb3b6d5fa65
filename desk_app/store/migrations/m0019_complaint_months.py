"""A month's complaint statistics as the supervisor signed them, with the cause analysis
and the improvement measures (issue 18): the ``complaint_month`` table, frozen as at
version 19."""

from __future__ import annotations

import peewee

VERSION = 19


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class SignedDocument(_Base):
    class Meta:
        table_name = "signed_document"


class ComplaintMonth(_Base):
    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    month = peewee.CharField(max_length=7, unique=True)
    analysis = peewee.TextField()
    measures = peewee.TextField()
    signed_by = peewee.CharField(max_length=32)
    signed_at = peewee.DateTimeField()
    document = peewee.ForeignKeyField(SignedDocument, backref="+", on_delete="RESTRICT")

    class Meta:
        table_name = "complaint_month"


def upgrade(db: peewee.Database) -> None:
    with db.bind_ctx([SignedDocument, ComplaintMonth]):
        db.create_tables([ComplaintMonth])
