"""The forbidden-phrase checker (R14): what staff write to or say to a customer is checked
against the phrase lists, after folding full-width forms, quotes, case and Traditional
characters, so a variant spelling does not slip through. Pure Python; the service passes in
the phrase lists and, where it has one, a complete Traditional→Simplified converter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Traditional → Simplified for the characters our phrase lists use; the service may pass a
# complete converter (OpenCC) instead.
_T2S_PAIRS = (
    "們们沒没過过辦办歸归聽听嗎吗這这個个問问題题說说來来還还會会負负責责門门別别關关係系應应該该"
    "規规樣样麼么對对時时間间裡里裏里為为無无於于給给曉晓決决處处講讲話话將将幫帮聯联繫系據据"
    "報报態态頭头見见當当錯错誤误員员總总經经準准確确認认電电號号碼码楚楚難难馬马門门"
)
_T2S = str.maketrans(_T2S_PAIRS[0::2], _T2S_PAIRS[1::2])
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


def builtin_fold(text: str) -> str:
    return text.translate(_T2S)


def _is_cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def normalise(text: str, fold: Callable[[str], str] = builtin_fold) -> tuple[str, list[int]]:
    """Comparable text and, for each of its characters, the index in ``text`` it came from.

    Full-width forms become half-width (NFKC), curly quotes straight, letters lower case,
    Traditional characters Simplified (``fold``); spaces are dropped next to CJK characters and
    collapsed elsewhere; invisible characters vanish.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _INVISIBLE:
            continue
        for piece in unicodedata.normalize("NFKC", char).translate(_QUOTES).lower():
            chars.append(piece)
            origin.append(index)
    folded = fold("".join(chars))
    # A phrase-level converter may change the length: then fold one character at a time.
    chars = (list(folded) if len(folded) == len(chars)
             else [fold(c)[:1] or c for c in chars])
    out: list[str] = []
    out_origin: list[int] = []
    for position, char in enumerate(chars):
        if char.isspace():
            before = out[-1] if out else ""
            after = next((c for c in chars[position + 1:] if not c.isspace()), "")
            if not before or not after or _is_cjk(before) or _is_cjk(after) or before == " ":
                continue
            char = " "
        out.append(char)
        out_origin.append(origin[position])
    return "".join(out), out_origin


@dataclass(frozen=True)
class ForbiddenPhrase:
    phrase: str
    suggestion: str
    lang: str = ""
    allowed: tuple[str, ...] = ()
    """Longer phrases containing this one that are fine, e.g. “不知道您是否方便”."""


@dataclass(frozen=True)
class Finding:
    phrase: str
    suggestion: str
    start: int  # in the checked text
    end: int
    found: str  # the text as written


# Quotation marks around someone else's words (a note quoting what a customer said).
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", '"': '"', "＂": "＂", "«": "»"}


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` quotes someone: (start, end) of each closed pair of quotation marks,
    marks included. An unclosed mark quotes nothing."""
    spans: list[tuple[int, int]] = []
    position = 0
    while position < len(text):
        closing = _QUOTE_PAIRS.get(text[position])
        end = text.find(closing, position + 1) if closing else -1
        if end > position:
            spans.append((position, end + 1))
            position = end + 1
        else:
            position += 1
    return spans


def find_forbidden(text: str, phrases: Iterable[ForbiddenPhrase],
                   fold: Callable[[str], str] = builtin_fold,
                   prefer_lang: str = "", skip_quoted: bool = False) -> list[Finding]:
    """Every forbidden phrase in ``text`` (after normalisation), in text order, one per place.

    ``skip_quoted``: a phrase inside quotation marks is someone else's words (a note that
    quotes the customer), not what the staff member said, and is not reported."""
    norm, origin = normalise(text, fold)
    found: dict[tuple[int, int], Finding] = {}
    literal = normalise(text, lambda t: t)[0]
    # Prefer the list of the wanted language, then a phrase written as in the text (so a
    # Traditional text gets the Traditional suggestion).
    ranked = sorted(phrases, key=lambda p: (p.lang != prefer_lang,
                                            normalise(p.phrase, lambda t: t)[0] not in literal))
    for item in ranked:
        needle, _ignored = normalise(item.phrase, fold)
        if not needle:
            continue
        allowed = [normalise(a, fold)[0] for a in item.allowed]
        start = norm.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not _inside_allowed(norm, start, end, allowed) and _word_edges(norm, start, end):
                span = (origin[start], origin[end - 1] + 1)
                if span not in found:
                    found[span] = Finding(item.phrase, item.suggestion, span[0], span[1],
                                          text[span[0]:span[1]])
            start = norm.find(needle, start + 1)
    findings = sorted(found.values(), key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in findings:  # a longer phrase wins over a shorter one inside it
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    if skip_quoted:
        quotes = quoted_spans(text)
        kept = [f for f in kept if not any(start <= f.start and f.end <= end
                                           for start, end in quotes)]
    return kept


CUSTOMER_WORDS = frozenset({"request", "description"})
"""Fields holding the customer's own words — what a visitor or caller asks for, a complaint as
told — rather than what staff said: the forbidden-phrase check leaves them alone."""


def _inside_allowed(norm: str, start: int, end: int, allowed: list[str]) -> bool:
    for phrase in allowed:
        position = norm.find(phrase, max(0, end - len(phrase)))
        while 0 <= position <= start:
            if position + len(phrase) >= end:
                return True
            position = norm.find(phrase, position + 1)
    return False


def _word_edges(norm: str, start: int, end: int) -> bool:
    """Latin phrases match whole words only (“no idea” is not in “piano idea”)."""
    def latin(char: str) -> bool:
        return char.isascii() and char.isalnum()

    if latin(norm[start]) and start > 0 and latin(norm[start - 1]):
        return False
    return not (latin(norm[end - 1]) and end < len(norm) and latin(norm[end]))
