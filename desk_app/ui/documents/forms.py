"""New documents: an incoming document signed in and registered (收文登记), an outgoing
draft (发文稿, signed by the drafter) and its revision, a liaison sheet (工作联络单)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from desk_app.domain import documents as rules
from desk_app.domain.errors import ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.documents.actions import SigningForm
from desk_app.ui.documents.common import (
    DocumentForm,
    dept_combo,
    kind_combo,
    level_combo,
    my_department,
    sign_document,
    text_field,
    urgency_combo,
)
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.fields import FieldError, line_edit
from desk_app.ui.widgets.files import open_file_name
from desk_app.ui.widgets.signing import ctrl_enter_saves

ATTACHMENT_MAX = 20 * 1024 * 1024


class AttachmentPicker(QWidget):
    """A scan or photo of the paper: Choose… opens the file dialog; the file is read when
    the form is saved (``attachment()`` → (name, bytes) or None)."""

    changed = Signal()  # a file chosen or removed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachment")
        self.path: Path | None = None
        self.name_label = QLabel(_("(none)"))
        self.name_label.setObjectName("attachment_name")
        self.choose_button = QPushButton(_("Choose…"))
        self.choose_button.setObjectName("attachment_choose")
        self.choose_button.setAutoDefault(False)
        self.clear_button = QPushButton(_("Remove"))
        self.clear_button.setObjectName("attachment_clear")
        self.clear_button.setAutoDefault(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name_label, 1)
        row.addWidget(self.choose_button)
        row.addWidget(self.clear_button)
        self.setFocusProxy(self.choose_button)
        self.choose_button.clicked.connect(lambda _checked=False: self.choose())
        self.clear_button.clicked.connect(lambda _checked=False: self.set_path(None))
        self.set_path(None)

    def choose(self) -> None:
        path = open_file_name(self, _("Attach a scan or photo"), "document_attachment",
                              _("Scans and photos (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;"
                                "All files (*)"))
        if path:
            self.set_path(Path(path))

    def set_path(self, path: Path | None) -> None:
        self.path = path
        self.name_label.setText(path.name if path else _("(none)"))
        self.name_label.setToolTip(str(path) if path else "")
        self.clear_button.setEnabled(path is not None)
        self.changed.emit()

    def attachment(self) -> tuple[str, bytes] | None:
        if self.path is None:
            return None
        try:
            if self.path.stat().st_size > ATTACHMENT_MAX:
                raise ValidationError(_("The attachment is larger than 20 MB."), "attachment")
            return self.path.name, self.path.read_bytes()
        except OSError as error:
            raise ValidationError(_("Cannot read {file}: {reason}").format(
                file=self.path.name, reason=error.strerror or error), "attachment") from None


def _count_spin(name: str, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(0, rules.PAGES_MAX)
    spin.setValue(value)
    return spin


class NewIncomingDialog(DocumentForm):
    """The office signs for an incoming document and registers it (SW number)."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("new_incoming_dialog")
        self.setWindowTitle(_("New incoming document"))
        self.sender_edit = line_edit("sender", placeholder=_("the sending organisation"))
        self.sender_ref_edit = line_edit("sender_ref", placeholder=_("e.g. 市住建发〔2026〕12号"))
        self.title_edit = line_edit("title")
        self.kind_combo = kind_combo(desk)
        self.level_combo = level_combo()
        self.urgency_combo = urgency_combo()
        self.pages_spin = _count_spin("pages", 1)
        self.copies_spin = _count_spin("copies", 1)
        counts = QHBoxLayout()
        counts.addWidget(self.pages_spin)
        copies_label = QLabel(_("Paper &copies:"))
        copies_label.setBuddy(self.copies_spin)
        counts.addWidget(copies_label)
        counts.addWidget(self.copies_spin)
        counts.addStretch(1)
        today = desk.today()
        self.received_field = DateField(today, name="received_on", maximum=today)
        self.summary_edit = text_field("summary", 64)
        self.attachment_picker = AttachmentPicker()
        # "Sender", as the service's messages name it ("Give the Sender.")
        self.add_field("sender", _("&Sender:"), self.sender_edit)
        self.add_field("sender_ref", _("Their &number:"), self.sender_ref_edit)
        self.add_field("title", _("&Title:"), self.title_edit)
        self.add_field("kind", _("&Kind:"), self.kind_combo)
        self.add_field("level", _("&Level:"), self.level_combo)
        self.add_field("urgency", _("&Urgency:"), self.urgency_combo)
        pages_label = QLabel(_("&Pages:"))
        pages_label.setBuddy(self.pages_spin)
        self.form.addRow(pages_label, counts)
        pages_error = FieldError()  # the counts' error line
        pages_error.setObjectName("error_pages")
        self.form.addRow("", pages_error)
        self.field_errors["pages"] = pages_error
        self.watch("pages", self.pages_spin)
        self.watch("pages", self.copies_spin)
        self.add_field("received_on", _("&Received:"), self.received_field)
        self.add_field("summary", _("Summar&y:"), self.summary_edit)
        self.add_field("attachment", _("&Attachment:"), self.attachment_picker)
        self.ok_button.setText(_("Re&gister"))
        self.ok_button.setObjectName("register")
        self.plain_ok()
        self.setMinimumWidth(560)
        ctrl_enter_saves(self)
        self.sender_edit.setFocus()

    def error_at(self, field: str | None, message: str):
        label = super().error_at("pages" if field == "copies" else field, message)
        if field == "copies":
            self.copies_spin.setFocus()
        return label

    def submit(self) -> Any:
        received = self.received_field.value()
        if received is None:
            raise ValidationError(self.received_field.error() or "", "received_on")
        return self.desk.documents.receive(
            self.actor, sender=self.sender_edit.text(), title=self.title_edit.text(),
            sender_ref=self.sender_ref_edit.text().strip(), kind=self.kind_combo.currentData(),
            level=self.level_combo.currentData(), urgency=self.urgency_combo.currentData(),
            pages=self.pages_spin.value(), copies=self.copies_spin.value(),
            received_on=received, summary=self.summary_edit.toPlainText().strip(),
            attachment=self.attachment_picker.attachment())


