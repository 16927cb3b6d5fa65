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
                        table: Sequence[Sequence[Any]]) -> bytes:
    """The monthly statistics table with the preparer's and the supervisor's signature."""
    spec = FormSpec(company, _("Complaint statistics by category"), number, at)
    spec.key_values([(_("Month"), month_text), (_("Complaints"), str(complaints)),
                     (_("Prepared by"), prepared_by)])
    spec.table(header, [list(row) for row in table], col_widths=[22, 10, 10, 12, 8, 14, 9])
    spec.paragraph(_("“Replied on time” counts replies given by the promised time."))
    spec.signatures([("preparer", _("Prepared by")), ("supervisor", _("Supervisor"))])
    return ready_to_sign(spec)
