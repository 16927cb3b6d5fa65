"""Tables of keys and equipment, shifts and the rota, and the shift handover (R8–R12).

A handover's signed PDF is a ``SignedDocument`` once the supervisor countersigned (never
edited); until then the partly signed PDF waits in ``Handover.pending_pdf``.
"""

from __future__ import annotations

import peewee

from desk_app.store.archive import SignedDocument
from desk_app.store.models import BaseModel, User


class Equipment(BaseModel):
    """One tagged article of the key and equipment register: a key, a phone, a radio, a
    folder of documents, a counted supply. Who holds it now: its open ``EquipmentLoan``."""

    id = peewee.AutoField()
    tag = peewee.CharField(max_length=40, unique=True)  # as on its label/barcode: K-101
    name = peewee.CharField(max_length=200)
    kind = peewee.CharField(max_length=12, index=True)  # domain.equipment.EquipmentKind
    home = peewee.CharField(max_length=200, default="")  # where it lives: "key cabinet A"
    count = peewee.IntegerField(default=1)  # how many there should be (supplies: 10 reams)
    condition = peewee.CharField(max_length=12, default="good")
    on_checklist = peewee.BooleanField(default=True)  # counted at every handover
    active = peewee.BooleanField(default=True)  # retired articles stay for their history
    created_at = peewee.DateTimeField()


class EquipmentLoan(BaseModel):
    """One checkout: to whom, why, until when (the curfew), and its check-in.

    ``open_for`` is the article's id while it is out and NULL once back: a unique column, so
    two desks can never check the same article out twice (NULLs do not collide)."""

    id = peewee.AutoField()
    equipment = peewee.ForeignKeyField(Equipment, backref="loans", on_delete="RESTRICT",
                                       index=True)
    holder = peewee.ForeignKeyField(User, on_delete="RESTRICT", index=True)
    reason = peewee.CharField(max_length=500)
    out_at = peewee.DateTimeField(index=True)
    out_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    due_at = peewee.DateTimeField(index=True)
    in_at = peewee.DateTimeField(null=True, index=True)
    in_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    condition_in = peewee.CharField(max_length=12, default="")
    note_in = peewee.CharField(max_length=500, default="")
    open_for = peewee.IntegerField(null=True, unique=True)
    equipment_id: int
    holder_id: int


class ChecklistTemplateLine(BaseModel):
    """A line every handover counts that is not a tagged article (the duty logbook, a box of
    forms): the admin-editable part of the checklist."""

    id = peewee.AutoField()
    label = peewee.CharField(max_length=200)
    kind = peewee.CharField(max_length=12)  # the checklist section, as EquipmentKind
    expected = peewee.IntegerField(default=1)
    position = peewee.IntegerField(default=0)
    active = peewee.BooleanField(default=True)


class ShiftSwap(BaseModel):
    """A request that someone else works a rota line (调班/顶班), decided by a supervisor
    beforehand (R12): pending → approved | refused."""

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)  # TB2026-0001
    day = peewee.DateField(index=True)
    shift = peewee.CharField(max_length=20)
    absent = peewee.ForeignKeyField(User, on_delete="RESTRICT")  # who was on the rota
    substitute = peewee.ForeignKeyField(User, on_delete="RESTRICT")  # who works instead
    reason = peewee.CharField(max_length=500)
    status = peewee.CharField(max_length=12, index=True)
    requested_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    requested_at = peewee.DateTimeField(index=True)
    decided_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    decided_at = peewee.DateTimeField(null=True)
    decision_reason = peewee.CharField(max_length=500, default="")


class RotaLine(BaseModel):
    """Who is on which shift of which day. An approved swap rewrites ``user`` and keeps who
    was planned in ``planned``, so the rota shows the swap."""

    id = peewee.AutoField()
    day = peewee.DateField(index=True)
    shift = peewee.CharField(max_length=20)
    user = peewee.ForeignKeyField(User, on_delete="RESTRICT", index=True)
    planned = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    swap = peewee.ForeignKeyField(ShiftSwap, null=True, on_delete="RESTRICT")
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = peewee.DateTimeField()
    user_id: int

    class Meta:
        indexes = ((("day", "shift", "user"), True),)


