"""The staff list (users, each with a signing key sealed with the initial password) and the
list of outside borrowers."""

from __future__ import annotations

import re
from typing import Any

from desk_app.domain import pinyin, text
from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import clean_free_text, clean_text
from desk_app.domain.roles import Role, format_roles, parse_roles
from desk_app.domain.users import check_full_name, normalise_user_name
from desk_app.i18n import _
from desk_app.services.borrowers import BorrowerInput, check_borrower, pinyin_keys
from desk_app.services.imports.codes import departments
from desk_app.services.imports.job import Importer, Job, Row
from desk_app.services.passwords import hash_password
from desk_app.services.users import snapshot
from desk_app.store.archive import Borrower, tuples
from desk_app.store.documents import StaffDepartment
from desk_app.store.models import User

# How staff lists name roles: the role's own name, its English label, or the office's words.
_ROLE_WORDS = {
    "文员": Role.CLERK, "前台": Role.CLERK, "办事员": Role.CLERK, "辦事員": Role.CLERK,
    "档案员": Role.CLERK, "檔案員": Role.CLERK, "主管": Role.SUPERVISOR, "组长": Role.SUPERVISOR,
    "經理": Role.MANAGER, "经理": Role.MANAGER, "总经理": Role.MANAGER, "總經理": Role.MANAGER,
    "审计": Role.AUDITOR, "審計": Role.AUDITOR, "管理员": Role.ADMIN, "管理員": Role.ADMIN,
    "人事": Role.PERSONNEL, "人事专员": Role.PERSONNEL, "人事專員": Role.PERSONNEL,
}
_ROLE_SPLIT = re.compile(r"[,，、;；/|]+")


def parse_role_cell(value: object) -> frozenset[Role]:
    """``clerk, supervisor``, ``文员、主管`` or the roles' labels; empty: clerk."""
    words = [word.strip() for word in _ROLE_SPLIT.split(clean_text(value)) if word.strip()]
    if not words:
        return frozenset({Role.CLERK})
    labels = {str(role.label).lower(): role for role in Role}
    labels.update({_(role.label).lower(): role for role in Role})
    known = [_ROLE_WORDS.get(word) or labels.get(word.lower()) for word in words]
    if all(known):
        return frozenset(role for role in known if role is not None)
    return parse_roles(words)  # says which role is unknown


class UserImporter(Importer):
    """One user per row. A user's key is issued with the initial password (KeyService.issue),
    as ``UserService.add`` does; staff lists are short, so rows are written one by one."""

    def __init__(self, job: Job, keys: Any, password: str) -> None:
        super().__init__(job)
        self.keys, self.password = keys, password
        self.depts = departments(job)
        self.names = {name for (name,) in tuples(User.select(User.name))}
        self.first_row: dict[str, int] = {}
        self.pending: list[tuple[int, str, str, frozenset[Role], int | None]] = []

    def add(self, row: Row) -> None:
        full_name = row.take("full_name", lambda v: text.required(
            check_full_name(clean_free_text(v)), "full_name", _("Give the person's name.")), "")
        given = row.text("name")
        name = row.take("name", normalise_user_name, "") if given else self._name_for(full_name)
        roles = row.take("roles", parse_role_cell, frozenset({Role.CLERK}))
        dept = row.take("dept", self.depts.find, None) if row.text("dept") else None
        if not row.ok or not name:
            return
        if name in self.names:
            row.fail("name" if given else "full_name",
                     _("A user named {name} exists already.").format(name=name), name)
            return
        first = self.first_row.setdefault(name, row.number)
        if first != row.number:  # the later row is the error, as for references
            row.fail("name" if given else "full_name", _(
                "The user name {name} repeats row {row}.").format(name=name, row=first), name)
            return
        self.pending.append((row.number, name, full_name, roles, dept))

    def _name_for(self, full_name: str) -> str:
        """A user name from the full name's pinyin (张伟 → zhangwei, zhangwei2 …)."""
        base = re.sub(r"[^a-z0-9]", "", pinyin.search_key(full_name).split(" ")[0].lower())
        if not base or not base[0].isalpha():
            base = "user" + base
        base = base[:30]
        name, number = base, 1
        while name in self.names or name in self.first_row:
            number += 1
            name = f"{base}{number}"
        return name

    def finish(self) -> None:
        self.imported = len(self.pending)
        if self.job.dry:
            return
        at, actor = self.job.at, self.job.actor
        for _row, name, full_name, roles, dept in self.pending:
            user = User.create(name=name, full_name=full_name, roles=format_roles(roles),
                               password_hash=hash_password(self.password), created_at=at,
                               updated_at=at)
            self.keys.issue(user, self.password, at, actor)
            if dept is not None:
                StaffDepartment.create(user=user.id, dept=dept)
            self.job.created("user", snapshot(user)["name"])


class BorrowerImporter(Importer):
    """Outside borrowers, by the typed rules (a name and contact details); one already
    registered with the same name and contact is skipped, not doubled."""

    def __init__(self, job: Job) -> None:
        super().__init__(job)
        self.seen: set[tuple[str, str]] = set()
        self.pending: list[tuple[str, str, str]] = []

    def add(self, row: Row) -> None:
        given = BorrowerInput(name=clean_free_text(row.raw("name")), contact=row.text("contact"),
                              organisation=clean_free_text(row.raw("organisation")))
        try:
            check_borrower(given)
        except ValidationError as error:
            fields = {"borrower": "name", "org": "organisation"}
            row.fail(fields.get(error.field or "", error.field or "name"), str(error))
            return
        # As check_borrower read them (it raised on anything these would refuse).
        name = text.line(given.name, "name", _("The name"), 64)
        contact = text.line(given.contact, "contact", _("The contact"), 120)
        if (name, contact) in self.seen:
            return
        self.seen.add((name, contact))
        self.pending.append(
            (name, contact, text.line(given.organisation, "org", _("The organisation"), 120)))

    def finish(self) -> None:
        known = _registered(self.pending)
        new = [entry for entry in self.pending if entry[:2] not in known]
        self.imported = len(new)
        if self.job.dry:
            return
        for name, contact, organisation in new:
            Borrower.create(name=name, contact=contact, organisation=organisation,
                            created_at=self.job.at, **pinyin_keys(name))


def _registered(people: list[tuple[str, str, str]]) -> set[tuple[str, str]]:
    names = sorted({name for name, _contact, _org in people})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(names), 500):
        query = Borrower.select(Borrower.name, Borrower.contact).where(
            Borrower.user.is_null() & Borrower.name.in_(names[start:start + 500]))
        found.update(tuples(query))
    return found


