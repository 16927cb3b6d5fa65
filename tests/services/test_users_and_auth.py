from __future__ import annotations

import pytest

from desk_app.domain.errors import AuthenticationFailed, Conflict, NotFound, ValidationError
from desk_app.domain.roles import Role
from desk_app.store.models import AuditEntry, User
from tests.conftest import PASSWORD, add_user


def test_first_admin_only_on_an_empty_database(desk, admin):
    with pytest.raises(Conflict):
        desk.users.create_first_admin("second", PASSWORD)
    assert [u.name for u in desk.users.list(admin)] == ["admin"]


def test_add_user_records_one_audit_entry_without_the_password(desk, admin):
    before = AuditEntry.select().count()
    user = desk.users.add(admin, "WangFang", PASSWORD, "clerk,supervisor", "王芳")
    assert user.name == "wangfang" and user.roles == {Role.CLERK, Role.SUPERVISOR}
    entries = list(AuditEntry.select().where(AuditEntry.seq > before))
    assert [(e.action, e.actor) for e in entries] == [("user.add", "admin")]
    assert "王芳" in entries[0].change and "argon2" not in entries[0].change
    assert User.get(User.name == "wangfang").password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("name", "password", "roles", "field"),
    [("x", PASSWORD, "clerk", "name"), ("okname", "short", "clerk", "password"),
     ("okname", PASSWORD, "wizard", "roles"), ("okname", PASSWORD, "", "roles")],
)
def test_bad_input_changes_nothing(desk, admin, name, password, roles, field):
    users, entries = User.select().count(), AuditEntry.select().count()
    with pytest.raises(ValidationError) as error:
        desk.users.add(admin, name, password, roles)
    assert error.value.field == field
    assert (User.select().count(), AuditEntry.select().count()) == (users, entries)


def test_duplicate_name_is_a_conflict(desk, admin):
    desk.users.add(admin, "wang", PASSWORD, "clerk")
    entries = AuditEntry.select().count()
    with pytest.raises(Conflict):
        desk.users.add(admin, "WANG", PASSWORD, "clerk")
    assert AuditEntry.select().count() == entries


def test_login_rules(desk, admin):
    add_user(desk, admin, "clerk1", "clerk")
    with pytest.raises(AuthenticationFailed, match="Unknown user or wrong password"):
        desk.auth.login("clerk1", "wrong-password")
    with pytest.raises(AuthenticationFailed, match="Unknown user or wrong password"):
        desk.auth.login("nobody", PASSWORD)
    desk.users.set_active(admin, "clerk1", False)
    with pytest.raises(AuthenticationFailed, match="deactivated"):
        desk.auth.login("clerk1", PASSWORD)
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.seq)]
    assert actions.count("auth.login_failed") == 3


def test_lockout_after_repeated_failures_and_expiry(desk, admin, clock):
    desk.settings.set(admin, "lockout_threshold", 3)
    desk.users.add(admin, "clerk1", PASSWORD, "clerk")
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            desk.auth.login("clerk1", "wrong-password")
    with pytest.raises(AuthenticationFailed, match="locked until"):
        desk.auth.login("clerk1", PASSWORD)  # even the right password
    reasons = [e.change for e in AuditEntry.select().where(AuditEntry.action == "auth.login_failed")]
    assert any("locked_out" in r for r in reasons) and any('"locked"' in r for r in reasons)
    clock.advance(minutes=16)
    assert desk.auth.login("clerk1", PASSWORD).name == "clerk1"


def test_admin_reset_lifts_lockout(desk, admin):
    desk.settings.set(admin, "lockout_threshold", 1)
    desk.users.add(admin, "clerk1", PASSWORD, "clerk")
    with pytest.raises(AuthenticationFailed):
        desk.auth.login("clerk1", "nope-nope")
    desk.users.reset_password(admin, "clerk1", "new-password-1")
    assert desk.auth.login("clerk1", "new-password-1").name == "clerk1"


def test_change_own_password(desk, admin):
    clerk = add_user(desk, admin, "clerk1", "clerk")
    with pytest.raises(AuthenticationFailed):
        desk.auth.change_own_password(clerk, "wrong", "another-password")
    desk.auth.change_own_password(clerk, PASSWORD, "another-password")
    assert desk.auth.login("clerk1", "another-password").name == "clerk1"


def test_deactivate_keeps_history_and_an_admin(desk, admin):
    desk.users.add(admin, "clerk1", PASSWORD, "clerk")
    desk.users.set_active(admin, "clerk1", False)
    assert desk.users.get(admin, "clerk1").active is False  # never deleted
    with pytest.raises(ValidationError, match="yourself"):
        desk.users.set_active(admin, "admin", False)
    with pytest.raises(ValidationError, match="last active administrator"):
        desk.users.set_roles(admin, "admin", "clerk")
    desk.users.add(admin, "admin2", PASSWORD, "admin")
    desk.users.set_roles(admin, "admin", "clerk,auditor")
    with pytest.raises(NotFound):
        desk.users.set_active(admin, "ghost", False)


def test_settings_round_trip_and_validation(desk, admin):
    assert desk.settings.value("idle_lock_minutes") == 5
    desk.settings.set_many(admin, {"idle_lock_minutes": "7", "company_name": "華南物業"})
    assert desk.settings.all()["idle_lock_minutes"] == 7
    assert desk.settings.value("company_name") == "華南物業"
    entries = AuditEntry.select().count()
    with pytest.raises(ValidationError) as error:
        desk.settings.set_many(admin, {"idle_lock_minutes": "3", "lockout_minutes": "-1"})
    assert error.value.field == "lockout_minutes"
    assert desk.settings.value("idle_lock_minutes") == 7 and AuditEntry.select().count() == entries
