"""A date typed as text or picked on a calendar, read strictly (``domain.clock.parse_day``).

Replaces ``QDateEdit``, whose section editing turned "2026-12-31" typed into 2026-11-12::

    self.since_edit = DateField(today, name="export_since")
    day = self.since_edit.value()        # None while the text is not a date (or empty)
    if day is None:
        self.error_at("from", self.since_edit.error() or "")
        return

The text shows ``yyyy-MM-dd``; what is typed is parsed as it is typed, and a text that is
not a date turns red with the reason as its tooltip. The button beside it, Alt+Down or F4
open a calendar: the arrow keys move, Enter picks, Esc closes without a change.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QRect, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.clock import parse_day, parse_month
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.ui.widgets.fields import from_qdate, to_qdate

INVALID_STYLE = "QLineEdit { color: #b00020; border: 1px solid #b00020; }"


def calendar_icon(size: int = 16) -> QIcon:
    """A small drawn calendar sheet (no icon theme is assumed on the desk PCs)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(QColor("#505050"), 1))
    painter.drawRect(QRect(1, 2, size - 3, size - 4))
    painter.fillRect(QRect(2, 3, size - 4, 3), QColor("#c0392b"))
    painter.setPen(QPen(QColor("#505050"), 1))
    for row in range(2):
        for col in range(3):
            painter.drawPoint(4 + col * 4, 9 + row * 3)
    painter.end()
    return QIcon(pixmap)


class CalendarPopup(QFrame):
    """The calendar below a DateField; Enter or a click picks, Esc closes."""

    picked = Signal(object)  # date

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget()
        self.calendar.setObjectName("calendar")
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.calendar)
        # activated: Enter/Return or a double click; clicked: one click on a day.
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)
        # The keys go to the calendar's inner view: Esc is caught there.
        self.view = self.calendar.focusProxy() or self.calendar
        self.view.installEventFilter(self)

    def _pick(self, day: QDate) -> None:
        self.hide()
        self.picked.emit(from_qdate(day))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Escape):
            self.hide()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)


