"""Today's "Documents" box: how many documents wait for my instruction, my reading, my
handling, my sign-off or review, and (office staff) how many are overdue in handling; each
line's button opens that part of the Documents page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk_app.domain.areas.documents import DocumentsPermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext

P = DocumentsPermission
ALERT = "color: #b00020;"
LIST_LIMIT = 50  # waiting_for_me returns at most this many rows per group


class DocumentsBox(QGroupBox):
    """``navigate(page, view)`` goes to the Documents page (MainWindow.open_view)."""

    navigate = Signal(str, str)

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Documents"), parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("today_documents")
        self.counts: dict[str, int] = {}
        layout = QVBoxLayout(self)
        self.lines: dict[str, tuple[QLabel, QPushButton]] = {}
        manager = actor.can(P.DOCUMENT_INSTRUCT)
        self.office = office = desk.documents.office_staff(actor)
        # (key, button, view, always shown): the others only when something waits
        for key, button_text, view, always in (
            ("instruct", _("&Instruct…"), "waiting:instruct", manager),
            ("read", _("&Read…"), "waiting:read", False),
            ("handle", _("Ha&ndle…"), "waiting:handle", False),
            ("signoff", _("Si&gn off / review…"), "waiting:signoff", manager),
            ("office", _("Office &work…"), "waiting:carry", False),
            ("overdue", _("Chase &list"), "chase", office),
        ):
            label = QLabel()
            label.setObjectName(f"today_documents_{key}")
            label.setWordWrap(True)
            button = QPushButton(button_text)
            button.setObjectName(f"today_documents_{key}_open")
            button.clicked.connect(lambda _checked=False, view=view: self._go(view))
            row = QHBoxLayout()
            row.addWidget(label, 1)
            row.addWidget(button)
            layout.addLayout(row)
            label.setProperty("always", always)
            self.lines[key] = (label, button)
        self.nothing = QLabel(_("No document is waiting for you."))
        self.nothing.setObjectName("today_documents_nothing")
        layout.addWidget(self.nothing)

    def _go(self, view: str) -> None:
        if view == "waiting:carry":
            view = getattr(self, "office_view", view)
        if view == "waiting:signoff" and not self.counts.get("signoff") and self.counts.get(
                "review"):
            view = "waiting:review"
        self.navigate.emit("documents", view)

    @staticmethod
    def _number(count: int) -> str:
        return f"{count}+" if count >= LIST_LIMIT else str(count)

    def refresh(self) -> None:
        try:
            figures = self.figures()
        except DeskError as error:
            self.setToolTip(str(error))
            return
        self.show_figures(figures)

    def figures(self) -> tuple[dict[str, Any], int]:
        """What the box shows, from the services only (Today reads it off the GUI thread)."""
        waiting = self.desk.documents.waiting_for_me(self.actor)
        return waiting, self.desk.documents.chase_count(self.actor) if self.office else 0

    def show_figures(self, figures: tuple[dict[str, Any], int]) -> None:
        waiting, overdue = figures
        counts = {key: len(waiting.get(key) or []) for key in ("instruct", "read", "handle")}
        counts["review"] = len(waiting.get("review") or [])
        counts["signoff"] = len(waiting.get("signoff") or []) + counts["review"]
        counts["overdue"] = overdue
        office_groups = ("carry", "send", "deliver", "file")
        counts["office"] = sum(len(waiting.get(key) or []) for key in office_groups)
        self.office_view = next((f"waiting:{key}" for key in office_groups if waiting.get(key)),
                                "waiting:carry")
        self.counts = counts
        texts = {
            "instruct": ngettext("{count} document is waiting for your instruction.",
                                 "{count} documents are waiting for your instruction.",
                                 counts["instruct"]),
            "read": ngettext("{count} document is waiting for your reading.",
                             "{count} documents are waiting for your reading.", counts["read"]),
            "handle": ngettext("{count} document is for your department to handle.",
                               "{count} documents are for your department to handle.",
                               counts["handle"]),
            "signoff": ngettext("{count} draft is waiting for your sign-off or review.",
                                "{count} drafts are waiting for your sign-off or review.",
                                counts["signoff"]),
            "office": ngettext("{count} document is waiting for the office: to carry, send, "
                               "deliver or file.",
                               "{count} documents are waiting for the office: to carry, send, "
                               "deliver or file.", counts["office"]),
            "overdue": ngettext("{count} document is overdue in handling: chase it.",
                                "{count} documents are overdue in handling: chase them.",
                                counts["overdue"]),
        }
        shown = 0
        for key, (label, button) in self.lines.items():
            count = counts[key]
            label.setText(texts[key].format(count=self._number(count)))
            label.setStyleSheet(ALERT if key == "overdue" and count else "")
            button.setEnabled(bool(count))
            visible = bool(count) or bool(label.property("always"))
            label.setVisible(visible)
            button.setVisible(visible)
            shown += visible
        self.nothing.setVisible(not shown)
