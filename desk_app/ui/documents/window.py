"""One document's window: what was registered, where the paper is and what happens next,
the circulation route (the current stop marked), questions and chases, the timeline, and a
button for each thing the user may do now (``show()["actions"]``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import documents as rules
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.documents import actions as dialogs
from desk_app.ui.documents.common import ACTIONS, at_text, open_sheet, sign_document
from desk_app.ui.documents.forms import DraftDialog
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.fields import heading_label
from desk_app.ui.widgets.files import save_file_name
from desk_app.ui.widgets.page import DialogHost
from desk_app.ui.widgets.registers import day_text

CURRENT_COLOUR = "#fff4c2"
WHERE_STYLE = ("QLabel { background: #eef5ff; border: 1px solid #b8d0f0; border-radius: 3px;"
               " padding: 4px 8px; }")


def _tree(name: str, headers: list[str], widths: tuple[int, ...]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setObjectName(name)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setHeaderLabels(headers)
    for column, width in enumerate(widths):
        tree.setColumnWidth(column, width)
    return tree


def _section(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    label = QLabel(title)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box


def _by(who: str, at: Any) -> str:
    return f"{who}, {at_text(at)}" if who and at else who or at_text(at)


class DocumentWindow(QDialog, DialogHost):
    """``result_value`` is True once something was done here (the page then refreshes)."""

    changed = Signal(dict)

    def __init__(self, desk, actor: Actor, doc_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.doc_id = desk, actor, doc_id
        self.setObjectName("document_window")
        self.result_value: Any = None
        self.document: dict[str, Any] = {}
        self.heading = heading_label("", "document_heading", 1.3)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setObjectName("document_facts")
        self.where_label = QLabel()
        self.where_label.setObjectName("document_where")
        self.where_label.setWordWrap(True)
        self.where_label.setStyleSheet(WHERE_STYLE)

        self.details = QFormLayout()
        self.details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        details_box = QWidget()
        details_box.setLayout(self.details)
        scroll = QScrollArea()
        scroll.setObjectName("document_details")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(details_box)

        self.route = _tree("document_route", [_("#"), _("Department"), _("Heads"),
                                               _("Carried by"), _("Read"), _("Comment")],
                           (30, 100, 90, 130, 150))
        self.notes = _tree("document_notes", [_("What"), _("By"), _("Text"), _("Answer")],
                           (90, 140, 200))
        self.events = _tree("document_events", [_("Time"), _("Who"), _("What happened")],
                            (125, 80))
        right = QSplitter(Qt.Orientation.Vertical)
        self.route_section = _section(_("Route"), self.route)
        right.addWidget(self.route_section)
        self.notes_section = _section(_("Questions and chases"), self.notes)
        right.addWidget(self.notes_section)
        right.addWidget(_section(_("Timeline"), self.events))
        right.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([400, 600])
        splitter.setChildrenCollapsible(False)

        self.buttons: dict[str, QPushButton] = {}
        self.action_row = QHBoxLayout()
        for key, text in ACTIONS:
            button = QPushButton(_(text))
            button.setObjectName(f"action_{key}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, key=key: self.run_action(key))
            self.action_row.addWidget(button)
            self.buttons[key] = button
        self.action_row.addStretch(1)
        self.sheet_button = QPushButton(_("View shee&t"))
        self.sheet_button.setObjectName("view_sheet")
        self.sheet_button.clicked.connect(lambda _checked=False: self.view_sheet())
        self.attachment_button = QPushButton(_("Attach&ment…"))
        self.attachment_button.setObjectName("save_attachment")
        self.attachment_button.clicked.connect(lambda _checked=False: self.save_attachment())
        self.close_button = QPushButton(_("Close"))
        self.close_button.setObjectName("close")
        self.close_button.clicked.connect(self.reject)
        for button in (self.sheet_button, self.attachment_button, self.close_button):
            button.setAutoDefault(False)
            self.action_row.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.facts)
        layout.addWidget(self.where_label)
        layout.addWidget(splitter, 1)
        layout.addLayout(self.action_row)
        self._fit_screen()
        self.reload()

    def _fit_screen(self) -> None:
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        width, height = 1080, 680
        if area is not None:
            width, height = min(width, area.width() - 40), min(height, area.height() - 60)
        self.resize(width, height)

    # ---------------------------------------------------------------- showing

    def reload(self) -> None:
        try:
            document = self.desk.documents.show(self.actor, self.doc_id)
        except DeskError as error:
            show_error(self, error)
            return
        self.show_document(document)

    def show_document(self, document: dict[str, Any]) -> None:
        self.document = document
        self.setWindowTitle(_("Document {number}").format(number=document["number"]))
        self.heading.setText(f"{document['number']}  {document['title']}")
        facts = [document["direction_label"], document["status_label"],
                 document.get("urgency_label", ""), document.get("level_label", "")]
        if document.get("overdue"):
            facts.append(_("handling overdue"))
        # Translators: the separator between a document's facts under its title.
        self.facts.setText(_(" · ").join(fact for fact in facts if fact))
        self.facts.setStyleSheet("color: #b00020;" if document.get("overdue") else "")
        self.where_label.setText(document.get("where") or "")
        self.where_label.setVisible(bool(document.get("where")))
        self._show_details(document)
        self._show_route(document)
        self._show_notes(document)
        self._show_events(document)
        allowed = set(document.get("actions") or [])
        for key, button in self.buttons.items():
            button.setVisible(key in allowed)
        self.sheet_button.setVisible(bool(
            document.get("has_sheet") or document.get("has_instruction_sheet")
            or document["direction"] == rules.Direction.OUTGOING.value))
        # (shown when the service does not say whether a scan came with the document)
        self.attachment_button.setVisible(bool(document.get("has_attachment", True)))

    def _show_details(self, d: dict[str, Any]) -> None:
        while self.details.rowCount():
            self.details.removeRow(0)
        lines: list[tuple[str, str]] = [
            (_("Kind:"), d.get("kind_name") or ""),
            (_("Sender:"), d.get("sender") or ""),
            (_("Their number:"), d.get("sender_ref") or ""),
            (_("Received:"), day_text(d.get("received_on"))),
            (_("Pages / copies:"), f"{d['pages']} / {d['copies']}"
             if d["direction"] == rules.Direction.INCOMING.value else ""),
            (_("Drafted by:"), _by(d.get("drafted_by", ""), d.get("drafted_at"))
             + (f" ({d['dept_name']})" if d.get("dept_name") else "")),
            (_("To:"), d.get("addressee") or d.get("to_dept_name") or ""),
            (_("Issued number:"), d.get("issued_no") or ""),
            (_("Summary:") if d["direction"] == rules.Direction.INCOMING.value else _("Text:"),
             d.get("body") or ""),
            (_("Instruction:"), d.get("instruction") or ""),
            (_("Instructed by:"), _by(d.get("instructed_by", ""), d.get("instructed_at"))),
            (_("Handling department:"), d.get("handler_dept_name") or ""),
            (_("Handling due:"), day_text(d.get("due_on"))),
            (_("Result:"), d.get("result") or ""),
            (_("Result by:"), _by(d.get("result_by", ""), d.get("result_at"))),
            (_("Reviewed by:"), _by(d.get("reviewed_by", ""), d.get("reviewed_at"))),
            (_("Signed off by:"), _by(d.get("signed_off_by", ""), d.get("signed_off_at"))),
            (_("Sent by:"), _by(d.get("sent_by", ""), d.get("sent_at"))),
            (_("Delivered by:"), _by(d.get("delivered_by", ""), d.get("delivered_at"))),
            (_("Reply:"), d.get("reply") or ""),
            (_("Reply by:"), _by(d.get("reply_by", ""), d.get("reply_at"))),
            (_("Execution:"), " — ".join(part for part in (d.get("execution_label"),
                                                             d.get("execution_note")) if part)),
            (_("Returned because:"), d.get("refusal_reason") or ""),
            (_("Voided because:"), d.get("void_reason") or ""),
            (_("Corrects:"), d.get("corrects") or ""),
            (_("Corrected by:"), ", ".join(d.get("corrected_by") or [])),
            (_("Filed as:"), d.get("item_ref") or ""),
            (_("Filed by:"), _by(d.get("filed_by", ""), d.get("filed_at"))),
            (_("Registered by:"), _by(d.get("created_by", ""), d.get("created_at"))),
        ]
        for title, value in lines:
            if not value:
                continue
            label = QLabel(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(title)
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            self.details.addRow(caption, label)

    def _show_route(self, d: dict[str, Any]) -> None:
        self.route.clear()
        bold = QFont(self.route.font())
        bold.setBold(True)
        highlight = QBrush(QColor(CURRENT_COLOUR))
        for stop in d.get("route") or []:
            carried = _by(stop.get("carried_by", ""), stop.get("carried_at"))
            read = _by(stop.get("confirmed_by", ""), stop.get("confirmed_at"))
            item = QTreeWidgetItem([str(stop["seq"]), stop["dept_name"],
                                    _(", ").join(stop.get("heads") or []), carried,
                                    read or (_("now here") if stop.get("current") else ""),
                                    stop.get("comment") or ""])
            item.setToolTip(5, stop.get("comment") or "")
            if stop.get("current"):
                for column in range(item.columnCount()):
                    item.setBackground(column, highlight)
                    item.setFont(column, bold)
            self.route.addTopLevelItem(item)
        if d.get("handler_dept_name"):
            handling = d["status"] == rules.Status.HANDLING.value
            item = QTreeWidgetItem([_("→"), d["handler_dept_name"], "", "",
                                    _by(d.get("result_by", ""), d.get("result_at"))
                                    or (_("handling now") if handling else ""),
                                    _("handles it") + (_(", due {day}").format(
                                        day=day_text(d["due_on"])) if d.get("due_on") else "")])
            if handling:
                for column in range(item.columnCount()):
                    item.setBackground(column, highlight)
                    item.setFont(column, bold)
            self.route.addTopLevelItem(item)
        self.route_section.setVisible(self.route.topLevelItemCount() > 0)

    def _show_notes(self, d: dict[str, Any]) -> None:
        self.notes.clear()
        for note in d.get("notes") or []:
            kind = note.get("kind_label") or note["kind"]
            if note.get("channel"):
                kind += f" ({note['channel']})"
            answer = note.get("answer") or ""
            if answer:
                answer = f"{answer} — {_by(note.get('answered_by', ''), note.get('answered_at'))}"
            item = QTreeWidgetItem([kind, _by(note.get("by", ""), note.get("at")),
                                    note["text"], answer])
            item.setToolTip(2, note["text"])
            item.setToolTip(3, answer)
            self.notes.addTopLevelItem(item)
        self.notes_section.setVisible(bool(d.get("notes")))

    def _show_events(self, d: dict[str, Any]) -> None:
        self.events.clear()
        for event in d.get("events") or []:
            item = QTreeWidgetItem([at_text(event.get("at")), event.get("who") or "",
                                    event.get("text") or ""])
            item.setToolTip(2, event.get("text") or "")
            self.events.addTopLevelItem(item)

    # ---------------------------------------------------------------- actions

    def _done(self, document: Any) -> None:
        self.result_value = True
        self.reload()
        self.changed.emit(self.document)

    def _call(self, call) -> None:
        """A direct action (no form): its refusal in a message box."""
        try:
            result = call()
        except DeskError as error:
            show_error(self, error)
            return
        if result is not None:
            self._done(result)

    def run_action(self, key: str) -> QDialog | None:
        """Do ``key`` (one of ``show()["actions"]``): a form when it needs one."""
        d, desk, actor, doc_id = self.document, self.desk, self.actor, self.doc_id
        documents = desk.documents
        number = d["number"]

        def text(title: str, label: str, ok: str, call, required: bool = True,
                 about: str = "") -> QDialog:
            return dialogs.TextDialog(d, title, label, ok, call, required=required,
                                      about=about, name=f"{key}_dialog", parent=self)

        dialog: QDialog | None = None
        if key == "instruct":
            dialog = dialogs.InstructDialog(desk, actor, d, self)
        elif key == "read":
            dialog = text(_("Confirm reading {number}").format(number=number), _("&Comment:"),
                          _("Con&firm reading"),
                          lambda comment: documents.confirm_reading(actor, doc_id, comment),
                          required=False, about=_("A comment is optional."))
        elif key == "ask":
            dialog = text(_("Ask the manager about {number}").format(number=number),
                          _("&Question:"), _("&Ask"),
                          lambda question: documents.ask(actor, doc_id, question))
        elif key == "answer":
            dialog = dialogs.AnswerDialog(desk, actor, d, self)
        elif key == "result":
            dialog = text(_("Handling result of {number}").format(number=number),
                          _("&Result:"), _("&Save result"),
                          lambda result: documents.record_result(actor, doc_id, result))
        elif key == "reply":
            dialog = text(_("Reply to {number}").format(number=number), _("&Reply:"),
                          _("&Save reply"), lambda reply: documents.reply(actor, doc_id, reply))
        elif key == "void":
            dialog = text(_("Void {number}").format(number=number), _("&Reason:"), _("&Void"),
                          lambda reason: documents.void(actor, doc_id, reason),
                          about=_("A voided number stays in the register."))
        elif key == "chase":
            dialog = dialogs.ChaseDialog(desk, actor, d, self)
        elif key == "execute":
            dialog = dialogs.ExecutionDialog(desk, actor, d, self)
        elif key == "file":
            dialog = dialogs.FileDialog(desk, actor, d, self)
        elif key == "revise":
            dialog = DraftDialog(desk, actor, d, self)
        elif key in ("review", "signoff"):
            review = key == "review"
            service = documents.review if review else documents.signoff
            dialog = dialogs.DecideDialog(
                actor, d, (_("Review {number}") if review else _("Sign off {number}"))
                .format(number=number), _("the draft sheet {number}").format(number=number),
                lambda **kwargs: service(actor, doc_id, **kwargs), self)
        elif key == "carry":
            self._call(lambda: documents.carry(actor, doc_id))
        elif key == "deliver":
            self._call(lambda: documents.deliver(actor, doc_id))
        elif key == "send":
            self._call(lambda: sign_document(
                self, actor, _("the draft sheet {number} as sent").format(number=number),
                lambda password, png: documents.send(actor, doc_id, password=password,
                                                     handwriting_png=png)))
        elif key == "sign_liaison":
            self._call(lambda: sign_document(
                self, actor, _("the liaison sheet {number}").format(number=number),
                lambda password, png: documents.sign_liaison(actor, doc_id, password=password,
                                                             handwriting_png=png)))
        if dialog is not None:
            self.run_dialog(dialog, self._done)
        return dialog

    def view_sheet(self) -> None:
        open_sheet(self, self.desk, self.actor, self.document)

    def save_attachment(self) -> None:
        try:
            name, data = self.desk.documents.attachment(self.actor, self.doc_id)
        except DeskError as error:
            show_error(self, error)
            return
        path = save_file_name(self, _("Save the attachment as"), "document_attachment", name)
        if not path:
            return
        try:
            with open(path, "wb") as out:
                out.write(data)
        except OSError as error:
            show_error(self, DeskError(_("Cannot write {file}: {reason}").format(
                file=path, reason=error.strerror or error)))
