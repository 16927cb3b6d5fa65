"""The signing steps at the loan desk (R15): the borrower's handwriting, then the clerk's
password and signature; and the question asked when someone cancels one of them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.widgets.sign_dialog import SignDialog

CLERK_TRIES = 3


def sign_form(parent: QWidget, actor: Actor, borrower: str, what: str,
              sign: Any) -> bytes | None:
    """The borrower's handwriting, then the clerk's password and signature, then ``sign``.

    ``sign(password, borrower_png, clerk_png) -> pdf``. A wrong password asks again (three
    tries). None when someone cancels: the record stays, unsigned.
    """
    answer = SignDialog.ask(parent, _("Borrower: {name}").format(name=borrower),
                            _("Please sign {what} by hand.").format(what=what),
                            need_password=False, need_pad=True)
    if answer is None:
        return None
    borrower_png = answer[1]
    prompt = _("Sign {what} with your password and your signature.").format(what=what)
    # One dialog for every try: a wrong password keeps the clerk's drawn signature.
    return SignDialog.ask_and_sign(
        parent, _("Handled by: {name}").format(name=actor.display_name), prompt,
        lambda password, clerk_png: sign(password, borrower_png, clerk_png), CLERK_TRIES)


def register_unsigned(parent: QWidget, what: str, registered: bool = False) -> bool:
    """After a cancel at a signing step: True to register (or, ``registered``, keep) the
    record without signature now, False to go back. Nothing is registered silently."""
    text = (_("{what} is not signed. Keep it unsigned now (it is marked unsigned in the "
              "Loans list and can be signed later), or go back to signing?") if registered else
            _("{what} is not signed. Register it without signature now (it is marked unsigned "
              "in the Loans list and can be signed later), or go back? Nothing is registered "
              "yet.")).format(what=what[:1].upper() + what[1:])
    box = QMessageBox(QMessageBox.Icon.Question, _("Not signed"), text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("unsigned_choice")
    go = box.addButton(_("Keep &unsigned") if registered else _("&Register without signature"),
                       QMessageBox.ButtonRole.AcceptRole)
    go.setObjectName("register_unsigned")
    back = box.addButton(_("&Go back"), QMessageBox.ButtonRole.RejectRole)
    back.setObjectName("go_back")
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    try:
        box.exec()
        return box.clickedButton() is go
    finally:
        box.deleteLater()
