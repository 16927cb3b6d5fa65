"""Roles, permissions and which areas of the app each role uses."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cache

from desk_app.domain.errors import ValidationError
from desk_app.domain.labelled import LabelledStrEnum
from desk_app.i18n import N_, _


class Role(LabelledStrEnum):
    CLERK = "clerk", N_("Clerk")
    SUPERVISOR = "supervisor", N_("Supervisor")
    MANAGER = "manager", N_("Manager")
    AUDITOR = "auditor", N_("Auditor")
    ADMIN = "admin", N_("Administrator")
    PERSONNEL = "personnel", N_("Personnel officer")


class Permission(StrEnum):
    """The core's permissions; each area declares its own enum (``desk_app.domain.areas``)."""

    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"
    SETTINGS_EDIT = "settings.edit"
    AUDIT_VIEW = "audit.view"
    BACKUP_CREATE = "backup.create"
    BACKUP_RESTORE = "backup.restore"
    DEMO_GENERATE = "demo.generate"


def permissions_of(roles: Iterable[Role]) -> frozenset[str]:
    """What the roles may do: the union of every area's grants (the manifest's)."""
    return _permissions_of(frozenset(roles))


@cache  # every permission check asks; a user holds one of a handful of role sets
def _permissions_of(roles: frozenset[Role]) -> frozenset[str]:
    from desk_app.domain.manifest import role_permissions

    table = role_permissions()
    granted: set[str] = set()
    for role in roles:
        granted |= table[role]
    return frozenset(granted)


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
    return role.label
