"""Switching the language: our gettext catalogue plus Qt's own ``qtbase_*.qm``."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desk_app.i18n import LANGUAGES, current_language, set_language

log = logging.getLogger(__name__)

_QT_LOCALES = {
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
    "zh_CN": QLocale(QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript,
                     QLocale.Country.China),
    "zh_TW": QLocale(QLocale.Language.Chinese, QLocale.Script.TraditionalChineseScript,
                     QLocale.Country.Taiwan),
}
_qt_translator: QTranslator | None = None


def apply_language(language: str | None) -> str:
    """Set the app's language (unknown → English); returns the language in effect."""
    global _qt_translator
    set_language(language or "en")
    language = current_language()
    QLocale.setDefault(_QT_LOCALES.get(language, _QT_LOCALES["en"]))
    app = QCoreApplication.instance()
    if app is None:
        return language
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if language != "en":
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{language}", folder):
            app.installTranslator(translator)
            _qt_translator = translator
        else:
            log.info("no qtbase_%s.qm in %s", language, folder)
    return language


def language_choices() -> list[tuple[str, str]]:
    """(code, label in its own language) for combo boxes."""
    return list(LANGUAGES.items())


def locale() -> QLocale:
    return _QT_LOCALES.get(current_language(), _QT_LOCALES["en"])
