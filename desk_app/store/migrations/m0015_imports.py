"""Ledger imports (issue 16): the ``import_batch`` table (frozen as at version 15), and two
columns on ``loan`` marking a historical loan: the import it came from and the handler's
name as the ledger wrote it when no user matched."""

from __future__ import annotations

import peewee
from peewee import SQL

from desk_app.store.migrate import schema_migrator

VERSION = 15


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class User(_Base):
    class Meta:
        table_name = "app_user"


class ImportBatch(_Base):
    id = peewee.AutoField()
    kind = peewee.CharField(max_length=16)
    file_name = peewee.CharField(max_length=255)
    sha256 = peewee.CharField(max_length=64, index=True)
    sheet = peewee.CharField(max_length=100, null=True)
    rows = peewee.IntegerField()
    imported = peewee.IntegerField()
    skipped = peewee.IntegerField()
    only_valid = peewee.BooleanField(default=False)
    forced = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField()
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")


def upgrade(db: peewee.Database) -> None:
    with db.bind_ctx([User, ImportBatch]):
        db.create_tables([ImportBatch])
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_column("loan", "import_batch", peewee.IntegerField(null=True)),
        migrator.add_column("loan", "ledger_handler",
                            peewee.CharField(max_length=64, constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
        migrator.add_index("loan", ("import_batch",), name="loan_import_batch"),
    )
