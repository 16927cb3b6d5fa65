"""The Audit area: the trail, newest first, filtered by actor, action and period; verify the
chain (against this desk's checkpoints, or against checkpoint files and signed PDFs chosen
by the auditor); sign a checkpoint; export it (``widgets.export_dialog``, register "audit");
verify a signed PDF."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QWidget,
)

from desk_app.domain.audit_text import action_label
from desk_app.domain.errors import AuthenticationFailed, DeskError, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.audit import AuditFilter, day_range
from desk_app.services.exports import database_revocations, verify_pdf_file
from desk_app.services.output import check_target
from desk_app.ui.audit.details import EntryDetails
from desk_app.ui.errors import replacing, show_error
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.export_dialog import ExportButton, signer_label
from desk_app.ui.widgets.files import open_file_name, open_file_names, save_file_name
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.page import Page
from desk_app.ui.widgets.registers import local_time_text

if TYPE_CHECKING:  # dialogs imported when first opened: the page's first paint waits for none
    from desk_app.ui.audit.pdf_report import PdfReportDialog
    from desk_app.ui.widgets.sign_dialog import SignDialog

log = logging.getLogger(__name__)


def audit_columns() -> list[Column]:
    right = Qt.AlignmentFlag.AlignRight
    return [
        Column(lambda: _("#"), lambda row: row["seq"], align=right),
        Column(lambda: _("Time"), lambda row: local_time_text(row["at"], with_seconds=True),
               tooltip=lambda row: row["at"]),
        Column(lambda: _("User"), lambda row: row["actor_name"], tooltip=lambda row: row["actor"]),
        Column(lambda: _("Action"), lambda row: row["label"], tooltip=lambda row: row["action"]),
        Column(lambda: _("What happened"), lambda row: row["sentence"],
               tooltip=lambda row: row["sentence"]),
    ]


def verify_texts(report) -> tuple[str, str, str]:
    """What the result box says: the verdict, the anchors in one or two sentences, and every
    anchor that did not simply hold (for "Show Details…")."""
    if not report.chain_ok:
        text = _("Audit trail BROKEN at entry {seq}: {problem}.").format(
            seq=report.broken_seq, problem=report.problem)
    elif report.failed_anchors:
        text = _("Audit trail BROKEN: {count} entries, head hash {hash}, but it no longer holds "
                 "what was seen of it earlier.").format(count=report.count, hash=report.head_hash)
    else:
        text = _("Audit trail intact: {count} entries, head hash {hash}.").format(
            count=report.count, hash=report.head_hash)
    checks = report.anchors
    if not checks:
        return text, _("No checkpoint of this desk to check it against yet."), ""
    held = sum(1 for check in checks if check.passed and not check.notice)
    info = _("Checked against {count} checkpoints and anchors: {held} held by the trail, "
             "{notices} with a notice, {failed} failed.").format(
        count=len(checks), held=held, notices=len(report.notices),
        failed=len(report.failed_anchors))
    remarkable = report.failed_anchors + report.notices
    if remarkable:
        info += "\n\n" + remarkable[0].message()
    details = "\n\n".join(check.message() for check in remarkable)
    return text, info, details


class AuditPage(Page):
    verify_done = Signal(object)  # ChainReport, or None when cancelled/failed
    pdf_verified = Signal(object)  # VerifyReport, or None when the file could not be checked
    checkpoint_done = Signal(object)  # CheckpointResult, or None when not written
    loaded_when_built = True

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Audit trail"), _("Every change, who made it and when; newest first. "
                                             "Verify checks the whole hash chain."), parent)
        self.desk, self.actor = desk, actor
        self.filter = AuditFilter()

        self.actor_combo = QComboBox()
        self.actor_combo.setObjectName("filter_actor")
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("filter_action")
        for combo in (self.actor_combo, self.action_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(10)
        self.period_check = QCheckBox(_("&Period:"))
        self.period_check.setObjectName("filter_period")
        today = self.desk.today()
        self.since_edit = DateField(today - timedelta(days=30), name="filter_since")
        self.until_edit = DateField(today, name="filter_until")
        for edit in (self.since_edit, self.until_edit):
            edit.setEnabled(False)
        self.refresh_button = QPushButton(_("&Refresh"))
        self.verify_button = QPushButton(_("&Verify…"))
        self.verify_button.setObjectName("verify")
        self.verify_button.setToolTip(_("Check the whole hash chain, and that it still holds "
                                        "what this desk's checkpoints saw of it."))
        self.anchors_button = QPushButton(_("Check a&gainst files…"))
        self.anchors_button.setObjectName("verify_anchors")
        self.anchors_button.setToolTip(_("Verify the trail against checkpoint files or signed "
                                         "exports and checkpoints kept elsewhere."))
        self.checkpoint_button = QPushButton(_("Sign chec&kpoint…"))
        self.checkpoint_button.setObjectName("sign_checkpoint")
        self.checkpoint_button.setToolTip(_("Write a PDF, signed by you, stating the trail's "
                                            "last entry and hash: keep it outside the database."))
        self.export_button = ExportButton(desk, actor, "audit", self)
        self.verify_pdf_button = QPushButton(_("Verify P&DF…"))
        self.verify_pdf_button.setObjectName("verify_pdf")
        self.verify_pdf_button.setToolTip(_("Check the signatures of a signed PDF form or export."))
        self.count_label = QLabel()
        self.count_label.setObjectName("audit_count")

        actor_label, action_label = QLabel(_("U&ser:")), QLabel(_("&Action:"))
        actor_label.setBuddy(self.actor_combo)
        action_label.setBuddy(self.action_combo)
        to_label = QLabel(_("to"))
        filters = QHBoxLayout()
        for widget in (actor_label, self.actor_combo, action_label, self.action_combo,
                       self.period_check, self.since_edit, to_label, self.until_edit):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)
        self.body.addLayout(filters)
        # The checks and outputs get a row of their own, so that the page fits a 1366 px
        # screen beside the navigation in every language.
        actions = QHBoxLayout()
        for button in (self.verify_button, self.anchors_button, self.checkpoint_button,
                       self.export_button, self.verify_pdf_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.body.addLayout(actions)

        self.model = PagedTableModel(self._count, self._fetch, audit_columns(), parent=self,
                                     desk=desk)
        self.model.counted.connect(lambda _total: self._update_count())
        self.table = QTableView()
        self.table.setObjectName("audit_table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((60, 150, 90, 170)):
            self.table.setColumnWidth(column, width)
        self.details = EntryDetails()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.body.addWidget(splitter, 1)
        self.body.addWidget(self.count_label)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)

        self.actor_combo.currentIndexChanged.connect(self.apply_filter)
        self.action_combo.currentIndexChanged.connect(self.apply_filter)
        self.period_check.toggled.connect(self._period_toggled)
        self.since_edit.changed.connect(self.apply_filter)
        self.until_edit.changed.connect(self.apply_filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button.clicked.connect(lambda: self.verify())
        self.anchors_button.clicked.connect(lambda: self.verify_anchors())
        self.checkpoint_button.clicked.connect(lambda: self.sign_checkpoint())
        self.export_button.exported.connect(lambda _result: self.refresh())  # an audit entry
        self.verify_pdf_button.clicked.connect(lambda: self.verify_pdf())

        self.job: Job | None = None  # verifying the chain
        self.result_box: QMessageBox | None = None
        self.checkpoint_job: Job | None = None
        self.sign_dialog: SignDialog | None = None
        self.checkpoint_target: tuple[Path, bool] | None = None  # the file, replace it
        self.checkpoint_box: QMessageBox | None = None
        self.pdf_job: Job | None = None
        self.report_dialog: PdfReportDialog | None = None
        self._load_choices()
        self._update_count()

    # ---------------------------------------------------------------- data

    def _count(self) -> int:
        return self.desk.audit.count(self.actor, self.filter)

    def _fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.desk.audit.page(self.actor, self.filter, offset, limit, words_when_read=True)

    def _show_details(self, current, _previous=None) -> None:
        self.details.show_entry(self.model.row(current.row()) if current.isValid() else None)

    def _load_choices(self) -> None:
        actions = sorted((action_label(value), value)
                         for value in self.desk.audit.actions(self.actor))
        actors = [(full, name) for name, full in self.desk.audit.actor_choices(self.actor)]
        for combo, values in ((self.actor_combo, actors), (self.action_combo, actions)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("All"), None)
            for text, value in values:
                combo.addItem(text, value)
                combo.setItemData(combo.count() - 1, value, Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(False)

    def _period_toggled(self, on: bool) -> None:
        self.since_edit.setEnabled(on)
        self.until_edit.setEnabled(on)
        self.apply_filter()

    def current_filter(self) -> AuditFilter:
        since = until = None
        if self.period_check.isChecked():
            since, until = day_range(self.since_edit.value(), self.until_edit.value())
        return AuditFilter(actor=self.actor_combo.currentData(),
                           action=self.action_combo.currentData(), since=since, until=until)

    def apply_filter(self, *_args) -> None:
        if self.period_check.isChecked():
            for edit in (self.since_edit, self.until_edit):
                if edit.value() is None:  # red, with its reason; the list stays as it was
                    self.count_label.setText(edit.error() or "")
                    return
        self.filter = self.current_filter()
        self.details.show_entry(None)
        try:
            self.model.refresh()
        except DeskError as error:
            show_error(self, error)
        self._update_count()

    def refresh(self) -> None:
        self._load_choices()
        self.apply_filter()

    def activated(self) -> None:
        self.refresh()

    def _update_count(self) -> None:
        self.count_label.setText(_("{count} entries").format(count=self.model.rowCount())
                                 if self.model.count_known else _("Counting…"))

    # ---------------------------------------------------------------- verify

    def verify(self, anchors: Sequence[Path] = ()) -> None:
        """Walk the chain in a worker, against this desk's checkpoints and ``anchors``."""
        if self.job is not None:
            return
        desk, actor, files = self.desk, self.actor, list(anchors)
        self.verify_button.setEnabled(False)
        self.anchors_button.setEnabled(False)
        self.job = Job(lambda progress: desk.audit.verify(actor, progress, anchors=files),
                       desk=desk, parent=self,
                       label=_("Verifying the audit trail…"), title=_("Verify"),
                       on_success=self._verify_finished, on_failure=self._verify_failed,
                       on_cancel=self._verify_cancelled).start()

    def verify_anchors(self, paths: Sequence[Path] | None = None) -> None:
        """Verify against checkpoint files or signed PDFs (chosen in a file dialog unless
        given)."""
        if self.job is not None:
            return
        if paths is None:
            names = open_file_names(
                self, _("Verify against checkpoints or signed PDFs"), "verify",
                _("Checkpoints and signed PDFs (*.jsonl *.pdf);;All files (*)"))
            if not names:
                return
            paths = [Path(name) for name in names]
        self.verify(paths)

    def _verify_end(self) -> None:
        self.job = None
        self.verify_button.setEnabled(True)
        self.anchors_button.setEnabled(True)

    def _verify_finished(self, report) -> None:
        self._verify_end()
        text, info, details = verify_texts(report)
        icon = QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Critical
        if report.ok and report.notices:
            icon = QMessageBox.Icon.Warning  # intact, but read the notices (a restore …)
        self.result_box = box = QMessageBox(icon, _("Verify"), text, QMessageBox.StandardButton.Ok,
                                            self)
        box.setInformativeText(info)
        if details:
            box.setDetailedText(details)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._result_box_gone)
        box.open()
        self.verify_done.emit(report)

    def _result_box_gone(self, *_args) -> None:
        self.result_box = None

    def _verify_cancelled(self) -> None:
        self._verify_end()
        self.verify_done.emit(None)

    def _verify_failed(self, error: BaseException) -> None:
        self._verify_end()
        show_error(self, error)
        self.verify_done.emit(None)

    # ---------------------------------------------------------------- verify a PDF

    def verify_pdf(self, path: Path | None = None) -> None:
        """Check the signatures of a PDF (chosen in a file dialog unless ``path`` is given)."""
        if self.pdf_job is not None:
            return
        if path is None:
            name = open_file_name(self, _("Verify a signed PDF"), "verify",
                                  _("PDF files (*.pdf);;All files (*)"))
            if not name:
                return
            path = Path(name)
        try:
            trusted = self.desk.keys.ca_certificate()
            revoked = database_revocations()  # read here: the job thread only checks the file
        except DeskError as error:
            show_error(self, error)
            return
        self.verify_pdf_button.setEnabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor)
        self.pdf_job = Job(lambda _progress: verify_pdf_file(path, trusted, revoked), parent=self,
                           on_success=lambda report: self._pdf_verified(path, report),
                           on_failure=self._pdf_verify_failed).start()

    def _pdf_verify_end(self) -> None:
        self.pdf_job = None
        self.verify_pdf_button.setEnabled(True)
        self.unsetCursor()

    def _pdf_verified(self, path: Path, report) -> None:
        self._pdf_verify_end()
        if self.report_dialog is not None:
            self.report_dialog.close()
        from desk_app.ui.audit.pdf_report import PdfReportDialog

        self.report_dialog = dialog = PdfReportDialog(path, report, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._report_gone)
        dialog.open()
        self.pdf_verified.emit(report)

    def _report_gone(self, *_args) -> None:
        self.report_dialog = None

    def _pdf_verify_failed(self, error: BaseException) -> None:
        self._pdf_verify_end()
        show_error(self, error)
        self.pdf_verified.emit(None)

    # ---------------------------------------------------------------- sign a checkpoint

    def sign_checkpoint(self, path: Path | None = None) -> None:
        """Choose the file (unless given; an existing one only after "Replace?"), then ask
        for the password and sign in a worker."""
        if self.checkpoint_job is not None:
            return
        if path is None:
            name = save_file_name(self, _("Save the signed checkpoint"), "checkpoint",
                                  f"checkpoint-{self.desk.today()}.pdf", _("PDF files (*.pdf)"),
                                  confirm_overwrite=False)  # replacing() asks
            if not name:
                return
            path = Path(name) if Path(name).suffix else Path(name + ".pdf")
        chosen = path
        try:
            self.checkpoint_target = replacing(
                self, lambda force: (check_target(chosen, force=force, field="file"), force))
        except ValidationError as error:
            show_error(self, error)
            return
        prompt = _("Sign a checkpoint of the audit trail as it stands now, written to {path}. "
                   "Keep it outside the database: the trail is checked against it later."
                   ).format(path=self.checkpoint_target[0])
        if self.sign_dialog is None:
            from desk_app.ui.widgets.sign_dialog import SignDialog

            self.sign_dialog = SignDialog(signer_label(self.actor), prompt, need_password=True,
                                          need_pad=False, parent=self)
            self.sign_dialog.accepted.connect(self._checkpoint_start)
        self.sign_dialog.prompt_label.setText(prompt)
        self.sign_dialog.open()

    def _checkpoint_start(self) -> None:
        if self.checkpoint_job is not None or self.sign_dialog is None:
            return
        assert self.checkpoint_target is not None
        desk, actor, password = self.desk, self.actor, self.sign_dialog.password
        path, force = self.checkpoint_target
        self.checkpoint_button.setEnabled(False)
        self.checkpoint_job = Job(
            lambda _progress: desk.audit.checkpoint(actor, path, password, None, force),
            desk=desk, parent=self, label=_("Signing the checkpoint…"),
            title=_("Sign checkpoint"), on_success=self._checkpoint_written,
            on_failure=self._checkpoint_failed).start()

    def _checkpoint_end(self) -> None:
        self.checkpoint_job = None
        self.checkpoint_button.setEnabled(True)

    def _drop_sign_dialog(self) -> None:
        if self.sign_dialog is not None:
            self.sign_dialog.deleteLater()  # the password goes with it
            self.sign_dialog = None

    def _checkpoint_failed(self, error: BaseException) -> None:
        self._checkpoint_end()
        if isinstance(error, AuthenticationFailed) and self.sign_dialog is not None:
            self.sign_dialog.show_password_error(str(error))
            self.sign_dialog.open()
        else:
            self._drop_sign_dialog()
            show_error(self, error)
        self.checkpoint_done.emit(None)

    def _checkpoint_written(self, result) -> None:
        self._checkpoint_end()
        self._drop_sign_dialog()
        text = _("Checkpoint of entry {seq} signed and written to {path}.").format(
            seq=result.seq, path=result.path)
        self.checkpoint_box = box = QMessageBox(
            QMessageBox.Icon.Information, _("Sign checkpoint"), text,
            QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(_(
            "Head hash {hash}, database {database}. Keep the file outside the database; "
            "“Check against files…” or 'desk-app audit verify --anchor FILE' checks the trail "
            "against it.").format(hash=result.head_hash, database=result.database_id))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._checkpoint_box_gone)
        box.open()
        self.refresh()  # the checkpoint is itself an entry of the trail
        self.checkpoint_done.emit(result)

    def _checkpoint_box_gone(self, *_args) -> None:
        self.checkpoint_box = None
