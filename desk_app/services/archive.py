"""The archive catalogue (R1): lists, locations, items, finding, scanning."""

from __future__ import annotations

import builtins
import dataclasses
import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import peewee

from desk_app.domain import archive as rules
from desk_app.domain import text
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.pinyin import sort_key
from desk_app.domain.retention import review_on
from desk_app.domain.text import LookupFilter
from desk_app.domain.users import Actor
from desk_app.i18n import _, display_name
from desk_app.services import archive_sql
from desk_app.services.archive_visibility import (  # noqa: F401 (re-exported: R6, R7)
    CONFIDENTIAL,
    record_secret_views,
    sealed_loans,
    visible_items,
    visible_levels,
    visible_loans,
)
from desk_app.services.base import Context, Service
from desk_app.services.personnel import PersonnelService
from desk_app.services.personnel_grants import granted_items
from desk_app.services.settings import SettingsService
from desk_app.store import numbers, search
from desk_app.store.archive import (
    SEALED_TITLE,
    Department,
    Item,
    Kind,
    Loan,
    Location,
    as_date,
    loan_rows,
    raw_rows,
    tuples,
)
from desk_app.store.db import is_postgresql

SEARCH_COUNT_CAP = 10_000
WALK_INDEX_ABOVE = 2_000
SORTS = {
    "ref": (Item.ref,),
    "title": (Item.title_key, Item.ref),  # pinyin order (R1), item.title_key
    "date": (Item.doc_date.desc(nulls="LAST"), Item.ref),
    "kind": (Item.kind, Item.ref),
}


@dataclass(frozen=True)
class ItemFilter(LookupFilter):
    query: str = ""
    kind: str | None = None  # code
    dept: str | None = None  # code
    level: str | None = None
    status: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    available_only: bool = False
    sort: str = "ref"


# A value: not frozen only because a frozen dataclass's __init__ took 7 of the 10 µs a view
# cost, a third of a register page's Python (issue 17).
@dataclass
class ItemView:
    id: int
    ref: str
    title: str
    kind: str
    kind_name: str
    dept: str
    dept_name: str
    doc_date: date | None
    keywords: str
    location: str
    level: str
    retention_years: int | None
    status: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "title": self.title, "kind": self.kind, "dept": self.dept,
                "level": self.level, "status": self.status, "location": self.location,
                "doc_date": self.doc_date.isoformat() if self.doc_date else None,
                "keywords": self.keywords, "retention_years": self.retention_years}


_VIEW_FIELDS = (Item.id, Item.ref, Item.title, Kind.code, Kind.name, Department.code,
                Department.name, Item.doc_date, Item.keywords, Location.path, Item.level,
                Item.retention_years, Item.status)

# Dates as the driver gives them (text on SQLite) to dates: a page has 200, many repeated.
_date = functools.lru_cache(maxsize=4096)(as_date)


def _view(row: tuple) -> ItemView:
    (item_id, ref, title, kind, kind_name, dept, dept_name, doc_date, keywords, location, level,
     retention, status) = row
    return ItemView(item_id, ref, title, kind, display_name(kind_name), dept,
                    display_name(dept_name), _date(doc_date), keywords, location or "", level,
                    retention, status)


def _select(*fields) -> Any:
    return (Item.select(*(fields or _VIEW_FIELDS)).join_from(Item, Kind).join_from(Item, Department)
            .join_from(Item, Location, peewee.JOIN.LEFT_OUTER))


