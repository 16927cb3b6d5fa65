"""Today's "Promised replies due" box (the desk, reception.use): the replies promised to
callers that are due within the reminder (15 minutes unless the administrator set another)
or already late, soonest first; *Open entry* (or Enter on a line) shows the entry selected on
the Reception page, where it is resolved."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem, QWidget

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.clock import format_clock, format_datetime, to_local
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.pages.list_box import ListBox
from desk_app.ui.pages.today_complaints import age_text

if TYPE_CHECKING:  # the reception services are imported when the page opens, not here
    from desk_app.services.reception import VisitView

def shows_promises(actor: Actor) -> bool:
    return actor.can(ReceptionPermission.RECEPTION_USE)


def caller(view: VisitView) -> str:
    return rules.addressed(view.name, view.caller_title) if view.name else _("(unknown)")


def due_text(promised: datetime, now: datetime) -> str:
    """"in 12 min" or "late by 1 h 5 min"."""
    if promised >= now:
        return _("due in {time}").format(time=age_text(now, promised))
    return _("late by {time}").format(time=age_text(promised, now))


class PromisesBox(ListBox):
    """A line leads to the log entry on the Reception page (``visit:ID``)."""

    opens = "visit"

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Promised replies due"), "today_promises", _("Open &entry"),
                         _("Show the selected entry on the Reception page"),
                         [_("Reply by"), _("State"), _("Caller"), _("Contact"), _("Request")],
                         (110, 150, 100, 110), parent)
        self.desk, self.actor = desk, actor
        self.promises: list[VisitView] = []  # at most promises_due's limit (200)

    def figures(self) -> tuple[list[VisitView], datetime]:
        """What the box shows, from the services only (Today reads it off the GUI thread)."""
        return self.desk.follow_up.promises_due(self.actor), self.desk.now()

    def show_figures(self, figures: tuple[list[VisitView], datetime]) -> None:
        self.promises, now = figures
        count = len(self.promises)
        late = sum(1 for view in self.promises if view.promise(now) == "broken")
        self.set_heading(
            ngettext("{count} promised reply is due or late; the soonest first:",
                     "{count} promised replies are due or late; the soonest first:",
                     count).format(count=count)
            if count else _("No promised reply is due."), bool(late))
        today = to_local(now).date()
        lines = []
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
            lines.append((view.id, item))
        self.set_lines(lines)
