"""Renewals with their signed renewal slip (a new table, frozen), and how each overdue
reminder went out (new columns on ``reminder``: channel, address, result, error)."""

from __future__ import annotations

import peewee
from peewee import SQL

from desk_app.store.migrate import schema_migrator

VERSION = 13


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class User(_Base):
    class Meta:
        table_name = "app_user"


class SignedDocument(_Base):
    class Meta:
        table_name = "signed_document"


class Loan(_Base):
    class Meta:
        table_name = "loan"


class Renewal(_Base):
    """One renewal of one loan: the due date before and after, its running number (XJ…),
    who made it and when, and the signed renewal slip once signed."""

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    loan = peewee.ForeignKeyField(Loan, backref="renewal_rows", on_delete="RESTRICT", index=True)
    old_due = peewee.DateField()
    new_due = peewee.DateField()
    handler = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    renewed_at = peewee.DateTimeField(index=True)
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")


def upgrade(db: peewee.Database) -> None:
    with db.bind_ctx([User, SignedDocument, Loan, Renewal]):
        db.create_tables([Renewal])
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_column("reminder", "channel",
                            peewee.CharField(max_length=8, constraints=[SQL("DEFAULT 'print'")]),
                            allow_not_null=True),
        migrator.add_column("reminder", "address",
                            peewee.CharField(max_length=120, constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
        migrator.add_column("reminder", "result",
                            peewee.CharField(max_length=8, constraints=[SQL("DEFAULT 'printed'")]),
                            allow_not_null=True),
        migrator.add_column("reminder", "error",
                            peewee.CharField(max_length=500, constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
    )
