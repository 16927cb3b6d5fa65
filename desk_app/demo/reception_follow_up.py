"""Demo data for what the desk owes callers and what the supervisor signs each month
(issue 18): replies promised — one due in minutes (the desk's reminder), one later, earlier
ones kept or broken —, calls transferred and escalated with their targets, and the last two
months' complaint statistics signed with their cause analysis and improvement measures, so
this month's page shows last month's measures beside its figures."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from desk_app.demo.people import demo_actor
from desk_app.store.reception import ComplaintMonth, Visit, VisitHandoff

if TYPE_CHECKING:
    from desk_app.demo.signers import DemoKeys

# (months back, cause analysis, improvement measures)
_MONTHS = (
    (2, "报修类投诉集中在派工单漏派、师傅未按约定时间上门，主要原因是夜班派工交接不清。",
     "夜班派工单纳入交接班清单逐张核对；师傅上门前一小时电话确认。"),
    (1, "派工漏派明显减少；新增的投诉多为噪音扰民，物业未能及时劝阻装修时段违规施工。",
     "装修登记时书面告知施工时段；巡逻岗每晚20:00后巡查装修楼层，违规当场制止并记录。"),
)


def generate_follow_ups(demo: Any, keys: DemoKeys, password: str) -> dict[str, int]:
    """Runs once per database, through the services as the demo's users would."""
    from desk_app.services.reception.complaint_month import ComplaintMonthService
    from desk_app.services.reception.complaints import ComplaintService
    from desk_app.services.reception.follow_up import FollowUpService

    if VisitHandoff.select().exists() or ComplaintMonth.select().exists():
        return {}
    clerk, supervisor = demo_actor("wangfang"), demo_actor("liqiang")
    if clerk is None or supervisor is None:
        return {}
    needs = {"settings": demo.settings, "keys": keys}
    follow_up = FollowUpService(demo.ctx, settings=demo.settings)
    months = ComplaintMonthService(demo.ctx, complaints=ComplaintService(demo.ctx, **needs),
                                   **needs)
    now = demo.ctx.clock.now()
    open_entries = list(Visit.select().where(Visit.resolved_at.is_null())
                        .order_by(Visit.arrived_at).limit(2))
    for entry, minutes in zip(open_entries, (12, 120), strict=False):
        follow_up.promise_reply(clerk, entry.id, now + timedelta(minutes=minutes))
    recent = list(Visit.select().where(Visit.resolved_at.is_null(False))
                  .order_by(Visit.arrived_at.desc()).limit(8))
    with demo.write() as tx:  # earlier promises: history needs past times
        for index, entry in enumerate(recent[:6]):
            late = index % 3 == 2  # one in three broken
            resolved = entry.resolved_at
            assert resolved is not None  # selected so
            promised = resolved + timedelta(minutes=-20 if late else 30)
            (Visit.update(promised_at=promised, promised_by=entry.handler)
             .where(Visit.id == entry.id).execute())
        tx.audit(clerk, "demo.follow_up", "visit", None,
                 after={"promises": min(6, len(recent))})
    handoffs = 0
    for entry, kind, to_user, to_dept in zip(recent[6:] + open_entries[:1],
                                             ("transfer", "escalate", "escalate"),
                                             ("", "liqiang", "zhangwei"),
                                             ("工程部", "", ""), strict=False):
        follow_up.hand_off(clerk, entry.id, kind, to_user, to_dept, "业主要求由负责人答复")
        handoffs += 1
    signed = 0
    for back, analysis, measures in _MONTHS:
        year, month = now.year, now.month - back
        while month < 1:
            year, month = year - 1, month + 12
        months.sign_month(supervisor, year, month, analysis, measures, password)
        signed += 1
    return {"promises": len(open_entries) + min(6, len(recent)), "handoffs": handoffs,
            "signed_months": signed}
