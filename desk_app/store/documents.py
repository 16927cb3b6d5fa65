"""Tables of the document register (收发文): the documents, their circulation route, the
questions and chases on the record, attachments, and who belongs to which department.

A signed sheet (the manager's instruction, the incoming processing sheet, the outgoing
draft sheet, the liaison sheet) is a ``SignedDocument`` (never edited); these rows say what
was registered, instructed, read, handled, signed and sent, and link to it."""

from __future__ import annotations

import peewee

from desk_app.store.archive import Department, Item, Kind, SignedDocument
from desk_app.store.models import BaseModel, User


class StaffDepartment(BaseModel):
    """A user's department and whether they head it (optional: no row, no department).
    Circulation and liaison sheets go to a department's heads (docs/documents.md)."""

    user = peewee.ForeignKeyField(User, primary_key=True, on_delete="RESTRICT")
    dept = peewee.ForeignKeyField(Department, on_delete="RESTRICT", index=True)
    head = peewee.BooleanField(default=False)
    user_id: int
    dept_id: int

    class Meta:
        table_name = "staff_department"


class Document(BaseModel):
    """One document: incoming (收文), outgoing (发文) or internal (联络单); its states are
    ``domain.documents.Status``. ``number`` is its running number (SW/FG/LL + year, gap-free
    per year); ``issued_no`` the outgoing number (发文字号) once numbered."""

    dept_id: int | None
    to_dept_id: int | None
    handler_dept_id: int | None
    kind_id: int | None
    item_id: int | None
    corrects_id: int | None
    document_id: int | None
    instruction_document_id: int | None
    instructed_by_id: int | None
    result_by_id: int | None
    reply_by_id: int | None
    delivered_by_id: int | None
    drafted_by_id: int | None
    reviewed_by_id: int | None
    signed_off_by_id: int | None
    sent_by_id: int | None
    filed_by_id: int | None
    created_by_id: int

    id = peewee.AutoField()
    direction = peewee.CharField(max_length=8)
    number = peewee.CharField(max_length=40, unique=True)
    year = peewee.IntegerField()
    status = peewee.CharField(max_length=12)
    title = peewee.CharField(max_length=200)
    kind = peewee.ForeignKeyField(Kind, null=True, on_delete="RESTRICT")
    level = peewee.CharField(max_length=12)
    urgency = peewee.CharField(max_length=12)
    pages = peewee.IntegerField(default=0)
    copies = peewee.IntegerField(default=1)
    # incoming: who sent it, under their own number (来文字号), when it came
    sender = peewee.CharField(max_length=200, default="")
    sender_ref = peewee.CharField(max_length=80, default="")
    received_on = peewee.DateField(null=True)
    # outgoing and internal: to whom; the drafting department; a liaison sheet's receiver
    addressee = peewee.CharField(max_length=200, default="")
    dept = peewee.ForeignKeyField(Department, null=True, on_delete="RESTRICT")
    to_dept = peewee.ForeignKeyField(Department, null=True, on_delete="RESTRICT")
    issued_no = peewee.CharField(max_length=80, null=True, unique=True)
    body = peewee.TextField(default="")  # an incoming summary, a draft's or sheet's text
    # the manager's instruction (批示) of an incoming document
    instruction = peewee.TextField(default="")
    instructed_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    instructed_at = peewee.DateTimeField(null=True)
    instruction_document = peewee.ForeignKeyField(SignedDocument, null=True,
                                                  on_delete="RESTRICT")
    handler_dept = peewee.ForeignKeyField(Department, null=True, on_delete="RESTRICT")
    due_on = peewee.DateField(null=True)
    result = peewee.TextField(default="")  # the handling result and report (§1.11)
    result_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    result_at = peewee.DateTimeField(null=True)
    # a liaison sheet's reply
    reply = peewee.TextField(default="")
    reply_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    reply_at = peewee.DateTimeField(null=True)
    delivered_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    delivered_at = peewee.DateTimeField(null=True)
    # outgoing: the people who signed the draft sheet, and the sending
    drafted_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    drafted_at = peewee.DateTimeField(null=True)
    reviewed_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    reviewed_at = peewee.DateTimeField(null=True)
    signed_off_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    signed_off_at = peewee.DateTimeField(null=True)
    sent_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    sent_at = peewee.DateTimeField(null=True)
    refusal_reason = peewee.CharField(max_length=500, default="")
    void_reason = peewee.CharField(max_length=500, default="")
    execution = peewee.CharField(max_length=12, default="")  # domain Execution, once sent
    execution_note = peewee.CharField(max_length=500, default="")
    corrects = peewee.ForeignKeyField("self", null=True, on_delete="RESTRICT",
                                      backref="corrections")  # R3: a correction links
    # filing: the archive item the original became (or joined)
    item = peewee.ForeignKeyField(Item, null=True, on_delete="RESTRICT")
    filed_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    filed_at = peewee.DateTimeField(null=True)
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = peewee.DateTimeField()
    version = peewee.IntegerField(default=0)  # +1 on every change (two desks, one form)
    pending_pdf = peewee.BlobField(null=True)  # a draft sheet signed so far (last column)

    class Meta:
        table_name = "document"


