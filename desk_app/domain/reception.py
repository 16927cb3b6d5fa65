"""Reception rules (R13, R14): script placeholders and rendering, response-timer levels (the
forbidden-phrase checker is ``domain.phrase_check``). Pure Python: the service layer passes
in data and the clock's times.

Template syntax: ``{name}`` is a placeholder, ``{name|fallback}`` uses ``fallback`` when no value is
given (``{name|}`` may stay empty), ``{{`` and ``}}`` are literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from desk_app.domain import pinyin, timeouts
from desk_app.domain import text as text_rules
from desk_app.domain.errors import ValidationError
from desk_app.domain.labelled import LabelledIntEnum, LabelledStrEnum
from desk_app.i18n import N_, _

LANGS: tuple[str, ...] = ("zh_CN", "zh_TW", "en")

# ------------------------------------------------------------------------------ situations


@dataclass(frozen=True)
class Situation:
    key: str
    group: str
    label: str  # untranslated; shown through _()


SITUATIONS: tuple[Situation, ...] = (
    Situation("visitor.greet", "visitor", N_("Greet a visitor")),
    Situation("visitor.offer_help", "visitor", N_("Offer help")),
    Situation("visitor.acknowledge", "visitor", N_("Acknowledge")),
    Situation("visitor.ask_repeat", "visitor", N_("Ask to repeat")),
    Situation("visitor.ask_wait", "visitor", N_("Ask to wait")),
    Situation("visitor.thank_waiting", "visitor", N_("Thank for waiting")),
    Situation("visitor.apologise", "visitor", N_("Apologise for a mistake")),
    Situation("visitor.refuse", "visitor", N_("Decline a request politely")),
    Situation("visitor.farewell", "visitor", N_("Farewell")),
    Situation("phone.answer", "phone", N_("Answer with the company name")),
    Situation("phone.transfer", "phone", N_("Transfer a call")),
    Situation("phone.take_message", "phone", N_("Take a message")),
    Situation("phone.not_available", "phone", N_("Person not available")),
    Situation("phone.callback_opening", "phone", N_("Call-back opening")),
    Situation("phone.identity_check", "phone", N_("Identity check")),
    Situation("phone.closing", "phone", N_("Closing a call")),
    Situation("complaint.receive", "complaint", N_("Receive a complaint")),
    Situation("complaint.apologise", "complaint", N_("Apologise")),
    Situation("complaint.promise_reply", "complaint", N_("Promise a reply time")),
)
SITUATION_BY_KEY: dict[str, Situation] = {s.key: s for s in SITUATIONS}


def situation_label(key: str) -> str:
    found = SITUATION_BY_KEY.get(key)
    return _(found.label) if found else key


def phrase_search_keys(short: Iterable[str], long: Iterable[str]) -> str:
    """What the phrase palette matches typed pinyin against: full pinyin and initials of the
    ``short`` texts (title, situation: 转接电话 → ``zhuanjiedianhua zjdh``), full pinyin of
    the ``long`` ones (the phrase itself; its initials would match almost anything).
    Slow the first time (pypinyin is imported): computed off the GUI thread."""
    keys = [pinyin.search_key(text) for text in short if text]
    keys += [pinyin.search_key(text).split(" ")[0] for text in long if text]
    return " ".join(keys)


def phrase_matches(words: Sequence[str], plain: str, keys: str = "") -> bool:
    """Whether every typed word is in the ``plain`` text (lower case) or, typed as pinyin or
    initials, in the ``keys`` of :func:`phrase_search_keys`."""
    return all(word.lower() in plain or (keys and word.lower() in keys) for word in words)


# ------------------------------------------------------------------------------ placeholders

PLACEHOLDERS: dict[str, str] = {
    "company": N_("company name"),
    "agent": N_("your name"),
    "caller": N_("caller's or visitor's name"),
    "caller_title": N_("form of address (Mr, Ms, …)"),
    "time_greeting": N_("good morning / afternoon / evening"),
    "reply_time": N_("when we will reply"),
    # a call-back telling the outcome (003: 您曾经在X日致电我们反映了X情况……)
    "date": N_("the day the customer called"),
    "issue": N_("what the customer reported"),
    "result": N_("the outcome"),
    # issue 18: 祝您新春快乐 around a holiday, empty on ordinary days (domain.holidays)
    "holiday_greeting": N_("a holiday wish (empty on ordinary days)"),
}
AUTOMATIC = frozenset({"company", "agent", "time_greeting", "holiday_greeting"})
"""Filled by the desk itself (settings, the signed-in user, the clock)."""

CALLER_TITLES: dict[str, tuple[str, ...]] = {
    "zh_CN": ("先生", "女士", "小姐", "经理", "老师", "师傅"),
    "zh_TW": ("先生", "女士", "小姐", "經理", "老師", "師傅"),
    "en": ("Mr", "Ms", "Mrs", "Dr"),
}

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Slot:
    name: str
    fallback: str | None  # None: a value is required


def parse_template(text: str) -> list[str | Slot]:
    """Literal texts and slots; ValidationError on a stray brace or a malformed name."""
    parts: list[str | Slot] = []
    literal: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        literal.append(text[position:match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        inner = match.group(1)
        if inner is None:
            raise ValidationError(
                _("Unmatched brace at character {n}: write {{{{ or }}}} for a literal brace.")
                .format(n=match.start() + 1), field="text")
        name, bar, fallback = inner.partition("|")
        name = name.strip()
        if not _NAME.fullmatch(name):
            raise ValidationError(
                _("“{{{inner}}}” is not a placeholder: use letters a-z and _ only.").format(
                    inner=inner), field="text")
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(Slot(name, fallback if bar else None))
    literal.append(text[position:])
    if "".join(literal):
        parts.append("".join(literal))
    return parts


def placeholders(text: str) -> list[str]:
    """Placeholder names in order of first use."""
    seen: list[str] = []
    for part in parse_template(text):
        if isinstance(part, Slot) and part.name not in seen:
            seen.append(part.name)
    return seen


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in placeholders(text) if name not in PLACEHOLDERS]


def required_placeholders(text: str) -> list[str]:
    """Names with no fallback anywhere they are used."""
    slots = [p for p in parse_template(text) if isinstance(p, Slot)]
    names: list[str] = []
    for slot in slots:
        if slot.fallback is None and slot.name not in names:
            names.append(slot.name)
    return names


def missing_values(text: str, values: Mapping[str, str | None]) -> list[str]:
    """Required placeholders with no (or a blank) value: ask for these before copying."""
    return [name for name in required_placeholders(text) if not (values.get(name) or "").strip()]


class MissingValues(ValidationError):
    def __init__(self, names: Sequence[str]) -> None:
        labels = ", ".join(f"{{{name}}} ({_(PLACEHOLDERS.get(name, name))})" for name in names)
        super().__init__(_("A value is missing for {names}.").format(names=labels),
                         field=names[0] if names else None)
        self.names = list(names)


def _is_latin_title(title: str) -> bool:
    return title.replace(".", "").isascii()


def split_title(name: str, title: str) -> tuple[str, str]:
    """The name without the form of address it already carries, and the title.

    A clerk types 李女士 and also picks 女士: the name is 李 (shown 李女士, not 李女士女士).
    Chinese titles follow the name; Latin ones (Mr, Ms) come first (Mr Smith, “Mr. Smith”).
    A name that is nothing but its title stays as it is, without a second title.
    """
    name, title = (name or "").strip(), (title or "").strip()
    if not name or not title:
        return name, title
    if _is_latin_title(title):
        bare = title.rstrip(".").lower()
        head, _space, rest = name.partition(" ")
        if head.rstrip(".").lower() == bare:
            return (rest.strip(), title) if rest.strip() else (name, "")
        return name, title
    if name.endswith(title):
        rest = name[:-len(title)].rstrip()
        return (rest, title) if rest else (name, "")
    return name, title


def addressed(name: str, title: str) -> str:
    """How a visitor or caller is named: 李女士, Ms Wang; never the title twice."""
    name, title = split_title(name, title)
    if not title:
        return name
    if _is_latin_title(title):
        return f"{title} {name}" if name else title
    return f"{name}{title}"


def render(text: str, values: Mapping[str, str | None]) -> str:
    """The text with every placeholder filled; MissingValues names what is still needed.

    A caller's name typed with its title (李女士 and 女士) is not addressed twice."""
    if values.get("caller") and values.get("caller_title"):
        caller, title = split_title(values["caller"] or "", values["caller_title"] or "")
        if title:  # (a caller named just "女士" keeps both: nothing else to call them)
            values = {**values, "caller": caller, "caller_title": title}
    missing = missing_values(text, values)
    if missing:
        raise MissingValues(missing)
    out: list[str] = []
    for part in parse_template(text):
        if isinstance(part, str):
            out.append(part)
            continue
        value = (values.get(part.name) or "").strip()
        out.append(value if value else (part.fallback or ""))
    return "".join(out)


