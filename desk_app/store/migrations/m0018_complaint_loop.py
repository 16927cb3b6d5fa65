"""A complaint's closed loop (issue 18, domain.complaints): severity, state, cause analysis
and reopenings on ``complaint``; the call-back's channel and complaint; the staff concerned, the
proposals and the signed decisions in three new tables, frozen as at version 18."""

from __future__ import annotations

from typing import cast

import peewee
from peewee import SQL

from desk_app.store.migrate import schema_migrator

VERSION = 18


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class SignedDocument(_Base):
    class Meta:
        table_name = "signed_document"


class Complaint(_Base):
    id = peewee.AutoField()

    class Meta:
        table_name = "complaint"


class ComplaintStaff(_Base):
    id = peewee.AutoField()
    complaint = peewee.ForeignKeyField(Complaint, on_delete="RESTRICT")
    user_name = peewee.CharField(max_length=32, index=True)

    class Meta:
        table_name = "complaint_staff"
        indexes = ((("complaint", "user_name"), True),)


class ComplaintProposal(_Base):
    id = peewee.AutoField()
    complaint = peewee.ForeignKeyField(Complaint, on_delete="RESTRICT")
    text = peewee.TextField()
    proposed_by = peewee.CharField(max_length=32)
    proposed_at = peewee.DateTimeField()
    state = peewee.CharField(max_length=12, default="pending")
    decided_by = peewee.CharField(max_length=32, default="")
    decided_at = peewee.DateTimeField(null=True)
    reason = peewee.TextField(default="")

    class Meta:
        table_name = "complaint_proposal"


class ComplaintDecision(_Base):
    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    complaint = peewee.ForeignKeyField(Complaint, on_delete="RESTRICT")
    proposal = peewee.ForeignKeyField(ComplaintProposal, on_delete="RESTRICT")
    instruction = peewee.TextField()
    decided_by = peewee.CharField(max_length=32)
    decided_role = peewee.CharField(max_length=16)
    decided_at = peewee.DateTimeField()
    document = peewee.ForeignKeyField(SignedDocument, backref="+", on_delete="RESTRICT")
    answered_at = peewee.DateTimeField(null=True)
    answered_by = peewee.CharField(max_length=32, default="")
    accepted = peewee.BooleanField(null=True)
    refusal = peewee.TextField(default="")
    customer_document = peewee.ForeignKeyField(SignedDocument, null=True, backref="+",
                                               on_delete="RESTRICT")

    class Meta:
        table_name = "complaint_decision"


def _defaulted(field: peewee.Field, default: str) -> peewee.Field:
    field.constraints = [SQL(f"DEFAULT {default}")]
    return field


def _complaint_link() -> peewee.ForeignKeyField:
    """The call-back's link to the complaint it follows up (the migrator wants the
    referenced field itself, not its name)."""
    target = cast(peewee.Field, Complaint._meta.primary_key)  # type: ignore[attr-defined]
    return peewee.ForeignKeyField(Complaint, field=target, null=True, on_delete="RESTRICT")


def upgrade(db: peewee.Database) -> None:
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_column("complaint", "severity", _defaulted(peewee.IntegerField(), "1"),
                            allow_not_null=True),
        migrator.add_column("complaint", "status",
                            _defaulted(peewee.CharField(max_length=16), "'open'"),
                            allow_not_null=True),
        migrator.add_column("complaint", "cause",
                            _defaulted(peewee.CharField(max_length=32), "''"),
                            allow_not_null=True),
        migrator.add_column("complaint", "cause_text", _defaulted(peewee.TextField(), "''"),
                            allow_not_null=True),
        migrator.add_column("complaint", "reopened", _defaulted(peewee.IntegerField(), "0"),
                            allow_not_null=True),
        migrator.add_column("complaint", "closed_at", peewee.DateTimeField(null=True)),
        migrator.add_index("complaint", ("status",), name="complaint_status"),
        migrator.add_column("call_back", "channel",
                            _defaulted(peewee.CharField(max_length=8), "'phone'"),
                            allow_not_null=True),
        migrator.add_column("call_back", "complaint_id", _complaint_link()),
    )
    models = [SignedDocument, Complaint, ComplaintStaff, ComplaintProposal,
              ComplaintDecision]
    with db.bind_ctx(models):
        db.create_tables([ComplaintStaff, ComplaintProposal, ComplaintDecision])
