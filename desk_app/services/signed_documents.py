"""Reading a stored signed form (R3, R15): it is shown only as it was signed."""

from __future__ import annotations

import hashlib
from typing import Any

from desk_app.domain.errors import Tampered
from desk_app.i18n import _
from desk_app.store import audit_chain
from desk_app.store.archive import LoanSlip, Renewal, ReturnReceipt, SignedDocument

# The record number a form of each kind carries, from its record's number.
_SUFFIX = {"destruction_record": "-R", "doc_instruction": "-PS", "complaint_signoff": "-C"}


def checked_pdf(document: SignedDocument, record_id: int | None = None) -> bytes:
    """The stored PDF, or ``Tampered``. Stored forms are append-only (triggers). The hash in the
    row catches a PDF edited without them; the hash in the audit entry of the signature catches
    a row whose hash was rewritten with it (the trail itself is anchored outside the database);
    the record's number catches a link swapped to another record's genuine form.
    ``record_id``: the record being shown (default: the record that links to the form)."""
    pdf = bytes(document.pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    if digest != document.sha256 or digest not in _signed_hashes(document, record_id):
        raise Tampered(_("The stored signed form {number} does not match the hash recorded "
                         "when it was signed: it was changed in the database.").format(
                             number=document.record_no))
    return pdf


def _records() -> dict[str, Any]:
    """Kind of signed form → the field of the record that links to it. The record's id is the
    audit entry's entity id; the entry is ``<kind>.sign`` on entity ``<kind>``, with the hash."""
    from desk_app.store.approvals import AccessRequest, Destruction
    from desk_app.store.documents import Document
    from desk_app.store.handover import Handover
    from desk_app.store.reception import ComplaintDecision, ComplaintMonth

    return {"loan_slip": LoanSlip.document, "return_receipt": ReturnReceipt.document,
            "renewal": Renewal.document,
            "access_approval": AccessRequest.document,
            "destruction_decision": Destruction.decision_document,
            "destruction_record": Destruction.record_document,
            "handover": Handover.document,
            # a complaint's decision (批示) and the customer's signed answer to it
            "complaint_decision": ComplaintDecision.document,
            "complaint_signoff": ComplaintDecision.customer_document,
            "complaint_stats": ComplaintMonth.document,  # a month's signed statistics
            # the document register (services/documents/common.py names the kinds)
            "doc_instruction": Document.instruction_document, "doc_incoming": Document.document,
            "doc_outgoing": Document.document, "doc_liaison": Document.document}


def _signed_hashes(document: SignedDocument, record_id: int | None = None) -> set[str]:
    """The SHA-256 the audit trail recorded when ``document`` was signed for its record —
    none when the record does not link to it, another record links to it too, or the record
    carries another number."""
    link = _records().get(document.kind)
    if link is None:
        return set()
    model = link.model
    where = link == document.id
    if record_id is not None:
        where &= model.id == record_id
    rows = list(model.select(model.id, model.number).where(where).limit(2).tuples())
    if len(rows) != 1:  # unlinked, or two records claim one form: a link was swapped
        return set()
    ((record_id, number),) = rows
    if f"{number}{_SUFFIX.get(document.kind, '')}" != document.record_no:
        return set()
    return {str(after.get("sha256")) for after in
            audit_chain.recorded_after(document.kind, record_id, f"{document.kind}.sign")}
