"""Confidential access approvals, personnel grants, retention and destruction (R2, R5, R6):
new tables (frozen), and new columns — a kind's default retention, an item's review date,
a loan's approval and in-office deadline. Review dates of files that already have a
retention are filled in here (kinds have no default yet, so no other file is due)."""

from __future__ import annotations

from datetime import date, datetime

import peewee

from desk_app.store.migrate import schema_migrator

VERSION = 9


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class User(_Base):
    class Meta:
        table_name = "app_user"


class Item(_Base):
    id = peewee.AutoField()
    doc_date = peewee.DateField(null=True)
    retention_years = peewee.IntegerField(null=True)
    created_at = peewee.DateTimeField()
    review_on = peewee.DateField(null=True)

    class Meta:
        table_name = "item"


class Borrower(_Base):
    class Meta:
        table_name = "borrower"


class SignedDocument(_Base):
    class Meta:
        table_name = "signed_document"


class PersonnelGrant(_Base):
    id = peewee.AutoField()
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)
    user = peewee.ForeignKeyField(User, on_delete="RESTRICT", index=True)
    until = peewee.DateField()
    reason = peewee.CharField(max_length=500)
    granted_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    granted_at = peewee.DateTimeField()
    revoked_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    revoked_at = peewee.DateTimeField(null=True)
    revoke_reason = peewee.CharField(max_length=500, default="")


class AccessRequest(_Base):
    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    borrower = peewee.ForeignKeyField(Borrower, on_delete="RESTRICT", index=True)
    purpose = peewee.CharField(max_length=500)
    access = peewee.CharField(max_length=12)
    copies = peewee.IntegerField(null=True)
    window_from = peewee.DateField()
    window_to = peewee.DateField(index=True)
    status = peewee.CharField(max_length=12, index=True)
    requested_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    requested_at = peewee.DateTimeField(index=True)
    decided_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    decided_at = peewee.DateTimeField(null=True)
    decision_reason = peewee.CharField(max_length=500, default="")
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")
    revoked_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    revoked_at = peewee.DateTimeField(null=True)
    revoke_reason = peewee.CharField(max_length=500, default="")


class AccessRequestItem(_Base):
    request = peewee.ForeignKeyField(AccessRequest, on_delete="RESTRICT")
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)

    class Meta:
        primary_key = peewee.CompositeKey("request", "item")


class CopyRecord(_Base):
    id = peewee.AutoField()
    request = peewee.ForeignKeyField(AccessRequest, on_delete="RESTRICT", index=True)
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)
    copies = peewee.IntegerField()
    made_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    made_at = peewee.DateTimeField()
    disposal = peewee.CharField(max_length=12, null=True)
    disposed_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    disposed_at = peewee.DateTimeField(null=True)


class DisposalHold(_Base):
    id = peewee.AutoField()
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)
    reason = peewee.CharField(max_length=500)
    placed_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    placed_at = peewee.DateTimeField()
    released_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    released_at = peewee.DateTimeField(null=True)
    release_reason = peewee.CharField(max_length=500, default="")


class Destruction(_Base):
    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    status = peewee.CharField(max_length=12, index=True)
    reason = peewee.CharField(max_length=500)
    proposed_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    proposed_at = peewee.DateTimeField(index=True)
    decided_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    decided_at = peewee.DateTimeField(null=True)
    decision_reason = peewee.CharField(max_length=500, default="")
    decision_document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")
    executed_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    executed_at = peewee.DateTimeField(null=True)
    witness = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    method = peewee.CharField(max_length=120, default="")
    record_document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")


class DestructionItem(_Base):
    destruction = peewee.ForeignKeyField(Destruction, on_delete="RESTRICT")
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)

    class Meta:
        primary_key = peewee.CompositeKey("destruction", "item")


TABLES = [PersonnelGrant, AccessRequest, AccessRequestItem, CopyRecord, DisposalHold,
          Destruction, DestructionItem]


def upgrade(db: peewee.Database) -> None:
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_column("kind", "retention_years", peewee.IntegerField(null=True)),
        migrator.add_column("item", "review_on", peewee.DateField(null=True)),
        migrator.add_index("item", ("review_on",), name="item_review_on"),
        migrator.add_column("loan", "approval_id", peewee.IntegerField(null=True)),
        migrator.add_index("loan", ("approval_id",), name="loan_approval_id"),
        migrator.add_column("loan", "due_at", peewee.DateTimeField(null=True)),
    )
    with db.bind_ctx([User, Item, Borrower, SignedDocument, *TABLES]):
        db.create_tables(TABLES)
        # domain/retention.review_on, frozen: 1 January after the file's year plus its
        # retention. One UPDATE per (retention, file year), no date functions in the SQL.
        pairs = {(years, (doc or created).year) for years, doc, created in Item.select(
            Item.retention_years, Item.doc_date, Item.created_at).where(
                Item.retention_years > 0).tuples().iterator()}
        for years, year in sorted(pairs):
            dated = (Item.doc_date >= date(year, 1, 1)) & (Item.doc_date <= date(year, 12, 31))
            undated = (Item.doc_date.is_null() & (Item.created_at >= datetime(year, 1, 1))
                       & (Item.created_at < datetime(year + 1, 1, 1)))
            Item.update(review_on=date(min(year + years + 1, 9999), 1, 1)).where(
                (Item.retention_years == years) & (dated | undated)).execute()