class ArchiveService(Service):
    settings: SettingsService
    personnel: PersonnelService

    def __init__(self, ctx: Context, **needs: Any) -> None:
        super().__init__(ctx, **needs)
        self._last_matches: tuple[str, float, int] = ("", 0.0, 0)

    # ------------------------------------------------------------ lists

    def kinds(self) -> list[tuple[str, str, int]]:
        return [(k.code, display_name(k.name), k.loan_days)
                for k in Kind.select().order_by(Kind.code)]

    def departments(self) -> list[tuple[str, str]]:
        return [(d.code, display_name(d.name)) for d in Department.select().order_by(Department.code)]

    def add_kind(self, actor: Actor, code: str, name: str, loan_days: int = 14) -> None:
        self.require(actor, ArchivePermission.ARCHIVE_EDIT)
        code, name = rules.check_code(code), self._name(name)
        if not 1 <= loan_days <= 365:
            raise ValidationError(_("The loan period is 1 to 365 days."), field="loan_days")
        with self.write() as tx:
            if Kind.select().where(Kind.code == code).exists():
                raise Conflict(_("The kind {code} exists already.").format(code=code))
            kind = Kind.create(code=code, name=name, loan_days=loan_days)
            tx.audit(actor, "kind.add", "kind", kind.id, after={"code": code, "name": name,
                                                               "loan_days": loan_days})

    def add_department(self, actor: Actor, code: str, name: str) -> None:
        self.require(actor, ArchivePermission.ARCHIVE_EDIT)
        code, name = rules.check_code(code), self._name(name)
        with self.write() as tx:
            if Department.select().where(Department.code == code).exists():
                raise Conflict(_("The department {code} exists already.").format(code=code))
            dept = Department.create(code=code, name=name)
            tx.audit(actor, "department.add", "department", dept.id, after={"code": code, "name": name})

    @staticmethod
    def _name(name: str) -> str:
        return text.required(text.line(name, "name", _("The name"), 64), "name",
                             _("Give a name of up to 64 characters."))

    # ------------------------------------------------------------ locations

    def add_location(self, actor: Actor, name: str, parent_path: str | None = None) -> str:
        """A room (no parent), or a cabinet/shelf/box inside ``parent_path``; returns the path."""
        self.require(actor, ArchivePermission.ARCHIVE_EDIT)
        name = self._name(name)
        if "›" in name:
            raise ValidationError(_("A location name cannot contain ›."), field="name")
        with self.write() as tx:
            parent = None
            if parent_path:
                parent = Location.get_or_none(Location.path == parent_path)
                if parent is None:
                    raise NotFound(_("No location {path}.").format(path=parent_path))
            depth = rules.LOCATION_LEVELS.index(parent.level) + 1 if parent else 0
            if depth >= len(rules.LOCATION_LEVELS):
                raise ValidationError(_("A box cannot hold further locations."), field="parent")
            path = f"{parent.path} › {name}" if parent else name
            if Location.select().where(Location.path == path).exists():
                raise Conflict(_("The location {path} exists already.").format(path=path))
            location = Location.create(parent=parent, name=name, level=rules.LOCATION_LEVELS[depth],
                                       path=path)
            tx.audit(actor, "location.add", "location", location.id, after={"path": path})
        return path

    def locations(self) -> list[tuple[str, str]]:
        """(path, level), tree order."""
        return [(loc.path, loc.level) for loc in Location.select().order_by(Location.path)]

    # ------------------------------------------------------------ items

    def add_item(self, actor: Actor, *, title: str, kind: str, dept: str, level: str,
                 ref: str | None = None, doc_date: date | None = None, keywords: str = "",
                 location: str | None = None, retention_years: int | None = None) -> ItemView:
        """Register a file. Personnel files are registered by the personnel officer only (R6),
        in their own reference series (RS-…), which no other file may use."""
        level_value = rules.check_level(level)
        personnel = level_value == rules.Level.PERSONNEL
        if personnel and not actor.can(ArchivePermission.PERSONNEL_REGISTER):
            raise PermissionDenied(_("Only a personnel officer registers personnel files."))
        self.require(actor, ArchivePermission.PERSONNEL_REGISTER if personnel
                     else ArchivePermission.ARCHIVE_EDIT)
        title = rules.check_title(title)
        retention_years = rules.check_retention(retention_years)
        keywords = rules.check_keywords(keywords)
        typed_ref = rules.check_ref_series(rules.check_ref(ref), level_value) if ref else None
        if personnel:
            self.personnel.require_key(actor)  # the first officer makes it (services/personnel)
        with self.write() as tx:
            kind_row = self._kind(kind)
            dept_row = self._dept(dept)
            location_row = self._location(location)
            year = (doc_date or tx.at.date()).year
            final_ref = typed_ref or (self._next_personnel_ref(year) if personnel
                                      else self._next_ref(dept_row.code, kind_row.code, year))
            if Item.select().where(Item.ref == final_ref).exists():
                raise Conflict(_("The reference {ref} exists already.").format(ref=final_ref))
            # A personnel file's row holds placeholders; its title and keywords are sealed.
            stored_title = SEALED_TITLE if personnel else title
            item = Item.create(ref=final_ref, title=stored_title, title_key=sort_key(stored_title),
                               kind=kind_row, dept=dept_row, doc_date=doc_date,
                               keywords="" if personnel else keywords, location=location_row,
                               level=level_value.value, retention_years=retention_years,
                               review_on=review_on(year, retention_years, kind_row.retention_years),
                               status=rules.Status.AVAILABLE.value, created_at=tx.at,
                               created_by=actor.user_id)
            search.upsert([(item.id, search.item_text(final_ref, title, keywords, dept_row.name,
                                                      kind_row.name, item.level))])
            if personnel:  # R6: the audit trail keeps the reference and a digest, no text
                digest = self.personnel.seal_new(actor, item, title, keywords, tx.at)
                tx.audit(actor, "item.add", "item", item.id, after={
                    "ref": final_ref, "level": item.level, "sealed": digest})
            else:
                tx.audit(actor, "item.add", "item", item.id,
                         after=self._snapshot(item, kind_row, dept_row, location_row))
        return self._get_view(actor, item.id)

    @staticmethod
    def _snapshot(item: Item, kind: Kind, dept: Department, location: Location | None) -> dict:
        return {"ref": item.ref, "title": item.title, "kind": kind.code, "dept": dept.code,
                "level": item.level, "doc_date": item.doc_date.isoformat() if item.doc_date else None,
                "location": location.path if location else None, "keywords": item.keywords,
                "retention_years": item.retention_years}

    def _next_ref(self, dept: str, kind: str, year: int) -> str:
        """The next free auto-numbered reference (one counter per prefix, store.numbers);
        a number someone typed by hand meanwhile is skipped, not reused."""
        pattern = str(self.settings.value("ref_pattern"))
        prefix = rules.ref_prefix(pattern, dept, kind, year)
        if rules.is_personnel_ref(prefix):  # e.g. a department coded RS with {dept}-… first
            raise ValidationError(_("This reference pattern would number the file {prefix}…, "
                                    "the series of personnel files: change the pattern.")
                                  .format(prefix=prefix), field="ref")
        return self._draw(prefix, lambda seq: rules.format_ref(pattern, dept, kind, year, seq))

    def _next_personnel_ref(self, year: int) -> str:
        """RS-<year>-0001 …: personnel files are numbered apart from every other file."""
        return self._draw(rules.personnel_prefix(year), lambda seq: rules.personnel_ref(year, seq))

    @staticmethod
    def _draw(prefix: str, make: Any) -> str:
        while True:
            seq = numbers.next_number(rules.ref_series(prefix),
                                      lambda: numbers.highest_suffix(Item, Item.ref, prefix))
            ref = make(seq)
            if not Item.select().where(Item.ref == ref).exists():
                return ref

    @staticmethod
    def _kind(code: str) -> Kind:
        return _by_code(Kind, code, _("Unknown kind {code}."), "kind")

    @staticmethod
    def _dept(code: str) -> Department:
        return _by_code(Department, code, _("Unknown department {code}."), "dept")

    @staticmethod
    def _location(path: str | None) -> Location | None:
        if not path:
            return None
        location = Location.get_or_none(Location.path == path)
        if location is None:
            raise ValidationError(_("No location {path}.").format(path=path), field="location")
        return location

    def _get_view(self, actor: Actor, item_id: int) -> ItemView:
        return self._opened(actor, [_view(tuples(_select().where(Item.id == item_id))[0])])[0]

    def _opened(self, actor: Actor, views: builtins.list[ItemView]) -> builtins.list[ItemView]:
        """Views with the title and keywords of personnel files as ``actor`` may read them:
        opened for an admitted officer, the sealed placeholder for anyone else (R6)."""
        personnel = rules.Level.PERSONNEL.value  # the plain text: the enum's == costs a page 60 µs
        sealed = [(view.id, view.ref) for view in views if view.level == personnel]
        if not sealed:
            return views
        shown = self.personnel.fields(actor, sealed)
        return [dataclasses.replace(view, title=shown[view.id][0], keywords=shown[view.id][1])
                if view.id in shown else view for view in views]

    def get(self, actor: Actor, ref: str, via: str = "show") -> ItemView:
        """One item by reference. Looking at a secret item is itself audited (R7)."""
        (view,) = self.get_many(actor, [ref], via)
        return view

    def get_many(self, actor: Actor, refs: Iterable[str], via: str) -> builtins.list[ItemView]:
        """Items by reference, in the order given; NotFound names the first unknown one.
        The secret ones among them are recorded in one audit entry (R7)."""
        self.require(actor, ArchivePermission.ARCHIVE_VIEW)
        wanted = [(ref or "").strip().upper() for ref in refs]
        found: dict[str, ItemView] = {}
        for chunk in range(0, len(wanted), 500):
            for row in tuples(_select().where(Item.ref.in_(wanted[chunk:chunk + 500])
                                              & visible_items(actor))):
                view = _view(row)
                found[view.ref] = view
        for ref, given in zip(wanted, refs, strict=True):
            if ref not in found:
                raise rules.no_such_item(given)
        views = self._opened(actor, [found[ref] for ref in wanted])
        record_secret_views(self, actor, ((v.id, v.ref, v.level) for v in views), via)
        return views

    def open_item(self, actor: Actor, ref: str) -> tuple[ItemView, builtins.list[dict[str, Any]] | None]:
        """What the detail pane shows when an item is opened: the item and, for those who may
        see loans, its loan history — one audited view of a secret item, not one per repaint."""
        view = self.get(actor, ref, via="detail")
        if not actor.can(ArchivePermission.LOAN_VIEW):
            return view, None
        return view, loan_rows(Loan.item == view.id, 0, 1000)

    def scan(self, actor: Actor, code: str) -> ItemView:
        """What a barcode scanner typed (the reference), to the item."""
        code = (code or "").strip()
        if not code:
            raise ValidationError(_("Nothing was scanned."), field="scan")
        try:
            return self.get(actor, code)
        except NotFound:  # unknown and sealed alike (R6)
            raise NotFound(_("Unknown reference scanned: {code}.").format(code=code)) from None

    # ------------------------------------------------------------ finding
    #
    # The register must paint in well under 200 ms and answer a keystroke in under 50 ms
    # at 500,000 items (tests/perf). Hence: visibility as ``level != 'personnel'`` so the
    # reference index drives the order; counts from indexes alone where possible; search
    # counts capped (the scrollbar of a search needs no exact 75,000); and a deferred join:
    # page through ids first, then read the 200 rows with their kind, department, location.

    def _filtered(self, actor: Actor, flt: ItemFilter, query: Any) -> Any:
        if rules.Level.PERSONNEL not in visible_levels(actor):
            query = query.where(visible_items(actor))
        if flt.query.strip():
            terms = search.terms_for(flt.query)
            if terms.empty:
                return query.where(peewee.SQL("1 = 0"))
            sql, params = search.match_sql(terms)
            found = Item.id.in_(peewee.SQL(f"({sql})", params))
            opened = self.personnel.matching(actor, terms)
            if opened is not None:  # an admitted officer or a grantee: by their words too
                found = (found & (Item.level != rules.Level.PERSONNEL.value)) | Item.id.in_(opened)
            query = query.where(found)
        if flt.kind:
            query = query.where(Item.kind == self._kind(flt.kind))
        if flt.dept:
            query = query.where(Item.dept == self._dept(flt.dept))
        if flt.level:
            query = query.where(Item.level == rules.check_level(flt.level).value)
        if flt.status or flt.available_only:
            query = query.where(Item.status == (flt.status or rules.Status.AVAILABLE.value))
        if flt.year_from:
            query = query.where(Item.doc_date >= date(flt.year_from, 1, 1))
        if flt.year_to:
            query = query.where(Item.doc_date <= date(flt.year_to, 12, 31))
        return query

    @staticmethod
    def _only_query(flt: ItemFilter) -> bool:
        return not (flt.kind or flt.dept or flt.level or flt.status or flt.available_only
                    or flt.year_from or flt.year_to)

    def count(self, actor: Actor, flt: ItemFilter) -> int:
        """Rows in the register. Plain and search-only counts come from indexes; combined
        filters count up to SEARCH_COUNT_CAP."""
        self.require(actor, ArchivePermission.ARCHIVE_VIEW)
        sealed = rules.Level.PERSONNEL not in visible_levels(actor)
        if self._only_query(flt):
            if not flt.query.strip():
                total = Item.select().count()
                hidden = Item.select().where(Item.level == rules.Level.PERSONNEL.value).count()
                return total - hidden + len(granted_items(actor)) if sealed else total
            terms = search.terms_for(flt.query)
            if terms.empty:
                return 0
            matches = self._matches(flt.query)
            opened = self.personnel.matching(actor, terms)  # None: an officer not admitted
            if sealed or opened is not None:  # personnel files: none, or matched by their words
                matches -= search.match_count(terms, sealed=True)
            return matches + len(opened or ())
        if not flt.query.strip() and not is_postgresql(self.ctx.db):
            return int(archive_sql.run_filtered(self.ctx.db, actor, flt, "count",
                                                archive_sql.capped_count,
                                                cap=SEARCH_COUNT_CAP).fetchone()[0])
        capped = self._filtered(actor, flt, Item.select(Item.id)).limit(SEARCH_COUNT_CAP)
        query = Item.select(peewee.fn.COUNT(peewee.SQL("*"))).from_(capped.alias("c"))
        if flt.query.strip() and (flt.dept or flt.kind) and not is_postgresql(self.ctx.db):
            # Words and a department (or kind): walking that department's index and testing
            # each file against the words' matches beats looking up every match (67,000 for
            # 电梯) for its department: 130 instead of 210 ms at scale 100.
            return int(self._indexed(query, flt)[0][0])
        return int(query.scalar())

    def page(self, actor: Actor, flt: ItemFilter, offset: int, limit: int) -> builtins.list[ItemView]:
        self.require(actor, ArchivePermission.ARCHIVE_VIEW)
        if flt.sort not in SORTS:
            raise ValidationError(_("Unknown sort order {sort}.").format(sort=flt.sort), "sort")
        ids = self._page_ids(actor, flt, offset, limit)
        if not ids:
            return []
        rows, kinds, departments = archive_sql.page_rows(self.ctx.db, ids)
        views = {}
        for (item_id, ref, title, kind_id, dept_id, doc_date, keywords, location, level, retention,
             status) in rows:
            kind, kind_name = kinds[kind_id]
            dept, dept_name = departments[dept_id]
            views[item_id] = ItemView(item_id, ref, title, kind, kind_name, dept, dept_name,
                                      _date(doc_date), keywords, location or "", level,
                                      retention, status)
        return self._opened(actor, [views[item_id] for item_id in ids if item_id in views])

    def _matches(self, query: str) -> int:
        """Index matches of a search, remembered for a second: a keystroke asks for the count
        and then the page of the same query."""
        now = time.monotonic()
        cached_query, cached_at, matches = self._last_matches
        if cached_query != query or now - cached_at > 1.0:
            terms = search.terms_for(query)
            matches = 0 if terms.empty else search.match_count(terms)
            self._last_matches = (query, now, matches)
        return matches

    def _page_ids(self, actor: Actor, flt: ItemFilter, offset: int, limit: int) -> builtins.list[int]:
        if not flt.query.strip() and not is_postgresql(self.ctx.db):
            return [row[0] for row in archive_sql.run_filtered(
                self.ctx.db, actor, flt, ("page", flt.sort), lambda query: archive_sql.one_page(
                    query.order_by(*SORTS[flt.sort])), offset=offset, limit=limit)]
        query = self._filtered(actor, flt, Item.select(Item.id)).order_by(*SORTS[flt.sort])
        query = query.offset(offset).limit(limit)
        many_matches = (flt.query.strip() and flt.sort == "ref" and not is_postgresql(self.ctx.db)
                        and self._matches(flt.query) > WALK_INDEX_ABOVE)
        if many_matches:
            # Walking the reference index and testing membership stops after `limit` hits;
            # sorting tens of thousands of matches would not (SQLite picks the sort otherwise).
            # Within one department or kind, its own index in reference order: the whole
            # reference index would first pass every earlier department (1.3 s for ZB).
            return [row[0] for row in self._indexed(query, flt)]
        return [row[0] for row in raw_rows(query)]

    def _indexed(self, query: Any, flt: ItemFilter) -> builtins.list[tuple]:
        """Rows of ``query`` (SQLite) with the items read through the index in reference
        order of the filter's department or kind, or of the whole register."""
        index = "item_dept_ref" if flt.dept else "item_kind_ref" if flt.kind else "item_ref_level"
        sql, params = query.sql()
        sql = sql.replace('FROM "item" AS "t1"', f'FROM "item" AS "t1" INDEXED BY "{index}"', 1)
        return list(self.ctx.db.execute_sql(sql, params).fetchall())

    def history(self, actor: Actor, ref: str) -> builtins.list[dict[str, Any]]:
        """Every loan of one item, newest first."""
        self.require(actor, ArchivePermission.LOAN_VIEW)  # before get(), which may audit (R7)
        item = self.get(actor, ref, via="history")
        return loan_rows(Loan.item == item.id, 0, 1000)


def _by_code(model: Any, code: str, unknown: str, field: str) -> Any:
    """The row of ``model`` (a kind or department) whose code was typed as ``code``;
    a ValidationError on ``field`` saying ``unknown`` (with {code}) if there is none."""
    row = model.get_or_none(model.code == text.lookup(code).strip().upper())
    if row is None:
        raise ValidationError(unknown.format(code=code), field=field)
    return row
