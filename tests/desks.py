"""Several desks on one database at once (issue 9).

Shared by ``tests/services/test_multi_desk.py`` (correctness, in the normal run) and
``tests/perf/test_multi_desk_perf.py`` (``make perf``): the set-up of a "floor" (clerks,
items, borrowers) in the parent, the desk processes (the "spawn" context, each with its own
``Desk``), and the bookkeeping of what each desk got acknowledged or refused.

A desk records an operation as ACKNOWLEDGED when the service returned (with the slip or
receipt number, the loan id, the renewal count it reported). A refusal with one of the
clear errors (Conflict, ValidationError, NotFound, AuthenticationFailed) is counted by
class; anything else the service lets out (IntegrityError, OperationalError,
AssertionError, any non-DeskError) is an UNEXPECTED error and kept with its message.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import random
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desk_app.desk import Desk
from desk_app.domain.errors import AuthenticationFailed, Conflict, NotFound, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import set_language
from desk_app.services.loans import BorrowerInput
from tests.conftest import PASSWORD

CLEAR = (Conflict, ValidationError, NotFound, AuthenticationFailed)
KINDS = ("TZ", "ZD", "ZL", "HJ", "ZJ", "BG", "JB", "JY", "ZF", "TZG", "SC", "YH", "CL", "LL")
START_TIMEOUT = 120.0  # spawning and signing in eight or sixteen desks on two cores
STEP_TIMEOUT = 60.0


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


# ---------------------------------------------------------------------------- the floor


@dataclass(frozen=True)
class Floor:
    """Who and what the desks work with; picklable, handed to every desk process."""

    url: str
    clerks: tuple[str, ...]  # one per desk
    own: tuple[tuple[str, ...], ...]  # item refs only that desk touches
    shared: tuple[str, ...]  # item refs every desk contends for
    renew_targets: tuple[str, ...]  # lent before the start; all desks renew each at once
    return_targets: tuple[str, ...]  # lent before the start; all desks return each at once
    victim: str  # the user name every desk guesses passwords for
    auditor: str
    setup_clerk: str

    @property
    def desks(self) -> int:
        return len(self.clerks)

    @staticmethod
    def borrower(index: int) -> BorrowerInput:
        return BorrowerInput(name=f"借阅人 {index:02d}", contact=f"138-0000-{index:04d}",
                             organisation="multi-desk")


def build_floor(desk: Desk, url: str, *, desks: int, own_per_desk: int, shared: int = 0,
                bursts: int = 0) -> Floor:
    """An admin, one clerk per desk, a victim, an auditor, the items; every borrower exists
    (a first lend creates it: two desks creating the same borrower at once is not what
    these runs measure), the burst targets are lent."""
    users = desk.users
    users.create_first_admin("admin", PASSWORD, "系统管理员")
    admin = desk.auth.login("admin", PASSWORD)
    clerks = tuple(f"clerk{index:02d}" for index in range(desks))
    for name in clerks:
        users.add(admin, name, PASSWORD, "clerk")
    users.add(admin, "victim", PASSWORD, "clerk")
    users.add(admin, "auditor1", PASSWORD, "auditor")
    users.add(admin, "setup1", PASSWORD, "clerk")
    setup = desk.auth.login("setup1", PASSWORD)

    def add(ref: str, kind: int) -> str:
        return desk.archive.add_item(setup, title=f"多台测试 {ref}", kind=KINDS[kind % len(KINDS)],
                                     dept="BA", level="public", ref=ref).ref

    # Kinds vary as on a real floor: the desks lending at the same moment lend items of
    # different kinds (a lock on the kind row would otherwise serialise them all).
    own = tuple(tuple(add(f"MD-D{index:02d}-{k:03d}", index + k * desks)
                      for k in range(own_per_desk)) for index in range(desks))
    common = tuple(add(f"MD-S-{k:03d}", k) for k in range(shared))
    renew = tuple(add(f"MD-RN-{k:02d}", k) for k in range(bursts))
    back = tuple(add(f"MD-RT-{k:02d}", k) for k in range(bursts))
    for index in range(desks):
        desk.loans.lend(setup, [own[index][0]], Floor.borrower(index), "set-up")
        desk.loans.return_items(setup, [own[index][0]])
    for ref in renew + back:
        desk.loans.lend(setup, [ref], Floor.borrower(0), "set-up")
    return Floor(url=url, clerks=clerks, own=own, shared=common, renew_targets=renew,
                 return_targets=back, victim="victim", auditor="auditor1", setup_clerk="setup1")


# ---------------------------------------------------------------------------- bookkeeping


@dataclass
class Tally:
    """What one desk process tried, got acknowledged, got refused, and what went wrong."""

    desk: str
    acks: list[dict[str, Any]] = field(default_factory=list)
    tried: Counter = field(default_factory=Counter)  # (op, scope) -> n
    refused: Counter = field(default_factory=Counter)  # (op, scope, error class) -> n
    unexpected: list[tuple[str, str, str, str]] = field(default_factory=list)  # op, scope, class, msg
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    crashed: str | None = None  # a failure outside any operation (sign-in, barrier)
    elapsed: float = 0.0  # of the timed phase

    def call(self, op: str, scope: str, fn: Callable[[], Any]) -> Any:
        self.tried[(op, scope)] += 1
        started = time.perf_counter()
        try:
            result = fn()
        except CLEAR as error:
            self.refused[(op, scope, type(error).__name__)] += 1
            return None
        except Exception as error:  # that is what is being counted
            self.unexpected.append((op, scope, type(error).__name__, first_line(error)))
            return None
        self.seconds[op].append(time.perf_counter() - started)
        return result

    def lend(self, desk: Desk, clerk: Actor, refs: list[str], borrower: BorrowerInput,
             scope: str) -> bool:
        slip = self.call("lend", scope, lambda: desk.loans.lend(clerk, refs, borrower, "多台并发"))
        if slip is None:
            return False
        self.acks.append({"op": "lend", "scope": scope, "desk": self.desk, "slip": slip["number"],
                          "slip_id": slip["id"], "refs": sorted(refs),
                          "shown": sorted(item["ref"] for item in slip["items"])})
        return True

    def give_back(self, desk: Desk, clerk: Actor, refs: list[str], scope: str) -> bool:
        receipt = self.call("return", scope, lambda: desk.loans.return_items(clerk, refs))
        if receipt is None:
            return False
        self.acks.append({"op": "return", "scope": scope, "desk": self.desk,
                          "receipt": receipt["number"], "receipt_id": receipt["id"],
                          "refs": sorted(refs),
                          "shown": sorted(item["ref"] for item in receipt["items"])})
        return True

    def renew(self, desk: Desk, clerk: Actor, ref: str, scope: str) -> bool:
        row = self.call("renew", scope, lambda: desk.loans.renew(clerk, ref))
        if row is None:
            return False
        self.acks.append({"op": "renew", "scope": scope, "desk": self.desk, "loan": row["id"],
                          "renewals": row["renewals"], "ref": ref})
        return True

    def guess(self, desk: Desk, name: str, attempt: int) -> None:
        actor = self.call("login", "guess",
                          lambda: desk.auth.login(name, f"wrong-{self.desk}-{attempt}"))
        if actor is not None:
            self.acks.append({"op": "login", "scope": "guess", "desk": self.desk, "user": name})


@dataclass
class Outcome:
    """Everything the desk processes and the verifier sent back."""

    tallies: list[Tally]
    missing: list[str]  # desks that sent nothing (died or hung)
    verifier: dict[str, Any] | None = None

    def acks(self, op: str | None = None, scope: str | None = None) -> list[dict[str, Any]]:
        return [ack for tally in self.tallies for ack in tally.acks
                if (op is None or ack["op"] == op) and (scope is None or ack["scope"] == scope)]

    def refused(self) -> Counter:
        total: Counter = Counter()
        for tally in self.tallies:
            total.update(tally.refused)
        return total

    def unexpected(self) -> list[tuple[str, str, str, str]]:
        return [error for tally in self.tallies for error in tally.unexpected]

    def unexpected_by_kind(self) -> dict[tuple[str, str, str], tuple[int, str]]:
        """(op, scope, class) -> (how many, the first message)."""
        grouped: dict[tuple[str, str, str], tuple[int, str]] = {}
        for op, scope, name, message in self.unexpected():
            count, first = grouped.get((op, scope, name), (0, message))
            grouped[(op, scope, name)] = (count + 1, first)
        return grouped

    def crashed(self) -> list[str]:
        return [f"{tally.desk}: {tally.crashed}" for tally in self.tallies if tally.crashed]

    def summary(self) -> str:
        tried: Counter = Counter()
        for tally in self.tallies:
            tried.update(tally.tried)
        acked = Counter((ack["op"], ack["scope"]) for ack in self.acks())
        refused = self.refused()
        unexpected = Counter((op, scope, name) for op, scope, name, _ in self.unexpected())
        lines = [f"{'operation':<22} {'tried':>6} {'acked':>6}  refused / UNEXPECTED by class"]
        for op, scope in sorted(tried):
            parts = [f"{name} {n}" for (o, s, name), n in sorted(refused.items())
                     if (o, s) == (op, scope)]
            parts += [f"UNEXPECTED {name} {n}" for (o, s, name), n in sorted(unexpected.items())
                      if (o, s) == (op, scope)]
            lines.append(f"{op + '/' + scope:<22} {tried[(op, scope)]:>6} "
                         f"{acked[(op, scope)]:>6}  {', '.join(parts) or '-'}")
        for (op, scope, name), (count, message) in sorted(self.unexpected_by_kind().items()):
            lines.append(f"  UNEXPECTED {op}/{scope}: {count} x {name}: {message}")
        lines += [f"  CRASHED {text}" for text in self.crashed()]
        lines += [f"  MISSING {name}: sent no result" for name in self.missing]
        if self.verifier is not None:
            reports = self.verifier["reports"]
            broken = [r for r in reports if not r[0]]
            lines.append(f"verifier: {len(reports)} verifies during the run, {len(broken)} "
                         f"reported a broken chain, {len(self.verifier['errors'])} errors")
            for _ok, count, seq, problem, _seconds in broken[:3]:
                lines.append(f"  BROKEN at {seq} of {count}: {problem}")
            errors = Counter(self.verifier["errors"])
            for (name, message), count in errors.most_common(3):
                lines.append(f"  verifier error {count} x {name}: {message}")
            if self.verifier["crashed"]:
                lines.append(f"  verifier CRASHED: {self.verifier['crashed']}")
        return "\n".join(lines)


# ---------------------------------------------------------------------------- processes


def open_desk(url: str, user: str) -> tuple[Desk, Actor]:
    set_language("en")
    desk = Desk.open(url)
    return desk, desk.auth.login(user, PASSWORD)


def chain_verifies(desk: Desk, admin: str = "boss") -> None:
    """The audit chain verifies, read by a new auditor (``admin`` adds one)."""
    boss = desk.auth.login(admin, PASSWORD)
    desk.users.add(boss, "auditor1", PASSWORD, "auditor")
    report = desk.audit.verify(desk.auth.login("auditor1", PASSWORD))
    assert report.ok, report


def close_desk(desk: Desk | None) -> None:
    if desk is not None:
        with contextlib.suppress(Exception):  # closing after a failure, which is reported
            desk.close()


def desk_worker(floor: Floor, index: int, barrier, results, seconds: float, guesses: int,
                think: float) -> None:
    """One desk. At the barrier, all desks at once: lend and return an item of their own,
    renew one same loan, return one same item, guess passwords for one user; then a mixed
    workload of its own and the shared items for ``seconds``."""
    tally = Tally(f"desk{index:02d}")
    desk = None
    try:
        desk, clerk = open_desk(floor.url, floor.clerks[index])
        limit = int(desk.settings.value("max_renewals"))
        barrier.wait(START_TIMEOUT)
        out = _at_once_own(desk, clerk, floor, index, barrier, tally)
        for ref in floor.renew_targets:
            barrier.wait(STEP_TIMEOUT)
            tally.renew(desk, clerk, ref, "same-at-once")
        for ref in floor.return_targets:
            barrier.wait(STEP_TIMEOUT)
            tally.give_back(desk, clerk, [ref], "same-at-once")
        if guesses:
            barrier.wait(STEP_TIMEOUT)
            for attempt in range(guesses):
                tally.guess(desk, floor.victim, attempt)
        barrier.wait(STEP_TIMEOUT)
        _mixed(desk, clerk, floor, index, tally, seconds, limit, think, out)
    except threading.BrokenBarrierError:
        tally.crashed = tally.crashed or "the barrier broke (another desk failed or timed out)"
    except Exception:  # reported to the parent
        tally.crashed = traceback.format_exc()
        barrier.abort()
    finally:
        close_desk(desk)
        results.put(("desk", index, tally))


def _at_once_own(desk: Desk, clerk: Actor, floor: Floor, index: int, barrier,
                 tally: Tally) -> set[str]:
    """Every desk lends one of its own items at the same moment (different items, so all
    must succeed), then every desk returns it at the same moment; the items left out."""
    out: set[str] = set()
    refs = floor.own[index][:len(floor.renew_targets)]
    for ref in refs:
        barrier.wait(STEP_TIMEOUT)
        if tally.lend(desk, clerk, [ref], floor.borrower(index), "own-at-once"):
            out.add(ref)
    for ref in refs:
        barrier.wait(STEP_TIMEOUT)
        if ref in out and tally.give_back(desk, clerk, [ref], "own-at-once"):
            out.discard(ref)
    return out


def _mixed(desk: Desk, clerk: Actor, floor: Floor, index: int, tally: Tally, seconds: float,
           limit: int, think: float, out: set[str] | frozenset[str] = frozenset()) -> None:
    rng = random.Random(index)
    # None: on the shelf; n: lent and renewed n times (items an at-once return left out: 0)
    state: dict[str, int | None] = {ref: 0 if ref in out else None for ref in floor.own[index]}
    borrower = floor.borrower(index)
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if not floor.shared or rng.random() < 0.6:
            here = [ref for ref, n in state.items() if n is None]
            lent = [ref for ref, n in state.items() if n is not None]
            renewable = [ref for ref in lent if (state[ref] or 0) < limit]
            roll = rng.random()
            if here and (not lent or roll < 0.45):
                refs = rng.sample(here, min(len(here), rng.choice((1, 1, 2))))
                if tally.lend(desk, clerk, refs, borrower, "own"):
                    state.update(dict.fromkeys(refs, 0))
            elif roll < 0.85 or not renewable:
                refs = rng.sample(lent, min(len(lent), rng.choice((1, 1, 2))))
                if tally.give_back(desk, clerk, refs, "own"):
                    state.update(dict.fromkeys(refs))
            else:
                ref = rng.choice(renewable)
                if tally.renew(desk, clerk, ref, "own"):
                    state[ref] = (state[ref] or 0) + 1
        else:
            ref = rng.choice(floor.shared)
            op = rng.choices(("lend", "return", "renew"), (4, 4, 2))[0]
            if op == "lend":
                tally.lend(desk, clerk, [ref], borrower, "shared")
            elif op == "return":
                tally.give_back(desk, clerk, [ref], "shared")
            else:
                tally.renew(desk, clerk, ref, "shared")
        if think:
            time.sleep(rng.uniform(0, think))
    tally.elapsed = time.monotonic() - started


def verifier_worker(url: str, auditor: str, stop, results, pause: float) -> None:
    """Another desk running ``audit verify`` over and over while the others write."""
    out: dict[str, Any] = {"reports": [], "errors": [], "crashed": None}
    desk = None
    try:
        desk, actor = open_desk(url, auditor)
        while not stop.is_set():
            started = time.perf_counter()
            try:
                report = desk.audit.verify(actor)
            except Exception as error:  # reported to the parent
                out["errors"].append((type(error).__name__, first_line(error)))
            else:
                out["reports"].append((report.ok, report.count, report.broken_seq,
                                       report.problem, time.perf_counter() - started))
            stop.wait(pause)
    except Exception:  # reported to the parent
        out["crashed"] = traceback.format_exc()
    finally:
        close_desk(desk)
        results.put(("verifier", 0, out))


def run_floor(floor: Floor, *, seconds: float, guesses: int = 0, think: float = 0.0,
              verifier_pause: float | None = None, timeout: float = 300.0,
              worker: Callable[..., None] = desk_worker) -> Outcome:
    """Start every desk (and the verifier, unless ``verifier_pause`` is None), wait for
    their results; a desk that died or hung is named in ``Outcome.missing``."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(floor.desks)
    results = ctx.Queue()
    stop = ctx.Event()
    processes = [ctx.Process(target=worker, name=f"desk{index:02d}",
                             args=(floor, index, barrier, results, seconds, guesses, think))
                 for index in range(floor.desks)]
    verifier = None
    if verifier_pause is not None:
        verifier = ctx.Process(target=verifier_worker, name="verifier",
                               args=(floor.url, floor.auditor, stop, results, verifier_pause))
        verifier.start()
    for process in processes:
        process.start()
    tallies: dict[int, Tally] = {}
    verifier_out = None
    deadline = time.monotonic() + timeout
    try:
        while len(tallies) < floor.desks:
            try:
                kind, index, payload = results.get(timeout=max(1.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if kind == "desk":
                tallies[index] = payload
            else:
                verifier_out = payload
        stop.set()
        if verifier is not None and verifier_out is None:
            try:
                _kind, _index, verifier_out = results.get(timeout=120)
            except queue.Empty:
                verifier_out = {"reports": [], "errors": [], "crashed": "sent no result"}
    finally:
        stop.set()
        for process in [*processes, *([verifier] if verifier else [])]:
            process.join(30)
            if process.is_alive():
                process.terminate()
                process.join(10)
    missing = [f"desk{index:02d}" for index in range(floor.desks) if index not in tallies]
    return Outcome([tallies[i] for i in sorted(tallies)], missing, verifier_out)


def run_desks(worker: Callable[..., None], args: list[tuple[Any, ...]],
              timeout: float) -> dict[int, dict[str, Any]]:
    """Start ``worker(*args[i], barrier, results)`` for desk i in its own "spawn" process
    (one barrier for all of them), and collect what each put on ``results`` as
    ``(index, out)`` within ``timeout`` seconds each; desks still alive after are stopped.
    A desk that sent nothing is missing from the result (the caller asserts on it)."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(args)), ctx.Queue()
    processes = [ctx.Process(target=worker, args=(*desk_args, barrier, results))
                 for desk_args in args]
    for process in processes:
        process.start()
    outs: dict[int, dict[str, Any]] = {}
    try:
        while len(outs) < len(args):
            index, out = results.get(timeout=timeout)
            outs[index] = out
    except queue.Empty:
        pass
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.terminate()
    return outs


def recorder(out: dict[str, Any], ack: Callable[[str, Any], Any] = lambda op, value: (op, value),
             clear: tuple[type[BaseException], ...] = CLEAR,
             ) -> Callable[[str, Callable[[], Any]], Any]:
    """``call(op, fn)`` for a desk worker: runs ``fn`` and records in ``out`` (``acks``,
    ``refused``, ``unexpected``) what became of it — acknowledged (as ``ack(op, value)``),
    refused with a clear error (``clear``: the errors the test expects), or anything else,
    which is a defect the test reports."""
    out.setdefault("acks", [])
    out.setdefault("refused", Counter())
    out.setdefault("unexpected", [])

    def call(op: str, fn: Callable[[], Any]) -> Any:
        try:
            value = fn()
        except clear as error:
            out["refused"][(op, type(error).__name__)] += 1
            return None
        except Exception as error:  # anything else is a defect the test reports
            out["unexpected"].append((op, type(error).__name__, first_line(error)))
            return None
        out["acks"].append(ack(op, value))
        return value

    return call
