"""Demo data for reception: two months of visits and calls, call-backs, complaints and
messages for absent colleagues.

Rows are inserted directly (history needs past times); the whole batch is one transaction with
one audit entry. Times are relative to the standard clock, so the demo always looks current.

A complaint's closed loop (R17) is shown by a handful of complaints in every state, made
through the services as the demo's users would (``generate_complaint_loop``): every step
audited, the decisions signed by the demo supervisor, the customers' forms by the customer (a
generated picture of their handwriting) and the demo clerk.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import peewee

from desk_app.demo.archive import _Writer
from desk_app.demo.people import demo_actor
from desk_app.domain.reception import COMPLAINT_CATEGORIES, Channel, Targets
from desk_app.domain.timeouts import RequestType, Urgency
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.store.reception import CallBack, Complaint, ComplaintProposal, PhoneMessage, Visit

if TYPE_CHECKING:
    from desk_app.demo.signers import DemoKeys

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
_TITLES = ("先生", "女士", "先生", "女士", "小姐", "经理", "师傅")
_COMPANIES = ("", "", "", "顺丰速运", "美团外卖", "华润燃气", "市自来水公司", "长城宽带",
              "绿城园林", "业主委员会")
_REQUESTS = {
    Channel.VISIT: ("办理装修申请", "领取快递", "咨询物业费缴纳", "办理门禁卡", "反映楼道灯不亮",
                    "来访找12栋业主", "送维修配件", "办理车位租赁", "开具缴费证明", "咨询停水通知"),
    Channel.PHONE_IN: ("报修厨房水管漏水", "咨询停车收费标准", "投诉楼上噪音", "询问快递代收",
                       "预约上门维修空调", "咨询电梯维保时间", "反映小区垃圾未清运",
                       "查询物业费欠费", "询问装修时间规定", "反映地下车库积水"),
    Channel.PHONE_OUT: ("回访报修处理结果", "通知停水安排", "催缴物业费", "确认维修上门时间",
                        "回访投诉处理满意度"),
}
# what each request is (002: the reply targets follow the type, shorter when urgent); the
# rest are enquiries. No draw from the generator: the rest of the demo stays the same.
_KINDS = {
    "反映楼道灯不亮": ("technical", "normal"), "开具缴费证明": ("query", "normal"),
    "领取快递": ("other", "normal"), "送维修配件": ("other", "normal"),
    "报修厨房水管漏水": ("technical", "urgent"), "投诉楼上噪音": ("complaint", "normal"),
    "预约上门维修空调": ("technical", "normal"), "反映小区垃圾未清运": ("complaint", "normal"),
    "查询物业费欠费": ("query", "normal"), "反映地下车库积水": ("technical", "urgent"),
    "回访投诉处理满意度": ("complaint", "normal"), "催缴物业费": ("query", "normal"),
}
_RESULTS = ("已登记并派单维修", "已当场解答", "已转工程部处理", "已转交相关部门，约定回复时间",
            "已办理完毕", "已告知办理流程及所需材料", "已通知保洁班组处理")
_COMPLAINTS = {
    "service_attitude": "前台人员接电话态度冷淡",
    "repairs": "报修三天仍未上门维修",
    "cleaning": "楼道垃圾两天未清理",
    "security": "夜间外来人员随意进出",
    "parking": "车位被外来车辆长期占用",
    "fees": "物业费账单金额有误",
    "noise": "楼上夜间装修噪音扰民",
    "greening": "绿化带杂草丛生",
    "facilities": "3号电梯频繁故障",
    "other": "快递柜经常满格无法投递",
}
_DEMO_CLERKS = ("wangfang", "zhoumin")
# category → (cause, what happened), for the older complaints
_CAUSES = {
    "service_attitude": ("staff_conduct", "接待人员未使用规范用语，解释不耐心"),
    "repairs": ("delay", "派工单漏派，维修师傅未按约定时间上门"),
    "cleaning": ("quality", "保洁排班不足，垃圾清运不及时"),
    "security": ("procedure", "门岗未执行访客登记制度"),
    "parking": ("facility", "道闸识别故障，外来车辆未登记即放行"),
    "fees": ("information", "账单系统未更新车位费调整信息"),
    "noise": ("third_party", "业主装修违规施工，劝阻不及时"),
    "greening": ("quality", "绿化养护外包单位未按合同频次养护"),
    "facilities": ("facility", "电梯维保不到位，故障反复"),
    "other": ("expectation", "快递柜容量不足，超出物业服务范围"),
}


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_SURNAMES), rng.choice(_TITLES)


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def generate_reception(service: Service, actor: Actor, rng: random.Random, scale: int = 1) -> int:
    """Add about ``12 * scale`` log entries per day for 60 days, a few open ones, call-backs
    and complaints, in one of ``service``'s write transactions. Returns how many log entries
    were added."""
    now = service.ctx.clock.now()
    settings = getattr(service, "settings", None)
    targets = _thresholds(Targets.from_settings(settings.all()) if settings is not None
                          else Targets())
    visits: list[dict] = []
    per_day = 12 * max(1, scale)
    for day in range(60, 0, -1):
        base = (now - timedelta(days=day)).replace(hour=0, minute=30, second=0, microsecond=0)
        for _n in range(per_day):
            visits.append(_entry(rng, base + timedelta(minutes=rng.randint(0, 9 * 60)),
                                 targets=targets))
    writer = _Writer(service.ctx)
    with service.write() as tx:
        _insert(writer, Visit, visits)
        open_now = [
            _entry(rng, now - timedelta(minutes=minutes), channel=channel, closed=False,
                   targets=targets)
            for minutes, channel in ((42, Channel.VISIT), (18, Channel.VISIT),
                                     (7, Channel.PHONE_IN), (3, Channel.VISIT))
        ]
        _insert(writer, Visit, open_now)
        recent = list(Visit.select().where(Visit.ended_at.is_null(False))
                      .order_by(Visit.arrived_at.desc()).limit(40))
        callbacks = []
        for index, visit in enumerate(recent[:12]):
            due = now + timedelta(hours=rng.randint(-48, 48))
            done = index % 3 != 0 and due < now
            callbacks.append({
                "visit": visit.id, "name": visit.name, "caller_title": visit.caller_title,
                "contact": visit.contact or _phone(rng), "purpose": "回访：" + visit.request,
                "due_at": due, "handler": visit.handler,
                "status": "done" if done else "scheduled",
                "done_at": due + timedelta(minutes=20) if done else None,
                "done_by": visit.handler if done else "",
                "result": "业主表示问题已解决，对处理结果满意" if done else "",
                "satisfaction": rng.choice(("very_satisfied", "satisfied", "neutral"))
                if done else "",
                "created_at": visit.arrived_at, "created_by": visit.handler})
        _insert(writer, CallBack, callbacks)
        complaints = []
        for day in range(60, 0, -1):
            for _n in range(rng.choice((0, 0, 1, 1, 2)) * max(1, scale)):
                category = rng.choice(list(COMPLAINT_CATEGORIES))
                received = (now - timedelta(days=day)).replace(
                    hour=rng.randint(0, 10), minute=rng.randint(0, 59), microsecond=0)
                replied = received + timedelta(hours=rng.choice((2, 5, 12, 20, 30, 50)))
                answered = replied < now - timedelta(hours=1) and rng.random() < 0.9
                surname, title = _name(rng)
                complaints.append({
                    "received_at": received, "category": category, "name": surname + title,
                    "contact": _phone(rng), "description": _COMPLAINTS[category],
                    "handler": rng.choice(_DEMO_CLERKS),
                    "promised_at": received + timedelta(hours=24),
                    "replied_at": replied if answered else None,
                    "replied_by": "zhoumin" if answered else "",
                    "result": "已联系相关部门处理并回复业主" if answered else "",
                    "created_by": rng.choice(_DEMO_CLERKS),
                    # analysed (so a month's table by cause reads like an office's), the
                    # cause following the category: no draw from ``rng``, the rest unchanged
                    "cause": _CAUSES[category][0], "cause_text": _CAUSES[category][1]})
        _insert(writer, Complaint, complaints)
        messages = _messages(now)
        _insert(writer, PhoneMessage, messages)
        tx.audit(actor, "demo.reception", "visit", None,
                 after={"visits": len(visits) + len(open_now), "callbacks": len(callbacks),
                        "complaints": len(complaints), "messages": len(messages)})
    for table in ("visit", "call_back", "complaint"):
        service.ctx.db.execute_sql(f"ANALYZE {table}")  # planner statistics for the new volume
    return len(visits) + len(open_now)


# Messages taken for absent colleagues (issue 18), in every state: (for, taken by, minutes
# ago, caller, contact, message, minutes to confirm or None, chases).
_MESSAGES = (
    ("liqiang", "wangfang", 2 * 24 * 60, "钱女士", "13912345678", "装修押金退还手续已备齐，请回电约时间",
     30, 0),
    ("zhangwei", "zhoumin", 26 * 60, "绿城园林 孙经理", "0571-8888 1234", "下季度绿化养护合同请确认",
     120, 1),
    ("liqiang", "wangfang", 180, "赵先生", "13800001111", "12栋漏水维修进度，请回电", None, 1),
    ("zhangwei", "zhoumin", 40, "业委会 周主任", "13700002222", "业主大会场地安排需要商量", None, 0),
    ("wangfang", "zhoumin", 20, "顺丰速运 刘师傅", "13600003333", "明天上午来取退件，请备好单据",
     None, 0),
)


def _messages(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for for_user, taken_by, ago, caller, contact, text, confirm, chases in _MESSAGES:
        taken = now - timedelta(minutes=ago)
        rows.append({
            "caller": caller, "caller_title": "", "contact": contact, "text": text,
            "for_user": for_user, "taken_at": taken, "taken_by": taken_by,
            "confirmed_at": taken + timedelta(minutes=confirm) if confirm else None,
            "chases": chases, "chased_at": taken + timedelta(minutes=60) if chases else None,
            "chased_by": taken_by if chases else ""})
    return rows


def customer_signature_png(seed: int = 0) -> bytes:
    """A customer's signature as the desk's pad saves it: strokes on a transparent PNG."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGBA", (240, 80), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for start in (12, 92, 164):  # three characters' worth of strokes
        points = [(start + step * 12 + rng.randint(-4, 4), rng.randint(14, 66))
                  for step in range(6)]
        draw.line(points, fill=(20, 20, 60, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def generate_complaint_loop(demo: Any, keys: DemoKeys, password: str) -> dict[str, int]:
    """Complaints in every state of the closed loop, through the services: open with its
    cause analysed (a serious one, on the supervisor's Today); two proposals waiting for the
    supervisor; a proposal sent back to its handler; decided (signed by 李强); refused by the
    customer (waiting for 张伟, the manager); signed by the customer (call-back pending); closed
    by a satisfied call-back; reopened by a dissatisfied one. Runs once per database."""
    from desk_app.services.reception.callbacks import CallBackService
    from desk_app.services.reception.complaint_flow import ComplaintFlowService
    from desk_app.services.reception.complaints import ComplaintService

    if ComplaintProposal.select().exists():
        return {}
    clerk, night_clerk = demo_actor("wangfang"), demo_actor("zhoumin")
    supervisor = demo_actor("liqiang")
    if clerk is None or night_clerk is None or supervisor is None:
        return {}
    needs = {"settings": demo.settings, "keys": keys}
    complaints, flow = ComplaintService(demo.ctx, **needs), ComplaintFlowService(demo.ctx, **needs)
    callbacks = CallBackService(demo.ctx, **needs)

    def analysed(category: str, description: str, customer: str, contact: str, cause: str,
                 cause_text: str, staff: tuple[str, ...], severity: int = 1,
                 handler: Actor = clerk) -> int:
        view = complaints.add_complaint(handler, category, description, customer, contact,
                                        severity=severity)
        flow.analyse(handler, view.id, cause, cause_text, staff)
        return view.id

    def decided(complaint_id: int, proposals: tuple[str, ...], instruction: str) -> None:
        made = [flow.propose(clerk, complaint_id, text) for text in proposals]
        flow.decide(supervisor, complaint_id, made[-1].id, instruction, password)

    def signed(complaint_id: int, channel: str, seed: int) -> int:
        flow.customer_accepts(clerk, complaint_id, password, customer_signature_png(seed),
                              channel=channel)
        return flow.show(clerk, complaint_id).callbacks[-1].id

    # open: the cause written down; serious, so on the supervisor's Today at once
    analysed("security", "夜间门岗无人值守，外来车辆随意进出小区", "陈女士", "13900001111",
             "procedure", "夜班保安交接时离岗二十分钟，未按规定由替班人员顶岗", ("zhoumin",),
             severity=2, handler=night_clerk)
    # proposed: two resolutions waiting for the supervisor
    waiting = analysed("repairs", "厨房水管漏水，报修三天仍未上门", "刘先生", "13800000001",
                       "delay", "派工单漏派，工程部无人跟进", ("wangfang",))
    flow.propose(clerk, waiting, "今天下午派维修师傅上门处理")
    flow.propose(clerk, waiting, "明天上午上门维修，并减免本次维修费")
    # a proposal sent back: the complaint is with its handler again
    back = analysed("service_attitude", "前台接电话态度冷淡，未告知装修申请的办理流程", "黄先生",
                    "13700002222", "staff_conduct", "当班人员忙于登记访客，未按话术完整答复",
                    ("wangfang",))
    proposal = flow.propose(clerk, back, "向业主口头道歉")
    flow.send_back(supervisor, proposal.id, "只道歉不够：须当面说明办理流程，并安排话术培训")
    # decided: the supervisor chose and signed; waiting for the customer
    decided(analysed("cleaning", "楼道垃圾两天未清理，气味很大", "赵女士", "13600003333",
                     "procedure", "保洁排班调整后 8 栋漏排", ("zhoumin",)),
            ("今天内清理完毕", "今天内清理，并补排 8 栋每日两次保洁"),
            "同意第二个方案，今天 17 点前完成并拍照回报")
    # refused by the customer: waiting for the manager
    refused = analysed("fees", "物业费账单多收了一个月", "孙先生", "13500004444", "information",
                       "系统导入时入住日期录错", ("wangfang",), severity=2)
    decided(refused, ("更正账单，多收部分抵扣下月物业费",), "同意更正并抵扣，书面致歉")
    flow.customer_refuses(clerk, refused, "要求退还现金，不接受抵扣")
    # signed by the customer: the call-back is pending
    accepted = analysed("parking", "车位被外来车辆长期占用", "周先生", "13400005555",
                        "facility", "地库道闸识别故障，外来车辆未登记即放行", ("zhoumin",))
    decided(accepted, ("张贴告示并联系车主挪车", "联系车主挪车，当天修复道闸"),
            "同意，道闸今天修好，明天回访")
    signed(accepted, "phone", 1)
    # closed: the call-back found the customer satisfied
    closed = analysed("noise", "楼上夜间装修噪音扰民", "吴女士", "13300006666", "procedure",
                      "装修巡查未覆盖夜间时段", ("wangfang",))
    decided(closed, ("上门告知装修时间规定，夜间巡查一周",), "同意，巡查记录每天报我")
    callbacks.record_callback(clerk, signed(closed, "email", 2),
                              "业主表示夜间已无装修噪音，对处理满意", "satisfied")
    # reopened: the customer was not satisfied at the call-back
    reopened = analysed("facilities", "3号电梯一周内两次困人", "郑先生", "13200007777",
                        "quality", "维保单位更换的门机配件不合格", ("zhoumin",), severity=3)
    decided(reopened, ("通知维保单位一周内整改",), "同意，整改完成前每天巡检一次")
    callbacks.record_callback(clerk, signed(reopened, "online", 3),
                              "业主反映电梯本周又停运一次，不满意", "dissatisfied")
    return {"complaint_loop": 8}


def _insert(writer: _Writer, model: type[peewee.Model], rows: list[dict[str, Any]]) -> None:
    """Rows of ``model`` (each with the same fields) through the driver's executemany:
    peewee's building of multi-row statements took most of the time at scale 100."""
    if rows:
        names = list(rows[0])
        columns = tuple(model._meta.fields[name].column_name for name in names)
        writer.insert(model._meta.table_name, columns,
                      [tuple(row[name] for name in names) for row in rows])


Thresholds = dict[tuple[str, str], tuple[int, int, int, int, int, int]]


def _thresholds(targets: Targets) -> Thresholds:
    """Each request type's and urgency's answer and reply thresholds in seconds, worked out
    once (tens of thousands of entries at --scale 100)."""
    table: Thresholds = {}
    for request_type in RequestType:
        for urgency in Urgency:
            t = targets.for_request(request_type.value, urgency.value)
            table[request_type.value, urgency.value] = (
                t.answer, t.answer_moderate, t.answer_severe, t.reply, t.reply_moderate,
                t.reply_severe)
    return table


def _level(answer: float, reply: float, limits: tuple[int, ...]) -> int:
    """A resolved entry's level, as ``domain.reception.timer_status`` gives it."""
    a1, a2, a3, r1, r2, r3 = limits
    if answer > a3 or reply > r3:
        return 3
    if answer > a2 or reply > r2:
        return 2
    return 1 if answer > a1 or reply > r1 else 0


def _entry(rng: random.Random, start: datetime, channel: Channel | None = None,
           closed: bool = True, targets: Thresholds | None = None) -> dict:
    channel = channel or rng.choice((Channel.VISIT, Channel.PHONE_IN, Channel.PHONE_IN,
                                     Channel.PHONE_OUT))
    surname, title = _name(rng)
    answer = timedelta(seconds=rng.choice((2, 4, 5, 6, 8, 8, 12, 20, 40)))
    reply = timedelta(seconds=rng.choice((60, 120, 150, 200, 240, 280, 400, 700, 2000)))
    if channel is Channel.PHONE_OUT:
        answer = timedelta(0)  # nobody waits for us to pick up
    limits = targets or _thresholds(Targets())

    def level_for(kind: tuple[str, str]) -> int:
        """The level the timers gave when the entry was resolved."""
        return _level(answer.total_seconds(), reply.total_seconds(), limits[kind]) if closed else 0

    handler = rng.choice(_DEMO_CLERKS)
    # drawn as before the request types (the general targets' severe level), so the rest of
    # the demo (names, call-backs, complaints) stays as it was
    draw = rng.random() if level_for(("enquiry", "normal")) == 3 else 1.0
    contact, company = _phone(rng), rng.choice(_COMPANIES)
    request = rng.choice(_REQUESTS[channel])
    # open entries stay plain enquiries: their running timers are what the page shows now
    request_type, urgency = (_KINDS.get(request, ("enquiry", "normal")) if closed
                             else ("enquiry", "normal"))
    level = level_for((request_type, urgency))
    reviewed = level == 3 and draw < 0.7
    return {
        "channel": channel.value, "name": surname, "caller_title": title,
        "contact": contact, "company": company, "request": request,
        "request_type": request_type, "urgency": urgency,
        "result": rng.choice(_RESULTS) if closed else "", "handler": handler,
        "arrived_at": start,
        "answered_at": start + answer if closed or channel is Channel.VISIT else None,
        "resolved_at": start + reply if closed else None,
        "ended_at": start + reply + timedelta(minutes=rng.randint(0, 10)) if closed else None,
        "timeout_level": level,
        "escalated_at": start + reply if level == 3 else None,
        "reviewed_by": "zhoumin" if reviewed else "",
        "reviewed_at": start + reply + timedelta(hours=2) if reviewed else None,
        "review_note": "已与当班人员面谈，提醒及时接听" if reviewed else "",
        "created_by": handler,
    }
