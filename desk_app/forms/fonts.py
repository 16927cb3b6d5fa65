"""The one CJK font every form uses: WenQuanYi Micro Hei (subfont 0 of the shipped .ttc).

reportlab embeds it as a TrueType subset, so Simplified and Traditional Chinese render on any
viewer. Registration happens once, on first use (reportlab is imported lazily).
"""

from __future__ import annotations

import threading

from desk_app.resources import cjk_font_path

FONT = "DeskCJK"
"""Font name for every text on every form (regular)."""
FONT_BOLD = "DeskCJK-Bold"
"""Same face, registered again for <b> in paragraphs; WenQuanYi ships no bold, so it is the same outline."""

_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the CJK font with reportlab (idempotent, thread-safe); return ``FONT``."""
    global _registered
    if _registered:
        return FONT
    with _lock:
        if _registered:
            return FONT
        from reportlab import rl_config
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        path = str(cjk_font_path())
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, path, subfontIndex=0))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT)
        addMapping(FONT, 1, 1, FONT_BOLD)
        # Plain Flate streams: ASCII85 on top makes files 25 % bigger and costs pure-Python time
        # (reportlab's C accelerator is not installed). desk_app has no other reportlab user.
        rl_config.useA85 = 0
        _registered = True
    return FONT


def missing_characters(text: str) -> set[str]:
    """Characters of ``text`` the font has no glyph for (reportlab would leave them blank)."""
    register_fonts()
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(FONT).face
    cmap = face.charToGlyph
    return {ch for ch in set(text) if not ch.isspace() and ord(ch) not in cmap}
