"""Reception tables (R13, R14): script versions, the visitor and call log, call-backs, complaints.

Script texts are never overwritten: each edit adds a version row (who, when); the current text of
a (key, language) is its highest version. Staff are stored by user name, as in the audit trail.
"""

from __future__ import annotations

import peewee

from desk_app.store.archive import SignedDocument
from desk_app.store.models import BaseModel, user_name_field


class ScriptVersion(BaseModel):
    id = peewee.AutoField()
    key = peewee.CharField(max_length=64)
    lang = peewee.CharField(max_length=8)
    version = peewee.IntegerField()
    situation = peewee.CharField(max_length=64)
    title = peewee.CharField(max_length=120, default="")
    text = peewee.TextField()
    created_at = peewee.DateTimeField()
    created_by = user_name_field()

    class Meta:
        table_name = "script_version"
        indexes = ((("key", "lang", "version"), True),)


class Visit(BaseModel):
    """One visitor or call: time in (arrival or ring), first answer, resolution, time out."""

    id = peewee.AutoField()
    channel = peewee.CharField(max_length=16, index=True)
    name = peewee.CharField(max_length=64, default="")
    caller_title = peewee.CharField(max_length=16, default="")
    contact = peewee.CharField(max_length=64, default="")
    company = peewee.CharField(max_length=120, default="")
    request = peewee.TextField(default="")
    result = peewee.TextField(default="")
    handler = user_name_field(index=True)
    arrived_at = peewee.DateTimeField(index=True)
    answered_at = peewee.DateTimeField(null=True)
    resolved_at = peewee.DateTimeField(null=True)
    ended_at = peewee.DateTimeField(null=True, index=True)
    timeout_level = peewee.IntegerField(default=0)
    escalated_at = peewee.DateTimeField(null=True)
    reviewed_by = user_name_field(default="")
    reviewed_at = peewee.DateTimeField(null=True)
    review_note = peewee.TextField(default="")
    created_by = user_name_field()
    # a reply promised to the caller by a time (003 第一章), kept if resolved by then
    promised_at = peewee.DateTimeField(null=True)
    promised_by = user_name_field(default="")
    # what is asked, and how urgently: the reply targets follow them (002, m0021)
    request_type = peewee.CharField(max_length=16, default="enquiry")
    urgency = peewee.CharField(max_length=8, default="normal")

    class Meta:
        table_name = "visit"


# The promises still to keep, soonest first (the desk's reminder, m0020).
Visit.add_index(peewee.ModelIndex(Visit, (Visit.promised_at,),
                                  where=Visit.promised_at.is_null(False), name="visit_promised"))


class VisitHandoff(BaseModel):
    """A call or visitor passed on: transferred to a colleague or department, or escalated
    (003 第一章: 转接 / 上报), with the target recorded."""

    id = peewee.AutoField()
    visit = peewee.ForeignKeyField(Visit, backref="handoffs", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=12)  # transfer, escalate
    to_user = user_name_field(default="")
    to_dept = peewee.CharField(max_length=64, default="")
    note = peewee.TextField(default="")
    at = peewee.DateTimeField()
    by = user_name_field()

    class Meta:
        table_name = "visit_handoff"


class Complaint(BaseModel):
    id = peewee.AutoField()
    visit = peewee.ForeignKeyField(Visit, null=True, backref="complaints", on_delete="RESTRICT")
    received_at = peewee.DateTimeField(index=True)
    category = peewee.CharField(max_length=32, index=True)
    name = peewee.CharField(max_length=64, default="")
    contact = peewee.CharField(max_length=64, default="")
    description = peewee.TextField()
    handler = user_name_field()
    promised_at = peewee.DateTimeField()
    replied_at = peewee.DateTimeField(null=True)
    replied_by = user_name_field(default="")
    result = peewee.TextField(default="")
    created_by = user_name_field()
    # the closed loop (domain.complaints): severity, state, cause analysis, reopenings
    severity = peewee.IntegerField(default=1)
    status = peewee.CharField(max_length=16, default="open", index=True)
    cause = peewee.CharField(max_length=32, default="")
    cause_text = peewee.TextField(default="")
    reopened = peewee.IntegerField(default=0)
    closed_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "complaint"


class CallBack(BaseModel):
    """A scheduled call-back (回访) and, once made, its record."""

    id = peewee.AutoField()
    visit = peewee.ForeignKeyField(Visit, null=True, backref="callbacks", on_delete="RESTRICT")
    name = peewee.CharField(max_length=64, default="")
    caller_title = peewee.CharField(max_length=16, default="")
    contact = peewee.CharField(max_length=64)
    purpose = peewee.TextField()
    due_at = peewee.DateTimeField(index=True)
    handler = user_name_field()
    status = peewee.CharField(max_length=16, default="scheduled", index=True)
    done_at = peewee.DateTimeField(null=True)
    done_by = user_name_field(default="")
    result = peewee.TextField(default="")
    satisfaction = peewee.CharField(max_length=16, default="")
    created_at = peewee.DateTimeField()
    created_by = user_name_field()
    channel = peewee.CharField(max_length=8, default="phone")  # phone, email, online (003)
    # the complaint it follows up (domain.complaints: it closes or reopens it)
    complaint = peewee.ForeignKeyField(Complaint, null=True, backref="callbacks",
                                       on_delete="RESTRICT")

    class Meta:
        table_name = "call_back"


class ComplaintStaff(BaseModel):
    """A staff member the complaint concerns (by user name, as everywhere in reception)."""

    id = peewee.AutoField()
    complaint = peewee.ForeignKeyField(Complaint, backref="staff", on_delete="RESTRICT")
    user_name = user_name_field(index=True)

    class Meta:
        table_name = "complaint_staff"
        indexes = ((("complaint", "user_name"), True),)


