"""The archive's locations as a choice, shared by the pages that place a file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from desk_app.domain import archive as rules


def location_combo(desk, with_none: str, boxes: bool = True) -> QComboBox:
    """The locations in tree order, each by its whole path (a list of bare names repeated
    "01盒, 02盒 …" hundreds of times: which shelf was which?); data = the path (None for
    ``with_none``). Typing the start of a path jumps to it."""
    combo = QComboBox()
    combo.addItem(with_none, None)
    for path, level in desk.archive.locations():
        if not boxes and level == rules.LOCATION_LEVELS[-1]:
            continue
        combo.addItem(path, path)
        combo.setItemData(combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
    combo.setMinimumContentsLength(24)
    combo.setMaxVisibleItems(20)
    return combo
