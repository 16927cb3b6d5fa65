"""Demo data for retention and destruction (R2, R3): kind defaults, review dates of the demo's
files, files past their retention, a disposal hold, a list waiting for the manager, and one
destruction carried out with its signed record (the demo users sign with the demo password).

Everything goes through ``RetentionService``, as a user would do it, so every step is audited.
"""

from __future__ import annotations

from typing import Any

from desk_app.demo.people import demo_actor
from desk_app.demo.signers import DemoKeys
from desk_app.domain.clock import local_today
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.store.approvals import Destruction
from desk_app.store.archive import Item, Kind, tuples

# Kind code → default retention in years (the others stay permanent).
KIND_YEARS = {"TZ": 10, "HJ": 5, "ZL": 10}



def _service(demo: Any, keys: DemoKeys):
    from desk_app.services.archive import ArchiveService
    from desk_app.services.retention import RetentionService

    archive = ArchiveService(demo.ctx, settings=demo.settings, personnel=demo.personnel)
    return RetentionService(demo.ctx, settings=demo.settings, keys=keys,
                            archive=archive)


def generate_retention(demo: Service, keys: DemoKeys, actor: Actor,
                       password: str) -> dict[str, int]:
    """Runs once per database (not when a destruction list exists already)."""
    from desk_app.services.retention import refresh_review_dates

    if Destruction.select().exists():
        return {}
    retention = _service(demo, keys)
    # The demo's files were inserted in bulk: their own retentions get their review dates.
    # demo/archive.py gives them as it inserts the files (an UPDATE of 400,000 rows here took
    # 15–20 s of ``demo --scale 100``); files it did not make are refreshed here.
    with demo.write() as tx:
        own = Item.retention_years.is_null(False)
        updated = 0
        if Item.select().where(own & Item.review_on.is_null()).exists():
            for (years,) in tuples(Item.select(Item.retention_years).distinct().where(own)):
                updated += refresh_review_dates(Item.retention_years == years, years)
        else:  # each one dated already: what the refresh would have counted
            updated = Item.select().where(own).count()
        tx.audit(actor, "demo.retention", "item", None, after={"review_dates": updated})
    for code, years in KIND_YEARS.items():
        if Kind.get_or_none(Kind.code == code) is not None:
            retention.set_kind_retention(actor, code, years)
    clerk, manager, witness = demo_actor("wangfang"), demo_actor("zhangwei"), demo_actor("zhoumin")
    if clerk is None or manager is None or witness is None:
        return {"review_dates": updated}
    today = local_today(demo.ctx.clock.now())
    due = [ref for (ref,) in tuples(Item.select(Item.ref).where(
        (Item.review_on <= today) & (Item.status == "available") & (Item.level == "public"))
        .order_by(Item.review_on, Item.id).limit(6))]
    if len(due) < 6:
        return {"review_dates": updated}
    retention.hold(clerk, due[3], "物业服务合同纠纷尚在诉讼中，相关函件需保留作证据。")
    done = retention.propose(clerk, due[:3], "已超过保管期限，经鉴定无继续保存价值。")
    retention.decide(manager, done["id"], True, "同意销毁，由档案室按规定监销。", password)
    retention.destroy(clerk, done["id"], witness.name, password, "shredding", password)
    retention.propose(clerk, due[4:6], "已超过保管期限，经鉴定无继续保存价值。")
    return {"review_dates": updated, "destroyed": 3,
            "due": int(Item.select().where((Item.review_on <= today)
                                           & (Item.status != "destroyed")).count())}

