"""Access approvals at office scale (issue 12): demo scale 100 (500,000 files, 1,000,000
loans) plus 100,000 access requests. Figures only; no thresholds are asserted.

- The approvals register's first page, next to the very SELECTs it ran replayed raw
  (``Bench`` of ``test_archive_perf``).
- What the approval check adds to a lend: lending (and returning) a secret file under a live
  approval against lending a public file, both committed, in the same run.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta

from desk_app.domain.clock import local_today
from desk_app.services.approval_registers import ApprovalFilter
from desk_app.services.loans import BorrowerInput
from desk_app.store.approvals import AccessRequest, AccessRequestItem
from desk_app.store.archive import Borrower, Item
from desk_app.store.models import User
from tests.perf.test_archive_perf import Bench, big_desk  # noqa: F401 - the shared fixture

REQUESTS = 100_000
PREFIX = "SP2019-"  # a year of its own: the current year's running numbers stay untouched


def _fill(desk) -> None:
    """100,000 requests in every state, one to three secret files each (once per database)."""
    have = AccessRequest.select().where(AccessRequest.number.startswith(PREFIX)).count()
    if have >= REQUESTS:
        return
    rng = random.Random(12)
    secret = [i for (i,) in Item.select(Item.id).where(Item.level == "secret").tuples()]
    borrowers = [b for (b,) in Borrower.select(Borrower.id).tuples()]
    clerk = User.get(User.name == "wangfang").id
    manager = User.get(User.name == "zhangwei").id
    now = datetime.now().replace(microsecond=0)
    started = time.perf_counter()
    with desk.ctx.db.atomic():
        for start in range(have, REQUESTS, 5000):
            rows, links = [], []
            for n in range(start, min(REQUESTS, start + 5000)):
                at = now - timedelta(minutes=n * 5)
                status = rng.choice(("approved", "approved", "refused", "revoked", "pending"))
                rows.append({
                    "number": f"{PREFIX}{n + 1:06d}", "borrower": rng.choice(borrowers),
                    "purpose": "性能测试", "access": rng.choice(("read", "copy", "take-out")),
                    "copies": None, "window_from": at.date(),
                    "window_to": at.date() + timedelta(days=rng.randint(0, 30)),
                    "status": status, "requested_by": clerk, "requested_at": at,
                    "decided_by": None if status == "pending" else manager,
                    "decided_at": None if status == "pending" else at + timedelta(hours=1)})
            AccessRequest.insert_many(rows).execute()
            ids = {number: i for number, i in AccessRequest.select(
                AccessRequest.number, AccessRequest.id).where(
                AccessRequest.number.in_([r["number"] for r in rows])).tuples()}
            for row in rows:
                for item in rng.sample(secret, rng.randint(1, 3)):
                    links.append({"request": ids[row["number"]], "item": item})
            AccessRequestItem.insert_many(links).execute()
    print(f"\n{REQUESTS - have} access requests added in {time.perf_counter() - started:.1f} s")


def test_approval_figures(big_desk):  # noqa: F811
    _fill(big_desk)
    clerk = big_desk.auth.login("wangfang", "demo1234")
    manager = big_desk.auth.login("zhangwei", "demo1234")
    bench = Bench(big_desk)
    total = bench.raw.execute("SELECT count(*) FROM access_request").fetchone()[0]
    print(f"\n{total} access requests")
    for view in ("all", "waiting", "expiring", "ended"):
        flt = ApprovalFilter(view=view)
        bench.measure(f"approvals register '{view}' (count+page)",
                      lambda flt=flt: (big_desk.approvals.count(manager, flt),
                                       big_desk.approvals.page(manager, flt, 0, 200)))

    # The same number of lends of secret files (under a live approval) and of public files.
    today = local_today(datetime.now())
    staff = BorrowerInput(user_name="liqiang")
    secret = [ref for (ref,) in bench.raw.execute(
        "SELECT ref FROM item WHERE level='secret' AND status='available' LIMIT 9")]
    public = [ref for (ref,) in bench.raw.execute(
        "SELECT ref FROM item WHERE level='public' AND status='available' LIMIT 9")]
    request = big_desk.approvals.request(clerk, secret, staff, "性能测试", "take-out", today,
                                         today + timedelta(days=10))
    # Approved and signed as at the desk (outside the timed loop: the signature's cost is the
    # signing benchmark's); a lend checks the signed decision (services/approvals).
    big_desk.approvals.decide(manager, request["id"], True, "性能测试", "demo1234")

    def lend_and_return(refs: list[str]) -> list[float]:
        times = []
        for ref in refs:
            started = time.perf_counter()
            big_desk.loans.lend(clerk, [ref], staff, "性能测试", today + timedelta(days=5))
            times.append((time.perf_counter() - started) * 1000)
            big_desk.loans.return_items(clerk, [ref])
        return times

    lend_and_return(public[:1])  # warm up
    public_ms = statistics.median(lend_and_return(public))
    secret_ms = statistics.median(lend_and_return(secret))
    print(f"{'lend a public file, committed':<40} {public_ms:8.1f} ms")
    print(f"{'lend a secret file under an approval':<40} {secret_ms:8.1f} ms   "
          f"ratio {secret_ms / public_ms:5.2f}x   the approval check adds "
          f"{secret_ms - public_ms:+.1f} ms")
    started = time.perf_counter()
    for _ in range(20):
        big_desk.approvals.explain(clerk, secret[:3], staff, False, today + timedelta(days=5))
    print(f"{'explain 3 secret files (lend dialog)':<40} "
          f"{(time.perf_counter() - started) * 1000 / 20:8.1f} ms")
