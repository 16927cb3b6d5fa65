"""What the Documents page's parts share: the words for states and actions, the pickers of
departments and kinds, times as text, signing and opening a stored sheet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QStyle,
    QWidget,
)

from desk_app.domain import documents as rules
from desk_app.domain.archive import Level
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import N_, _
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.fields import FieldError
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.registers import local_text, local_time_text
from desk_app.ui.widgets.signing import show_document, sign_as

# The states each list offers in its status filter (domain/documents.py's workflows).
STATUSES = {
    rules.Direction.INCOMING: ("registered", "circulating", "handling", "handled", "filed"),
    rules.Direction.OUTGOING: ("draft", "returned", "reviewed", "signed_off", "sent",
                               "voided", "filed"),
    rules.Direction.INTERNAL: ("draft", "signed", "delivered", "replied", "voided", "filed"),
}

# The groups of "Waiting for me" (DocumentService.waiting_for_me keys), in the order shown.
WAITING_GROUPS = (
    ("instruct", N_("Waiting for your instruction")),
    ("answer", N_("Questions waiting for your answer")),
    ("signoff", N_("Waiting for your sign-off")),
    ("review", N_("Drafts waiting for your review")),
    ("read", N_("Waiting for your reading")),
    ("handle", N_("Your department handles")),
    ("sign_liaison", N_("Liaison sheets to sign")),
    ("reply", N_("Liaison sheets to reply to")),
    ("carry", N_("To be carried to the next reader")),
    ("send", N_("Signed off: to be numbered and sent")),
    ("deliver", N_("Liaison sheets to deliver")),
    ("file", N_("Originals to be filed")),
    ("overdue", N_("Handling overdue: to be chased")),
)

# Every action a document's window may offer (show()["actions"]), with a letter unique in
# that window: the window's own buttons use T (sheet) and M (attachment).
ACTIONS = (
    ("instruct", N_("&Instruct…")),
    ("carry", N_("&Carry")),
    ("read", N_("Confirm &reading…")),
    ("ask", N_("As&k…")),
    ("answer", N_("A&nswer…")),
    ("result", N_("Record res&ult…")),
    ("chase", N_("C&hase…")),
    ("file", N_("&File…")),
    ("revise", N_("Re&vise…")),
    ("review", N_("Revie&w…")),
    ("signoff", N_("Sign &off…")),
    ("send", N_("&Send…")),
    ("void", N_("Voi&d…")),
    ("execute", N_("&Execution…")),
    ("sign_liaison", N_("Si&gn…")),
    ("deliver", N_("De&liver")),
    ("reply", N_("Re&ply…")),
)

CHANNELS = (("phone", N_("Phone")), ("visit", N_("Visit in person")), ("message", N_("Message")))


def edited_signal(widget: QWidget) -> SignalInstance | None:
    """The signal a field sends when the user changes it (None: the form connects its own)."""
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QSpinBox):
        return widget.valueChanged
    if isinstance(widget, DateField):
        return widget.changed
    if isinstance(widget, QListWidget):
        return widget.model().rowsInserted
    changed = getattr(widget, "changed", None)
    return changed if isinstance(changed, SignalInstance) else None


class DocumentForm(FormDialog):
    """A Documents form: a field's error goes as soon as the field is changed (it no longer
    describes what is typed), and the field in error takes the focus, so the user can correct
    it at once. ``plain_ok`` gives an OK that signs nothing a plain tick: the standard OK's
    icon looks like a pen and made users expect to sign."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field_widgets: dict[str, QWidget] = {}

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        super().add_field(key, label, widget)
        self.watch(key, widget)
        return widget

    def watch(self, key: str, widget: QWidget, signal: SignalInstance | None = None) -> None:
        """``widget`` is (part of) field ``key``: changing it clears the field's error."""
        self.field_widgets.setdefault(key, widget)
        signal = signal if signal is not None else edited_signal(widget)
        if signal is not None:
            signal.connect(lambda *_args, key=key: self.clear_error(key))

    def clear_error(self, key: str) -> None:
        error = self.field_errors.get(key)
        if error is not None and error.text():
            error.clear_message()

    def error_at(self, field: str | None, message: str) -> FieldError:
        label = super().error_at(field, message)
        widget = self.field_widgets.get(field or "")
        if widget is not None and label is self.field_errors.get(field or ""):
            widget.setFocus()
        return label

    def plain_ok(self, plain: bool = True) -> None:
        pixmap = (QStyle.StandardPixmap.SP_DialogApplyButton if plain
                  else QStyle.StandardPixmap.SP_DialogOkButton)
        self.ok_button.setIcon(self.style().standardIcon(pixmap))


def status_label(status: str) -> str:
    try:
        return rules.Status(status).label
    except ValueError:
        return status


def at_text(value: Any) -> str:
    """A stored time (naive UTC datetime) or an audit entry's ISO text, as local time."""
    if not value:
        return ""
    if isinstance(value, str):
        return local_time_text(value)
    if isinstance(value, datetime):
        return local_text(value)
    return str(value)


def dept_combo(desk, name: str, none_text: str | None = None,
               current: str | None = None) -> QComboBox:
    """The departments by name (data: the code); ``none_text`` adds a first "none" choice."""
    combo = QComboBox()
    combo.setObjectName(name)
    if none_text is not None:
        combo.addItem(none_text, None)
    for code, dept_name in desk.archive.departments():
        combo.addItem(f"{dept_name} ({code})", code)
    if current:
        index = combo.findData(current)
        if index >= 0:
            combo.setCurrentIndex(index)
    return combo


def kind_combo(desk, name: str = "kind", none_text: str | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(none_text if none_text is not None else _("(no kind)"), None)
    for code, kind_name, _days in desk.archive.kinds():
        combo.addItem(f"{kind_name} ({code})", code)
    return combo


def level_combo(name: str = "level", current: str = "internal") -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for value in rules.LEVELS:
        combo.addItem(Level(value).label, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def urgency_combo(name: str = "urgency", current: str = "normal") -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for urgency in rules.Urgency:
        combo.addItem(urgency.label, urgency.value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def text_field(name: str, height: int = 72) -> QPlainTextEdit:
    """Several lines; Tab moves on (Ctrl+Enter saves the form it is in)."""
    text = QPlainTextEdit()
    text.setObjectName(name)
    text.setTabChangesFocus(True)
    text.setFixedHeight(height)
    return text


def my_department(desk, actor: Actor) -> str | None:
    """The actor's department code, if they have one (None also when it cannot be read)."""
    try:
        mine = desk.documents.my_department(actor)
    except DeskError:  # a default only: the form works without it
        return None
    return mine["code"] if mine else None


def sign_document(parent: QWidget, actor: Actor, what: str,
                  sign: Callable[[str, bytes | None], Any]) -> Any:
    """Password and handwriting, then ``sign(password, png)`` (three tries); None if
    cancelled."""
    return sign_as(parent, actor, what, sign)


def open_sheet(parent: QWidget, desk, actor: Actor, document: dict[str, Any]) -> Job:
    """The document's signed sheet (the final one, else the one signed so far), read and
    checked in the background, then previewed."""
    return show_document(parent, desk, lambda: desk.documents.sheet(actor, document["id"]),
                         f"{document['number']}.pdf")
