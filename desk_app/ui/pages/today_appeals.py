"""Today's "My appeals" box (002, timeouts and responsibility): the reviews that hold me
responsible while I may still appeal them, my appeals waiting for a decision or decided
lately, and — for a supervisor or the manager — the appeals waiting for my decision.
*Open timeout* (or Enter on a line) shows the entry's case selected on the Reception page's
Timeouts tab."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem, QWidget

from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.clock import format_datetime, to_local
from desk_app.domain.reception import level_label
from desk_app.domain.timeouts import Measure, Outcome
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.pages.list_box import ListBox

if TYPE_CHECKING:  # the reception services are imported when the page opens, not here
    from desk_app.services.reception.timeouts import TimeoutCase

P = ReceptionPermission


def shows_appeals(actor: Actor) -> bool:
    """The desk (who may be held responsible), supervisors and the manager (who decide)."""
    return any(actor.can(p) for p in (P.RECEPTION_USE, P.RECEPTION_SUPERVISE, P.RECEPTION_MANAGE))


def _label(enum, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def line_text(case: TimeoutCase, me: str, now: datetime) -> tuple[str, bool]:
    """What waits, as a sentence, and whether it waits for me to act."""
    entry = case.visit_id
    if me not in (case.responsible, case.joint_supervisor):  # an appeal I may decide
        return _("Entry {id}: {name}'s appeal waits for your decision.").format(
            id=entry, name=case.full(case.appellant)), True
    if case.state == "reviewed":
        return _("Entry {id}: {level}, you may appeal until {time}.").format(
            id=entry, level=level_label(case.level),
            time=to_local(case.appeal_until).strftime("%m-%d %H:%M")
            if case.appeal_until else ""), True
    if case.state == "appealed":
        return _("Entry {id}: appealed, waiting for a decision.").format(id=entry), False
    return _("Entry {id}: appeal decided — {outcome}; the measure now: {measure}.").format(
        id=entry, outcome=_label(Outcome, case.outcome),
        measure=_label(Measure, case.measure_now)), False


class AppealsBox(ListBox):
    """A line leads to the entry's case on the Timeouts tab (``timeout:ID``)."""

    opens = "timeout"

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("My appeals"), "today_appeals", _("Open &timeout"),
                         _("Show the selected entry's timeout on the Reception page"),
                         [_("Time in"), _("What is waiting")], (130,), parent)
        self.desk, self.actor = desk, actor
        self.cases: list[TimeoutCase] = []  # at most waiting_for_me's limits (50 + 50)

    def figures(self) -> tuple[list[TimeoutCase], datetime]:
        """What the box shows, from the services only (Today reads it off the GUI thread)."""
        return self.desk.timeouts.waiting_for_me(self.actor), self.desk.now()

    def show_figures(self, figures: tuple[list[TimeoutCase], datetime]) -> None:
        self.cases, now = figures
        lines, acting = [], 0
        texts = [(case, *line_text(case, self.actor.name, now)) for case in self.cases]
        for case, text, mine in sorted(texts, key=lambda line: not line[2]):  # to act on first
            acting += mine
            item = QTreeWidgetItem([format_datetime(case.arrived_at), text])
            item.setToolTip(1, text)
            if mine:
                item.setForeground(1, Qt.GlobalColor.darkRed)
            lines.append((case.visit_id, item))
        count = len(lines)
        self.set_heading(
            ngettext("{count} timeout review or appeal concerns you:",
                     "{count} timeout reviews or appeals concern you:", count).format(count=count)
            if count else _("No timeout review or appeal concerns you."), bool(acting))
        self.set_lines(lines)
