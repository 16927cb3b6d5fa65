"""Role × action: every service method that needs a permission refuses every other role."""

from __future__ import annotations

import pytest

from desk_app.domain.errors import PermissionDenied
from desk_app.domain.roles import Role
from desk_app.store.audit_chain import AuditFilter
from desk_app.store.models import AuditEntry, User
from tests.conftest import PASSWORD, add_user

ACTIONS = {
    "user.add": lambda d, a, tmp: d.users.add(a, "newbie", PASSWORD, "clerk"),
    "user.list": lambda d, a, tmp: d.users.list(a),
    "user.page": lambda d, a, tmp: d.users.page(a, 0, 10),
    "user.get": lambda d, a, tmp: d.users.get(a, "target"),
    "user.roles": lambda d, a, tmp: d.users.set_roles(a, "target", "clerk,supervisor"),
    "user.password_reset": lambda d, a, tmp: d.users.reset_password(a, "target", "brand-new-pw"),
    "user.deactivate": lambda d, a, tmp: d.users.set_active(a, "target", False),
    "setting.set": lambda d, a, tmp: d.settings.set(a, "idle_lock_minutes", 9),
    "setting.set_many": lambda d, a, tmp: d.settings.set_many(a, {"lockout_minutes": 30}),
    "audit.page": lambda d, a, tmp: d.audit.page(a, AuditFilter(), 0, 10),
    "audit.count": lambda d, a, tmp: d.audit.count(a, AuditFilter()),
    "audit.verify": lambda d, a, tmp: d.audit.verify(a),
    "audit.actors": lambda d, a, tmp: d.audit.actors(a),
    "backup.create": lambda d, a, tmp: d.backups.backup(a, tmp / "b.db"),
    "demo.generate": lambda d, a, tmp: d.demo.generate(a),
}

# Written out by hand (not derived from ROLE_PERMISSIONS) so a change to the
# permission table shows up here as a failing test to be looked at.
ALLOWED: dict[str, set[Role]] = {
    "user.add": {Role.ADMIN},
    "user.list": {Role.ADMIN, Role.AUDITOR},
    "user.page": {Role.ADMIN, Role.AUDITOR},
    "user.get": {Role.ADMIN, Role.AUDITOR},
    "user.roles": {Role.ADMIN},
    "user.password_reset": {Role.ADMIN},
    "user.deactivate": {Role.ADMIN},
    "setting.set": {Role.ADMIN},
    "setting.set_many": {Role.ADMIN},
    "audit.page": {Role.ADMIN, Role.AUDITOR},
    "audit.count": {Role.ADMIN, Role.AUDITOR},
    "audit.verify": {Role.ADMIN, Role.AUDITOR},
    "audit.actors": {Role.ADMIN, Role.AUDITOR},
    "backup.create": {Role.ADMIN},
    "demo.generate": {Role.ADMIN},
}


@pytest.fixture
def sqlite_admin(sqlite_desk):
    sqlite_desk.users.create_first_admin("admin", PASSWORD)
    admin = sqlite_desk.auth.login("admin", PASSWORD)
    sqlite_desk.users.add(admin, "target", PASSWORD, "clerk")
    return admin


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_action_matrix(sqlite_desk, sqlite_admin, tmp_path, role, action):
    actor = sqlite_admin if role is Role.ADMIN else add_user(
        sqlite_desk, sqlite_admin, f"as{role.value}", role.value)
    state = (User.select().count(), AuditEntry.select().count())
    if role in ALLOWED[action]:
        ACTIONS[action](sqlite_desk, actor, tmp_path)
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](sqlite_desk, actor, tmp_path)
        assert (User.select().count(), AuditEntry.select().count()) == state


def test_restore_needs_admin(sqlite_desk, sqlite_admin, tmp_path):
    sqlite_desk.backups.backup(sqlite_admin, tmp_path / "b.db")
    for role in Role:
        if role is Role.ADMIN:
            continue
        actor = add_user(sqlite_desk, sqlite_admin, f"as{role.value}", role.value)
        with pytest.raises(PermissionDenied):
            sqlite_desk.backups.restore(actor, tmp_path / "b.db")


def test_demo_on_a_used_database_needs_a_signed_in_admin(sqlite_desk, sqlite_admin):
    with pytest.raises(PermissionDenied):
        sqlite_desk.demo.generate(None)
