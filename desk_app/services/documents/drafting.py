"""What drafting outgoing documents and liaison sheets shares: the attachment a drafter adds,
the digest of what a drafter signed, and numbers that must be printed on a sheet signed
before the transaction that draws them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from desk_app.domain import documents as rules
from desk_app.domain import text as typed
from desk_app.domain.archive import Level
from desk_app.domain.clock import local_day_start
from desk_app.domain.errors import PermissionDenied, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.store.documents import Document, DocumentAttachment
from desk_app.store.models import NumberCounter

ATTACHMENT_MAX = 20 * 1024 * 1024
NUMBER_ATTEMPTS = 20
"""How often a sheet is signed again when other desks drew the number it was signed with."""
REASON_MAX = 500


class NumberMoved(Exception):
    """Raised inside a write whose number another desk drew meanwhile: the transaction rolls
    back (its number with it, so no gap) and the sheet is signed again with the next one."""


def user_of(actor: Actor) -> int:
    """The signed-in person's id (the system actor drafts and signs nothing)."""
    if actor.user_id is None:
        raise PermissionDenied(_("Only a signed-in person drafts and signs documents."))
    return actor.user_id


def predicted(series: str, start_after: Callable[[], int]) -> int:
    """The number ``store.numbers.next_number`` will give next, unless another desk draws
    first (the caller checks inside its transaction). A sheet names its number when it is
    signed, and signing is too slow to hold the write lock for."""
    value = NumberCounter.select(NumberCounter.value).where(
        NumberCounter.series == series).scalar()
    return (int(value) if value is not None else start_after()) + 1


def issued_so_far(year: int) -> int:
    """Documents already numbered in ``year`` (local): where a new year's issued numbers
    start when their series has no counter yet."""
    start, end = local_day_start(date(year, 1, 1)), local_day_start(date(year + 1, 1, 1))
    return Document.select().where(Document.issued_no.is_null(False) & (Document.sent_at >= start)
                                   & (Document.sent_at < end)).count()


def check_attachment(attachment: tuple[str, bytes] | None) -> tuple[str, bytes] | None:
    """``(file name, bytes)``, at most 20 MB, or None."""
    if attachment is None:
        return None
    try:
        name, data = attachment
    except (TypeError, ValueError):
        raise ValidationError(_("An attachment is a file name and its content."),
                              field="attachment") from None
    name = rules.check_line(name, "attachment", _("The attachment's file name"), required=True)
    if not isinstance(data, bytes | bytearray) or not data:
        raise ValidationError(_("The attachment {name} is empty.").format(name=name),
                              field="attachment")
    if len(data) > ATTACHMENT_MAX:
        raise ValidationError(_("The attachment {name} is larger than 20 MB: scan it at a lower "
                                "resolution.").format(name=name), field="attachment")
    return name, bytes(data)


def store_attachment(doc_id: int, attachment: tuple[str, bytes], user_id: int,
                     at: datetime) -> dict[str, Any]:
    name, data = attachment
    digest = hashlib.sha256(data).hexdigest()
    DocumentAttachment.create(document=doc_id, name=name, sha256=digest, size=len(data),
                              data=data, added_by=user_id, added_at=at)
    return {"name": name, "size": len(data), "sha256": digest}


def attachment_of(doc_id: int) -> dict[str, Any] | None:
    """The attachment's name, size and hash (not its content), as the sheets print it."""
    row = (DocumentAttachment.select(DocumentAttachment.name, DocumentAttachment.size,
                                     DocumentAttachment.sha256)
           .where(DocumentAttachment.document == doc_id).order_by(DocumentAttachment.id).first())
    return None if row is None else {"name": row.name, "size": row.size, "sha256": row.sha256}


def check_reason(reason: str, missing: str) -> str:
    """A refusal's or a withdrawal's reason: one line, required (``missing`` says so)."""
    text = rules.check_line(reason, "reason", _("The reason"), limit=REASON_MAX)
    return typed.required(text, "reason", missing)


def labels(level: str, urgency: str) -> dict[str, str]:
    return {"level_label": Level(level).label, "urgency_label": rules.Urgency(urgency).label}


def content_digest(values: dict[str, Any]) -> str:
    """The digest of what the drafter signed (number, text, addressee, kind, level, urgency,
    department, correction, attachment): recorded with each signature and compared before
    the next one, so text changed in the database is never signed over."""
    keys = ("number", "title", "addressee", "body", "kind_id", "level", "urgency", "dept_id",
            "to_dept_id", "corrects_id", "attachment")
    canonical = json.dumps([values.get(key) for key in keys], ensure_ascii=False,
                           sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def row_content(row: Document) -> dict[str, Any]:
    found = attachment_of(row.id)
    return {"number": row.number, "title": row.title, "addressee": row.addressee,
            "body": row.body, "kind_id": row.kind_id, "level": row.level,
            "urgency": row.urgency, "dept_id": row.dept_id, "to_dept_id": row.to_dept_id,
            "corrects_id": row.corrects_id, "attachment": found["sha256"] if found else None}
