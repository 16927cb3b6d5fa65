"""What every page's signing forms share: Ctrl+Enter saves, the signer's password and
handwriting, and a stored signed form opened in the background and previewed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.registers import preview_pdf


def ctrl_enter_saves(dialog: FormDialog) -> None:
    """Ctrl+Enter presses OK, also in a reason field (where Enter starts a new line)."""
    save = QAction(dialog)
    save.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    save.triggered.connect(lambda _checked=False: dialog.ok_button.click())
    dialog.addAction(save)


def sign_as(parent: QWidget, actor: Actor, what: str,
            sign: Callable[[str, bytes | None], Any]) -> Any:
    """The signer's password and handwriting, then ``sign(password, png)``; a wrong password
    asks again (three tries). None when cancelled."""
    from desk_app.ui.widgets.sign_dialog import SignDialog

    def busy_sign(password: str, png: bytes | None) -> Any:
        # Rendering and signing the form takes most of a second, like a loan slip's: the
        # signer sees a busy cursor meanwhile.
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return sign(password, png)
        finally:
            QApplication.restoreOverrideCursor()

    return SignDialog.ask_and_sign(
        parent, actor.label,
        _("Sign {what} with your password and your signature.").format(what=what), busy_sign, 3)


def show_document(parent: QWidget, desk: Any, load: Callable[[], bytes], name: str) -> Job:
    """Read a stored signed form (its hash checks) in the background, then preview it."""
    job = Job(lambda _progress: load(), desk=desk, parent=parent,
              label=_("Opening the form…"),
              on_success=lambda pdf: preview_pdf(parent, pdf, name))
    job.start()
    return job
