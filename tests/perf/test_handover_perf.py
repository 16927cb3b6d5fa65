"""The shift handover at office scale (issue 13). Same database and method as
``test_archive_perf`` (demo scale 100) plus 100,000 handovers in the history, the newest 500
with a full 300-line checklist; and a checklist of 300 lines for the handover run here.
Figures only; no thresholds are asserted (the issue's targets are printed beside them).

- Opening a 300-line handover (``show``) and the history's first page, next to the very
  SELECTs they ran replayed raw (``Bench`` of ``test_archive_perf``).
- Each counted line, committed, next to a bare UPDATE + COMMIT of one line on a plain
  ``sqlite3`` connection to the same file.
- The PDF of the 300-line handover with its three signatures (render + 3 ``sign_pdf``), next
  to the same form with an empty checklist; then the three signatures through the service.

Each run hands over the next free shift: the desk's clock is the real time moved on to a
shift nobody handed over yet (earlier runs took the earlier ones), so runs can repeat.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from desk_app.desk import Desk
from desk_app.domain.clock import local_today
from desk_app.forms.handover import render_handover
from desk_app.forms.verify import verify_pdf
from desk_app.services.handover.handover_queries import HandoverFilter
from desk_app.store.handover import ChecklistLine, Equipment, Handover, HandoverRefusal
from desk_app.store.models import User
from tests.perf.test_archive_perf import DB, Bench, big_desk  # noqa: F401 - the shared fixture

HANDOVERS = 100_000
WITH_LINES = 500  # the newest filler handovers carry a full checklist
LINES = 300
PREFIX = "JB2019-"  # a year of its own: the running numbers of the current year stay untouched
PASSWORD = "demo1234"
OUTGOING, INCOMING, SUPERVISOR = "wangfang", "zhoumin", "liqiang"


class MovedClock:
    """The real time moved on by ``offset`` (to a shift still free)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None) + self.offset


def _fill(desk: Desk) -> None:
    """100,000 locked handovers, two a day going back from yesterday (once per database)."""
    have = Handover.select().where(Handover.number.startswith(PREFIX)).count()
    if have >= HANDOVERS:
        return
    rng = random.Random(13)
    clerks = [u.id for u in User.select(User.id).where(User.name.in_(
        [OUTGOING, INCOMING, "liqiang"]))]
    supervisor = User.get(User.name == SUPERVISOR).id
    yesterday = local_today(datetime.now()) - timedelta(days=1)
    started = time.perf_counter()
    with desk.ctx.db.atomic():
        for start in range(have, HANDOVERS, 5000):
            rows = []
            for n in range(start, min(HANDOVERS, start + 5000)):
                day = yesterday - timedelta(days=n // 2)
                night = n % 2 == 0  # the newest is yesterday's night shift
                end = datetime(day.year, day.month, day.day, 16 if night else 9, 0)
                handed = end + timedelta(minutes=rng.choice((-5, 0, 2, 4, 11, 25)))
                outgoing, incoming = rng.sample(clerks, 2)
                rows.append({
                    "number": f"{PREFIX}{n + 1:06d}", "shift_day": day,
                    "shift": "night" if night else "day", "scheduled_at": end,
                    "outgoing": outgoing, "incoming": incoming, "supervisor": supervisor,
                    "status": "locked", "open_slot": None,
                    "started_at": end - timedelta(minutes=40),
                    "outgoing_signed_at": handed - timedelta(minutes=3),
                    "handed_over_at": handed, "locked_at": handed + timedelta(hours=1),
                    "version": 320})
            Handover.insert_many(rows).execute()
        newest = [h.id for h in Handover.select(Handover.id).where(
            Handover.number.startswith(PREFIX)).order_by(Handover.started_at.desc())
            .limit(WITH_LINES)]
        for handover in newest:
            lines = []
            for no in range(1, LINES + 1):
                bad = rng.random() < 0.02
                lines.append({"handover": handover, "no": no, "kind": "key",
                              "label": f"性能测试 key {no}", "tag": f"PF-{no:04d}",
                              "expected": 1, "found": 0 if bad else 1,
                              "condition": "missing" if bad else "good",
                              "counted_by": clerks[0], "discrepancy": bad})
            ChecklistLine.insert_many(lines).execute()
            if rng.random() < 0.1:
                HandoverRefusal.create(handover=handover, at=datetime.now(), by=clerks[0],
                                       reasons=json.dumps([{"code": "preparation",
                                                            "message": "性能测试"}]))
    print(f"\n{HANDOVERS - have} handovers added in {time.perf_counter() - started:.1f} s")


def _checklist(desk: Desk, clerk) -> None:
    """Enough active articles that the checklist has 300 lines; a few of them out."""
    from desk_app.store.handover import ChecklistTemplateLine

    have = (Equipment.select().where(Equipment.active & Equipment.on_checklist).count()
            + ChecklistTemplateLine.select().where(ChecklistTemplateLine.active).count())
    kinds = ("key", "key", "key", "supply", "phone", "radio", "document", "other")
    if have < LINES:
        taken = Equipment.select().where(Equipment.tag.startswith("PF-")).count()
        Equipment.insert_many([{
            "tag": f"PF-{n:04d}", "name": f"性能测试 article {n}", "kind": kinds[n % len(kinds)],
            "home": "key cabinet A", "count": 10 if kinds[n % len(kinds)] == "supply" else 1,
            "condition": "good", "on_checklist": True, "active": True,
            "created_at": datetime.now()} for n in range(taken + 1, taken + 1 + LINES - have)
        ]).execute()
    if desk.equipment.out_summary(clerk)["out"] < 8:
        tags = [e.tag for e in Equipment.select(Equipment.tag).where(
            Equipment.tag.startswith("PF-") & Equipment.active).order_by(Equipment.tag)]
        for tag in tags[::8][:8]:
            if desk.equipment.get(clerk, tag)["holder"] is None:
                desk.equipment.checkout(clerk, tag, SUPERVISOR, "性能测试")


def _free_shift(desk: Desk, clock: MovedClock, supervisor) -> None:
    """Move the clock to the first shift from now that nobody handed over, and put the two
    people on the rota of it and of the shift after it."""
    shifts = desk.shifts
    slot = shifts.slot_now()
    while Handover.select().where((Handover.shift_day == slot.day)
                                  & (Handover.shift == slot.name)).exists():
        slot = shifts.following(slot)
        clock.offset = (slot.start.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=30)
                        - datetime.now(UTC).replace(tzinfo=None))
        slot = shifts.slot_now()
    after = shifts.following(slot)
    shifts.assign(supervisor, slot.day, slot.name, [OUTGOING])
    shifts.assign(supervisor, after.day, after.name, [INCOMING])


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def test_handover_figures(big_desk):  # noqa: F811
    clock = MovedClock()
    desk = Desk.open(f"sqlite:///{DB}", clock=clock)  # the same file, on a clock we move
    try:
        _run(desk, clock)
    finally:
        desk.close()


