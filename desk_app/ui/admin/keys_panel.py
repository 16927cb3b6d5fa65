"""The Admin page's "Signing keys" tab: who holds the CA's key, the recovery code, the CA
certificate and the revocation list for verifiers on other machines (docs/signing.md)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.fields import button_row
from desk_app.ui.widgets.files import save_file_name


class KeysPanel(QWidget):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.holders = QLabel()
        self.recovery = QLabel()
        self.here = QLabel()
        self.warning = QLabel()
        self.warning.setObjectName("keys_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #a33;")
        for label in (self.holders, self.recovery, self.here):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Administrators holding the CA's key:"), self.holders)
        form.addRow(_("Recovery code:"), self.recovery)
        form.addRow(_("Open on this desk:"), self.here)
        explain = QLabel(_(
            "The certificate authority signs every user's certificate. Its key opens only with "
            "an administrator's password or the printed recovery code, never with the database "
            "alone. Give auditors the CA certificate and the revocation list: with them "
            "`desk-app verify-pdf FILE --ca CA.pem --crl CRL` checks any exported PDF."))
        explain.setWordWrap(True)
        buttons, self.buttons = button_row("keys", (
            ("recovery_code", _("New &recovery code…"), self.new_recovery_code),
            ("export_ca", _("Export CA &certificate…"), lambda: self.export_ca()),
            ("export_crl", _("Export re&vocation list…"), lambda: self.export_crl()),
            ("recover", _("Open with recovery c&ode…"), lambda: self.recover())))
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.last_box: QMessageBox | None = None

    def refresh(self) -> None:
        try:
            status = self.desk.keys.ca_status(self.actor)
        except DeskError as error:
            show_error(self, error)
            return
        self.holders.setText(", ".join(status["holders"]) or _("none"))
        self.recovery.setText(_("made") if status["recovery_code"] else _("none"))
        self.here.setText(_("yes") if status["open"] else _("no"))
        warnings = []
        if not status["recovery_code"]:
            warnings.append(_("There is no recovery code: make one and lock the printout away."))
        if not status["open"]:
            warnings.append(_("The CA is not open for you on this desk: adding users and "
                              "resetting passwords will be refused. Sign in again, or open it "
                              "with the recovery code."))
        if status["legacy"]:
            warnings.append(_("The CA's secret is still stored in clear in the database."))
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        self.buttons["recover"].setEnabled(not status["open"])

    def _info(self, title: str, text: str, detail: str = "") -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("keys_message")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if detail:
            box.setInformativeText(detail)
            font = QFont("monospace")
            font.setStyleHint(QFont.StyleHint.Monospace)
            box.setFont(font)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()
        self.last_box = box
        return box

    def new_recovery_code(self) -> None:
        answer = QMessageBox.question(
            self, _("New recovery code"),
            _("Make a new recovery code? The old one stops working at once."))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.make_recovery_code()

    def make_recovery_code(self) -> str | None:
        try:
            code = self.desk.keys.new_recovery_code(self.actor)
        except DeskError as error:
            show_error(self, error)
            return None
        self._info(_("Recovery code"), _(
            "Print or write down this code and keep it locked away. It is shown only now; it "
            "opens the certificate authority if no administrator can."), code)
        self.refresh()
        return code

    def _ask_path(self, title: str, suggested: str, filter_text: str) -> Path | None:
        path = save_file_name(self, title, "keys", suggested, filter_text)
        return Path(path) if path else None

    def export_ca(self, path: Path | None = None) -> Path | None:
        path = path or self._ask_path(_("Export CA certificate"), "desk-ca.pem",
                                      _("Certificates (*.pem)"))
        if path is None:
            return None
        try:
            written = self.desk.keys.export_ca(self.actor, path, force=True)
        except DeskError as error:
            show_error(self, error)
            return None
        self._info(_("CA certificate"), _("Written to {path}.").format(path=written))
        return written

    def export_crl(self, path: Path | None = None) -> Path | None:
        path = path or self._ask_path(_("Export revocation list"), "desk-ca.crl",
                                      _("Revocation lists (*.crl *.pem)"))
        if path is None:
            return None
        try:
            written = self.desk.keys.export_crl(self.actor, path, force=True)
        except DeskError as error:
            show_error(self, error)
            return None
        self._info(_("Revocation list"), _("Written to {path}.").format(path=written))
        return written

    def recover(self, code: str | None = None) -> bool:
        if code is None:
            code, ok = QInputDialog.getText(self, _("Open with recovery code"),
                                            _("Recovery code:"), QLineEdit.EchoMode.Password)
            if not ok or not code:
                return False
        try:
            self.desk.keys.recover(self.actor, code)
        except DeskError as error:
            show_error(self, error)
            return False
        self.refresh()
        return True
