"""The audit chain head a signed PDF carries (R16), and the signed checkpoint sheet.

Every signed register export and every signed checkpoint names, in its document
information, the chain head it was made at — ``/DeskAuditHead`` ``"seq:hash"``,
``/DeskDatabaseId`` and, when known, ``/DeskAuditHeadAt`` (the head entry's time, ISO UTC).
They are added before the signature (``with_audit_head``), so the signature covers them; a
later change to them shows as a change after signing. ``audit_head_of`` reads them back
(``desk-app audit verify --anchor FILE.pdf``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desk_app.domain.clock import format_datetime, parse_iso_utc
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec
from desk_app.i18n import _

SIGNER_SLOT = "signer"
HEAD_KEY, DATABASE_KEY, HEAD_AT_KEY = "/DeskAuditHead", "/DeskDatabaseId", "/DeskAuditHeadAt"
_HEAD = re.compile(r"(\d{1,18}):([0-9a-f]{64})")


@dataclass(frozen=True)
class AuditHead:
    seq: int
    hash: str
    database_id: str
    at: str | None = None  # ISO UTC text of the head entry's time


def with_audit_head(pdf: bytes, head: AuditHead) -> bytes:
    """``pdf`` (not signed yet) with ``head`` in its document information."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    add_audit_head(writer, head)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_audit_head(writer: Any, head: AuditHead) -> None:
    """``head`` in the document information, in the pending update of ``writer`` (a pyHanko
    ``IncrementalPdfFileWriter`` of a PDF not signed yet)."""
    from pyhanko.pdf_utils import generic

    try:
        info_ref = writer.trailer.raw_get("/Info")
    except KeyError:
        info_ref = writer.set_info(generic.DictionaryObject())
    info = info_ref.get_object()
    info[generic.pdf_name(HEAD_KEY)] = generic.pdf_string(f"{head.seq}:{head.hash}")
    info[generic.pdf_name(DATABASE_KEY)] = generic.pdf_string(head.database_id)
    if head.at:
        info[generic.pdf_name(HEAD_AT_KEY)] = generic.pdf_string(head.at)
    writer.mark_update(info_ref)


def audit_head_of(pdf: bytes) -> AuditHead | None:
    """The head a PDF's document information names; None when it names none (or the file
    cannot be read as a PDF)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        info = reader.trailer["/Info"]
        head = str(info.get(HEAD_KEY, ""))
        database_id = str(info.get(DATABASE_KEY, ""))
        at = str(info[HEAD_AT_KEY]) if HEAD_AT_KEY in info else None
    except Exception:  # not a PDF, no /Info, a damaged file: no head to read
        return None
    match = _HEAD.fullmatch(head)
    if match is None or not database_id:
        return None
    return AuditHead(int(match.group(1)), match.group(2), database_id, at)


@dataclass(frozen=True)
class CheckpointSheet:
    company: str
    head: AuditHead
    at: datetime  # the standard clock's time of signing
    signer: str  # "Full name (user name)"
    location: str  # the database as the desk names it (no password)


def checkpoint_pdf(sheet: CheckpointSheet) -> bytes:
    """One page stating the chain head, with the signer's empty field (``SIGNER_SLOT``)."""
    head = sheet.head
    spec = FormSpec(sheet.company, _("Audit trail checkpoint"), f"CKP-{head.seq:08d}", sheet.at,
                    head_hash=head.hash, author=sheet.signer)
    head_time = format_datetime(parse_iso_utc(head.at), seconds=True) if head.at else "—"
    spec.key_values([
        (_("Database"), head.database_id),
        (_("Location"), sheet.location),
        (_("Last entry"), str(head.seq)),
        (_("Its hash (chain head)"), head.hash),
        (_("Its time"), head_time),
        (_("Signed by"), sheet.signer),
    ])
    spec.paragraph(_(
        "The signer states that the audit trail of this database held the entries 1 to {seq} "
        "and that entry {seq} had the hash above. Keep this sheet outside the database: "
        "'desk-app audit verify --anchor FILE' reports the trail as broken when it no longer "
        "holds this entry with this hash (entries removed from its end, or the trail "
        "rewritten), or when a later entry is dated before it.").format(seq=head.seq))
    spec.signatures([(SIGNER_SLOT, _("Checkpoint signed by"))])
    return with_audit_head(ready_to_sign(spec), head)
