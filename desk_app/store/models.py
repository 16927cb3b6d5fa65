"""peewee models of the current schema. Migrations keep their own frozen copies."""

from __future__ import annotations

import peewee

from desk_app.store.db import database_proxy

USER_NAME_LENGTH = 32


def user_name_field(**options) -> peewee.CharField:
    """A column holding a user name (who acted, handled, reviewed): staff are recorded by
    name, as in the audit trail, so the history reads the same after an account changes."""
    return peewee.CharField(max_length=USER_NAME_LENGTH, **options)


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Meta(BaseModel):
    """Key/value facts about the database itself (schema version, creation time)."""

    key = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.TextField()

    class Meta:
        table_name = "desk_meta"


class User(BaseModel):
    id = peewee.AutoField()
    name = user_name_field(unique=True)
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


class SettingValue(BaseModel):
    key = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.TextField()
    updated_at = peewee.DateTimeField()
    updated_by = user_name_field()

    class Meta:
        table_name = "setting"


class AuditEntry(BaseModel):
    id = peewee.AutoField()
    seq = peewee.BigIntegerField(unique=True)
    at = peewee.CharField(max_length=27, index=True)
    actor = user_name_field(index=True)
    action = peewee.CharField(max_length=64, index=True)
    entity = peewee.CharField(max_length=32)
    entity_id = peewee.CharField(max_length=64)
    change = peewee.TextField()
    prev_hash = peewee.CharField(max_length=64)
    hash = peewee.CharField(max_length=64)

    class Meta:
        table_name = "audit_entry"


# Built by migration m0008; declared here so the models describe the whole schema.
AuditEntry.add_index(peewee.ModelIndex(AuditEntry, (AuditEntry.entity, AuditEntry.entity_id),
                                       name="audit_entry_entity"))


class SigningCa(BaseModel):
    """The database's own certificate authority (created on first use)."""

    id = peewee.AutoField()
    subject = peewee.CharField(max_length=200)
    cert_pem = peewee.TextField()
    key_pem = peewee.TextField()
    created_at = peewee.DateTimeField()

    class Meta:
        table_name = "signing_ca"


class UserKey(BaseModel):
    """A user's signing key pair; the private key is encrypted with the user's password.

    Old keys are retired, never deleted: signatures made with them stay verifiable.
    """

    id = peewee.AutoField()
    user = peewee.ForeignKeyField(User, backref="keys", on_delete="RESTRICT")
    serial = peewee.CharField(max_length=64, unique=True)
    cert_pem = peewee.TextField()
    key_pem = peewee.TextField()
    created_at = peewee.DateTimeField()
    retired_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "user_key"


class SealedSecret(BaseModel):
    """A secret sealed for one holder (forms.sealing): the CA key's secret per administrator
    (purpose "ca"), the personnel data key per officer ("personnel"). ``user`` empty: the
    copy sealed with a recovery code. ``key_serial``: the holder's key it was sealed to."""

    user_id: int | None

    id = peewee.AutoField()
    purpose = peewee.CharField(max_length=32)
    user = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    key_serial = peewee.CharField(max_length=64, null=True)
    blob = peewee.TextField()
    created_at = peewee.DateTimeField()

    class Meta:
        table_name = "sealed_secret"
        indexes = ((("purpose", "user"), True),)


class NumberCounter(BaseModel):
    """One running number per series (store.numbers): slips, receipts, references …"""

    series = peewee.CharField(max_length=80, primary_key=True)
    value = peewee.BigIntegerField()

    class Meta:
        table_name = "number_counter"


def all_models() -> list[type[BaseModel]]:
    """Every table of the current schema, parents before children (backup/restore order).
    Each area's models live in the module its manifest entry names."""
    import importlib

    from desk_app.domain.manifest import model_modules

    for module in model_modules():
        importlib.import_module(module)
    found: list[type[BaseModel]] = []
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        found.append(model)
        pending.extend(model.__subclasses__())
    return list(peewee.sort_models(found))  # type: ignore[attr-defined]
