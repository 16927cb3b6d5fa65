"""Users and roles: add, list, change roles, reset passwords, deactivate (never delete)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.pinyin import name_sort_key as sort_key
from desk_app.domain.roles import Permission, Role, format_roles, parse_roles
from desk_app.domain.users import (
    SYSTEM,
    Actor,
    check_full_name,
    check_new_password,
    normalise_user_name,
)
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.keyring import CA, PERSONNEL, Keyring
from desk_app.services.passwords import hash_password
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store.db import is_postgresql
from desk_app.store.models import User


@dataclass(frozen=True)
class UserView:
    id: int
    name: str
    full_name: str
    roles: frozenset[Role]
    active: bool
    locked_until: datetime | None  # only while sign-in is paused (see LockoutPolicy)
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "full_name": self.full_name,
            "roles": sorted(role.value for role in self.roles),
            "active": self.active,
            "locked_until": self.locked_until,
            "created_at": self.created_at,
        }


def view_of(user: User, now: datetime | None = None) -> UserView:
    """``now`` given: a pause that has ended is not shown as one."""
    paused = user.locked_until if user.locked_until and (now is None or user.locked_until > now) \
        else None
    return UserView(
        id=user.id, name=user.name, full_name=user.full_name,
        roles=parse_roles(user.roles), active=user.active,
        locked_until=paused, created_at=user.created_at,
    )


def snapshot(user: User) -> dict[str, Any]:
    """What the audit trail records of a user (never the password hash)."""
    return {"name": user.name, "full_name": user.full_name, "roles": user.roles,
            "active": user.active}


class UserService(Service):
    settings: SettingsService
    keys: KeyService
    keyring: Keyring

    def _min_length(self) -> int:
        return int(self.settings.value("min_password_length"))

    def add(self, actor: Actor, name: str, password: str, roles: str | list[str],
            full_name: str = "") -> UserView:
        self.require(actor, Permission.USERS_MANAGE)
        return self._create(actor, name, password, roles, full_name, "user.add")

    def create_first_admin(self, name: str, password: str, full_name: str = "") -> UserView:
        """Set-up only: the first account of an empty database."""
        if User.select().exists():
            raise Conflict(_("This database already has users; sign in as an administrator."))
        return self._create(SYSTEM, name, password, [Role.ADMIN.value], full_name, "user.first_admin")

    def _create(self, actor: Actor, name: str, password: str, roles: str | list[str],
                full_name: str, action: str) -> UserView:
        name = normalise_user_name(name)
        role_set = parse_roles(roles)
        full_name = check_full_name(full_name)
        check_new_password(password, self._min_length())
        password_hash = hash_password(password)
        with self.write() as tx:
            if User.select().where(User.name == name).exists():
                raise Conflict(_("A user named {name} exists already.").format(name=name))
            user = User.create(
                name=name, full_name=full_name, roles=format_roles(role_set),
                password_hash=password_hash, created_at=tx.at, updated_at=tx.at,
            )
            key = self.keys.issue(user, password, tx.at, actor)  # sealed with NFC
            tx.audit(actor, action, "user", user.id, after={**snapshot(user), "key": key.serial})
        return view_of(user)

    def list(self, actor: Actor, include_inactive: bool = True) -> builtins.list[UserView]:
        """Every user, by full name in pinyin order (R1: 陈静, 李强, 王芳, 张伟 — what people
        pickers show); users are few, so sorted here rather than by a stored key."""
        self.require(actor, Permission.USERS_VIEW)
        query = User.select().order_by(User.name)
        if not include_inactive:
            query = query.where(User.active == True)  # noqa: E712 (peewee expression)
        now = self.ctx.clock.now()
        views = [view_of(user, now) for user in query]
        return sorted(views, key=lambda view: (sort_key(view.full_name or view.name), view.name))

    def count(self, actor: Actor) -> int:
        self.require(actor, Permission.USERS_VIEW)
        return User.select().count()

    def page(self, actor: Actor, offset: int, limit: int) -> builtins.list[UserView]:
        self.require(actor, Permission.USERS_VIEW)
        query = User.select().order_by(User.name).offset(offset).limit(limit)
        now = self.ctx.clock.now()
        return [view_of(user, now) for user in query]

    def get(self, actor: Actor, name: str) -> UserView:
        self.require(actor, Permission.USERS_VIEW)
        return view_of(self._find(name), self.ctx.clock.now())

    def set_roles(self, actor: Actor, name: str, roles: str | builtins.list[str]) -> UserView:
        self.require(actor, Permission.USERS_MANAGE)
        role_set = parse_roles(roles)
        with self.write() as tx:
            user = self._find(name)
            before = snapshot(user)
            if Role.ADMIN not in role_set:
                self._keep_an_admin(user)
            was_admin = Role.ADMIN in parse_roles(user.roles)
            user.roles, user.updated_at = format_roles(role_set), tx.at
            user.save()
            # The CA's secret follows the admin role (docs/security.md: a former admin may
            # have copied it while holding it; rotating the CA is not built).
            if Role.ADMIN in role_set and not was_admin and user.active:
                self.keys.seal_ca_for(user, tx.at, actor)
            elif Role.ADMIN not in role_set:
                self.keyring.drop(user.id, CA)
            if Role.PERSONNEL not in role_set:  # given back, the role alone opens nothing
                self.keyring.drop(user.id, PERSONNEL)
            tx.audit(actor, "user.roles", "user", user.id, before=before, after=snapshot(user))
        return view_of(user)

    def reset_password(self, actor: Actor, name: str, password: str) -> UserView:
        """An admin sets a new password; this also lifts a lock-out."""
        self.require(actor, Permission.USERS_MANAGE)
        check_new_password(password, self._min_length())
        password_hash = hash_password(password)
        with self.write() as tx:
            user = self._find(name)
            user.password_hash, user.failed_logins, user.locked_until = password_hash, 0, None
            user.updated_at = tx.at
            user.save()
            # The old private key is sealed with a password nobody may know any more: a new
            # key and certificate; signatures made with the old one stay valid.
            key = self.keys.issue(user, password, tx.at, actor)
            tx.audit(actor, "user.password_reset", "user", user.id,
                     after={"name": user.name, "key": key.serial})
        return view_of(user)

    def set_active(self, actor: Actor, name: str, active: bool) -> UserView:
        self.require(actor, Permission.USERS_MANAGE)
        with self.write() as tx:
            user = self._find(name)
            if not active:
                if actor.user_id == user.id:
                    raise ValidationError(_("You cannot deactivate yourself."), field="name")
                self._keep_an_admin(user)
            before = snapshot(user)
            user.active, user.updated_at = active, tx.at
            user.save()
            action = "user.reactivate" if active else "user.deactivate"
            after = snapshot(user)
            if not active:
                # A deactivated user's key is revoked: whoever holds it and its password can
                # no longer make a signature that verifies. Reactivated, the user gets a new
                # key with the next password an administrator sets.
                after["revoked_keys"] = self.keys.retire(user, tx.at)
            tx.audit(actor, action, "user", user.id, before=before, after=after)
        return view_of(user)

    def _find(self, name: str) -> User:
        user = User.get_or_none(User.name == (name or "").strip().lower())
        if user is None:
            raise NotFound(_("No user named {name}.").format(name=name))
        return user

    def _keep_an_admin(self, user: User) -> None:
        """Refuse a change that would leave no active administrator — also when two admins
        demote each other at two desks at once: on PostgreSQL every admin row is locked
        first, so the second change sees the first (SQLite: one writer at a time)."""
        if Role.ADMIN.value not in user.roles.split(",") or not user.active:
            return
        admins = User.select(User.id).where(User.roles.contains("admin"))
        if is_postgresql(self.ctx.db):
            list(admins.order_by(User.id).for_update())
        others = User.select().where(
            (User.id != user.id) & (User.active == True) & (User.roles.contains("admin"))  # noqa: E712
        )
        if not any(Role.ADMIN in parse_roles(other.roles) for other in others):
            raise ValidationError(_("The last active administrator must stay."), field="roles")
