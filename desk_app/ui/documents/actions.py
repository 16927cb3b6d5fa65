"""The dialogs of a document's actions: the manager's instruction (readers in order, the
handling department, the due date, signed), a text on the record (a reading's comment, a
question, an answer, a result, a reply, a void's reason), a chase, the execution of a sent
document, a review or sign-off decision, filing. Each ``submit`` calls one service method
and returns the document's dict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import archive as archive_rules
from desk_app.domain import documents as rules
from desk_app.domain.errors import ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.documents.drafting import REASON_MAX
from desk_app.ui.documents.common import (
    CHANNELS,
    DocumentForm,
    dept_combo,
    kind_combo,
    sign_document,
    text_field,
)
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog, checked
from desk_app.ui.widgets.locations import location_combo
from desk_app.ui.widgets.signing import ctrl_enter_saves


class SigningForm(DocumentForm):
    """A form whose OK signs: a cancelled signature (``submit`` returns None) keeps it open.
    Its ``submit`` checks every field it can before the signature is asked for: a password
    typed for a form that is then refused has to be typed again."""

    def _on_ok(self) -> None:
        ok, value = checked(self.error_at, self.submit)
        if ok and value is not None:
            self.result_value = value
            self.accept()


def _about(form: FormDialog, document: dict[str, Any]) -> None:
    label = QLabel(f"{document['number']} · {document['title']}")
    label.setObjectName("about")
    label.setWordWrap(True)
    form.form.addRow(label)


class InstructDialog(SigningForm):
    """The manager's instruction (批示): the text, which departments read it in which order,
    which one handles it and by when; then the instruction sheet is signed."""

    def __init__(self, desk, actor: Actor, document: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.document = desk, actor, document
        self.setObjectName("instruct_dialog")
        self.setWindowTitle(_("Instruct {number}").format(number=document["number"]))
        _about(self, document)
        self.instruction_edit = text_field("instruction", 80)
        self.add_field("instruction", _("&Instruction:"), self.instruction_edit)

        self.dept_picker = dept_combo(desk, "reader_dept")
        self.add_button = QPushButton(_("&Add"))
        self.add_button.setObjectName("reader_add")
        picker = QHBoxLayout()
        picker.addWidget(self.dept_picker, 1)
        picker.addWidget(self.add_button)
        picker_label = QLabel(_("&Department:"))
        picker_label.setBuddy(self.dept_picker)
        self.form.addRow(picker_label, picker)

        self.readers_list = QListWidget()
        self.readers_list.setObjectName("readers")
        self.readers_list.setFixedHeight(110)
        self.remove_button = QPushButton(_("&Remove"))
        self.remove_button.setObjectName("reader_remove")
        self.up_button = QPushButton(_("&Up"))
        self.up_button.setObjectName("reader_up")
        self.down_button = QPushButton(_("Do&wn"))
        self.down_button.setObjectName("reader_down")
        side = QVBoxLayout()
        for button in (self.remove_button, self.up_button, self.down_button):
            button.setAutoDefault(False)
            side.addWidget(button)
        side.addStretch(1)
        readers = QHBoxLayout()
        readers.addWidget(self.readers_list, 1)
        readers.addLayout(side)
        readers_box = QWidget()
        readers_box.setLayout(readers)
        readers.setContentsMargins(0, 0, 0, 0)
        self.add_field("readers", _("Readers in &order:"), readers_box)
        readers_box.setFocusProxy(self.readers_list)
        self.watch("readers", self.readers_list)

        self.handler_combo = dept_combo(desk, "handler", _("(no department handles it)"))
        self.add_field("handler", _("&Handled by:"), self.handler_combo)
        self.watch("readers", self.handler_combo)  # a handler alone answers "name them"
        self.due_field = DateField(None, name="due_on", optional=True, minimum=desk.today())
        self.due_field.line_edit.setPlaceholderText(_("blank: the usual handling period"))
        self.add_field("due_on", _("Due &by:"), self.due_field)
        self.ok_button.setText(_("&Sign instruction…"))
        self.ok_button.setObjectName("sign_instruction")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda _checked=False: self.add_reader())
        self.remove_button.clicked.connect(lambda _checked=False: self.remove_reader())
        self.up_button.clicked.connect(lambda _checked=False: self.move_reader(-1))
        self.down_button.clicked.connect(lambda _checked=False: self.move_reader(1))
        self.readers_list.currentRowChanged.connect(lambda _row: self._update())
        self.setMinimumWidth(560)
        ctrl_enter_saves(self)
        self._update()
        self.instruction_edit.setFocus()

    # ---------------------------------------------------------------- readers

    def readers(self) -> list[str]:
        items = (self.readers_list.item(n) for n in range(self.readers_list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    def add_reader(self, code: str | None = None) -> None:
        if code is not None:
            index = self.dept_picker.findData(code)
            if index < 0:
                return
            self.dept_picker.setCurrentIndex(index)
        code = self.dept_picker.currentData()
        if code is None or code in self.readers():
            return
        item = QListWidgetItem(self.dept_picker.currentText())
        item.setData(Qt.ItemDataRole.UserRole, code)
        self.readers_list.addItem(item)
        self.readers_list.setCurrentItem(item)
        self._update()

    def remove_reader(self) -> None:
        row = self.readers_list.currentRow()
        if row >= 0:
            self.readers_list.takeItem(row)
        self._update()

    def move_reader(self, step: int) -> None:
        row = self.readers_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.readers_list.count():
            return
        item = self.readers_list.takeItem(row)
        self.readers_list.insertItem(target, item)
        self.readers_list.setCurrentRow(target)

    def _update(self) -> None:
        row, count = self.readers_list.currentRow(), self.readers_list.count()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)

    # ---------------------------------------------------------------- OK

    def error_at(self, field: str | None, message: str):
        if field in ("reader", "dept"):
            field = "readers"
        elif field == "handler_dept":
            field = "handler"
        return super().error_at(field, message)

    def submit(self) -> Any:
        if self.due_field.error():
            raise ValidationError(self.due_field.error() or "", "due_on")
        instruction = self.instruction_edit.toPlainText().strip()
        if not instruction:
            raise ValidationError(_("Write the instruction."), "instruction")
        rules.check_text(instruction, "instruction", _("Instructions"))
        readers, handler = self.readers(), self.handler_combo.currentData()
        if not readers and handler is None:
            raise ValidationError(_("Name the departments that read it or the one that "
                                    "handles it."), "readers")
        due_on = self.due_field.value()
        number, doc_id = self.document["number"], self.document["id"]
        return sign_document(
            self, self.actor, _("the instruction on {number}").format(number=number),
            lambda password, png: self.desk.documents.instruct(
                self.actor, doc_id, instruction=instruction, readers=readers, handler=handler,
                due_on=due_on, password=password, handwriting_png=png))


class TextDialog(DocumentForm):
    """One text on the record; ``call(text)`` is the service call. ``required``: an empty
    text is refused here (the service checks again)."""

    def __init__(self, document: dict[str, Any], title: str, label: str, ok_text: str,
                 call: Callable[[str], Any], *, required: bool = True, about: str = "",
                 name: str = "text_dialog", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call, self.required, self.label = call, required, label
        self.setObjectName(name)
        self.setWindowTitle(title)
        _about(self, document)
        if about:
            extra = QLabel(about)
            extra.setObjectName("about_more")
            extra.setWordWrap(True)
            self.form.addRow(extra)
        self.text_edit = text_field("text", 96)
        self.add_field("text", label, self.text_edit)
        self.ok_button.setText(ok_text)
        self.plain_ok()
        ctrl_enter_saves(self)
        self.text_edit.setFocus()

    def error_at(self, field: str | None, message: str):
        if field not in self.field_errors:
            field = "text" if field else None
        return super().error_at(field, message)

    def submit(self) -> Any:
        text = self.text_edit.toPlainText().strip()
        if self.required and not text:
            raise ValidationError(_("Please write something here."), "text")
        return self.call(text)


class AnswerDialog(TextDialog):
    """The manager answers a question asked during handling (on the record)."""

    def __init__(self, desk, actor: Actor, document: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        open_questions = [note for note in document.get("notes", [])
                          if note["kind"] == rules.NoteKind.QUESTION.value and not note["answer"]]
        super().__init__(document, _("Answer a question on {number}").format(
            number=document["number"]), _("&Answer:"), _("&Record answer"),
            lambda text: desk.documents.answer(actor, self.question_combo.currentData(), text),
            name="answer_dialog", parent=parent)
        self.desk, self.actor = desk, actor
        self.question_combo = QComboBox()
        self.question_combo.setObjectName("question")
        for note in open_questions:
            self.question_combo.addItem(f"{note['by']}: {note['text']}", note["id"])
        self.form.insertRow(1, _("Question:"), self.question_combo)

    def submit(self) -> Any:
        if self.question_combo.currentData() is None:
            raise ValidationError(_("No question is waiting for an answer."), "text")
        return super().submit()


class ChaseDialog(DocumentForm):
    """A chase of overdue handling (催办), recorded with how it was made."""

    def __init__(self, desk, actor: Actor, document: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.document = desk, actor, document
        self.setObjectName("chase_dialog")
        self.setWindowTitle(_("Chase {number}").format(number=document["number"]))
        _about(self, document)
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channel")
        for value, label in CHANNELS:
            self.channel_combo.addItem(_(label), value)
        self.note_edit = text_field("note", 72)
        self.add_field("channel", _("&How:"), self.channel_combo)
        self.add_field("note", _("&Note:"), self.note_edit)
        self.ok_button.setText(_("&Record chase"))
        self.plain_ok()
        ctrl_enter_saves(self)
        self.note_edit.setFocus()

    def submit(self) -> Any:
        note = self.note_edit.toPlainText().strip()
        if not note:
            raise ValidationError(_("Who was reached, and what did they say?"), "note")
        return self.desk.documents.chase(self.actor, self.document["id"], note,
                                         self.channel_combo.currentData())


class ExecutionDialog(DocumentForm):
    """Whether a sent document is being carried out (§1.8)."""

    def __init__(self, desk, actor: Actor, document: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.document = desk, actor, document
        self.setObjectName("execution_dialog")
        self.setWindowTitle(_("Execution of {number}").format(number=document["number"]))
        _about(self, document)
        self.execution_combo = QComboBox()
        self.execution_combo.setObjectName("execution")
        for execution in rules.Execution:
            self.execution_combo.addItem(execution.label, execution.value)
        self.execution_combo.setCurrentIndex(
            max(0, self.execution_combo.findData(document.get("execution") or "pending")))
        self.note_edit = text_field("note", 64)
        self.note_edit.setPlainText(document.get("execution_note") or "")
        self.add_field("execution", _("&State:"), self.execution_combo)
        self.add_field("note", _("&Note:"), self.note_edit)
        self.ok_button.setText(_("&Record"))
        self.plain_ok()
        ctrl_enter_saves(self)
        self.execution_combo.setFocus()

    def submit(self) -> Any:
        return self.desk.documents.record_execution(
            self.actor, self.document["id"], self.execution_combo.currentData(),
            self.note_edit.toPlainText().strip())


class DecideDialog(SigningForm):
    """A review (the drafting department's head) or the sign-off (签发, the manager):
    approve and sign, or refuse with a reason (not signed; the draft goes back)."""

    def __init__(self, actor: Actor, document: dict[str, Any], title: str, what: str,
                 decide: Callable[..., Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor, self.document, self.what, self.decide = actor, document, what, decide
        self.setObjectName("decide_dialog")
        self.setWindowTitle(title)
        _about(self, document)
        self.approve_radio = QRadioButton(_("&Approve"))
        self.approve_radio.setObjectName("approve")
        self.refuse_radio = QRadioButton(_("Re&fuse and return"))
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
        self.reason_edit = text_field("reason", 64)
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.approve_radio.toggled.connect(lambda _on: self._update())
        ctrl_enter_saves(self)
        self._update()
        self.approve_radio.setFocus()

    def _update(self) -> None:
        approve = self.approve_radio.isChecked()
        self.ok_button.setText(_("&Sign…") if approve else _("Re&turn"))
        self.ok_button.setObjectName("sign_decision" if approve else "return_decision")
        self.plain_ok(not approve)
        self.clear_error("reason")  # "give a reason" is no longer true of an approval

    def submit(self) -> Any:
        reason = self.reason_edit.toPlainText().strip()
        # the service's rule for both (a comment on approval, the reason on refusal)
        rules.check_line(reason, "reason", _("The comment") if self.approve_radio.isChecked()
                         else _("The reason"), limit=REASON_MAX)
        if self.approve_radio.isChecked():
            return sign_document(self, self.actor, self.what,
                                 lambda password, png: self.decide(
                                     approve=True, reason=reason, password=password,
                                     handwriting_png=png))
        if not reason:
            raise ValidationError(_("Please give a reason."), "reason")
        return self.decide(approve=False, reason=reason)


class FileDialog(SigningForm):
    """The original is filed: a new archive item at a location, or an existing item's
    reference; an incoming document's processing sheet is signed by the clerk."""

    def __init__(self, desk, actor: Actor, document: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.document = desk, actor, document
        self.incoming = document["direction"] == rules.Direction.INCOMING.value
        self.setObjectName("file_dialog")
        self.setWindowTitle(_("File {number}").format(number=document["number"]))
        _about(self, document)
        self.location_combo = location_combo(desk, _("(no location yet)"))
        self.location_combo.setObjectName("location")
        self.ref_edit = line_edit("ref", placeholder=_("blank: a new archive item"))
        # "(the document's kind)" only when it has one: else filing it as a new item fails
        self.has_kind = bool(document.get("kind"))
        self.kind_combo = kind_combo(desk, "kind", _("(the document's kind)") if self.has_kind
                                     else _("(choose a kind)"))
        self.add_field("location", _("&Location:"), self.location_combo)
        self.add_field("ref", _("Existing &reference:"), self.ref_edit)
        self.add_field("kind", _("&Kind:"), self.kind_combo)
        if self.incoming:
            hint = QLabel(_("You sign the incoming processing sheet (收文处理单)."))
            hint.setWordWrap(True)
            self.form.addRow(hint)
        self.ok_button.setText(_("&Sign and file…") if self.incoming else _("&File it"))
        self.ok_button.setObjectName("file_ok")
        self.plain_ok(not self.incoming)
        self.setMinimumWidth(520)
        self.location_combo.setFocus()

    def submit(self) -> Any:
        location = self.location_combo.currentData()
        ref = self.ref_edit.text().strip() or None
        kind = self.kind_combo.currentData()
        if ref is not None:
            ref = archive_rules.check_ref(ref)
        elif kind is None and not self.has_kind:  # a new archive item needs its kind
            raise ValidationError(_("{number} has no kind: choose the kind of file it is filed "
                                    "as.").format(number=self.document["number"]), "kind")
        doc_id = self.document["id"]

        def file(password: str = "", png: bytes | None = None) -> Any:
            return self.desk.documents.file(self.actor, doc_id, location=location, ref=ref,
                                            kind=kind, password=password, handwriting_png=png)

        if not self.incoming:
            return file()
        return sign_document(self, self.actor, _("the processing sheet of {number}").format(
            number=self.document["number"]), file)
