"""File → Import…: bring an office's existing ledger in (issue 16), in four steps.

1. the kind of ledger and the file (and the sheet of a workbook);
2. a preview of the first rows, and which field each column is (guessed from its header);
3. the check — a dry run listing every problem by row and column, the kinds and departments
   the file names that the database does not know (map each or create it), and the choice to
   import only the valid rows;
4. the import itself, one transaction, with progress and Cancel (a cancel writes nothing).

Every step that reads the file runs as a background ``Job``: a workbook of 100,000 rows takes
seconds, and the window stays responsive. The pages are in ``import_pages``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desk_app.domain.ledger import LedgerKind
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.imports.service import ImportOptions, ImportReport, LedgerPreview
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.files import open_file_name
from desk_app.ui.widgets.import_pages import CheckPage, MappingPage, sentences
from desk_app.ui.widgets.jobs import Job

FILE_FILTER = "{sheets} (*.xlsx *.csv *.txt *.xls);;{all} (*)"


class ImportWizard(QWizard):
    """The four steps; ``options()`` is what the last check and the import run with."""

    def __init__(self, desk: Any, actor: Actor, parent: QWidget | None = None,
                 kind: LedgerKind | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setWindowTitle(_("Import a ledger"))
        self.setObjectName("import_wizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # closing cancels
        self.preview: LedgerPreview | None = None
        self.report: ImportReport | None = None
        self.imported: ImportReport | None = None
        self.job: Job | None = None
        self.file_page = FilePage(self, kind)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.run_page = RunPage(self)
        for page in (self.file_page, self.mapping_page, self.check_page, self.run_page):
            self.addPage(page)
        self.resize(860, 600)

    # what the pages agreed on ----------------------------------------------------------

    @property
    def kind(self) -> LedgerKind:
        return self.file_page.kind()

    @property
    def path(self) -> Path:
        return Path(self.file_page.path_edit.text().strip())

    def import_options(self) -> ImportOptions:
        return ImportOptions(
            sheet=self.file_page.sheet(),
            mapping=self.mapping_page.mapping(),
            values=self.check_page.values(),
            create_missing=self.check_page.create_missing(),
            location_separator=self.mapping_page.separator(),
            location_under=self.mapping_page.under(),
            only_valid=self.check_page.only_valid(),
            force=self.check_page.force(),
            initial_password=self.file_page.password_edit.text() or None,
        )

    def start(self, work, label: str, on_success, on_failure=None, on_cancel=None) -> None:
        """A background step with a progress window; one at a time."""
        if self.job is not None and self.job.running:
            return
        self.job = Job(work, desk=self.desk, parent=self, label=label, title=_("Import a ledger"),
                       on_success=on_success, on_failure=on_failure, on_cancel=on_cancel)
        self.job.start()

    def reject(self) -> None:
        """Closing while a step runs cancels it (an import rolls back) and closes once it has
        stopped."""
        job = self.job
        if job is not None and job.running:
            job.ended.connect(lambda _outcome: QWizard.reject(self))
            job.cancel()
            return
        super().reject()


class FilePage(QWizardPage):
    """Step 1: which ledger, which file, which sheet."""

    def __init__(self, wizard: ImportWizard, kind: LedgerKind | None) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle(_("Choose the ledger"))
        self.setSubTitle(_("A CSV file or an Excel workbook (.xlsx). The first rows may hold a "
                           "title; the header row is found by its column names."))
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("import_kind")
        for each in wizard.desk.imports.kinds_for(wizard.actor):  # only what they may import
            self.kind_combo.addItem(each.label, each.value)
        if kind is not None:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind.value)))
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("import_path")
        self.path_edit.setPlaceholderText(_("The file to import"))
        browse = QPushButton(_("&Browse…"))
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("import_sheet")
        self.sheet_combo.setEnabled(False)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("import_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label = QLabel(_("Initial &password of the new users:"))
        self.password_label.setBuddy(self.password_edit)
        form = QFormLayout()
        kind_label = QLabel(_("&Ledger:"))
        kind_label.setBuddy(self.kind_combo)
        form.addRow(kind_label, self.kind_combo)
        file_label = QLabel(_("File to &import:"))
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, row)
        sheet_label = QLabel(_("&Worksheet:"))
        sheet_label.setBuddy(self.sheet_combo)
        form.addRow(sheet_label, self.sheet_combo)
        form.addRow(self.password_label, self.password_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        self.path_edit.textChanged.connect(self._path_changed)
        self.password_edit.textChanged.connect(self.completeChanged)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self._previewed: tuple[str, str, str | None] | None = None

    def kind(self) -> LedgerKind:
        return LedgerKind(self.kind_combo.currentData())

    def sheet(self) -> str | None:
        return self.sheet_combo.currentText() if self.sheet_combo.count() else None

    def browse(self) -> None:
        filter_text = FILE_FILTER.format(sheets=_("Spreadsheets"), all=_("All files"))
        path = open_file_name(self, _("Import a ledger"), "import", filter_text)
        if path:
            self.path_edit.setText(path)

    def _path_changed(self) -> None:
        self.sheet_combo.clear()
        self.sheet_combo.setEnabled(False)
        self.completeChanged.emit()

    def _kind_changed(self) -> None:
        users = self.kind() == LedgerKind.USERS
        self.password_label.setVisible(users)
        self.password_edit.setVisible(users)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.kind_combo.count() == 0 or not self.path_edit.text().strip():
            return False
        return self.kind() != LedgerKind.USERS or bool(self.password_edit.text())

    def validatePage(self) -> bool:
        """Next reads the file's first rows in the background, then moves on by itself."""
        wanted = (self.kind().value, self.path_edit.text().strip(), self.sheet())
        if self._previewed == wanted and self.owner.preview is not None:
            return True
        wizard, kind, path, sheet = self.owner, self.kind(), self.owner.path, self.sheet()

        def done(preview: LedgerPreview) -> None:
            self._previewed = (kind.value, str(path), preview.sheet)
            wizard.preview = preview
            self.sheet_combo.blockSignals(True)
            self.sheet_combo.clear()
            self.sheet_combo.addItems(preview.sheets)
            if preview.sheet:
                self.sheet_combo.setCurrentText(preview.sheet)
            self.sheet_combo.setEnabled(len(preview.sheets) > 1)
            self.sheet_combo.blockSignals(False)
            self._previewed = (kind.value, str(path), self.sheet())
            wizard.next()

        wizard.start(lambda _progress: wizard.desk.imports.preview(wizard.actor, kind, path, sheet),
                     _("Reading the file…"), done)
        return False


