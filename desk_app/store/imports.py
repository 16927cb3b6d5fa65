"""Tables of ledger imports (issue 16): one row per import run, so a file imported before
is recognised by its SHA-256 and a historical loan names the import it came from."""

from __future__ import annotations

import peewee

from desk_app.store.models import BaseModel, User


class ImportBatch(BaseModel):
    """One import: which ledger, which file (name and SHA-256), how many rows were read,
    imported and skipped, whether only the valid rows were imported and whether it was
    forced over an earlier import of the same file."""

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
    created_by_id: int
