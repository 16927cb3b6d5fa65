"""Signing in, lock-out after repeated failures, unlocking an idle session, own password."""

from __future__ import annotations

from datetime import datetime

from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import AuthenticationFailed
from desk_app.domain.roles import parse_roles
from desk_app.domain.users import Actor, LockoutPolicy, check_new_password
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.passwords import check_password, hash_password
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store.models import User


class AuthService(Service):
    def _policy(self) -> LockoutPolicy:
        settings = SettingsService(self.ctx)
        return LockoutPolicy(
            threshold=int(settings.value("lockout_threshold")),
            minutes=int(settings.value("lockout_minutes")),
        )

    def login(self, name: str, password: str) -> Actor:
        """The signed-in actor, or AuthenticationFailed. Every attempt is audited."""
        name = (name or "").strip().lower()
        failure: AuthenticationFailed | None = None
        with self.write() as tx:
            user = User.get_or_none(User.name == name)
            password_ok = check_password(user.password_hash if user else None, password or "")
            if user is None:
                failure = AuthenticationFailed(_("Unknown user or wrong password."))
                tx.audit(name or "?", "auth.login_failed", "user", None, after={"reason": "unknown"})
            elif not user.active:
                failure = AuthenticationFailed(_("This account is deactivated."))
                tx.audit(name, "auth.login_failed", "user", user.id, after={"reason": "inactive"})
            elif user.locked_until and user.locked_until > tx.at:
                failure = self._locked(user)
                tx.audit(name, "auth.login_failed", "user", user.id, after={"reason": "locked"})
            elif not password_ok:
                failure = self._record_failure(user, tx.at)
                reason = "locked_out" if user.locked_until else "password"
                tx.audit(name, "auth.login_failed", "user", user.id,
                         after={"reason": reason, "failures": user.failed_logins})
            else:
                user.failed_logins, user.locked_until = 0, None
                user.save()
                tx.audit(name, "auth.login", "user", user.id, after=self._ensure_key(user, password, tx.at))
        if failure is not None:
            raise failure
        assert user is not None
        return Actor(user_id=user.id, name=user.name, roles=parse_roles(user.roles),
                     full_name=user.full_name)

    def _ensure_key(self, user: User, password: str, at: datetime) -> dict | None:
        """Users from before signing keys existed get theirs at sign-in (password known)."""
        keys = KeyService(self.ctx)
        if keys.current(user.id) is not None:
            return None
        return {"key_issued": keys.issue(user, password, at).serial}

    def _record_failure(self, user: User, now) -> AuthenticationFailed:
        user.failed_logins += 1
        user.locked_until = self._policy().after_failure(user.failed_logins, now)
        user.save()
        if user.locked_until:
            return self._locked(user)
        return AuthenticationFailed(_("Unknown user or wrong password."))

    @staticmethod
    def _locked(user: User) -> AuthenticationFailed:
        assert user.locked_until is not None
        return AuthenticationFailed(
            _("Too many failed sign-ins: this account is locked until {time}.").format(
                time=format_datetime(user.locked_until)
            )
        )

    def unlock(self, actor: Actor, password: str) -> Actor:
        """Re-enter the password of an idle-locked session; same rules as signing in."""
        return self.login(actor.name, password)

    def change_own_password(self, actor: Actor, old_password: str, new_password: str) -> None:
        settings = SettingsService(self.ctx)
        check_new_password(new_password, int(settings.value("min_password_length")))
        with self.write() as tx:
            user = User.get_by_id(actor.user_id)
            if not check_password(user.password_hash, old_password or ""):
                raise AuthenticationFailed(_("The current password is wrong."))
            user.password_hash, user.updated_at = hash_password(new_password), tx.at
            user.save()
            KeyService(self.ctx).reencrypt(user, old_password, new_password)
            tx.audit(actor, "user.password_change", "user", user.id)
