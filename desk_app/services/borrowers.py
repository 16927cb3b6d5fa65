"""Who borrows or asks for access: a staff user, or an outside person with contact details
(R4, R5). The loan desk and access requests find or register the person the same way.

``BorrowerService`` finds them as a clerk types (Chinese name, pinyin, pinyin initials, user
name, phone), shows a borrower's card (contact, open and overdue loans, history) and edits
an outside borrower's contact details; ``BorrowerRegister`` lists the outside borrowers in
pinyin order. Outside borrowers may be many, so they are matched in SQL on their stored
pinyin key; staff users are few and matched in Python."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

import peewee

from desk_app.domain import pinyin, text
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.clock import local_day_range, local_today
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import N_, _
from desk_app.services.archive import visible_loans
from desk_app.services.base import Service
from desk_app.services.registers import Period, RegisterSource, positional
from desk_app.store.archive import Borrower, Loan, loan_rows, tuples
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
        # Known already (nearly every lend): one read, no write. Two desks lending to a new
        # staff borrower at once: one row (unique user).
        known = Borrower.get_or_none(Borrower.user == user.id)
        if known is not None:
            return known
        shown = user.full_name or user.name
        Borrower.insert(user=user.id, name=shown, created_at=at,
                        **pinyin_keys(shown)).on_conflict_ignore().execute()
        return Borrower.get(Borrower.user == user.id)
    name, contact, organisation = _outside(given)
    same = (Borrower.user.is_null()) & (Borrower.name == name) & (Borrower.contact == contact)
    person = Borrower.get_or_none(same)
    if person is not None:
        return person
    if is_postgresql(db):  # two desks registering the same new visitor: one row
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))",
                       (f"borrower:{name}\n{contact}",))
        person = Borrower.get_or_none(same)  # the other desk may have just registered them
    return person or Borrower.create(name=name, contact=contact, organisation=organisation,
                                     created_at=at, **pinyin_keys(name))


def pinyin_keys(name: str) -> dict[str, str]:
    """The stored pinyin keys of a borrower's name (m0011): lookup and register order."""
    return {"search_key": pinyin.name_search_key(name)[:400],
            "sort_key": pinyin.name_sort_key(name)}


# ---------------------------------------------------------------------- finding and the card

STAFF, OUTSIDE = "staff", "outside"
HISTORY_PAGE = 20
_WILDCARDS = str.maketrans("", "", "%_\\")


@dataclass(frozen=True)
class BorrowerFilter:
    """The outside-borrower register: all of them, or those ``text`` finds."""

    text: str = ""
    since: datetime | None = None  # registered from (exports by period)
    until: datetime | None = None


def _needle(query: str) -> str:
    """What is matched: lower case, no spaces (``zhang wei`` finds ``zhangwei``)."""
    return "".join(text.lookup(query).split()).lower()


def _score(needle: str, *fields: str) -> int:
    """0 exact, 1 a prefix, 2 inside, 3 no match — of the name, its pinyin and initials or
    the other ``fields`` (user name, contact)."""
    best = 3
    keys = [pinyin.name_search_key(fields[0]).split(" ") if fields[0] else []]
    candidates = ["".join(field.split()).lower() for field in fields if field]
    for candidate in [*candidates, *keys[0]]:
        if candidate == needle:
            return 0
        if candidate.startswith(needle):
            best = min(best, 1)
        elif needle in candidate:
            best = min(best, 2)
    return best


def _outside_match(needle: str) -> Any:
    """Outside borrowers ``needle`` finds (SQL): the pinyin key, the name or the contact."""
    bare = needle.translate(_WILDCARDS)
    if not bare:
        return peewee.SQL("1 = 0")
    return (Borrower.search_key.contains(bare) | Borrower.name.contains(bare)
            | Borrower.contact.contains(bare))


