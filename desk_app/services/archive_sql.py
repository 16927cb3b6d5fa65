"""The archive register's statements written once and run many times (issue 17).

A keystroke in the Archive page asks for a page of ids, the rows of those ids and a count.
At 500,000 items SQLite answers a department's first page in under 2 ms; peewee took about
as long again to write the statements. So each statement is built with peewee once per
*shape* — which filters are set, not their values — with markers where the values go, and
only the values change afterwards: the text is peewee's own, so the semantics (and the
query plan) are those of the peewee query built for the values.

Markers: ``peewee.SQL("@name")`` stands for one value, ``peewee.SQL("(@name)")`` for a
parenthesised list of values. Values are passed as the database takes them (``db_value``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import Any

import peewee

from desk_app.domain import archive as rules
from desk_app.domain import text
from desk_app.domain.errors import ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _, display_name
from desk_app.services.archive_visibility import visible_levels
from desk_app.services.personnel_grants import today
from desk_app.store.archive import Department, Item, Kind, Location, PersonnelGrant

_MARKER = r"\(@\w+\)|@\w+"


class Statement:
    """One statement's text with its parameters in order: peewee's own (constants of the
    shape, such as ``'personnel'`` in the visibility clause) or a marker's value."""

    def __init__(self, query: Any, param: str) -> None:
        sql, constants = query.sql()
        pieces = re.split(f"({re.escape(param)}|{_MARKER})", sql)
        self._param = param
        self._texts = pieces[0::2]
        given = iter(constants)
        # (marker name, is a list) or (None, constant), one per placeholder in the text
        self._slots: list[tuple[str | None, Any]] = []
        for token in pieces[1::2]:
            if token == param:
                self._slots.append((None, next(given)))
            elif token.startswith("("):
                self._slots.append((token[2:-1], True))
            else:
                self._slots.append((token[1:], False))
        self._has_lists = any(name is not None and many for name, many in self._slots)
        self._sql = None if self._has_lists else param.join(self._texts)

    def run(self, db: peewee.Database, **values: Any) -> Any:
        """The cursor of the statement run with ``values`` for its markers."""
        params: list[Any] = []
        for name, value in self._slots:
            if name is None:
                params.append(value)
            elif value:  # a list
                params.extend(values[name])
            else:
                params.append(values[name])
        sql = self._sql
        if sql is None:  # a list's placeholders, as many as it has values
            sql = self._texts[0]
            for (name, many), following in zip(self._slots, self._texts[1:], strict=True):
                marks = self._param
                if name is not None and many:
                    marks = "(" + ", ".join([self._param] * len(values[name])) + ")"
                sql += marks + following
        return db.execute_sql(sql, params)


_CACHE: dict[tuple[str, Hashable], Statement] = {}


def statement(db: peewee.Database, shape: Hashable, build: Callable[[], Any]) -> Statement:
    """The statement of ``shape`` for ``db``'s kind of database, built by ``build`` (a
    peewee query with markers) the first time."""
    key = (db.param, shape)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = Statement(build(), db.param)
    return found


def code_id(db: peewee.Database, model: Any, code: str | None, unknown: str,
            field: str) -> int | None:
    """As ``archive._by_code``, the id only (None when no code is given). Asked of the
    database every time (an index probe, some microseconds) rather than remembered: an
    administrator may add or recode a department meanwhile, here or at another desk."""
    if not code:
        return None
    lookup = statement(db, ("code", model.__name__), lambda: model.select(model.id).where(
        model.code == peewee.SQL("@code")))
    row = lookup.run(db, code=text.lookup(code).strip().upper()).fetchone()
    if row is None:
        raise ValidationError(unknown.format(code=code), field=field)
    return int(row[0])


def page_rows(db: peewee.Database, ids: list[int]) -> tuple[list[tuple], dict[int, tuple[str, str]],
                                                            dict[int, tuple[str, str]]]:
    """The rows of the items ``ids`` (id, ref, title, kind id, department id, date, keywords,
    location, level, retention, status) with the kinds and departments by id, (code, name
    as the user reads it). The kinds and departments are a few dozen rows read whole (every
    page: an administrator may rename one): joined, their codes and names were four more
    strings to make per item, 0.3 ms of a department's 2.5 ms first page (issue 17)."""
    rows = statement(db, "rows", lambda: Item.select(
        Item.id, Item.ref, Item.title, Item.kind, Item.dept, Item.doc_date, Item.keywords,
        Location.path, Item.level, Item.retention_years, Item.status).join_from(
            Item, Location, peewee.JOIN.LEFT_OUTER).where(Item.id.in_(peewee.SQL("(@ids)"))))
    found = list(rows.run(db, ids=ids).fetchall())
    names = statement(db, "names", lambda: Kind.select(
        peewee.Value(0), Kind.id, Kind.code, Kind.name).union_all(Department.select(
            peewee.Value(1), Department.id, Department.code, Department.name)))
    kinds: dict[int, tuple[str, str]] = {}
    departments: dict[int, tuple[str, str]] = {}
    for of_department, row_id, code, name in names.run(db).fetchall():
        (departments if of_department else kinds)[row_id] = (code, display_name(name))
    return found, kinds, departments


