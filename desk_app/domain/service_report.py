"""The monthly service report (issue 18; 000 part 4 on service quality, 002 on response
times): per agent and for the whole desk, the month's calls and visits, answer and reply
times (median and 90th percentile), timeouts by level, complaints and their causes, the
call-backs' satisfaction, promised replies kept and messages confirmed; and the trend
against the months before (002: "response time shortened by …%, satisfaction up by …").

Pure: the service reads the rows (``VisitRow`` …) and passes them here; nothing here reads
the database, the clock or the settings.

Definitions, so every figure can be checked by hand:

- *answer time*: arrival (or ring) → first answer, for visitors and incoming calls that were
  answered (an outgoing call has none);
- *reply time*: arrival → resolution, for every resolved entry;
- *median*: the middle value (the mean of the two middle ones for an even count); *90th
  percentile*: the nearest-rank value, the smallest time that 90 % of the entries stay
  within;
- an entry counts for its *handler* in the month it arrived; a complaint for each staff
  member it concerns in the month it was received; a call-back for whoever made it, in the
  month it was made; a message for its addressee, in the month it was taken;
- *satisfied*: "very satisfied" or "satisfied" among the call-backs that reached the
  customer; *promises kept*: resolved by the promised time, among the promises whose time
  has passed or that were resolved (those still pending are not counted);
- *trend*: this month against the one before, as per cent of the earlier value for times
  and counts, and in percentage points for shares.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from desk_app.domain.reception import Channel, format_elapsed, promise_state
from desk_app.i18n import N_, _

SATISFIED = frozenset({"very_satisfied", "satisfied"})
REACHED = frozenset({"very_satisfied", "satisfied", "neutral", "dissatisfied"})
HISTORY_MONTHS = 6  # the report's month and the five before it
FORMATS = ("pdf", "xlsx")  # the files it is written as
# plain strings: an enum member's ``.value`` costs a descriptor call per entry
VISIT, PHONE_OUT = Channel.VISIT.value, Channel.PHONE_OUT.value


@dataclass(frozen=True)
class VisitRow:
    handler: str
    channel: str
    arrived_at: datetime
    answered_at: datetime | None
    resolved_at: datetime | None
    timeout_level: int
    promised_at: datetime | None
    promised_by: str


@dataclass(frozen=True)
class ComplaintRow:
    cause: str  # a key of domain.complaints.CAUSES, or "" (not analysed yet)
    staff: tuple[str, ...]  # the user names it concerns


@dataclass(frozen=True)
class CallBackRow:
    done_by: str
    satisfaction: str  # a key of domain.reception.SATISFACTION, or ""


@dataclass(frozen=True)
class MessageRow:
    for_user: str
    confirmed: bool


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with ``share`` (0–1) of the values at
    or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    """One agent's month, or the whole desk's. Times in seconds; None when nothing was
    timed."""

    calls: int = 0
    visits: int = 0
    answer_times: list[float] = field(default_factory=list, repr=False)
    reply_times: list[float] = field(default_factory=list, repr=False)
    timeouts: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0})
    complaints: int = 0
    causes: dict[str, int] = field(default_factory=dict)
    callbacks: int = 0  # made this month
    reached: int = 0  # of them, the customer answered the question of satisfaction
    satisfied: int = 0
    dissatisfied: int = 0
    promises: int = 0  # kept or broken
    promises_kept: int = 0
    messages: int = 0
    messages_confirmed: int = 0

    @property
    def entries(self) -> int:
        return self.calls + self.visits

    @property
    def answer_median(self) -> float | None:
        return median(self.answer_times)

    @property
    def answer_p90(self) -> float | None:
        return percentile(self.answer_times, 0.9)

    @property
    def reply_median(self) -> float | None:
        return median(self.reply_times)

    @property
    def reply_p90(self) -> float | None:
        return percentile(self.reply_times, 0.9)

    @property
    def timeouts_total(self) -> int:
        return sum(self.timeouts.values())

    @property
    def satisfaction(self) -> float | None:
        return ratio(self.satisfied, self.reached)

    @property
    def promises_kept_share(self) -> float | None:
        return ratio(self.promises_kept, self.promises)

    @property
    def messages_confirmed_share(self) -> float | None:
        return ratio(self.messages_confirmed, self.messages)


def _add_visit(figures: Figures, row: VisitRow, now: datetime) -> None:
    if row.channel == VISIT:
        figures.visits += 1
    else:
        figures.calls += 1
    if row.answered_at is not None and row.channel != PHONE_OUT:
        figures.answer_times.append(max(0.0, (row.answered_at - row.arrived_at).total_seconds()))
    if row.resolved_at is not None:
        figures.reply_times.append(max(0.0, (row.resolved_at - row.arrived_at).total_seconds()))
    if row.timeout_level in figures.timeouts:
        figures.timeouts[row.timeout_level] += 1


def _add_promise(figures: Figures, row: VisitRow, now: datetime) -> None:
    state = promise_state(row.promised_at, row.resolved_at, now)
    if state in ("kept", "broken"):
        figures.promises += 1
        figures.promises_kept += state == "kept"


def _add_callback(figures: Figures, row: CallBackRow) -> None:
    figures.callbacks += 1
    if row.satisfaction in REACHED:
        figures.reached += 1
        figures.satisfied += row.satisfaction in SATISFIED
        figures.dissatisfied += row.satisfaction == "dissatisfied"


@dataclass(frozen=True)
class MonthFigures:
    """A month: the desk's figures and each agent's (by user name)."""

    month: str  # YYYY-MM
    desk: Figures
    agents: dict[str, Figures]


def month_figures(month: str, visits: Iterable[VisitRow], complaints: Iterable[ComplaintRow],
                  callbacks: Iterable[CallBackRow], messages: Iterable[MessageRow],
                  now: datetime) -> MonthFigures:
    """Everything counted once for the desk and once for the agent it belongs to."""
    desk = Figures()
    agents: dict[str, Figures] = {}

    def agent(name: str) -> Figures:
        figures = agents.get(name)
        if figures is None:
            figures = agents[name] = Figures()
        return figures

    for visit in visits:
        _add_visit(desk, visit, now)
        _add_visit(agent(visit.handler), visit, now)
        if visit.promised_at is not None:
            _add_promise(desk, visit, now)
            _add_promise(agent(visit.promised_by or visit.handler), visit, now)
    for complaint in complaints:
        desk.complaints += 1
        desk.causes[complaint.cause] = desk.causes.get(complaint.cause, 0) + 1
        for name in complaint.staff:
            figures = agent(name)
            figures.complaints += 1
            figures.causes[complaint.cause] = figures.causes.get(complaint.cause, 0) + 1
    for callback in callbacks:
        _add_callback(desk, callback)
        if callback.done_by:
            _add_callback(agent(callback.done_by), callback)
    for message in messages:
        for figures in (desk, agent(message.for_user)):
            figures.messages += 1
            figures.messages_confirmed += message.confirmed
    return MonthFigures(month, desk, agents)


# ---------------------------------------------------------------------- the trend

@dataclass(frozen=True)
class Change:
    """One figure this month against the month before. ``percent``: the change in per cent
    of the earlier value (times and counts) or in percentage points (shares); None when
    either month has no value (or the earlier one is 0). ``better``: whether the change is
    an improvement (shorter times, fewer timeouts and complaints, higher shares)."""

    key: str
    now: float | None
    before: float | None
    percent: float | None
    points: bool  # ``percent`` is in percentage points

    @property
    def better(self) -> bool | None:
        if self.percent is None or self.percent == 0 or self.key in NEUTRAL:
            return None
        return (self.percent > 0) == (self.key in HIGHER_IS_BETTER)


# figure key → (Figures attribute, a share given in percentage points)
TREND_FIGURES: Mapping[str, tuple[str, bool]] = {
    "entries": ("entries", False),
    "answer_median": ("answer_median", False),
    "reply_median": ("reply_median", False),
    "reply_p90": ("reply_p90", False),
    "timeouts": ("timeouts_total", False),
    "complaints": ("complaints", False),
    "satisfaction": ("satisfaction", True),
    "promises_kept": ("promises_kept_share", True),
    "messages_confirmed": ("messages_confirmed_share", True),
}
HIGHER_IS_BETTER = frozenset({"satisfaction", "promises_kept", "messages_confirmed"})
# "entries" is neither better nor worse: more callers is not the desk's doing
NEUTRAL = frozenset({"entries"})


def value_of(figures: Figures, key: str) -> float | None:
    attribute, _points = TREND_FIGURES[key]
    value = getattr(figures, attribute)
    return None if value is None else float(value)


def change(key: str, now: Figures, before: Figures | None) -> Change:
    _attribute, points = TREND_FIGURES[key]
    current = value_of(now, key)
    earlier = value_of(before, key) if before is not None else None
    if current is None or earlier is None:
        percent = None
    elif points:
        percent = round(100 * (current - earlier), 1)
    else:
        percent = round(100 * (current - earlier) / earlier, 1) if earlier else None
    return Change(key, current, earlier, percent, points)


# counts grow with the days: a month not ended yet is not compared on them
COUNTS = frozenset({"entries", "timeouts", "complaints"})


def trend(months: Sequence[MonthFigures], complete: bool = True) -> list[Change]:
    """The last month of ``months`` (oldest first) against the one before it; while it
    has not ended, its counts (a few days against a whole month) are not compared."""
    if not months:
        return []
    before = months[-2].desk if len(months) > 1 else None
    changes = [change(key, months[-1].desk, before) for key in TREND_FIGURES]
    if not complete:
        changes = [replace(item, percent=None) if item.key in COUNTS else item
                   for item in changes]
    return changes


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def months_back(year: int, month: int, count: int = HISTORY_MONTHS) -> list[tuple[int, int]]:
    """``count`` months ending with (year, month), oldest first."""
    months = [(year, month)]
    while len(months) < count:
        months.insert(0, previous_month(*months[0]))
    return months


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` → (year, month); a ValueError names what is wrong."""
    value = text.strip()
    parts = value.split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2 \
            or not (parts[0].isdigit() and parts[1].isdigit()):
        raise ValueError(value)
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise ValueError(value)
    return year, month


