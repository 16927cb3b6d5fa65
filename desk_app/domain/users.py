"""Rules for user names, passwords and sign-in lock-out."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from desk_app.domain import text
from desk_app.domain.errors import ValidationError
from desk_app.domain.roles import Role, permissions_of
from desk_app.i18n import _

_NAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


@dataclass(frozen=True)
class Actor:
    """Who is acting: the signed-in user, or the system for set-up tasks."""

    user_id: int | None
    name: str
    roles: frozenset[Role]
    full_name: str = ""

    @property
    def display_name(self) -> str:
        return self.full_name or self.name

    @property
    def label(self) -> str:
        """"Full name (user name)", or the user name when there is no full name."""
        return f"{self.full_name} ({self.name})" if self.full_name else self.name

    def can(self, permission: str) -> bool:
        return permission in permissions_of(self.roles)


SYSTEM = Actor(user_id=None, name="system", roles=frozenset({Role.ADMIN}))


def normalise_user_name(name: str) -> str:
    name = (name or "").strip().lower()
    if not _NAME.match(name):
        raise ValidationError(
            _(
                "A user name is 2 to 32 characters: letters a-z, digits, dot, dash or "
                "underscore, starting with a letter."
            ),
            field="name",
        )
    return name


def check_new_password(password: str, minimum_length: int) -> None:
    if password is None or len(password) < minimum_length:
        raise ValidationError(
            _("The password must have at least {n} characters.").format(n=minimum_length),
            field="password",
        )
    if password != password.strip():
        raise ValidationError(
            _("The password must not start or end with a space."), field="password"
        )


def check_full_name(full_name: str) -> str:
    return text.line(full_name, "full_name", _("The full name"), 64)


def normalise_password(password: str | None) -> str:
    """Passwords are compared in Unicode NFC: 'é' typed as one code point or as e + accent
    is the same password on every keyboard. (Hashes made before keep working: see
    services.passwords.check_password.)"""
    return unicodedata.normalize("NFC", password or "")


@dataclass(frozen=True)
class LockoutPolicy:
    """Repeated wrong passwords slow guessing down rather than lock a person out for long.

    From the ``threshold``-th consecutive failure on, sign-in pauses: 1 minute, then 2, 4, 8 …
    minutes for each further failure, never longer than ``minutes``. While paused, attempts
    are refused without checking the password and do not lengthen the pause, so someone
    guessing a colleague's name gets at most one guess per pause and the colleague waits at
    most ``minutes``. A correct password after the pause clears the count.
    """

    threshold: int
    minutes: int

    def after_failure(self, failures: int, now: datetime) -> datetime | None:
        """When the account may try again after this many consecutive failures, or None."""
        if self.threshold <= 0 or failures < self.threshold:
            return None
        doublings = min(failures - self.threshold, 20)
        return now + timedelta(minutes=min(self.minutes, 2 ** doublings))
