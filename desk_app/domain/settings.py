"""The declarative schema of business settings (kept in the database, shared by all desks).

Each setting has a key, a type, a default and a validation; the Admin page and the CLI
build their forms from this table, and the store keeps only values that differ from
the default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desk_app.domain import text
from desk_app.domain.errors import ValidationError
from desk_app.i18n import LANGUAGES, N_, _


@dataclass(frozen=True)
class Setting:
    key: str
    label: str  # untranslated; shown through _()
    kind: type
    default: Any
    check: Callable[[Any], str | None] = lambda value: None
    choices: tuple[str, ...] = ()

    def parse(self, raw: Any) -> Any:
        """Text or value to a checked value of the right type; ValidationError otherwise."""
        value = raw
        try:
            if self.kind is int:
                value = int(str(raw).strip())
            elif self.kind is str:
                value = text.line(str(raw), self.key, _(self.label), 500)
        except ValueError as error:
            raise ValidationError(
                _("{label}: enter a whole number.").format(label=_(self.label)), field=self.key
            ) from error
        if self.choices and value not in self.choices:
            raise ValidationError(
                _("{label}: choose one of {choices}.").format(
                    label=_(self.label), choices=", ".join(self.choices)
                ),
                field=self.key,
            )
        problem = self.check(value)
        if problem:
            raise ValidationError(f"{_(self.label)}: {_(problem)}", field=self.key)
        return value

    def to_text(self, value: Any) -> str:
        return str(value)


def _between(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not low <= value <= high:
            return _("enter a number from {low} to {high}.").format(low=low, high=high)
        return None

    return check


def _not_blank(value: Any) -> str | None:
    if not value:
        return N_("must not be empty.")
    if len(value) > 120:
        return N_("120 characters at most.")
    return None


def _ref_pattern_problem(value: Any) -> str | None:
    from desk_app.domain.archive import check_ref_pattern

    return check_ref_pattern(value)


SCHEMA: tuple[Setting, ...] = (
    Setting("company_name", N_("Company name"), str, "示例物业服务有限公司", _not_blank),
    Setting("idle_lock_minutes", N_("Lock the screen after idle minutes"), int, 5, _between(1, 240)),
    Setting("language", N_("Language"), str, "zh_CN", choices=tuple(LANGUAGES)),
    Setting("lockout_threshold", N_("Failed sign-ins before lock-out"), int, 5, _between(1, 100)),
    Setting("lockout_minutes", N_("Lock-out minutes"), int, 15, _between(1, 1440)),
    Setting("min_password_length", N_("Minimum password length"), int, 8, _between(6, 128)),
    # archive
    Setting("ref_pattern", N_("Reference pattern"), str, "{dept}-{kind}-{year}-{seq:04d}",
            lambda value: _ref_pattern_problem(value)),
    Setting("max_renewals", N_("Renewals allowed per loan"), int, 2, _between(0, 20)),
    Setting("renewal_days", N_("Days added by a renewal"), int, 14, _between(1, 365)),
    # reception (R14): response targets and timeout thresholds
    Setting("reception_answer_seconds", N_("Answer within (seconds; 3 rings ≈ 9 s)"), int, 9,
            _between(1, 600)),
    Setting("reception_answer_moderate_seconds", N_("Answer: moderate timeout after (seconds)"),
            int, 15, _between(1, 3600)),
    Setting("reception_answer_severe_seconds", N_("Answer: severe timeout after (seconds)"), int,
            30, _between(1, 3600)),
    Setting("reception_reply_minutes", N_("Reply within (minutes)"), int, 5, _between(1, 1440)),
    Setting("reception_reply_moderate_minutes", N_("Reply: moderate timeout after (minutes)"),
            int, 10, _between(1, 2880)),
    Setting("reception_reply_severe_minutes", N_("Reply: severe timeout after (minutes)"), int,
            30, _between(1, 10080)),
    Setting("complaint_reply_hours", N_("Reply to a complaint within (hours)"), int, 24,
            _between(1, 720)),
)
BY_KEY: dict[str, Setting] = {setting.key: setting for setting in SCHEMA}


def setting(key: str) -> Setting:
    try:
        return BY_KEY[key]
    except KeyError:
        raise ValidationError(
            _("Unknown setting: {key}.").format(key=key), field="key"
        ) from None
