"""Signing in, lock-out after repeated failures, unlocking an idle session, own password."""

from __future__ import annotations

from datetime import datetime

from desk_app.domain.errors import PermissionDenied
from desk_app.domain.roles import parse_roles
from desk_app.domain.users import Actor, check_new_password, normalise_password
from desk_app.services.base import Service, Transaction
from desk_app.services.keyring import Keyring
from desk_app.services.passwords import PasswordGate, hash_password
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store.models import User


class AuthService(Service):
    settings: SettingsService
    passwords: PasswordGate
    keys: KeyService
    keyring: Keyring

    def login(self, name: str, password: str) -> Actor:
        """The signed-in actor, or AuthenticationFailed. Every attempt is audited."""

        def signed_in(tx: Transaction, user: User) -> User:
            tx.audit(user.name, "auth.login", "user", user.id,
                     after=self._ensure_key(user, password, tx.at))
            return user

        user = self.passwords.check(name, password, "login", signed_in)
        self.keys.after_sign_in(user, password)
        return Actor(user_id=user.id, name=user.name, roles=parse_roles(user.roles),
                     full_name=user.full_name)

    def _ensure_key(self, user: User, password: str, at: datetime) -> dict | None:
        """Users from before signing keys existed get theirs at sign-in (password known) —
        while the CA can be opened here: in a database from before the CA was sealed, or
        with an administrator signed in on this desk. Otherwise the user is told to ask an
        administrator for a new password (which issues the key)."""
        keys = self.keys
        if keys.current(user.id) is not None:
            return None
        me = Actor(user_id=user.id, name=user.name, roles=parse_roles(user.roles))
        try:
            return {"key_issued": keys.issue(user, normalise_password(password), at, me).serial}
        except PermissionDenied:
            return {"key_missing": True}

    def sign_out(self, actor: Actor) -> None:
        """Forget what this desk held open for ``actor`` (the CA's or the personnel key)."""
        self.keyring.forget(actor.user_id)

    def unlock(self, actor: Actor, password: str) -> Actor:
        """Re-enter the password of an idle-locked session; counted like a sign-in."""

        def unlocked(tx: Transaction, user: User) -> User:
            tx.audit(user.name, "auth.unlock", "user", user.id)
            return user

        user = self.passwords.check(actor.name, password, "unlock", unlocked)
        return Actor(user_id=user.id, name=user.name, roles=parse_roles(user.roles),
                     full_name=user.full_name)

    def change_own_password(self, actor: Actor, old_password: str, new_password: str) -> None:
        settings = self.settings
        check_new_password(new_password, int(settings.value("min_password_length")))

        def change(tx: Transaction, user: User) -> None:
            user.password_hash, user.updated_at = hash_password(new_password), tx.at
            user.save()
            self.keys.reencrypt(user, old_password, normalise_password(new_password))
            tx.audit(actor, "user.password_change", "user", user.id)

        self.passwords.check(actor.name, old_password, "password_change", change)
