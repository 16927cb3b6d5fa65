"""Exporting the audit trail (R16): the dialog that asks what and where."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.services.output import check_target
from desk_app.ui.widgets.fields import FieldError, show_field_error

log = logging.getLogger(__name__)



def default_export_path(fmt: str, today: date) -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    stamp = today.strftime("%Y%m%d")
    return Path(folder or Path.home()) / f"audit-{stamp}.{fmt}"


class ExportDialog(QDialog):
    """Period, format and target file. After ``accept()``: ``since``, ``until``, ``fmt``, ``path``."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today  # the standard clock's day (R8), not the PC's
        self.setObjectName("export_dialog")
        self.setWindowTitle(_("Export the audit trail"))
        self.since_edit = QDateEdit(QDate(today.year, today.month, 1))
        self.until_edit = QDateEdit(QDate(today.year, today.month, today.day))
        for edit, name in ((self.since_edit, "export_since"), (self.until_edit, "export_until")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("export_format")
        self.format_combo.addItem(_("PDF, signed by you"), "pdf")
        self.format_combo.addItem(_("CSV spreadsheet"), "csv")
        self.path_edit = QLineEdit(str(default_export_path("pdf", today)))
        self.path_edit.setObjectName("export_path")
        self.path_edit.setMinimumWidth(360)
        self.browse_button = QPushButton(_("&Browse…"))
        self.browse_button.setObjectName("export_browse")
        self.format_hint = QLabel()
        self.format_hint.setWordWrap(True)
        self.format_hint.setEnabled(False)

        self.errors = {name: FieldError() for name in ("from", "to", "out")}
        self.general_error = FieldError()

        form = QFormLayout()
        since_label, until_label = QLabel(_("&From:")), QLabel(_("&To:"))
        since_label.setBuddy(self.since_edit)
        until_label.setBuddy(self.until_edit)
        format_label, path_label = QLabel(_("F&ormat:")), QLabel(_("&Save to:"))
        format_label.setBuddy(self.format_combo)
        path_label.setBuddy(self.path_edit)
        form.addRow(since_label, self.since_edit)
        form.addRow("", self.errors["from"])
        form.addRow(until_label, self.until_edit)
        form.addRow("", self.errors["to"])
        form.addRow(format_label, self.format_combo)
        form.addRow("", self.format_hint)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form.addRow(path_label, path_row)
        form.addRow("", self.errors["out"])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Export…"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.browse_button.clicked.connect(self.browse)
        self._format_changed()

        self.since: date | None = None
        self.until: date | None = None
        self.fmt = "pdf"
        self.path = Path()
        self.force = False  # the user agreed to replace an existing file

    def current_format(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def _format_changed(self, *_args) -> None:
        fmt = self.current_format()
        self.format_hint.setText(
            _("You sign the PDF with your password and your handwritten signature.")
            if fmt == "pdf" else _("A CSV file is not signed."))
        text = self.path_edit.text().strip()
        if text:
            path = Path(text)
            if path.suffix.lower() in (".pdf", ".csv"):
                self.path_edit.setText(str(path.with_suffix(f".{fmt}")))

    def browse(self) -> None:
        fmt = self.current_format()
        filters = _("PDF files (*.pdf)") if fmt == "pdf" else _("CSV files (*.csv)")
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export to"), self.path_edit.text() or str(default_export_path(fmt, self.today)),
            filters, options=QFileDialog.Option.DontConfirmOverwrite)  # accept() asks
        if path:
            if not Path(path).suffix:
                path += f".{fmt}"
            self.path_edit.setText(path)

    def accept(self) -> None:
        since = self.since_edit.date().toPython()
        until = self.until_edit.date().toPython()
        text = self.path_edit.text().strip()
        fields = {**self.errors}
        if since > until:
            show_field_error(fields, self.general_error, "from",
                             _("The start date is after the end date."))
            return
        if not text:
            show_field_error(fields, self.general_error, "out", _("Please choose a file to export to."))
            return
        show_field_error(fields, self.general_error, None, "")
        path = Path(text).expanduser()
        try:
            check_target(path, force=True)  # every problem but "it exists" (asked next)
        except ValidationError as error:
            show_field_error(fields, self.general_error, "out", str(error))
            return
        force = path.exists()
        if force and QMessageBox.question(
                self, _("Export"), _("{name} exists already. Replace it?").format(name=path.name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        self.since, self.until, self.fmt, self.path, self.force = (
            since, until, self.current_format(), path, force)
        super().accept()

    def show_error(self, error: ValidationError) -> None:
        """A service's ValidationError next to its field (``from``, ``out``, …)."""
        show_field_error(self.errors, self.general_error, error.field, str(error))
