"""Tables of the archive catalogue and the loan register (R1, R3, R4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import peewee

from desk_app.domain.archive import days_overdue
from desk_app.store.models import BaseModel, User, user_name_field


def tuples(query: Any) -> list[tuple[Any, ...]]:
    """Rows of a query as plain tuples (peewee's typing cannot express this)."""
    return list(query.tuples())


def raw_rows(query: Any) -> list[tuple[Any, ...]]:
    """Rows of a query straight from the driver, without peewee's per-value conversion
    (pages of registers: hundreds of rows per keystroke). Dates come back as the driver
    gives them: text on SQLite (``as_date``), ``date`` on PostgreSQL."""
    sql, params = query.sql()
    return list(query.model._meta.database.execute_sql(sql, params).fetchall())


def as_date(value: Any) -> date | None:
    """A date column's value as ``raw_rows`` gives it, as a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class Department(BaseModel):
    id = peewee.AutoField()
    code = peewee.CharField(max_length=8, unique=True)
    name = peewee.CharField(max_length=64)


class Kind(BaseModel):
    id = peewee.AutoField()
    code = peewee.CharField(max_length=8, unique=True)
    name = peewee.CharField(max_length=64)
    loan_days = peewee.IntegerField(default=14)
    # Default retention of this kind's files in years; empty: permanent (R2). An item's own
    # ``retention_years`` overrides it (0 there: permanent).
    retention_years = peewee.IntegerField(null=True)


class Location(BaseModel):
    """Room › cabinet › shelf › box, as a tree; ``path`` is the full name for display."""

    id = peewee.AutoField()
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    name = peewee.CharField(max_length=64)
    level = peewee.CharField(max_length=8)
    path = peewee.CharField(max_length=300, unique=True)


class Item(BaseModel):
    id = peewee.AutoField()
    ref = peewee.CharField(max_length=40, unique=True)
    title = peewee.CharField(max_length=200, index=True)
    # R1: the title's pinyin sort key (domain.pinyin.sort_key), kept on every write of the
    # title; a personnel file's is the placeholder's (R6). Sorting by title sorts by this.
    title_key = peewee.CharField(max_length=200, default="")
    kind = peewee.ForeignKeyField(Kind, on_delete="RESTRICT", index=True)
    dept = peewee.ForeignKeyField(Department, on_delete="RESTRICT", index=True)
    doc_date = peewee.DateField(null=True, index=True)
    keywords = peewee.CharField(max_length=300, default="")
    location = peewee.ForeignKeyField(Location, null=True, on_delete="RESTRICT", index=True)
    level = peewee.CharField(max_length=12, index=True)
    retention_years = peewee.IntegerField(null=True)
    # When the file is due for review (R2): 1 January after its year plus its retention
    # (domain/retention.review_on), kept up to date on every change; empty: permanent.
    review_on = peewee.DateField(null=True)  # indexed with status and level (m0016)
    status = peewee.CharField(max_length=12, index=True)
    created_at = peewee.DateTimeField()
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT", null=True)


# Indexes built by migration m0004 in SQL; declared here too so the models describe the whole
# schema (tests/services/test_schema.py compares both).
Item.add_index(peewee.ModelIndex(Item, (Item.kind, Item.ref), name="item_kind_ref"))
# Covering index for the register in reference order (deep pages, the visibility filter).
Item.add_index(peewee.ModelIndex(Item, (Item.ref, Item.level), name="item_ref_level"))
# The register of one department in reference order (m0016).
Item.add_index(peewee.ModelIndex(Item, (Item.dept, Item.ref, Item.level), name="item_dept_ref"))
# Files due for review, counted from the index alone (m0016).
Item.add_index(peewee.ModelIndex(Item, (Item.review_on, Item.status, Item.level),
                                 name="item_review_on_status_level"))
# The register in pinyin title order (m0012).
Item.add_index(peewee.ModelIndex(Item, (Item.title_key, Item.ref), name="item_title_key_ref"))


class PersonnelKey(BaseModel):
    """That the personnel data key exists, and which it is (an HMAC of a fixed text under the
    key, never the key): the key itself is stored only sealed, one copy per admitted
    personnel officer (``sealed_secret``, services/keyring.py). One row, ``purpose``
    "personnel": two officers creating it at once cannot make two keys."""

    purpose = peewee.CharField(max_length=32, primary_key=True)
    fingerprint = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField()
    created_by = user_name_field()


class PersonnelSealed(BaseModel):
    """The descriptive fields of a personnel file (title, keywords), encrypted with the
    personnel data key (AES-256-GCM, bound to the item's id and reference). The ``item`` row
    holds the placeholder SEALED_TITLE and no keywords (R6)."""

    item = peewee.ForeignKeyField(Item, primary_key=True, on_delete="RESTRICT")
    blob = peewee.TextField()
    sealed_at = peewee.DateTimeField()
    item_id: int


class PersonnelGrant(BaseModel):
    """The personnel officer lets one named user read one personnel file until a day's end
    (R6), with a reason. The file's title and keywords are sealed to the user for the grant
    (``sealed_secret`` purpose ``grant:<id>``) and that copy is dropped when it ends."""

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
    item_id: int
    user_id: int


class Borrower(BaseModel):
    """A staff user (``user`` set) or an external person with contact details."""

    user_id: int | None

    id = peewee.AutoField()
    user = peewee.ForeignKeyField(User, null=True, unique=True, on_delete="RESTRICT")
    name = peewee.CharField(max_length=64, index=True)
    contact = peewee.CharField(max_length=120, default="")
    organisation = peewee.CharField(max_length=120, default="")
    created_at = peewee.DateTimeField()
    # Pinyin keys of the name (m0011, services/borrowers.py keeps them): what a lookup matches
    # ("zhangwei zw") and what the register sorts by ("zhang1 wei3").
    search_key = peewee.CharField(max_length=400, default="", index=True)
    sort_key = peewee.CharField(max_length=200, default="")


Borrower.add_index(peewee.ModelIndex(Borrower, (Borrower.sort_key, Borrower.id),
                                     name="borrower_sort_key"))


class SignedDocument(BaseModel):
    """A signed PDF form, kept as signed: never edited (R3)."""

    id = peewee.AutoField()
    kind = peewee.CharField(max_length=32)
    record_no = peewee.CharField(max_length=40, unique=True)
    pdf = peewee.BlobField()
    sha256 = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField()
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")


class LoanSlip(BaseModel):
    """One lending at the desk: several items to one borrower, one slip."""

    document_id: int | None
    borrower_id: int
    handler_id: int

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    borrower = peewee.ForeignKeyField(Borrower, on_delete="RESTRICT")
    purpose = peewee.CharField(max_length=500)
    handler = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    lent_at = peewee.DateTimeField()
    due_on = peewee.DateField()
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")


class ReturnReceipt(BaseModel):
    document_id: int | None
    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    borrower = peewee.ForeignKeyField(Borrower, on_delete="RESTRICT")
    handler = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    returned_at = peewee.DateTimeField()
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")


class Loan(BaseModel):
    """One item on one slip. At most one open loan per item: a partial unique index."""

    id = peewee.AutoField()
    slip = peewee.ForeignKeyField(LoanSlip, backref="loans", on_delete="RESTRICT", index=True)
    item = peewee.ForeignKeyField(Item, backref="loans", on_delete="RESTRICT")
    borrower = peewee.ForeignKeyField(Borrower, backref="loans", on_delete="RESTRICT")
    purpose = peewee.CharField(max_length=500)
    handler = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    lent_at = peewee.DateTimeField()
    due_on = peewee.DateField()
    renewals = peewee.IntegerField(default=0)
    returned_at = peewee.DateTimeField(null=True)
    returned_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    return_condition = peewee.CharField(max_length=16, null=True)
    return_notes = peewee.CharField(max_length=500, default="")
    receipt = peewee.ForeignKeyField(ReturnReceipt, null=True, on_delete="RESTRICT")
    # The access approval a loan of a secret item was made under (R5; store/approvals, no
    # foreign key object here to keep the modules acyclic), and for an in-office read the
    # moment it must be back (closing time of the day).
    approval_id = peewee.IntegerField(null=True, index=True)
    due_at = peewee.DateTimeField(null=True)
    # A historical loan read from an office's ledger (issue 16, m0015): the ImportBatch id
    # (store/imports, no foreign key object here to keep the modules acyclic), and the
    # handler's name as the ledger wrote it when no user matched (``handler`` is then the
    # importing user).
    import_batch = peewee.IntegerField(null=True, index=True)
    ledger_handler = peewee.CharField(max_length=64, default="")
    # peewee's foreign-key id accessors, declared for type checkers
    item_id: int
    borrower_id: int


# At most one open loan per item, also when two desks lend at once (partial unique index).
Loan.add_index(peewee.ModelIndex(Loan, (Loan.item,), unique=True, where=Loan.returned_at.is_null(),
                                 name="loan_one_open_per_item"))
Loan.add_index(peewee.ModelIndex(Loan, (Loan.due_on,), where=Loan.returned_at.is_null(),
                                 name="loan_open_due"))
Loan.add_index(peewee.ModelIndex(Loan, (Loan.item, Loan.lent_at), name="loan_item_history"))
Loan.add_index(peewee.ModelIndex(Loan, (Loan.borrower, Loan.lent_at), name="loan_borrower_history"))
Loan.add_index(peewee.ModelIndex(Loan, (Loan.lent_at,), name="loan_lent_at"))
# The open loans, newest first (the Loans page's Open tab, m0016).
Loan.add_index(peewee.ModelIndex(Loan, (Loan.lent_at, Loan.id), where=Loan.returned_at.is_null(),
                                 name="loan_open_lent"))


class LoanCorrection(BaseModel):
    """R3: a closed loan is never edited; a correction is a new record with a reason."""

    id = peewee.AutoField()
    loan = peewee.ForeignKeyField(Loan, backref="corrections", on_delete="RESTRICT", index=True)
    reason = peewee.CharField(max_length=500)
    changes = peewee.TextField()  # canonical JSON {field: [old, new]}
    created_at = peewee.DateTimeField()
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")


class Reminder(BaseModel):
    """One bundled overdue notice to one borrower, listing all their overdue loans."""

    id = peewee.AutoField()
    borrower = peewee.ForeignKeyField(Borrower, backref="reminders", on_delete="RESTRICT")
    loan_ids = peewee.TextField()  # JSON list
    sent_at = peewee.DateTimeField()
    sent_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    # How it went out (m0013): "email" to ``address`` or "print"; result "sent", "failed"
    # (the SMTP server's answer in ``error``) or "printed".
    channel = peewee.CharField(max_length=8, default="print")
    address = peewee.CharField(max_length=120, default="")
    result = peewee.CharField(max_length=8, default="printed")
    error = peewee.CharField(max_length=500, default="")


class Renewal(BaseModel):
    """One renewal of one loan (m0013): the due date before and after, its running number
    (XJ2026-000001), who made it and when, and the signed renewal slip once signed."""

    document_id: int | None

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    loan = peewee.ForeignKeyField(Loan, backref="renewal_rows", on_delete="RESTRICT", index=True)
    old_due = peewee.DateField()
    new_due = peewee.DateField()
    handler = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    renewed_at = peewee.DateTimeField(index=True)
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")


Handler = User.alias("handler")


def full_name_of(user: Any) -> Any:
    """A user (model or alias) as lists show staff: the full name, else the user name."""
    return peewee.fn.COALESCE(peewee.fn.NULLIF(user.full_name, ""), user.name)

# What a list shows as the title of a personnel file (R6): its title and keywords are stored
# sealed (PersonnelSealed); the ``item`` row holds this placeholder. Registers and loan lists
# show it whatever the row holds (also a file from before sealing), the personnel officer's
# own views open the sealed text (services/personnel.py).
SEALED_TITLE = "—"
PERSONNEL = "personnel"


def shown_title() -> Any:
    """``Item.title`` as lists show it: the placeholder for a personnel file."""
    return peewee.Case(None, [(Item.level == PERSONNEL, SEALED_TITLE)], Item.title)


def loan_rows(where, offset: int, limit: int, today: date | None = None) -> list[dict[str, Any]]:
    """Register rows (newest first) with the item, borrower and handler resolved."""
    query = (Loan.select(Loan.id, Item.ref, shown_title(), Borrower.name, Loan.purpose,
                         full_name_of(Handler), Loan.lent_at, Loan.due_on, Loan.returned_at,
                         Loan.renewals, Loan.return_condition, Loan.slip, LoanSlip.document,
                         Loan.import_batch, Loan.ledger_handler)
             .join_from(Loan, Item).join_from(Loan, Borrower).join_from(Loan, LoanSlip)
             .join_from(Loan, Handler, on=(Loan.handler == Handler.id))
             .where(where).order_by(Loan.lent_at.desc(), Loan.id.desc())
             .offset(offset).limit(limit))
    rows = []
    for (loan_id, ref, title, borrower, purpose, handler, lent_at, due_on, returned_at,
         renewals, condition, slip, document, batch, ledger_handler) in tuples(query):
        rows.append({
            "id": loan_id, "ref": ref, "refs": [ref], "title": title, "borrower": borrower,
            "purpose": purpose, "handler": ledger_handler or handler, "lent_at": lent_at,
            "due_on": due_on, "returned_at": returned_at, "renewals": renewals,
            "condition": condition, "slip": slip, "signed": document is not None,
            # a historical loan from the office's ledger (issue 16): its slip is on paper
            "imported": batch is not None,
            "days_overdue": days_overdue(due_on, today) if today and not returned_at else 0,
        })
    return rows
