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
    # The same words as for an unknown name: sign-in does not tell who has an account.
    with pytest.raises(AuthenticationFailed, match="Unknown user or wrong password"):
        desk.auth.login("clerk1", PASSWORD)
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.seq)]
    assert actions.count("auth.login_failed") == 3


def test_lockout_after_repeated_failures_and_expiry(desk, admin, clock):
    desk.settings.set(admin, "lockout_threshold", 3)
    desk.settings.set(admin, "lockout_minutes", 5)
    desk.users.add(admin, "clerk1", PASSWORD, "clerk")

    def failures() -> int:
        return User.get(User.name == "clerk1").failed_logins

    for _ in range(3):
        with pytest.raises(AuthenticationFailed, match="Unknown user or wrong password"):
            desk.auth.login("clerk1", "wrong-password")
    with pytest.raises(AuthenticationFailed, match="Unknown user or wrong password"):
        desk.auth.login("clerk1", PASSWORD)  # even the right password, while paused
    assert failures() == 3  # attempts during a pause are refused unchecked, not counted
    reasons = [e.change for e in AuditEntry.select().where(AuditEntry.action == "auth.login_failed")]
    assert any("locked_out" in r for r in reasons) and any('"paused"' in r for r in reasons)
    # The pause doubles with each further failure (1, 2, 4 … minutes), at most lockout_minutes.
    pauses = []
    for _ in range(4):
        clock.advance(minutes=10)
        with pytest.raises(AuthenticationFailed):
            desk.auth.login("clerk1", "wrong-password")
        pauses.append(round((User.get(User.name == "clerk1").locked_until - clock.now())
                            .total_seconds() / 60))
    assert pauses == [2, 4, 5, 5]
    clock.advance(minutes=6)
    assert desk.auth.login("clerk1", PASSWORD).name == "clerk1"
    assert failures() == 0


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


def test_every_password_check_counts_and_is_audited(desk, admin, clock):
    """Unlocking, changing one's password and signing count like sign-in (issue 9)."""
    from desk_app.forms import signing
    from desk_app.forms.render import render_form
    from desk_app.forms.spec import FormSpec

    desk.settings.set(admin, "lockout_threshold", 4)
    clerk = add_user(desk, admin, "clerk1", "clerk")
    with pytest.raises(AuthenticationFailed, match="Wrong password"):
        desk.auth.unlock(clerk, "wrong-1")
    with pytest.raises(AuthenticationFailed, match="Wrong password"):
        desk.auth.change_own_password(clerk, "wrong-2", "a-new-password")
    spec = FormSpec("公司", "表", "T-1", clock.now())
    spec.signatures([("clerk", "经办人")])
    rendered = render_form(spec)
    pdf = signing.prepare_fields(rendered.pdf, rendered.slots)
    with pytest.raises(AuthenticationFailed, match="Wrong password"):
        desk.keys.sign_pdf(clerk, pdf, "clerk", "wrong-3", None, "经办人")
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.actor == "clerk1")
               .order_by(AuditEntry.seq)]
    assert actions[-3:] == ["auth.unlock_failed", "auth.password_change_failed", "auth.sign_failed"]
    assert User.get(User.name == "clerk1").failed_logins == 3
    with pytest.raises(AuthenticationFailed):
        desk.auth.login("clerk1", "wrong-4")  # the fourth failure of any kind pauses sign-in
    assert User.get(User.name == "clerk1").locked_until is not None
    with pytest.raises(AuthenticationFailed):
        desk.keys.sign_pdf(clerk, pdf, "clerk", PASSWORD, None, "经办人")  # paused for signing too
    clock.advance(minutes=2)
    assert desk.keys.sign_pdf(clerk, pdf, "clerk", PASSWORD, None, "经办人").startswith(b"%PDF")
    assert User.get(User.name == "clerk1").failed_logins == 0
    cleared = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert cleared.action == "auth.failures_cleared"
    entries = AuditEntry.select().count()
    desk.keys.sign_pdf(clerk, pdf, "clerk", PASSWORD, None, "经办人")  # nothing to clear
    assert AuditEntry.select().count() == entries
    assert desk.auth.unlock(clerk, PASSWORD).name == "clerk1"
    assert AuditEntry.select().order_by(AuditEntry.seq.desc()).first().action == "auth.unlock"


def test_passwords_are_compared_in_nfc(desk, admin):
    """'é' as one code point or as e + combining accent is the same password."""
    import unicodedata

    nfc = "café-crème-1"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    desk.users.add(admin, "clerk1", nfd, "clerk")  # set as NFD …
    assert desk.auth.login("clerk1", nfc).name == "clerk1"  # … typed as NFC
    clerk = desk.auth.login("clerk1", nfd)
    desk.auth.change_own_password(clerk, nfc, nfd + "x")
    assert desk.auth.login("clerk1", nfc + "x").name == "clerk1"


def test_hashes_and_keys_from_before_nfc_still_work(desk, admin):
    """A password stored raw (NFD) before normalisation existed still signs in and signs."""
    import unicodedata

    from argon2 import PasswordHasher

    from desk_app.forms import pki
    from desk_app.services.signing import KeyService

    nfd = unicodedata.normalize("NFD", "café-crème-1")
    clerk = add_user(desk, admin, "clerk1", "clerk")
    user = User.get(User.name == "clerk1")
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1).hash(nfd)
    user.save()
    key = KeyService.current(clerk.user_id)
    key.key_pem = pki.reencrypt(key.key_pem.encode(), PASSWORD, nfd).decode()
    key.save()
    assert desk.auth.login("clerk1", nfd).name == "clerk1"
    desk.keys.check_signing_password(clerk, nfd)
