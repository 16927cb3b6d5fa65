"""Users, settings, the audit chain and the meta table."""

from __future__ import annotations

import peewee

VERSION = 1


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class Meta(_Base):
    key = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.TextField()

    class Meta:
        table_name = "desk_meta"


class User(_Base):
    name = peewee.CharField(max_length=32, unique=True)
    full_name = peewee.CharField(max_length=64, default="")
    roles = peewee.CharField(max_length=200)
    password_hash = peewee.CharField(max_length=200)
    active = peewee.BooleanField(default=True)
    failed_logins = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField()
    updated_at = peewee.DateTimeField()

    class Meta:
        table_name = "app_user"


class SettingValue(_Base):
    key = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.TextField()
    updated_at = peewee.DateTimeField()
    updated_by = peewee.CharField(max_length=32)

    class Meta:
        table_name = "setting"


class AuditEntry(_Base):
    seq = peewee.BigIntegerField(unique=True)
    at = peewee.CharField(max_length=27, index=True)
    actor = peewee.CharField(max_length=32, index=True)
    action = peewee.CharField(max_length=64, index=True)
    entity = peewee.CharField(max_length=32)
    entity_id = peewee.CharField(max_length=64)
    change = peewee.TextField()
    prev_hash = peewee.CharField(max_length=64)
    hash = peewee.CharField(max_length=64)

    class Meta:
        table_name = "audit_entry"


TABLES = [Meta, User, SettingValue, AuditEntry]

_SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
]
_POSTGRES_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]


def upgrade(db: peewee.Database) -> None:
    with db.bind_ctx(TABLES):
        db.create_tables(TABLES)
    statements = (
        _POSTGRES_APPEND_ONLY if isinstance(db, peewee.PostgresqlDatabase) else _SQLITE_APPEND_ONLY
    )
    for statement in statements:
        db.execute_sql(statement)
