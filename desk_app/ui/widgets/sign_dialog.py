"""The one dialog that asks a user to sign (R15): who signs, what for, password, handwriting.

Used by every flow that signs a form (audit export, loan slips, …)::

    answer = SignDialog.ask(self, "王芳 · Clerk", _("Sign the loan slip LN-0001."))
    if answer is None:
        return  # cancelled
    password, handwriting_png = answer

The service that signs refuses a wrong password (``AuthenticationFailed``); the caller
shows that with ``show_password_error`` and opens the same dialog again, the drawing kept
(``ask_and_sign`` does both). A flow that signs later, in a background job (an export, a
handover), passes ``check``: *Sign* then checks the password first (``check(password)``
raises ``AuthenticationFailed``) and a wrong one is refused here, at the password field,
with the drawing still on the pad.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import AuthenticationFailed, DeskError, ValidationError
from desk_app.i18n import _
from desk_app.ui.widgets.fields import FieldError, heading_label
from desk_app.ui.widgets.signature_pad import SignaturePad

T = TypeVar("T")


class SignDialog(QDialog):
    """Ask for a password and/or a handwritten signature. Read ``password`` and
    ``handwriting_png`` after ``accept()``; OK is refused while the pad is empty."""

    def __init__(self, signer_label: str, prompt: str, need_password: bool = True,
                 need_pad: bool = True, parent: QWidget | None = None,
                 check: Callable[[str], object] | None = None) -> None:
        super().__init__(parent)
        self.check = check
        self.setObjectName("sign_dialog")
        self.setWindowTitle(_("Sign"))
        self.need_password, self.need_pad = need_password, need_pad
        self.password: str = ""
        self.handwriting_png: bytes | None = None

        self.signer_label = heading_label(signer_label, "signer", 1.25)
        self.signer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prompt_label = QLabel(prompt)
        self.prompt_label.setObjectName("prompt")
        self.prompt_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.signer_label)
        layout.addWidget(self.prompt_label)

        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_error = FieldError()
        self.password_edit.setVisible(need_password)
        if need_password:
            form = QFormLayout()
            password_label = QLabel(_("Your &password:"))
            password_label.setBuddy(self.password_edit)
            form.addRow(password_label, self.password_edit)
            self.password_error.setObjectName("password_error")
            form.addRow("", self.password_error)
            layout.addLayout(form)

        self.pad = SignaturePad()
        self.clear_button = QPushButton(_("C&lear"))
        self.clear_button.setObjectName("clear")
        self.undo_button = QPushButton(_("&Undo stroke"))
        self.undo_button.setObjectName("undo")
        self.pad_error = FieldError()
        self.pad.setVisible(need_pad)
        if need_pad:
            pad_label = QLabel(_("Your handwritten signature:"))
            layout.addWidget(pad_label)
            layout.addWidget(self.pad, 1)
            tools = QHBoxLayout()
            hint = QLabel(_("Ctrl+Z undoes a stroke, Delete clears."))
            hint.setEnabled(False)
            tools.addWidget(hint)
            tools.addStretch(1)
            tools.addWidget(self.undo_button)
            tools.addWidget(self.clear_button)
            layout.addLayout(tools)
            self.pad_error.setObjectName("pad_error")
            layout.addWidget(self.pad_error)
            self.clear_button.clicked.connect(self.pad.clear)
            self.undo_button.clicked.connect(self.pad.undo_stroke)
            self.pad.changed.connect(self._pad_changed)
            self._pad_changed()

        self.general_error = FieldError()  # a check's other refusal (the folder went away)
        self.general_error.setObjectName("sign_error")
        layout.addWidget(self.general_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("&Sign"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        if need_password:
            self.password_edit.setFocus()
        elif need_pad:
            self.pad.setFocus()
        if need_pad:
            self.resize(540, 420)

    def _pad_changed(self) -> None:
        has_ink = not self.pad.is_empty()
        self.clear_button.setEnabled(has_ink)
        self.undo_button.setEnabled(has_ink)
        if has_ink:
            self.pad_error.clear_message()

    def accept(self) -> None:
        """Keep the dialog open with a message unless everything asked for is given."""
        self.password_error.clear_message()
        self.pad_error.clear_message()
        self.general_error.clear_message()
        password = self.password_edit.text()
        if self.need_password and not password:
            self.password_error.show_message(_("Please enter your password."))
            self.password_edit.setFocus()
            return
        handwriting = None
        if self.need_pad:
            try:
                handwriting = self.pad.signature_png()
            except ValidationError as error:
                self.pad_error.show_message(str(error))
                self.pad.setFocus()
                return
        if self.check is not None and self.need_password and not self._checked(password):
            return
        self.password = password if self.need_password else ""
        self.handwriting_png = handwriting
        super().accept()

    def _checked(self, password: str) -> bool:
        """``check(password)`` before the dialog closes; a refusal is shown here."""
        assert self.check is not None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a password hash: ~0.2 s
        try:
            self.check(password)
        except AuthenticationFailed as error:
            self.show_password_error(str(error))
            return False
        except DeskError as error:
            self.general_error.show_message(str(error))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        return True

    def reject(self) -> None:
        self.password_edit.clear()
        super().reject()

    def show_password_error(self, message: str) -> None:
        """After the service refused the password: say so here, keep the handwriting, and
        let the user type the password again (show the dialog again with ``open``/``exec``)."""
        self.password_edit.clear()
        self.password_error.show_message(message)
        self.password_edit.setFocus()  # the pad keeps its strokes: nothing to draw again

    @staticmethod
    def ask_and_sign(parent: QWidget | None, signer_label: str, prompt: str,
                     attempt: Callable[[str, bytes | None], T], tries: int = 3) -> T | None:
        """Ask for password and signature, then ``attempt(password, handwriting_png)``. A
        refused password asks again in the same dialog, the drawing kept; ``None`` when the
        user cancels or after ``tries`` refusals."""
        dialog = SignDialog(signer_label, prompt, True, True, parent)
        try:
            for _try in range(tries):
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return None
                try:
                    return attempt(dialog.password, dialog.handwriting_png)
                except AuthenticationFailed as error:
                    dialog.show_password_error(str(error))
            return None
        finally:
            dialog.deleteLater()

    @staticmethod
    def ask(parent: QWidget | None, signer_label: str, prompt: str, need_password: bool = True,
            need_pad: bool = True, check: Callable[[str], object] | None = None
            ) -> tuple[str, bytes | None] | None:
        """Show the dialog modally; ``(password, handwriting_png)`` or ``None`` if cancelled.
        With ``check`` the password is checked before the dialog closes (module doc)."""
        dialog = SignDialog(signer_label, prompt, need_password, need_pad, parent, check)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.password, dialog.handwriting_png
        finally:
            dialog.deleteLater()
