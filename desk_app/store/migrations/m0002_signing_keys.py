"""The database's certificate authority and every user's signing key (R15)."""

from __future__ import annotations

import peewee

VERSION = 2


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class User(_Base):
    class Meta:
        table_name = "app_user"


class SigningCa(_Base):
    id = peewee.AutoField()
    subject = peewee.CharField(max_length=200)
    cert_pem = peewee.TextField()
    key_pem = peewee.TextField()
    created_at = peewee.DateTimeField()

    class Meta:
        table_name = "signing_ca"


class UserKey(_Base):
    id = peewee.AutoField()
    user = peewee.ForeignKeyField(User, backref="keys", on_delete="RESTRICT")
    serial = peewee.CharField(max_length=64, unique=True)
    cert_pem = peewee.TextField()
    key_pem = peewee.TextField()
    created_at = peewee.DateTimeField()
    retired_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "user_key"


def upgrade(db: peewee.Database) -> None:
    tables = [SigningCa, UserKey]
    with db.bind_ctx([User, *tables]):
        db.create_tables(tables)
    # Keys of existing users are issued at their next sign-in, when the password that
    # protects the private key is known; the CA is created on first use.
