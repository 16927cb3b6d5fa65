"""Demo data for keys and equipment, the rota and the shift handover (R8–R12).

- The register: keys, phones, radios, documents and supplies; three weeks of checkouts, three
  articles out now, one of them overdue (one transaction, one ``demo.keys`` entry).
- The rota: 王芳 (wangfang) on the day shift, 周敏 (zhoumin) on the night shift, three weeks
  back and a week ahead; a swap approved beforehand and one waiting for the supervisor
  (through ``ShiftService``, as users would).
- Three weeks of day-to-night handovers, each countersigned by 李强 (liqiang): problems with
  cause, process and result, instructions and repairs carried forward until done, some
  discrepancies (a radio missing, found later), some refusals (a major event unresolved at
  the first attempt), a few late. Their forms are signed with the demo users' own keys and
  the demo password, each in its own transaction with its ``handover.sign`` entry (the hash
  ``checked_pdf`` checks). Signing times are the time the demo ran — the certificates are
  no older than that — while the record carries the handover's own times.
- The handover of the shift running now, started through ``HandoverService`` with an open
  major incident (it blocks signing until resolved) and half the checklist counted.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, timedelta
from typing import Any

from desk_app.demo.people import demo_actor
from desk_app.demo.signers import DemoKeys
from desk_app.domain.clock import format_clock
from desk_app.domain.handover import Block, Status
from desk_app.domain.shifts import ShiftSlot
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.handover.shifts import to_utc
from desk_app.store import numbers
from desk_app.store.archive import SignedDocument
from desk_app.store.handover import (
    ChecklistLine,
    ChecklistTemplateLine,
    Equipment,
    EquipmentLoan,
    Handover,
    HandoverEntry,
    HandoverRefusal,
    RotaLine,
)

WEEKS = 3
DAY_CLERK, NIGHT_CLERK, SUPERVISOR = "wangfang", "zhoumin", "liqiang"

ARTICLES = (  # tag, name, kind, home, count
    ("K-101", "样板间A钥匙", "key", "钥匙柜 A", 1), ("K-102", "样板间B钥匙", "key", "钥匙柜 A", 1),
    ("K-103", "样板间C钥匙", "key", "钥匙柜 A", 1), ("K-201", "客服部办公室钥匙", "key", "钥匙柜 A", 2),
    ("K-202", "档案室钥匙", "key", "钥匙柜 B", 1), ("K-203", "配电房钥匙", "key", "钥匙柜 B", 1),
    ("K-204", "天台门钥匙", "key", "钥匙柜 B", 1), ("K-205", "会议室钥匙", "key", "钥匙柜 B", 1),
    ("T-01", "前台值班手机", "phone", "前台", 1), ("T-02", "客服热线座机", "phone", "前台", 1),
    ("R-01", "对讲机 1", "radio", "充电座", 1), ("R-02", "对讲机 2", "radio", "充电座", 1),
    ("R-03", "对讲机 3", "radio", "充电座", 1), ("R-04", "对讲机 4", "radio", "充电座", 1),
    ("D-01", "交接班记录本", "document", "前台", 1), ("D-02", "应急预案手册", "document", "前台", 1),
    ("D-03", "业户通讯录", "document", "前台抽屉", 1), ("D-04", "装修登记表", "document", "前台", 1),
    ("S-01", "A4 复印纸（包）", "supply", "文具柜", 10), ("S-02", "签字笔", "supply", "文具柜", 20),
    ("S-03", "访客证", "supply", "前台", 30), ("S-04", "雨伞（借用）", "supply", "前台", 8),
)
TEMPLATE = (("监控室显示屏（台）", "other", 4), ("急救箱", "other", 1))

PROBLEMS = (  # text, cause, process, result, major
    ("3号楼电梯困人", "电梯控制柜故障", "接报后通知维保单位，安抚被困业户，12分钟后解救",
     "人员安全，电梯停用待修", True),
    ("业户投诉楼上漏水", "楼上卫生间防水层破损", "联系楼上业户并安排维修工上门查看",
     "已关阀止漏，约定明日维修", False),
    ("快递柜停电", "空开跳闸", "通知电工复位空开并检查线路", "已恢复供电", False),
    ("访客未登记进入", "访客跟随业户进门", "劝回前台补登记并提醒门岗", "已补登记", False),
    ("地下车库积水", "暴雨排水泵启动不及时", "手动启动排水泵，设置警示牌", "积水已排清", True),
    ("业户钥匙遗失求助", "业户外出忘带钥匙", "核实身份后联系开锁公司", "已开锁，业户签字确认", False),
)
INSTRUCTIONS = (
    "经理指示：本周五前完成消防通道巡查并拍照留档",
    "主管通知：周末停水通知需提前一天张贴到各单元",
    "新工作指令：访客登记须核对身份证件并登记手机号",
    "主管交代：2号楼装修噪音投诉需每日回访",
)
REPAIRS = ("5号楼大堂灯具更换", "1号楼单元门禁维修", "中心花园喷泉水泵检修")
UNFINISHED = ("业户满意度回访表尚余12户未回访", "本月装修押金退还名单待核对")



def _services(demo: Any, keys: DemoKeys) -> tuple[Any, Any, Any]:
    from desk_app.services.handover.equipment import EquipmentService
    from desk_app.services.handover.handovers import HandoverService
    from desk_app.services.handover.shifts import ShiftService

    shifts = ShiftService(demo.ctx, settings=demo.settings)
    equipment = EquipmentService(demo.ctx, settings=demo.settings, shifts=shifts)
    handovers = HandoverService(demo.ctx, settings=demo.settings, keys=keys,
                                shifts=shifts, equipment=equipment)
    return shifts, equipment, handovers


def generate_handover(demo: Any, keys: DemoKeys, password: str) -> dict[str, int]:
    """Runs once per database (not when a handover or an article exists already)."""
    if Handover.select().exists() or Equipment.select().exists():
        return {}
    day, night, boss = demo_actor(DAY_CLERK), demo_actor(NIGHT_CLERK), demo_actor(SUPERVISOR)
    if day is None or night is None or boss is None:
        return {}
    shifts, _equipment, handovers = _services(demo, keys)
    rng = random.Random(20261201)
    now = demo.ctx.clock.now()
    current = shifts.slot_now(now)
    with demo.write() as tx:
        articles = _register(rng, now, day, night, boss)
        rota = _rota(shifts, current, day, night, boss, now)
        tx.audit(boss, "demo.keys", "equipment", None,
                 after={"articles": len(articles), "rota_lines": rota})
    history = _History(demo, handovers, keys, rng, day, night, boss, password)
    done = history.generate(shifts, current)
    swaps = _swaps(shifts, current, day, night, boss)
    _in_progress(handovers, shifts, current, day, night)
    return {"articles": len(articles), "handovers": done + 1, "swaps": swaps}


def _register(rng: random.Random, now: datetime, day: Actor, night: Actor,
              boss: Actor) -> list[int]:
    ids = []
    for tag, name, kind, home, count in ARTICLES:
        ids.append(Equipment.create(tag=tag, name=name, kind=kind, home=home, count=count,
                                    condition="good", created_at=now - timedelta(days=WEEKS * 7 + 1)).id)
    for position, (label, kind, expected) in enumerate(TEMPLATE):
        ChecklistTemplateLine.create(label=label, kind=kind, expected=expected, position=position)
    by_tag = dict(zip([a[0] for a in ARTICLES], ids, strict=True))
    loans = []
    for back in range(WEEKS * 7, 0, -1):  # past checkouts, all returned
        for _n in range(rng.randint(1, 3)):
            tag = rng.choice([a[0] for a in ARTICLES if a[2] in ("key", "radio", "phone")])
            holder = rng.choice((day, night, boss))
            out = now - timedelta(days=back, hours=rng.randint(1, 6))
            loans.append({"equipment": by_tag[tag], "holder": holder.user_id,
                          "reason": rng.choice(("带业户看样板间", "巡楼", "维修陪同", "抄表")),
                          "out_at": out, "out_by": day.user_id, "due_at": out + timedelta(hours=4),
                          "in_at": out + timedelta(hours=rng.randint(1, 3)), "in_by": day.user_id,
                          "condition_in": "good"})
    EquipmentLoan.insert_many(loans).execute()
    for tag, holder, hours_ago, due_in, reason in (
            ("K-101", night, 2, 3, "带业户看样板间"), ("R-02", boss, 1, 5, "巡楼"),
            ("K-203", day, 27, -20, "配电房检修陪同")):  # the last one is overdue
        out = now - timedelta(hours=hours_ago)
        EquipmentLoan.create(equipment=by_tag[tag], holder=holder.user_id, reason=reason,
                             out_at=out, out_by=day.user_id, due_at=now + timedelta(hours=due_in),
                             open_for=by_tag[tag])
    return ids


def _rota(shifts: Any, current: ShiftSlot, day: Actor, night: Actor, boss: Actor,
          now: datetime) -> int:
    lines = []
    for offset in range(-WEEKS * 7 - 1, 8):
        when = current.day + timedelta(days=offset)
        for shift in shifts.pattern():
            who = day if shift.name == "day" else night
            lines.append({"day": when, "shift": shift.name, "user": who.user_id,
                          "created_by": boss.user_id, "created_at": now})
    RotaLine.insert_many(lines).execute()
    return len(lines)


class _History:
    """Past handovers of the day shift to the night shift, countersigned and signed."""

    def __init__(self, demo: Any, handovers: Any, keys: DemoKeys, rng: random.Random,
                 day: Actor, night: Actor, boss: Actor, password: str) -> None:
        self.demo, self.handovers, self.rng = demo, handovers, rng
        self.day, self.night, self.boss = day, night, boss
        self.ca = keys.ca_certificate()
        self.keys = {who.user_id: keys.signer(who, password) for who in (day, night, boss)}
        self.open: list[dict[str, Any]] = []  # entries carried forward, with their origin

    def generate(self, shifts: Any, current: ShiftSlot) -> int:
        if not any(shift.name == "day" for shift in shifts.pattern()):
            return 0  # an office with its own pattern gets no history
        slots: list[ShiftSlot] = []
        when = current.day
        while len(slots) < WEEKS * 7:
            slot = shifts.slot(when, "day")
            if slot.end <= current.start:
                slots.append(slot)
            when -= timedelta(days=1)
        for index, slot in enumerate(reversed(slots)):
            self._one(shifts, slot, index)
        return len(slots)

    def _entries(self, handover_id: int, index: int, at: datetime) -> bool:
        """The entries of one handover; True when a major event blocked its first attempt."""
        rows: list[dict[str, Any]] = []
        for carried in self.open:  # carried forward (R9): resolved this time with some chance
            done = self.rng.random() < 0.4
            rows.append({**carried, "resolved": done,
                         "result": "已完成" if done else carried["result"]})
        self.open = []  # filled again below with what stays open after this handover
        text, cause, process, result, major = PROBLEMS[index % len(PROBLEMS)]
        blocked = major and index % 3 == 0
        rows.append({"kind": "problem", "text": text, "cause": cause, "process": process,
                     "result": result, "major": major, "resolved": True, "origin": None})
        if index % 4 == 1:
            rows.append({"kind": "instruction", "text": INSTRUCTIONS[index // 4 % len(INSTRUCTIONS)],
                         "cause": "", "process": "", "result": "", "major": False,
                         "resolved": False, "origin": None})
        if index % 5 == 2:
            rows.append({"kind": "repair", "text": REPAIRS[index // 5 % len(REPAIRS)], "cause": "",
                         "process": "", "result": "已报修，等待配件", "major": False,
                         "resolved": False, "origin": None})
        if index % 7 == 3:
            rows.append({"kind": "unfinished", "text": UNFINISHED[index // 7 % len(UNFINISHED)],
                         "cause": "", "process": "", "result": "", "major": False,
                         "resolved": False, "origin": None})
        for no, row in enumerate(rows, start=1):
            entry = HandoverEntry.create(handover=handover_id, no=no, created_by=self.day.user_id,
                                         created_at=at, **row)
            if not row["resolved"]:
                self.open.append({k: row[k] for k in ("kind", "text", "cause", "process",
                                                      "result", "major")}
                                 | {"origin": row["origin"] or entry.id})
        self.open = self.open[-4:]
        return blocked

    def _lines(self, handover_id: int, index: int, at: datetime) -> int:
        missing = index % 6 == 4  # the radio R-03 not found at the count
        rows = []
        for no, item in enumerate(Equipment.select().order_by(Equipment.kind, Equipment.tag),
                                  start=1):
            found, condition, note = item.count, "good", ""
            if missing and item.tag == "R-03":
                found, condition, note = 0, "missing", "对讲机3未找到，已报主管，下一班继续查找"
            rows.append({"handover": handover_id, "no": no, "kind": item.kind, "label": item.name,
                         "tag": item.tag, "equipment": item.id, "expected": item.count,
                         "found": found, "condition": condition, "note": note,
                         "counted_by": self.night.user_id, "counted_at": at,
                         "discrepancy": found != item.count or condition != "good"})
        for position, (label, kind, expected) in enumerate(TEMPLATE, start=len(rows) + 1):
            rows.append({"handover": handover_id, "no": position, "kind": kind, "label": label,
                         "tag": "", "equipment": None, "expected": expected, "found": expected,
                         "condition": "good", "note": "", "counted_by": self.night.user_id,
                         "counted_at": at, "discrepancy": False})
        ChecklistLine.insert_many(rows).execute()
        return sum(1 for row in rows if row["discrepancy"])

    def _one(self, shifts: Any, slot: ShiftSlot, index: int) -> None:
        from desk_app.forms import signing

        end = to_utc(slot.end)
        late = index % 8 == 5
        started = end - timedelta(minutes=25)
        signed_out = end - timedelta(minutes=4)
        handed = end + timedelta(minutes=27 if late else self.rng.randint(-3, 6))
        locked = handed + timedelta(hours=15, minutes=self.rng.randint(0, 40))
        with self.demo.write() as tx:
            prefix = f"JB{slot.day.year}-"
            number = f"{prefix}{numbers.next_number(f'handover:{prefix}', lambda: 0):04d}"
            record = Handover.create(
                number=number, shift_day=slot.day, shift=slot.name, scheduled_at=end,
                outgoing=self.day.user_id, incoming=self.night.user_id,
                supervisor=self.boss.user_id, status=Status.LOCKED.value, open_slot=None,
                started_at=started, outgoing_signed_at=signed_out, handed_over_at=handed,
                locked_at=locked, version=1)
            blocked = self._entries(record.id, index, started)
            self._lines(record.id, index, started + timedelta(minutes=10))
            if blocked:
                HandoverRefusal.create(handover=record.id, at=signed_out - timedelta(minutes=30),
                                       by=self.day.user_id, reasons=json.dumps([{
                                           "code": Block.MAJOR_EVENT.value,
                                           "message": "重大或紧急事件尚未处理完毕：第 1 项"}],
                                           ensure_ascii=False))
            data = self.handovers._show(record.id)
            pdf = self.handovers._rendered(data)
            for field, who, label in (("outgoing", self.day, _("Handed over by")),
                                      ("incoming", self.night, _("Taken over by")),
                                      ("supervisor", self.boss, _("Countersigned by"))):
                key, cert = self.keys[who.user_id]
                pdf = signing.sign_with_key(pdf, field, key, cert, self.ca, signing.SignatureAppearance(
                    None, who.full_name or who.name, label, tx.at))
            document = SignedDocument.create(kind="handover", record_no=number, pdf=pdf,
                                             sha256=hashlib.sha256(pdf).hexdigest(),
                                             created_at=tx.at, created_by=self.boss.user_id)
            Handover.update(document=document.id).where(Handover.id == record.id).execute()
            tx.audit(self.boss, "handover.sign", "handover", record.id, after={
                "number": number, "sha256": document.sha256, "demo": True,
                "handed_over_at": format_clock(handed)})


def _swaps(shifts: Any, current: ShiftSlot, day: Actor, night: Actor, boss: Actor) -> int:
    ahead = current.day + timedelta(days=3)
    swap = shifts.request_swap(day, ahead, "day", day.name, night.name, "家中有事，与周敏调班")
    shifts.decide_swap(boss, swap["id"], True, "同意，周敏当天值白班")
    shifts.request_swap(night, current.day + timedelta(days=5), "night", night.name, day.name,
                        "参加培训，请王芳顶班")
    return 2


def _in_progress(handovers: Any, shifts: Any, current: ShiftSlot, day: Actor,
                 night: Actor) -> None:
    outgoing, incoming = (day, night) if current.name == "day" else (night, day)
    data = handovers.start(outgoing, incoming.name)
    handovers.add_entry(outgoing, data["id"], "problem", "2号楼配电房异响", "变压器风扇异常",
                        "已通知电工到场检查", "尚未查明，等待电工结论", major=True)
    handovers.add_entry(outgoing, data["id"], "instruction", "主管指示：今晚22点前完成消防巡查")
    for line in data["lines"][: len(data["lines"]) // 2]:
        found = 0 if line["tag"] == "R-04" else line["expected"]
        condition = "missing" if line["tag"] == "R-04" else "good"
        handovers.count(incoming, data["id"], line["no"], found, condition,
                        "清点时未见对讲机4" if found == 0 and line["expected"] else "")

