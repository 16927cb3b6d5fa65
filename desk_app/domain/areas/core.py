"""The core every area builds on: users, settings, keys, the audit trail, backups, exports."""

from __future__ import annotations

from desk_app.domain.area import AreaSpec, PageSpec, RegisterSpec, ServiceSpec, grants
from desk_app.domain.roles import Permission, Role
from desk_app.domain.settings import CORE_SETTINGS, Setting, between
from desk_app.i18n import N_

# The automatic daily backup (services/backup.BackupService.daily_backup).
BACKUP_SETTINGS = (
    Setting("backup_daily", N_("Back up automatically once a day"), str, "no",
            choices=("yes", "no")),
    Setting("backup_keep", N_("Daily backups kept"), int, 7, between(1, 365)),
    Setting("backup_folder", N_("Folder of the daily backups (empty: beside the database)"),
            str, ""),
)

AREA = AreaSpec(
    key="core",
    permissions=Permission,
    grants=grants({
        Role.AUDITOR: {Permission.USERS_VIEW, Permission.AUDIT_VIEW},
        Role.ADMIN: {Permission.USERS_VIEW, Permission.USERS_MANAGE, Permission.SETTINGS_EDIT,
                     Permission.AUDIT_VIEW, Permission.BACKUP_CREATE, Permission.BACKUP_RESTORE,
                     Permission.DEMO_GENERATE},
    }),
    settings=(*CORE_SETTINGS, *BACKUP_SETTINGS),
    models="desk_app.store.models",
    services=(
        ServiceSpec("settings", "desk_app.services.settings:SettingsService"),
        ServiceSpec("passwords", "desk_app.services.passwords:PasswordGate", ("settings",)),
        ServiceSpec("keyring", "desk_app.services.keyring:Keyring"),
        ServiceSpec("keys", "desk_app.services.signing:KeyService",
                    ("settings", "passwords", "keyring")),
        ServiceSpec("auth", "desk_app.services.auth:AuthService",
                    ("settings", "passwords", "keys", "keyring")),
        ServiceSpec("users", "desk_app.services.users:UserService",
                    ("settings", "keys", "keyring")),
        ServiceSpec("audit", "desk_app.services.audit:AuditService", ("settings", "keys")),
        ServiceSpec("backups", "desk_app.services.backup:BackupService", ("settings",)),
        # "sources": every area's register sources, built after the services they need
        ServiceSpec("exports", "desk_app.services.exports:ExportService",
                    ("settings", "keys", "sources")),
        ServiceSpec("demo", "desk_app.demo.service:DemoService",
                    ("settings", "users", "personnel")),
    ),
    registers=(RegisterSpec("audit", "desk_app.services.audit_register:AuditRegister"),),
    cli=("desk_app.cli.admin", "desk_app.cli.forms"),
    pages=(
        PageSpec("today", N_("Today"), "today.svg", frozenset(Role), 0,
                 "desk_app.ui.pages.today:TodayPage"),
        PageSpec("audit", N_("Audit"), "SP_FileDialogContentsView",
                 frozenset({Role.AUDITOR, Role.ADMIN}), 80, "desk_app.ui.audit.page:AuditPage"),
        PageSpec("admin", N_("Admin"), "SP_ComputerIcon", frozenset({Role.ADMIN}), 90,
                 "desk_app.ui.admin.page:AdminPage"),
    ),
)