class DateField(QWidget):
    """One day: a line edit (strict text) and a calendar button. See the module doc."""

    changed = Signal()  # the value (or its validity) changed

    def __init__(self, day: date | None = None, *, name: str = "", parent: QWidget | None = None,
                 minimum: date | None = None, maximum: date | None = None,
                 optional: bool = False, month: bool = False) -> None:
        super().__init__(parent)
        self.minimum, self.maximum, self.optional = minimum, maximum, optional
        # month: the text is a month (2026-12) and the value its first day; the calendar
        # picks the month of the day chosen.
        self.month = month
        if name:
            self.setObjectName(name)
        self.line_edit = QLineEdit()
        self.line_edit.setObjectName(f"{name}_text" if name else "date_text")
        self.line_edit.setPlaceholderText(_("YYYY-MM") if month else _("YYYY-MM-DD"))
        self.line_edit.setMaxLength(32)
        # Wide enough for 2026-12-31 and a little more; the row does not need to grow.
        self.line_edit.setMinimumWidth(self.line_edit.fontMetrics().horizontalAdvance(
            "2026-12-31__") + 16)
        self.button = QToolButton()
        self.button.setObjectName(f"{name}_calendar" if name else "date_calendar")
        self.button.setIcon(calendar_icon())
        self.button.setToolTip(_("Choose on a calendar (Alt+Down)"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from text to text
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line_edit)  # a label's buddy and setFocus reach the text
        # …but a label's mnemonic (Alt+B on "Due &by:") only focuses a buddy that accepts
        # focus itself: without this the typed date went into the previous field
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.popup: CalendarPopup | None = None
        self._value: date | None = None
        self._error: str | None = None
        self.button.clicked.connect(self.open_calendar)
        self.line_edit.textChanged.connect(self._text_changed)
        self.line_edit.editingFinished.connect(self._tidy)
        self.line_edit.installEventFilter(self)
        self.set_value(day)

    # ---------------------------------------------------------------- the value

    def value(self) -> date | None:
        """The day, or None when the text is empty (``optional``) or not a valid date."""
        return self._value if self._error is None else None

    def error(self) -> str | None:
        """Why the text is not an acceptable day (translated), or None."""
        return self._error

    def set_value(self, day: date | None) -> None:
        self.line_edit.setText(self._text_of(day) if day is not None else "")
        self._text_changed(self.line_edit.text())  # setText of the same text says nothing

    # The text as typed, like a QLineEdit's (a form that reads the text and parses it itself,
    # with the same strict domain.clock.parse_day, keeps working unchanged).
    def text(self) -> str:
        return self.line_edit.text()

    def setText(self, text: str) -> None:
        self.line_edit.setText(text)

    @property
    def textChanged(self) -> SignalInstance:
        return self.line_edit.textChanged

    def clear(self) -> None:
        self.line_edit.clear()

    def _text_of(self, day: date) -> str:
        return day.strftime("%Y-%m") if self.month else day.isoformat()

    def _text_changed(self, text: str) -> None:
        before = (self._value, self._error)
        self._value, self._error = self._read(text)
        self._show_state()
        if (self._value, self._error) != before:
            self.changed.emit()

    def _read(self, text: str) -> tuple[date | None, str | None]:
        if not text.strip():
            if self.optional:
                return None, None
            return None, (_("Please enter a month, e.g. 2026-12.") if self.month
                          else _("Please enter a date, e.g. 2026-12-31."))
        try:
            day = parse_month(text) if self.month else parse_day(text)
        except ValidationError as error:
            return None, str(error)
        if self.minimum is not None and day < self.minimum:
            return day, _("The date cannot be before {day}.").format(
                day=self.minimum.isoformat())
        if self.maximum is not None and day > self.maximum:
            return day, _("The date cannot be after {day}.").format(day=self.maximum.isoformat())
        return day, None

    def _show_state(self) -> None:
        # An empty required field is not red while typing: the caller says so on OK.
        bad = self._error is not None and bool(self.line_edit.text().strip())
        self.line_edit.setStyleSheet(INVALID_STYLE if bad else "")
        self.line_edit.setToolTip(self._error if bad and self._error else "")
        self.line_edit.setAccessibleDescription(self._error or "")

    def _tidy(self) -> None:
        """A valid day typed another way (20261231, 2026年12月31日) is shown as 2026-12-31."""
        if self._error is None and self._value is not None:
            text = self._text_of(self._value)
            if self.line_edit.text() != text:
                self.line_edit.setText(text)

    # ---------------------------------------------------------------- the calendar

    def open_calendar(self) -> None:
        """Show the calendar under the field, on the typed day (else today or the range)."""
        if self.popup is None:
            self.popup = CalendarPopup(self)
            self.popup.picked.connect(self._picked)
        calendar = self.popup.calendar
        lowest = to_qdate(self.minimum) if self.minimum else QDate(1900, 1, 1)
        highest = to_qdate(self.maximum) if self.maximum else QDate(2999, 12, 31)
        calendar.setDateRange(lowest, highest)
        shown = self._value or self.minimum or date.today()
        calendar.setSelectedDate(to_qdate(shown))
        self.popup.adjustSize()
        below = self.mapToGlobal(QPoint(0, self.height()))
        self.popup.move(below)
        self.popup.show()
        calendar.setFocus()
        self.popup.view.setFocus()

    def _picked(self, day: date) -> None:
        if self.month:
            day = day.replace(day=1)
        self.set_value(day)
        self.line_edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.line_edit and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)):
            alt_down = (event.key() == Qt.Key.Key_Down
                        and event.modifiers() & Qt.KeyboardModifier.AltModifier)
            if alt_down or event.key() == Qt.Key.Key_F4:
                self.open_calendar()
                return True
        return super().eventFilter(watched, event)
