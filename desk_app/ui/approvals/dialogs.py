"""Dialogs of the Approvals page: a new access request, a signed decision (requests and
destruction lists), copies made and their return, carrying out a destruction, a grant."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.domain.retention import Method
from desk_app.domain.users import Actor
from desk_app.i18n import N_, _
from desk_app.services.loans import BorrowerInput
from desk_app.ui.approvals.common import (
    date_edit,
    date_value,
    reason_field,
    required_reason,
)
from desk_app.ui.widgets.borrower_field import BorrowerField
from desk_app.ui.widgets.fields import line_edit, widget_value
from desk_app.ui.widgets.form_dialog import FormDialog, checked
from desk_app.ui.widgets.signing import ctrl_enter_saves, sign_as

ACCESS_KINDS = (("read", N_("Read in the office")), ("copy", N_("Copy")),
                ("take-out", N_("Take out of the office")))
DEFAULT_WINDOW_DAYS = 7


def split_refs(text: str) -> list[str]:
    return [ref for ref in re.split(r"[\s,;，；、]+", text.strip()) if ref]


class NewRequestDialog(FormDialog):
    """A clerk files a request to read, copy or take out secret files (R5)."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None,
                 refs: list[str] | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("new_request_dialog")
        self.setWindowTitle(_("New access request"))
        self.refs_edit = line_edit("refs", " ".join(refs or []),
                                   _("references of secret files, separated by spaces"))
        self.staff_radio = QRadioButton(_("S&taff member"))
        self.staff_radio.setObjectName("requester_staff")
        self.staff_radio.setChecked(True)
        self.outside_radio = QRadioButton(_("Outside p&erson"))
        self.outside_radio.setObjectName("requester_outside")
        kind = QHBoxLayout()
        kind.addWidget(self.staff_radio)
        kind.addWidget(self.outside_radio)
        kind.addStretch(1)
        # Those who may look borrowers up find the requester like the lend dialog does (name,
        # pinyin, initials, user name or phone; remembered visitors too); others type a user.
        self.borrower_field: BorrowerField | None = None
        if actor.can(ArchivePermission.LOAN_VIEW) or actor.can(ArchivePermission.LOAN_HANDLE):
            self.borrower_field = BorrowerField(desk, actor)
            self.user_edit = self.borrower_field.line_edit
        else:
            self.user_edit = line_edit("requester_user",
                                       placeholder=_("user name, e.g. liqiang"))
        self.name_edit = line_edit("requester_name")
        self.contact_edit = line_edit("requester_contact", placeholder=_("phone or e-mail"))
        self.organisation_edit = line_edit("requester_organisation")
        self.purpose_edit = line_edit("purpose")
        self.access_combo = QComboBox()
        self.access_combo.setObjectName("access")
        for value, label in ACCESS_KINDS:
            self.access_combo.addItem(_(label), value)
        self.copies_spin = QSpinBox()
        self.copies_spin.setObjectName("copies")
        self.copies_spin.setRange(-99, 999)
        self.copies_spin.setValue(1)
        today = desk.today()
        self.from_edit = date_edit("window_from", today)
        self.to_edit = date_edit("window_to", today + timedelta(days=DEFAULT_WINDOW_DAYS))

        self.add_field("refs", _("&Items:"), self.refs_edit)
        self.form.addRow(_("Requester:"), kind)
        self.add_field("borrower", _("&User name:") if self.borrower_field is None
                       else _("&User, name or phone:"), self.borrower_field or self.user_edit)
        self.add_field("name", _("&Name:"), self.name_edit)
        self.add_field("contact", _("C&ontact:"), self.contact_edit)
        self.add_field("organisation", _("Or&ganisation:"), self.organisation_edit)
        self.add_field("purpose", _("&Purpose:"), self.purpose_edit)
        self.add_field("access", _("&Access:"), self.access_combo)
        self.add_field("copies", _("Cop&ies:"), self.copies_spin)
        self.add_field("window_from", _("&From:"), self.from_edit)
        self.add_field("window_to", _("&To:"), self.to_edit)
        self.ok_button.setText(_("&File request"))
        self.ok_button.setObjectName("file_request")
        self.staff_radio.toggled.connect(self._requester_kind)
        self.access_combo.currentIndexChanged.connect(self._access_changed)
        self._requester_kind()
        self._access_changed()
        self.refs_edit.setFocus()

    def _requester_kind(self, *_args) -> None:
        staff = self.staff_radio.isChecked()
        (self.borrower_field or self.user_edit).setEnabled(staff)
        for edit in (self.name_edit, self.contact_edit, self.organisation_edit):
            edit.setEnabled(not staff)

    def _access_changed(self, *_args) -> None:
        self.copies_spin.setEnabled(self.access_combo.currentData() == "copy")

    def error_at(self, field: str | None, message: str):
        if field in ("ref", "items"):
            field = "refs"
        elif field in ("requester", "borrower", "user") and self.outside_radio.isChecked():
            field = "name"
        elif field in ("requester", "user"):
            field = "borrower"
        elif field in ("from", "window"):
            field = "window_from" if field == "from" else "window_to"
        return super().error_at(field, message)

    def requester(self) -> BorrowerInput:
        if self.staff_radio.isChecked():
            chosen = self.borrower_field.borrower_input() if self.borrower_field else None
            if chosen is not None:
                return chosen
            name = self.user_edit.text().strip()
            if not name:
                raise ValidationError(_("Who asks? Give a staff user or a name."), "borrower")
            return BorrowerInput(user_name=name)
        return BorrowerInput(name=self.name_edit.text(), contact=self.contact_edit.text(),
                             organisation=self.organisation_edit.text())

    def submit(self) -> dict[str, Any]:
        refs = split_refs(self.refs_edit.text())
        if not refs:
            raise ValidationError(_("Name at least one secret file."), "refs")
        access = self.access_combo.currentData()
        return self.desk.approvals.request(
            self.actor, refs, self.requester(), self.purpose_edit.text(), access,
            date_value(self.from_edit), date_value(self.to_edit),
            copies=self.copies_spin.value() if access == "copy" else None)