# ---------------------------------------------------------------------- the report

@dataclass(frozen=True)
class AgentLine:
    user: str
    name: str  # full name
    figures: Figures


@dataclass(frozen=True)
class ServiceReport:
    """What the report shows and prints: the month, whether it has ended, its figures and
    the five months' before."""

    year: int
    month: int
    generated_at: datetime
    complete: bool  # the month has ended: its figures no longer change
    history: list[MonthFigures]  # HISTORY_MONTHS months, oldest first; the last is this one
    names: dict[str, str]  # user name → full name

    @property
    def month_text(self) -> str:
        return month_text(self.year, self.month)

    @property
    def desk(self) -> Figures:
        return self.history[-1].desk

    @property
    def previous(self) -> Figures | None:
        return self.history[-2].desk if len(self.history) > 1 else None

    @property
    def number(self) -> str:
        return f"SVC-{self.year:04d}{self.month:02d}"

    def agents(self) -> list[AgentLine]:
        """This month's agents, by full name."""
        lines = [AgentLine(user, self.names.get(user, user), agent)
                 for user, agent in self.history[-1].agents.items() if user]
        return sorted(lines, key=lambda line: (line.name, line.user))

    def trend(self) -> list[Change]:
        return trend(self.history, self.complete)


# ---------------------------------------------------------------------- in words

