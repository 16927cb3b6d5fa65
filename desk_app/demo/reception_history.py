"""Demo history for the monthly service report (issue 18): the four months before the two
that ``demo/reception.py`` logs (from 61 days before now back to the first day of the month
six before this one, about 180 days), lighter (6 entries a day at scale 1, against 12) and
improving month by month — answers and replies quicker, fewer complaints, more satisfied
customers at the call-back, more promises kept —, so the report's six months and their
trend read like an office's.

With the log: complaints analysed (cause and the staff they concern) and answered, replies
promised and kept or broken. The follow-up runs on to three days ago, through the months of
``demo/reception.py`` too, which has it only in its last days (its complaints name nobody):
the call-backs and messages of every month, promises on its entries, the staff its analysed
complaints concern — each of the report's months has its satisfaction, promises and messages.

Nothing here asks for anything today: a severe timeout was reviewed (the log's note, as
before reviews had a responsible person), a complaint closed, a call-back made, a message
confirmed (some only after a chase). Rows are inserted directly (history needs past times),
in one write transaction with one audit entry, drawn from a generator of its own: the rest
of the demo draws exactly as before.

The figures that make the trend are drawn evenly rather than at random (times spread over
each day's quantiles, shares kept by a running balance): a month of 180 entries drawn at
random has a median a bucket off and a 90th percentile anywhere in the tail, and the trend
would zigzag.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from desk_app.demo.archive import _Writer
from desk_app.demo.prefetch import ahead
from desk_app.demo.reception import (
    _CAUSES,
    _COMPANIES,
    _COMPLAINTS,
    _DEMO_CLERKS,
    _KINDS,
    _REQUESTS,
    _RESULTS,
    _SURNAMES,
    _TITLES,
    Thresholds,
    _insert,
    _level,
    _thresholds,
)
from desk_app.domain.reception import Channel, Targets
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.store.archive import tuples
from desk_app.store.db import is_postgresql
from desk_app.store.reception import CallBack, Complaint, ComplaintStaff, PhoneMessage

SEED = 20261118  # its own generator: demo/reception.py's draws stay as they were
FIRST_DAY = 61  # the history's newest day before now (demo/reception.py's days: 1 to 60)
MONTHS = 6  # its oldest: the first day of the month six before now's (about 180 days back)
OLDEST = 180  # the desk's pace is set from here (times SLOWER longer) to three days ago
FOLLOW_UP_UNTIL = 3  # call-backs, messages, promises up to 3 days ago (later: the demo's own)
PER_DAY = 6  # log entries a day at scale 1
SLOWER = 0.6  # the oldest day's times are this much longer than the log's

_CHANNELS = (Channel.VISIT, Channel.PHONE_IN, Channel.PHONE_IN, Channel.PHONE_OUT)
# (quantile, seconds) at the log's pace: demo/reception.py's times (answers: median 8 s;
# replies: median 4:00, a tenth of them over half an hour), as a continuous spread
_ANSWER_TIMES = ((0.0, 2), (0.2, 4), (0.5, 8), (0.8, 13), (0.9, 20), (0.97, 40), (1.0, 60))
_REPLY_TIMES = ((0.0, 40), (0.1, 65), (0.3, 150), (0.5, 240), (0.7, 340), (0.85, 700),
                (0.87, 1900), (0.93, 2100), (1.0, 2700))
PROMISED = 0.12  # share of entries with a reply promised
# complaints by category, the oldest months' weights: repairs (dispatches missed) fall as
# the signed months' analysis says (demo/reception_follow_up.py)
_CATEGORY_WEIGHTS = {"repairs": 5.0, "service_attitude": 3.0, "cleaning": 2.0, "noise": 2.0,
                     "parking": 1.5, "fees": 1.0, "security": 1.0, "facilities": 1.0,
                     "greening": 1.0, "other": 1.0}
_STAFF_CAUSES = frozenset({"staff_conduct", "delay", "procedure", "information"})
_COMPLAINT_REPLIES = ("已联系相关部门处理并回复业主", "已上门核实并整改，业主认可",
                      "已致歉并说明处理进度", "已更正并书面回复业主")
_CALLBACK_RESULTS = {
    "very_satisfied": "业主对处理速度和态度都很满意", "satisfied": "业主表示问题已解决",
    "neutral": "问题已解决，业主认为等待时间偏长", "dissatisfied": "业主反映问题反复出现，不满意",
    "unreachable": "三次致电无人接听"}
_MESSAGES = (
    ("钱女士", "装修押金退还手续已备齐，请回电约时间"), ("绿城园林 孙经理", "绿化养护合同续签事宜请回电"),
    ("赵先生", "漏水维修进度，请回电"), ("业委会 周主任", "业主大会场地安排需要商量"),
    ("顺丰速运 刘师傅", "退件明天上午来取，请备好单据"), ("长城宽带 吴工", "机房布线施工时间请确认"),
    ("华润燃气 郑师傅", "年度入户安检排期请确认"), ("12栋 陈先生", "车位租赁合同到期，请联系续租"))
_ADDRESSEES = ("liqiang", "zhangwei", "wangfang", "zhoumin")

Row = dict[str, Any]
VISIT_COLUMNS = ("channel", "name", "caller_title", "contact", "company", "request",
                 "request_type", "urgency", "result", "handler", "arrived_at", "answered_at",
                 "resolved_at", "ended_at", "timeout_level", "escalated_at", "reviewed_by",
                 "reviewed_at", "review_note", "created_by", "promised_at", "promised_by")
# an entry a call-back follows: id, name, title, contact, request, handler, arrival and
# resolution (on SQLite read back as text)
Followed = tuple[int, str, str, str, str, str, Any, Any]
_FOLLOWED = tuple(VISIT_COLUMNS.index(name) for name in (
    "name", "caller_title", "contact", "request", "handler", "arrived_at", "resolved_at"))
_PROMISED_AT = VISIT_COLUMNS.index("promised_at")
CALLBACKS = 1.6  # call-backs a day, at any scale (a month's share needs tens, not thousands)


def generate_history(service: Service, actor: Actor, scale: int = 1) -> dict[str, int]:
    """The history in one of ``service``'s write transactions, under one audit entry
    ``demo.reception_history``; returns what was added. Runs right after
    ``generate_reception`` (whose months it follows up), before the months are signed
    (demo/reception_follow_up.py: their complaints are all there by then).

    From about scale 70 (``prefetch.FORK_ROWS`` entries) the log's rows are made in a
    forked child while the parent writes them (demo/prefetch.py): making them is half the
    time."""
    now = service.ctx.clock.now()
    settings = getattr(service, "settings", None)
    targets = _thresholds(Targets.from_settings(settings.all()) if settings is not None
                          else Targets())
    rng, scale = random.Random(SEED), max(1, scale)
    kept = _Balance(("kept", "broken"))
    days = range(oldest_day(now), FIRST_DAY - 1, -1)
    per_day = PER_DAY * scale
    writer, db = _Writer(service.ctx), service.ctx.db
    with service.write() as tx:
        log = _log_to_follow_up(db, now, scale)  # the demo's own, before the history's
        before = _last_id(db, "visit")
        visits: list[tuple[Any, ...]] = []
        for batch in ahead(lambda: (_day(rng, now, day, per_day, targets, kept)
                                    for day in days), rng, per_day * len(days),
                           kept=lambda: kept.owed, restore=kept.owed.update):
            writer.insert("visit", VISIT_COLUMNS, batch)
            visits += batch
        visit_ids = _ids_after(db, "visit", before, len(visits))
        followed: list[Followed] = [
            (visit_ids[index], *(visits[index][column] for column in _FOLLOWED))
            for index in range(len(visits)) if rng.random() < CALLBACKS / per_day]
        promised = _promise_log(writer, rng, now, log, kept)
        staff = _staff_of_log()  # before the history's complaints
        before = _last_id(db, "complaint")
        complaints, concerned = _complaints(rng, now, scale)
        _insert(writer, Complaint, complaints)
        staff += [
            {"complaint": complaint_id, "user_name": user} for complaint_id, users in
            zip(_ids_after(db, "complaint", before, len(complaints)), concerned, strict=True)
            for user in users]
        _insert(writer, ComplaintStaff, staff)
        followed += [entry for entry in log if rng.random() < CALLBACKS / (2 * PER_DAY)]
        callbacks = _callbacks(rng, now, followed)
        _insert(writer, CallBack, callbacks)
        messages = _messages(rng, now)
        _insert(writer, PhoneMessage, messages)
        counts = {"history_visits": len(visits), "history_complaints": len(complaints),
                  "history_complaint_staff": len(staff), "history_callbacks": len(callbacks),
                  "history_messages": len(messages), "history_promises": promised + sum(
                      row[_PROMISED_AT] is not None for row in visits)}
        tx.audit(actor, "demo.reception_history", "visit", None, after=counts)
    for table in ("visit", "call_back", "complaint", "complaint_staff", "phone_message"):
        db.execute_sql(f"ANALYZE {table}")  # planner statistics for the new volume
    return counts


class _Balance:
    """Picks among ``choices`` so that over many picks each comes up in its share, evenly
    spread (a running balance per choice, the largest taken): no month runs lucky."""

    def __init__(self, choices: Sequence[str]) -> None:
        self.owed = dict.fromkeys(choices, 0.0)

    def pick(self, shares: Sequence[float]) -> str:
        for key, share in zip(self.owed, shares, strict=True):
            self.owed[key] += share
        key = max(self.owed, key=self.owed.__getitem__)
        self.owed[key] -= sum(shares)
        return key


def _last_id(db: Any, table: str) -> int:
    return int(db.execute_sql(f"SELECT MAX(id) FROM {table}").fetchone()[0] or 0)


def _ids_after(db: Any, table: str, before: int, count: int) -> list[int]:
    """The ids of the ``count`` rows just inserted, in order (those after the highest one
    before: nothing else writes inside this transaction)."""
    ids = [row_id for (row_id,) in db.execute_sql(
        f"SELECT id FROM {table} WHERE id > {int(before)} ORDER BY id").fetchall()]
    assert len(ids) == count
    return ids


def _when(value: Any) -> datetime:
    """A time read back raw: text on SQLite."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def oldest_day(now: datetime) -> int:
    """How many days back the history begins: on the first day of the month ``MONTHS``
    before now's, so the report of the last month that has ended has its six months whole
    (181 to 213 days back, by the day of the month)."""
    year, month = (now.year, now.month - MONTHS) if now.month > MONTHS \
        else (now.year - 1, now.month - MONTHS + 12)
    return (now.date() - date(year, month, 1)).days


