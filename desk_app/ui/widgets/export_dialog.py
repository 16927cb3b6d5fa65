"""Export… for any register (R16): one dialog from the period to the written file.

Any page offers it with one line::

    self.export_button = ExportButton(desk, actor, "loans", self)  # hidden if not allowed
    self.export_button.exported.connect(lambda result: self.refresh())

or opens the dialog itself::

    dialog = ExportDialog(desk, actor, "visits", parent)  # a name of desk.exports.registers()
    dialog.done.connect(...)  # ExportResult once a file is written; None after cancel/failure
    dialog.open()  # or exec()

The dialog asks for the period (default: this month, by ``desk.today()``; typed dates are
read strictly or picked on a calendar, ``DateField``), the format (those of
``desk.exports.formats(register)``: signed PDF, XLSX, CSV) and the file (default
``Documents/<register>-<yyyymmdd>.<ext>``, or the folder last exported to; the extension
follows the format). On *Export…* everything is checked before anyone signs
(``desk.exports.check``): the dates, the period, the folder (exists, writable, not the
database), "replace it?"; then a PDF asks for the signature (``SignDialog``), whose *Sign*
checks the password first — a wrong one is refused at the password field, the drawing kept —
and only then ``desk.exports.export`` runs in a background ``Job`` with progress and Cancel.
Success closes the dialog and says how many rows went to which file (*Preview…* for a PDF);
a failure or a cancel keeps it open with the message and with everything typed and drawn.

A file that is not a register (the reception's monthly complaint statistics) subclasses the
dialog: ``register_title``, ``offered_formats``, ``add_period_fields`` / ``chosen_period``,
``sign_prompt`` and ``export_work`` (what the job runs) are its hooks; the order — check the
file, sign, write in a job — stays the dialog's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import AuthenticationFailed, DeskError, ValidationError
from desk_app.domain.roles import role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.errors import replacing, show_error
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.fields import heading_label
from desk_app.ui.widgets.files import last_folder, save_file_name, start_folder
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.jobs import Job, Progress

if TYPE_CHECKING:  # the signing dialog and the viewer are imported when first opened
    from desk_app.ui.widgets.pdf_view import PdfPreviewDialog
    from desk_app.ui.widgets.sign_dialog import SignDialog

log = logging.getLogger(__name__)

SUFFIXES = ("pdf", "xlsx", "csv")  # the order the formats are offered in


def format_choices() -> dict[str, tuple[str, str, str]]:
    """format -> (choice, hint, file-dialog filter), translated now."""
    return {
        "pdf": (_("PDF, signed by you"),
                _("You sign the PDF with your password and your handwritten signature."),
                _("PDF files (*.pdf)")),
        "xlsx": (_("Excel workbook (XLSX)"), _("A spreadsheet is not signed."),
                 _("Excel workbooks (*.xlsx)")),
        "csv": (_("CSV spreadsheet"), _("A CSV file is not signed."), _("CSV files (*.csv)")),
    }


FILE_KIND = "export"  # the folder last exported to is remembered under this (ui.widgets.files)


def default_export_path(register: str, fmt: str, today: date) -> Path:
    """``<folder last exported to, else Documents>/<register>-<yyyymmdd>.<fmt>``."""
    folder = last_folder(FILE_KIND) or start_folder(FILE_KIND)
    return folder / f"{register}-{today.strftime('%Y%m%d')}.{fmt}"


def signer_label(actor: Actor) -> str:
    """"王芳 · Clerk" — who signs, as the signature dialog shows it."""
    roles = "、".join(role_label(role) for role in sorted(actor.roles))
    return f"{actor.display_name} · {roles}" if roles else actor.display_name


def can_export(desk, actor: Actor, register: str) -> bool:
    return register in dict(desk.exports.registers(actor))


class ExportDialog(FormDialog):
    """Period, format and file of one register's export; signs (PDF) and exports in a job.

    While it is on screen: ``sign_dialog``, ``job`` (the export running), after a success
    ``result_box`` and, for a PDF, its ``preview_button``."""

    # ExportResult once a file is written; None after a cancel or failure. The name shadows
    # QDialog.done(int) for Python callers (none here call it; accept() still works).
    done = Signal(object)  # type: ignore[assignment]

    def __init__(self, desk, actor: Actor, register: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.register = desk, actor, register
        self.today = desk.today()  # the standard clock's day (R8), not the PC's
        self.title = self.register_title()
        offered = self.offered_formats()
        self.formats = [fmt for fmt in SUFFIXES if fmt in offered]
        self.setObjectName("export_dialog")
        self.setWindowTitle(_("Export – {register}").format(register=self.title))

        today = self.today
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("export_format")
        choices = format_choices()
        for fmt in self.formats:
            self.format_combo.addItem(choices[fmt][0], fmt)
        self.path_edit = QLineEdit(str(default_export_path(register, self.formats[0], today)))
        self.path_edit.setObjectName("export_path")
        self.path_edit.setMinimumWidth(380)
        self.browse_button = QPushButton(_("&Browse…"))
        self.browse_button.setObjectName("export_browse")
        self.format_hint = QLabel()
        self.format_hint.setWordWrap(True)
        self.format_hint.setEnabled(False)
        path_row = QWidget()  # the file name and Browse…, one field
        path_layout = QHBoxLayout(path_row)
        path_layout.setContentsMargins(0, 0, 0, 0)
        path_layout.addWidget(self.path_edit, 1)
        path_layout.addWidget(self.browse_button)
        path_row.setFocusProxy(self.path_edit)  # Alt+S reaches the file name

        self.add_period_fields()
        self.add_field("format", _("F&ormat:"), self.format_combo)
        self.form.addRow("", self.format_hint)
        self.add_field("out", _("&Save to:"), path_row)
        self.errors = self.field_errors
        self.ok_button.setText(_("&Export…"))
        # which register: the window title may not show
        self.heading = heading_label(self.title, "export_register", 1.2)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.heading)

        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.browse_button.clicked.connect(self.browse)
        self._format_changed()

        self.sign_dialog: SignDialog | None = None
        self.job: Job | None = None
        self.result_box: QMessageBox | None = None
        self.preview_button: QPushButton | None = None
        self.preview_dialog: PdfPreviewDialog | None = None
        # What the user chose, once the file passed its check.
        self.since: date | None = None
        self.until: date | None = None
        self.fmt = self.formats[0]
        self.path = Path()
        self.force = False  # the user agreed to replace an existing file

    # ---------------------------------------------------------------- what a subclass changes

    def register_title(self) -> str:
        return str(dict(self.desk.exports.registers(self.actor)).get(self.register,
                                                                     self.register))

    def offered_formats(self) -> Sequence[str]:
        return list(self.desk.exports.formats(self.register))

    def add_period_fields(self) -> None:
        """The period's rows of the form: from and to (default: this month so far)."""
        today = self.today
        self.since_edit = DateField(today.replace(day=1), name="export_since")
        self.until_edit = DateField(today, name="export_until")
        self.add_field("from", _("&From:"), self.since_edit)
        self.add_field("to", _("&To:"), self.until_edit)

    def chosen_period(self) -> tuple[date, date] | None:
        """The period chosen, or None after showing what is wrong with it."""
        since, until = self.since_edit.value(), self.until_edit.value()
        for key, field, day in (("from", self.since_edit, since), ("to", self.until_edit, until)):
            if day is None:
                self.error_at(key, field.error() or "")
                field.line_edit.setFocus()
                return None
        assert since is not None and until is not None
        if since > until:
            self.error_at("from", _("The start date is after the end date."))
            return None
        return since, until

    def sign_prompt(self) -> str:
        return _("You sign the export of “{register}” from {since} to {until} ({name}). Your "
                 "password unlocks your signing key.").format(
            register=self.title, since=self.since, until=self.until, name=self.path.name)

    def export_work(self, password: str | None,
                    handwriting_png: bytes | None) -> Callable[[Progress], Any]:
        """What the background job runs: the values it needs are read now (GUI thread)."""
        desk, actor, register = self.desk, self.actor, self.register
        since, until, fmt, out, force = self.since, self.until, self.fmt, self.path, self.force
        secret = [password]  # the worker takes the password; nothing keeps it afterwards

        def work(progress: Progress) -> Any:
            return desk.exports.export(actor, register, since, until, fmt, out,
                                       password=secret.pop(), handwriting_png=handwriting_png,
                                       progress=progress, force=force)

        return work

    # ---------------------------------------------------------------- the form

    def current_format(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def _format_changed(self, *_args) -> None:
        fmt = self.current_format()
        self.format_hint.setText(format_choices()[fmt][1])
        text = self.path_edit.text().strip()
        if text and Path(text).suffix.lower().lstrip(".") in SUFFIXES:
            self.path_edit.setText(str(Path(text).with_suffix(f".{fmt}")))

    def browse(self) -> None:
        fmt = self.current_format()
        path = save_file_name(
            self, _("Export to"), FILE_KIND,
            self.path_edit.text() or str(default_export_path(self.register, fmt, self.today)),
            format_choices()[fmt][2], confirm_overwrite=False)  # _on_ok asks
        if path:
            if not Path(path).suffix:
                path += f".{fmt}"
            self.path_edit.setText(path)

    def show_error(self, error: BaseException) -> None:
        """A ValidationError under its field (``from``, ``out``, …), others below the form."""
        self.error_at(error.field if isinstance(error, ValidationError) else None, str(error))

    def _on_ok(self) -> None:
        """Check the period and the file (before anyone signs), then sign and export."""
        if self.job is not None:
            return
        period = self.chosen_period()
        if period is None:
            return
        since, until = period
        text = self.path_edit.text().strip()
        if not text:
            self.error_at("out", _("Please choose a file to export to."))
            return
        self.error_at(None, "")
        fmt = self.current_format()
        try:  # the period, a missing folder, the open database …; an existing file: "Replace?"
            path, force = replacing(self, lambda force: (self.check(since, until, fmt, text,
                                                                    force=force), force))
        except DeskError as error:
            self.show_error(error)
            return
        self.since, self.until, self.fmt, self.path, self.force = (
            since, until, fmt, path, force)
        if self.fmt == "pdf":
            self._ask_signature()
        else:
            self._start(None, None)

    def check(self, since: date, until: date, fmt: str, out: Path | str,
              password: str | None = None, force: bool = False) -> Path:
        """What the export will check, asked now (before anyone signs); writes nothing."""
        return self.desk.exports.check(self.actor, self.register, since, until, fmt, out,
                                       password=password, force=force)

    def reject(self) -> None:
        if self.job is not None:  # Esc while exporting: stop it, keep the dialog
            self.job.cancel()
            return
        self._drop_signature()
        super().reject()

    # ---------------------------------------------------------------- sign and export

    def _ask_signature(self) -> None:
        prompt = self.sign_prompt()
        if self.sign_dialog is None:
            from desk_app.ui.widgets.sign_dialog import SignDialog

            self.sign_dialog = sign = SignDialog(signer_label(self.actor), prompt, parent=self,
                                                 check=self._check_password)
            sign.accepted.connect(lambda: self._start(sign.password, sign.handwriting_png))
        self.sign_dialog.prompt_label.setText(prompt)
        self.sign_dialog.open()

    def _check_password(self, password: str) -> None:
        """*Sign* in the signature dialog: the password (and the file, once more) before the
        job starts; a refusal stays in that dialog (SignDialog shows it)."""
        assert self.since is not None and self.until is not None
        self.check(self.since, self.until, self.fmt, self.path, password=password,
                   force=self.force)

    def _drop_signature(self) -> None:
        if self.sign_dialog is not None:
            self.sign_dialog.deleteLater()
            self.sign_dialog = None

    def _start(self, password: str | None, handwriting_png: bytes | None) -> None:
        if self.job is not None:
            return
        label = _("Exporting “{register}” to {name}…").format(register=self.title,
                                                              name=self.path.name)
        self.ok_button.setEnabled(False)
        self.job = Job(self.export_work(password, handwriting_png), desk=self.desk, parent=self,
                       title=_("Export"), label=label,
                       on_success=self._exported, on_failure=self._failed,
                       on_cancel=self._cancelled).start()

    def _job_over(self) -> None:
        self.job = None
        self.ok_button.setEnabled(True)

    def _cancelled(self) -> None:
        self._job_over()
        self.error_at(None, _("Export cancelled: no file was written."))
        self.done.emit(None)

    def _failed(self, error: BaseException) -> None:
        """Back where it can be mended, with everything typed and drawn still there."""
        self._job_over()
        if isinstance(error, AuthenticationFailed) and self.sign_dialog is not None:
            self.sign_dialog.show_password_error(str(error))
            self.sign_dialog.open()
        elif isinstance(error, DeskError):
            self.show_error(error)
        else:
            show_error(self, error)
        self.done.emit(None)

    def _exported(self, result: Any) -> None:
        self._job_over()
        self._drop_signature()  # the next export is signed afresh
        self._show_result(result)
        self.accept()
        self.done.emit(result)

    # ---------------------------------------------------------------- the result

    def _show_result(self, result: Any) -> None:
        text = _("Exported {rows} rows of “{register}” to {path}.").format(
            rows=result.rows, register=self.title, path=result.path)
        owner = self.parentWidget()  # the box outlives this dialog, which closes now
        box = QMessageBox(QMessageBox.Icon.Information, _("Export"), text,
                          QMessageBox.StandardButton.Close, owner)
        box.setInformativeText(_("Audit chain head: entry {seq}, hash {hash}.").format(
            seq=result.head_seq, hash=result.head_hash))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview_button = None
        if result.path.suffix.lower() == ".pdf":
            self.preview_button = box.addButton(_("&Preview…"), QMessageBox.ButtonRole.ActionRole)
            box.setDefaultButton(self.preview_button)
        preview_button = self.preview_button
        box.buttonClicked.connect(
            lambda button: self.preview(result.path) if button is preview_button else None)
        box.destroyed.connect(self._result_box_gone)
        self.result_box = box
        if owner is None:
            _orphans.append(box)
        box.open()

    def _result_box_gone(self, *_args) -> None:
        if shiboken6.isValid(self):
            self.result_box = self.preview_button = None
        _orphans[:] = [box for box in _orphans if shiboken6.isValid(box)]

    def preview(self, path: Path) -> PdfPreviewDialog | None:
        try:
            data = path.read_bytes()
        except OSError as error:
            log.warning("cannot read %s for a preview: %s", path, error)
            return None
        from desk_app.ui.widgets.pdf_view import show_pdf

        self.preview_dialog = show_pdf(self.parentWidget(), data, path.name)
        return self.preview_dialog


_orphans: list[QMessageBox] = []  # result boxes of dialogs without a parent, while open


class ExportButton(QPushButton):
    """*Export…* for one register, shown only to those who may export it. Its dialog is made
    on the first click and kept, so a next export starts from what was typed last."""

    exported = Signal(object)  # ExportResult, after a file was written

    def __init__(self, desk, actor: Actor, register: str, parent: QWidget | None = None) -> None:
        super().__init__(_("E&xport…"), parent)
        self.desk, self.actor, self.register = desk, actor, register
        self.setObjectName("export_button")
        self.setToolTip(_("Save this register over a period as a signed PDF, an Excel workbook "
                          "or a CSV file."))
        self.dialog: ExportDialog | None = None
        self.setVisible(can_export(desk, actor, register))
        self.clicked.connect(self.open_dialog)

    def open_dialog(self) -> ExportDialog:
        if self.dialog is None:
            self.dialog = ExportDialog(self.desk, self.actor, self.register, self.window())
            self.dialog.done.connect(self._done)
        if not self.dialog.isVisible():
            self.dialog.open()
        return self.dialog

    def _done(self, result: Any) -> None:
        if result is not None:
            self.exported.emit(result)
