"""Today's "Complaints waiting for my decision" box (R17): for a supervisor the complaints with
proposals waiting and the serious or severe ones not yet proposed on; for a manager the ones
whose customer refused the supervisor's decision. Oldest first; *Open complaint* (or Enter on
a line) shows it selected on the Reception page's Complaint register."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem, QWidget

from desk_app.domain import complaints as flow
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.complaints import Severity, Status
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.pages.list_box import ListBox

if TYPE_CHECKING:  # the reception services are imported when the page opens, not here
    from desk_app.services.reception import ComplaintView

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


class ComplaintsBox(ListBox):
    """A line leads to the complaint on the Reception page (``complaint:ID``)."""

    opens = "complaint"

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Complaints waiting for my decision"), "today_complaints",
                         _("O&pen complaint"),
                         _("Show the selected complaint on the Reception page"),
                         [_("No."), _("Severity"), _("State"), _("Customer"), _("Waiting")],
                         (100, 80, 280, 140), parent)
        self.desk, self.actor = desk, actor
        self.complaints: list[ComplaintView] = []  # at most waiting_for_me's limit (50)

    def figures(self) -> tuple[list[ComplaintView], datetime]:
        """What the box shows, from the services only (Today reads it off the GUI thread)."""
        return self.desk.complaint_flow.waiting_for_me(self.actor), self.desk.now()

    def show_figures(self, figures: tuple[list[ComplaintView], datetime]) -> None:
        self.complaints, now = figures
        count = len(self.complaints)
        self.set_heading(
            ngettext("{count} complaint is waiting for your decision; the oldest first:",
                     "{count} complaints are waiting for your decision; the oldest first:",
                     count).format(count=count)
            if count else _("No complaint is waiting for your decision."), bool(count))
        lines = []
        for view in self.complaints:
            severity = Severity(view.severity)
            item = QTreeWidgetItem([flow.number(view.id), severity.label,
                                    Status(view.status).label, view.name or "—",
                                    age_text(view.received_at, now)])
            item.setToolTip(3, view.description)
            if severity.escalated:
                item.setForeground(1, Qt.GlobalColor.darkRed)
            lines.append((view.id, item))
        self.set_lines(lines)