# The register's orders and the lists that must be fast at 100k documents (issue 15).
Document.add_index(peewee.ModelIndex(Document, (Document.direction, Document.number),
                                     name="document_direction_number"))
Document.add_index(peewee.ModelIndex(Document, (Document.status, Document.due_on),
                                     name="document_status_due"))
Document.add_index(peewee.ModelIndex(Document, (Document.sender_ref, Document.sender),
                                     name="document_sender_ref"))
Document.add_index(peewee.ModelIndex(Document, (Document.year, Document.direction),
                                     name="document_year_direction"))


class DocumentRoute(BaseModel):
    """One stop of an incoming document's circulation (传阅), in the instructed order: the
    department whose head reads it, who carried it there (office staff, §2.4) and the
    reading's confirmation."""

    document_id: int
    dept_id: int
    carried_by_id: int | None
    confirmed_by_id: int | None

    id = peewee.AutoField()
    document = peewee.ForeignKeyField(Document, backref="route", on_delete="RESTRICT")
    seq = peewee.IntegerField()
    dept = peewee.ForeignKeyField(Department, on_delete="RESTRICT", index=True)
    carried_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    carried_at = peewee.DateTimeField(null=True)
    confirmed_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    confirmed_at = peewee.DateTimeField(null=True)
    comment = peewee.CharField(max_length=500, default="")

    class Meta:
        table_name = "document_route"
        indexes = ((("document", "seq"), True),)


class DocumentNote(BaseModel):
    """A question to the manager during handling (请示) and its answer, or a chase (催办)
    of overdue handling: each on the record, never edited."""

    document_id: int
    by_id: int
    answered_by_id: int | None

    id = peewee.AutoField()
    document = peewee.ForeignKeyField(Document, backref="notes", on_delete="RESTRICT",
                                      index=True)
    kind = peewee.CharField(max_length=8)  # domain NoteKind
    text = peewee.CharField(max_length=1000)
    channel = peewee.CharField(max_length=12, default="")  # a chase: phone, visit, message
    by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    at = peewee.DateTimeField()
    answer = peewee.CharField(max_length=1000, default="")
    answered_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    answered_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "document_note"


class DocumentAttachment(BaseModel):
    """A scan or photo of the paper, kept with its SHA-256 (not in ``document``: the
    register's pages never read it)."""

    document_id: int

    id = peewee.AutoField()
    document = peewee.ForeignKeyField(Document, backref="attachments", on_delete="RESTRICT",
                                      index=True)
    name = peewee.CharField(max_length=200)
    sha256 = peewee.CharField(max_length=64)
    size = peewee.IntegerField()
    data = peewee.BlobField()
    added_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    added_at = peewee.DateTimeField()

    class Meta:
        table_name = "document_attachment"
