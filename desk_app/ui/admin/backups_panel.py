"""The Admin page's "Backups" tab: back up, and restore a backup after seeing its plan.

A restore first reads the backup off the GUI thread (``restore_plan``: the backup's own
chain is verified, which takes a while on a large trail), then asks for confirmation in a
dialog that shows what would be lost and the problems; when the plan needs force, the
dialog asks for the reason (required) and its OK button reads "Restore anyway". The restore
itself runs off the GUI thread too, with the plan the user confirmed: if another desk wrote
meanwhile, it is refused and the user looks at the new plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import text
from desk_app.domain.clock import format_datetime, parse_iso_utc
from desk_app.domain.errors import DeskError, TargetExists
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.backup import REASON_LIMIT, RestorePlan
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.fields import button_row
from desk_app.ui.widgets.files import open_file_name, save_file_name
from desk_app.ui.widgets.form_dialog import FieldsDialog, FieldSpec
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.page import DialogHost

FILE_FILTER = "{backups} (*.db *.bak *.sqlite);;{all} (*)"
WARNING_STYLE = "color: #a33;"


def _when(at: str | None) -> str:
    if not at:
        return ""
    try:
        return format_datetime(parse_iso_utc(at), seconds=True)
    except ValueError:
        return at


def plan_summary(plan: RestorePlan) -> str:
    """The plan in a few lines: the two heads, how they stand, what would be lost."""
    relations = {
        "same": _("The backup holds exactly this database's audit trail."),
        "extends": _("The backup holds this database's audit trail and later entries."),
        "older": _("The backup's audit trail is the beginning of this database's: it is "
                   "older."),
        "diverged": _("The two audit trails differ from entry {seq} on.").format(
            seq=plan.common_seq + 1),
    }
    lines = [
        _("Backup: {path}").format(path=plan.file),
        _("The backup's trail ends at entry {backup}; this database's at entry {current}.")
        .format(backup=plan.backup_head[0], current=plan.current_head[0]),
        relations[plan.relation.value],
        _("Made by this database: yes (entry {seq}).").format(seq=plan.recorded_seq)
        if plan.recorded else _("Made by this database: no record of it."),
        _("The backup's own trail: intact ({count} entries).").format(
            count=plan.backup_chain.count) if plan.backup_chain.ok
        else _("The backup's own trail: broken at entry {seq}.").format(
            seq=plan.backup_chain.broken_seq),
    ]
    if plan.new_database:
        lines.append(_("This database is new: it holds only its set-up."))
    if plan.lost_entries:
        lines.append(_("Entries that would be lost: {count} (entries {first} to {last}, "
                       "{since} – {until}):").format(
            count=plan.lost_entries, first=plan.common_seq + 1, last=plan.current_head[0],
            since=_when(plan.first_lost_at), until=_when(plan.last_lost_at)))
        lines.extend(f"    {lost.action} × {lost.count}" for lost in plan.lost)
        if plan.expected_lost:
            lines.append(_("Of them {count} expected: this backup's own record and your "
                           "sign-ins.").format(count=plan.expected_lost))
    else:
        lines.append(_("Entries that would be lost: none."))
    return "\n".join(lines)


class RestoreDialog(FieldsDialog):
    """Confirm a restore: the plan, its problems and, when it needs force, the reason."""

    def __init__(self, plan: RestorePlan, parent: QWidget | None = None) -> None:
        self.plan = plan
        fields = [FieldSpec("reason", _("&Reason for forcing:"))] if plan.needs_force else []
        super().__init__(_("Restore a backup"), fields, self._values, parent)
        self.setObjectName("restore_dialog")
        self.summary = QLabel(plan_summary(plan))
        self.summary.setObjectName("restore_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        problems = plan.messages()
        self.problems = QLabel("\n".join(
            [_("This restore needs force and a reason:"), *(f"• {m}" for m in problems)])
            if problems else _("Nothing anyone did since the backup would be lost: the "
                               "restore needs no force."))
        self.problems.setObjectName("restore_problems")
        self.problems.setWordWrap(True)
        if problems:
            self.problems.setStyleSheet(WARNING_STYLE)
        self.form.insertRow(0, self.problems)
        self.form.insertRow(0, self.summary)
        self.ok_button.setText(_("Restore anyway") if plan.needs_force else _("Restore"))
        self.ok_button.setObjectName("restore_ok")
        self.setMinimumWidth(560)
        if plan.needs_force:
            self.widgets["reason"].setFocus()

    def _values(self, values: dict[str, Any], _confirm: bool) -> dict[str, Any]:
        """The reason, checked by the rules the service applies (errors at the field)."""
        reason = text.line(values.get("reason", ""), "reason", _("The reason"), REASON_LIMIT)
        if self.plan.needs_force:
            text.required(reason, "reason", _("Give the reason for forcing the restore."))
        return {"force": self.plan.needs_force, "reason": reason}


class BackupsPanel(QWidget, DialogHost):
    restored = Signal(object)  # the plan carried out: every page shows other data now

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.job: Job | None = None
        self.last_box: QMessageBox | None = None
        explain = QLabel(_(
            "A backup is a consistent copy of the whole database, recorded in the audit "
            "trail with its SHA-256. A restore shows first what it would replace. A backup "
            "this database did not record, one whose audit trail is broken or differs from "
            "this one, or one that would lose entries made since, is restored only when "
            "forced with a reason, and the restored trail records the restore."))
        explain.setWordWrap(True)
        buttons, self.buttons = button_row("backups", (
            ("backup", _("Back up &now…"), lambda: self.back_up()),
            ("restore", _("&Restore…"), lambda: self.restore())))
        self.daily_status = QLabel()
        self.daily_status.setObjectName("daily_status")
        self.daily_status.setWordWrap(True)
        self.daily_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.daily_list = QListWidget()
        self.daily_list.setObjectName("daily_backups")
        daily = QGroupBox(_("Daily backup"))
        daily_layout = QVBoxLayout(daily)
        daily_layout.addWidget(self.daily_status)
        daily_layout.addWidget(self.daily_list)
        self.daily_list.setMaximumHeight(self.fontMetrics().height() * 10)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(buttons)
        layout.addWidget(daily)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        """The daily backup's settings in words and this database's daily backups."""
        try:
            values = self.desk.settings.all()
            folder = self.desk.backups.daily_folder()
            files = self.desk.backups.daily_files()
        except DeskError as error:
            self.daily_status.setText(str(error))
            return
        if values["backup_daily"] == "yes":
            self.daily_status.setText(_(
                "On: the program makes one backup a day into {folder} and keeps the newest "
                "{keep}; older daily backups of this database are deleted. Change it in the "
                "Settings tab.").format(folder=folder, keep=values["backup_keep"]))
        else:
            self.daily_status.setText(_(
                "Off: no automatic backup is made. Turn it on in the Settings tab (\"Back up "
                "automatically once a day\"); the backups then go to {folder}.").format(
                folder=folder))
        self.daily_list.clear()
        for path in reversed(files):
            self.daily_list.addItem(path.name)
        if not files:
            self.daily_list.addItem(_("(no daily backup yet)"))

    def _filter(self) -> str:
        return FILE_FILTER.format(backups=_("Backups"), all=_("All files"))

    def _info(self, title: str, message: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, title, message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("backups_message")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_box = box
        return box

    # ------------------------------------------------------------------------ backup

    def back_up(self, path: Path | None = None, force: bool = False) -> None:
        """Back up now: a file chooser, then the backup in the background with a progress
        dialog whose Cancel leaves neither a file nor an audit entry."""
        if path is None:
            suggested = f"desk-backup-{self.desk.today():%Y%m%d}.db"
            name = save_file_name(self, _("Back up the database"), "backup", suggested,
                                  self._filter())
            if not name:
                return
            path, force = Path(name), True  # the file dialog asked "replace?" already
        target = path
        self.job = Job(
            lambda progress: self.desk.backups.backup(self.actor, target, force, progress),
            desk=self.desk, parent=self, label=_("Backing up…"),
            on_success=lambda written: self._info(
                _("Backup"), _("Backup written to {path}.").format(path=written)),
            on_cancel=lambda: self._info(_("Backup"), _("Backup cancelled: nothing was "
                                                        "written.")),
            on_failure=lambda error: self._backup_failed(target, error)).start()

    def _backup_failed(self, path: Path, error: BaseException) -> None:
        if isinstance(error, TargetExists):
            answer = QMessageBox.question(self, _("Back up the database"),
                                          _("{path} exists already. Replace it?").format(
                                              path=path))
            if answer == QMessageBox.StandardButton.Yes:
                self.back_up(path, force=True)
            return
        show_error(self, error)

    # ------------------------------------------------------------------------ restore

    def restore(self, path: Path | None = None) -> None:
        """Read the backup's plan off the GUI thread, then ask (``RestoreDialog``)."""
        if path is None:
            name = open_file_name(self, _("Restore a backup"), "backup", self._filter())
            if not name:
                return
            path = Path(name)
        source = path
        self.job = Job(
            lambda progress: self.desk.backups.restore_plan(self.actor, source, progress),
            desk=self.desk, parent=self, label=_("Checking the backup…"),
            on_success=lambda plan: self._confirm(source, plan)).start()

    def _confirm(self, source: Path, plan: RestorePlan) -> None:
        self.run_dialog(RestoreDialog(plan, self),
                        lambda values: self._restore(source, plan, values))

    def _restore(self, source: Path, plan: RestorePlan, values: dict[str, Any]) -> None:
        force, reason = bool(values["force"]), str(values["reason"])
        self.job = Job(
            lambda _progress: self.desk.backups.restore(self.actor, source, force=force,
                                                        reason=reason, plan=plan),
            desk=self.desk, parent=self, label=_("Restoring…"),
            on_success=self._restored).start()

    def _restored(self, plan: RestorePlan) -> None:
        self.restored.emit(plan)
        box = self._info(_("Restore"), _(
            "The database was restored from {path}. Sign in again: every page now shows the "
            "restored data.").format(path=plan.file))
        window = self.window()
        if window is not self and hasattr(window, "request_switch_user"):
            box.finished.connect(lambda _result: window.request_switch_user())
