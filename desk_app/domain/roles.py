"""Roles, permissions and which areas of the app each role uses."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from desk_app.domain.errors import ValidationError
from desk_app.i18n import N_, _


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    AUDITOR = "auditor"
    ADMIN = "admin"
    PERSONNEL = "personnel"


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: N_("Clerk"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.MANAGER: N_("Manager"),
    Role.AUDITOR: N_("Auditor"),
    Role.ADMIN: N_("Administrator"),
    Role.PERSONNEL: N_("Personnel officer"),
}


class Permission(StrEnum):
    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"
    SETTINGS_EDIT = "settings.edit"
    AUDIT_VIEW = "audit.view"
    BACKUP_CREATE = "backup.create"
    BACKUP_RESTORE = "backup.restore"
    DEMO_GENERATE = "demo.generate"
    # archive
    ARCHIVE_VIEW = "archive.view"
    ARCHIVE_EDIT = "archive.edit"
    LOAN_VIEW = "loan.view"
    LOAN_HANDLE = "loan.handle"
    LOAN_CORRECT = "loan.correct"
    REGISTER_EXPORT = "register.export"
    # reception
    RECEPTION_VIEW = "reception.view"
    RECEPTION_USE = "reception.use"
    RECEPTION_SUPERVISE = "reception.supervise"
    SCRIPTS_EDIT = "scripts.edit"


_CORE_GRANTS: dict[Role, set[Permission]] = {
    Role.AUDITOR: {Permission.USERS_VIEW, Permission.AUDIT_VIEW},
    Role.ADMIN: {
        Permission.USERS_VIEW, Permission.USERS_MANAGE, Permission.SETTINGS_EDIT,
        Permission.AUDIT_VIEW, Permission.BACKUP_CREATE, Permission.BACKUP_RESTORE,
        Permission.DEMO_GENERATE,
    },
}
_ARCHIVE_GRANTS: dict[Role, set[Permission]] = {
    Role.CLERK: {Permission.ARCHIVE_VIEW, Permission.ARCHIVE_EDIT, Permission.LOAN_VIEW,
                 Permission.LOAN_HANDLE},
    Role.SUPERVISOR: {Permission.ARCHIVE_VIEW, Permission.ARCHIVE_EDIT, Permission.LOAN_VIEW,
                      Permission.LOAN_HANDLE, Permission.LOAN_CORRECT},
    Role.MANAGER: {Permission.ARCHIVE_VIEW, Permission.LOAN_VIEW, Permission.REGISTER_EXPORT},
    Role.AUDITOR: {Permission.ARCHIVE_VIEW, Permission.LOAN_VIEW, Permission.REGISTER_EXPORT},
    Role.PERSONNEL: {Permission.ARCHIVE_VIEW},
    Role.ADMIN: {Permission.ARCHIVE_EDIT, Permission.ARCHIVE_VIEW, Permission.REGISTER_EXPORT},
}

# reception: clerks and supervisors use the desk; supervisors review timeouts; the admin edits
# the script library; the auditor reads the log.
_RECEPTION_GRANTS: dict[Role, set[Permission]] = {
    Role.CLERK: {Permission.RECEPTION_VIEW, Permission.RECEPTION_USE},
    Role.SUPERVISOR: {Permission.RECEPTION_VIEW, Permission.RECEPTION_USE,
                      Permission.RECEPTION_SUPERVISE},
    Role.AUDITOR: {Permission.RECEPTION_VIEW},
    Role.ADMIN: {Permission.SCRIPTS_EDIT},
}


def _merge(*grants: dict[Role, set[Permission]]) -> dict[Role, frozenset[Permission]]:
    """Each area lists its own grants; a role holds the union."""
    return {role: frozenset().union(*(area.get(role, set()) for area in grants)) for role in Role}


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = _merge(_CORE_GRANTS, _ARCHIVE_GRANTS,
                                                                 _RECEPTION_GRANTS)


class Area(StrEnum):
    TODAY = "today"
    ARCHIVE = "archive"
    LOANS = "loans"
    APPROVALS = "approvals"
    HANDOVER = "handover"
    KEYS = "keys"
    RECEPTION = "reception"
    AUDIT = "audit"
    ADMIN = "admin"


_EVERYONE = frozenset(Role)
AREA_ROLES: dict[Area, frozenset[Role]] = {
    Area.TODAY: _EVERYONE,
    Area.ARCHIVE: frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR, Role.PERSONNEL}),
    Area.LOANS: frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR}),
    Area.APPROVALS: frozenset({Role.CLERK, Role.MANAGER, Role.AUDITOR, Role.PERSONNEL}),
    Area.HANDOVER: frozenset({Role.CLERK, Role.SUPERVISOR, Role.AUDITOR}),
    Area.KEYS: frozenset({Role.CLERK, Role.SUPERVISOR, Role.AUDITOR}),
    Area.RECEPTION: frozenset({Role.CLERK, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN}),
    Area.AUDIT: frozenset({Role.AUDITOR, Role.ADMIN}),
    Area.ADMIN: frozenset({Role.ADMIN}),
}


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def areas_of(roles: Iterable[Role]) -> list[Area]:
    held = set(roles)
    return [area for area in Area if AREA_ROLES[area] & held]


def parse_roles(text: str | Iterable[str]) -> frozenset[Role]:
    """``"clerk, supervisor"`` or an iterable of names to roles; at least one, all known."""
    names = text.split(",") if isinstance(text, str) else list(text)
    names = [name.strip().lower() for name in names if name.strip()]
    if not names:
        raise ValidationError(_("Give at least one role."), field="roles")
    known = {role.value for role in Role}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValidationError(
            _("Unknown role: {name}. Roles are: {roles}.").format(
                name=", ".join(unknown), roles=", ".join(sorted(known))
            ),
            field="roles",
        )
    return frozenset(Role(name) for name in names)


def format_roles(roles: Iterable[Role]) -> str:
    """Canonical storage form: sorted, comma separated."""
    return ",".join(sorted(role.value for role in roles))


def role_label(role: Role) -> str:
    return _(ROLE_LABELS[role])
