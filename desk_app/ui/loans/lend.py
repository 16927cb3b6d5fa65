"""Lending and taking back at the desk, by scanner and keyboard (R4), then signing the form (R15).

Lend: scan each item (Enter after each), say who borrows and why, Enter → the loan is
registered → the borrower signs by hand, the clerk signs with password and hand → the signed
slip is shown. Return works the same way with the return receipt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import archive as rules
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.archive import ItemView
from desk_app.services.borrowers import check_borrower
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.ui.loans.borrower_card import show_borrower_card
from desk_app.ui.loans.signing import (  # sign_form: also imported from here (renew.py)
    CLERK_TRIES,
    register_unsigned,
    sign_form,  # noqa: F401
)
from desk_app.ui.widgets.borrower_field import BorrowerField
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.fields import FieldError, grow_form, line_edit, show_field_error
from desk_app.ui.widgets.form_dialog import checked
from desk_app.ui.widgets.registers import preview_pdf
from desk_app.ui.widgets.scan_box import ScanBox
from desk_app.ui.widgets.sign_dialog import SignDialog

log = logging.getLogger(__name__)


def notice(parent: QWidget | None, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, _("Loans"), text, QMessageBox.StandardButton.Ok,
                      parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class ScanListDialog(QDialog):
    """A scan box feeding a list of items, with Remove; ``check(item)`` refuses items."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.result_value: Any = None
        self.signed_pdf: bytes | None = None
        self.items: dict[str, ItemView] = {}
        self.scan_box = ScanBox(_("S&can item:"))
        self.scan_box.setObjectName("dialog_scan")
        self.scan_box.add_shortcuts(self)
        self.list = QListWidget()
        self.list.setObjectName("item_list")
        self.list.setMinimumHeight(110)
        self.remove_button = QPushButton(_("&Remove"))
        self.remove_button.setObjectName("remove_item")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_selected)
        self.count_label = QLabel()
        self.count_label.setObjectName("item_count")
        self.scan_box.scanned.connect(self.add_ref)
        self.field_errors: dict[str, FieldError] = {}
        self.field_widgets: dict[str, QWidget] = {}
        self.general_error = FieldError()
        self.general_error.setObjectName("general_error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def items_group(self, title: str) -> QGroupBox:
        group = QGroupBox(title)
        layout = QVBoxLayout(group)
        layout.addWidget(self.scan_box)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        side = QVBoxLayout()
        side.addWidget(self.remove_button)
        side.addStretch(1)
        side.addWidget(self.count_label)
        row.addLayout(side)
        layout.addLayout(row)
        self._update_count()
        return group

    def finish_layout(self, *parts: Any) -> None:
        layout = QVBoxLayout(self)
        for part in parts:
            if isinstance(part, QWidget):
                layout.addWidget(part)
            else:
                layout.addLayout(part)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.ok_button.setDefault(True)
        self.setMinimumWidth(560)
        self.scan_box.focus()

    def check(self, item: ItemView) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def refs(self) -> list[str]:
        return list(self.items)

    def add_ref(self, code: str) -> bool:
        """Add a scanned or typed reference; a refusal is shown at the scan box."""
        try:
            item = self.desk.archive.scan(self.actor, code)
            if item.ref in self.items:
                raise ValidationError(_("{ref} is in the list already.").format(ref=item.ref), "ref")
            self.check(item)
        except DeskError as error:
            self.scan_box.show_message(str(error))
            return False
        self.scan_box.show_message("")
        self.items[item.ref] = item
        entry = QListWidgetItem(f"{item.ref}  ·  {item.title}")
        entry.setData(Qt.ItemDataRole.UserRole, item.ref)
        entry.setToolTip(item.location or "")
        self.list.addItem(entry)
        self.list.setCurrentRow(self.list.count() - 1)
        self._update_count()
        return True

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        entry = self.list.takeItem(row)
        self.items.pop(entry.data(Qt.ItemDataRole.UserRole), None)
        self._update_count()

    def _update_count(self) -> None:
        count = len(self.items)
        self.count_label.setText(ngettext("{count} item", "{count} items", count).format(count=count))

    def add_field(self, form: QFormLayout, key: str, label: str, widget: QWidget) -> QWidget:
        title = QLabel(label)
        title.setBuddy(widget)
        form.addRow(title, widget)
        error = FieldError()
        error.setObjectName(f"error_{key}")
        form.addRow("", error)
        self.field_errors[key] = error
        self.field_widgets[key] = widget
        return widget

    def error_at(self, field: str | None, message: str) -> None:
        """A refusal next to its field (the scan box for references), the rest below."""
        for label in (*self.field_errors.values(), self.general_error):
            label.clear_message()
        if field == "ref":
            self.scan_box.show_message(message)
            self.scan_box.focus()
            return
        show_field_error(self.field_errors, self.general_error, field, message)
        widget = self.field_widgets.get(field or "")
        if widget is not None and widget.isEnabled():
            widget.setFocus()


    def register_and_sign(self, register: Callable[[], dict],
                          sign: Callable[[Actor, int, str, bytes | None, bytes | None], bytes],
                          what: str, borrower: str, unsigned: Callable[[dict], str]) -> None:
        """The borrower's handwriting, then the clerk's password and signature; the record is
        written only once the password is right, then signed. A cancel at either step asks:
        register without signature now, or go back (nothing registered). Errors of the
        record itself are shown at their field and nothing is written."""
        answer = SignDialog.ask(self, _("Borrower: {name}").format(name=borrower),
                                _("Please sign {what} by hand.").format(what=what),
                                need_password=False, need_pad=True)
        written: dict[str, Any] = {}

        def write_and_sign(password: str, clerk_png: bytes | None) -> bytes:
            self.desk.keys.check_signing_password(self.actor, password)  # wrong: nothing written
            written.setdefault("record", register())
            return sign(self.actor, written["record"]["id"], password, answer[1] if answer else None,
                        clerk_png)

        pdf: bytes | None = None
        if answer is not None:
            prompt = _("Sign {what} with your password and your signature.").format(what=what)
            try:
                pdf = SignDialog.ask_and_sign(
                    self, _("Handled by: {name}").format(name=self.actor.display_name), prompt,
                    write_and_sign, CLERK_TRIES)
            except DeskError as error:
                if "record" not in written:
                    self.error_at(getattr(error, "field", None), str(error))
                    return
                log.warning("%s not signed: %s", written["record"]["number"], error)
        if "record" not in written:  # a signing step was cancelled: nothing is written yet
            if not register_unsigned(self, what):
                self.scan_box.focus()
                return
            ok, record = checked(self.error_at, register)
            if not ok:
                return
            written["record"] = record
        self.result_value = record = written["record"]
        QDialog.accept(self)
        parent = self.parentWidget()
        if pdf is not None:
            preview_pdf(parent, pdf, f"{record['number']}.pdf")
        else:
            notice(parent, unsigned(record))


class LendDialog(ScanListDialog):
    """``result_value`` is the slip dict (also when the signing was cancelled)."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(desk, actor, parent)
        self.setObjectName("lend_dialog")
        self.setWindowTitle(_("Lend"))

        self.staff_radio = QRadioButton(_("S&taff or a visitor seen before"))
        self.staff_radio.setObjectName("borrower_staff")
        self.staff_radio.setChecked(True)
        self.outside_radio = QRadioButton(_("New outside p&erson"))
        self.outside_radio.setObjectName("borrower_outside")
        # Finds staff and remembered visitors by name, pinyin, initials, user name or phone.
        self.borrower_field = BorrowerField(
            desk, actor, card=lambda parent, key: show_borrower_card(parent, desk, actor, key))
        self.borrower_field.chosen.connect(self._borrower_chosen)
        self.user_edit = self.borrower_field.line_edit
        self.name_edit = line_edit("borrower_name")
        self.contact_edit = line_edit("borrower_contact", placeholder=_("phone or e-mail"))
        self.organisation_edit = line_edit("borrower_organisation")
        borrower = QGroupBox(_("Borrower"))
        form = QFormLayout(borrower)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.staff_radio)
        self.add_field(form, "borrower", _("&User, name or phone:"), self.borrower_field)
        form.addRow(self.outside_radio)
        self.add_field(form, "name", _("&Name:"), self.name_edit)
        self.add_field(form, "contact", _("C&ontact:"), self.contact_edit)
        self.add_field(form, "organisation", _("Or&ganisation:"), self.organisation_edit)

        self.purpose_edit = line_edit("purpose")
        # The text is read (and parsed strictly) by _due below; the calendar picks a day.
        self.due_edit = DateField(None, name="due", optional=True)
        self.due_edit.line_edit.setPlaceholderText(
            _("YYYY-MM-DD; blank: the usual period of each kind"))
        self.in_office_check = QCheckBox(_("&In-office reading (back by closing time today)"))
        self.in_office_check.setObjectName("in_office")
        loan = grow_form()
        self.add_field(loan, "purpose", _("&Purpose:"), self.purpose_edit)
        self.add_field(loan, "due", _("&Due:"), self.due_edit)
        loan.addRow("", self.in_office_check)
        # R5: which approval each secret item goes out under, or why none matches
        self.approval_label = QLabel()
        self.approval_label.setObjectName("approval_explain")
        self.approval_label.setWordWrap(True)
        self.approval_label.hide()
        loan.addRow(self.approval_label)
        self.explain_timer = QTimer(self)
        self.explain_timer.setSingleShot(True)
        self.explain_timer.setInterval(250)
        self.explain_timer.timeout.connect(self.explain)

        self.ok_button.setText(_("&Lend"))
        self.ok_button.setObjectName("lend")
        self.staff_radio.toggled.connect(self._borrower_kind)
        self.in_office_check.toggled.connect(self._in_office_changed)
        for edit in (self.user_edit, self.name_edit, self.contact_edit, self.organisation_edit,
                     self.due_edit):
            edit.textChanged.connect(lambda _text: self.explain_timer.start())
        self.staff_radio.toggled.connect(lambda _on: self.explain_timer.start())
        self.list.model().rowsRemoved.connect(lambda *_args: self.explain_timer.start())
        self._borrower_kind()
        self.finish_layout(self.items_group(_("Items")), borrower, loan)

    def add_ref(self, code: str) -> bool:
        added = super().add_ref(code)
        if added:
            self.explain_timer.start()
        return added

    def _in_office_changed(self, on: bool) -> None:
        self.due_edit.setEnabled(not on)
        self.explain_timer.start()

    def explain(self) -> list[dict[str, Any]]:
        """Name the approval each secret item would go out under, or say why none matches
        (``desk.approvals.explain``; nothing is written). Hidden when no item is secret."""
        self.explain_timer.stop()
        secret = [ref for ref, item in self.items.items() if item.level == rules.Level.SECRET]
        rows: list[dict[str, Any]] = []
        if secret and getattr(self.desk, "approvals", None) is not None:
            try:
                due_text = self.due_edit.text().strip()
                due = None
                if due_text and not self.in_office_check.isChecked():
                    try:
                        due = rules.parse_day(due_text, "due")
                    except ValidationError:
                        due = None
                rows = self.desk.approvals.explain(self.actor, secret, self._requester_guess(),
                                                   self.in_office_check.isChecked(), due)
            except DeskError as error:
                rows = [{"ref": ", ".join(secret), "approval": None, "problem": str(error)}]
        lines = []
        for row in rows:
            if row.get("approval"):
                lines.append(_("{ref}: under approval {number}").format(ref=row["ref"],
                                                                         number=row["approval"]))
            elif row.get("problem"):  # the service's sentence names the reference already
                problem = str(row["problem"])
                lines.append(problem if problem.startswith(row["ref"]) else "{ref}: {why}".format(
                    ref=row["ref"], why=problem))
        blocked = any(not row.get("approval") and row.get("problem") for row in rows)
        self.approval_label.setStyleSheet("color: #b00020;" if blocked else "")
        self.approval_label.setText("\n".join(lines))
        self.approval_label.setVisible(bool(lines))
        return rows

    def _requester_guess(self) -> BorrowerInput:
        """The borrower as typed so far (no checks: the explanation says what is missing)."""
        if self.staff_radio.isChecked():
            return self.borrower_field.borrower_input() or BorrowerInput(
                user_name=self.user_edit.text().strip() or None)
        return BorrowerInput(name=self.name_edit.text(), contact=self.contact_edit.text(),
                             organisation=self.organisation_edit.text())

    def _borrower_kind(self, *_args) -> None:
        staff = self.staff_radio.isChecked()
        self.borrower_field.setEnabled(staff)
        for edit in (self.name_edit, self.contact_edit, self.organisation_edit):
            edit.setEnabled(not staff)

    def error_at(self, field: str | None, message: str) -> None:
        if field == "borrower" and self.outside_radio.isChecked():
            field = "name"
        super().error_at(field, message)

    def check(self, item: ItemView) -> None:
        rules.check_lendable(rules.ItemFacts(item.ref, item.level, item.status))

    def _borrower_chosen(self) -> None:
        """A borrower picked (or a badge scanned): on to the purpose."""
        self.explain_timer.start()
        self.purpose_edit.setFocus()

    def borrower_input(self) -> BorrowerInput:
        if self.staff_radio.isChecked():
            chosen = self.borrower_field.borrower_input()
            if chosen is not None:
                return chosen
            typed = self.user_edit.text().strip()
            if not typed:
                raise ValidationError(_("Who borrows? Give a staff user or a name."), "borrower")
            raise ValidationError(_("Choose the borrower from the list (Down, then Enter), or "
                                    "register a new outside person."), "borrower")
        return BorrowerInput(name=self.name_edit.text(), contact=self.contact_edit.text(),
                             organisation=self.organisation_edit.text())

    def _due(self) -> date | None:
        due_text = "" if self.in_office_check.isChecked() else self.due_edit.text().strip()
        return rules.parse_day(due_text, "due") if due_text else None

    def _precheck(self) -> BorrowerInput:
        """What can be checked before anyone signs (the service checks it all again)."""
        if not self.items:
            raise ValidationError(_("Scan or type at least one reference."), "ref")
        given = self.borrower_input()
        check_borrower(given)
        rules.check_purpose(self.purpose_edit.text())
        due = self._due()
        if due is not None:
            rules.check_due(due, self.desk.loans.today())
        return given

    def accept(self) -> None:
        """Sign, then lend: the loan is written once the clerk's password is right."""
        ok, given = checked(self.error_at, self._precheck)
        if not ok:
            return

        def lend() -> dict:
            return self.desk.loans.lend(self.actor, self.refs(), self.borrower_input(),
                                        self.purpose_edit.text(), self._due(),
                                        in_office=self.in_office_check.isChecked())

        self.register_and_sign(
            lend, self.desk.loans.sign_slip, _("the loan slip"), given.user_name or given.name,
            lambda slip: _("The loan {number} is registered, but its slip is not signed yet. "
                           "Sign it from the Loans page.").format(number=slip["number"]))


def condition_combo(unchanged: str | None = None) -> QComboBox:
    """The condition an item came back in (first ``unchanged``, data None, if given)."""
    combo = QComboBox()
    combo.setObjectName("condition")
    if unchanged is not None:
        combo.addItem(unchanged, None)
    for condition in rules.CONDITIONS:
        combo.addItem(_(rules.CONDITION_LABELS[condition]), condition)
    return combo


class ReturnDialog(ScanListDialog):
    """``result_value`` is the receipt dict."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(desk, actor, parent)
        self.setObjectName("return_dialog")
        self.setWindowTitle(_("Take back"))
        self.condition_combo = condition_combo()
        self.notes_edit = line_edit("notes", placeholder=_("e.g. two pages missing"))
        form = grow_form()
        self.add_field(form, "condition", _("C&ondition:"), self.condition_combo)
        self.add_field(form, "notes", _("&Notes:"), self.notes_edit)
        self.ok_button.setText(_("&Take back"))
        self.ok_button.setObjectName("take_back")
        self.finish_layout(self.items_group(_("Items returned")), form)

    def borrower_name(self) -> str:
        """Who hands the items back (the borrower of the first one), for the signing step."""
        for ref in self.items:
            rows = self.desk.loans.page(self.actor, LoanFilter(open_only=True, ref=ref), 0, 1)
            if rows:
                return str(rows[0]["borrower"])
        return ""

    def check(self, item: ItemView) -> None:
        if item.status != rules.Status.ON_LOAN:
            raise ValidationError(_("{ref} is not on loan.").format(ref=item.ref), "ref")

    def accept(self) -> None:
        if not self.items:
            self.error_at("ref", _("Scan or type at least one reference."))
            return
        self.register_and_sign(
            lambda: self.desk.loans.return_items(self.actor, self.refs(),
                                                 self.condition_combo.currentData(),
                                                 self.notes_edit.text()),
            self.desk.loans.sign_receipt, _("the return receipt"), self.borrower_name(),
            lambda receipt: _("The return {number} is registered, but its receipt is not signed.")
            .format(number=receipt["number"]))
