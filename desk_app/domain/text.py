"""The one set of rules for text a user types (issue 9: hostile input).

Every text field a service stores goes through ``line`` (one line: names, titles,
contacts, purposes) or ``block`` (several lines: requests, results, notes). Both:

- refuse control characters (NUL, escape sequences that would drive a terminal, C1
  controls, DEL) and the bidirectional embedding/override/isolate characters that make a
  title read differently from what it holds ("Trojan Source"), naming the character;
- refuse text longer than the field with a message that says how long it is — text is never
  cut silently;
- store Unicode NFC, so the same word typed on two keyboards is the same text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from desk_app.domain.errors import ValidationError
from desk_app.i18n import _

# Explicit direction controls: LRE RLE PDF LRO RLO, LRI RLI FSI PDI, and the Arabic letter
# mark. (The plain LRM/RLM marks only nudge neutral characters and stay allowed.)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")
_BLOCK_ALLOWED = frozenset("\n\t")


def forbidden_character(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first character no field may hold, or None."""
    if text.isprintable():  # no control, surrogate or format character at all: the usual text
        return None
    for char in text:
        if char in allowed:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"):
            return char
    return None


def _check(text: str, field: str, label: str, limit: int, allowed: frozenset[str]) -> str:
    bad = forbidden_character(text, allowed)
    if bad is not None:
        raise ValidationError(
            _("{label}: an invisible control character (U+{code:04X}) is not allowed; remove it."
              ).format(
                label=label, code=ord(bad)), field=field)
    if len(text) > limit:
        raise ValidationError(
            _("{label}: too long — {length} characters, at most {limit}.").format(
                label=label, length=len(text), limit=limit), field=field)
    return text


def line(value: str | None, field: str, label: str, limit: int) -> str:
    """One line: inner runs of spaces (and line breaks, tabs) become one space."""
    text = unicodedata.normalize("NFC", value or "")
    bad = forbidden_character(text, frozenset("\n\r\t"))
    if bad is None:
        text = " ".join(text.split())
    return _check(text, field, label, limit, frozenset())


def block(value: str | None, field: str, label: str, limit: int) -> str:
    """Several lines: line breaks kept (CR LF → LF), trailing spaces and blank edges removed."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(part.rstrip() for part in text.split("\n")).strip("\n").strip()
    return _check(text, field, label, limit, _BLOCK_ALLOWED)


def required(text: str, field: str, message: str) -> str:
    """``text`` unless it shows nothing: empty, or only invisible characters (format
    characters such as U+200B ZERO WIDTH SPACE or U+2060 WORD JOINER, and spaces), which
    would let a mandatory reason or name be "given" without a word."""
    if not text or all(unicodedata.category(ch) in ("Cf", "Zs", "Mn") for ch in text):
        raise ValidationError(message, field=field)
    return text


def clean_lookups(record: object) -> None:
    """``lookup`` applied to every text field of a frozen filter dataclass, in place."""
    for name, value in vars(record).items():
        if type(value) is str:  # typed values (enums are str too) stay as they are
            object.__setattr__(record, name, lookup(value))


@dataclass(frozen=True)
class LookupFilter:
    """Base of the frozen filter dataclasses (what a register list shows): its text fields
    are text to look up with, cleaned by ``lookup`` when it is made."""

    def __post_init__(self) -> None:
        clean_lookups(self)


def lookup(value: str | None) -> str:
    """Text used only to look something up (a search, a user or code typed to find a row):
    forbidden characters are dropped rather than refused — nothing is stored — so a pasted
    control character finds nothing instead of reaching the database."""
    text = unicodedata.normalize("NFC", value or "")
    return "".join(char for char in text if forbidden_character(char) is None)
