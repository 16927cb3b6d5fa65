"""The import wizard's middle steps (``import_wizard``): the columns, and the check.

Both tables are bounded (a file's columns; the first 20 rows; at most the first 1,000
problems the check keeps), so they are plain ``QTableWidget``s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from desk_app.domain.errors import Conflict
from desk_app.domain.ledger import LedgerKind, fields
from desk_app.i18n import N_, _, current_language
from desk_app.services.imports.service import ImportReport
from desk_app.ui.errors import show_error

if TYPE_CHECKING:
    from desk_app.ui.widgets.import_wizard import ImportWizard

SEPARATORS = (("", None), ("-", "-"), ("/", "/"), ("›", "›"), ("|", "|"), ("\\", "\\"))
UNKNOWN_FIELDS = {"kind": N_("Kind"), "dept": N_("Department")}
CREATED = {"kind": N_("kinds of file"), "dept": N_("departments"), "location": N_("locations"),
           "user": N_("users")}
CREATE = "\x00create"


class CellCombo(QComboBox):
    """A choice inside a table: the mouse wheel scrolls the table, and changes the choice
    only once the box has been clicked or tabbed into (a wheel passing over it changed
    column matches unnoticed)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class _ChoiceKeys(QObject):
    """Enter, Space or F2 on a row of a table opens that row's choice box (keyboard only:
    the boxes sit in cells, which Tab does not reach). The key is taken, so Enter does not
    also press the wizard's Next."""

    KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_F2)

    def __init__(self, table: QTableWidget, column: int) -> None:
        super().__init__(table)
        self.table, self.column = table, column
        table.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent) \
                or event.key() not in self.KEYS or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        combo = self.table.cellWidget(self.table.currentRow(), self.column)
        if not isinstance(combo, QComboBox) or not combo.isEnabled():
            return False
        combo.setFocus()
        combo.showPopup()
        return True


