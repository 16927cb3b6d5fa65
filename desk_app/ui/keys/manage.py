"""Managing the register from the Keys & equipment page: edit or retire an article, and the
handover checklist template (the lines every handover counts that carry no tag)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.equipment import KIND_LABELS, MAX_COUNT, EquipmentKind
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.keys.dialogs import describe, kind_combo
from desk_app.ui.widgets.fields import FieldError, line_edit
from desk_app.ui.widgets.form_dialog import FormDialog


def kind_label(kind: str) -> str:
    try:
        return _(KIND_LABELS[EquipmentKind(kind)])
    except ValueError:
        return kind


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class EditArticleDialog(FormDialog):
    """Name, home, count and whether the handover checklist counts it; a retired article
    can be put back in use here."""

    def __init__(self, desk, actor: Actor, row: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.row = desk, actor, row
        self.setObjectName("edit_article_dialog")
        self.setWindowTitle(_("Edit {tag}").format(tag=row["tag"]))
        about = QLabel(describe(row))
        about.setObjectName("about")
        about.setWordWrap(True)
        self.form.addRow(about)
        self.name_edit = line_edit("name", row["name"])
        self.home_edit = line_edit("home", row.get("home") or "",
                                   placeholder=_("e.g. key cabinet, drawer 2"))
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("count")
        self.count_spin.setRange(0, MAX_COUNT)  # 0 reaches the service, which says why not
        self.count_spin.setValue(int(row["count"]))
        self.checklist_box = QCheckBox(_("On the handover &checklist"))
        self.checklist_box.setObjectName("on_checklist")
        self.checklist_box.setChecked(bool(row["on_checklist"]))
        self.active_box = QCheckBox(_("In &use (not retired)"))
        self.active_box.setObjectName("active")
        self.active_box.setChecked(bool(row.get("active", True)))
        self.add_field("name", _("&Name:"), self.name_edit)
        self.add_field("home", _("&Home:"), self.home_edit)
        self.add_field("count", _("C&ount:"), self.count_spin)
        self.form.addRow("", self.checklist_box)
        self.form.addRow("", self.active_box)
        self.active_box.setVisible(not row.get("active", True))
        error = FieldError()
        error.setObjectName("error_active")
        self.form.addRow("", error)
        self.field_errors["active"] = error
        self.ok_button.setText(_("&Save"))
        self.ok_button.setObjectName("save")
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def submit(self) -> dict[str, Any]:
        active = True if self.active_box.isChecked() and not self.row.get("active", True) \
            else None
        return self.desk.equipment.edit(
            self.actor, self.row["tag"], name=self.name_edit.text().strip(),
            home=self.home_edit.text().strip(), count=self.count_spin.value(),
            on_checklist=self.checklist_box.isChecked(), active=active)


class TemplateDialog(QDialog):
    """The checklist template: lines every handover counts besides the tagged articles of
    the register (a logbook, a box of forms). Added and removed here; a removed line stays on
    the handovers that already counted it."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("template_dialog")
        self.setWindowTitle(_("Handover checklist template"))
        self.result_value: Any = None
        about = QLabel(_("Every handover counts these lines as well as the articles of the "
                         "register marked for the checklist."))
        about.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("template_lines")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels([_("Label"), _("Section"), _("Expected")])
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnWidth(1, 190)
        self.tree.setColumnWidth(2, 80)
        self.tree.currentItemChanged.connect(lambda *_args: self._update())
        self.remove_button = QPushButton(_("&Remove line…"))
        self.remove_button.setObjectName("template_remove")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(lambda _checked=False: self.remove())

        self.label_edit = line_edit("label", placeholder=_("e.g. duty logbook"))
        self.kind = kind_combo()
        self.kind.setObjectName("kind")
        self.expected_spin = QSpinBox()
        self.expected_spin.setObjectName("expected")
        self.expected_spin.setRange(0, MAX_COUNT)  # 0 reaches the service, which says why not
        self.expected_spin.setValue(1)
        self.add_button = QPushButton(_("&Add line"))
        self.add_button.setObjectName("template_add")
        self.add_button.setAutoDefault(False)  # Enter in the label adds once (returnPressed)
        self.add_button.clicked.connect(lambda _checked=False: self.add())
        self.label_edit.returnPressed.connect(self.add)
        form = QFormLayout()
        for text, widget in ((_("&Label:"), self.label_edit), (_("&Section:"), self.kind),
                             (_("E&xpected count:"), self.expected_spin)):
            title = QLabel(text)
            title.setBuddy(widget)
            form.addRow(title, widget)
        self.error = FieldError()
        self.error.setObjectName("template_error")
        self.status = QLabel()
        self.status.setObjectName("template_status")

        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.remove_button)
        remove_row.addStretch(1)
        remove_row.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.tree, 1)
        layout.addLayout(remove_row)
        new = QLabel(_("New line:"))
        new.setStyleSheet("font-weight: bold;")
        layout.addWidget(new)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(add_row)
        layout.addWidget(buttons)
        self.resize(560, 480)
        self.load()
        self.label_edit.setFocus()

    def load(self, select_id: int | None = None) -> None:
        self.tree.clear()
        try:
            lines = self.desk.handovers.template_lines(self.actor)
        except DeskError as error:
            lines = []
            self.error.show_message(str(error))
        for line in lines:
            item = QTreeWidgetItem([line["label"], kind_label(line["kind"]),
                                    str(line["expected"])])
            item.setData(0, Qt.ItemDataRole.UserRole, line)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
            if line["id"] == select_id:
                self.tree.setCurrentItem(item)
        self.status.setText(ngettext("{count} line", "{count} lines", len(lines)).format(
            count=len(lines)) if lines else _("No lines yet."))
        self._update()

    def lines(self) -> list[dict[str, Any]]:
        items = (self.tree.topLevelItem(n) for n in range(self.tree.topLevelItemCount()))
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in items if item is not None]

    def selected(self) -> dict[str, Any] | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _update(self) -> None:
        self.remove_button.setEnabled(self.selected() is not None)

    def add(self) -> dict[str, Any] | None:
        try:
            line = self.desk.handovers.add_template_line(
                self.actor, self.label_edit.text().strip(), self.kind.currentData(),
                self.expected_spin.value())
        except DeskError as error:
            self.error.show_message(str(error))
            return None
        self.error.clear_message()
        self.label_edit.clear()
        self.expected_spin.setValue(1)
        self.result_value = line
        self.load(line["id"])
        self.label_edit.setFocus()
        return line

    def remove(self) -> bool:
        line = self.selected()
        if line is None:
            return False
        if not confirm(self, _("Remove checklist line"), _(
                "Remove \u201c{label}\u201d from the checklist template? Handovers that "
                "counted it keep it.").format(label=line["label"])):
            return False
        try:
            self.desk.handovers.remove_template_line(self.actor, line["id"])
        except DeskError as error:
            self.error.show_message(str(error))
            return False
        self.error.clear_message()
        self.result_value = line
        self.load()
        self.tree.setFocus()
        return True
