"""The Handover page (R8–R12): the current shift's handover — start it, write the entries,
count the checklist by scan, sign both, countersign — its history, and the rota with swaps."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desk_app.domain.areas.handover import HandoverPermission
from desk_app.domain.errors import DeskError
from desk_app.domain.handover import Status
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.errors import show_error
from desk_app.ui.handover.dialogs import StartDialog
from desk_app.ui.handover.history import HistoryTab
from desk_app.ui.handover.record import RecordView
from desk_app.ui.handover.rota import RotaTab
from desk_app.ui.widgets.page import DialogHost, Page
from desk_app.ui.widgets.registers import local_text

H = HandoverPermission
CURRENT, HISTORY, ROTA = "current", "history", "rota"


class CurrentTab(QWidget, DialogHost):
    """The open handover of the current shift, or a Start button when there is none."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.none_panel = QWidget()
        self.none_label = QLabel()
        self.none_label.setObjectName("handover_none")
        self.none_label.setWordWrap(True)
        self.start_button = QPushButton(_("&Start the handover…"))
        self.start_button.setObjectName("handover_start")
        self.start_button.clicked.connect(lambda _checked=False: self.start())
        self.start_button.setVisible(actor.can(H.HANDOVER_WORK))
        none_layout = QHBoxLayout(self.none_panel)
        none_layout.setContentsMargins(0, 6, 0, 6)
        none_layout.addWidget(self.none_label, 1)
        none_layout.addWidget(self.start_button)
        self.view = RecordView(desk, actor, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.none_panel)
        layout.addWidget(self.view, 1)
        self.load()

    def load(self) -> None:
        try:
            record = self.desk.handovers.current(self.actor)
        except DeskError as error:
            show_error(self, error)
            record = None
        if record is None and self.view.record is not None \
                and self.view.record["status"] == Status.HANDED_OVER:
            # just handed over: keep it on screen (its PDF, the supervisor's countersignature)
            try:
                record = self.desk.handovers.show(self.actor, self.view.record["id"])
            except DeskError:
                record = None
        self.view.set_record(record)
        self.view.setVisible(record is not None)
        self.none_panel.setVisible(record is None or record["status"] not in
                                   (Status.PREPARING, Status.OUTGOING_SIGNED))
        self.none_label.setText(self._none_text())

    def _none_text(self) -> str:
        try:
            summary = self.desk.handovers.summary(self.actor)
        except DeskError:
            return _("No handover is open for the current shift.")
        due = local_text(summary.get("due_at"))
        return _("No handover is open for the current shift (due {due}).").format(due=due)

    def refresh(self) -> None:
        self.load()

    def start(self) -> StartDialog:
        dialog = StartDialog(self.desk, self.actor, self)
        self.run_dialog(dialog, self._started)
        return dialog

    def _started(self, record: dict[str, Any]) -> None:
        self.view.set_record(record)
        self.load()
        self.view.scan_box.focus()


class HandoverPage(Page):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Handover"), _(
            "Shift handover: issues, instructions and checklists handed over face to face, "
            "signed by both and countersigned."), parent)
        self.desk, self.actor = desk, actor
        self.tabs = QTabWidget()
        self.tabs.setObjectName("handover_tabs")
        self.current = CurrentTab(desk, actor)
        self.history = HistoryTab(desk, actor)
        self.tabs.addTab(self.current, _("&Current handover"))
        self.tabs.addTab(self.history, _("Histor&y"))
        self.rota: RotaTab | None = None
        if actor.can(H.SHIFT_VIEW):
            self.rota = RotaTab(desk, actor)
            self.tabs.addTab(self.rota, _("Rota && s&waps"))
        self.body.addWidget(self.tabs, 1)
        self.current.view.scan_box.add_shortcuts(self)
        self.current.view.changed.connect(self.history.refresh)
        self.tabs.currentChanged.connect(lambda _index: self._tab_changed())
        self.initial_focus = self.current.view.scan_box.edit

    def _tab_changed(self) -> None:
        widget = self.tabs.currentWidget()
        refresh = getattr(widget, "refresh", None)
        if refresh is not None:
            refresh()

    def refresh(self) -> None:
        self.current.load()
        self.history.refresh()
        if self.rota is not None:
            self.rota.refresh()

    def activated(self) -> None:
        self.refresh()

    def show_view(self, view: str) -> None:
        """``current``; ``history``; ``countersign`` (handed over, awaiting it);
        ``discrepancies``; ``swaps`` (the rota tab)."""
        if view in ("history", "countersign", "discrepancies"):
            self.tabs.setCurrentWidget(self.history)
            if view == "countersign":
                self.history.show_status(Status.HANDED_OVER.value)
            elif view == "discrepancies":
                self.history.show_status(None, discrepancies=True)
        elif view in ("rota", "swaps") and self.rota is not None:
            self.tabs.setCurrentWidget(self.rota)
            if view == "swaps":
                self.rota.show_waiting()
        else:
            self.tabs.setCurrentWidget(self.current)