class BorrowerService(Service):
    """Find a borrower as the clerk types, show their card, edit an outside borrower."""

    def today(self) -> date:
        return local_today(self.ctx.clock.now())

    @staticmethod
    def _may_look_up(actor: Actor) -> None:
        """Lending or reading loans (a desk that only lends still finds its borrowers)."""
        if not actor.can(ArchivePermission.LOAN_HANDLE):
            Service.require(actor, ArchivePermission.LOAN_VIEW)

    def lookup(self, actor: Actor, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Active staff and remembered outside borrowers ``query`` finds, best first: an exact
        user name or name, then a prefix (of the name, its pinyin, its initials, the user name
        or the phone), then the rest; staff first among equals, then pinyin order."""
        self._may_look_up(actor)
        needle = _needle(query)
        if not needle:
            return []
        found: list[tuple[int, int, str, dict[str, Any]]] = []
        for user in User.select().where(User.active == True):  # noqa: E712 (few rows)
            shown = user.full_name or user.name
            score = _score(needle, shown, user.name)
            if score < 3:
                found.append((score, 0, pinyin.name_sort_key(shown), self._staff(user)))
        outside = (Borrower.select().where(Borrower.user.is_null() & _outside_match(needle))
                   .order_by(Borrower.sort_key, Borrower.id).limit(max(limit, 1) * 5))
        for person in outside:
            score = _score(needle, person.name, person.contact)
            found.append((min(score, 2), 1, person.sort_key, self._outside(person)))
        found.sort(key=lambda entry: entry[:3])
        rows = [entry[3] for entry in found[:limit]]
        self._add_counts(actor, rows)
        return rows

    @staticmethod
    def _staff(user: User, person: Borrower | None = None) -> dict[str, Any]:
        shown = user.full_name or user.name
        return {"key": f"user:{user.name}", "kind": STAFF, "user_name": user.name,
                "name": shown, "contact": person.contact if person else "",
                "organisation": person.organisation if person else "",
                "borrower_id": person.id if person else None, "active": user.active,
                "label": _("{name} ({user}) · staff").format(name=shown, user=user.name)}

    @staticmethod
    def _outside(person: Borrower) -> dict[str, Any]:
        parts = [person.name, person.contact, person.organisation]
        return {"key": f"borrower:{person.id}", "kind": OUTSIDE, "user_name": None,
                "name": person.name, "contact": person.contact,
                "organisation": person.organisation, "borrower_id": person.id, "active": True,
                "label": " · ".join(part for part in parts if part)}

    def _add_counts(self, actor: Actor, rows: list[dict[str, Any]]) -> None:
        """``open_loans``, ``overdue_loans`` and ``last_loan`` of each row: one grouped query
        for staff rows' borrower records and another for the counts."""
        names = [row["user_name"] for row in rows if row["kind"] == STAFF]
        if names:
            ids = dict(tuples(Borrower.select(User.name, Borrower.id).join(User)
                              .where(User.name.in_(names))))
            for row in rows:
                if row["kind"] == STAFF:
                    row["borrower_id"] = ids.get(row["user_name"])
        counts = loan_counts(actor, [row["borrower_id"] for row in rows if row["borrower_id"]],
                             self.today(), self.ctx.clock.now())
        for row in rows:
            open_, overdue, last = counts.get(row["borrower_id"], (0, 0, None))
            row.update(open_loans=open_, overdue_loans=overdue, last_loan=last)

    def _resolve(self, key: str) -> dict[str, Any]:
        """The borrower a key names (``user:NAME`` or ``borrower:ID``), without counts."""
        kind, _sep, value = (key or "").partition(":")
        if kind == "user":
            user = User.get_or_none(User.name == value.strip().lower())
            if user is not None:
                return self._staff(user, Borrower.get_or_none(Borrower.user == user.id))
        elif kind == "borrower" and value.isdigit():
            person = Borrower.get_or_none(Borrower.id == int(value))
            if person is not None and person.user_id is not None:
                return self._staff(User.get_by_id(person.user_id), person)
            if person is not None:
                return self._outside(person)
        raise NotFound(_("No borrower {key}.").format(key=key))

    def card(self, actor: Actor, key: str) -> dict[str, Any]:
        """The borrower card: who, how to reach them, their open and overdue loans and the
        first page of their history (newest first), as far as ``actor`` may see loans (R6)."""
        self.require(actor, ArchivePermission.LOAN_VIEW)
        data = self._resolve(self._key_of_loan(actor, key) if key.startswith("loan:") else key)
        self._add_counts(actor, [data])
        person = data["borrower_id"]
        today = self.today()
        if person is None:
            data.update(open=[], overdue=[], history=[], history_count=0, since=None)
            return data
        mine = (Loan.borrower == person) & visible_loans(actor)
        open_rows = loan_rows(mine & Loan.returned_at.is_null(), 0, 200, today)
        data["open"] = open_rows
        data["overdue"] = [row for row in open_rows if row["days_overdue"] > 0]
        data["history"] = loan_rows(mine, 0, HISTORY_PAGE, today)
        data["history_count"] = Loan.select().where(mine).count()
        data["since"] = Borrower.get_by_id(person).created_at
        return data

    @staticmethod
    def _key_of_loan(actor: Actor, key: str) -> str:
        """``loan:ID`` (the Loans page's selected loan) → its borrower's key; a loan of a
        file ``actor`` may not see is no loan (R6)."""
        value = key.removeprefix("loan:")
        loan = Loan.get_or_none((Loan.id == int(value)) & visible_loans(actor)) \
            if value.isdigit() else None
        if loan is None:
            raise NotFound(_("No loan {id}.").format(id=value))
        return f"borrower:{loan.borrower_id}"

    def history(self, actor: Actor, key: str, offset: int, limit: int = HISTORY_PAGE
                ) -> list[dict[str, Any]]:
        """One page of a borrower's loans, newest first (the card's further pages)."""
        self.require(actor, ArchivePermission.LOAN_VIEW)
        person = self._resolve(key)["borrower_id"]
        if person is None:
            return []
        return loan_rows((Loan.borrower == person) & visible_loans(actor), offset, limit,
                         self.today())

    def edit(self, actor: Actor, key: str, contact: str, organisation: str) -> dict[str, Any]:
        """An outside borrower's new contact details and organisation, audited before/after
        (``borrower.edit``). A staff member's details come from the user list."""
        self.require(actor, ArchivePermission.LOAN_HANDLE)
        contact = text.required(text.line(contact, "contact", _("The contact"), 120),
                                "contact", _("An outside borrower needs contact details."))
        organisation = text.line(organisation, "org", _("The organisation"), 120)
        data = self._resolve(key)
        if data["kind"] != OUTSIDE:
            raise ValidationError(_("A staff member's details are kept in the user list."),
                                  field="contact")
        with self.write() as tx:
            person = self.locked(Borrower.select().where(Borrower.id == data["borrower_id"]),
                                 of=Borrower).get()
            before = {"name": person.name, "contact": person.contact,
                      "organisation": person.organisation}
            if (contact, organisation) == (person.contact, person.organisation):
                tx.unchanged()
                return self._outside(person)
            twin = Borrower.get_or_none(Borrower.user.is_null() & (Borrower.name == person.name)
                                        & (Borrower.contact == contact)
                                        & (Borrower.id != person.id))
            if twin is not None:
                raise Conflict(_("{name} with the contact {contact} is registered already.")
                               .format(name=person.name, contact=contact))
            person.contact, person.organisation = contact, organisation
            person.save()
            tx.audit(actor, "borrower.edit", "borrower", person.id, before=before,
                     after={"name": person.name, "contact": contact,
                            "organisation": organisation})
        return self._outside(person)


def input_for(key: str) -> BorrowerInput:
    """What ``LoanService.lend`` takes for a chosen borrower key (no permission needed: it
    only names the person; lending checks its own)."""
    kind, _sep, value = (key or "").partition(":")
    if kind == "user" and value:
        return BorrowerInput(user_name=value)
    person = Borrower.get_or_none(Borrower.id == int(value)) if (
        kind == "borrower" and value.isdigit()) else None
    if person is None:
        raise ValidationError(_("No borrower {key}.").format(key=key), field="borrower")
    if person.user_id is not None:
        return BorrowerInput(user_name=User.get_by_id(person.user_id).name)
    return BorrowerInput(name=person.name, contact=person.contact,
                         organisation=person.organisation)


def loan_counts(actor: Actor, borrower_ids: Sequence[int], today: date, now: datetime
                ) -> dict[int, tuple[int, int, datetime | None]]:
    """borrower id → (open loans, overdue loans, last lent at), of the loans ``actor`` sees."""
    if not borrower_ids:
        return {}
    overdue = Loan.returned_at.is_null() & ((Loan.due_on < today) | (Loan.due_at < now))
    as_int = functools.partial(peewee.Case, None, default=0)
    query = (Loan.select(Loan.borrower,
                         peewee.fn.SUM(as_int([(Loan.returned_at.is_null(), 1)])),
                         peewee.fn.SUM(as_int([(overdue, 1)])),
                         peewee.fn.MAX(Loan.lent_at))
             .where(Loan.borrower.in_(list(borrower_ids)) & visible_loans(actor))
             .group_by(Loan.borrower))
    return {borrower: (int(open_ or 0), int(late or 0), last)
            for borrower, open_, late, last in tuples(query)}


# ---------------------------------------------------------------------- the register


class BorrowerRegister(RegisterSource):
    """Outside borrowers in pinyin order, with their open and overdue loans and last loan."""

    name = "borrowers"
    title = N_("Outside borrowers")
    view_permission = ArchivePermission.LOAN_VIEW
    export_permission = ArchivePermission.REGISTER_EXPORT
    columns: ClassVar = positional(
        (N_("Name"), 14), (N_("Contact"), 14), (N_("Organisation"), 18),
        (N_("Open loans"), 6), (N_("Overdue"), 6), (N_("Last loan"), 10), first=1)

    def period(self, period: Period) -> BorrowerFilter:
        start, end = local_day_range(period.since, period.until)
        return BorrowerFilter(since=start, until=end)

    @staticmethod
    def _where(flt: BorrowerFilter) -> Any:
        conditions = [Borrower.user.is_null()]
        needle = _needle(flt.text)
        if needle:
            conditions.append(_outside_match(needle))
        if flt.since:
            conditions.append(Borrower.created_at >= flt.since)
        if flt.until:
            conditions.append(Borrower.created_at < flt.until)
        return functools.reduce(operator.and_, conditions)

    def _count(self, actor: Actor, flt: BorrowerFilter) -> int:
        return int(Borrower.select().where(self._where(flt)).count())

    def _select(self, flt: BorrowerFilter) -> Any:
        return (Borrower.select(Borrower.id, Borrower.name, Borrower.contact,
                                Borrower.organisation, Borrower.sort_key)
                .where(self._where(flt)).order_by(Borrower.sort_key, Borrower.id))

    def _with_counts(self, actor: Actor, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        counts = loan_counts(actor, [row[0] for row in rows],
                             local_today(self.ctx.clock.now()), self.ctx.clock.now())
        return [(*row[:4], *counts.get(row[0], (0, 0, None))) for row in rows]

    def _page(self, actor: Actor, flt: BorrowerFilter, offset: int, limit: int
              ) -> Sequence[Any]:
        return self._with_counts(actor, list(self._select(flt).offset(offset).limit(limit)
                                             .tuples()))

    def _rows(self, actor: Actor, flt: BorrowerFilter) -> Iterator[Any]:
        """Every row in pinyin order, keyset on (sort key, id): flat memory, no OFFSET."""
        last: tuple[str, int] | None = None
        while True:
            query = self._select(flt)
            if last is not None:
                query = query.where((Borrower.sort_key > last[0])
                                    | ((Borrower.sort_key == last[0]) & (Borrower.id > last[1])))
            rows = list(query.limit(1000).tuples())
            if not rows:
                return
            yield from self._with_counts(actor, rows)
            last = (rows[-1][4], rows[-1][0])
