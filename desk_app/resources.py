"""One resolver for shipped files, from a source checkout and from the PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_root().joinpath(*parts)


def cjk_font_path() -> Path:
    """The shipped TrueType CJK font (WenQuanYi Micro Hei, subfont 0 of the .ttc)."""
    return resource_path("fonts", "wqy-microhei.ttc")
