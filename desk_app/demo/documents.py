"""Demo data for the document register (收发文, issue 15).

- The demo people's departments (docs/documents.md): 王芳 and 张伟 in the general manager's
  office (ZB), 周敏 heads 客服部 (KF), 李强 heads 工程部 (GC) with 孙丽 on its staff, 赵磊 heads
  保安部 (BA).
- A year of history, ``DOCS_PER_SCALE`` documents per scale (incoming, outgoing, liaison
  sheets) in every state, inserted directly in batches of ``BATCH`` rows under one
  ``demo.documents`` entry: running numbers consecutive per year and series, the
  ``number_counter`` rows left at the last number so the next document continues the
  series; outgoing numbers (发文字号) likewise, a voided number kept. Old documents are
  mostly filed (linked to an archive item), recent ones on their way; some handling is
  overdue (the chase list), chased, and questions went to the manager.
- With ``SIGNED`` (the demo_desk test fixture turns it off: it costs a few seconds), a
  handful of documents made today through ``DocumentService`` as users would, with the
  demo password and real signatures, so their sheets open and verify. Only these are
  outgoing drafts on their way (draft, reviewed, signed off: each step checks the draft
  sheet signed so far, which a bulk row has not) and liaison drafts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from operator import itemgetter
from typing import Any

from desk_app.demo.archive import _Writer, bulk_load, unchecked_references
from desk_app.demo.people import demo_actor
from desk_app.demo.prefetch import ahead
from desk_app.demo.signers import DemoKeys
from desk_app.domain.clock import local_today
from desk_app.domain.documents import (
    Direction,
    Execution,
    NoteKind,
    Status,
    format_issued_number,
    issued_series,
    running_number,
    series,
)
from desk_app.domain.users import Actor
from desk_app.store.archive import Department, Item, Kind, tuples
from desk_app.store.backup import reset_sequences
from desk_app.store.db import is_postgresql
from desk_app.store.documents import Document, DocumentNote, DocumentRoute
from desk_app.store.models import NumberCounter, User

SIGNED = True  # the few documents made through the service, with real signatures
DOCS_PER_SCALE = 1_000
BATCH = 500
SPAN_DAYS = 365
TABLES = ("document", "document_route", "document_note")  # their indexes built after the load

# (user, department, head) — the contract's demo people
MEMBERS = (("wangfang", "ZB", False), ("zhangwei", "ZB", False), ("zhoumin", "KF", True),
           ("liqiang", "GC", True), ("sunli", "GC", False), ("zhaolei", "BA", True))
HEADED = ("KF", "GC", "BA")  # the departments with a head: circulation stops, handlers
SENDERS = (("市住房和城乡建设局", "建"), ("街道办事处", "街"), ("区消防救援大队", "消"),
           ("市场监督管理局", "市监"), ("业主委员会", "业委"), ("供电公司", "供"),
           ("自来水公司", "水"), ("区应急管理局", "应急"))
TOPICS = ("电梯安全检查", "消防通道整治", "二次供水水箱清洗", "汛期防涝", "垃圾分类", "燃气安全",
          "高空抛物治理", "装修管理", "停车秩序", "外墙清洗", "绿化养护", "节日安全", "物业费收缴",
          "业主满意度调查", "安全生产月", "配电房检修")
ADDRESSEES = ("市住房和城乡建设局", "街道办事处", "业主委员会", "全体业户", "各部门",
              "电梯维保公司", "区消防救援大队")
INSTRUCTIONS = ("请{readers}阅知，由{handler}牵头落实，按期报结果。",
                "{readers}传阅；{handler}负责办理并回复来文单位。",
                "阅。{handler}按要求整改，{readers}配合。")
RESULTS = ("已按要求完成检查，整改记录附后。", "已组织落实，书面回复已报送来文单位。",
           "已完成整改并拍照留档，报告已交办公室。")
QUESTIONS = ("整改费用超出预算，是否申请专项资金？", "来文要求的时限较紧，能否分两批完成？")
ANSWERS = ("同意申请专项资金，报财务部审核。", "同意分两批完成，第一批按期报结果。")


@dataclass
class _People:
    ids: dict[str, int]
    depts: dict[str, int]

    @property
    def clerk(self) -> int:
        return self.ids["wangfang"]

    @property
    def manager(self) -> int:
        return self.ids["zhangwei"]

    def head(self, code: str) -> int:
        return self.ids[{"KF": "zhoumin", "GC": "liqiang", "BA": "zhaolei"}[code]]

    def staff(self, code: str) -> int:
        return self.ids[{"KF": "zhoumin", "GC": "sunli", "BA": "zhaolei"}[code]]


def generate_documents(demo: Any, keys: DemoKeys, actor: Actor, password: str,
                       scale: int) -> dict[str, int]:
    """Runs once per database (not when a document exists already)."""
    if Document.select().exists():
        return {}
    names = [name for name, _code, _head in MEMBERS]
    ids = {user.name: user.id for user in User.select(User.id, User.name)
           .where(User.name.in_(names) & User.active)}
    if len(ids) < len(names):
        return {}
    people = _People(ids, {d.code: d.id for d in Department.select()})
    service = _service(demo, keys)
    _departments(service, actor)
    counts = _History(demo, people, random.Random(20261215), DOCS_PER_SCALE * scale).insert(actor)
    if SIGNED:
        counts["signed_documents"] = _made_today(service, password)
    return counts


def _service(demo: Any, keys: DemoKeys) -> Any:
    from desk_app.services.archive import ArchiveService
    from desk_app.services.documents.service import DocumentService

    archive = ArchiveService(demo.ctx, settings=demo.settings, personnel=demo.personnel)
    return DocumentService(demo.ctx, settings=demo.settings, keys=keys,
                           archive=archive)


def _departments(service: Any, actor: Actor) -> None:
    """Through the service, as the administrator would (one ``user.department`` entry each)."""
    for name, code, head in MEMBERS:
        service.set_department(actor, name, code, head=head)


# ---------------------------------------------------------------- a year of history

FIELDS = ("id", "direction", "number", "year", "status", "title", "kind", "level", "urgency",
          "pages", "copies", "sender", "sender_ref", "received_on", "addressee", "dept",
          "to_dept", "issued_no", "body", "instruction", "instructed_by", "instructed_at",
          "handler_dept", "due_on", "result", "result_by", "result_at", "reply", "reply_by",
          "reply_at", "delivered_by", "delivered_at", "drafted_by", "drafted_at",
          "reviewed_by", "reviewed_at", "signed_off_by", "signed_off_at", "sent_by", "sent_at",
          "refusal_reason", "void_reason", "execution", "execution_note", "item", "filed_by",
          "filed_at", "created_by", "created_at", "version")
ROUTE_FIELDS = ("document", "seq", "dept", "carried_by", "carried_at", "confirmed_by",
                "confirmed_at", "comment")
NOTE_FIELDS = ("document", "kind", "text", "channel", "by", "at", "answer", "answered_by",
               "answered_at")
DEFAULTS = {name: getattr(Document, name).default for name in FIELDS}  # "" for text, 0 …
_VALUES = itemgetter(*FIELDS[1:])  # a row's values in column order, in one call
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _pick(rng: random.Random, age: timedelta, table: tuple[tuple[float, dict[Status, int]], ...],
          ready: dict[Status, timedelta]) -> Status:
    """A state by the document's age (older: further along), only one whose last step is
    already in the past."""
    weights = next(row for days, row in table if age < days * DAY)
    states = tuple(state for state in weights if ready[state] <= age)
    if not states:  # younger than any step: the earliest state of the row
        return min(weights, key=lambda state: ready[state])
    drawn = _DRAWS.get((id(weights), states))
    if drawn is None:  # rng.choices(states, their weights) draws the same with these
        drawn = _DRAWS[id(weights), states] = (states, list(accumulate(
            weights[state] for state in states)))
    return rng.choices(drawn[0], cum_weights=drawn[1])[0]


_DRAWS: dict[tuple[int, tuple[Status, ...]], tuple[tuple[Status, ...], list[int]]] = {}
# rng.choices(values, weights) as rng.choices(values, cum_weights=…): the same draws
_DIRECTIONS, _DIRECTION_CUM = tuple(Direction), (50, 80, 100)
_LEVELS, _LEVEL_CUM = ("public", "internal", "secret"), (30, 95, 100)
_URGENCIES, _URGENCY_CUM = ("normal", "urgent", "very_urgent"), (85, 97, 100)


IN_TABLE = ((2, {Status.REGISTERED: 1}),
            (7, {Status.REGISTERED: 1, Status.CIRCULATING: 3, Status.HANDLING: 3,
                 Status.HANDLED: 1, Status.FILED: 1}),
            (30, {Status.CIRCULATING: 1, Status.HANDLING: 2, Status.HANDLED: 2, Status.FILED: 5}),
            (999, {Status.CIRCULATING: 1, Status.HANDLING: 3, Status.HANDLED: 2,
                   Status.FILED: 94}))
IN_READY = {Status.REGISTERED: 0 * HOUR, Status.CIRCULATING: 3 * HOUR,
            Status.HANDLING: 2 * DAY, Status.HANDLED: 3 * DAY, Status.FILED: 5 * DAY}
# Outgoing drafts in progress (draft, reviewed, signed off) are only made through the
# service (_made_today): each step checks the draft sheet signed so far (pending_pdf),
# which a bulk row has not. A returned one is revised with a new sheet: it can be bulk.
OUT_TABLE = ((3, {Status.RETURNED: 1, Status.SENT: 3}),
             (10, {Status.SENT: 6, Status.RETURNED: 1, Status.VOIDED: 1}),
             (999, {Status.FILED: 72, Status.SENT: 22, Status.VOIDED: 4, Status.RETURNED: 2}))
OUT_READY = {Status.RETURNED: 4 * HOUR, Status.SENT: DAY, Status.VOIDED: 2 * DAY,
             Status.FILED: 10 * DAY}
LL_TABLE = ((2, {Status.SIGNED: 2, Status.DELIVERED: 1}),
            (10, {Status.SIGNED: 1, Status.DELIVERED: 2, Status.REPLIED: 4, Status.VOIDED: 1}),
            (999, {Status.FILED: 80, Status.REPLIED: 14, Status.VOIDED: 4, Status.DELIVERED: 2}))
LL_READY = {Status.SIGNED: 4 * HOUR, Status.DELIVERED: DAY,
            Status.REPLIED: 2 * DAY, Status.VOIDED: HOUR, Status.FILED: 7 * DAY}
# a state's place in its flow: the version number a row in that state has reached
IN_STEPS, OUT_STEPS, LL_STEPS = ({state: step for step, state in enumerate(ready)}
                                 for ready in (IN_READY, OUT_READY, LL_READY))


class _History:
    def __init__(self, demo: Any, people: _People, rng: random.Random, count: int) -> None:
        self.demo, self.people, self.rng, self.count = demo, people, rng, count
        self.now = demo.ctx.clock.now()
        self.today = local_today(self.now)
        self.kinds = {k.code: k.id for k in Kind.select(Kind.id, Kind.code)}
        self.items = [i for (i,) in tuples(Item.select(Item.id).where(
            Item.level.in_(["public", "internal"])).order_by(Item.id).limit(2000))]
        self.seqs: dict[str, int] = {}  # number_counter series → last number drawn
        self.refs: dict[str, int] = {}  # sender → their last own number
        self.pattern = str(demo.settings.value("outgoing_number_pattern"))
        self.org = str(demo.settings.value("document_org_code"))
        self.states: dict[str, int] = {}
        self.writer = _Writer(demo.ctx)

    def insert(self, actor: Actor) -> dict[str, int]:
        db = self.demo.ctx.db
        with unchecked_references(db), self.demo.write() as tx, bulk_load(db, TABLES):
            first = (Document.select(Document.id).order_by(Document.id.desc()).scalar() or 0) + 1
            for docs, routes, notes in ahead(lambda: self._batches(first), self.rng,
                                             self.count, kept=self._drawn,
                                             restore=self._count_drawn):
                self._flush(docs, routes, notes)
            for name, last in self.seqs.items():
                (NumberCounter.insert(series=name, value=last)
                 .on_conflict(conflict_target=[NumberCounter.series],
                              update={NumberCounter.value: last}).execute())
            if is_postgresql(db):
                reset_sequences(db)  # ids were given explicitly
            counts = {"documents": self.count, **{f"documents_{k}": v
                                                   for k, v in sorted(self.states.items())}}
            tx.audit(actor, "demo.documents", "document", None, after={
                "documents": self.count, "numbers": dict(sorted(self.seqs.items()))})
        for table in TABLES:
            db.execute_sql(f"ANALYZE {table}")  # planner statistics for the new volume
        return counts

    def _batches(self, first: int) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
        """The rows of the documents, their routes and notes, ``BATCH`` documents at a time."""
        docs: list[tuple] = []
        routes: list[tuple] = []
        notes: list[tuple] = []
        for doc_id, (row, stops, extra) in enumerate(self._rows(), start=first):
            docs.append((doc_id, *_VALUES({**DEFAULTS, **row})))
            routes += [(doc_id, *stop) for stop in stops]
            notes += [(doc_id, *note) for note in extra]
            if len(docs) >= BATCH:
                yield docs, routes, notes
                docs, routes, notes = [], [], []
        yield docs, routes, notes

    def _drawn(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        return self.seqs, self.refs, self.states

    def _count_drawn(self, drawn: tuple[dict[str, int], dict[str, int], dict[str, int]]) -> None:
        """The numbers and states the rows were made with (demo/prefetch.py)."""
        self.seqs, self.refs, self.states = drawn

    def _flush(self, docs: list[tuple], routes: list[tuple], notes: list[tuple]) -> None:
        """executemany through the driver (peewee's SQL building would be most of the time)."""
        for model, fields, rows in ((Document, FIELDS, docs), (DocumentRoute, ROUTE_FIELDS, routes),
                                    (DocumentNote, NOTE_FIELDS, notes)):
            columns = tuple(getattr(model, name).column_name for name in fields)
            self.writer.insert(model._meta.table_name, columns, rows)

    def _draw(self, name: str) -> int:
        self.seqs[name] = self.seqs.get(name, 0) + 1
        return self.seqs[name]

    def _rows(self) -> Iterator[tuple[dict[str, Any], list[tuple], list[tuple]]]:
        """Documents in time order (so numbers rise with time), oldest a year ago, newest a
        day ago; half incoming, 30 % outgoing, 20 % liaison sheets."""
        rng = self.rng
        start = self.now - SPAN_DAYS * DAY
        step = (SPAN_DAYS - 1) * DAY / max(1, self.count)
        for index in range(self.count):
            at = start + index * step + rng.random() * step / 2  # times rise with numbers
            direction = (rng.choices(_DIRECTIONS, cum_weights=_DIRECTION_CUM)[0]
                         if index < self.count - 3 else Direction.INCOMING)  # the newest wait
            year = at.year
            row: dict[str, Any] = {
                "direction": direction.value, "year": year,
                "number": running_number(direction, year, self._draw(series(direction, year))),
                "level": rng.choices(_LEVELS, cum_weights=_LEVEL_CUM)[0],
                "urgency": rng.choices(_URGENCIES, cum_weights=_URGENCY_CUM)[0],
                "pages": rng.randint(1, 12), "copies": rng.choice((1, 1, 1, 2, 3)),
                "created_at": at, "version": 1}
            topic = rng.choice(TOPICS)
            if direction is Direction.INCOMING:
                stops, notes = self._incoming(row, at, topic)
            elif direction is Direction.OUTGOING:
                stops, notes = self._outgoing(row, at, topic), []
            else:
                stops, notes = self._liaison(row, at, topic), []
            self.states[row["status"]] = self.states.get(row["status"], 0) + 1
            yield row, stops, notes

    def _filed(self, row: dict[str, Any], at: datetime) -> None:
        row.update(item=self.rng.choice(self.items) if self.items else None,
                   filed_by=self.people.clerk, filed_at=at)

    def _incoming(self, row: dict[str, Any], at: datetime, topic: str) -> tuple[list, list]:
        rng, people = self.rng, self.people
        state = _pick(rng, self.now - at, IN_TABLE, IN_READY)
        sender, short = rng.choice(SENDERS)
        self.refs[sender] = self.refs.get(sender, 0) + 1
        received = local_today(at)
        row.update(status=state.value, sender=sender, received_on=received,
                   sender_ref=f"{short}〔{row['year']}〕{self.refs[sender]}号",
                   title=f"关于{topic}的{rng.choice(('通知', '函', '通报', '意见'))}",
                   kind=self.kinds.get(rng.choice(("TZ", "HJ", "ZF"))),
                   body=f"来文要求做好{topic}相关工作。", created_by=people.clerk,
                   version=1 + IN_STEPS[state])
        if state is Status.REGISTERED:
            return [], []
        readers = rng.sample(HEADED, rng.randint(1, 2))
        handler = rng.choice(HEADED)
        row.update(instruction=rng.choice(INSTRUCTIONS).format(
                       readers="、".join(readers), handler=handler),
                   instructed_by=people.manager, instructed_at=at + 2 * HOUR,
                   handler_dept=people.depts[handler],
                   due_on=received + timedelta(days=rng.choice((3, 5, 7, 10, 15))))
        confirmed = len(readers) if state is not Status.CIRCULATING else rng.randrange(len(readers))
        stops = []
        for seq, code in enumerate(readers, start=1):
            carried = at + seq * 8 * HOUR
            done = seq <= confirmed
            stops.append((seq, people.depts[code],
                          people.clerk if done or seq == confirmed + 1 else None,
                          carried if done or seq == confirmed + 1 else None,
                          people.head(code) if done else None,
                          carried + 2 * HOUR if done else None,
                          "已阅" if done and rng.random() < 0.3 else ""))
        notes: list[tuple] = []
        if state in (Status.HANDLING, Status.HANDLED, Status.FILED) and rng.random() < 0.04:
            asked = at + 2 * DAY
            answered = state is not Status.HANDLING or rng.random() < 0.5
            notes.append((NoteKind.QUESTION.value, rng.choice(QUESTIONS), "",
                          people.staff(handler), asked,
                          rng.choice(ANSWERS) if answered else "",
                          people.manager if answered else None,
                          asked + 3 * HOUR if answered else None))
        if state in (Status.HANDLED, Status.FILED):
            row.update(result=rng.choice(RESULTS), result_by=people.staff(handler),
                       result_at=at + 3 * DAY)
        if state is Status.FILED:
            self._filed(row, at + 5 * DAY)
        if state in (Status.CIRCULATING, Status.HANDLING) and row["due_on"] < self.today:
            for chase in range(rng.choice((0, 1, 1, 2, 3))):
                when = datetime.combine(row["due_on"], datetime.min.time()) + (
                    chase + 1) * DAY + 2 * HOUR
                if when < self.now:
                    notes.append((NoteKind.CHASE.value, f"第{chase + 1}次催办：请尽快办理并报结果。",
                                  rng.choice(("phone", "visit", "message")), people.clerk,
                                  when, "", None, None))
        return stops, notes

    def _outgoing(self, row: dict[str, Any], at: datetime, topic: str) -> list:
        rng, people = self.rng, self.people
        state = _pick(rng, self.now - at, OUT_TABLE, OUT_READY)
        withdrawn = state is Status.VOIDED and rng.random() < 0.5  # else a voided number
        # Withdrawn drafts come from every department; anything reviewed from 工程部
        # (孙丽 drafts, 李强 reviews: a head does not review their own draft).
        dept = rng.choice(HEADED) if withdrawn else "GC"
        row.update(status=state.value, dept=people.depts[dept], addressee=rng.choice(ADDRESSEES),
                   title=f"关于{topic}的{rng.choice(('报告', '请示', '通知', '函'))}",
                   kind=self.kinds.get(rng.choice(("BG", "TZ", "HJ"))),
                   body=f"现将{topic}有关情况报告如下：……", drafted_by=people.staff(dept),
                   drafted_at=at, created_by=people.staff(dept),
                   version=1 + OUT_STEPS[state])
        if state is Status.RETURNED:
            row["refusal_reason"] = rng.choice(("数据需要核实后再报。", "措辞需修改，请重拟。"))
        if withdrawn:
            row["void_reason"] = "情况已变化，撤回此稿。"
            return []
        if state is Status.RETURNED:
            return []
        row.update(reviewed_by=people.head("GC"), reviewed_at=at + 4 * HOUR,
                   signed_off_by=people.manager, signed_off_at=at + 8 * HOUR)
        sent = at + DAY
        seq = self._draw(issued_series(sent.year))
        row.update(issued_no=format_issued_number(self.pattern, self.org, sent.year, seq),
                   sent_by=people.clerk, sent_at=sent,
                   execution=rng.choice(list(Execution)).value)
        if state is Status.VOIDED:
            row.update(void_reason="发文有误，作废此号，另行发文。", execution="")
        elif state is Status.FILED:
            row["execution"] = Execution.DONE.value
            self._filed(row, at + 10 * DAY)
        return []

    def _liaison(self, row: dict[str, Any], at: datetime, topic: str) -> list:
        rng, people = self.rng, self.people
        state = _pick(rng, self.now - at, LL_TABLE, LL_READY)
        dept, to = rng.sample(HEADED, 2)
        row.update(status=state.value, dept=people.depts[dept], to_dept=people.depts[to],
                   title=f"关于{topic}的联络单", body=f"请贵部门协助{topic}工作，谢谢配合。",
                   kind=self.kinds.get("LL"), drafted_by=people.staff(dept), drafted_at=at,
                   created_by=people.staff(dept), version=1 + LL_STEPS[state])
        if state is Status.VOIDED:
            row["void_reason"] = "已电话沟通解决，撤回。"
            return []
        # Signed by the drafting department's head: that lives in the sheet and the trail
        # (sign_liaison), which bulk rows have not. Drafts are made through the service.
        if state is Status.SIGNED:
            return []
        row.update(delivered_by=people.clerk, delivered_at=at + DAY)
        if state is Status.DELIVERED:
            return []
        row.update(reply="已安排人员配合，按期完成。", reply_by=people.staff(to),
                   reply_at=at + 2 * DAY)
        if state is Status.FILED:
            self._filed(row, at + 7 * DAY)
        return []


# ---------------------------------------------------------------- made today, signed


def _made_today(docs: Any, password: str) -> int:
    """A few documents through the service as the demo people would, with real signatures:
    a letter from sign-in to filing, one still circulating, one with a question answered,
    one just signed in;
    outgoing notices sent, signed off (to be numbered), reviewed and just drafted; liaison
    sheets replied to, just signed, and drafted."""
    clerk, manager = demo_actor("wangfang"), demo_actor("zhangwei")
    kf, gc, gc_staff, ba = (demo_actor("zhoumin"), demo_actor("liqiang"), demo_actor("sunli"),
                            demo_actor("zhaolei"))
    assert clerk and manager and kf and gc and gc_staff and ba
    today = docs.today()
    due = today + timedelta(days=7)

    def letter(title: str, ref: str) -> dict[str, Any]:
        return docs.receive(clerk, sender="市住房和城乡建设局", sender_ref=ref, title=title,
                            kind="ZF", urgency="urgent", pages=3, summary="请各物业服务企业按期落实。")

    def instruct(doc_id: int) -> None:
        docs.instruct(manager, doc_id, instruction="请客服部、保安部阅知，工程部牵头落实，按期报结果。",
                      readers=["KF", "BA"], handler="GC", due_on=due, password=password)

    filed = letter("关于开展住宅小区电梯安全专项检查的通知", "建〔2026〕演示1号")
    instruct(filed["id"])
    for reader in (kf, ba):
        docs.carry(clerk, filed["id"])
        docs.confirm_reading(reader, filed["id"], comment="已阅")
    docs.carry(clerk, filed["id"])
    docs.record_result(gc_staff, filed["id"], "已完成全部电梯的专项检查，整改记录附后。")
    docs.file(clerk, filed["id"], password=password)
    circulating = letter("关于做好汛期防涝工作的通知", "建〔2026〕演示2号")
    instruct(circulating["id"])
    docs.carry(clerk, circulating["id"])
    docs.confirm_reading(kf, circulating["id"])
    docs.carry(clerk, circulating["id"])
    asked = letter("关于二次供水设施清洗消毒的通知", "建〔2026〕演示3号")
    instruct(asked["id"])
    for reader in (kf, ba):
        docs.carry(clerk, asked["id"])
        docs.confirm_reading(reader, asked["id"])
    docs.carry(clerk, asked["id"])
    question = docs.ask(gc_staff, asked["id"], "清洗费用超出预算，是否申请专项资金？")
    docs.answer(manager, question["notes"][-1]["id"], "同意申请专项资金，报财务部审核。")
    letter("关于物业服务收费标准公示的通知", "建〔2026〕演示4号")  # for the manager's instructions

    def draft(title: str) -> dict[str, Any]:
        return docs.draft(gc_staff, title=title, addressee="业主委员会", kind="TZ",
                          body="经研究，定于下周对小区电梯进行集中维保，请业户配合。",
                          password=password)

    sent = draft("关于小区电梯集中维保的通知")
    docs.review(gc, sent["id"], approve=True, password=password)
    docs.signoff(manager, sent["id"], approve=True, password=password)
    docs.send(clerk, sent["id"], password=password)
    docs.record_execution(clerk, sent["id"], Execution.IN_PROGRESS.value, "维保单位已进场。")
    signed_off = draft("关于调整地下车库照明时间的通知")  # to be numbered and sent
    docs.review(gc, signed_off["id"], approve=True, password=password)
    docs.signoff(manager, signed_off["id"], approve=True, password=password)
    reviewed = draft("关于外墙清洗安排的通知")  # waiting for the manager's sign-off
    docs.review(gc, reviewed["id"], approve=True, password=password)
    draft("关于春节期间值班安排的通知")  # waiting for 李强's review

    liaison = docs.draft_liaison(gc_staff, title="关于配合配电房检修的联络单", to_dept="KF",
                                 body="本周六上午配电房检修停电两小时，请客服部提前通知业户。")
    docs.sign_liaison(gc, liaison["id"], password=password)
    docs.deliver(clerk, liaison["id"])
    docs.reply(kf, liaison["id"], "已于周四张贴停电通知并在业主群告知。")
    signed = docs.draft_liaison(kf, title="关于协助业户满意度回访的联络单", to_dept="BA",
                                body="请保安部在夜间巡查时协助发放满意度调查表。")
    docs.sign_liaison(kf, signed["id"], password=password)
    docs.draft_liaison(ba, title="关于调整夜间巡查路线的联络单", to_dept="GC",
                       body="地下车库照明改造期间，请工程部确认施工区域，以便调整巡查路线。")
    return 11
