"""Password hashing with argon2id, and the one gate every password check goes through.

Sign-in, unlocking an idle session, changing one's own password and signing a form all ask
``PasswordGate.check``: each failure counts towards the lock-out (domain.users.LockoutPolicy)
and is audited, whatever the purpose; the count is read and written under a row lock, so
parallel guesses from several desks are counted one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from desk_app.domain.errors import AuthenticationFailed
from desk_app.domain.text import lookup
from desk_app.domain.users import LockoutPolicy, normalise_password
from desk_app.i18n import _
from desk_app.services.base import Service, Transaction
from desk_app.services.settings import SettingsService
from desk_app.store.db import is_postgresql
from desk_app.store.models import User

# OWASP's minimum argon2id profile: about 20 ms here, so sign-in feels instant.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
PURPOSES = ("login", "unlock", "password_change", "sign")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Compared against when the user is unknown, so timing does not reveal valid names
    (made on first use: hashing costs ~40 ms that start-up need not pay)."""
    return _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(normalise_password(password))


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(stored_hash: str | None, password: str) -> bool:
    """NFC first; a hash made before passwords were normalised may hold the raw text."""
    normal = normalise_password(password)
    if stored_hash is None:
        _verify(_dummy_hash(), normal)
        return False
    return _verify(stored_hash, normal) or (normal != (password or "")
                                            and _verify(stored_hash, password or ""))


def refused(purpose: str = "login") -> AuthenticationFailed:
    """One message for every refused password: it does not tell whether the account exists,
    is deactivated or is pausing after repeated failures. Inside a session the user is known."""
    if purpose == "login":
        return AuthenticationFailed(
            _("Unknown user or wrong password. After repeated failures, wait a few minutes."))
    return AuthenticationFailed(_("Wrong password. After repeated failures, wait a few minutes."))


class PasswordGate(Service):
    settings: SettingsService

    def policy(self) -> LockoutPolicy:
        settings = self.settings
        return LockoutPolicy(threshold=int(settings.value("lockout_threshold")),
                             minutes=int(settings.value("lockout_minutes")))

    def _row(self, name: str) -> User | None:
        query = User.select().where(User.name == name)
        if is_postgresql(self.ctx.db):
            query = query.for_update()  # SQLite: BEGIN IMMEDIATE already serialises writers
        return query.first()

    def check(self, name: str, password: str, purpose: str,
              on_success: Callable[[Transaction, User], Any] | None = None) -> Any:
        """Check ``name``'s password in a transaction of its own.

        A failure is counted and audited (``auth.<purpose>_failed``) and committed before
        AuthenticationFailed is raised. On success ``on_success(tx, user)`` runs in the same
        transaction and records the use case's own audit entry; without it the gate writes
        only if earlier failures are cleared.
        """
        assert purpose in PURPOSES, purpose
        assert not self.ctx.db.in_transaction(), "a failed check must commit on its own"
        name = lookup(name).strip().lower()  # a control character finds nobody
        failed = False
        result = None
        with self.write() as tx:
            user = self._row(name)
            reason = None
            if user is None or not user.active:
                check_password(None, password)  # same time as a real check
                reason = "unknown" if user is None else "inactive"
            elif user.locked_until and user.locked_until > tx.at:
                reason = "paused"  # not checked: no guessing while paused
            elif not check_password(user.password_hash, password):
                user.failed_logins += 1
                user.locked_until = self.policy().after_failure(user.failed_logins, tx.at)
                user.save()
                reason = "locked_out" if user.locked_until else "password"
            if reason is not None:
                failed = True
                after: dict[str, Any] = {"reason": reason, "purpose": purpose}
                if user is not None and reason in ("password", "locked_out"):
                    after["failures"] = user.failed_logins
                tx.audit(name[:32] or "?", f"auth.{purpose}_failed", "user",
                         user.id if user else None, after=after)
            else:
                assert user is not None
                earlier = user.failed_logins
                if earlier or user.locked_until:
                    user.failed_logins, user.locked_until = 0, None
                    user.save()
                if on_success is not None:
                    result = on_success(tx, user)
                elif earlier:
                    tx.audit(name, "auth.failures_cleared", "user", user.id,
                             after={"purpose": purpose, "failures": earlier})
                else:
                    tx.unchanged()
        if failed:
            raise refused(purpose)
        return result
