"""R6 and R7 for the archive: which items and loans an actor sees, and the one audited
action of opening secret or personnel items. Used by the catalogue (services/archive.py),
the loans, the registers and the exports; ``services.archive`` re-exports these names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import peewee

from desk_app.domain import archive as rules
from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.services.personnel_grants import granted_items
from desk_app.store.archive import Item, Loan


def visible_levels(actor: Actor) -> tuple[rules.Level, ...]:
    """The levels ``actor`` sees whole. A grantee sees, on top, the personnel files of their
    live grants: where that matters use ``visible_items`` (items) or ``visible_loans``."""
    return rules.visible_levels(Role.PERSONNEL in actor.roles)


CONFIDENTIAL = (rules.Level.SECRET.value, rules.Level.PERSONNEL.value)


def visible_items(actor: Actor) -> Any:
    """R6, the one rule for items: the personnel role sees every file; anyone else every file
    but personnel files, except those they hold a live grant to (by the clock, asked again on
    every call: a grant that ended or was revoked hides its file at once)."""
    if rules.Level.PERSONNEL in visible_levels(actor):
        return peewee.SQL("1 = 1")
    shown = Item.level != rules.Level.PERSONNEL.value  # the reference index drives the order
    granted = granted_items(actor)
    return (shown | Item.id.in_(granted)) if granted else shown


def _sealed_items(actor: Actor, item: Any = Item) -> Any | None:
    """The personnel files ``actor`` may not see (not granted to them), as a query of
    ``item`` (the model or an alias of it); None when they see every file."""
    if rules.Level.PERSONNEL in visible_levels(actor):
        return None
    sealed = item.select(item.id).where(item.level == rules.Level.PERSONNEL.value)
    granted = granted_items(actor)
    if granted:
        sealed = sealed.where(item.id.not_in(granted))
    return sealed


def sealed_loans(actor: Actor) -> Any | None:
    """The loans ``actor`` may not see (of personnel files not granted to them), or None
    when there are none."""
    sealed = _sealed_items(actor)
    if sealed is None or not sealed.exists():  # one index probe; spares a per-row check
        return None
    return Loan.item.in_(sealed)


def visible_loans(actor: Actor, per_row: bool = False) -> Any:
    """R6 for loan rows, registers and exports: loans of personnel files are as invisible as
    the files. (Personnel files are few: a page checks a small set per row it shows.)

    ``per_row``: each row's own file is looked up (NOT EXISTS, one key lookup a row) instead
    of the list of sealed files being built first: for a page of 200 loans read in an index's
    order that is ~0.6 ms instead of ~5 at scale 100 (issue 17). A whole register or a count
    reads most rows, where the list is cheaper: they keep it."""
    if not per_row:
        hidden = sealed_loans(actor)
        return peewee.SQL("1 = 1") if hidden is None else ~hidden
    own = Item.alias("sealed_item")
    sealed = _sealed_items(actor, own)
    if sealed is None or not sealed.exists():
        return peewee.SQL("1 = 1")
    return ~peewee.fn.EXISTS(sealed.where(own.id == Loan.item))


def record_secret_views(service: Service, actor: Actor, items: Iterable[tuple[int, str, str]],
                        via: str) -> None:
    """R7: showing the details of secret or personnel items — (id, ref, level) — is one
    audited action, however many items one opening shows (a label sheet, a loan slip)."""
    secret = [(item_id, ref) for item_id, ref, level in items if level in CONFIDENTIAL]
    if not secret:
        return
    with service.write() as tx:
        tx.audit(actor, "item.view_secret", "item", secret[0][0] if len(secret) == 1 else None,
                 after={"refs": [ref for _id, ref in secret], "via": via})
