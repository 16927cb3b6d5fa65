"""The declarative schema of business settings (kept in the database, shared by all desks).

Each setting has a key, a type, a default and a validation; the Admin page and the CLI
build their forms from :func:`schema` (the core's settings and every area's, from the
manifest), and the store keeps only values that differ from the default.
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
    # A password (smtp_password): never shown back in clear — the Admin form leaves the
    # field empty ("unchanged"), ``desk-app settings list`` and the audit trail say "set".
    secret: bool = False

    def shown(self, value: Any) -> Any:
        """``value`` as it may be shown or recorded: a secret only says whether it is set."""
        if self.secret:
            return "********" if value else ""
        return value

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


def between(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not low <= value <= high:
            return _("enter a number from {low} to {high}.").format(low=low, high=high)
        return None

    return check


def not_blank(value: Any) -> str | None:
    if not value:
        return N_("must not be empty.")
    if len(value) > 120:
        return N_("120 characters at most.")
    return None


# The core's settings; each area lists its own in its entry of the manifest.
CORE_SETTINGS: tuple[Setting, ...] = (
    Setting("company_name", N_("Company name"), str, "示例物业服务有限公司", not_blank),
    Setting("idle_lock_minutes", N_("Lock the screen after idle minutes"), int, 5, between(1, 240)),
    Setting("language", N_("Language"), str, "zh_CN", choices=tuple(LANGUAGES)),
    Setting("lockout_threshold", N_("Failed sign-ins before lock-out"), int, 5, between(1, 100)),
    Setting("lockout_minutes", N_("Lock-out minutes"), int, 15, between(1, 1440)),
    Setting("min_password_length", N_("Minimum password length"), int, 8, between(6, 128)),
)


def schema() -> tuple[Setting, ...]:
    """Every setting of every area, in manifest order (the Admin form and the CLI list it)."""
    from desk_app.domain.manifest import settings_schema

    return settings_schema()


def setting(key: str) -> Setting:
    from desk_app.domain.manifest import settings_by_key

    try:
        return settings_by_key()[key]
    except KeyError:
        raise ValidationError(
            _("Unknown setting: {key}.").format(key=key), field="key"
        ) from None
