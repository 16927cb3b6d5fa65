"""App-string translations: one gettext catalogue for UI, CLI and PDFs.

Catalogues live in ``resources/i18n/<lang>/LC_MESSAGES/desk_app.po``. ``make`` compiles
them to ``.mo``; when a ``.mo`` is missing or older than its ``.po`` (a fresh checkout)
the ``.po`` is compiled in memory instead, so a missing build step never shows English.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
from pathlib import Path

from desk_app.resources import resource_path

DOMAIN = "desk_app"
LANGUAGES: dict[str, str] = {
    "en": "English",
    "zh_CN": "简体中文",
    "zh_TW": "繁體中文",
}
DEFAULT_LANGUAGE = "en"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level constants)."""
    return message


def catalogue_path(language: str, suffix: str = ".po") -> Path:
    return resource_path("i18n", language, "LC_MESSAGES", DOMAIN + suffix)


def _load(language: str) -> gettext.NullTranslations:
    po, mo = catalogue_path(language), catalogue_path(language, ".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if po.exists():
        return gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    return gettext.NullTranslations()


def compile_po(po: Path) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def system_language() -> str:
    """Best match for the machine's locale among the shipped languages."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            break
    else:
        import locale  # only when the environment names no locale

        value = locale.getlocale()[0] or ""
    value = value.split(".")[0]
    if value.startswith("zh"):
        return "zh_TW" if value in ("zh_TW", "zh_HK", "zh_MO") else "zh_CN"
    return DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    global _translation, _language
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    _language = language
    _translation = gettext.NullTranslations() if language == "en" else _load(language)


def current_language() -> str:
    return _language


def display_name(text: str) -> str:
    """A name stored in Simplified Chinese (a kind, a department) as the user reads it:
    in Traditional characters for zh_TW (OpenCC, characters only: a name keeps its words),
    unchanged otherwise."""
    if _language != "zh_TW" or not text:
        return text
    return _to_traditional()(text)


@functools.cache
def _to_traditional():
    try:
        import opencc

        return opencc.OpenCC("s2tw").convert
    except Exception:  # pragma: no cover - opencc missing or broken: show what is stored
        return lambda text: text
