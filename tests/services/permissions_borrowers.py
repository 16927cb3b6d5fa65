"""The role × action rows of the borrower lookup, card and register (issue 14), merged into
``tests/services/test_permissions.py``'s tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.services.loans import BorrowerInput
from desk_app.store.archive import LoanSlip

CLERK, SUPERVISOR, MANAGER = Role.CLERK, Role.SUPERVISOR, Role.MANAGER
AUDITOR, ADMIN = Role.AUDITOR, Role.ADMIN

LOAN_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR})
LOAN_DESK = frozenset({CLERK, SUPERVISOR})
REGISTER_EXPORT = frozenset({MANAGER, AUDITOR, ADMIN})

ALLOWED: dict[str, frozenset[Role]] = {
    "BorrowerService.lookup": LOAN_READ,  # lending or reading loans
    "BorrowerService.card": LOAN_READ,
    "BorrowerService.history": LOAN_READ,
    "BorrowerService.edit": LOAN_DESK,  # an outside borrower's contact details, audited
    **{f"BorrowerRegister.{name}": LOAN_READ for name in ("count", "page", "rows")},
    "BorrowerRegister.export_rows": REGISTER_EXPORT,
}

EXPORTS: dict[str, frozenset[Role]] = {"borrowers": REGISTER_EXPORT}
SOURCE_CLASSES = {"BorrowerRegister": "borrowers"}

Call = Callable[[Actor], Any]


def _visitor_key(w: Any) -> str:
    """A fresh outside borrower (lent to, so the row exists) and its key."""
    n = w.n()
    ref = w.item()
    slip = w.desk.loans.lend(w.staff, [ref], BorrowerInput(name=f"访客{n}", contact=f"1{n}"),
                             "查阅")
    return f"borrower:{LoanSlip.get_by_id(slip['id']).borrower_id}"


def _edit(w: Any) -> Call:
    key = _visitor_key(w)
    return lambda a: w.desk.borrowers.edit(a, key, f"新电话{w.n()}", "某公司")


ACTIONS: dict[str, Callable[[Any], Call]] = {
    "BorrowerService.lookup": lambda w: lambda a: w.desk.borrowers.lookup(a, "target"),
    "BorrowerService.card": lambda w: lambda a: w.desk.borrowers.card(a, "user:target"),
    "BorrowerService.history":
        lambda w: lambda a: w.desk.borrowers.history(a, "user:target", 0, 10),
    "BorrowerService.edit": _edit,
}
