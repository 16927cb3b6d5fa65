"""Dialogs of the Handover page: start, an entry, resolve, count a line, the two flags, and
the incoming person's password at the outgoing person's desk."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from desk_app.domain.equipment import MAX_COUNT
from desk_app.domain.errors import ValidationError
from desk_app.domain.handover import ENTRY_LABELS, EntryKind
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.handover.lines import person_text
from desk_app.ui.widgets.equipment import condition_combo, people_completer
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog


def text_field(name: str, text: str = "", height: int = 56) -> QPlainTextEdit:
    edit = QPlainTextEdit(text)
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


def ctrl_enter(dialog: FormDialog) -> None:
    from PySide6.QtGui import QAction, QKeySequence

    save = QAction(dialog)
    save.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    save.triggered.connect(lambda _checked=False: dialog.ok_button.click())
    dialog.addAction(save)


class StartDialog(FormDialog):
    """Start the handover of the current shift: who comes in."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("start_dialog")
        self.setWindowTitle(_("Start the handover"))
        about = QLabel(_("You ({name}) hand over the current shift. The checklist is filled "
                         "from the register; open entries of the last handover are carried "
                         "forward.").format(name=actor.label))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.incoming_edit = line_edit("incoming", placeholder=_("user name, e.g. zhoumin"))
        completer = people_completer(desk, actor, self)
        if completer is not None:
            self.incoming_edit.setCompleter(completer)
        self.add_field("incoming", _("&Incoming person:"), self.incoming_edit)
        self.ok_button.setText(_("&Start"))
        self.ok_button.setObjectName("start")
        self.incoming_edit.setFocus()

    def error_at(self, field: str | None, message: str):
        return super().error_at("incoming" if field in ("user", "incoming") else field, message)

    def submit(self) -> dict[str, Any]:
        name = self.incoming_edit.text().strip()
        if not name:
            raise ValidationError(_("Who takes over? Give their user name."), "incoming")
        return self.desk.handovers.start(self.actor, name)