def time_greeting(local_time: datetime, lang: str) -> str:
    """Morning before 12:00 (from 05:00), afternoon until 18:00, evening otherwise."""
    hour = local_time.hour
    period = "morning" if 5 <= hour < 12 else "afternoon" if 12 <= hour < 18 else "evening"
    table = {
        "zh_CN": {"morning": "上午好", "afternoon": "下午好", "evening": "晚上好"},
        "zh_TW": {"morning": "早安", "afternoon": "午安", "evening": "晚上好"},
        "en": {"morning": "Good morning", "afternoon": "Good afternoon", "evening": "Good evening"},
    }
    return table.get(lang, table["en"])[period]


def check_script_text(text: str) -> str:
    """What an admin may save: well-formed, known placeholders only, not empty."""
    text = text_rules.block(text, "text", _("The text"), 2000)
    if not text:
        raise ValidationError(_("The text must not be empty."), field="text")
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder {names}. Known placeholders: {known}.").format(
                names=", ".join("{" + n + "}" for n in unknown),
                known=", ".join("{" + n + "}" for n in PLACEHOLDERS)), field="text")
    return text


# ------------------------------------------------------------------------------ visits and timers


class Channel(LabelledStrEnum):
    VISIT = "visit", N_("Visit")
    PHONE_IN = "phone_in", N_("Phone in")
    PHONE_OUT = "phone_out", N_("Phone out")


