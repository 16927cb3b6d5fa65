"""Keys and equipment (R10, "who holds what now"): kinds, conditions, and checks of what a
clerk types. Pure: services pass plain values in."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from desk_app.domain.errors import ValidationError
from desk_app.i18n import N_, _


class EquipmentKind(StrEnum):
    KEY = "key"
    PHONE = "phone"
    RADIO = "radio"
    DOCUMENT = "document"
    SUPPLY = "supply"  # office supplies, counted (10 reams of paper)
    OTHER = "other"


KIND_LABELS = {
    EquipmentKind.KEY: N_("key"), EquipmentKind.PHONE: N_("phone"),
    EquipmentKind.RADIO: N_("radio"), EquipmentKind.DOCUMENT: N_("documents and materials"),
    EquipmentKind.SUPPLY: N_("office supplies"), EquipmentKind.OTHER: N_("other"),
}

# Checklist sections of seed 001 part 2, 1.5: office supplies, communication equipment,
# documents, sample-room and other keys.
SECTION_OF = {
    EquipmentKind.SUPPLY: N_("Office supplies"), EquipmentKind.PHONE: N_("Communication equipment"),
    EquipmentKind.RADIO: N_("Communication equipment"),
    EquipmentKind.DOCUMENT: N_("Documents and materials"), EquipmentKind.KEY: N_("Keys"),
    EquipmentKind.OTHER: N_("Other shared articles"),
}


class Condition(StrEnum):
    GOOD = "good"
    DAMAGED = "damaged"
    MISSING = "missing"


CONDITION_LABELS = {Condition.GOOD: N_("good"), Condition.DAMAGED: N_("damaged"),
                    Condition.MISSING: N_("missing")}

MAX_COUNT = 100_000
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


def check_tag(tag: str) -> str:
    tag = (tag or "").strip()
    if not _TAG.match(tag):
        raise ValidationError(_("A tag is 1–40 letters, digits or . _ / - (as on its label), "
                                "e.g. K-101."), field="tag")
    return tag.upper()


def check_kind(kind: str) -> EquipmentKind:
    try:
        return EquipmentKind((kind or "").strip().lower())
    except ValueError:
        raise ValidationError(_("Kind: choose one of {kinds}.").format(
            kinds=", ".join(k.value for k in EquipmentKind)), field="kind") from None


def check_condition(condition: str) -> Condition:
    try:
        return Condition((condition or "").strip().lower())
    except ValueError:
        raise ValidationError(_("Condition: choose one of {choices}.").format(
            choices=", ".join(c.value for c in Condition)), field="condition") from None


def check_count(value: object, field: str = "count", allow_zero: bool = True) -> int:
    """A count typed by a person: a whole number from 0 (or 1) to MAX_COUNT."""
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,9}", text):
        raise ValidationError(_("A count is a whole number such as 3 (not {value}).").format(
            value=text[:20] or _("empty")), field=field)
    number = int(text)
    if number > MAX_COUNT or (number == 0 and not allow_zero):
        raise ValidationError(_("A count is between {low} and {high}.").format(
            low=0 if allow_zero else 1, high=MAX_COUNT), field=field)
    return number


def check_curfew(until: datetime, now: datetime) -> datetime:
    """A checkout's due time must lie ahead (both naive UTC)."""
    if until <= now:
        raise ValidationError(_("The due time has already passed: give a time later than now."),
                              field="until")
    return until
