"""The sign-in dialog: user name, password, language; shows which database is used."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.i18n import _, current_language
from desk_app.ui.branding import apply_display_name, product_name
from desk_app.ui.language import apply_language, language_choices
from desk_app.ui.widgets.fields import FieldError

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from desk_app.domain.users import Actor

log = logging.getLogger(__name__)


class LoginDialog(QDialog):
    """``exec``/``open`` it; after ``accepted`` the signed-in actor is in ``self.actor``.

    ``desk`` may be None at first: the window appears at once while the database opens,
    then ``set_desk`` enables signing in. Nothing here before that touches PySide6's ``Qt``
    namespace (~45 ms to build its enums, see ``desk_app.ui.app``).
    """

    language_changed = Signal(str)
    first_painted = Signal()  # the window is on screen: the database may take its time now

    def __init__(self, desk=None, parent: QWidget | None = None, name: str = "") -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor: Actor | None = None
        self.language_picked = False
        self.painted = False
        self.setObjectName("login")

        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)

        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("name")
        self.name_edit.setMaxLength(32)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = FieldError()
        self.error_label.setObjectName("error")
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("language")
        for code, label in language_choices():
            self.language_combo.addItem(label, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(current_language())))
        self.database_label = QLabel()
        self.database_label.setObjectName("database")
        # Selectable (someone may copy the URL), which also sets how the row is laid out.
        # Through the property, as setTextInteractionFlags would need the Qt namespace.
        self.database_label.setProperty("textInteractionFlags", "TextSelectableByMouse")
        self.database_label.setWordWrap(True)
        self.database_label.setStyleSheet("color: palette(placeholder-text);")

        self.name_label, self.password_label = QLabel(), QLabel()
        self.language_label, self.database_title = QLabel(), QLabel()
        self.name_label.setBuddy(self.name_edit)
        self.password_label.setBuddy(self.password_edit)
        self.language_label.setBuddy(self.language_combo)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.name_label, self.name_edit)
        form.addRow(self.password_label, self.password_edit)
        form.addRow("", self.error_label)
        form.addRow(self.language_label, self.language_combo)
        form.addRow(self.database_title, self.database_label)

        self.buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton()
        self.sign_in_button.setObjectName("sign_in")
        self.quit_button = QPushButton()
        self.quit_button.setObjectName("quit")
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addWidget(self.subtitle)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.quit_button.setAutoDefault(False)
        self.sign_in_button.setDefault(True)  # after the layout: needs the dialog as parent
        self.setTabOrder(self.name_edit, self.password_edit)
        self.setTabOrder(self.password_edit, self.language_combo)
        self.setTabOrder(self.language_combo, self.sign_in_button)
        self.setTabOrder(self.sign_in_button, self.quit_button)
        self.language_combo.currentIndexChanged.connect(self._language_picked)
        self.setMinimumWidth(460)
        self.retranslate()
        self.set_desk(desk)
        (self.password_edit if name else self.name_edit).setFocus()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            self.first_painted.emit()

    def retranslate(self) -> None:
        apply_display_name()
        self.setWindowTitle(_("Sign in — {product}").format(product=product_name()))
        self.heading.setText(self._company() or product_name())
        self.subtitle.setText(_("{product} — sign in with your user name and password.").format(
            product=product_name()) if self._company() else
            _("Sign in with your user name and password."))
        self.name_label.setText(_("&User name:"))
        self.password_label.setText(_("&Password:"))
        self.language_label.setText(_("&Language:"))
        self.database_title.setText(_("Database:"))
        self.sign_in_button.setText(_("Sign in"))
        self.quit_button.setText(_("Quit"))
        if self.desk is None:
            self.database_label.setText(_("Opening the database…"))

    def _company(self) -> str:
        if self.desk is None:
            return ""
        try:
            return str(self.desk.settings.value("company_name"))
        except DeskError:
            return ""

    def set_desk(self, desk) -> None:
        self.desk = desk
        self.sign_in_button.setEnabled(desk is not None)
        if desk is not None:
            self.retranslate()
            self.database_label.setText(desk.ctx.url.display())
        else:
            self.database_label.setText(_("Opening the database…"))

    def set_language(self, language: str) -> None:
        """Show ``language`` (e.g. the database's setting) unless the user picked one here."""
        if self.language_picked:
            return
        index = self.language_combo.findData(language)
        if index >= 0 and index != self.language_combo.currentIndex():
            self.language_combo.blockSignals(True)
            self.language_combo.setCurrentIndex(index)
            self.language_combo.blockSignals(False)
        apply_language(language)
        self.retranslate()

    def _language_picked(self, index: int) -> None:
        self.language_picked = True
        language = apply_language(self.language_combo.itemData(index))
        self.retranslate()
        self.error_label.clear_message()
        self.language_changed.emit(language)

    def sign_in(self) -> None:
        if self.desk is None:
            return
        name = self.name_edit.text().strip()
        if not name:
            self._fail(_("Enter your user name."), self.name_edit)
            return
        try:
            self.actor = self.desk.auth.login(name, self.password_edit.text())
        except DeskError as error:
            log.info("sign-in refused for %s: %s", name, error)
            self._fail(str(error), self.password_edit)
            return
        self.error_label.clear_message()
        self.password_edit.clear()
        self.accept()

    def _fail(self, message: str, focus: QLineEdit) -> None:
        self.error_label.show_message(message)
        self.password_edit.clear()
        focus.setFocus()
