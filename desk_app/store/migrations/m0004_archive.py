"""Archive catalogue, loan register, signed documents and the search index."""

from __future__ import annotations

import peewee

VERSION = 4


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class User(_Base):
    class Meta:
        table_name = "app_user"


class Department(_Base):
    id = peewee.AutoField()
    code = peewee.CharField(max_length=8, unique=True)
    name = peewee.CharField(max_length=64)


class Kind(_Base):
    id = peewee.AutoField()
    code = peewee.CharField(max_length=8, unique=True)
    name = peewee.CharField(max_length=64)
    loan_days = peewee.IntegerField(default=14)


class Location(_Base):
    id = peewee.AutoField()
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    name = peewee.CharField(max_length=64)
    level = peewee.CharField(max_length=8)
    path = peewee.CharField(max_length=300, unique=True)


class Item(_Base):
    id = peewee.AutoField()
    ref = peewee.CharField(max_length=40, unique=True)
    title = peewee.CharField(max_length=200, index=True)
    kind = peewee.ForeignKeyField(Kind, on_delete="RESTRICT", index=True)
    dept = peewee.ForeignKeyField(Department, on_delete="RESTRICT", index=True)
    doc_date = peewee.DateField(null=True, index=True)
    keywords = peewee.CharField(max_length=300, default="")
    location = peewee.ForeignKeyField(Location, null=True, on_delete="RESTRICT", index=True)
    level = peewee.CharField(max_length=12, index=True)
    retention_years = peewee.IntegerField(null=True)
    status = peewee.CharField(max_length=12, index=True)
    created_at = peewee.DateTimeField()
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT", null=True)


class Borrower(_Base):
    id = peewee.AutoField()
    user = peewee.ForeignKeyField(User, null=True, unique=True, on_delete="RESTRICT")
    name = peewee.CharField(max_length=64, index=True)
    contact = peewee.CharField(max_length=120, default="")
    organisation = peewee.CharField(max_length=120, default="")
    created_at = peewee.DateTimeField()


class SignedDocument(_Base):
    id = peewee.AutoField()
    kind = peewee.CharField(max_length=32)
    record_no = peewee.CharField(max_length=40, unique=True)
    pdf = peewee.BlobField()
    sha256 = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField()
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")


class LoanSlip(_Base):
    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    borrower = peewee.ForeignKeyField(Borrower, on_delete="RESTRICT")
    purpose = peewee.CharField(max_length=500)
    handler = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    lent_at = peewee.DateTimeField()
    due_on = peewee.DateField()
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")


class ReturnReceipt(_Base):
    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    borrower = peewee.ForeignKeyField(Borrower, on_delete="RESTRICT")
    handler = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    returned_at = peewee.DateTimeField()
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")


class Loan(_Base):
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


class LoanCorrection(_Base):
    id = peewee.AutoField()
    loan = peewee.ForeignKeyField(Loan, backref="corrections", on_delete="RESTRICT", index=True)
    reason = peewee.CharField(max_length=500)
    changes = peewee.TextField()
    created_at = peewee.DateTimeField()
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")


class Reminder(_Base):
    id = peewee.AutoField()
    borrower = peewee.ForeignKeyField(Borrower, backref="reminders", on_delete="RESTRICT")
    loan_ids = peewee.TextField()
    sent_at = peewee.DateTimeField()
    sent_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")


TABLES = [Department, Kind, Location, Item, Borrower, SignedDocument, LoanSlip, ReturnReceipt,
          Loan, LoanCorrection, Reminder]

_INDEXES = [
    # One open loan per item, enforced by the database on SQLite and PostgreSQL alike.
    "CREATE UNIQUE INDEX loan_one_open_per_item ON loan (item_id) WHERE returned_at IS NULL",
    "CREATE INDEX loan_open_due ON loan (due_on) WHERE returned_at IS NULL",
    "CREATE INDEX loan_item_history ON loan (item_id, lent_at)",
    "CREATE INDEX loan_borrower_history ON loan (borrower_id, lent_at)",
    "CREATE INDEX loan_lent_at ON loan (lent_at)",
    "CREATE INDEX item_kind_ref ON item (kind_id, ref)",
    # Covering index for the register in reference order: deep pages and the visibility
    # filter read the index only, not the rows.
    "CREATE INDEX item_ref_level ON item (ref, level)",
]
_SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE item_fts USING fts5(tokens, tokenize='unicode61 remove_diacritics 0', "
    "prefix='1 2 3')",
]
_POSTGRES_SEARCH = [
    "CREATE TABLE item_search (item_id INTEGER PRIMARY KEY REFERENCES item (id), "
    "tsv TSVECTOR NOT NULL)",
    "CREATE INDEX item_search_tsv ON item_search USING GIN (tsv)",
]


# The kinds and departments the office regulations name (frozen here; editable later).
_KINDS = [
    ("TZ", "通知", 14), ("ZD", "规章制度", 30), ("ZL", "指令", 14), ("HJ", "函件", 14),
    ("ZJ", "总结", 14), ("BG", "报告", 14), ("JB", "简报", 7), ("JY", "会议纪要", 14),
    ("ZF", "政府文件", 7), ("TZG", "技术图纸", 7), ("SC", "手册", 30), ("YH", "业户档案", 7),
    ("CL", "车辆档案", 7), ("LL", "联络单", 14),
]
_DEPARTMENTS = [
    ("KF", "客服部"), ("GC", "工程部"), ("BA", "保安部"), ("BJ", "保洁部"), ("CW", "财务部"),
    ("XZ", "行政人事部"), ("ZB", "总经理办公室"),
]


def upgrade(db: peewee.Database) -> None:
    with db.bind_ctx([User, *TABLES]):
        db.create_tables(TABLES)
        Kind.insert_many(_KINDS, fields=[Kind.code, Kind.name, Kind.loan_days]).execute()
        Department.insert_many(_DEPARTMENTS, fields=[Department.code, Department.name]).execute()
    postgres = isinstance(db, peewee.PostgresqlDatabase)
    for statement in _INDEXES + (_POSTGRES_SEARCH if postgres else _SQLITE_SEARCH):
        db.execute_sql(statement)
