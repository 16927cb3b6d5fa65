"""A widget built when it is first needed, not when the page around it is.

At a first sign-in the page a user opens is built, laid out and painted before its first
rows show (issue 17); parts of it that are not on screen yet (a tab behind another, a side
pane beside the register) need not be in that wait. ``LazyWidget`` holds such a part's
place: it builds the part when it is first shown, when ``after_paint`` asks for it once the
register has been painted, or whenever code asks for ``content()`` (so callers and tests
that use the part at once still get it, built then).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyWidget(QWidget):
    """``make()`` builds the content (parentless; it is put in this widget's layout).
    ``built`` is emitted once, with the content, after it was put in place."""

    built = Signal(QWidget)

    def __init__(self, make: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._make: Callable[[], QWidget] | None = make
        self._content: QWidget | None = None
        self._on_show = True  # built as it is shown, unless after_paint said otherwise
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def is_built(self) -> bool:
        return self._content is not None

    def content(self) -> QWidget:
        """The content, built now if it was not yet."""
        if self._content is None:
            assert self._make is not None
            make, self._make = self._make, None
            self._content = make()
            self._layout.addWidget(self._content)
            if self.isVisible():  # else the layout shows it a turn of the event loop later
                self._content.show()
            self.built.emit(self._content)
        return self._content

    def showEvent(self, event: QShowEvent) -> None:
        if self._on_show:
            self.content()
        super().showEvent(event)

    def after_paint(self, painted: QWidget) -> None:
        """Build the content in the event-loop turn after ``painted`` was first painted
        (shown beside it, this widget stays empty until then)."""
        self._on_show = False
        _AfterFirstPaint(painted, self)


class _AfterFirstPaint(QObject):
    """Watches ``painted`` for its first paint, then builds ``lazy`` (if still needed)."""

    def __init__(self, painted: QWidget, lazy: LazyWidget) -> None:
        super().__init__(lazy)
        self._painted, self._lazy = painted, lazy
        painted.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._painted.removeEventFilter(self)
            QTimer.singleShot(0, self, self._build)
        return False

    def _build(self) -> None:
        self._lazy.content()
        self.deleteLater()
