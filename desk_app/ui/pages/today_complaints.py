"""Today's "Complaints waiting for my decision" box (R17): for a supervisor the complaints with
proposals waiting and the serious or severe ones not yet proposed on; for a manager the ones
whose customer refused the supervisor's decision. Oldest first; *Open complaint* (or Enter on
a line) shows it selected on the Reception page's Complaint register."""

from __future__ import annotations

from datetime import datetime, timedelta
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

from desk_app.domain import complaints as flow
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.complaints import Severity, Status
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext

if TYPE_CHECKING:  # the reception services are imported when the page opens, not here
    from desk_app.services.reception import ComplaintView

ALERT = "color: #b00020;"
LIST_HEIGHT = 160


def shows_box(actor: Actor) -> bool:
    return (actor.can(ReceptionPermission.RECEPTION_SUPERVISE)
            or actor.can(ReceptionPermission.RECEPTION_MANAGE))


def age_text(since: datetime, now: datetime) -> str:
    """How long a complaint has waited: "2 d 3 h", "5 h 20 min", "12 min"."""
    elapsed = max(now - since, timedelta(0))
    minutes = int(elapsed.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return _("{minutes} min").format(minutes=minutes)


class ComplaintsBox(QGroupBox):
    """``navigate(page, view)`` goes to the Reception page: ``complaint:ID``."""

    navigate = Signal(str, str)

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Complaints waiting for my decision"), parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("today_complaints")
        self.complaints: list[ComplaintView] = []
        layout = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setObjectName("today_complaints_count")
        self.label.setWordWrap(True)
        self.open_button = QPushButton(_("O&pen complaint"))
        self.open_button.setObjectName("today_complaints_open")
        self.open_button.setToolTip(_("Show the selected complaint on the Reception page"))
        self.open_button.clicked.connect(lambda _checked=False: self.open_selected())
        row = QHBoxLayout()
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        layout.addLayout(row)
        self.list = QTreeWidget()  # at most waiting_for_me's limit (50) rows
        self.list.setObjectName("today_complaints_list")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels([_("No."), _("Severity"), _("State"), _("Customer"),
                                   _("Waiting")])
        for column, width in enumerate((100, 80, 280, 140)):
            self.list.setColumnWidth(column, width)
        self.list.itemActivated.connect(lambda *_args: self.open_selected())
        layout.addWidget(self.list)

    def figures(self) -> tuple[list[ComplaintView], datetime]:
        """What the box shows, from the services only (Today reads it off the GUI thread)."""
        return self.desk.complaint_flow.waiting_for_me(self.actor), self.desk.now()

    def show_figures(self, figures: tuple[list[ComplaintView], datetime]) -> None:
        self.complaints, now = figures
        count = len(self.complaints)
        self.label.setText(
            ngettext("{count} complaint is waiting for your decision; the oldest first:",
                     "{count} complaints are waiting for your decision; the oldest first:",
                     count).format(count=count)
            if count else _("No complaint is waiting for your decision."))
        self.label.setStyleSheet(ALERT if count else "")
        self.list.clear()
        for view in self.complaints:
            severity = Severity(view.severity)
            item = QTreeWidgetItem([flow.number(view.id), severity.label,
                                    Status(view.status).label, view.name or "—",
                                    age_text(view.received_at, now)])
            item.setToolTip(3, view.description)
            if severity.escalated:
                item.setForeground(1, Qt.GlobalColor.darkRed)
            item.setData(0, Qt.ItemDataRole.UserRole, view.id)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self.list.setVisible(bool(self.complaints))
        self.open_button.setEnabled(bool(self.complaints))
        self._fit_list()

    def _fit_list(self) -> None:
        """As tall as its lines (a few waiting leave no empty box), at most ``LIST_HEIGHT``."""
        rows = self.list.topLevelItemCount()
        line = self.list.sizeHintForRow(0) if rows else 0
        header = self.list.header().sizeHint().height()
        self.list.setFixedHeight(min(LIST_HEIGHT, header + rows * line
                                     + 2 * self.list.frameWidth() + 4))

    def open_selected(self) -> None:
        """The selected complaint (the oldest unless another was chosen), on Reception."""
        item = self.list.currentItem()
        if item is not None:
            self.navigate.emit("reception",
                               f"complaint:{int(item.data(0, Qt.ItemDataRole.UserRole))}")

    def refresh(self) -> None:
        try:
            self.show_figures(self.figures())
        except DeskError as error:
            self.setToolTip(str(error))