class DecisionDialog(FormDialog):
    """Approve or refuse with a reason, then sign (password and handwriting).

    ``decide(approve, reason, password, handwriting_png) -> dict`` is the service call; a
    refusal is signed as well. Cancelling the signature keeps the dialog open."""

    def __init__(self, actor: Actor, title: str, about: str, what: str,
                 decide: Callable[[bool, str, str, bytes | None], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor, self.what, self.decide = actor, what, decide
        self.setObjectName("decision_dialog")
        self.setWindowTitle(title)
        about_label = QLabel(about)
        about_label.setObjectName("about")
        about_label.setWordWrap(True)
        self.form.addRow(about_label)
        self.approve_radio = QRadioButton(_("&Approve"))
        self.approve_radio.setObjectName("approve")
        self.refuse_radio = QRadioButton(_("Re&fuse"))
        self.refuse_radio.setObjectName("refuse")
        self.approve_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.approve_radio)
        group.addButton(self.refuse_radio)
        row = QHBoxLayout()
        row.addWidget(self.approve_radio)
        row.addWidget(self.refuse_radio)
        row.addStretch(1)
        self.form.addRow(_("Decision:"), row)
        self.reason_edit = reason_field()
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.ok_button.setText(_("&Sign decision…"))
        self.ok_button.setObjectName("sign_decision")
        self.setMinimumWidth(520)
        ctrl_enter_saves(self)
        self.approve_radio.setFocus()

    def submit(self) -> Any:
        reason = required_reason(self.reason_edit.toPlainText())
        approve = self.approve_radio.isChecked()
        return sign_as(self, self.actor, self.what,
                       lambda password, png: self.decide(approve, reason, password, png))

    def _on_ok(self) -> None:
        ok, value = checked(self.error_at, self.submit)
        if ok and value is not None:  # None: the signature was cancelled
            self.result_value = value
            self.accept()


class RecordCopiesDialog(FormDialog):
    """Copies made under a ``copy`` approval: which file, how many."""

    def __init__(self, desk, actor: Actor, request: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.request = desk, actor, request
        self.setObjectName("record_copies_dialog")
        self.setWindowTitle(_("Record copies made"))
        self.ref_combo = QComboBox()
        self.ref_combo.setObjectName("ref")
        for item in request["items"]:
            self.ref_combo.addItem(f"{item['ref']} · {item['title']}", item["ref"])
        self.copies_spin = QSpinBox()
        self.copies_spin.setObjectName("copies")
        self.copies_spin.setRange(-99, 999)
        self.copies_spin.setValue(request.get("copies") or 1)
        self.form.addRow(QLabel(_("Approval {number}").format(number=request["number"])))
        self.add_field("ref", _("&Item:"), self.ref_combo)
        self.add_field("copies", _("&Copies made:"), self.copies_spin)
        self.ok_button.setText(_("&Record"))

    def submit(self) -> Any:
        return self.desk.approvals.record_copies(self.actor, self.request["id"],
                                                 self.ref_combo.currentData(),
                                                 self.copies_spin.value())


class DisposeCopiesDialog(FormDialog):
    """Copies that came back or were destroyed."""

    def __init__(self, desk, actor: Actor, request: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("dispose_copies_dialog")
        self.setWindowTitle(_("Copies returned or destroyed"))
        self.copy_combo = QComboBox()
        self.copy_combo.setObjectName("copy")
        for made in request["copies_made"]:
            if not made.get("disposal"):
                self.copy_combo.addItem(_("{ref}: {copies} copies by {who}").format(
                    ref=made["ref"], copies=made["copies"], who=made["made_by"]), made["id"])
        self.disposal_combo = QComboBox()
        self.disposal_combo.setObjectName("disposal")
        self.disposal_combo.addItem(_("Returned"), "returned")
        self.disposal_combo.addItem(_("Destroyed"), "destroyed")
        self.add_field("copy", _("&Copies:"), self.copy_combo)
        self.add_field("disposal", _("&What happened:"), self.disposal_combo)
        self.ok_button.setText(_("&Record"))

    def submit(self) -> Any:
        copy_id = self.copy_combo.currentData()
        if copy_id is None:
            raise ValidationError(_("No copies of this approval are still out."), "copy")
        return self.desk.approvals.dispose_copies(self.actor, copy_id,
                                                  self.disposal_combo.currentData())


class CarryOutDialog(FormDialog):
    """A destruction carried out: the witness (another staff member) types their password
    and signs by hand, then the executor signs. ``result_value``: the show() dict."""

    def __init__(self, desk, actor: Actor, destruction: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.destruction = desk, actor, destruction
        self.setObjectName("carry_out_dialog")
        self.setWindowTitle(_("Carry out destruction {number}").format(number=destruction["number"]))
        refs = ", ".join(item["ref"] for item in destruction["items"])
        about = QLabel(_("Destroy {count} files: {refs}").format(count=len(destruction["items"]),
                                                                 refs=refs))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.witness_edit = line_edit("witness", placeholder=_("the witness's user name"))
        self.witness_password = line_edit("witness_password", password=True)
        self.witness_password.setToolTip(_("The witness types their own password."))
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("method")
        self.method_combo.setEditable(True)
        for method in Method:
            self.method_combo.addItem(method.label, method.value)
        self.add_field("witness", _("&Witness:"), self.witness_edit)
        self.add_field("witness_password", _("Witness's &password:"), self.witness_password)
        self.add_field("method", _("&Method:"), self.method_combo)
        self.ok_button.setText(_("&Sign and record…"))
        self.ok_button.setObjectName("carry_out")
        self.witness_edit.setFocus()

    def submit(self) -> Any:
        from desk_app.ui.widgets.sign_dialog import SignDialog

        witness = self.witness_edit.text().strip()
        if not witness:
            raise ValidationError(_("Who witnesses the destruction?"), "witness")
        if witness == self.actor.name:
            raise ValidationError(_("The witness must be someone else than you."), "witness")
        if not self.witness_password.text():
            raise ValidationError(_("The witness types their password here."), "witness_password")
        method = str(widget_value(self.method_combo) or "").strip()
        if not method:
            raise ValidationError(_("How are the files destroyed?"), "method")
        answer = SignDialog.ask(self, _("Witness: {name}").format(name=witness),
                                _("Please sign the destruction record {number} by hand.").format(
                                    number=self.destruction["number"]),
                                need_password=False, need_pad=True)
        if answer is None:
            return None
        witness_png = answer[1]
        witness_password = self.witness_password.text()

        def destroy(password: str, png: bytes | None) -> Any:
            try:
                return self.desk.retention.destroy(
                    self.actor, self.destruction["id"], witness, witness_password, method,
                    password, executor_png=png, witness_png=witness_png)
            except AuthenticationFailed as error:
                # Either password may be the wrong one; asking only the executor again would
                # count every new try against the witness's account too.
                raise ValidationError(_("{error} Check your password and the witness's, then "
                                        "both sign again.").format(error=error),
                                      "witness_password") from error

        return sign_as(self, self.actor, _("the destruction record {number}").format(
            number=self.destruction["number"]), destroy)

    def _on_ok(self) -> None:
        ok, value = checked(self.error_at, self.submit)
        if not ok:
            self.witness_password.clear()
        if ok and value is not None:
            self.result_value = value
            self.accept()


class GrantDialog(FormDialog):
    """The personnel officer lets one user read one personnel file until a day (R6)."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None, ref: str = "") -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("grant_dialog")
        self.setWindowTitle(_("Grant read access to a personnel file"))
        self.ref_edit = line_edit("ref", ref, "RS-2026-0001")
        self.user_edit = line_edit("user", placeholder=_("user name, e.g. zhangwei"))
        self.until_edit = date_edit("until", desk.today() + timedelta(days=DEFAULT_WINDOW_DAYS))
        self.reason_edit = reason_field()
        self.add_field("ref", _("&File:"), self.ref_edit)
        self.add_field("user", _("&User:"), self.user_edit)
        self.add_field("until", _("Un&til:"), self.until_edit)
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.ok_button.setText(_("&Grant"))
        ctrl_enter_saves(self)
        (self.user_edit if ref else self.ref_edit).setFocus()

    def error_at(self, field: str | None, message: str):
        return super().error_at("user" if field == "user_name" else field, message)

    def submit(self) -> Any:
        return self.desk.personnel.grant(self.actor, self.ref_edit.text().strip(),
                                         self.user_edit.text().strip(),
                                         date_value(self.until_edit),
                                         self.reason_edit.toPlainText())