class DraftDialog(SigningForm):
    """An outgoing draft (FG number), signed by the drafter on the draft sheet; with
    ``document`` the drafter revises a draft or a returned one."""

    def __init__(self, desk, actor: Actor, document: dict[str, Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.document = desk, actor, document
        self.setObjectName("revise_dialog" if document else "new_outgoing_dialog")
        self.setWindowTitle(_("Revise {number}").format(number=document["number"]) if document
                            else _("New outgoing draft"))
        values = document or {}
        self.title_edit = line_edit("title", values.get("title", ""))
        self.addressee_edit = line_edit("addressee", values.get("addressee", ""),
                                        _("to whom it is sent"))
        self.kind_combo = kind_combo(desk)
        if values.get("kind"):
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(values["kind"])))
        self.level_combo = level_combo(current=values.get("level", "internal"))
        self.urgency_combo = urgency_combo(current=values.get("urgency", "normal"))
        self.body_edit = text_field("body", 120)
        self.body_edit.setPlainText(values.get("body", ""))
        self.add_field("title", _("&Title:"), self.title_edit)
        self.add_field("addressee", _("&Addressee:"), self.addressee_edit)
        self.add_field("kind", _("&Kind:"), self.kind_combo)
        self.add_field("level", _("&Level:"), self.level_combo)
        self.add_field("urgency", _("&Urgency:"), self.urgency_combo)
        self.dept_combo = None
        self.corrects_edit = None
        self.attachment_picker = None
        if document is None:
            self.dept_combo = dept_combo(desk, "dept", current=my_department(desk, actor))
            self.corrects_edit = line_edit("corrects", placeholder=_(
                "the number of a signed-off document this one corrects (optional)"))
            self.add_field("dept", _("&Department:"), self.dept_combo)
            self.add_field("corrects", _("Co&rrects:"), self.corrects_edit)
        self.add_field("body", _("T&ext:"), self.body_edit)
        if document is None:
            self.attachment_picker = AttachmentPicker()
            self.add_field("attachment", _("Attac&hment:"), self.attachment_picker)
        if values.get("refusal_reason"):
            reason = QLabel(_("Returned: {reason}").format(reason=values["refusal_reason"]))
            reason.setObjectName("refusal_reason")
            reason.setWordWrap(True)
            reason.setStyleSheet("color: #8a5a00;")
            self.form.insertRow(0, reason)
        self.ok_button.setText(_("&Sign draft…"))
        self.ok_button.setObjectName("sign_draft")
        self.setMinimumWidth(600)
        ctrl_enter_saves(self)
        self.title_edit.setFocus()

    def submit(self) -> Any:
        # the service's own rules, in the form's order, before the signature is asked for
        title = rules.check_title(self.title_edit.text())
        addressee = rules.check_line(self.addressee_edit.text(), "addressee", _("addressee"),
                                     required=True)
        corrects = None
        if self.corrects_edit is not None:
            corrects = self._corrected_id(self.corrects_edit.text().strip())
        body = rules.check_text(self.body_edit.toPlainText().strip(), "body", _("text"))
        common = dict(title=title, addressee=addressee, body=body,
                      kind=self.kind_combo.currentData(), level=self.level_combo.currentData(),
                      urgency=self.urgency_combo.currentData())
        documents = self.desk.documents
        if self.document is not None:
            doc_id = self.document["id"]
            return sign_document(self, self.actor, _("the revised draft {number}").format(
                number=self.document["number"]), lambda password, png: documents.revise(
                    self.actor, doc_id, **common, password=password, handwriting_png=png))
        assert self.dept_combo is not None and self.corrects_edit is not None
        assert self.attachment_picker is not None
        attachment = self.attachment_picker.attachment()
        dept = self.dept_combo.currentData()
        return sign_document(self, self.actor, _("the draft sheet"), lambda password, png:
                             documents.draft(self.actor, **common, dept=dept, corrects=corrects,
                                             attachment=attachment, password=password,
                                             handwriting_png=png))

    def _corrected_id(self, number: str) -> int | None:
        """The document this draft corrects (R3: a signed-off one is never edited)."""
        if not number:
            return None
        found = self.desk.documents.find(self.actor, number)
        if found is None:
            raise ValidationError(_("No document numbered {number}.").format(number=number),
                                  "corrects")
        return int(found["id"])


