"""Small pieces every register page shares: the table view (its header remembered, a word
when it has no rows, searched words marked), column widths, PDF preview, times."""

from __future__ import annotations

import html
import logging
from datetime import date, datetime

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desk_app.domain.clock import format_datetime, parse_iso_utc

log = logging.getLogger(__name__)


SETTINGS_GROUP = "registers"
SAVE_DELAY_MS = 400


class RegisterTable(QTableView):
    """A read-only register view. Its column widths and sort indicator are remembered per
    register (QSettings ``registers/<object name>/header``): restored when a model is set,
    saved shortly after the user changes them. With no rows it says why in the table area
    (``set_empty_text``) instead of showing an empty grid."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.restored = False  # a remembered header was applied (defaults then stay unused)
        self._empty_text = ""
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_header)
        header = self.horizontalHeader()
        header.sectionResized.connect(self._header_changed)
        header.sortIndicatorChanged.connect(self._header_changed)
        header.sectionMoved.connect(self._header_changed)

    def _key(self, name: str) -> str:
        return f"{SETTINGS_GROUP}/{self.objectName()}/{name}"

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            self.restore_header()

    def restore_header(self) -> bool:
        state = QSettings().value(self._key("header"))
        self.restored = isinstance(state, QByteArray) and self.horizontalHeader().restoreState(state)
        return self.restored

    def save_header(self) -> None:
        self._save_timer.stop()
        QSettings().setValue(self._key("header"), self.horizontalHeader().saveState())

    def _header_changed(self, *_args: object) -> None:
        # Only a shown table's header is the user's doing: the page's own defaults, set while
        # it is built, are not worth remembering, and writing them cost a settings-file write
        # per table at a first sign-in (the Loans page hides three tables as it builds).
        if self.isVisible():
            self._save_timer.start()

    def remembered(self, name: str, default: str | None = None) -> str | None:
        """A value the page keeps for this register (its sort order)."""
        value = QSettings().value(self._key(name))
        return str(value) if value is not None else default

    def remember(self, name: str, value: str) -> None:
        QSettings().setValue(self._key(name), value)

    def hideEvent(self, event: QHideEvent) -> None:
        if self._save_timer.isActive():
            self.save_header()
        super().hideEvent(event)

    # ------------------------------------------------------------ no rows

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.viewport().update()

    def empty_text(self) -> str:
        """What the table area says now ("" while it has rows)."""
        model = self.model()
        return self._empty_text if model is not None and model.rowCount() == 0 else ""

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        text = self.empty_text()
        if not text:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        painter.drawText(area, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                                   | Qt.TextFlag.TextWordWrap), text)
        painter.end()


def register_table(name: str, parent: QWidget | None = None) -> RegisterTable:
    """A read-only register view like the Admin and Audit ones (model set by the caller);
    its header is remembered per register (RegisterTable)."""
    table = RegisterTable(name, parent)
    table.setSortingEnabled(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setHighlightSections(False)
    return table


def apply_widths(table: QTableView, widths: tuple[int, ...]) -> None:
    """The page's default widths, unless the user's own were restored."""
    if getattr(table, "restored", False):
        return
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)


class HighlightDelegate(QStyledItemDelegate):
    """Shows why a row matched a search: the searched words marked in the cell's text
    (case-insensitive), the rest painted as usual, elided at the cell's end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self._columns: tuple[QTableView, tuple[int, ...] | None] | None = None
        self._plain: QAbstractItemDelegate | None = None

    def mark_in(self, table: QTableView, columns: tuple[int, ...] | None = None) -> None:
        """Mark searched words in ``table`` (in ``columns``, or all). The delegate is set
        only while there are words: a Python ``paint`` for every cell of every screenful
        cost more than the rest of a register's first paint."""
        self._columns = (table, columns)
        self._plain = table.itemDelegate()  # the view's own, for the cells with nothing to mark
        self._attach()

    def set_query(self, query: str) -> None:
        self.words = sorted({word.lower() for word in query.split() if word}, key=len,
                            reverse=True)
        self._attach()

    def _attach(self) -> None:
        if self._columns is None:
            return
        table, columns = self._columns
        if columns is None:
            plain = self._plain
            assert plain is not None  # set by mark_in with the table
            table.setItemDelegate(self if self.words else plain)
            return
        for column in columns:
            table.setItemDelegateForColumn(column, self if self.words else None)  # type: ignore[arg-type]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each searched word in ``text``, merged, in order."""
        lowered, found = text.lower(), []
        for word in self.words:
            start = lowered.find(word)
            while start >= 0:
                found.append((start, start + len(word)))
                start = lowered.find(word, start + len(word))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def marked_html(self, text: str) -> str:
        parts, last = [], 0
        for start, end in self.spans(text):
            parts.append(html.escape(text[last:start]))
            parts.append(f"<b style='background-color:{MARK_COLOUR}; color:#000'>"
                         f"{html.escape(text[start:end])}</b>")
            last = end
        parts.append(html.escape(text[last:]))
        return "".join(parts)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if not self.words or not self.spans(text):
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        style = item.widget.style() if item.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, item.widget)
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(item.font)
        document.setHtml(self.marked_html(text))
        painter.save()
        painter.setClipRect(area)
        painter.translate(area.left() + 3, area.top() + (area.height()
                                                         - document.size().height()) / 2)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        context.palette.setColor(QPalette.ColorRole.Text, item.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        document.documentLayout().draw(painter, context)
        painter.restore()


MARK_COLOUR = "#ffe58a"


def day_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def local_text(moment: datetime | None) -> str:
    """A stored naive-UTC time as local time, to the minute."""
    return format_datetime(moment)


def local_time_text(at: str, with_seconds: bool = False) -> str:
    """An audit entry's ISO UTC text as local time."""
    return format_datetime(parse_iso_utc(at), seconds=with_seconds)


def preview_pdf(parent: QWidget | None, pdf: bytes, suggested_name: str) -> None:
    """Show a PDF in the shared preview (print / save from there)."""
    from desk_app.ui.widgets.pdf_view import show_pdf

    show_pdf(parent, pdf, suggested_name)
