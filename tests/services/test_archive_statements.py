"""Issue 17: the Archive register's page and count for filters without search words run
statements written once per filter shape (services/archive_sql.py). Every shape must find
what the peewee query built for the values finds (``ArchiveService._filtered``, still the
path of searches and of PostgreSQL) and what the items say; codes are looked up afresh (a
department added or recoded at another desk is honoured); R6 holds (personnel files hidden,
granted ones shown while the grant is live)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.services import archive_sql
from desk_app.services.archive import SEARCH_COUNT_CAP, SORTS, ItemFilter
from desk_app.services.personnel_grants import granted_items
from desk_app.store.archive import Department, Item, Kind, raw_rows, tuples
from tests.conftest import PASSWORD, add_user

TODAY = date(2026, 11, 2)  # the clock fixture's local day
FILTERS: dict[str, Any] = {"kind": "HJ", "dept": "GC", "level": "secret", "status": "on_loan",
           "year_from": 2019, "year_to": 2020}


@pytest.fixture
def register(desk, admin):
    """Items across two kinds, two departments, three levels, two statuses and three years
    (and no date), and a personnel file: the actors who read them, the personnel file."""
    actors = {"clerk": add_user(desk, admin, "clerk1", "clerk"),
              "grantee": add_user(desk, admin, "clerk2", "clerk"),
              "officer": add_user(desk, admin, "hr1", "personnel")}
    made = []
    shapes = itertools.product(("HJ", "BG"), ("GC", "KF"), ("public", "internal", "secret"),
                               (2018, 2019, 2020, None))
    for number, (kind, dept, level, year) in enumerate(shapes):
        view = desk.archive.add_item(admin, title=f"File {number}", kind=kind, dept=dept,
                                     level=level, doc_date=date(year, 3, 1 + number % 20)
                                     if year else None)
        made.append(view)
    on_loan = [view.id for view in made[::3]]  # statuses as lending leaves them
    Item.update(status="on_loan").where(Item.id.in_(on_loan)).execute()
    sealed = desk.archive.add_item(desk.auth.login("hr1", PASSWORD), title="Appraisal",
                                   kind="HJ", dept="GC", level="personnel",
                                   doc_date=date(2019, 5, 5))
    return actors, sealed.ref


def peewee_ids(desk, actor, flt: ItemFilter, offset: int, limit: int) -> list[int]:
    query = desk.archive._filtered(actor, flt, Item.select(Item.id)).order_by(*SORTS[flt.sort])
    return [row[0] for row in raw_rows(query.offset(offset).limit(limit))]


def page_ids(desk, actor, flt: ItemFilter, offset: int = 0, limit: int = 200) -> list[int]:
    return [view.id for view in desk.archive.page(actor, flt, offset, limit)]


def every_shape() -> list[ItemFilter]:
    shapes = []
    for chosen in range(len(FILTERS) + 1):
        for names in itertools.combinations(FILTERS, chosen):
            shapes.append(ItemFilter(**{name: FILTERS[name] for name in names}))
    shapes.append(ItemFilter(available_only=True, dept="KF"))
    return shapes


def test_every_shape_finds_what_the_items_say(desk, register):
    actors, _sealed = register
    clerk = actors["clerk"]
    items = {row[0]: row[1:] for row in tuples(Item.select(
        Item.id, Item.ref, Item.kind, Item.dept, Item.level, Item.status, Item.doc_date))}
    codes = {**{("kind", row.id): row.code for row in Kind.select()},
             **{("dept", row.id): row.code for row in Department.select()}}

    def shown(flt: ItemFilter, item: tuple) -> bool:
        _ref, kind, dept, level, status, doc_date = item
        year = doc_date.year if doc_date else None
        return (level != "personnel"
                and (not flt.kind or codes[("kind", kind)] == flt.kind)
                and (not flt.dept or codes[("dept", dept)] == flt.dept)
                and (not flt.level or level == flt.level)
                and (not (flt.status or flt.available_only)
                     or status == (flt.status or "available"))
                and (not flt.year_from or (year is not None and year >= flt.year_from))
                and (not flt.year_to or (year is not None and year <= flt.year_to)))

    nonempty = 0
    for flt in every_shape():
        expected = sorted((item_id for item_id, item in items.items() if shown(flt, item)),
                          key=lambda item_id: items[item_id][0])
        assert page_ids(desk, clerk, flt) == expected, flt
        assert desk.archive.count(clerk, flt) == len(expected), flt
        nonempty += bool(expected)
    assert nonempty > 40  # the shapes are not vacuous


@pytest.mark.parametrize("who", ["clerk", "officer"])
def test_every_shape_sort_and_page_gives_the_ids_of_the_peewee_query(desk, register, who):
    actors, _sealed = register
    actor = actors[who]
    for flt, sort, (offset, limit) in itertools.product(
            every_shape(), SORTS, ((0, 200), (0, 3), (5, 4))):
        flt = ItemFilter(**{**flt.__dict__, "sort": sort})
        assert page_ids(desk, actor, flt, offset, limit) == peewee_ids(
            desk, actor, flt, offset, limit), (who, flt, offset, limit)
    assert desk.archive.count(actor, ItemFilter(dept="GC")) == len(
        peewee_ids(desk, actor, ItemFilter(dept="GC"), 0, SEARCH_COUNT_CAP))


def test_views_of_a_page_are_those_of_get(desk, register):
    actors, _sealed = register
    clerk = actors["clerk"]
    paged = desk.archive.page(clerk, ItemFilter(kind="BG", level="internal"), 0, 200)
    assert paged and paged == desk.archive.get_many(clerk, [view.ref for view in paged], "test")
    assert {view.kind for view in paged} == {"BG"}
    assert {view.dept_name for view in paged} == {"工程部", "客服部"}


def test_a_department_added_or_recoded_meanwhile_is_honoured(desk, admin, register):
    actors, _sealed = register
    clerk = actors["clerk"]
    in_gc = page_ids(desk, clerk, ItemFilter(dept="GC"))
    assert in_gc and desk.archive.count(clerk, ItemFilter(dept="GC")) == len(in_gc)
    desk.archive.add_department(admin, "WY", "物业部")
    assert page_ids(desk, clerk, ItemFilter(dept="WY")) == []
    assert desk.archive.count(clerk, ItemFilter(dept="WY", year_from=2019)) == 0
    added = desk.archive.add_item(admin, title="New", kind="HJ", dept="WY", level="public")
    assert page_ids(desk, clerk, ItemFilter(dept="wy")) == [added.id]
    # recoded at another desk (there is no use case for it yet): the old code is unknown at
    # once, the new one finds the files, and the page shows the new code
    Department.update(code="GX").where(Department.code == "GC").execute()
    with pytest.raises(ValidationError, match="Unknown department GC") as refused:
        desk.archive.page(clerk, ItemFilter(dept="GC"), 0, 200)
    assert refused.value.field == "dept"
    with pytest.raises(ValidationError, match="Unknown department GC"):
        desk.archive.count(clerk, ItemFilter(dept="GC", level="secret"))
    assert page_ids(desk, clerk, ItemFilter(dept="GX")) == in_gc
    assert {view.dept for view in desk.archive.page(clerk, ItemFilter(dept="GX"), 0, 200)} == {
        "GX"}
    with pytest.raises(ValidationError, match="Unknown kind QQ") as refused:
        desk.archive.count(clerk, ItemFilter(kind="QQ"))
    assert refused.value.field == "kind"


def test_a_granted_personnel_file_is_listed_while_the_grant_is_live(desk, clock, register):
    _actors, sealed = register
    officer = desk.auth.login("hr1", PASSWORD)
    in_gc = ItemFilter(dept="GC", year_from=2019, year_to=2019)

    def listed(name: str) -> bool:
        actor = desk.auth.login(name, PASSWORD)
        refs = [view.ref for view in desk.archive.page(actor, in_gc, 0, 200)]
        assert desk.archive.count(actor, in_gc) == len(refs)
        assert archive_sql.granted_ids(desk.ctx.db, actor) == granted_items(actor)
        return sealed in refs

    assert not listed("clerk2") and listed("hr1")
    grant = desk.personnel.grant(officer, sealed, "clerk2", TODAY + timedelta(days=1), "复核")
    assert listed("clerk2") and not listed("clerk1")
    clock.advance(days=2)  # the day after its last day
    assert not listed("clerk2")
    clock.advance(days=-2)
    assert listed("clerk2")
    desk.personnel.revoke_grant(desk.auth.login("hr1", PASSWORD), grant["id"], "done")
    assert not listed("clerk2")
