"""Who borrows or asks for access: a staff user, or an outside person with contact details
(R4, R5). The loan desk and access requests find or register the person the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee

from desk_app.domain import text
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.store.archive import Borrower
from desk_app.store.db import is_postgresql
from desk_app.store.models import User


@dataclass(frozen=True)
class BorrowerInput:
    """A staff user by user name, or an external person with contact details."""

    user_name: str | None = None
    name: str = ""
    contact: str = ""
    organisation: str = ""


def find_borrower(given: BorrowerInput) -> Borrower | None:
    """The registered person ``given`` names, without registering anyone (None: unknown)."""
    if given.user_name:
        user = User.get_or_none(User.name == text.lookup(given.user_name).strip().lower())
        return None if user is None else Borrower.get_or_none(Borrower.user == user.id)
    try:
        name, contact, _organisation = _outside(given)
    except ValidationError:
        return None
    return Borrower.get_or_none((Borrower.user.is_null()) & (Borrower.name == name)
                                & (Borrower.contact == contact))


def check_borrower(given: BorrowerInput) -> None:
    """The checks of ``borrower`` that need no transaction (bad input before any write)."""
    if not given.user_name:
        _outside(given)


def _outside(given: BorrowerInput) -> tuple[str, str, str]:
    name = text.required(text.line(given.name, "borrower", _("The name"), 64), "borrower",
                         _("Who borrows? Give a staff user or a name."))
    contact = text.required(text.line(given.contact, "contact", _("The contact"), 120),
                            "contact", _("An outside borrower needs contact details."))
    organisation = text.line(given.organisation, "org", _("The organisation"), 120)
    return name, contact, organisation


def borrower(db: peewee.Database, given: BorrowerInput, at: datetime) -> Borrower:
    """The person ``given`` names, registered on first use. Inside a write transaction."""
    if given.user_name:
        user = User.get_or_none(User.name == text.lookup(given.user_name).strip().lower())
        if user is None or not user.active:
            raise ValidationError(_("No active staff member {name}; an outside borrower "
                                    "needs contact details.").format(name=given.user_name),
                                  field="borrower")
        # Two desks lending to a new staff borrower at once: one row (unique user).
        Borrower.insert(user=user.id, name=user.full_name or user.name,
                        created_at=at).on_conflict_ignore().execute()
        return Borrower.get(Borrower.user == user.id)
    name, contact, organisation = _outside(given)
    if is_postgresql(db):  # two desks registering the same visitor: one row
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))",
                       (f"borrower:{name}\n{contact}",))
    person = Borrower.get_or_none((Borrower.user.is_null()) & (Borrower.name == name)
                                  & (Borrower.contact == contact))
    return person or Borrower.create(name=name, contact=contact, organisation=organisation,
                                     created_at=at)
