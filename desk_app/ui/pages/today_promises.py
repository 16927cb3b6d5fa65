"""Today's "Promised replies due" box (the desk, reception.use): the replies promised to
callers that are due within the reminder (15 minutes unless the administrator set another)
or already late, soonest first; *Open entry* (or Enter on a line) shows the entry selected on
the Reception page, where it is resolved."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

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

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.clock import format_clock, format_datetime, to_local
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.pages.today_complaints import age_text

if TYPE_CHECKING:  # the reception services are imported when the page opens, not here
    from desk_app.services.reception import VisitView

ALERT = "color: #b00020;"
LIST_HEIGHT = 160


def shows_promises(actor: Actor) -> bool:
    return actor.can(ReceptionPermission.RECEPTION_USE)


def caller(view: VisitView) -> str:
    return rules.addressed(view.name, view.caller_title) if view.name else _("(unknown)")


def due_text(promised: datetime, now: datetime) -> str:
    """"in 12 min" or "late by 1 h 5 min"."""
    if promised >= now:
        return _("due in {time}").format(time=age_text(now, promised))
    return _("late by {time}").format(time=age_text(promised, now))


class PromisesBox(QGroupBox):
    """``navigate(page, view)`` goes to the Reception page: ``visit:ID``."""

    navigate = Signal(str, str)

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Promised replies due"), parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("today_promises")
        self.promises: list[VisitView] = []
        layout = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setObjectName("today_promises_count")
        self.label.setWordWrap(True)
        self.open_button = QPushButton(_("Open &entry"))
        self.open_button.setObjectName("today_promises_open")
        self.open_button.setToolTip(_("Show the selected entry on the Reception page"))
        self.open_button.clicked.connect(lambda _checked=False: self.open_selected())
        row = QHBoxLayout()
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        layout.addLayout(row)
        self.list = QTreeWidget()  # at most promises_due's limit (200) rows
        self.list.setObjectName("today_promises_list")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels([_("Reply by"), _("State"), _("Caller"), _("Contact"),
                                   _("Request")])
        for column, width in enumerate((110, 150, 100, 110)):
            self.list.setColumnWidth(column, width)
        self.list.itemActivated.connect(lambda *_args: self.open_selected())
        layout.addWidget(self.list)

    def figures(self) -> tuple[list[VisitView], datetime]:
        """What the box shows, from the services only (Today reads it off the GUI thread)."""
        return self.desk.follow_up.promises_due(self.actor), self.desk.now()

    def show_figures(self, figures: tuple[list[VisitView], datetime]) -> None:
        self.promises, now = figures
        count = len(self.promises)
        late = sum(1 for view in self.promises if view.promise(now) == "broken")
        self.label.setText(
            ngettext("{count} promised reply is due or late; the soonest first:",
                     "{count} promised replies are due or late; the soonest first:",
                     count).format(count=count)
            if count else _("No promised reply is due."))
        self.label.setStyleSheet(ALERT if late else "")
        self.list.clear()
        today = to_local(now).date()
        for view in self.promises:
            assert view.promised_at is not None  # promises_due lists promises only
            when = (format_clock(view.promised_at) if to_local(view.promised_at).date() == today
                    else format_datetime(view.promised_at))
            item = QTreeWidgetItem([when, due_text(view.promised_at, now), caller(view),
                                    view.contact, view.request])
            item.setToolTip(4, view.request)
            item.setToolTip(2, _("Handled by {name}").format(
                name=view.handler_name or view.handler))
            if view.promise(now) == "broken":
                item.setForeground(1, Qt.GlobalColor.darkRed)
            item.setData(0, Qt.ItemDataRole.UserRole, view.id)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self.list.setVisible(bool(self.promises))
        self.open_button.setEnabled(bool(self.promises))
        self._fit_list()

    def _fit_list(self) -> None:
        """As tall as its lines, at most ``LIST_HEIGHT``."""
        rows = self.list.topLevelItemCount()
        line = self.list.sizeHintForRow(0) if rows else 0
        header = self.list.header().sizeHint().height()
        self.list.setFixedHeight(min(LIST_HEIGHT, header + rows * line
                                     + 2 * self.list.frameWidth() + 4))

    def open_selected(self) -> None:
        """The selected entry (the soonest unless another was chosen), on Reception."""
        item = self.list.currentItem()
        if item is not None:
            self.navigate.emit("reception",
                               f"visit:{int(item.data(0, Qt.ItemDataRole.UserRole))}")