def _age(day: int) -> float:
    """How far back a day is: 0 three days ago, 1 ``OLDEST`` days ago (the desk was worse;
    a little over 1 for older days)."""
    return (day - FOLLOW_UP_UNTIL) / (OLDEST - FOLLOW_UP_UNTIL)


def _day_start(now: datetime, day: int) -> datetime:
    """The office's morning ``day`` days back, placed as demo/reception.py places it."""
    return (now - timedelta(days=day)).replace(hour=0, minute=30, second=0, microsecond=0)


def _pick(rng: random.Random, choices: Sequence[Any]) -> Any:
    """``rng.choice``, at a third of its cost (tens of thousands of rows at scale 100)."""
    return choices[int(rng.random() * len(choices))]


def _phone(rng: random.Random) -> str:
    return f"1{_pick(rng, '3589')}{int(rng.random() * 1e9):09d}"


_ANSWER_AT = [share for share, _seconds in _ANSWER_TIMES]
_REPLY_AT = [share for share, _seconds in _REPLY_TIMES]


def _spread(knots: Sequence[tuple[float, int]], at: list[float], share: float) -> float:
    """The time at quantile ``share`` (0–1) of ``knots`` (their quantiles ``at``),
    geometric between them."""
    index = min(bisect.bisect_right(at, share), len(knots) - 1)
    (q0, v0), (q1, v1) = knots[index - 1], knots[index]
    return float(v0 * (v1 / v0) ** ((share - q0) / (q1 - q0)))