def _table(headers: list[str], object_name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def sentences(parts: list[str]) -> str:
    """Sentences one after another: Chinese puts no space after 。"""
    return ("" if current_language().startswith("zh") else " ").join(parts)


def _column_name(index: int) -> str:
    """A, B, … Z, AA …: how Excel names the column."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class MappingPage(QWizardPage):
    """Step 2: each column of the file, a few of its values, and the field it fills."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle(_("Match the columns"))
        self.columns = _table([_("Column"), _("Header"), _("Examples"), _("Imported as")],
                              "import_columns")
        _ChoiceKeys(self.columns, 3)
        self.columns.setToolTip(_("Enter opens the choice of the selected column."))
        self.preview = _table([], "import_preview")
        self.separator_combo = QComboBox()
        self.separator_combo.setObjectName("import_separator")
        for label, value in SEPARATORS:
            self.separator_combo.addItem(label or _("Found in each cell"), value)
        self.separator_label = QLabel(_("Location levels &separated by:"))
        self.separator_label.setBuddy(self.separator_combo)
        self.under_combo = QComboBox()
        self.under_combo.setObjectName("import_under")
        self.under_label = QLabel(_("… the &first level under:"))
        self.under_label.setBuddy(self.under_combo)
        self.missing = QLabel()
        self.missing.setObjectName("import_missing")
        self.missing.setWordWrap(True)
        separator_row = QHBoxLayout()
        separator_row.addWidget(self.separator_label)
        separator_row.addWidget(self.separator_combo)
        separator_row.addWidget(self.under_label)
        separator_row.addWidget(self.under_combo, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.columns, 3)
        layout.addLayout(separator_row)
        layout.addWidget(self.missing)
        layout.addWidget(QLabel(_("The first rows as read:")))
        layout.addWidget(self.preview, 2)
        self.combos: list[QComboBox] = []

    def initializePage(self) -> None:
        preview = self.owner.preview
        assert preview is not None
        kind = self.owner.kind
        self.setSubTitle(_("Header found in row {row}. Check the field each column fills; a "
                           "column left “not imported” is ignored.").format(row=preview.header_row))
        self.columns.setRowCount(len(preview.headers))
        self.combos = []
        seen: set[str] = set()
        for column, header in enumerate(preview.headers):
            examples = [row[column] for row in preview.rows if column < len(row) and row[column]]
            self.columns.setItem(column, 0, QTableWidgetItem(_column_name(column)))
            self.columns.setItem(column, 1, QTableWidgetItem(header))
            self.columns.setItem(column, 2, QTableWidgetItem(" · ".join(examples[:3])))
            combo = CellCombo()
            combo.addItem(_("— not imported —"), "")
            for spec in fields(kind):
                combo.addItem(_(spec.label) + (" *" if spec.required else ""), spec.name)
            guessed = preview.mapping.get(column, "")
            combo.setCurrentIndex(max(0, combo.findData(guessed)))
            # Columns are named by their header: a blank or repeated header cannot be chosen.
            combo.setEnabled(bool(header) and header not in seen)
            seen.add(header)
            combo.currentIndexChanged.connect(self._changed)
            self.columns.setCellWidget(column, 3, combo)
            self.combos.append(combo)
        self.preview.clear()
        self.preview.setColumnCount(len(preview.headers))
        self.preview.setHorizontalHeaderLabels(
            [header or _column_name(index) for index, header in enumerate(preview.headers)])
        self.preview.setRowCount(len(preview.rows))
        for row, values in enumerate(preview.rows):
            for column, value in enumerate(values[:len(preview.headers)]):
                self.preview.setItem(row, column, QTableWidgetItem(value))
        items = kind == LedgerKind.ITEMS
        for widget in (self.separator_label, self.separator_combo, self.under_label,
                       self.under_combo):
            widget.setVisible(items)
        if items and self.under_combo.count() == 0:
            # A ledger kept in one room writes 2号柜-3层-03盒: its levels start under the room.
            self.under_combo.addItem(_("— the cells name the room —"), None)
            for path, level in self.owner.desk.archive.locations():
                if level != "box":
                    self.under_combo.addItem(path, path)
        self._changed()

    def mapping(self) -> dict[str, str]:
        preview = self.owner.preview
        if preview is None:
            return {}
        return {preview.headers[column]: combo.currentData()
                for column, combo in enumerate(self.combos) if combo.isEnabled()}

    def separator(self) -> str | None:
        return self.separator_combo.currentData()

    def under(self) -> str | None:
        return self.under_combo.currentData() if self.under_combo.count() else None

    def _missing_fields(self) -> list[str]:
        chosen = {combo.currentData() for combo in self.combos if combo.isEnabled()}
        return [_(spec.label) for spec in fields(self.owner.kind)
                if spec.required and spec.name not in chosen]

    def _changed(self, *_args) -> None:
        missing = self._missing_fields()
        chosen = [combo.currentData() for combo in self.combos if combo.currentData()]
        twice = sorted({name for name in chosen if chosen.count(name) > 1})
        problems = []
        if missing:
            problems.append(_("Still to match (required): {fields}.").format(
                fields=", ".join(missing)))
        if twice:
            labels = {spec.name: _(spec.label) for spec in fields(self.owner.kind)}
            problems.append(_("Chosen for two columns: {fields}.").format(
                fields=", ".join(labels[name] for name in twice)))
        self.missing.setText(sentences(problems))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.combos) and not self.missing.text()


