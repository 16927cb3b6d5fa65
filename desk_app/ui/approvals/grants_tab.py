"""Personnel grants (R6): the personnel officer lets one user read one sealed personnel file
for a while, with a reason; auditors see the list (titles hidden)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import N_, _, ngettext
from desk_app.ui.approvals.common import ReasonDialog, RegisterPanel
from desk_app.ui.approvals.dialogs import GrantDialog
from desk_app.ui.errors import show_error
from desk_app.ui.models.paged import Column
from desk_app.ui.widgets.page import DialogHost
from desk_app.ui.widgets.registers import day_text, local_text

STATUS_LABELS = {"live": N_("live"), "ended": N_("ended"), "revoked": N_("revoked")}


def _status(row: dict[str, Any]) -> str:
    if row.get("status_label"):
        return str(row["status_label"])
    status = row.get("status") or ""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def grant_columns() -> list[Column]:
    return [
        Column(lambda: _("File"), lambda row: row["ref"]),
        Column(lambda: _("Title"), lambda row: row["title"], tooltip=lambda row: row["title"]),
        Column(lambda: _("User"), lambda row: row.get("user_full_name") or row["user"]),
        Column(lambda: _("Until"), lambda row: day_text(row["until"])),
        Column(lambda: _("Status"), _status),
        Column(lambda: _("Granted by"),
               lambda row: row.get("granted_by_full_name") or row["granted_by"]),
        Column(lambda: _("Granted"), lambda row: local_text(row["granted_at"])),
        Column(lambda: _("Reason"), lambda row: row["reason"], tooltip=lambda row: row["reason"]),
        Column(lambda: _("Revoked"), lambda row: (
            _("{who}: {reason}").format(who=row.get("revoked_by_full_name") or row["revoked_by"],
                                        reason=row.get("revoke_reason") or "")
            if row.get("revoked_by") else "")),
    ]


class GrantsTab(QWidget, DialogHost):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self._rows: list[dict[str, Any]] | None = None
        self.current_only = QCheckBox(_("&Live grants only"))
        self.current_only.setObjectName("grants_current_only")
        self.panel = RegisterPanel("personnel_grants", lambda: len(self.rows()),
                                   lambda offset, limit: self.rows()[offset:offset + limit],
                                   grant_columns(), (120, 200, 90, 90, 70, 90, 130, 200))
        self.count_label = QLabel()
        self.count_label.setObjectName("grants_count")
        manage = actor.can(ArchivePermission.PERSONNEL_GRANT)
        self.grant_button = QPushButton(_("&Grant access…"))
        self.grant_button.setObjectName("grant_add")
        self.revoke_button = QPushButton(_("Re&voke grant…"))
        self.revoke_button.setObjectName("grant_revoke")
        for button in (self.grant_button, self.revoke_button):
            button.setVisible(manage)
        self.grant_button.clicked.connect(lambda _checked=False: self.grant())
        self.revoke_button.clicked.connect(lambda _checked=False: self.revoke())
        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addWidget(self.current_only)
        row.addStretch(1)
        row.addWidget(self.grant_button)
        row.addWidget(self.revoke_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel, 1)
        layout.addLayout(row)
        self.panel.rows_changed.connect(self._update)
        self.current_only.toggled.connect(lambda _on: self.refresh())
        self._update()

    def rows(self) -> list[dict[str, Any]]:
        if self._rows is None:
            self._rows = self.desk.personnel.grants(self.actor,
                                                    current_only=self.current_only.isChecked())
        return self._rows

    def refresh(self) -> None:
        self._rows = None
        try:
            self.panel.model.refresh()
        except DeskError as error:
            show_error(self, error)
        self._update()

    def _update(self) -> None:
        count = self.panel.model.rowCount()
        self.count_label.setText(ngettext("{count} grant", "{count} grants", count).format(count=count))
        one = self.panel.current()
        self.revoke_button.setEnabled(one is not None and one.get("status") == "live")

    def grant(self, ref: str = "") -> GrantDialog:
        dialog = GrantDialog(self.desk, self.actor, self, ref)
        self.run_dialog(dialog)
        return dialog

    def revoke(self) -> None:
        one = self.panel.current()
        if one is None:
            return
        grant_id = one["id"]
        self.run_dialog(ReasonDialog(
            _("Revoke grant"),
            _("{user} may no longer read {ref}.").format(user=one["user"], ref=one["ref"]),
            _("Re&voke"), lambda reason: self.desk.personnel.revoke_grant(self.actor, grant_id, reason),
            self, "revoke_grant_dialog"))