class LiaisonDialog(DocumentForm):
    """A liaison sheet to another department (LL number at once; the head signs later)."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("new_liaison_dialog")
        self.setWindowTitle(_("New liaison sheet"))
        self.title_edit = line_edit("title")
        self.dept_combo = dept_combo(desk, "dept", current=my_department(desk, actor))
        self.to_dept_combo = dept_combo(desk, "to_dept", _("(choose a department)"))
        self.urgency_combo = urgency_combo()
        self.level_combo = level_combo()
        self.body_edit = text_field("body", 120)
        self.attachment_picker = AttachmentPicker()
        self.add_field("title", _("&Title:"), self.title_edit)
        self.add_field("dept", _("&From department:"), self.dept_combo)
        self.add_field("to_dept", _("T&o department:"), self.to_dept_combo)
        self.add_field("urgency", _("&Urgency:"), self.urgency_combo)
        self.add_field("level", _("&Level:"), self.level_combo)
        self.add_field("body", _("T&ext:"), self.body_edit)
        self.add_field("attachment", _("Attac&hment:"), self.attachment_picker)
        self.ok_button.setText(_("&Create"))
        self.ok_button.setObjectName("create_liaison")
        self.plain_ok()
        self.setMinimumWidth(560)
        ctrl_enter_saves(self)
        self.title_edit.setFocus()

    def submit(self) -> Any:
        to_dept = self.to_dept_combo.currentData()
        if to_dept is None:
            raise ValidationError(_("Which department is it for?"), "to_dept")
        return self.desk.documents.draft_liaison(
            self.actor, title=self.title_edit.text(), to_dept=to_dept,
            body=self.body_edit.toPlainText().strip(), dept=self.dept_combo.currentData(),
            urgency=self.urgency_combo.currentData(), level=self.level_combo.currentData(),
            attachment=self.attachment_picker.attachment())