class Handover(BaseModel):
    """One handover from the outgoing to the incoming person (domain.handover.Status).

    ``open_slot`` is 1 while the handover is open and NULL after: a unique column, so two
    desks can never start two open handovers at once (NULLs do not collide)."""

    document_id: int | None

    id = peewee.AutoField()
    number = peewee.CharField(max_length=40, unique=True)  # JB2026-0001
    shift_day = peewee.DateField(index=True)
    shift = peewee.CharField(max_length=20)
    scheduled_at = peewee.DateTimeField()  # end of the outgoing shift (R8: standard clock)
    outgoing = peewee.ForeignKeyField(User, on_delete="RESTRICT", index=True)
    incoming = peewee.ForeignKeyField(User, on_delete="RESTRICT", index=True)
    substitute = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    supervisor = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    status = peewee.CharField(max_length=16, index=True)
    open_slot = peewee.IntegerField(null=True, unique=True)
    started_at = peewee.DateTimeField(index=True)
    outgoing_signed_at = peewee.DateTimeField(null=True)
    handed_over_at = peewee.DateTimeField(null=True)  # the incoming signature: actual time
    locked_at = peewee.DateTimeField(null=True)
    equipment_note = peewee.CharField(max_length=500, null=True)  # R12 (2) flag, with note
    equipment_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    unfit_note = peewee.CharField(max_length=500, null=True)  # R12 (4) flag, with note
    unfit_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    pending_pdf = peewee.BlobField(null=True)  # signed by outgoing (and incoming) so far
    document = peewee.ForeignKeyField(SignedDocument, null=True, on_delete="RESTRICT")
    version = peewee.IntegerField(default=0)  # bumped by every change: stale views see it
    outgoing_id: int
    incoming_id: int
    substitute_id: int | None
    supervisor_id: int | None


class HandoverEntry(BaseModel):
    """A problem, instruction, unfinished work or repair handed over (R9). ``origin``: the
    entry of an earlier handover this one carries forward (its first appearance)."""

    id = peewee.AutoField()
    handover = peewee.ForeignKeyField(Handover, backref="entries", on_delete="RESTRICT",
                                      index=True)
    no = peewee.IntegerField()
    kind = peewee.CharField(max_length=12)
    text = peewee.TextField()
    cause = peewee.TextField(default="")
    process = peewee.TextField(default="")
    result = peewee.TextField(default="")
    major = peewee.BooleanField(default=False)
    resolved = peewee.BooleanField(default=False)
    origin = peewee.ForeignKeyField("self", null=True, on_delete="RESTRICT", index=True)
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = peewee.DateTimeField()
    resolved_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    resolved_at = peewee.DateTimeField(null=True)
    handover_id: int
    origin_id: int | None

    class Meta:
        indexes = ((("handover", "no"), True),)


class ChecklistLine(BaseModel):
    """One line of a handover's checklist (R10): what should be there (from the register or
    the template) and what the incoming person found, face to face."""

    id = peewee.AutoField()
    handover = peewee.ForeignKeyField(Handover, backref="lines", on_delete="RESTRICT",
                                      index=True)
    no = peewee.IntegerField()
    kind = peewee.CharField(max_length=12)  # section, as EquipmentKind
    label = peewee.CharField(max_length=200)
    tag = peewee.CharField(max_length=40, default="")  # scan target; "" for template lines
    equipment = peewee.ForeignKeyField(Equipment, null=True, on_delete="RESTRICT")
    expected = peewee.IntegerField()  # at the desk now (0 when it is out)
    out_with = peewee.CharField(max_length=200, default="")  # "Bob, due 17:30" when out
    found = peewee.IntegerField(null=True)
    condition = peewee.CharField(max_length=12, default="")
    note = peewee.CharField(max_length=500, default="")
    counted_by = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    counted_at = peewee.DateTimeField(null=True)
    discrepancy = peewee.BooleanField(default=False, index=True)  # escalated to the supervisor
    handover_id: int

    class Meta:
        indexes = ((("handover", "no"), True),)


class HandoverRefusal(BaseModel):
    """A handover the rules forbade (R12) at the moment someone tried to sign it."""

    id = peewee.AutoField()
    handover = peewee.ForeignKeyField(Handover, backref="refusals", on_delete="RESTRICT",
                                      index=True)
    at = peewee.DateTimeField()
    by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    reasons = peewee.TextField()  # JSON list of {"code", "message"}


class HandoverCorrection(BaseModel):
    """A correction of a locked handover (R3): a linked record, the signed one unchanged."""

    id = peewee.AutoField()
    handover = peewee.ForeignKeyField(Handover, backref="corrections", on_delete="RESTRICT",
                                      index=True)
    text = peewee.TextField()
    by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    at = peewee.DateTimeField()