class ComplaintProposal(BaseModel):
    """A resolution the handler proposes; the supervisor chooses one or sends it back."""

    id = peewee.AutoField()
    complaint = peewee.ForeignKeyField(Complaint, backref="proposals", on_delete="RESTRICT")
    text = peewee.TextField()
    proposed_by = user_name_field()
    proposed_at = peewee.DateTimeField()
    state = peewee.CharField(max_length=12, default="pending")
    decided_by = user_name_field(default="")
    decided_at = peewee.DateTimeField(null=True)
    reason = peewee.TextField(default="")

    class Meta:
        table_name = "complaint_proposal"


class ComplaintDecision(BaseModel):
    """One decision (批示) on a complaint, signed by the supervisor (or, after the customer
    refused, by the manager), and the customer's answer to it: a form with their handwriting
    and the clerk's signature (a call-back is then scheduled), or their refusal."""

    document_id: int
    customer_document_id: int | None

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)
    complaint = peewee.ForeignKeyField(Complaint, backref="decisions", on_delete="RESTRICT")
    proposal = peewee.ForeignKeyField(ComplaintProposal, on_delete="RESTRICT")
    instruction = peewee.TextField()
    decided_by = user_name_field()
    decided_role = peewee.CharField(max_length=16)
    decided_at = peewee.DateTimeField()
    document = peewee.ForeignKeyField(SignedDocument, backref="+", on_delete="RESTRICT")
    answered_at = peewee.DateTimeField(null=True)
    answered_by = user_name_field(default="")
    accepted = peewee.BooleanField(null=True)
    refusal = peewee.TextField(default="")
    customer_document = peewee.ForeignKeyField(SignedDocument, null=True, backref="+",
                                                on_delete="RESTRICT")

    class Meta:
        table_name = "complaint_decision"


class ComplaintMonth(BaseModel):
    """A month's complaint statistics (顾客投诉分类统计表) as the supervisor signed them: the
    analysis of the month's causes and the improvement measures decided (003 第三章三 6)."""

    document_id: int

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)  # CPS-YYYYMM
    month = peewee.CharField(max_length=7, unique=True)  # YYYY-MM
    analysis = peewee.TextField()
    measures = peewee.TextField()
    signed_by = user_name_field()
    signed_at = peewee.DateTimeField()
    document = peewee.ForeignKeyField(SignedDocument, backref="+", on_delete="RESTRICT")

    class Meta:
        table_name = "complaint_month"


class PhoneMessage(BaseModel):
    """A message taken at the phone for an absent colleague (003 第一章: 同事不在时帮助接听
    电话，并留言记录): who called, how to reach them, what for, for whom, taken by whom. The
    addressee confirms it; until then the desk chases it (each chase counted)."""

    id = peewee.AutoField()
    visit = peewee.ForeignKeyField(Visit, null=True, backref="messages", on_delete="RESTRICT")
    caller = peewee.CharField(max_length=64)
    caller_title = peewee.CharField(max_length=16, default="")
    contact = peewee.CharField(max_length=64, default="")
    text = peewee.TextField()
    for_user = user_name_field(index=True)
    taken_at = peewee.DateTimeField(index=True)
    taken_by = user_name_field()
    confirmed_at = peewee.DateTimeField(null=True)
    chases = peewee.IntegerField(default=0)
    chased_at = peewee.DateTimeField(null=True)
    chased_by = user_name_field(default="")

    class Meta:
        table_name = "phone_message"


class TimeoutReview(BaseModel):
    """A supervisor's review of a timed-out entry (002): the cause, who is directly
    responsible, a supervisor's joint liability, the measure and any retraining. Written once;
    an appeal's decision is its own row."""

    id = peewee.AutoField()
    visit = peewee.ForeignKeyField(Visit, backref="timeout_reviews", on_delete="RESTRICT",
                                   unique=True)
    level = peewee.IntegerField()  # the entry's timeout level when reviewed
    cause = peewee.CharField(max_length=16)
    cause_text = peewee.TextField(default="")
    responsible = user_name_field(index=True)
    joint_supervisor = user_name_field(default="")
    measure = peewee.CharField(max_length=16)
    measure_text = peewee.TextField(default="")
    retraining = peewee.BooleanField(default=False)
    retraining_note = peewee.TextField(default="")
    reviewed_by = user_name_field()
    reviewed_at = peewee.DateTimeField()
    appeal_until = peewee.DateTimeField()

    class Meta:
        table_name = "timeout_review"


class TimeoutEvidence(BaseModel):
    """A file kept as evidence of a review (a recording, a screenshot), with its SHA-256."""

    id = peewee.AutoField()
    review = peewee.ForeignKeyField(TimeoutReview, backref="evidence", on_delete="RESTRICT")
    file_name = peewee.CharField(max_length=255)
    size = peewee.IntegerField()
    sha256 = peewee.CharField(max_length=64)
    data = peewee.BlobField()
    added_at = peewee.DateTimeField()
    added_by = user_name_field()

    class Meta:
        table_name = "timeout_evidence"


class TimeoutAppeal(BaseModel):
    """The appeal against a review, and its decision by someone other than the reviewer."""

    id = peewee.AutoField()
    review = peewee.ForeignKeyField(TimeoutReview, backref="appeals", on_delete="RESTRICT",
                                    unique=True)
    appellant = user_name_field()
    reason = peewee.TextField()
    filed_at = peewee.DateTimeField()
    decided_by = user_name_field(default="")
    decided_at = peewee.DateTimeField(null=True, index=True)
    outcome = peewee.CharField(max_length=16, default="")
    decision = peewee.TextField(default="")
    measure = peewee.CharField(max_length=16, default="")  # the measure that stands after

    class Meta:
        table_name = "timeout_appeal"
