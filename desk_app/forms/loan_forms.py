"""Printed forms of the loan register: loan slip, return receipt, renewal slip, overdue
reminders (one notice, or a batch with one page per borrower).

The loan service passes the company name and plain records; each form is dated by its record
(lent at, returned at, reminder sent at), not by when it is printed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desk_app.domain.archive import CONDITION_LABELS
from desk_app.domain.clock import format_datetime
from desk_app.forms.signing import ready_to_sign
from desk_app.forms.spec import FormSpec
from desk_app.i18n import _, display_name

_local = format_datetime


def slip_pdf(company: str, slip: dict[str, Any], borrower_png: bytes | None) -> bytes:
    """The loan slip with its empty clerk signature field, ready to sign."""
    spec = FormSpec(company, _("Loan slip"), slip["number"], slip["lent_at"])
    borrower = slip["borrower"] + (f" · {slip['organisation']}" if slip["organisation"] else "")
    approvals = sorted({i["approval"] for i in slip["items"] if i.get("approval")})
    spec.key_values([
        (_("Borrower"), borrower), (_("Contact"), slip["contact"] or "—"),
        (_("Purpose"), slip["purpose"]), (_("Handled by"), slip["handler"]),
        (_("Lent at"), _local(slip["lent_at"])), (_("Due"), slip["due_on"].isoformat()),
        *([(_("Access approval"), ", ".join(approvals))] if approvals else []),
    ])
    spec.table([_("Reference"), _("Title"), _("Kind"), _("Department"), _("Due"), _("Approval")],
               [[i["ref"], i["title"], display_name(i["kind"]), display_name(i["dept"]),
                 _local(i["due_at"]) if i.get("due_at") else i["due_on"].isoformat(),
                 i.get("approval") or ""]
                for i in slip["items"]], col_widths=[3, 6, 2, 2, 2.5, 2.5])
    spec.paragraph(_("The borrower keeps the files safe, does not copy or pass them on, and "
                     "returns them by the due date."))
    spec.handwriting(_("Borrower"), borrower_png)
    spec.signatures([("clerk", _("Handled by"))])
    return ready_to_sign(spec)


def receipt_pdf(company: str, receipt: dict[str, Any], borrower_png: bytes | None) -> bytes:
    spec = FormSpec(company, _("Return receipt"), receipt["number"], receipt["returned_at"])
    spec.key_values([
        (_("Borrower"), receipt["borrower"]), (_("Received by"), receipt["handler"]),
        (_("Returned at"), _local(receipt["returned_at"])),
    ])
    spec.table([_("Reference"), _("Title"), _("Lent at"), _("Due"), _("Condition"), _("Notes")],
               [[i["ref"], i["title"], _local(i["lent_at"]), i["due_on"].isoformat(),
                 _(CONDITION_LABELS[i["condition"]]) if i["condition"] else "", i["notes"]]
                for i in receipt["items"]], col_widths=[3, 5, 3, 2, 2, 3])
    spec.handwriting(_("Borrower"), borrower_png)
    spec.signatures([("clerk", _("Handled by"))])
    return ready_to_sign(spec)


def office_contact_text(company: str, office_contact: str) -> str:
    """Whom a reminder's reader asks: the office's contact, else the company's name; ""
    when neither is set (then the notice names no one rather than an empty "ask us")."""
    return (office_contact or "").strip() or (company or "").strip()


def reminder_request(contact: str) -> str:
    """The notice's request: return the files, or renew — "ask us" only with whom to ask."""
    if contact:
        return _("The following files are past their due date. Please return them to the "
                 "archive room, or ask us to renew the loan.")
    return _("The following files are past their due date. Please return them to the "
             "archive room.")


def reminder_pdf(company: str, bundle: dict[str, Any], reminder_id: int, at: datetime,
                 office_contact: str = "") -> bytes:
    """One notice per borrower listing every overdue item (not signed: it is a letter)."""
    from desk_app.forms.render import render

    contact = office_contact_text(company, office_contact)

    spec = FormSpec(company, _("Overdue notice"), f"TX{at.year}-{reminder_id:06d}", at)
    spec.key_values([(_("To"), bundle["borrower"]), (_("Contact"), bundle["contact"] or "—")])
    spec.paragraph(reminder_request(contact))
    spec.table([_("Reference"), _("Title"), _("Due"), _("Days overdue")],
               [[loan["ref"], loan["title"], loan["due_on"].isoformat(), str(loan["days_overdue"])]
                for loan in bundle["loans"]], col_widths=[3, 7, 2, 2])
    if contact:
        spec.paragraph(_("Archive office: {contact}").format(contact=contact))
    return render(spec)


def renewal_pdf(company: str, renewal: dict[str, Any], borrower_png: bytes | None) -> bytes:
    """The renewal slip (XJ…): the old and new due date, signed like a loan slip."""
    spec = FormSpec(company, _("Renewal slip"), renewal["number"], renewal["renewed_at"])
    borrower = renewal["borrower"] + (
        f" · {renewal['organisation']}" if renewal["organisation"] else "")
    spec.key_values([
        (_("Borrower"), borrower), (_("Contact"), renewal["contact"] or "—"),
        (_("Handled by"), renewal["handler"]), (_("Lent at"), _local(renewal["lent_at"])),
        (_("Renewed at"), _local(renewal["renewed_at"])),
        (_("Was due"), renewal["old_due"].isoformat()),
        (_("Now due"), renewal["new_due"].isoformat()),
        (_("Renewal"), str(renewal["renewals"])),
    ])
    spec.table([_("Reference"), _("Title")],
               [[i["ref"], i["title"]] for i in renewal["items"]], col_widths=[3, 9])
    spec.paragraph(_("The borrower keeps the files safe, does not copy or pass them on, and "
                     "returns them by the new due date."))
    spec.handwriting(_("Borrower"), borrower_png)
    spec.signatures([("clerk", _("Handled by"))])
    return ready_to_sign(spec)


def reminder_batch_pdf(company: str, number: str, bundles: list[dict[str, Any]],
                       at: datetime, office_contact: str) -> bytes:
    """The printed overdue notices of one reminder run: one page per borrower, in the
    order given (pinyin order of the names), each with its issue date, the overdue items
    and the office's contact."""
    from desk_app.forms.render import render

    contact = office_contact_text(company, office_contact)
    spec = FormSpec(company, _("Overdue notice"), number, at)
    for index, bundle in enumerate(bundles):
        if index:
            spec.flowables(_page_break)
        spec.heading(bundle["borrower"])
        spec.key_values([
            (_("To"), bundle["borrower"]), (_("Contact"), bundle["contact"] or "—"),
            (_("Issued on"), _local(at)), (_("Notice"), bundle.get("number", number)),
        ])
        spec.paragraph(reminder_request(contact))
        spec.table([_("Reference"), _("Title"), _("Due"), _("Days overdue")],
                   [[loan["ref"], loan["title"], loan["due_on"].isoformat(),
                     str(loan["days_overdue"])] for loan in bundle["loans"]],
                   col_widths=[3, 7, 2, 2])
        if contact:
            spec.paragraph(_("Archive office: {contact}").format(contact=contact))
    if not bundles:
        spec.paragraph(_("Nothing to print: every notice went out by e-mail."))
    return render(spec)


def _page_break(width: float) -> list:
    from reportlab.platypus import PageBreak

    return [PageBreak()]
