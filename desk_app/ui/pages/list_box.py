"""A Today box that lists what waits for the user and opens the selected line on the
Reception page: a sentence and an *Open* button on top, the lines below (oldest or soonest
first, the first selected), as tall as its lines. The complaints box and the promised
replies box are made of it; each says what its lines are and where a line leads."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

ALERT = "color: #b00020;"
LIST_HEIGHT = 160


class ListBox(QGroupBox):
    """``navigate(page, view)`` goes to the Reception page: ``{opens}:ID`` of the line."""

    navigate = Signal(str, str)
    opens = ""  # the Reception view a line leads to, e.g. "complaint"

    def __init__(self, title: str, name: str, button_text: str, button_tip: str,
                 headers: Sequence[str], widths: Sequence[int],
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setObjectName(f"{name}_count")
        self.label.setWordWrap(True)
        self.open_button = QPushButton(button_text)
        self.open_button.setObjectName(f"{name}_open")
        self.open_button.setToolTip(button_tip)
        self.open_button.clicked.connect(lambda _checked=False: self.open_selected())
        row = QHBoxLayout()
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        layout.addLayout(row)
        self.list = QTreeWidget()  # bounded by the service's limit (a few dozen lines)
        self.list.setObjectName(f"{name}_list")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels(list(headers))
        for column, width in enumerate(widths):
            self.list.setColumnWidth(column, width)
        self.list.itemActivated.connect(lambda *_args: self.open_selected())
        layout.addWidget(self.list)

    def set_heading(self, text: str, alert: bool) -> None:
        self.label.setText(text)
        self.label.setStyleSheet(ALERT if alert else "")

    def set_lines(self, lines: Sequence[tuple[int, QTreeWidgetItem]]) -> None:
        """The lines (record id, item), the first selected; hidden when there are none."""
        self.list.clear()
        for record_id, item in lines:
            item.setData(0, Qt.ItemDataRole.UserRole, record_id)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self.list.setVisible(bool(lines))
        self.open_button.setEnabled(bool(lines))
        rows = len(lines)  # as tall as its lines, at most LIST_HEIGHT
        line = self.list.sizeHintForRow(0) if rows else 0
        header = self.list.header().sizeHint().height()
        self.list.setFixedHeight(min(LIST_HEIGHT, header + rows * line
                                     + 2 * self.list.frameWidth() + 4))

    def open_selected(self) -> None:
        """The selected line (the first unless another was chosen), on Reception."""
        item = self.list.currentItem()
        if item is not None:
            self.navigate.emit("reception",
                               f"{self.opens}:{int(item.data(0, Qt.ItemDataRole.UserRole))}")
