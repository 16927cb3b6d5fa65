"""The Audit area: the trail, newest first, filtered by actor, action and period; verify."""

from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import QDate, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableView,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.audit import day_range
from desk_app.store.audit_chain import AuditFilter
from desk_app.ui.audit.verify import VerifyJob
from desk_app.ui.errors import show_error
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.pages.today import local_time_text
from desk_app.ui.widgets.page import Page

log = logging.getLogger(__name__)
SUMMARY_LENGTH = 120


def change_summary(change: str) -> str:
    """``{"before":…, "after":…}`` as one short line: ``key: old → new`` where possible."""
    try:
        data = json.loads(change)
    except (TypeError, ValueError):
        return change or ""
    before, after = data.get("before"), data.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        parts = [f"{key}: {_short(before.get(key))} → {_short(after.get(key))}"
                 for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]
        text = "; ".join(parts)
    elif before is None and after is None:
        text = ""
    elif before is None:
        text = _flat(after)
    else:
        text = f"{_flat(before)} → {_flat(after)}"
    return text if len(text) <= SUMMARY_LENGTH else text[:SUMMARY_LENGTH - 1] + "…"


def _short(value: Any) -> str:
    return "—" if value is None else str(value)


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_short(item)}" for key, item in value.items())
    return _short(value)


def audit_columns() -> list[Column]:
    right = Qt.AlignmentFlag.AlignRight
    return [
        Column(lambda: _("#"), lambda row: row["seq"], align=right),
        Column(lambda: _("Time"), lambda row: local_time_text(row["at"], with_seconds=True),
               tooltip=lambda row: row["at"]),
        Column(lambda: _("User"), lambda row: row["actor"]),
        Column(lambda: _("Action"), lambda row: row["action"]),
        Column(lambda: _("Entity"), lambda row: row["entity"]),
        Column(lambda: _("Id"), lambda row: row["entity_id"], align=right),
        Column(lambda: _("Change"), lambda row: change_summary(row["change"]),
               tooltip=lambda row: row["change"]),
    ]


class AuditPage(Page):
    verify_done = Signal(object)  # ChainReport, or None when cancelled/failed

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
        today = QDate.currentDate()
        self.since_edit = QDateEdit(today.addDays(-30))
        self.until_edit = QDateEdit(today)
        for edit, name in ((self.since_edit, "filter_since"), (self.until_edit, "filter_until")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.refresh_button = QPushButton(_("&Refresh"))
        self.verify_button = QPushButton(_("&Verify…"))
        self.verify_button.setObjectName("verify")
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
        filters.addWidget(self.verify_button)
        self.body.addLayout(filters)

        self.model = PagedTableModel(self._count, self._fetch, audit_columns(), parent=self)
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
        for column, width in enumerate((60, 150, 90, 150, 70, 50)):
            self.table.setColumnWidth(column, width)
        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.count_label)

        self.actor_combo.currentIndexChanged.connect(self.apply_filter)
        self.action_combo.currentIndexChanged.connect(self.apply_filter)
        self.period_check.toggled.connect(self._period_toggled)
        self.since_edit.dateChanged.connect(self.apply_filter)
        self.until_edit.dateChanged.connect(self.apply_filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)

        self.job: VerifyJob | None = None
        self.progress: QProgressDialog | None = None
        self.result_box: QMessageBox | None = None
        self._load_choices()
        self._update_count()

    # ---------------------------------------------------------------- data

    def _count(self) -> int:
        return self.desk.audit.count(self.actor, self.filter)

    def _fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.desk.audit.page(self.actor, self.filter, offset, limit)

    def _load_choices(self) -> None:
        for combo, values in ((self.actor_combo, self.desk.audit.actors(self.actor)),
                              (self.action_combo, self.desk.audit.actions(self.actor))):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("All"), None)
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(False)

    def _period_toggled(self, on: bool) -> None:
        self.since_edit.setEnabled(on)
        self.until_edit.setEnabled(on)
        self.apply_filter()

    def current_filter(self) -> AuditFilter:
        since = until = None
        if self.period_check.isChecked():
            since, until = day_range(self.since_edit.date().toPython(),
                                     self.until_edit.date().toPython())
        return AuditFilter(actor=self.actor_combo.currentData(),
                           action=self.action_combo.currentData(), since=since, until=until)

    def apply_filter(self, *_args) -> None:
        self.filter = self.current_filter()
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
        self.count_label.setText(_("{count} entries").format(count=self.model.rowCount()))

    # ---------------------------------------------------------------- verify

    def verify(self) -> None:
        if self.job is not None:
            return
        self.job = job = VerifyJob(self.desk, self.actor)
        self.progress = QProgressDialog(_("Verifying the audit trail…"), _("Cancel"), 0, 0, self)
        self.progress.setWindowTitle(_("Verify"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(400)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(job.cancel)
        job.signals.progress.connect(self._verify_progress)
        job.signals.finished.connect(self._verify_finished)
        job.signals.cancelled.connect(self._verify_cancelled)
        job.signals.failed.connect(self._verify_failed)
        self.verify_button.setEnabled(False)
        QThreadPool.globalInstance().start(job)

    def _verify_progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)

    def _verify_end(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self.job = None
        self.verify_button.setEnabled(True)

    def _verify_finished(self, report) -> None:
        self._verify_end()
        if report.ok:
            text = _("Audit trail intact: {count} entries, head hash {hash}.").format(
                count=report.count, hash=report.head_hash)
            icon = QMessageBox.Icon.Information
        else:
            text = _("Audit trail BROKEN at entry {seq}: {problem}.").format(
                seq=report.broken_seq, problem=report.problem)
            icon = QMessageBox.Icon.Critical
        self.result_box = box = QMessageBox(icon, _("Verify"), text, QMessageBox.StandardButton.Ok,
                                            self)
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

    def _verify_failed(self, error: Exception) -> None:
        self._verify_end()
        show_error(self, error)
        self.verify_done.emit(None)