class RunPage(QWizardPage):
    """Step 4: the import, then what it did."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle(_("Import"))
        self.summary = QLabel()
        self.summary.setObjectName("import_result")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def initializePage(self) -> None:
        wizard = self.owner
        wizard.imported = None
        self.summary.setText(_("Importing…"))
        kind, path, options = wizard.kind, wizard.path, wizard.import_options()
        wizard.start(lambda progress: wizard.desk.imports.run(wizard.actor, kind, path, options,
                                                              progress),
                     _("Importing {file}…").format(file=path.name), self._done, self._failed,
                     self._cancelled)
        self.completeChanged.emit()

    def _done(self, report: ImportReport) -> None:
        self.owner.imported = report
        text = _("Imported {imported} of {rows} rows from {file}.").format(
            imported=report.imported, rows=report.rows, file=report.file_name)
        if report.skipped:
            text = sentences([text, _("{skipped} rows with problems were left out, as you "
                                      "chose; the audit trail records it.").format(
                                          skipped=report.skipped)])
        self.summary.setText(text)
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(_("Nothing was imported."))
        show_error(self, error)
        self.completeChanged.emit()

    def _cancelled(self) -> None:
        self.summary.setText(_("Cancelled: nothing was imported."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.owner.job is None or not self.owner.job.running