def _run(desk: Desk, clock: MovedClock) -> None:
    _fill(desk)
    outgoing = desk.auth.login(OUTGOING, PASSWORD)
    incoming = desk.auth.login(INCOMING, PASSWORD)
    supervisor = desk.auth.login(SUPERVISOR, PASSWORD)
    handovers = desk.handovers
    if handovers.current(outgoing) is not None:  # an earlier run stopped half-way
        Handover.update(status="locked", open_slot=None).where(Handover.open_slot == 1).execute()
    _checklist(desk, outgoing)
    _free_shift(desk, clock, supervisor)
    bench = Bench(desk)
    total = bench.raw.execute("SELECT count(*) FROM handover").fetchone()[0]
    print(f"\n{total} handovers in the history; handing over the "
          f"{desk.shifts.slot_now().name} shift of {desk.shifts.slot_now().day}")

    started = time.perf_counter()
    record = handovers.start(outgoing, INCOMING)
    print(f"{'start (checklist built, committed)':<40} {_ms(started):8.1f} ms")
    hid = record["id"]
    print(f"checklist: {len(record['lines'])} lines, {len(record['entries'])} entries carried")
    handovers.add_entry(outgoing, hid, "problem", "二號空調機組跳脫 AHU-2 tripped",
                        cause="過載 overload", process="Reset by 機電 at 15:40",
                        result="Running, watched", major=True, resolved=True)
    handovers.add_entry(outgoing, hid, "instruction", "主管指示：夜班每兩小時巡查機房")
    bench.measure(f"show a {len(record['lines'])}-line handover  [target 200]",
                  lambda: handovers.show(incoming, hid))

    # Every line counted by the incoming person, committed one by one, as at the desk.
    count_ms = []
    for line in record["lines"]:
        short = line["no"] % 50 == 0 and line["expected"] > 0
        found = line["expected"] - 1 if short else line["expected"]
        started = time.perf_counter()
        handovers.count(incoming, hid, line["no"], found,
                        note="少一個 one short" if short else "")
        count_ms.append(_ms(started))
    first = record["lines"][0]
    raw_ms = []
    for _ in range(25):
        started = time.perf_counter()
        bench.raw.execute("UPDATE checklist_line SET found = ?, counted_at = ? "
                          "WHERE handover_id = ? AND no = ?",
                          (first["expected"], datetime.now().isoformat(" "), hid, first["no"]))
        bench.raw.commit()
        raw_ms.append(_ms(started))
    median, raw = statistics.median(count_ms), statistics.median(raw_ms)
    print(f"{'count one line, committed  [target 30]':<40} {median:8.1f} ms   "
          f"bare UPDATE+COMMIT {raw:7.1f} ms   ratio {median / raw:5.2f}x   "
          f"(p95 {sorted(count_ms)[int(len(count_ms) * 0.95)]:.1f}, max {max(count_ms):.1f} ms)")
    bench.measure("show again, all counted", lambda: handovers.show(incoming, hid))

    history = HandoverFilter()
    bench.measure("history first page (count+page)  [target 100]",
                  lambda: (handovers.count_history(supervisor, history),
                           handovers.page(supervisor, history, 0, 100)))
    bench.measure("history first page only", lambda: handovers.page(supervisor, history, 0, 100))
    bench.measure("history page in the middle",
                  lambda: handovers.page(supervisor, history, total // 2, 100))
    for name, flt in (("status locked", HandoverFilter(status="locked")),
                      ("person", HandoverFilter(person=INCOMING)),
                      ("number typed", HandoverFilter(text="JB2019-0999")),
                      ("discrepancies only", HandoverFilter(discrepancies_only=True))):
        def first_page(flt: HandoverFilter = flt) -> object:
            return handovers.count_history(supervisor, flt), handovers.page(supervisor, flt, 0, 100)

        bench.measure(f"history '{name}' (count+page)", first_page)

    _pdf_figures(desk, outgoing, incoming, supervisor, hid)
    _signed_through_the_service(desk, outgoing, incoming, supervisor, hid)


def _pdf_figures(desk: Desk, outgoing, incoming, supervisor, hid: int) -> None:
    """render + 3 sign_pdf of the 300-line record, beside the same with an empty checklist."""
    keys, data = desk.keys, desk.handovers.show(outgoing, hid)
    data["printed_at"] = desk.ctx.clock.now()

    def signed(data) -> tuple[float, float, bytes]:
        started = time.perf_counter()
        pdf = render_handover(data, "性能测试")
        render = _ms(started)
        for actor, field in ((outgoing, "outgoing"), (incoming, "incoming"),
                             (supervisor, "supervisor")):
            pdf = keys.sign_pdf(actor, pdf, field, PASSWORD, None, field)
        return render, _ms(started), pdf

    empty = {**data, "lines": []}
    signed(empty)  # warm up: fonts, pyHanko, keys
    runs = [signed(data) for _ in range(3)]
    bases = [signed(empty) for _ in range(3)]
    render, whole = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    base_render = statistics.median(b[0] for b in bases)
    base_whole = statistics.median(b[1] for b in bases)
    print(f"{'PDF render, 300 lines':<40} {render:8.1f} ms   empty checklist "
          f"{base_render:7.1f} ms   ratio {render / base_render:5.2f}x")
    print(f"{'PDF render + 3 sign_pdf  [target 2000]':<40} {whole:8.1f} ms   empty checklist "
          f"{base_whole:7.1f} ms   ratio {whole / base_whole:5.2f}x   "
          f"({len(runs[0][2]) // 1024} KB)")
    report = verify_pdf(runs[0][2], keys.ca_certificate())
    assert report.ok and len(report.signatures) == 3, report.problems


def _signed_through_the_service(desk: Desk, outgoing, incoming, supervisor, hid: int) -> None:
    handovers = desk.handovers
    times = []
    for actor, step in ((outgoing, handovers.sign), (incoming, handovers.sign),
                        (supervisor, handovers.countersign)):
        started = time.perf_counter()
        step(actor, hid, PASSWORD)
        times.append(_ms(started))
    print(f"{'service sign, sign, countersign':<40} {sum(times):8.1f} ms   "
          f"({', '.join(f'{t:.0f}' for t in times)} ms)")
    report = verify_pdf(handovers.pdf(supervisor, hid), desk.keys.ca_certificate())
    assert report.ok and [s.field_name for s in report.signatures] == [
        "outgoing", "incoming", "supervisor"], report.problems
    assert handovers.show(supervisor, hid)["status"] == "locked"
