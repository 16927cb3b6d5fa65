"""F1: a short help page for the page on screen, in the user's language.

The pages are Markdown files shipped in ``resources/help/<language>/<page key>.md``.
Traditional Chinese is derived from the Simplified page with OpenCC when it has no page of
its own (as the catalogue's zh_TW entries are); a language without the page falls back to
English, and a page without any file says so instead of showing nothing.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from desk_app.i18n import _, current_language
from desk_app.resources import resource_path

log = logging.getLogger(__name__)
FALLBACK = "en"


# As the catalogue's derived zh_TW (desk_app.tools.i18n.TW_WORDS): OpenCC's s2twp picks
# forms Taiwan offices do not use for these words (equipment is 設備).
TW_WORDS = {"銷燬": "銷毀", "裝置": "設備"}


@lru_cache(maxsize=1)
def _to_traditional():
    try:
        import opencc

        convert = opencc.OpenCC("s2twp").convert
    except Exception:  # pragma: no cover - OpenCC missing: the Simplified text is readable
        log.warning("OpenCC not available: help pages shown in Simplified Chinese")
        return lambda text: text

    def traditional(text: str) -> str:
        text = convert(text)
        for wrong, right in TW_WORDS.items():
            text = text.replace(wrong, right)
        return text

    return traditional


def help_text(page: str, language: str | None = None) -> tuple[str, str]:
    """The Markdown of ``page``'s help and the language it is written in."""
    language = language or current_language()
    for candidate in dict.fromkeys((language, "zh_CN" if language == "zh_TW" else language,
                                    FALLBACK)):
        path = resource_path("help", candidate, f"{page}.md")
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if language == "zh_TW" and candidate == "zh_CN":
                return _to_traditional()(text), "zh_TW"
            return text, candidate
    return _("# {page}\n\nThere is no help page for this page yet.").format(page=page), language


class HelpDialog(QDialog):
    """The help page of one page; not modal, so it can stay open beside the work."""

    def __init__(self, page: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.setObjectName("help_dialog")
        self.setWindowTitle(_("Help — {page}").format(page=title))
        self.text, self.language = help_text(page)
        self.browser = QTextBrowser()
        self.browser.setObjectName("help_text")
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(560, 520)
