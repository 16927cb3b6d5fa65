"""The demo's users as actors: each part of the demo acts as the user a person would be."""

from __future__ import annotations

from desk_app.domain.roles import parse_roles
from desk_app.domain.users import Actor
from desk_app.store.models import User


def demo_actor(name: str) -> Actor | None:
    """The active demo user ``name`` as an actor (None when missing or deactivated)."""
    user = User.get_or_none(User.name == name)
    if user is None or not user.active:
        return None
    return Actor(user_id=user.id, name=user.name, roles=parse_roles(user.roles),
                 full_name=user.full_name or "")