class CheckPage(QWizardPage):
    """Step 3: the dry run's report, the unknown kinds and departments, and the choices."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle(_("Check"))
        self.setSubTitle(_("Nothing has been written yet. Every problem is listed with its row "
                           "and column; correct the file, or import only the valid rows."))
        self.summary = QLabel()
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        self.problems = _table([_("Row"), _("Column"), _("Problem"), _("Value")],
                               "import_problems")
        self.unknown = _table([_("Field"), _("In the file"), _("Use")], "import_unknown")
        _ChoiceKeys(self.unknown, 2)
        self.unknown_label = QLabel(_("Not in the database yet — choose an existing one or "
                                      "create it:"))
        self.recheck = QPushButton(_("Check &again"))
        self.recheck.setObjectName("import_recheck")
        # Return belongs to the wizard's Next/Finish, never to this button (it re-ran the
        # check on the finished last page, where it kept the focus).
        self.recheck.setAutoDefault(False)
        self.recheck.clicked.connect(self.initializePage)
        self.only_valid_box = QCheckBox(_("Import only the &valid rows (the others are left out, "
                                          "and the audit trail says so)"))
        self.only_valid_box.setObjectName("import_only_valid")
        self.force_box = QCheckBox(_("Import even &though this file was imported before"))
        self.force_box.setObjectName("import_force")
        self.force_box.setVisible(False)
        for box in (self.only_valid_box, self.force_box):
            box.toggled.connect(self.completeChanged)
        self.force_box.toggled.connect(self.initializePage)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 3)
        layout.addWidget(self.unknown_label)
        layout.addWidget(self.unknown, 1)
        row = QHBoxLayout()
        row.addWidget(self.only_valid_box, 1)
        row.addWidget(self.recheck)
        layout.addLayout(row)
        layout.addWidget(self.force_box)
        self.report: ImportReport | None = None
        self.choices: dict[tuple[str, str], QComboBox] = {}
        # What the user chose for each unknown value: kept across checks, since a value
        # mapped or to be created is no longer unknown to the next check.
        self.decisions: dict[tuple[str, str], str | None] = {}

    # the choices -----------------------------------------------------------------------

    def values(self) -> dict[tuple[str, str], str]:
        return {key: code for key, code in self.decisions.items() if code not in (None, CREATE)}

    def create_missing(self) -> bool:
        return CREATE in self.decisions.values()

    def only_valid(self) -> bool:
        return self.only_valid_box.isChecked()

    def force(self) -> bool:
        return self.force_box.isChecked()

    # the check -------------------------------------------------------------------------

    def initializePage(self) -> None:
        wizard = self.owner
        self.report = None
        self.summary.setText(_("Checking…"))
        self.completeChanged.emit()
        kind, path, options = wizard.kind, wizard.path, wizard.import_options()
        wizard.start(lambda progress: wizard.desk.imports.check(wizard.actor, kind, path, options,
                                                                progress),
                     _("Checking {file}…").format(file=path.name), self._checked, self._failed)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, Conflict):  # imported before: say so, offer to import again
            self.force_box.setVisible(True)
        self.summary.setText(str(error))
        show_error(self, error)

    def _checked(self, report: ImportReport) -> None:
        self.report = report
        # A dry run's "imported" is what an import would write: the rows without a problem.
        text = _("{rows} rows read, {errors} problems; {valid} rows can be imported.").format(
            rows=report.rows, errors=report.error_count, valid=report.imported)
        if report.error_count > len(report.errors):
            text = sentences([text, _("The first {shown} problems are listed.").format(
                shown=len(report.errors))])
        made = [f"{_(CREATED.get(what, what))}: {', '.join(names[:8])}"
                + (" …" if len(names) > 8 else "") for what, names in report.created.items()]
        if made:  # the codes "Create it" will give, before anything is written
            text = sentences([text, _("Will be created — {what}.").format(what="; ".join(made))])
        self.summary.setText(text)
        self.problems.setRowCount(len(report.errors))
        for row, problem in enumerate(report.errors):
            for column, value in enumerate((str(problem.row) if problem.row else "",
                                            problem.column, problem.message, problem.value)):
                self.problems.setItem(row, column, QTableWidgetItem(value))
        self._show_unknown(report)
        self.only_valid_box.setEnabled(report.error_count > 0)
        self.completeChanged.emit()

    def _show_unknown(self, report: ImportReport) -> None:
        pairs = sorted({(field, text) for field, texts in report.unknown.items()
                        for text in texts if field in UNKNOWN_FIELDS} | set(self.decisions))
        self.choices = {}
        self.unknown.setRowCount(len(pairs))
        archive = self.owner.desk.archive
        known = {"kind": [(code, name) for code, name, _days in archive.kinds()],
                 "dept": archive.departments()}
        for row, (field, text) in enumerate(pairs):
            self.unknown.setItem(row, 0, QTableWidgetItem(_(UNKNOWN_FIELDS[field])))
            self.unknown.setItem(row, 1, QTableWidgetItem(text))
            combo = CellCombo()
            combo.addItem(_("— choose —"), None)
            combo.addItem(_("Create it"), CREATE)
            for code, name in known[field]:
                combo.addItem(f"{code} — {name}", code)
            combo.setCurrentIndex(max(0, combo.findData(self.decisions.get((field, text)))))
            combo.currentIndexChanged.connect(
                lambda _index, key=(field, text), box=combo: self._decide(key, box))
            self.unknown.setCellWidget(row, 2, combo)
            self.choices[(field, text)] = combo
        self.unknown.setVisible(bool(pairs))
        self.unknown_label.setVisible(bool(pairs))

    def _decide(self, key: tuple[str, str], combo: QComboBox) -> None:
        self.decisions[key] = combo.currentData()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        report = self.report
        if report is None or report.rows == 0:
            return False
        return report.error_count == 0 or self.only_valid_box.isChecked()