class EntryDialog(FormDialog):
    """A new entry, or an existing one edited (``entry`` given). A problem needs cause,
    process and result (R9); a major one blocks the handover until resolved (R12)."""

    def __init__(self, desk, actor: Actor, handover_id: int, entry: dict[str, Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.handover_id, self.entry = desk, actor, handover_id, entry
        self.setObjectName("entry_dialog")
        self.setWindowTitle(_("Edit entry {no}").format(no=entry["no"]) if entry
                            else _("Add an entry"))
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        for kind in EntryKind:
            self.kind.addItem(_(ENTRY_LABELS[kind]), kind.value)
        if entry:
            self.kind.setCurrentIndex(max(0, self.kind.findData(entry["kind"])))
            self.kind.setEnabled(False)
        self.text_edit = text_field("text", entry["text"] if entry else "", 64)
        self.cause_edit = text_field("cause", entry["cause"] if entry else "")
        self.process_edit = text_field("process", entry["process"] if entry else "")
        self.result_edit = text_field("result", entry["result"] if entry else "")
        self.major_box = QCheckBox(_("&Major or emergency event (blocks the handover until "
                                     "resolved)"))
        self.major_box.setObjectName("major")
        self.major_box.setChecked(bool(entry and entry["major"]))
        self.resolved_box = QCheckBox(_("Already &resolved / done"))
        self.resolved_box.setObjectName("resolved")
        self.resolved_box.setVisible(entry is None)
        self.add_field("kind", _("&Kind:"), self.kind)
        self.add_field("text", _("&What:"), self.text_edit)
        self.add_field("cause", _("&Cause:"), self.cause_edit)
        self.add_field("process", _("&Handling:"), self.process_edit)
        self.add_field("result", _("Res&ult:"), self.result_edit)
        self.form.addRow("", self.major_box)
        self.form.addRow("", self.resolved_box)
        self.ok_button.setText(_("&Save"))
        self.setMinimumWidth(560)
        ctrl_enter(self)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        (self.text_edit if entry else self.kind).setFocus()

    def _kind_changed(self, *_args) -> None:
        problem = self.kind.currentData() == EntryKind.PROBLEM
        self.major_box.setEnabled(problem)
        for edit in (self.cause_edit, self.process_edit):
            edit.setEnabled(problem)

    def submit(self) -> dict[str, Any]:
        values = dict(text=self.text_edit.toPlainText().strip(),
                      cause=self.cause_edit.toPlainText().strip(),
                      process=self.process_edit.toPlainText().strip(),
                      result=self.result_edit.toPlainText().strip(),
                      major=self.major_box.isChecked() and self.major_box.isEnabled())
        if self.entry:
            return self.desk.handovers.edit_entry(self.actor, self.handover_id, self.entry["no"],
                                                  **values)
        return self.desk.handovers.add_entry(self.actor, self.handover_id,
                                             self.kind.currentData(),
                                             resolved=self.resolved_box.isChecked(), **values)


class ResolveDialog(FormDialog):
    def __init__(self, desk, actor: Actor, handover_id: int, entry: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.handover_id, self.entry = desk, actor, handover_id, entry
        self.setObjectName("resolve_dialog")
        self.setWindowTitle(_("Resolve entry {no}").format(no=entry["no"]))
        about = QLabel(entry["text"])
        about.setWordWrap(True)
        self.form.addRow(about)
        self.result_edit = text_field("result", entry.get("result") or "", 64)
        self.add_field("result", _("&Result:"), self.result_edit)
        self.ok_button.setText(_("&Resolve"))
        ctrl_enter(self)
        self.result_edit.setFocus()

    def submit(self) -> dict[str, Any]:
        result = self.result_edit.toPlainText().strip()
        if not result:
            raise ValidationError(_("How was it resolved? Give the result."), "result")
        return self.desk.handovers.resolve(self.actor, self.handover_id, self.entry["no"], result)


class CountDialog(FormDialog):
    """The number found on one checklist line, its condition and a note."""

    def __init__(self, desk, counter: Actor, handover_id: int, line: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.counter, self.handover_id, self.line = desk, counter, handover_id, line
        self.setObjectName("count_dialog")
        self.setWindowTitle(_("Count line {no}").format(no=line["no"]))
        about = QLabel(_("{label} {tag} · expected {expected}").format(
            label=line["label"], tag=line.get("tag") or "", expected=line["expected"])
            + (("\n" + _("Out with {who}").format(who=line["out_with"])) if line.get("out_with")
               else ""))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.found_spin = QSpinBox()
        self.found_spin.setObjectName("found")
        self.found_spin.setRange(0, MAX_COUNT)
        self.found_spin.setValue(line["found"] if line.get("found") is not None
                                 else line["expected"])
        self.condition = condition_combo()
        if line.get("condition"):
            self.condition.setCurrentIndex(max(0, self.condition.findData(line["condition"])))
        self.note_edit = line_edit("note", line.get("note") or "")
        self.add_field("found", _("&Found:"), self.found_spin)
        self.add_field("condition", _("&Condition:"), self.condition)
        self.add_field("note", _("&Note:"), self.note_edit)
        self.ok_button.setText(_("&Count"))
        self.found_spin.setFocus()
        self.found_spin.selectAll()

    def submit(self) -> dict[str, Any]:
        return self.desk.handovers.count(
            self.counter, self.handover_id, self.line["no"], self.found_spin.value(),
            condition=self.condition.currentData(), note=self.note_edit.text().strip(),
            recount=self.line.get("found") is not None)


class EquipmentFlagDialog(FormDialog):
    """R12 (2): major equipment starting or stopping — set with a note, or clear."""

    def __init__(self, desk, actor: Actor, record: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.record = desk, actor, record
        self.setObjectName("equipment_flag_dialog")
        self.setWindowTitle(_("Equipment starting or stopping"))
        self.flag_box = QCheckBox(_("Major equipment is &starting or stopping now"))
        self.flag_box.setObjectName("flag")
        self.flag_box.setChecked(record.get("equipment_note") is not None)
        self.note_edit = line_edit("note", record.get("equipment_note") or "",
                                   _("which equipment, what is happening"))
        self.form.addRow(self.flag_box)
        self.add_field("note", _("&Note:"), self.note_edit)
        self.ok_button.setText(_("&Save"))
        self.flag_box.toggled.connect(self.note_edit.setEnabled)
        self.note_edit.setEnabled(self.flag_box.isChecked())
        self.flag_box.setFocus()

    def submit(self) -> dict[str, Any]:
        note = self.note_edit.text().strip() if self.flag_box.isChecked() else None
        if note == "":
            raise ValidationError(_("Say which equipment and what is happening."), "note")
        return self.desk.handovers.flag_equipment(self.actor, self.record["id"], note)


class UnfitFlagDialog(FormDialog):
    """R12 (4): the incoming person is unfit; a substitute then counts and signs."""

    def __init__(self, desk, actor: Actor, record: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.record = desk, actor, record
        self.setObjectName("unfit_flag_dialog")
        self.setWindowTitle(_("Incoming person unfit"))
        self.flag_box = QCheckBox(_("{name} is &unfit to take over").format(
            name=person_text(record["incoming"])))
        self.flag_box.setObjectName("flag")
        self.flag_box.setChecked(record.get("unfit_note") is not None)
        self.note_edit = line_edit("note", record.get("unfit_note") or "", _("why"))
        substitute = record.get("substitute") or {}
        self.substitute_edit = line_edit("substitute", substitute.get("name", ""),
                                         _("user name of the substitute"))
        completer = people_completer(desk, actor, self)
        if completer is not None:
            self.substitute_edit.setCompleter(completer)
        self.form.addRow(self.flag_box)
        self.add_field("note", _("&Why:"), self.note_edit)
        self.add_field("substitute", _("Su&bstitute:"), self.substitute_edit)
        self.ok_button.setText(_("&Save"))
        self.flag_box.toggled.connect(self._toggled)
        self._toggled(self.flag_box.isChecked())
        self.flag_box.setFocus()

    def _toggled(self, on: bool) -> None:
        self.note_edit.setEnabled(on)
        self.substitute_edit.setEnabled(on)

    def submit(self) -> dict[str, Any]:
        if not self.flag_box.isChecked():
            return self.desk.handovers.flag_unfit(self.actor, self.record["id"], None, None)
        note = self.note_edit.text().strip()
        if not note:
            raise ValidationError(_("Say why the incoming person cannot take over."), "note")
        return self.desk.handovers.flag_unfit(self.actor, self.record["id"], note,
                                              self.substitute_edit.text().strip() or None)


class PersonPasswordDialog(FormDialog):
    """The incoming person types their own password at this desk (to count, or to sign)."""

    def __init__(self, name: str, label: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName("person_password_dialog")
        self.setWindowTitle(_("{label}: your password").format(label=label))
        about = QLabel(what)
        about.setWordWrap(True)
        self.form.addRow(about)
        self.password_edit = line_edit("password", password=True)
        self.add_field("password", _("&Password of {name}:").format(name=name), self.password_edit)
        self.password_edit.setFocus()

    def submit(self) -> str:
        if not self.password_edit.text():
            raise ValidationError(_("Please enter your password."), "password")
        return self.password_edit.text()


class CorrectionDialog(FormDialog):
    """A locked handover is never edited: a correction is a linked record with a text."""

    def __init__(self, desk, actor: Actor, record: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.record = desk, actor, record
        self.setObjectName("correction_dialog")
        self.setWindowTitle(_("Correct handover {number}").format(number=record["number"]))
        self.text_edit = text_field("text", "", 80)
        self.add_field("text", _("&Correction:"), self.text_edit)
        self.ok_button.setText(_("&Record correction"))
        ctrl_enter(self)
        self.text_edit.setFocus()

    def submit(self) -> dict[str, Any]:
        return self.desk.handovers.correct(self.actor, self.record["id"],
                                           self.text_edit.toPlainText().strip())
