"""Idle lock: an application-wide input watcher and the dialog that asks for the password."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.branding import product_name
from desk_app.ui.widgets.fields import FieldError

log = logging.getLogger(__name__)

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    """Emits ``idle`` after ``timeout_ms`` without keyboard or mouse input anywhere in the app."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._timer.setInterval(max(1, timeout_ms))
        self._installed = False

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._installed:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._installed = False

    def set_timeout(self, timeout_ms: int) -> None:
        self._timer.setInterval(max(1, timeout_ms))
        if self._timer.isActive():
            self._timer.start()

    def timeout_ms(self) -> int:
        return self._timer.interval()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the app passes here; the isinstance test spares the rest (paints,
        # timers, layout) the costly conversion of ``type()`` to a Python enum.
        if (isinstance(event, QInputEvent) and event.type() in _INPUT_EVENTS
                and self._timer.isActive()):
            self._timer.start()
        return False


class LockDialog(QDialog):
    """Covers the main window until the signed-in user's password is entered again.

    ``accepted`` → unlocked; ``switch_user`` → the window should return to the sign-in.
    Nothing underneath is touched, so unsaved input survives the lock.
    """

    switch_user = Signal()

    def __init__(self, desk, actor: Actor, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.FramelessWindowHint | Qt.WindowType.Dialog)
        self.desk, self.actor = desk, actor
        self.setObjectName("lock")
        self.setModal(True)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAutoFillBackground(True)

        panel = QFrame()
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setMaximumWidth(440)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                       .pixmap(32, 32))
        self.title = QLabel(_("The screen is locked"))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.hint = QLabel(_("{name} is signed in. Enter your password to continue.")
                           .format(name=actor.name))
        self.hint.setWordWrap(True)
        self.password_label = QLabel(_("&Password:"))
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label.setBuddy(self.password_edit)
        self.error_label = FieldError()
        self.unlock_button = QPushButton(_("&Unlock"))
        self.unlock_button.setObjectName("unlock")
        self.switch_button = QPushButton(_("&Switch user…"))
        self.switch_button.setObjectName("switch_user")
        self.unlock_button.clicked.connect(self.try_unlock)
        self.switch_button.clicked.connect(self._switch)

        head = QHBoxLayout()
        head.addWidget(icon)
        head.addWidget(self.title, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.unlock_button)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(20, 16, 20, 16)
        inner.addLayout(head)
        inner.addWidget(self.hint)
        inner.addWidget(self.password_label)
        inner.addWidget(self.password_edit)
        inner.addWidget(self.error_label)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 2)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.switch_button.setAutoDefault(False)
        self.unlock_button.setDefault(True)  # after the layout: needs the dialog as parent
        self.setWindowTitle(_("Locked — {product}").format(product=product_name()))
        self.password_edit.setFocus()

    def cover(self) -> None:
        """Place the dialog over its window, then show it."""
        parent = self.parentWidget()
        window = parent.window() if parent is not None else self
        self.setGeometry(window.geometry())
        self.open()
        self.password_edit.setFocus()

    def reject(self) -> None:
        """Esc does not unlock."""

    def try_unlock(self) -> None:
        try:
            self.desk.auth.unlock(self.actor, self.password_edit.text())
        except DeskError as error:
            log.info("unlock refused for %s: %s", self.actor.name, error)
            self.error_label.show_message(str(error))
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        self.password_edit.clear()
        self.accept()

    def _switch(self) -> None:
        self.done(2)
        self.switch_user.emit()