def _quantiles(rng: random.Random, count: int) -> list[float]:
    """``count`` shares, one in each ``1/count`` of 0–1, in random order."""
    slots = list(range(count))
    rng.shuffle(slots)
    return [(slot + rng.random()) / count for slot in slots]


_LEGACY_NOTE = "月度复盘时已与当班人员面谈，提醒及时接听与答复"


def _day(rng: random.Random, now: datetime, day: int, count: int, targets: Thresholds,
         kept: _Balance) -> list[tuple[Any, ...]]:
    """``count`` resolved entries of ``day`` days ago (``VISIT_COLUMNS``), slower the
    further back; each entry's level the one the timers give for its request type
    (checked by tests/services/test_demo_timeouts)."""
    slower = 1 + SLOWER * (day - FIRST_DAY) / (OLDEST - FIRST_DAY)
    morning = _day_start(now, day)
    rows = []
    for answer_at, reply_at in zip(_quantiles(rng, count), _quantiles(rng, count),
                                   strict=True):
        start = morning + timedelta(minutes=int(rng.random() * 541))
        channel = _pick(rng, _CHANNELS)
        answer = (0 if channel is Channel.PHONE_OUT
                  else round(_spread(_ANSWER_TIMES, _ANSWER_AT, answer_at) * slower))
        reply = max(answer + 1, round(_spread(_REPLY_TIMES, _REPLY_AT, reply_at) * slower))
        request = _pick(rng, _REQUESTS[channel])
        request_type, urgency = _KINDS.get(request, ("enquiry", "normal"))
        level = _level(answer, reply, targets[request_type, urgency])
        handler = _pick(rng, _DEMO_CLERKS)
        resolved = start + timedelta(seconds=reply)
        promised = (_promise(rng, start, resolved, day, kept) if rng.random() < PROMISED
                    else None)
        severe = level == 3  # reviewed in the log's note: never on the Timeouts tab
        rows.append((
            channel.value, _pick(rng, _SURNAMES), _pick(rng, _TITLES), _phone(rng),
            _pick(rng, _COMPANIES), request, request_type, urgency, _pick(rng, _RESULTS),
            handler, start, start + timedelta(seconds=answer), resolved,
            resolved + timedelta(minutes=int(rng.random() * 11)), level,
            resolved if severe else None, "liqiang" if severe else "",
            resolved + timedelta(hours=3) if severe else None, _LEGACY_NOTE if severe else "",
            handler, promised, handler if promised is not None else ""))
    return rows


