"""Renew a loan: the clerk chooses the new due date (the proposed one from the loan period,
within the renewal rules), confirms, and the renewal slip is signed like a loan slip."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.errors import show_error
from desk_app.ui.loans.lend import sign_form
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.registers import day_text, preview_pdf


class RenewDialog(FormDialog):
    """One open loan: what it is, when it is due, the new due date; OK renews it and then
    asks for the borrower's and the clerk's signatures on the renewal slip."""

    def __init__(self, desk, actor: Actor, terms: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.terms = desk, actor, terms
        self.signed_pdf: bytes | None = None
        self.setObjectName("renew_dialog")
        self.setWindowTitle(_("Renew a loan"))
        about = QLabel(_("{ref} · {title}\nlent to {borrower}").format(
            ref=terms["ref"], title=terms["title"], borrower=terms["borrower"]))
        about.setObjectName("renew_about")
        about.setWordWrap(True)
        self.form.addRow(about)
        due = QLabel(day_text(terms["due_on"]))
        due.setObjectName("renew_old_due")
        self.form.addRow(QLabel(_("Due now:")), due)
        self.due_field = DateField(terms["proposed"], name="renew_due",
                                   minimum=terms["earliest"], maximum=terms["latest"])
        self.add_field("due", _("&New due date:"), self.due_field)
        rule = QLabel(_("From {first} to {last}. Renewal {n} of {limit}.").format(
            first=day_text(terms["earliest"]), last=day_text(terms["latest"]),
            n=terms["renewals"] + 1, limit=terms["limit"]))
        rule.setObjectName("renew_rule")
        rule.setWordWrap(True)
        self.form.addRow("", rule)
        self.ok_button.setText(_("&Renew"))
        self.due_field.line_edit.setFocus()
        self.due_field.line_edit.selectAll()

    def submit(self) -> dict[str, Any]:
        if self.due_field.error() or self.due_field.value() is None:
            raise ValidationError(self.due_field.error() or _("Choose the new due date."), "due")
        return self.desk.loans.renew(self.actor, self.terms["ref"], self.due_field.value())


def renew_loan(parent: QWidget, desk, actor: Actor, ref: str, host: Any) -> None:
    """Open the Renew dialog for ``ref`` (refused at once when it cannot be renewed); once
    renewed, the renewal slip is signed and shown. ``host``: the page (``run_dialog``)."""
    try:
        terms = desk.loans.renewal_terms(actor, ref)
    except DeskError as error:
        show_error(parent, error)
        return

    def renewed(row: dict[str, Any]) -> None:
        host.refresh()
        sign_renewal_slip(parent, desk, actor, row)

    host.run_dialog(RenewDialog(desk, actor, terms, parent), renewed)


def sign_renewal_slip(parent: QWidget, desk, actor: Actor, row: dict[str, Any]) -> bytes | None:
    """The borrower's handwriting and the clerk's signature on the renewal slip; a cancel
    leaves the renewal made and its slip unsigned (it can be signed later)."""
    renewal = row["renewal"]
    try:
        pdf = sign_form(parent, actor, row["borrower"],
                        _("the renewal slip {number}").format(number=renewal["number"]),
                        lambda password, borrower_png, clerk_png: desk.loans.sign_renewal(
                            actor, renewal["id"], password, borrower_png, clerk_png))
    except DeskError as error:
        show_error(parent, error)
        return None
    if pdf is not None:
        preview_pdf(parent, pdf, f"{renewal['number']}.pdf")
    return pdf
