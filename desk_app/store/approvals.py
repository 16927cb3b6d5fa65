"""Tables of confidential access approvals (R5) and of retention and destruction (R2, R3).

A signed approval, refusal or destruction record is a ``SignedDocument`` (never edited);
these rows say what was asked, decided and done, and link to it.
"""

from __future__ import annotations

import peewee

from desk_app.store.archive import Borrower, Item, SignedDocument
from desk_app.store.models import BaseModel, User


class AccessRequest(BaseModel):
    """A request to read, copy or take out secret files (R5), and the manager's decision.

    ``status``: pending → approved | refused; approved → revoked. "Expired" is not stored:
    an approval is expired once the clock has passed the end of ``window_to``.
    """

    document_id: int | None
    borrower_id: int

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)  # SP2026-0001
    borrower = peewee.ForeignKeyField(Borrower, on_delete="RESTRICT", index=True)
    purpose = peewee.CharField(max_length=500)
    access = peewee.CharField(max_length=12)  # read | copy | take-out
    copies = peewee.IntegerField(null=True)  # for access "copy"
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


class AccessRequestItem(BaseModel):
    """One secret item of a request."""

    request = peewee.ForeignKeyField(AccessRequest, backref="items", on_delete="RESTRICT")
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)
    request_id: int
    item_id: int

    class Meta:
        primary_key = peewee.CompositeKey("request", "item")


class CopyRecord(BaseModel):
    """Copies made of a secret item under a "copy" approval, and what became of them."""

    id = peewee.AutoField()
    request = peewee.ForeignKeyField(AccessRequest, backref="copies_made", on_delete="RESTRICT",
                                     index=True)
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)
    copies = peewee.IntegerField()
    made_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    made_at = peewee.DateTimeField()
    disposal = peewee.CharField(max_length=12, null=True)  # returned | destroyed
    disposed_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    disposed_at = peewee.DateTimeField(null=True)


class DisposalHold(BaseModel):
    """A hold on an item's destruction (R2), with its reason, until released."""

    id = peewee.AutoField()
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)
    reason = peewee.CharField(max_length=500)
    placed_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    placed_at = peewee.DateTimeField()
    released_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    released_at = peewee.DateTimeField(null=True)
    release_reason = peewee.CharField(max_length=500, default="")


class Destruction(BaseModel):
    """A destruction list (销毁清册): proposed → approved | refused; approved → done.

    ``decision_document``: the list signed by the manager (approval or refusal);
    ``record_document``: the same form with the executor's and the witness's signatures
    added, the destruction record."""

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)  # XH2026-0001
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


class DestructionItem(BaseModel):
    destruction = peewee.ForeignKeyField(Destruction, backref="items", on_delete="RESTRICT")
    item = peewee.ForeignKeyField(Item, on_delete="RESTRICT", index=True)
    destruction_id: int
    item_id: int

    class Meta:
        primary_key = peewee.CompositeKey("destruction", "item")
