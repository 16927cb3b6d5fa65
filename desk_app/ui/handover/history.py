"""The handover history: a paged register with filters; a record opens read-only (the
supervisor countersigns from there, anyone may see the PDF)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.handover import STATUS_LABELS, Status
from desk_app.domain.shifts import shift_label
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.errors import show_error
from desk_app.ui.handover.lines import person_text
from desk_app.ui.handover.record import RecordView
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.export_dialog import ExportButton, can_export
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.page import DialogHost
from desk_app.ui.widgets.registers import apply_widths, local_text, preview_pdf, register_table


def who(value: Any) -> str:
    return person_text(value) if isinstance(value, dict) else (value or "")


def history_columns() -> list[Column]:
    right = Qt.AlignmentFlag.AlignRight
    return [
        Column(lambda: _("Number"), lambda row: row["number"]),
        Column(lambda: _("Shift"), lambda row: f"{row['shift_day']} {shift_label(row['shift'])}"),
        Column(lambda: _("Outgoing"), lambda row: who(row["outgoing"])),
        Column(lambda: _("Incoming"), lambda row: who(row["incoming"])),
        Column(lambda: _("Supervisor"), lambda row: who(row.get("supervisor"))),
        Column(lambda: _("Status"), lambda row: row["status_label"]),
        Column(lambda: _("Due"), lambda row: local_text(row["scheduled_at"])),
        Column(lambda: _("Handed over"), lambda row: local_text(row.get("handed_over_at"))
               + ("  " + _("late") if row.get("late") and row.get("handed_over_at") else "")),
        Column(lambda: _("Discrepancies"), lambda row: row.get("discrepancies") or "", align=right),
        Column(lambda: _("Refusals"), lambda row: row.get("refusals") or "", align=right),
    ]


class HistoryModel(PagedTableModel):
    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.row(index.row())
            if row is not None and row.get("discrepancies"):
                return QBrush(QColor("#8b0000"))
            return None
        return super().data(index, role)


class RecordDialog(QDialog):
    """One handover, read-only apart from its next signature (countersign) and corrections."""

    def __init__(self, desk, actor: Actor, record: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handover_record_dialog")
        self.setWindowTitle(_("Handover {number}").format(number=record["number"]))
        self.result_value: Any = None
        self.view = RecordView(desk, actor, self)
        self.view.set_record(record)
        self.view.changed.connect(self._changed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1180, 720)

    def _changed(self) -> None:
        self.result_value = self.view.record


class HistoryTab(QWidget, DialogHost):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.flt = self._filter()
        self.text_edit = line_edit("handover_filter_text", placeholder=_("number or person"))
        self.text_edit.setClearButtonEnabled(True)
        text_label = QLabel(_("&Find:"))
        text_label.setBuddy(self.text_edit)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("handover_filter_status")
        self.status_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status_combo.setMinimumContentsLength(10)
        self.status_combo.addItem(_("Every status"), None)
        for status in Status:
            self.status_combo.addItem(_(STATUS_LABELS[status]), status.value)
        status_label = QLabel(_("S&tatus:"))
        status_label.setBuddy(self.status_combo)
        self.discrepancies_box = QCheckBox(_("With &discrepancies only"))
        self.discrepancies_box.setObjectName("handover_filter_discrepancies")
        self.count_label = QLabel()
        self.count_label.setObjectName("handover_count")
        top = QHBoxLayout()
        for widget in (text_label, self.text_edit, status_label, self.status_combo,
                       self.discrepancies_box):
            top.addWidget(widget)
        top.setStretchFactor(self.text_edit, 1)
        top.addStretch(1)
        top.addWidget(self.count_label)

        self.model = HistoryModel(self._count, self._fetch, history_columns(), parent=self)
        self.table: QTableView = register_table("handover_history")
        self.table.setModel(self.model)
        apply_widths(self.table, (115, 120, 130, 130, 130, 210, 125, 150, 95))
        self.table.activated.connect(lambda _index: self.open_selected())

        self.open_button = QPushButton(_("&Open…"))
        self.open_button.setObjectName("handover_open")
        self.open_button.clicked.connect(lambda _checked=False: self.open_selected())
        self.pdf_button = QPushButton(_("&PDF…"))
        self.pdf_button.setObjectName("handover_history_pdf")
        self.pdf_button.clicked.connect(lambda _checked=False: self.pdf_selected())
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.pdf_button)
        row.addStretch(1)
        self.export_button = ExportButton(desk, actor, "handovers", self)
        self.export_button.setVisible(can_export(desk, actor, "handovers"))
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(300)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.text_edit.textChanged.connect(lambda _text: self.filter_timer.start())
        self.status_combo.currentIndexChanged.connect(self.apply_filter)
        self.discrepancies_box.toggled.connect(self.apply_filter)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update())
        self.model.modelReset.connect(self._update)
        self._update()

    @staticmethod
    def _filter(**values: Any) -> Any:
        from desk_app.services.handover.handovers import HandoverFilter

        return HandoverFilter(**values)

    def _count(self) -> int:
        return self.desk.handovers.count_history(self.actor, self.flt)

    def _fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.desk.handovers.page(self.actor, self.flt, offset, limit)

    def apply_filter(self, *_args) -> None:
        self.filter_timer.stop()
        self.flt = self._filter(text=self.text_edit.text().strip(),
                                status=self.status_combo.currentData(),
                                discrepancies_only=self.discrepancies_box.isChecked())
        self.refresh()

    def show_status(self, status: str | None, discrepancies: bool = False) -> None:
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(status)))
        self.discrepancies_box.setChecked(discrepancies)
        self.apply_filter()

    def refresh(self) -> None:
        try:
            self.model.refresh()
        except DeskError as error:
            show_error(self, error)
        self._update()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if len(rows) == 1 else None

    def _update(self, *_args) -> None:
        count = self.model.rowCount()
        self.count_label.setText(ngettext("{count} handover", "{count} handovers", count)
                                 .format(count=count))
        one = self.selected() is not None
        self.open_button.setEnabled(one)
        self.pdf_button.setEnabled(one)

    def open_record(self, handover_id: int) -> RecordDialog | None:
        try:
            record = self.desk.handovers.show(self.actor, handover_id)
        except DeskError as error:
            show_error(self, error)
            return None
        dialog = RecordDialog(self.desk, self.actor, record, self)
        self.run_dialog(dialog, lambda _value: self.refresh(), accepted_only=False)
        return dialog

    def open_selected(self) -> RecordDialog | None:
        row = self.selected()
        return self.open_record(row["id"]) if row is not None else None

    def pdf_selected(self) -> Job | None:
        row = self.selected()
        if row is None:
            return None
        desk, actor, handover_id, number = self.desk, self.actor, row["id"], row["number"]
        return Job(lambda _progress: desk.handovers.pdf(actor, handover_id), desk=desk,
                   parent=self, label=_("Preparing the form…"),
                   on_success=lambda pdf: preview_pdf(self, pdf, f"{number}.pdf")).start()
