"""Printed forms of reception: the call-back record (回访记录表) and the monthly complaint
statistics by category (顾客投诉分类统计表).

The reception services pass the company name and plain values (texts already chosen, times
from the standard clock); each form comes back with its empty signature fields, ready to sign.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from desk_app.domain.clock import format_datetime
from desk_app.domain.reception import addressed
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec, SignatureSlot
from desk_app.i18n import _


def callback_pdf(company: str, at: datetime, record: dict[str, Any]) -> bytes:
    """The call-back record: ``record`` holds the call-back's fields (``name``,
    ``caller_title``, ``contact``, ``due_at``, ``handler``, ``created_by``, ``created_at``,
    ``purpose``, ``done_at``, ``done_by``, ``result``) plus ``number``, ``origin`` (the log
    entry it came from, or ""), and the translated ``status`` and ``satisfaction``."""
    spec = FormSpec(company, _("Call-back record"), record["number"], at)
    spec.key_values([
        (_("Customer"), addressed(record['name'], record['caller_title'])),
        (_("Contact"), record["contact"]),
        (_("Scheduled for"), format_datetime(record["due_at"])),
        (_("Handler"), record["handler"]),
        (_("Scheduled by"), f"{record['created_by']}  {format_datetime(record['created_at'])}"),
        (_("Origin"), record["origin"] or "—"),
    ])
    spec.heading(_("Purpose of the call-back"))
    spec.paragraph(record["purpose"])
    spec.heading(_("Result"))
    spec.key_values([
        (_("Status"), record["status"]),
        (_("Called at"), format_datetime(record["done_at"]) or "—"),
        (_("Called by"), record["done_by"] or "—"),
        (_("Satisfaction"), record["satisfaction"] or "—"),
    ])
    spec.paragraph(record["result"] or "")
    spec.signatures([SignatureSlot("handler", _("Handled by"))])
    return ready_to_sign(spec)


def complaint_stats_pdf(company: str, at: datetime, number: str, month_text: str,
                        complaints: int, prepared_by: str, header: list[str],
                        table: Sequence[Sequence[Any]],
                        review: dict[str, Any] | None = None) -> bytes:
    """The monthly statistics table with the preparer's and the supervisor's signature.
    ``review`` makes it the supervisor's signed record of the month: ``causes`` (rows:
    cause, this month, last month), ``analysis``, ``measures`` and ``previous`` (last
    month's measures as a sentence, or ""); then only the supervisor signs."""
    spec = FormSpec(company, _("Complaint statistics by category"), number, at)
    spec.key_values([(_("Month"), month_text), (_("Complaints"), str(complaints)),
                     (_("Prepared by"), prepared_by)])
    spec.table(header, [list(row) for row in table], col_widths=[22, 10, 10, 12, 8, 14, 9])
    spec.paragraph(_("“Replied on time” counts replies given by the promised time."))
    if review is None:
        spec.signatures([("preparer", _("Prepared by")), ("supervisor", _("Supervisor"))])
        return ready_to_sign(spec)
    spec.heading(_("Causes"))
    spec.table([_("Cause"), _("This month"), _("Last month")], review["causes"],
               col_widths=[40, 12, 12])
    spec.heading(_("Last month's improvement measures"))
    spec.paragraph(review["previous"] or _("None were recorded."))
    spec.heading(_("Cause analysis"))
    spec.paragraph(review["analysis"])
    spec.heading(_("Improvement measures"))
    spec.paragraph(review["measures"])
    spec.signatures([("supervisor", _("Supervisor"))])
    return ready_to_sign(spec)


def _complaint_facts(spec: FormSpec, record: dict[str, Any], internal: bool) -> None:
    pairs = [
        (_("Complaint"), record["complaint_no"]),
        (_("Received"), format_datetime(record["received_at"])),
        (_("Customer"), record["customer"] or "—"),
        (_("Contact"), record["contact"] or "—"),
        (_("Category"), record["category"]),
        (_("Severity"), record["severity"]),
        (_("Handler"), record["handler"]),
    ]
    if internal:
        pairs.append((_("Staff concerned"), record["staff"] or "—"))
    spec.key_values(pairs)
    spec.heading(_("The complaint"))
    spec.paragraph(record["description"])


def _complaint_body(spec: FormSpec, record: dict[str, Any]) -> None:
    """The complaint as decided: facts, cause analysis, every proposal with what became of
    it, and the decision (批示). ``record``: see :func:`complaint_decision_pdf`."""
    _complaint_facts(spec, record, internal=True)
    spec.heading(_("Cause analysis"))
    spec.key_values([(_("Cause"), record["cause"])])
    spec.paragraph(record["cause_text"] or "—")
    spec.heading(_("Proposed resolutions"))
    spec.table([_("No."), _("Proposal"), _("Proposed by"), _("Outcome")],
               record["proposals"], col_widths=[6, 50, 14, 20])
    spec.heading(_("Decision"))
    for refusal in record.get("refusals", ()):
        spec.paragraph(refusal)
    spec.key_values([
        (_("Decision"), record["decision_no"]),
        (_("Resolution chosen"), record["chosen"]),
        (_("Decided by"), f"{record['decided_by']} ({record['decided_role']})"),
        (_("Decided at"), format_datetime(record["decided_at"])),
    ])
    spec.paragraph(record["instruction"])


def complaint_decision_pdf(company: str, at: datetime, record: dict[str, Any]) -> bytes:
    """The decision form (投诉处理批示单), signed by the one who decides. ``record`` holds
    ``complaint_no``, ``decision_no``, ``received_at``, ``customer``, ``contact``,
    ``category``, ``severity``, ``handler``, ``staff``, ``description``, ``cause``,
    ``cause_text``, ``proposals`` (rows: no., text, proposed by, outcome), ``chosen``,
    ``instruction``, ``decided_by``, ``decided_role``, ``decided_at``, ``refusals`` (earlier
    decisions the customer refused, as sentences); texts translated."""
    spec = FormSpec(company, _("Complaint decision"), record["decision_no"], at)
    _complaint_body(spec, record)
    spec.signatures([SignatureSlot("decider", _("Decided by"))])
    return ready_to_sign(spec)


def complaint_signoff_pdf(company: str, at: datetime, record: dict[str, Any],
                          customer_png: bytes) -> bytes:
    """The customer's acceptance of the decided resolution: the complaint and the resolution
    (not the office's own analysis, the staff concerned or the proposals not chosen), the
    customer's handwriting drawn at the desk, and the clerk's signature box."""
    spec = FormSpec(company, _("Complaint resolution accepted"), f"{record['decision_no']}-C",
                    at)
    _complaint_facts(spec, record, internal=False)
    spec.heading(_("Resolution"))
    spec.key_values([(_("Decision"), record["decision_no"]),
                     (_("Decided at"), format_datetime(record["decided_at"]))])
    spec.paragraph(record["chosen"])
    spec.heading(_("The customer's answer"))
    spec.paragraph(_("I have been told the resolution above and accept it."))
    spec.handwriting(_("Customer"), customer_png)
    spec.signatures([SignatureSlot("clerk", _("Handled by"))])
    return ready_to_sign(spec)
