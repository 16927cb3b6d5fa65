"""A box to sign in with the mouse, a pen or a finger (R15: the handwritten half of a signature).

Strokes are kept as lists of points in widget pixels and drawn as smooth curves (quadratic
Bézier segments through the midpoints of consecutive points). ``to_png`` renders them again at
print resolution into a transparent PNG cropped to the ink.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from desk_app.domain.errors import ValidationError
from desk_app.i18n import _

INK = QColor(20, 33, 61)
PEN_WIDTH_PX = 2.6  # on screen, at the widget's logical DPI
MIN_POINTS = 6  # a click or a tiny tick is not a signature
MIN_EXTENT_MM = 5.0  # the ink must span at least this much (width or height)
MM_PER_INCH = 25.4


def stroke_path(points: list[QPointF]) -> QPainterPath:
    """A smooth path through ``points``: quadratic curves whose end points are the midpoints."""
    path = QPainterPath()
    if not points:
        return path
    path.moveTo(points[0])
    if len(points) == 1:
        return path
    if len(points) == 2:
        path.lineTo(points[1])
        return path
    path.lineTo((points[0] + points[1]) / 2)
    for index in range(1, len(points) - 1):
        path.quadTo(points[index], (points[index] + points[index + 1]) / 2)
    path.lineTo(points[-1])
    return path


class SignaturePad(QWidget):
    """Draw to sign. ``changed`` is emitted whenever a stroke is added, undone or cleared."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signature_pad")
        self.strokes: list[list[QPointF]] = []
        self._drawing = False
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(320, 130)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Signature box"))
        self.setToolTip(_("Sign here with the mouse, a pen or your finger. "
                          "Ctrl+Z removes the last stroke, Delete clears."))

    def sizeHint(self) -> QSize:
        return QSize(480, 180)

    # ------------------------------------------------------------------ state

    def is_empty(self) -> bool:
        return not self.strokes

    def clear(self) -> None:
        if self.strokes or self._drawing:
            self.strokes.clear()
            self._drawing = False
            self.update()
            self.changed.emit()

    def undo_stroke(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self._drawing = False
            self.update()
            self.changed.emit()

    def point_count(self) -> int:
        return sum(len(stroke) for stroke in self.strokes)

    def ink_rect(self) -> QRectF:
        """The bounding box of all points, in widget pixels (empty when nothing is drawn)."""
        points = [point for stroke in self.strokes for point in stroke]
        if not points:
            return QRectF()
        xs, ys = [p.x() for p in points], [p.y() for p in points]
        return QRectF(QPointF(min(xs), min(ys)), QPointF(max(xs), max(ys)))

    def _dpi(self) -> float:
        return float(self.logicalDpiX() or 96)

    def extent_mm(self) -> float:
        rect = self.ink_rect()
        return max(rect.width(), rect.height()) / self._dpi() * MM_PER_INCH

    def check(self) -> None:
        """Raise ``ValidationError`` unless the pad holds something that looks like a signature."""
        if self.point_count() < MIN_POINTS or self.extent_mm() < MIN_EXTENT_MM:
            raise ValidationError(_("Please sign in the box."), field="signature")

    def signature_png(self, dpi: int = 300) -> bytes:
        """The signature as a transparent PNG; refused (``ValidationError``) if empty or a dot."""
        self.check()
        return self.to_png(dpi)

    def to_png(self, dpi: int = 300) -> bytes:
        """The strokes at ``dpi`` on a transparent background, cropped to the ink."""
        if self.is_empty():
            raise ValidationError(_("Please sign in the box."), field="signature")
        scale = dpi / self._dpi()
        margin = PEN_WIDTH_PX  # half a pen on each side, plus a little air
        rect = self.ink_rect().adjusted(-margin, -margin, margin, margin)
        width = max(1, round(rect.width() * scale))
        height = max(1, round(rect.height() * scale))
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        dots_per_metre = round(dpi / MM_PER_INCH * 1000)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.scale(scale, scale)
            painter.translate(-rect.topLeft())
            self._draw_strokes(painter)
        finally:
            painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # (b"PNG" is refused at run time)
        buffer.close()
        return bytes(data.data())

    # ------------------------------------------------------------------ drawing

    def _draw_strokes(self, painter: QPainter) -> None:
        pen = QPen(INK, PEN_WIDTH_PX, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for stroke in self.strokes:
            if len(stroke) == 1:
                painter.save()
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(INK)
                painter.drawEllipse(stroke[0], PEN_WIDTH_PX / 2, PEN_WIDTH_PX / 2)
                painter.restore()
            else:
                painter.drawPath(stroke_path(stroke))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(255, 255, 255))
        frame = QColor(120, 130, 150) if self.hasFocus() else QColor(190, 195, 205)
        painter.setPen(QPen(frame, 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        baseline = self.height() * 0.72
        painter.setPen(QPen(QColor(200, 205, 215), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(24, baseline), QPointF(self.width() - 24, baseline))
        painter.setPen(QColor(150, 155, 165))
        painter.drawText(QPointF(10, baseline + 4), "×")
        if self.is_empty():
            painter.drawText(QRectF(self.rect()).adjusted(0, 0, 0, -self.height() * 0.35),
                             Qt.AlignmentFlag.AlignCenter, _("Sign here"))
        self._draw_strokes(painter)
        painter.end()

    # ------------------------------------------------------------------ input

    def _begin(self, point: QPointF) -> None:
        self._drawing = True
        self.strokes.append([QPointF(point)])
        self.update()

    def _extend(self, point: QPointF) -> None:
        if not self._drawing or not self.strokes:
            return
        stroke = self.strokes[-1]
        last = stroke[-1]
        if abs(point.x() - last.x()) + abs(point.y() - last.y()) >= 0.75:
            stroke.append(QPointF(point))
            self.update()

    def _end(self, point: QPointF | None = None) -> None:
        if not self._drawing:
            return
        if point is not None:
            self._extend(point)
        self._drawing = False
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._begin(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing:
            self._extend(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drawing:
            self._end(event.position())
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end(event.position())
        event.accept()  # no synthesized mouse events follow

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                    QEvent.Type.TouchCancel) and isinstance(event, QTouchEvent):
            points = event.points()
            if kind == QEvent.Type.TouchCancel:
                self._end()
            elif points:
                position = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(position)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(position)
                else:
                    self._end(position)
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo_stroke()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.clear()
        else:
            super().keyPressEvent(event)
            return
        event.accept()
