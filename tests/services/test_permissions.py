"""Role × action: every service method that needs a permission refuses every other role."""

from __future__ import annotations

from datetime import datetime

import pytest

from desk_app.domain.errors import PermissionDenied
from desk_app.domain.roles import Role
from desk_app.services.archive import ItemFilter
from desk_app.services.loans import BorrowerInput, LoanFilter
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
    # archive and loans
    "item.add": lambda d, a, tmp: d.archive.add_item(a, title="x", kind="TZ", dept="KF",
                                                     level="public"),
    "item.list": lambda d, a, tmp: d.archive.page(a, ItemFilter(), 0, 10),
    "location.add": lambda d, a, tmp: d.archive.add_location(a, "B202"),
    "kind.add": lambda d, a, tmp: d.archive.add_kind(a, "QT", "其他"),
    "loan.lend": lambda d, a, tmp: d.loans.lend(a, ["KF-TZ-0001"], BorrowerInput(user_name="target"),
                                                "查阅"),
    "loan.list": lambda d, a, tmp: d.loans.page(a, LoanFilter(), 0, 10),
    "loan.remind_list": lambda d, a, tmp: d.loans.overdue_by_borrower(a),
    # reception
    "script.list": lambda d, a, tmp: d.reception.scripts(a, "en"),
    "script.render": lambda d, a, tmp: d.reception.render(a, "visitor.greet", "en"),
    "script.edit": lambda d, a, tmp: d.reception.save_script(a, "visitor.greet", "en", "Hello."),
    "visit.open": lambda d, a, tmp: d.reception.open_visit(a, "visit", name="Li"),
    "visit.list": lambda d, a, tmp: d.reception.visits(a),
    "visit.answer": lambda d, a, tmp: d.reception.answer(a, _visit()),
    "visit.close": lambda d, a, tmp: d.reception.close_visit(a, _visit()),
    "visit.sweep": lambda d, a, tmp: d.reception.sweep_timeouts(a),
    "visit.review": lambda d, a, tmp: d.reception.review(a, _visit(escalated=True), "ok"),
    "callback.schedule": lambda d, a, tmp: d.reception.schedule_callback(
        a, "138", "follow up", d.ctx.clock.now()),
    "complaint.add": lambda d, a, tmp: d.reception.add_complaint(a, "noise", "loud"),
    "complaint.stats": lambda d, a, tmp: d.reception.complaint_stats(a, 2026, 11),
    "export.visits": lambda d, a, tmp: d.reception.export_visits(a, None, None, "csv",
                                                                 tmp / "v.csv"),
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
    "item.add": {Role.CLERK, Role.SUPERVISOR, Role.ADMIN},
    "item.list": {Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR, Role.PERSONNEL,
                  Role.ADMIN},
    "location.add": {Role.CLERK, Role.SUPERVISOR, Role.ADMIN},
    "kind.add": {Role.CLERK, Role.SUPERVISOR, Role.ADMIN},
    "loan.lend": {Role.CLERK, Role.SUPERVISOR},
    "loan.list": {Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR},
    "loan.remind_list": {Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR},
    # reception
    "script.list": {Role.CLERK, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN},
    "script.render": {Role.CLERK, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN},
    "script.edit": {Role.ADMIN},
    "visit.open": {Role.CLERK, Role.SUPERVISOR},
    "visit.list": {Role.CLERK, Role.SUPERVISOR, Role.AUDITOR},
    "visit.answer": {Role.CLERK, Role.SUPERVISOR},
    "visit.close": {Role.CLERK, Role.SUPERVISOR},
    "visit.sweep": {Role.CLERK, Role.SUPERVISOR},
    "visit.review": {Role.SUPERVISOR},
    "callback.schedule": {Role.CLERK, Role.SUPERVISOR},
    "complaint.add": {Role.CLERK, Role.SUPERVISOR},
    "complaint.stats": {Role.CLERK, Role.SUPERVISOR, Role.AUDITOR},
    "export.visits": {Role.CLERK, Role.SUPERVISOR, Role.AUDITOR},
}


def _visit(escalated: bool = False) -> int:
    """A log entry made directly in the table (no audit entry, so the matrix can count)."""
    from desk_app.store.reception import Visit

    at = datetime(2026, 11, 2, 1, 0)
    return Visit.create(channel="visit", handler="target", arrived_at=at, created_by="target",
                        escalated_at=at if escalated else None, timeout_level=3 * escalated).id


@pytest.fixture
def sqlite_admin(sqlite_desk):
    sqlite_desk.users.create_first_admin("admin", PASSWORD)
    admin = sqlite_desk.auth.login("admin", PASSWORD)
    sqlite_desk.users.add(admin, "target", PASSWORD, "clerk")
    sqlite_desk.archive.add_item(admin, title="通知", kind="TZ", dept="KF", level="public",
                                 ref="KF-TZ-0001")
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