def run_filtered(db: peewee.Database, actor: Actor, flt: Any, purpose: Hashable,
                 finish: Callable[[Any], Any], **values: Any) -> Any:
    """The cursor of ``ArchiveService._filtered`` for an ItemFilter without search words,
    finished by ``finish`` (ordered and paged, or counted), from the statement of its shape."""
    kind_id = code_id(db, Kind, flt.kind, _("Unknown kind {code}."), "kind")
    dept_id = code_id(db, Department, flt.dept, _("Unknown department {code}."), "dept")
    filters = filter_values(flt, kind_id, dept_id)
    sealed = rules.Level.PERSONNEL not in visible_levels(actor)
    granted = granted_ids(db, actor) if sealed else []
    if granted:
        values["granted"] = granted
    names = tuple(filters)
    written = statement(db, (purpose, names, sealed, bool(granted)), lambda: finish(
        filtered(Item.select(Item.id), names, sealed, bool(granted))))
    return written.run(db, **filters, **values)


def granted_ids(db: peewee.Database, actor: Actor) -> list[int]:
    """``personnel_grants.granted_items`` as a written statement (the same query: live
    grants of ``actor`` to personnel files), asked again on every call like that one."""
    if actor.user_id is None:
        return []
    grants = statement(db, "grants", lambda: (
        PersonnelGrant.select(PersonnelGrant.item).join(Item)
        .where((PersonnelGrant.user == peewee.SQL("@user"))
               & PersonnelGrant.revoked_at.is_null()
               & (PersonnelGrant.until >= peewee.SQL("@day"))
               & (Item.level == rules.Level.PERSONNEL.value))))
    rows = grants.run(db, user=actor.user_id, day=PersonnelGrant.until.db_value(today()))
    return sorted({row[0] for row in rows})


# ---------------------------------------------------------------- the register's filters

FILTERS = ("kind", "dept", "level", "status", "year_from", "year_to")


def filter_values(flt: Any, kind_id: int | None, dept_id: int | None) -> dict[str, Any]:
    """The values of an ItemFilter without search words, by marker, for the filters set
    (as ``ArchiveService._filtered`` applies them)."""
    values: dict[str, Any] = {}
    if flt.kind:
        values["kind"] = kind_id
    if flt.dept:
        values["dept"] = dept_id
    if flt.level:
        values["level"] = rules.check_level(flt.level).value
    if flt.status or flt.available_only:
        values["status"] = flt.status or rules.Status.AVAILABLE.value
    if flt.year_from:
        values["year_from"] = Item.doc_date.db_value(date(flt.year_from, 1, 1))
    if flt.year_to:
        values["year_to"] = Item.doc_date.db_value(date(flt.year_to, 12, 31))
    return values


def filtered(query: Any, names: Sequence[str], sealed: bool, granted: bool) -> Any:
    """``query`` restricted with markers as ``ArchiveService._filtered`` restricts it with
    values: R6 (``visible_items``: personnel files hidden, but those granted) when
    ``sealed``, then each filter of ``names``, in the same order."""
    marker = peewee.SQL
    if sealed:
        shown = Item.level != rules.Level.PERSONNEL.value
        query = query.where((shown | Item.id.in_(marker("(@granted)"))) if granted else shown)
    conditions = {"kind": Item.kind == marker("@kind"), "dept": Item.dept == marker("@dept"),
                  "level": Item.level == marker("@level"),
                  "status": Item.status == marker("@status"),
                  "year_from": Item.doc_date >= marker("@year_from"),
                  "year_to": Item.doc_date <= marker("@year_to")}
    for name in FILTERS:
        if name in names:
            query = query.where(conditions[name])
    return query


def one_page(query: Any) -> Any:
    """``query`` (ordered) from the row ``@offset``, ``@limit`` rows."""
    return query.offset(peewee.SQL("@offset")).limit(peewee.SQL("@limit"))


def capped_count(query: Any) -> Any:
    """The rows of ``query``, counted up to ``@cap``."""
    capped = query.limit(peewee.SQL("@cap"))
    return Item.select(peewee.fn.COUNT(peewee.SQL("*"))).from_(capped.alias("c"))
