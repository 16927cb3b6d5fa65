"""Translation catalogues: ``extract`` updates the .po files from the sources,
``derive-tw`` fills Traditional Chinese from Simplified with OpenCC (hand-made zh_TW
entries are kept), ``compile`` writes the .mo files, ``check`` lists untranslated strings.

    python -m desk_app.tools.i18n extract|derive-tw|compile|check
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from desk_app.i18n import DOMAIN, LANGUAGES, catalogue_path

SOURCE = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def template() -> Catalog:
    catalog = Catalog(project="desk_app", domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")], keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        if "tools" + "/" in filename:
            continue
        catalog.add(message, locations=[(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def translated_languages() -> list[str]:
    return [language for language in LANGUAGES if language != "en"]


def load(language: str) -> Catalog:
    path = catalogue_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN)
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def extract() -> None:
    tmpl = template()
    for language in translated_languages():
        catalog = load(language)
        # No fuzzy matching: a guessed translation of a similar text reads as right and is not.
        catalog.update(tmpl, update_header_comment=False, no_fuzzy_matching=True)
        # Drop obsolete entries so the files stay readable.
        catalog.obsolete.clear()
        path = catalogue_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, omit_header=False,
                     include_previous=False)


# OpenCC's s2twp picks a form Taiwan offices do not use for these words.
# OpenCC's phrase tables miss these: equipment is 設備 (zh_CN has no 装置); 签 as in signing
# is 簽, not the lot 籤 (签离 signs a visitor out, 倒签 back-dates, 会签 countersigns).
TW_WORDS = {"銷燬": "銷毀", "裝置": "設備", "籤離": "簽離", "倒籤": "倒簽", "會籤": "會簽",
            "籤名": "簽名", "中籤署": "中簽署",
            # a kind's or department's code is 代碼 (OpenCC reads 代码 as program code); a
            # window's tab is 分頁 in Taiwan
            "程式碼": "代碼", "選項卡": "分頁",
            # a request's type is 類型 (OpenCC reads 类型 as a data type, 型別)
            "型別": "類型",
            # a ledger is 台帳 in Taiwan's offices (OpenCC: 臺賬); 只能 (only) is never 隻能
            "臺賬": "台帳", "隻能": "只能"}


def _taiwan(converter: Any, text: str) -> str:
    converted = converter.convert(text)
    for wrong, right in TW_WORDS.items():
        converted = converted.replace(wrong, right)
    return converted


def derive_traditional() -> None:
    """zh_TW from zh_CN with OpenCC (s2twp: Taiwan vocabulary too), for every entry whose
    zh_TW text is missing or was itself derived (marked by a translator comment)."""
    import opencc

    converter = opencc.OpenCC("s2twp")
    simplified = load("zh_CN")
    traditional = load("zh_TW")
    for message in simplified:
        if not message.id or not message.string:
            continue
        entry = traditional.get(message.id)
        empty = entry is None or not any(entry.string if isinstance(entry.string, tuple)
                                         else [entry.string])
        derived = entry is None or empty or "derived from zh_CN" in entry.user_comments
        if not derived:
            continue  # a hand-made Traditional translation wins
        text = (tuple(_taiwan(converter, s) for s in message.string)
                if isinstance(message.string, (tuple, list))
                else _taiwan(converter, message.string))
        if entry is None:
            traditional.add(message.id, text, user_comments=["derived from zh_CN"])
        else:
            entry.string = text
            entry.flags.discard("fuzzy")
            if "derived from zh_CN" not in entry.user_comments:
                entry.user_comments.append("derived from zh_CN")
    path = catalogue_path("zh_TW")
    with path.open("wb") as handle:
        write_po(handle, traditional, width=100, sort_output=False, include_previous=False)


def compile_all() -> None:
    for language in translated_languages():
        source = catalogue_path(language)
        if not source.exists():
            continue
        with source.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        with catalogue_path(language, ".mo").open("wb") as handle:
            write_mo(handle, catalog)


def untranslated(language: str) -> list[str]:
    """Source strings with no translation (or a fuzzy one) in ``language``."""
    catalog = load(language)
    missing = []
    for message in template():
        if not message.id:
            continue
        entry = catalog.get(message.id)
        text = entry.string if entry is not None else None
        if entry is None or entry.fuzzy or not text or (isinstance(text, tuple) and not all(text)):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "derive-tw":
        derive_traditional()
    elif command == "check":
        problems = {language: untranslated(language) for language in translated_languages()}
        for language, missing in problems.items():
            for message in missing:
                print(f"{language}: untranslated: {message}")
        return 1 if any(problems.values()) else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