def _promise(rng: random.Random, start: datetime, resolved: datetime, day: int,
             kept: _Balance) -> datetime:
    """The time a reply was promised by: kept more often as the months go by (two in
    three at first, nearly nine in ten three days ago)."""
    share = 0.9 - 0.25 * _age(day)
    if kept.pick((share, 1 - share)) == "kept":
        return resolved + timedelta(minutes=_pick(rng, (10, 30, 60)))
    return start + timedelta(seconds=(resolved - start).seconds // 2)


def _log_to_follow_up(db: Any, now: datetime, scale: int) -> list[Followed]:
    """demo/reception.py's resolved entries from 60 to 3 days ago, one in ``scale`` (12 a
    day at any scale; read raw)."""
    mark, modulo = ("%s", "%%") if is_postgresql(db) else ("?", "%")
    cursor = db.execute_sql(
        "SELECT id, name, caller_title, contact, request, handler, arrived_at, resolved_at "
        f"FROM visit WHERE arrived_at >= {mark} AND arrived_at < {mark} "
        f"AND resolved_at IS NOT NULL AND id {modulo} {int(scale)} = 0 ORDER BY id",
        (_day_start(now, FIRST_DAY - 1), _day_start(now, FOLLOW_UP_UNTIL - 1)))
    return [tuple(row) for row in cursor.fetchall()]


def _promise_log(writer: _Writer, rng: random.Random, now: datetime, log: list[Followed],
                 kept: _Balance) -> int:
    """Replies promised on some of demo/reception.py's entries (it has promises only on
    its last day's): as many a day at any scale, the share kept is what the report shows;
    returns how many."""
    changes = []
    for visit_id, *_row, handler, arrived, resolved in log:
        if rng.random() < PROMISED:
            start = _when(arrived)
            changes.append((_promise(rng, start, _when(resolved), (now - start).days, kept),
                            handler, visit_id))
    if changes:
        mark = writer.param
        writer.db.cursor().executemany(
            f"UPDATE visit SET promised_at = {mark}, promised_by = {mark} WHERE id = {mark}",
            changes)
    return len(changes)


def _staff_of_log() -> list[Row]:
    """The staff demo/reception.py's analysed complaints concern: their handler, when the
    cause is the staff's doing (it names nobody)."""
    query = Complaint.select(Complaint.id, Complaint.handler).where(
        Complaint.cause.in_(sorted(_STAFF_CAUSES)))
    return [{"complaint": complaint_id, "user_name": handler}
            for complaint_id, handler in tuples(query)]


def _complaints(rng: random.Random, now: datetime,
                scale: int) -> tuple[list[Row], list[tuple[str, ...]]]:
    """Complaints received on the history's days, fewer as the months go by (about 39 a
    month at first, 30 at the end, against the log's 24), all answered and closed, each
    with its cause; and the staff each concerns."""
    rows: list[Row] = []
    staff: list[tuple[str, ...]] = []
    categories = list(_CATEGORY_WEIGHTS)
    owed = 0.0
    for day in range(oldest_day(now), FIRST_DAY - 1, -1):
        age = _age(day)
        weights = [weight if key != "repairs" else 1.5 + (weight - 1.5) * age
                   for key, weight in _CATEGORY_WEIGHTS.items()]
        owed += (0.8 + 0.5 * age) * scale * (0.75 + rng.random() / 2)  # some days more
        while owed >= 1:
            owed -= 1
            category = rng.choices(categories, weights)[0]
            cause, cause_text = _CAUSES[category]
            handler = _pick(rng, _DEMO_CLERKS)
            received = (now - timedelta(days=day)).replace(
                hour=int(rng.random() * 11), minute=int(rng.random() * 60), second=0,
                microsecond=0)
            replied = received + timedelta(hours=_pick(rng, (2, 5, 12, 20, 30, 50)))
            rows.append({
                "received_at": received, "category": category,
                "name": _pick(rng, _SURNAMES) + _pick(rng, _TITLES),
                "contact": _phone(rng), "description": _COMPLAINTS[category],
                "handler": handler, "promised_at": received + timedelta(hours=24),
                "replied_at": replied, "replied_by": handler,
                "result": _pick(rng, _COMPLAINT_REPLIES), "created_by": handler,
                "severity": 2 if rng.random() < 0.1 else 1, "status": "closed",
                "cause": cause, "cause_text": cause_text, "reopened": 0,
                "closed_at": replied + timedelta(days=1 + int(rng.random() * 3))})
            both = rng.random() < 0.2
            staff.append(() if cause not in _STAFF_CAUSES else
                         _DEMO_CLERKS if both else (handler,))
    return rows, staff


def _callbacks(rng: random.Random, now: datetime, entries: list[Followed]) -> list[Row]:
    """A call-back after each of ``entries``, made a day to three later (none in the last
    days: demo/reception.py's own): more customers satisfied as the months go by (three in
    five of those reached at first, more than four in five lately)."""
    reached, satisfied = _Balance(("reached", "unreachable")), _Balance(("yes", "no"))
    rows = []
    latest = now - timedelta(days=FOLLOW_UP_UNTIL)
    for visit_id, name, title, contact, request, handler, arrived, resolved in entries:
        due = _when(resolved) + timedelta(days=1 + int(rng.random() * 3))
        done = due + timedelta(minutes=int(rng.random() * 121))
        if done >= latest:
            continue
        if reached.pick((0.92, 0.08)) == "unreachable":
            answer = "unreachable"
        elif satisfied.pick(_satisfied(now, due)) == "yes":
            answer = _pick(rng, ("very_satisfied", "satisfied", "satisfied"))
        else:
            answer = _pick(rng, ("neutral", "neutral", "dissatisfied"))
        rows.append({
            "visit": visit_id, "name": name, "caller_title": title,
            "contact": contact or _phone(rng), "purpose": "回访：" + request, "due_at": due,
            "handler": handler, "status": "unreachable" if answer == "unreachable" else "done",
            "done_at": done, "done_by": handler if rng.random() < 0.8 else _pick(rng, _DEMO_CLERKS),
            "result": _CALLBACK_RESULTS[answer], "satisfaction": answer,
            "created_at": _when(arrived), "created_by": handler, "channel": "phone",
            "complaint": None})
    return rows


def _satisfied(now: datetime, done: datetime) -> tuple[float, float]:
    """(satisfied, not) among the customers reached, by how long ago."""
    share = 0.86 - 0.26 * _age((now - done).days)
    return share, 1 - share


def _messages(rng: random.Random, now: datetime) -> list[Row]:
    """About one message every other day (at any scale, as demo/reception.py's), every one
    confirmed (one left unconfirmed would be on its addressee's Today, and the desk's chase
    list, for months): the further back, the more were confirmed only after a chase."""
    rows = []
    for day in range(oldest_day(now), FOLLOW_UP_UNTIL - 1, -1):
        if rng.random() >= 0.6:
            continue
        for_user = _pick(rng, _ADDRESSEES)
        taken_by = _pick(rng, [clerk for clerk in _DEMO_CLERKS if clerk != for_user])
        caller, text = _pick(rng, _MESSAGES)
        taken = _day_start(now, day) + timedelta(minutes=int(rng.random() * 541))
        chased = rng.random() < 0.1 + 0.4 * _age(day)
        waited = 70 + int(rng.random() * 530) if chased else 5 + int(rng.random() * 50)
        rows.append({
            "caller": caller, "caller_title": "", "contact": _phone(rng), "text": text,
            "for_user": for_user, "taken_at": taken, "taken_by": taken_by,
            "confirmed_at": taken + timedelta(minutes=waited), "chases": int(chased),
            "chased_at": taken + timedelta(minutes=60) if chased else None,
            "chased_by": taken_by if chased else ""})
    return rows
