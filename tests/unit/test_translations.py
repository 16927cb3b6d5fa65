"""Every app string has a Simplified and a Traditional Chinese translation, and each
translation keeps the ``{placeholders}`` of its English text (a missing one would raise
KeyError at run time, an extra one would show braces to the user)."""

from __future__ import annotations

import re

import pytest

from desk_app.tools import i18n as catalogues

PLACEHOLDER = re.compile(r"\{([a-z_]*)(?:[:!][^}]*)?\}")


@pytest.fixture(scope="module")
def template():
    return [message for message in catalogues.template() if message.id]


@pytest.mark.parametrize("language", ["zh_CN", "zh_TW"])
def test_every_string_is_translated(language):
    missing = catalogues.untranslated(language)
    assert not missing, f"{len(missing)} untranslated in {language}, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", ["zh_CN", "zh_TW"])
def test_translations_keep_their_placeholders(language, template):
    catalog = catalogues.load(language)
    wrong = []
    for message in template:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        entry = catalog.get(message.id)
        if entry is None or not entry.string:
            continue
        texts = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in texts:
            if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(msgid)):
                wrong.append((msgid, text))
    assert not wrong, wrong[:5]


def test_switching_language_translates(monkeypatch):
    from desk_app.i18n import _, set_language

    set_language("zh_CN")
    assert _("Sign in") != "Sign in"
    set_language("zh_TW")
    assert _("Sign in") != "Sign in"
    set_language("en")
    assert _("Sign in") == "Sign in"


def test_no_literal_translation_inside_an_f_string():
    """babel cannot see ``_("...")`` inside an f-string: such text would never be translated."""
    import pathlib

    pattern = re.compile(r"""f["'].*\{_\(["']""")
    source = pathlib.Path(catalogues.SOURCE)
    hits = [f"{path.relative_to(source)}:{number}"
            for path in source.rglob("*.py")
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line)]
    assert not hits, hits
