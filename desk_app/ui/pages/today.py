"""Today: who is signed in, the date, the user's recent actions, and audit figures."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.areas.approvals import ApprovalsPermission
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.areas.documents import DocumentsPermission
from desk_app.domain.areas.handover import HandoverPermission, KeysPermission
from desk_app.domain.clock import format_clock
from desk_app.domain.errors import DeskError
from desk_app.domain.handover import STATUS_LABELS, Status
from desk_app.domain.roles import Permission, role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.language import locale
from desk_app.ui.pages.box_line import box_line
from desk_app.ui.pages.today_appeals import AppealsBox, shows_appeals
from desk_app.ui.pages.today_complaints import ComplaintsBox, shows_box
from desk_app.ui.pages.today_documents import DocumentsBox
from desk_app.ui.pages.today_messages import MessagesBox
from desk_app.ui.pages.today_promises import PromisesBox, shows_promises
from desk_app.ui.widgets.fields import to_qdate
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.page import Page
from desk_app.ui.widgets.registers import local_time_text

log = logging.getLogger(__name__)
OVERDUE_SHOWN = 10
PLAIN = "color: palette(window-text);"


class TodayPage(Page):
    """``loaded`` is emitted each time the boxes were filled from a background load."""

    loaded = Signal()
    # Off in the GUI tests (tests/gui/conftest.py), which read the boxes right away; one
    # test loads in the background as the product does.
    background = True

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Good day, {name}").format(name=actor.label), "", parent)
        self.desk, self.actor = desk, actor
        self.loading: Job | None = None
        self._load_again = False
        self._painted = False  # the boxes are built and loaded after the first frame
        self.date_label = QLabel()
        self.date_label.setObjectName("today_date")
        # Translators: the separator between items of a list (zh_CN: 、).
        roles = _(", ").join(role_label(role) for role in sorted(actor.roles)) if actor.roles else "—"
        self.roles_label = QLabel(_("Your roles: {roles}").format(roles=roles))
        self.roles_label.setObjectName("today_roles")
        self.body.addWidget(self.date_label)
        self.body.addWidget(self.roles_label)
        # the boxes scroll when the window is small (a supervisor sees many of them)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("today_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        self.boxes = QVBoxLayout(content)
        self.boxes.setContentsMargins(0, 0, 0, 0)
        self.scroll_area.setWidget(content)
        self.body.addWidget(self.scroll_area, 1)

        self.audit_box: QGroupBox | None = None
        self.overdue_box: QGroupBox | None = None
        self.approvals_box: QGroupBox | None = None
        self.waiting_button: QPushButton | None = None
        self.waiting_label: QLabel | None = None
        self.expiring_label: QLabel | None = None
        self.due_label: QLabel | None = None
        self.first_waiting: int | None = None
        self.shift_box: QGroupBox | None = None
        self.keys_label: QLabel | None = None
        self.handover_label: QLabel | None = None
        self.countersign_label: QLabel | None = None
        self.swaps_label: QLabel | None = None
        self.documents_box: DocumentsBox | None = None
        self.messages_box: MessagesBox | None = None
        self.complaints_box: ComplaintsBox | None = None
        self.promises_box: PromisesBox | None = None
        self.appeals_box: AppealsBox | None = None
        self.boxes_built = False
        if not self.background:  # else the first frame builds them, then loads (paintEvent)
            self.build_boxes()
            self.activated()

    def build_boxes(self) -> None:
        """The boxes this user may see, empty until their figures are read. At sign-in
        they are built after the window's first frame: a user who opens another page at
        once does not wait for them (issue 17)."""
        if self.boxes_built:
            return
        self.boxes_built = True
        desk, actor = self.desk, self.actor
        self.audit_label = QLabel()
        self.audit_label.setObjectName("today_audit")
        self.audit_label.setWordWrap(True)
        if actor.can(Permission.AUDIT_VIEW):
            self.audit_box = QGroupBox(_("Audit trail"))
            QVBoxLayout(self.audit_box).addWidget(self.audit_label)
            self.boxes.addWidget(self.audit_box)
        if shows_promises(actor):  # the desk: replies promised, due within minutes
            self.promises_box = self._own(PromisesBox(desk, actor))
        self.appeals_box = self._own(AppealsBox(desk, actor)) if shows_appeals(actor) else None
        if actor.can(ArchivePermission.LOAN_VIEW):
            self._build_overdue_box()
        self._build_approvals_box()
        if shows_box(actor):  # supervisors and managers decide complaints
            self.complaints_box = self._own(ComplaintsBox(desk, actor))
        self._build_shift_box()
        if actor.can(DocumentsPermission.DOCUMENT_VIEW):
            self.documents_box = self._own(DocumentsBox(desk, actor))
        self.messages_box = self._own(MessagesBox(desk, actor))  # anyone may be left one

        recent = QGroupBox(_("Your recent actions"))
        self.recent = QTreeWidget()
        self.recent.setObjectName("recent_actions")
        self.recent.setRootIsDecorated(False)
        self.recent.setUniformRowHeights(True)
        self.recent.setHeaderLabels([_("Time"), _("Action"), _("What happened")])
        self.recent.setColumnWidth(0, 150)
        self.recent.setColumnWidth(1, 160)
        QVBoxLayout(recent).addWidget(self.recent)
        self.boxes.addWidget(recent, 1)

    def _build_overdue_box(self) -> None:
        self.overdue_box = QGroupBox(_("Overdue loans"))
        self.overdue_box.setObjectName("today_overdue")
        self.overdue_label = QLabel()
        self.overdue_label.setObjectName("today_overdue_count")
        self.overdue_list = QTreeWidget()
        self.overdue_list.setObjectName("today_overdue_list")
        self.overdue_list.setRootIsDecorated(False)
        self.overdue_list.setUniformRowHeights(True)
        self.overdue_list.setHeaderLabels([_("Reference"), _("Borrower"), _("Days overdue"),
                                           _("Title")])
        for column, width in enumerate((190, 140, 100)):
            self.overdue_list.setColumnWidth(column, width)
        self.overdue_list.itemActivated.connect(lambda *_args: self.open_overdue())
        self.overdue_button = QPushButton(_("Show all &overdue loans"))
        self.overdue_button.setObjectName("today_overdue_open")
        self.overdue_button.clicked.connect(self.open_overdue)
        row = QHBoxLayout()
        row.addWidget(self.overdue_label, 1)
        row.addWidget(self.overdue_button)
        layout = QVBoxLayout(self.overdue_box)
        layout.addLayout(row)
        layout.addWidget(self.overdue_list)
        self.boxes.addWidget(self.overdue_box, 1)

    def _build_approvals_box(self) -> None:
        """Approvals waiting (the manager, with Approve…), approvals expiring this week,
        items due for review: each line only for those who may see it."""
        decide = self.actor.can(ApprovalsPermission.APPROVAL_DECIDE)
        view = self.actor.can(ApprovalsPermission.APPROVAL_VIEW)
        review = self.actor.can(ApprovalsPermission.RETENTION_VIEW)
        if not (decide or view or review):
            return
        self.approvals_box = QGroupBox(_("Approvals"))
        self.approvals_box.setObjectName("today_approvals")
        layout = QVBoxLayout(self.approvals_box)
        if decide:
            self.waiting_label, self.waiting_button = box_line(
                layout, "today_approvals_waiting", _("&Approve…"), self.open_waiting)
        if view:
            self.expiring_label, _button = box_line(
                layout, "today_approvals_expiring", _("Show e&xpiring"),
                lambda: self.navigate.emit("approvals", "expiring"))
        if review:
            self.due_label, _button = box_line(
                layout, "today_review_due", _("Show files due for re&view"),
                lambda: self.navigate.emit("approvals", "due"))
        self.boxes.addWidget(self.approvals_box)

    def _approvals_figures(self) -> dict[str, Any]:
        from desk_app.services.approvals import ApprovalFilter

        figures: dict[str, Any] = {}
        if self.waiting_label is not None:
            count = self.desk.approvals.waiting_count(self.actor)
            # the register lists the newest first: Approve… starts with the oldest
            rows = self.desk.approvals.page(self.actor, ApprovalFilter(view="waiting"),
                                            max(0, count - 1), 1) if count else []
            figures["waiting"] = (count, rows[0]["id"] if rows else None)
        if self.expiring_label is not None:
            figures["expiring"] = self.desk.approvals.expiring(self.actor)
        if self.due_label is not None:
            figures["due"] = self.desk.retention.due_count(self.actor)
        return figures

    def _show_approvals(self, figures: dict[str, Any]) -> None:
        if self.waiting_label is not None and self.waiting_button is not None:
            count, self.first_waiting = figures["waiting"]
            self.waiting_label.setText(
                ngettext("{count} request is waiting for your decision.",
                         "{count} requests are waiting for your decision.", count)
                .format(count=count) if count else _("No request is waiting for you."))
            self.waiting_button.setEnabled(bool(count))
        if self.expiring_label is not None:
            expiring = figures["expiring"]
            self.expiring_label.setText(
                ngettext("{count} approval ends this week: {list}",
                         "{count} approvals end this week: {list}", len(expiring)).format(
                    count=len(expiring), list=", ".join(
                        f"{row['number']} ({row['borrower']}, {row['window_to']})"
                        for row in expiring[:5]) + ("…" if len(expiring) > 5 else ""))
                if expiring else _("No approval ends this week."))
        if self.due_label is not None:
            due = figures["due"]
            self.due_label.setText(
                ngettext("{count} file is past its retention and due for review.",
                         "{count} files are past their retention and due for review.", due)
                .format(count=due) if due else _("No file is due for review."))

    def _build_shift_box(self) -> None:
        """Keys out and overdue, the handover due or open, and for supervisors handovers
        awaiting countersignature, discrepancies and swap requests: only what the user may see."""
        keys = self.actor.can(KeysPermission.KEYS_VIEW)
        handover = self.actor.can(HandoverPermission.HANDOVER_VIEW)
        countersign = self.actor.can(HandoverPermission.HANDOVER_COUNTERSIGN)
        swaps = self.actor.can(HandoverPermission.SHIFT_DECIDE)
        if not (keys or handover or swaps):
            return
        self.shift_box = QGroupBox(_("Shift, handover and keys"))
        self.shift_box.setObjectName("today_shift")
        layout = QVBoxLayout(self.shift_box)

        def line(name: str, button_text: str, area: str, view) -> tuple[QLabel, QPushButton]:
            return box_line(layout, name, button_text, lambda: self.navigate.emit(area, view()))

        if keys:
            self.keys_label, self.keys_button = line(
                "today_keys", _("Show &keys"), "keys",
                lambda: "overdue" if self._keys_overdue else "out")
        if handover:
            self.handover_label, self.handover_button = line(
                "today_handover", _("Open the &handover"), "handover", lambda: "current")
        if countersign:
            self.countersign_label, self.countersign_button = line(
                "today_countersign", _("&Countersign…"), "handover", lambda: "countersign")
            self.discrepancy_label, self.discrepancy_button = line(
                "today_discrepancies", _("Show &discrepancies"), "handover",
                lambda: "discrepancies")
        if swaps:
            self.swaps_label, self.swaps_button = line(
                "today_swaps", _("Decide &swaps…"), "handover", lambda: "swaps")
        self.boxes.addWidget(self.shift_box)

    def _shift_figures(self) -> dict[str, Any]:
        figures: dict[str, Any] = {}
        if self.keys_label is not None:
            figures["keys"] = self.desk.equipment.out_summary(self.actor)
        if self.handover_label is not None:
            figures["handover"] = self.desk.handovers.summary(self.actor)
        if self.swaps_label is not None:
            figures["swaps"] = self.desk.shifts.waiting_swaps(self.actor)
        return figures

    def _show_shift(self, figures: dict[str, Any]) -> None:
        self._show_keys(figures.get("keys"))
        self._show_handover(figures.get("handover"))
        if self.swaps_label is not None:
            waiting = figures["swaps"]
            self.swaps_label.setText(
                ngettext("{count} swap request is waiting for a supervisor.",
                         "{count} swap requests are waiting for a supervisor.", waiting)
                .format(count=waiting) if waiting else _("No swap request is waiting."))
            self.swaps_button.setEnabled(bool(waiting))

    _keys_overdue = 0

    def _show_keys(self, summary: dict[str, Any] | None) -> None:
        if self.keys_label is None or summary is None:
            return
        self._keys_overdue = summary["overdue"]
        text = ngettext("{count} key or article is out", "{count} keys and articles are out",
                        summary["out"]).format(count=summary["out"])
        if not summary["out"]:
            text = _("No key or article is out.")
        elif summary["overdue"]:
            text += "; " + ngettext("{count} overdue: {list}", "{count} overdue: {list}",
                                    summary["overdue"]).format(
                count=summary["overdue"], list=", ".join(
                    _("{tag} ({holder}, due {due})").format(
                        tag=row["tag"], holder=row["holder_full_name"] or row["holder"],
                        due=format_clock(row["due_at"]))
                    for row in summary["overdue_rows"])
                + ("…" if summary["overdue"] > len(summary["overdue_rows"]) else ""))
        else:
            text += "; " + _("none overdue.")
        self.keys_label.setText(text)
        self.keys_label.setStyleSheet("color: #b00020;" if summary["overdue"] else PLAIN)
        self.keys_button.setEnabled(bool(summary["out"]))

    def _show_handover(self, summary: dict[str, Any] | None) -> None:
        if self.handover_label is None or summary is None:
            return
        opened = summary["open"]
        if opened:
            late = self.desk.now() > opened["scheduled_at"]
            self.handover_label.setText(
                (_("Handover {number} is open ({status}), due {due}: late.") if late
                 else _("Handover {number} is open ({status}), due {due}.")).format(
                    number=opened["number"], status=_(STATUS_LABELS[Status(opened["status"])]),
                    due=format_clock(opened["scheduled_at"])))
            self.handover_label.setStyleSheet("color: #b00020;" if late else PLAIN)
        else:
            self.handover_label.setText(
                _("No handover is open; this shift's handover is due at {due}.").format(
                    due=format_clock(summary["due_at"])))
            self.handover_label.setStyleSheet(PLAIN)
        if self.countersign_label is not None:
            waiting = summary["awaiting_countersign"]
            self.countersign_label.setText(
                ngettext("{count} handover is awaiting your countersignature.",
                         "{count} handovers are awaiting countersignature.", waiting)
                .format(count=waiting) if waiting else _("No handover awaits countersignature."))
            self.countersign_button.setEnabled(bool(waiting))
            found = summary["discrepancies"]
            self.discrepancy_label.setText(
                ngettext("{count} checklist discrepancy on handovers not yet locked.",
                         "{count} checklist discrepancies on handovers not yet locked.", found)
                .format(count=found) if found else _("No checklist discrepancy open."))
            self.discrepancy_label.setStyleSheet("color: #b00020;" if found else PLAIN)
            self.discrepancy_button.setEnabled(bool(found))

    def open_waiting(self) -> None:
        """"Approve…": the decision dialog of the oldest waiting request on the Approvals page."""
        if self.first_waiting is not None:
            self.navigate.emit("approvals", f"decide:{self.first_waiting}")
        else:
            self.navigate.emit("approvals", "waiting")

    def _overdue_figures(self) -> tuple[int, list[dict[str, Any]]]:
        from desk_app.services.loans import LoanFilter

        overdue = LoanFilter(overdue_only=True)
        return (self.desk.loans.count(self.actor, overdue),
                self.desk.loans.page(self.actor, overdue, 0, OVERDUE_SHOWN))

    def _show_overdue(self, figures: tuple[int, list[dict[str, Any]]]) -> None:
        count, rows = figures
        self.overdue_list.clear()
        self.overdue_label.setText(_("{count} loans are overdue; the most overdue first:").format(
            count=count) if count else _("No loan is overdue."))
        for row in rows:
            item = QTreeWidgetItem([row["ref"], row["borrower"], str(row["days_overdue"]),
                                    row["title"]])
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.overdue_list.addTopLevelItem(item)
        self.overdue_list.setVisible(bool(rows))
        self.overdue_button.setEnabled(bool(count))

    # ---------------------------------------------------------------- loading

    def activated(self) -> None:
        """Fill the boxes: their figures are read off the GUI thread (at sign-in the window
        paints at once; a dozen counts over a million loans follow), then shown. A second
        call while a load runs asks for one more load after it."""
        self.date_label.setText(
            _("Today is {date}.").format(date=locale().toString(to_qdate(self.desk.today()),
                                                                locale().FormatType.LongFormat))
        )
        if not self.background:
            self._show(self._figures())
            return
        if not self._painted:  # see paintEvent
            return
        self.build_boxes()
        if self.loading is not None:
            self._load_again = True
            return
        self._load_again = False
        self.loading = Job(lambda _progress: self._figures(), desk=self.desk, parent=self,
                           on_success=self._loaded, on_failure=self._load_failed)
        self.loading.start()

    def paintEvent(self, event: QPaintEvent) -> None:
        """The first frame (the window at sign-in, or the page opened later) builds the
        boxes and starts the load: its dozen counts share the GIL with building and painting
        the window, and a user who opens another page at once waits for neither (issue 17)."""
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            if self.background:
                QTimer.singleShot(0, self, self.activated)

    def _loaded(self, figures: dict[str, Any]) -> None:
        self.loading = None
        self._show(figures)
        self.loaded.emit()
        if self._load_again:
            self.activated()

    def _load_failed(self, error: BaseException) -> None:
        self.loading = None
        log.warning("Today's figures could not be read: %s", error)
        self.recent.setToolTip(str(error))

    def _figures(self) -> dict[str, Any]:
        """Every figure the boxes show, from the services only: it runs in a worker thread,
        so it reads no widget (the ``*_label`` attributes only say which lines exist). A box
        whose service refuses shows why instead (its DeskError)."""
        figures: dict[str, Any] = {}

        def read(key: str, fetch: Callable[[], Any]) -> None:
            try:
                figures[key] = fetch()
            except DeskError as error:
                figures[key] = error

        if self.overdue_box is not None:
            read("overdue", self._overdue_figures)
        if self.approvals_box is not None:
            read("approvals", self._approvals_figures)
        if self.shift_box is not None:
            read("shift", self._shift_figures)
        for key, box in self._own_boxes():
            read(key, box.figures)
        read("recent", lambda: self.desk.audit.recent_by(self.actor))
        if self.audit_box is not None:
            read("audit", lambda: self.desk.audit.head(self.actor))
        return figures

    def _own(self, box: Any) -> Any:
        """A box that reads and shows its own lines, its buttons going to other pages."""
        box.navigate.connect(self.navigate)
        self.boxes.addWidget(box)
        return box

    def _own_boxes(self) -> list[tuple[str, Any]]:
        """The boxes that read (``figures``) and show (``show_figures``) their own lines."""
        return [(key, box) for key, box in (
            ("documents", self.documents_box), ("messages", self.messages_box),
            ("complaints", self.complaints_box), ("promises", self.promises_box),
            ("appeals", self.appeals_box)) if box is not None]

    def _show(self, figures: dict[str, Any]) -> None:
        shown: tuple[tuple[str, QWidget | None, Callable[[Any], None] | None], ...] = (
            ("overdue", self.overdue_box, self._show_overdue),
            ("approvals", self.approvals_box, self._show_approvals),
            ("shift", self.shift_box, self._show_shift),
            *((key, box, box.show_figures) for key, box in self._own_boxes()))
        for key, box, show in shown:
            if box is None or show is None or key not in figures:
                continue
            if isinstance(figures[key], DeskError):
                box.setToolTip(str(figures[key]))
                if key == "overdue":
                    self.overdue_label.setText(str(figures[key]))
            else:
                show(figures[key])
        self._show_recent(figures["recent"])
        if self.audit_box is not None:
            head = figures["audit"]
            if isinstance(head, DeskError):
                self.audit_label.setText(str(head))
            else:
                seq, digest = head
                self.audit_label.setText(
                    _("{count} entries; head hash {hash}").format(count=seq, hash=digest[:16] + "…")
                )
                self.audit_label.setToolTip(digest)

    def _show_recent(self, rows: list[dict[str, Any]] | DeskError) -> None:
        self.recent.clear()
        if isinstance(rows, DeskError):
            self.recent.setToolTip(str(rows))
            rows = []
        for row in rows:
            item = QTreeWidgetItem([local_time_text(row["at"]), row["label"], row["sentence"]])
            item.setToolTip(2, row["sentence"])
            self.recent.addTopLevelItem(item)
        if not rows:
            self.recent.addTopLevelItem(QTreeWidgetItem([_("(none yet)"), "", ""]))

    def open_overdue(self) -> None:
        """"Show all overdue loans": the Loans page's Overdue tab."""
        self.navigate.emit("loans", "overdue")
