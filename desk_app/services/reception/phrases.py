"""Phrases not to use with customers: the shipped library and the check of any text."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from desk_app.domain import phrase_check as rules
from desk_app.domain.errors import ValidationError
from desk_app.domain.phrase_check import Finding, ForbiddenPhrase
from desk_app.domain.reception import LANGS
from desk_app.i18n import _
from desk_app.resources import resource_path


@functools.cache
def default_library(lang: str) -> dict[str, Any]:
    """The shipped scripts and forbidden phrases of one language."""
    with resource_path("scripts", f"{lang}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def forbidden_phrases() -> tuple[ForbiddenPhrase, ...]:
    return tuple(
        ForbiddenPhrase(item["phrase"], item["suggestion"], lang, tuple(item.get("allowed", ())))
        for lang in LANGS for item in default_library(lang).get("forbidden", ())
    )


@functools.cache
def chinese_fold() -> Callable[[str], str]:
    """Traditional → Simplified with OpenCC when it is installed, else the built-in table."""
    try:
        import opencc

        converter = opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - opencc missing or broken
        return rules.builtin_fold

    def fold(text: str) -> str:
        return rules.builtin_fold(converter.convert(text))

    return fold


def check_text(text: str, lang: str = "", skip_quoted: bool = False) -> list[Finding]:
    """Forbidden phrases in ``text`` (any language), suggestions preferably in ``lang``;
    ``skip_quoted`` leaves out words in quotation marks (a note quoting someone)."""
    return rules.find_forbidden(text or "", forbidden_phrases(), chinese_fold(), prefer_lang=lang,
                                skip_quoted=skip_quoted)


def check_note(name: str, text: str) -> list[Finding]:
    """Forbidden phrases in the note field ``name`` of the log: none in the customer's own
    words (the request, the complaint as told) nor in what a note quotes in quotation marks;
    only what staff said or wrote counts."""
    if name in rules.CUSTOMER_WORDS:
        return []
    return check_text(text, skip_quoted=True)


class ForbiddenPhraseFound(ValidationError):
    def __init__(self, findings: Sequence[Finding], field_name: str) -> None:
        lines = [_("“{found}” is on the list of phrases not to use. Say instead: {suggestion}")
                 .format(found=f.found, suggestion=f.suggestion) for f in findings]
        super().__init__("\n".join(lines), field=field_name)
        self.findings = list(findings)
