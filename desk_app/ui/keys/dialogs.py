"""Dialogs of the Keys & equipment page: add an article, check out, check in, history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.equipment import CONDITION_LABELS, KIND_LABELS, Condition, EquipmentKind
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.widgets.equipment import condition_combo, people_completer
from desk_app.ui.widgets.fields import line_edit, local_qdatetime
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.registers import local_text


def utc_of(edit: QDateTimeEdit) -> datetime:
    """A local time typed in ``edit`` as stored naive UTC."""
    local: datetime = edit.dateTime().toPython()  # type: ignore[assignment]
    return local.astimezone(UTC).replace(tzinfo=None)


def kind_combo(with_all: bool = False) -> QComboBox:
    combo = QComboBox()
    if with_all:
        combo.addItem(_("All kinds"), None)
    for kind in EquipmentKind:
        combo.addItem(_(KIND_LABELS[kind]), kind.value)
    return combo




def describe(row: dict[str, Any]) -> str:
    return _("{tag} · {name} ({kind})").format(tag=row["tag"], name=row["name"],
                                             kind=row.get("kind_label") or row["kind"])


class AddArticleDialog(FormDialog):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("add_article_dialog")
        self.setWindowTitle(_("Add an article"))
        self.tag_edit = line_edit("tag", placeholder=_("as on its label, e.g. K-101"))
        self.name_edit = line_edit("name")
        self.kind = kind_combo()
        self.kind.setObjectName("kind")
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("count")
        self.count_spin.setRange(1, 100_000)
        self.home_edit = line_edit("home", placeholder=_("e.g. key cabinet, drawer 2"))
        self.checklist_box = QCheckBox(_("On the handover &checklist"))
        self.checklist_box.setObjectName("on_checklist")
        self.checklist_box.setChecked(True)
        self.add_field("tag", _("&Tag:"), self.tag_edit)
        self.add_field("name", _("&Name:"), self.name_edit)
        self.add_field("kind", _("&Kind:"), self.kind)
        self.add_field("count", _("C&ount:"), self.count_spin)
        self.add_field("home", _("&Home:"), self.home_edit)
        self.form.addRow("", self.checklist_box)
        self.ok_button.setText(_("&Add"))
        self.tag_edit.setFocus()

    def submit(self) -> dict[str, Any]:
        return self.desk.equipment.add(
            self.actor, self.tag_edit.text().strip(), self.name_edit.text().strip(),
            self.kind.currentData(), count=self.count_spin.value(),
            home=self.home_edit.text().strip(), on_checklist=self.checklist_box.isChecked())


class CheckoutDialog(FormDialog):
    """Check out one article: to whom, why, until when (default: the end of the shift)."""

    def __init__(self, desk, actor: Actor, row: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.row = desk, actor, row
        self.setObjectName("checkout_dialog")
        self.setWindowTitle(_("Check out {tag}").format(tag=row["tag"]))
        about = QLabel(describe(row))
        about.setObjectName("about")
        about.setWordWrap(True)
        self.form.addRow(about)
        self.to_edit = line_edit("to", placeholder=_("user name, e.g. liqiang"))
        completer = people_completer(desk, actor, self)
        if completer is not None:
            self.to_edit.setCompleter(completer)
        self.reason_edit = line_edit("reason", placeholder=_("e.g. opening the sample room"))
        self.until_edit = QDateTimeEdit()
        self.until_edit.setObjectName("until")
        self.until_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.until_edit.setCalendarPopup(True)
        try:
            default_until = desk.shifts.curfew(desk.now())
        except DeskError:
            default_until = desk.now()
        self.until_edit.setDateTime(local_qdatetime(default_until))
        self.add_field("to", _("&To:"), self.to_edit)
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.add_field("until", _("&Until:"), self.until_edit)
        hint = QLabel(_("Until: the end of the current shift unless you change it."))
        hint.setEnabled(False)
        self.form.addRow("", hint)
        self.ok_button.setText(_("Check &out"))
        self.ok_button.setObjectName("checkout")
        self.to_edit.setFocus()

    def error_at(self, field: str | None, message: str):
        return super().error_at("to" if field in ("user", "holder") else field, message)

    def submit(self) -> dict[str, Any]:
        to = self.to_edit.text().strip()
        if not to:
            raise ValidationError(_("To whom? Give a user name."), "to")
        return self.desk.equipment.checkout(self.actor, self.row["tag"], to,
                                            self.reason_edit.text().strip(),
                                            utc_of(self.until_edit))


class CheckinDialog(FormDialog):
    """Check in one article: in what condition, with a note."""

    def __init__(self, desk, actor: Actor, row: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.row = desk, actor, row
        self.setObjectName("checkin_dialog")
        self.setWindowTitle(_("Check in {tag}").format(tag=row["tag"]))
        holder = row.get("holder_full_name") or row.get("holder") or ""
        about = QLabel(_("{article}\nout with {holder} since {since}, due {due}").format(
            article=describe(row), holder=holder, since=local_text(row.get("out_at")),
            due=local_text(row.get("due_at"))))
        about.setObjectName("about")
        about.setWordWrap(True)
        self.form.addRow(about)
        self.condition = condition_combo()
        self.note_edit = line_edit("note")
        self.add_field("condition", _("&Condition:"), self.condition)
        self.add_field("note", _("&Note:"), self.note_edit)
        self.ok_button.setText(_("Check &in"))
        self.ok_button.setObjectName("checkin")
        self.condition.setFocus()

    def submit(self) -> dict[str, Any]:
        return self.desk.equipment.checkin(self.actor, self.row["tag"],
                                           self.condition.currentData(),
                                           self.note_edit.text().strip())


class HistoryDialog(QDialog):
    """Every check-out of one article, or of one person, newest first."""

    LIMIT = 500

    def __init__(self, desk, actor: Actor, tag: str | None = None, holder: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("key_history_dialog")
        self.setWindowTitle(_("History of {tag}").format(tag=tag) if tag
                            else _("Articles held by {name}").format(name=holder))
        self.tree = QTreeWidget()
        self.tree.setObjectName("key_history")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels([_("Tag"), _("Article"), _("Holder"), _("Out"), _("By"),
                                   _("Due"), _("In"), _("By"), _("Condition"), _("Reason"),
                                   _("Note")])
        for column, width in enumerate((80, 140, 110, 125, 80, 125, 125, 80, 80, 140)):
            self.tree.setColumnWidth(column, width)
        self.status = QLabel()
        self.status.setObjectName("key_history_status")
        try:
            rows = desk.equipment.history(actor, tag=tag, holder=holder, limit=self.LIMIT)
        except DeskError as error:
            rows = []
            self.status.setText(str(error))
        for row in rows:
            condition = row.get("condition_in") or ""
            item = QTreeWidgetItem([
                row["tag"], row["name"], row.get("holder_full_name") or row["holder"] or "",
                local_text(row["out_at"]), row.get("out_by") or "", local_text(row["due_at"]),
                local_text(row["in_at"]) or _("(still out)"), row.get("in_by") or "",
                _(CONDITION_LABELS[Condition(condition)]) if condition else "",
                row.get("reason") or "", row.get("note_in") or ""])
            if row.get("overdue"):
                for column in range(item.columnCount()):
                    item.setForeground(column, Qt.GlobalColor.darkRed)
            self.tree.addTopLevelItem(item)
        if not rows and not self.status.text():
            self.status.setText(_("Nothing checked out yet."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(1100, 440)
