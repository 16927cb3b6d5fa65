"""The due-for-review list at office scale (issue 12: first page under 200 ms at demo scale
100, 500,000 files). Same database and method as ``test_archive_perf``: the service's time
next to the very SELECTs it ran, replayed raw. Figures only; no thresholds are asserted."""

from __future__ import annotations

from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.services.retention import DestructionFilter
from desk_app.store.models import User
from tests.perf.test_archive_perf import Bench, big_desk  # noqa: F401 - the shared fixture


def test_due_for_review_figures(big_desk):  # noqa: F811
    clerk_row = User.get(User.name == "wangfang")
    clerk = Actor(user_id=clerk_row.id, name=clerk_row.name, roles=frozenset({Role.CLERK}))
    bench = Bench(big_desk)
    retention = big_desk.retention
    due = retention.due_count(clerk)
    print(f"\nfiles due for review: {due}")
    bench.measure("due for review first paint (count+page)",
                  lambda: (retention.due_count(clerk), retention.due_page(clerk, 0, 100)))
    bench.measure("due for review first page only", lambda: retention.due_page(clerk, 0, 100))
    bench.measure("due for review page in the middle",
                  lambda: retention.due_page(clerk, max(0, due // 2), 100))
    bench.measure("destruction lists first page",
                  lambda: (retention.count(clerk, DestructionFilter()),
                           retention.page(clerk, DestructionFilter(), 0, 100)))
