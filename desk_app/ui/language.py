"""Switching the language: our gettext catalogue plus Qt's own ``qtbase_*.qm``.

Qt's Chinese catalogues (``qtbase_zh_CN.qm``, ``qtbase_zh_TW.qm`` in PySide6's translations
folder; ``qt_zh_*.qm`` there are 99-byte meta files that only name qtbase) were last
translated for Qt 5: Qt 6 moved the file kinds ("Folder", "Drive", "%1 File") to the
context ``QAbstractFileIconProvider`` and gave the file dialog's labels mnemonics
("&Look in:", "Files of &type:"), so Qt's own file dialog showed those in English.
``QtSupplement`` answers exactly those misses from the catalogue's Qt 5 entries (and a
handful of words written here), so nothing large is vendored."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator

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
_qt_supplement: QTranslator | None = None

# Where Qt 5 kept strings that Qt 6 looks up in another context.
_QT5_CONTEXTS = {"QAbstractFileIconProvider": ("QFileDialog", "QFileSystemModel")}
# Words the Qt 5 catalogues never had (the file dialog's "Kind" column).
_QT_WORDS = {
    "zh_CN": {"Alias": "别名", "Drive": "驱动器", "File": "文件", "File Folder": "文件夹",
              "Folder": "文件夹", "Shortcut": "快捷方式", "Unknown": "未知", "%1 File": "%1 文件"},
    "zh_TW": {"Alias": "別名", "Drive": "磁碟機", "File": "檔案", "File Folder": "檔案資料夾",
              "Folder": "資料夾", "Shortcut": "捷徑", "Unknown": "未知", "%1 File": "%1 檔案"},
}


class QtSupplement(QTranslator):
    """Asked only after ``base`` (Qt's catalogue) found nothing: see the module doc."""

    def __init__(self, base: QTranslator, language: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.base, self.words = base, _QT_WORDS.get(language, {})

    def isEmpty(self) -> bool:
        return False

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        for old in _QT5_CONTEXTS.get(context, ()):
            text = self.base.translate(old, source, None, n)
            if text:
                return text
        if context in _QT5_CONTEXTS and source in self.words:
            return self.words[source]
        if "&" in source and not source.startswith("&&"):
            # "&Look in:" → the Qt 5 "Look in:" → "查找范围(&L)："
            text = self.base.translate(context, source.replace("&", "", 1), disambiguation, n)
            key = source[source.index("&") + 1:source.index("&") + 2].upper()
            if text and key.isalnum():
                stem = text.rstrip(":：")
                return f"{stem}(&{key}){text[len(stem):]}"
        return ""


def apply_language(language: str | None) -> str:
    """Set the app's language (unknown → English); returns the language in effect."""
    global _qt_translator, _qt_supplement
    set_language(language or "en")
    language = current_language()
    QLocale.setDefault(_QT_LOCALES.get(language, _QT_LOCALES["en"]))
    app = QCoreApplication.instance()
    if app is None:
        return language
    for old in (_qt_translator, _qt_supplement):
        if old is not None:
            app.removeTranslator(old)
    _qt_translator = _qt_supplement = None
    if language != "en":
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{language}", folder):
            # Installed first, asked last: only for what qtbase does not know.
            _qt_supplement = QtSupplement(translator, language, app)
            app.installTranslator(_qt_supplement)
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
