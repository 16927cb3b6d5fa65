"""Dialogs of the Archive page: new item, new location, print labels."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QWidget

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.archive import visible_levels
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FieldsDialog, FieldSpec, FormDialog
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.locations import location_combo


def registrable_levels(actor: Actor) -> list[rules.Level]:
    """The levels ``actor`` may register: personnel files are the personnel officer's (R6)."""
    personnel = actor.can(ArchivePermission.PERSONNEL_REGISTER)
    others = actor.can(ArchivePermission.ARCHIVE_EDIT)
    return [level for level in visible_levels(actor)
            if (personnel if level == rules.Level.PERSONNEL else others)]


class NewItemDialog(FormDialog):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("new_item_dialog")
        self.setWindowTitle(_("New item"))
        self.title_edit = line_edit("title")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kind")
        for code, name, _days in desk.archive.kinds():
            self.kind_combo.addItem(f"{name} ({code})", code)
        self.dept_combo = QComboBox()
        self.dept_combo.setObjectName("dept")
        for code, name in desk.archive.departments():
            self.dept_combo.addItem(f"{name} ({code})", code)
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("level")
        for level in registrable_levels(actor):
            self.level_combo.addItem(rules.level_label(level), level.value)
        self.level_combo.setCurrentIndex(max(0, self.level_combo.findData(
            rules.Level.INTERNAL.value)))
        self.ref_edit = line_edit("ref", placeholder=_("blank: numbered automatically"))
        self.date_edit = DateField(None, name="doc_date", optional=True)
        self.date_edit.line_edit.setPlaceholderText(_("YYYY-MM-DD (optional)"))
        self.keywords_edit = line_edit("keywords")
        self.location_combo = location_combo(desk, _("(no location yet)"))
        self.location_combo.setObjectName("location")
        self.retention_spin = RetentionSpin()
        self.retention_spin.setObjectName("retention_years")
        self.add_field("title", _("&Title:"), self.title_edit)
        self.add_field("kind", _("&Kind:"), self.kind_combo)
        self.add_field("dept", _("&Department:"), self.dept_combo)
        self.add_field("level", _("&Level:"), self.level_combo)
        self.add_field("ref", _("&Reference:"), self.ref_edit)
        self.add_field("doc_date", _("D&ate:"), self.date_edit)
        self.add_field("keywords", _("Key&words:"), self.keywords_edit)
        self.add_field("location", _("L&ocation:"), self.location_combo)
        self.add_field("retention_years", _("Re&tention:"), self.retention_spin)
        self.ok_button.setText(_("&Add item"))
        self.setMinimumWidth(520)
        self.title_edit.setFocus()

    def submit(self):
        if self.date_edit.error():
            raise ValidationError(self.date_edit.error() or "", "doc_date")
        doc_date = self.date_edit.value()
        return self.desk.archive.add_item(
            self.actor, title=self.title_edit.text(), kind=self.kind_combo.currentData(),
            dept=self.dept_combo.currentData(), level=self.level_combo.currentData(),
            ref=self.ref_edit.text().strip() or None, doc_date=doc_date,
            keywords=self.keywords_edit.text(), location=self.location_combo.currentData(),
            retention_years=self.retention_spin.years())


class RetentionSpin(QSpinBox):
    """Retention in years: the lowest step is "as its kind" (None), then "permanent" (0), then
    1 to 100 years (domain/retention: an item's own retention overrides its kind's)."""

    def __init__(self) -> None:
        super().__init__()
        self.setRange(-1, 100)
        self.setSpecialValueText(_("as its kind"))
        self.setValue(-1)

    def textFromValue(self, value: int) -> str:
        if value == 0:
            return _("permanent")
        return _("{years} years").format(years=value) if value > 0 else ""

    def valueFromText(self, text: str) -> int:
        if text.strip() == _("permanent"):
            return 0
        digits = "".join(ch for ch in text if ch.isdigit())
        return int(digits) if digits else -1

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        return QValidator.State.Acceptable, text, pos

    def years(self) -> int | None:
        return None if self.value() < 0 else self.value()


