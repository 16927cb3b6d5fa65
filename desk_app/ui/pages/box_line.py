"""A line of a Today box: a figure in words and the button that leads to where it is dealt
with (the Today page's boxes and the messages box share it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout


def box_line(layout: QVBoxLayout, name: str, button_text: str,
             slot: Callable[[], object]) -> tuple[QLabel, QPushButton]:
    r"""The label (object name ``name``) and its button (``name``\_open), added to
    ``layout`` as one row."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    button = QPushButton(button_text)
    button.setObjectName(f"{name}_open")
    button.clicked.connect(lambda _checked=False: slot())
    row = QHBoxLayout()
    row.addWidget(label, 1)
    row.addWidget(button)
    layout.addLayout(row)
    return label, button