TREND_LABELS: Mapping[str, str] = {
    "entries": N_("Calls and visits"),
    "answer_median": N_("Answer time (median)"),
    "reply_median": N_("Reply time (median)"),
    "reply_p90": N_("Reply time (90th percentile)"),
    "timeouts": N_("Timeouts"),
    "complaints": N_("Complaints"),
    "satisfaction": N_("Call-backs satisfied"),
    "promises_kept": N_("Promises kept"),
    "messages_confirmed": N_("Messages confirmed"),
}
TIMES = frozenset({"answer_median", "reply_median", "reply_p90"})


def time_text(seconds: float | None) -> str:
    """``4:10`` (minutes:seconds), ``1:02:03``; "—" when nothing was timed."""
    if seconds is None:
        return "—"
    from datetime import timedelta

    return format_elapsed(timedelta(seconds=round(seconds)))


def share_text(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def figure_text(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    if key in TIMES:
        return time_text(value)
    if TREND_FIGURES[key][1]:
        return share_text(value)
    return str(int(value))


def change_text(item: Change) -> str:
    """``−12.5 %``, ``+3.0 pts``; "—" when there is nothing to compare."""
    if item.percent is None:
        return "—"
    sign = "+" if item.percent > 0 else ("−" if item.percent < 0 else "±")
    number = f"{abs(item.percent):.1f}"
    return _("{sign}{number} pts").format(sign=sign, number=number) if item.points \
        else f"{sign}{number}%"


def change_words(item: Change) -> str:
    """002's words for a change: "shortened by 12.5%", "up by 3.0 pts", "unchanged"; "—"
    when there is nothing to compare."""
    if item.percent is None:
        return "—"
    if item.percent == 0:
        return _("unchanged")
    amount = change_text(item).lstrip("+−±")
    if item.key in TIMES:
        return (_("shortened by {amount}") if item.percent < 0
                else _("lengthened by {amount}")).format(amount=amount)
    return (_("up by {amount}") if item.percent > 0
            else _("down by {amount}")).format(amount=amount)


def change_sentence(item: Change) -> str:
    """"Reply time (median) shortened by 12.5% (6:10 → 5:24)"."""
    label = _(TREND_LABELS[item.key])
    values = f"{figure_text(item.key, item.before)} → {figure_text(item.key, item.now)}"
    if item.percent is None:
        return _("{figure}: no comparison ({values})").format(figure=label, values=values)
    return _("{figure} {change} ({values})").format(figure=label, change=change_words(item),
                                                      values=values)
