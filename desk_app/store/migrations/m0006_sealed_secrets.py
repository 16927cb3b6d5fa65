"""Secrets sealed per holder (the CA key's secret per admin, the personnel data key per
officer), and signed documents made append-only like the audit trail (frozen)."""

from __future__ import annotations

import peewee

VERSION = 6


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class User(_Base):
    class Meta:
        table_name = "app_user"


class SealedSecret(_Base):
    id = peewee.AutoField()
    purpose = peewee.CharField(max_length=32)
    user = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    key_serial = peewee.CharField(max_length=64, null=True)
    blob = peewee.TextField()
    created_at = peewee.DateTimeField()

    class Meta:
        table_name = "sealed_secret"
        indexes = ((("purpose", "user"), True),)


_SQLITE = [
    """CREATE TRIGGER signed_document_no_update BEFORE UPDATE ON signed_document
       BEGIN SELECT RAISE(ABORT, 'signed documents are never changed'); END""",
    """CREATE TRIGGER signed_document_no_delete BEFORE DELETE ON signed_document
       BEGIN SELECT RAISE(ABORT, 'signed documents are never changed'); END""",
]
_POSTGRES = [
    """CREATE OR REPLACE FUNCTION signed_document_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'signed documents are never changed'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER signed_document_append_only BEFORE UPDATE OR DELETE ON signed_document
       FOR EACH ROW EXECUTE FUNCTION signed_document_append_only()""",
]


def upgrade(db: peewee.Database) -> None:
    with db.bind_ctx([User, SealedSecret]):
        db.create_tables([SealedSecret])
    for statement in _POSTGRES if isinstance(db, peewee.PostgresqlDatabase) else _SQLITE:
        db.execute_sql(statement)