def parse_channel(value: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise ValidationError(_("Unknown channel {value}: use {choices}.").format(
            value=value, choices=", ".join(c.value for c in Channel)), field="channel") from None


class Level(LabelledIntEnum):
    NONE = 0, N_("on time")
    MINOR = 1, N_("minor timeout")
    MODERATE = 2, N_("moderate timeout")
    SEVERE = 3, N_("severe timeout")


def level_label(level: int) -> str:
    return Level(level).label


@dataclass(frozen=True)
class Targets:
    """Seconds. Answer: ring/arrival → first answer; reply: → resolution. Each timer is late
    (minor) after its target, moderate after the second and severe after the third threshold."""

    answer: int = 9  # three rings of about 3 s
    answer_moderate: int = 15  # five rings: apologise for the wait
    answer_severe: int = 30
    reply: int = 5 * 60  # reply within 3-5 minutes
    reply_moderate: int = 10 * 60
    reply_severe: int = 30 * 60
    # 002: reply targets per request type (minutes: late, moderate, severe) and the share of
    # them an urgent request gets; the answer timer runs before anyone knows the request
    by_type: tuple[tuple[str, tuple[int, int, int]], ...] = ()
    urgent_percent: int = 50

    @classmethod
    def from_settings(cls, values: Mapping[str, object]) -> Targets:
        def get(key: str, default: int, scale: int = 1) -> int:
            raw = values.get(key)
            return int(raw) * scale if isinstance(raw, int | str) else default

        by_type = values.get("reception_type_targets")
        return cls(
            answer=get("reception_answer_seconds", cls.answer),
            answer_moderate=get("reception_answer_moderate_seconds", cls.answer_moderate),
            answer_severe=get("reception_answer_severe_seconds", cls.answer_severe),
            reply=get("reception_reply_minutes", cls.reply, 60),
            reply_moderate=get("reception_reply_moderate_minutes", cls.reply_moderate, 60),
            reply_severe=get("reception_reply_severe_minutes", cls.reply_severe, 60),
            by_type=tuple(timeouts.parse_type_targets(str(by_type)).items())
            if isinstance(by_type, str) else (),
            urgent_percent=get("reception_urgent_percent", cls.urgent_percent),
        )

    def for_request(self, request_type: str, urgency: str) -> Targets:
        """These targets with the reply thresholds of a request of this type and urgency."""
        reply = timeouts.reply_seconds(request_type, urgency,
                                       (self.reply, self.reply_moderate, self.reply_severe),
                                       dict(self.by_type), self.urgent_percent)
        if reply == (self.reply, self.reply_moderate, self.reply_severe):
            return self
        return replace(self, reply=reply[0], reply_moderate=reply[1], reply_severe=reply[2])


def level_of(elapsed: timedelta, target: int, moderate: int, severe: int) -> Level:
    seconds = elapsed.total_seconds()
    if seconds > severe:
        return Level.SEVERE
    if seconds > moderate:
        return Level.MODERATE
    if seconds > target:
        return Level.MINOR
    return Level.NONE


@dataclass(frozen=True)
class TimerStatus:
    answer_elapsed: timedelta
    answer_level: Level
    answer_running: bool
    reply_elapsed: timedelta
    reply_level: Level
    reply_running: bool
    level: Level = field(default=Level.NONE)

    @property
    def escalate(self) -> bool:
        return self.level is Level.SEVERE


def timer_status(start: datetime, first_answer: datetime | None, resolved: datetime | None,
                 now: datetime, targets: Targets, answer_timed: bool = True) -> TimerStatus:
    """Both response timers of one entry at ``now``; a finished timer stops at its end.

    ``answer_timed`` is False for outgoing calls (nobody waits for us to pick up).
    """
    answer_end = first_answer or resolved or now
    answer_elapsed = max(answer_end - start, timedelta(0))
    reply_elapsed = max((resolved or now) - start, timedelta(0))
    answer_level = (level_of(answer_elapsed, targets.answer, targets.answer_moderate,
                             targets.answer_severe) if answer_timed else Level.NONE)
    reply_level = level_of(reply_elapsed, targets.reply, targets.reply_moderate,
                           targets.reply_severe)
    return TimerStatus(answer_elapsed, answer_level, first_answer is None and resolved is None,
                       reply_elapsed, reply_level, resolved is None,
                       max(answer_level, reply_level))


PROMISE_STATES: dict[str, str] = {
    "pending": N_("Reply promised"),
    "kept": N_("Promise kept"),
    "broken": N_("Promise broken"),
}


def promise_state(promised: datetime | None, resolved: datetime | None, now: datetime) -> str:
    """A promised reply (003 第一章: 约定时间内给客户回复) is kept when the entry was resolved
    by the promised time, broken once that time passed without it; "" when none was made."""
    if promised is None:
        return ""
    if resolved is not None:
        return "kept" if resolved <= promised else "broken"
    return "pending" if now <= promised else "broken"


HANDOFF_KINDS: dict[str, str] = {"transfer": N_("Transferred"), "escalate": N_("Escalated")}


def progress(channel: Channel, answered: bool, resolved: bool) -> tuple[str, str]:
    """Where an open log entry stands, and why it is still open (a tooltip): a resolved
    visitor stays listed until signed out, a resolved call until it is ended."""
    if resolved:
        if channel is Channel.VISIT:
            return (_("Resolved, still on site"),
                    _("The request is resolved. The visitor stays on this list while on site: "
                      "sign them out (F7) when they leave."))
        return (_("Resolved, call not ended"),
                _("The request is resolved. End the call (F7) when you hang up."))
    if answered or channel is Channel.PHONE_OUT:
        return _("Being helped"), _("Answered; the reply timer runs until it is resolved (F6).")
    if channel is Channel.VISIT:
        return _("Not greeted yet"), _("The answer timer runs until you greet them (F5).")
    return _("Not answered yet"), _("The answer timer runs until you pick up (F5).")


def format_elapsed(elapsed: timedelta) -> str:
    """``0:09``, ``12:05``, ``1:02:03``."""
    seconds = int(elapsed.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


# ------------------------------------------------------------------------------ complaints


COMPLAINT_CATEGORIES: dict[str, str] = {
    "service_attitude": N_("Staff attitude"),
    "repairs": N_("Repairs and maintenance"),
    "cleaning": N_("Cleaning and hygiene"),
    "security": N_("Security and access"),
    "parking": N_("Parking and vehicles"),
    "fees": N_("Fees and billing"),
    "noise": N_("Noise and neighbours"),
    "greening": N_("Landscaping"),
    "facilities": N_("Public facilities"),
    "other": N_("Other"),
}


def category_label(key: str) -> str:
    return _(COMPLAINT_CATEGORIES[key]) if key in COMPLAINT_CATEGORIES else key


def parse_category(value: str) -> str:
    if value not in COMPLAINT_CATEGORIES:
        raise ValidationError(_("Unknown complaint category {value}: use {choices}.").format(
            value=value, choices=", ".join(COMPLAINT_CATEGORIES)), field="category")
    return value


SATISFACTION: dict[str, str] = {
    "very_satisfied": N_("Very satisfied"),
    "satisfied": N_("Satisfied"),
    "neutral": N_("Neutral"),
    "dissatisfied": N_("Dissatisfied"),
    "unreachable": N_("Not reached"),
}


def text_field(value: str | None, name: str, label: str, limit: int) -> str:
    """Short fields (names, contacts) are one line; long ones (requests, results) keep
    their line breaks. Both follow domain.text: no control characters, nothing cut."""
    check = text_rules.block if limit >= 1000 else text_rules.line
    return check(value, name, label, limit)