class AdmitOfficerDialog(FieldsDialog):
    """A personnel officer holding the personnel key gives it to another officer (R6)."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Admit a personnel officer"),
                         [FieldSpec("user", _("&User name:"))],
                         lambda values, _confirm: desk.personnel.admit(actor, values["user"]),
                         parent)
        self.setObjectName("admit_officer_dialog")
        status = desk.personnel.status(actor)
        lines = [_("The personnel key opens the personnel files. Having the personnel role "
                   "is not enough: an officer who holds the key admits each new one."),
                 _("Held by: {names}").format(names=", ".join(status["holders"]) or "—")]
        if len(status["holders"]) < 2:
            lines.append(_("Admit a second officer: if the only holder leaves, the files "
                           "cannot be read."))
        self.hint = QLabel("\n".join(lines))
        self.hint.setObjectName("admit_hint")
        self.hint.setWordWrap(True)
        self.form.addRow("", self.hint)
        self.ok_button.setText(_("&Admit"))


class NewLocationDialog(FormDialog):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("new_location_dialog")
        self.setWindowTitle(_("New location"))
        self.parent_combo = location_combo(desk, _("(a new room)"), boxes=False)
        self.parent_combo.setObjectName("parent")
        self.name_edit = line_edit("name", placeholder=_("e.g. A101, Cabinet 2, Shelf 3, Box 12"))
        hint = QLabel(_("Rooms hold cabinets, cabinets hold shelves, shelves hold boxes."))
        hint.setWordWrap(True)
        self.add_field("parent", _("&Inside:"), self.parent_combo)
        self.add_field("name", _("&Name:"), self.name_edit)
        self.form.addRow("", hint)
        self.ok_button.setText(_("&Add location"))
        self.name_edit.setFocus()

    def submit(self) -> str:
        return self.desk.archive.add_location(self.actor, self.name_edit.text(),
                                              self.parent_combo.currentData())


SHEET_CHOICES = (
    ("single", lambda: _("Single label, 90 × 50 mm (label printer)"), 1),
    ("L7163", lambda: _("A4 sheet, 2 × 7 labels of 99.1 × 38.1 mm (Avery L7163)"), 14),
    ("L7160", lambda: _("A4 sheet, 3 × 7 labels of 63.5 × 38.1 mm (Avery L7160)"), 21),
)


class LabelsDialog(FormDialog):
    """Sheet, first free position and code type; ``result_value`` is the PDF, made in a
    background job (thousands of labels take seconds)."""

    def __init__(self, desk, actor: Actor, refs: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.refs = desk, actor, refs
        self.setObjectName("labels_dialog")
        self.setWindowTitle(_("Print labels"))
        summary = QLabel(_("{count} labels: {refs}").format(
            count=len(refs), refs=", ".join(refs[:6]) + (" …" if len(refs) > 6 else "")))
        summary.setWordWrap(True)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheet")
        for key, title, _count in SHEET_CHOICES:
            self.sheet_combo.addItem(title(), key)
        self.start_spin = QSpinBox()
        self.start_spin.setObjectName("start")
        self.start_spin.setRange(1, 1)
        self.start_spin.setToolTip(_("Labels already used on the sheet are skipped; counted row by "
                                     "row from the top left."))
        self.code_combo = QComboBox()
        self.code_combo.setObjectName("code")
        self.code_combo.addItem(_("Barcode (Code 128)"), "code128")
        self.code_combo.addItem(_("QR code"), "qr")
        self.form.addRow(summary)
        self.add_field("sheet", _("&Sheet:"), self.sheet_combo)
        self.add_field("start", _("&First free label:"), self.start_spin)
        self.add_field("code", _("&Code:"), self.code_combo)
        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        self.ok_button.setText(_("&Print preview"))
        self.job: Job | None = None
        self._sheet_changed()

    def _sheet_changed(self, *_args) -> None:
        count = dict((key, n) for key, _title, n in SHEET_CHOICES)[self.sheet_combo.currentData()]
        self.start_spin.setRange(1, count)
        self.start_spin.setEnabled(count > 1)

    def _on_ok(self) -> None:
        """Make the PDF off the GUI thread; the dialog closes when it is ready."""
        if self.job is not None:
            return
        if not self.refs:
            self.error_at("sheet", _("Choose at least one item to label."))
            return
        self.error_at(None, "")
        desk, actor, refs = self.desk, self.actor, list(self.refs)
        sheet, start = self.sheet_combo.currentData(), self.start_spin.value() - 1
        code = self.code_combo.currentData()

        def work(progress) -> bytes:
            pdf = desk.labels.labels_pdf(actor, refs, sheet=sheet, start=start, code=code)
            if not progress(1, 1):  # cancelled while the sheet was made: nothing to show
                raise InterruptedError
            return pdf

        self.ok_button.setEnabled(False)
        self.job = Job(work, desk=desk, parent=self, title=_("Print labels"),
                       label=ngettext("Making {count} label…", "Making {count} labels…",
                                      len(refs)).format(count=len(refs)),
                       on_success=self._made, on_failure=self._refused,
                       on_cancel=self._job_over).start()

    def _job_over(self) -> None:
        self.job = None
        self.ok_button.setEnabled(True)

    def _made(self, pdf: bytes) -> None:
        self._job_over()
        self.result_value = pdf
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self._job_over()
        if isinstance(error, DeskError):
            self.error_at(error.field if isinstance(error, ValidationError) else None, str(error))
        else:
            show_error(self, error)


class GrantAccessDialog(FormDialog):
    """The personnel officer lets one user read one personnel file until a day, with a
    reason (R6); listed and revocable on the Approvals page."""

    def __init__(self, desk, actor: Actor, ref: str, parent: QWidget | None = None) -> None:
        from datetime import timedelta

        from PySide6.QtWidgets import QPlainTextEdit

        super().__init__(parent)
        self.desk, self.actor, self.ref = desk, actor, ref
        self.setObjectName("grant_access_dialog")
        self.setWindowTitle(_("Grant access to {ref}").format(ref=ref))
        self.user_edit = line_edit("user", placeholder=_("user name, e.g. zhangwei"))
        self.until_edit = DateField(desk.today() + timedelta(days=7), name="until")
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("reason")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(64)
        self.add_field("user", _("&User:"), self.user_edit)
        self.add_field("until", _("Un&til:"), self.until_edit)
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.ok_button.setText(_("&Grant"))
        self.user_edit.setFocus()

    def submit(self):
        until = self.until_edit.value()
        if until is None:
            raise ValidationError(self.until_edit.error() or "", "until")
        return self.desk.personnel.grant(self.actor, self.ref, self.user_edit.text().strip(),
                                         until,
                                         self.reason_edit.toPlainText())
