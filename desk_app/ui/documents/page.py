"""The Documents page (收发文, issue 15): what waits for me, the incoming and outgoing
registers, liaison sheets and the chase list; a find box that opens a document by its number
(typed, or scanned from the barcode on a printed sheet), the sender's or the issued number.

Other pages send the user here with ``navigate("documents", view)``: ``waiting`` (or
``waiting:<group>``, e.g. ``waiting:read``), ``incoming``, ``outgoing``, ``internal``,
``chase``, ``open:ID`` (a document's window).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QWidget

from desk_app.domain import documents as rules
from desk_app.domain.areas.documents import DocumentsPermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.documents.actions import ChaseDialog
from desk_app.ui.documents.common import my_department
from desk_app.ui.documents.forms import DraftDialog, LiaisonDialog, NewIncomingDialog
from desk_app.ui.documents.lists import ChaseTab, DocumentList, WaitingTab
from desk_app.ui.documents.window import DocumentWindow
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.export_dialog import ExportButton
from desk_app.ui.widgets.page import Page
from desk_app.ui.widgets.scan_box import ScanBox

P = DocumentsPermission
WAITING, INCOMING, OUTGOING, INTERNAL, CHASE = (
    "waiting", "incoming", "outgoing", "internal", "chase")


class DocumentsPage(Page):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Documents"), _(
            "Incoming documents are signed in, instructed by the manager, read and handled; "
            "outgoing ones drafted, signed off and sent; liaison sheets go between "
            "departments. Scan or type a number to open a document."), parent)
        self.desk, self.actor = desk, actor

        self.find_box = ScanBox(_("&Find:"))
        self.find_box.setObjectName("documents_find")
        self.find_box.edit.setPlaceholderText(
            _("scan the sheet's barcode or type a number (SW2026-0001, an issued or a "
              "sender's number), then Enter (F2)"))
        self.find_box.scanned.connect(self.find_number)
        self.find_box.add_shortcuts(self)
        self.count_label = QLabel()
        self.count_label.setObjectName("documents_count")
        top = QHBoxLayout()
        top.addWidget(self.find_box, 1)
        top.addSpacing(16)
        top.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignTop)
        self.body.addLayout(top)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("documents_tabs")
        self.waiting = WaitingTab(desk, actor)
        self.lists = {direction: DocumentList(desk, actor, direction)
                      for direction in rules.Direction}
        self.chase_tab = ChaseTab(desk, actor)
        self.tabs.addTab(self.waiting, _("&Waiting for my action"))
        self.tabs.addTab(self.lists[rules.Direction.INCOMING], _("&Incoming"))
        self.tabs.addTab(self.lists[rules.Direction.OUTGOING], _("O&utgoing"))
        self.tabs.addTab(self.lists[rules.Direction.INTERNAL], _("&Liaison sheets"))
        self.tabs.addTab(self.chase_tab, _("C&hase list"))
        self.body.addWidget(self.tabs, 1)
        self.views: dict[str, QWidget] = {
            WAITING: self.waiting, CHASE: self.chase_tab,
            **{direction.value: panel for direction, panel in self.lists.items()}}

        register, draft = desk.documents.office_staff(actor), actor.can(P.DOCUMENT_DRAFT)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot, visible in (
            ("incoming", _("&New incoming…"), self.new_incoming, register),
            ("outgoing", _("New outgoing &draft…"), self.new_outgoing, draft),
            ("liaison", _("New liaison sh&eet…"), self.new_liaison, draft),
            ("open", _("&Open document"), self.open_current, True),
        ):
            button = QPushButton(text)
            button.setObjectName(f"documents_{key}")
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            button.setVisible(visible)
            row.addWidget(button)
            self.buttons[key] = button
        self.buttons["incoming"].setToolTip(_("Ctrl+N on the Incoming tab"))
        # what the last form did ("Registered SW2026-0001."): the new row alone is easy to miss
        self.done_label = QLabel()
        self.done_label.setObjectName("documents_done")
        row.addWidget(self.done_label)
        row.addStretch(1)
        self.export_button = ExportButton(desk, actor, "documents", self)
        row.addWidget(self.export_button)
        self.body.addLayout(row)
        self.initial_focus = self.find_box.edit

        # Ctrl+N: a new document of the tab's kind (incoming on the Incoming tab); a hidden
        # page's shortcuts do not fire, so other pages keep their own Ctrl+N.
        new = QShortcut(QKeySequence.StandardKey.New, self)
        new.setContext(Qt.ShortcutContext.WindowShortcut)
        new.activated.connect(self.new_for_tab)
        panels: list[WaitingTab | ChaseTab | DocumentList] = [
            self.waiting, self.chase_tab, *self.lists.values()]
        for panel in panels:
            panel.open_document.connect(self.open_document)
            panel.counted.connect(self._update_count)
        self.chase_tab.chase_document.connect(self.chase)
        self.tabs.currentChanged.connect(lambda _index: self._update_count())
        self.loaded = False
        if not self._could_wait():  # e.g. the auditor: nothing ever waits for them
            self.tabs.setCurrentWidget(self.lists[rules.Direction.INCOMING])

    def _could_wait(self) -> bool:
        """Whether anything could wait for the actor: they register, instruct or draft, or
        belong to a department (its heads read, its staff handle)."""
        if any(self.actor.can(permission) for permission in (
                P.DOCUMENT_REGISTER, P.DOCUMENT_INSTRUCT, P.DOCUMENT_DRAFT)):
            return True
        return my_department(self.desk, self.actor) is not None

    # ---------------------------------------------------------------- views

    def show_view(self, view: str) -> None:
        if view.startswith("open:"):
            self.open_document(int(view.removeprefix("open:")))
            return
        key, _sep, group = view.partition(":")
        panel = self.views.get(key)
        if panel is None:
            return
        self.tabs.setCurrentWidget(panel)
        if panel is self.waiting and group:
            self.waiting.select_group(group)

    def current_view(self) -> str:
        panel = self.tabs.currentWidget()
        return next(key for key, each in self.views.items() if each is panel)

    def refresh(self) -> None:
        panels: list[WaitingTab | ChaseTab | DocumentList] = [
            self.waiting, *self.lists.values(), self.chase_tab]
        for panel in panels:
            try:
                panel.refresh()
            except DeskError as error:
                show_error(self, error)
                break
        self.loaded = True
        self._update_count()

    def activated(self) -> None:
        self.refresh()

    def _update_count(self) -> None:
        panel = self.tabs.currentWidget()
        self.count_label.setText(panel.count_text() if self.loaded else "")  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- find and open

    def find_number(self, text: str) -> DocumentWindow | None:
        """A scanned or typed number: the document's window, or why none was found."""
        try:
            found = self.desk.documents.find(self.actor, text)
        except DeskError as error:
            self.find_box.show_message(str(error))
            return None
        if found is None:
            self.find_box.show_message(
                _("No document numbered {text}: try a running number such as SW2026-0001, "
                  "an issued number or the sender's number.").format(text=text))
            return None
        return self.open_document(int(found["id"]))

    def open_document(self, doc_id: int) -> DocumentWindow | None:
        try:
            window = DocumentWindow(self.desk, self.actor, doc_id, self)
        except DeskError as error:
            show_error(self, error)
            return None
        if not window.document:  # could not be read (the message was shown)
            window.deleteLater()
            return None
        self.run_dialog(window, lambda _changed: self.refresh(), accepted_only=False)
        return window

    def open_current(self) -> None:
        panel = self.tabs.currentWidget()
        if panel is self.waiting:
            item = self.waiting.tree.currentItem()
            if item is not None:
                self.waiting._activated(item)
            return
        row = panel.current()  # type: ignore[attr-defined]
        if row is not None:
            self.open_document(int(row["id"]))

    # ---------------------------------------------------------------- new documents

    def new_for_tab(self) -> None:
        view = self.current_view()
        if view == OUTGOING and self.buttons["outgoing"].isVisible():
            self.new_outgoing()
        elif view == INTERNAL and self.buttons["liaison"].isVisible():
            self.new_liaison()
        elif self.buttons["incoming"].isVisible():
            self.new_incoming()

    def _created(self, view: str, document: dict[str, Any] | None) -> None:
        self.show_view(view)
        self.refresh()
        if document:  # the new document selected: the newest comes first
            self.lists[rules.Direction(view)].select_id(int(document["id"]))
            done = {INCOMING: _("Registered {number}."), OUTGOING: _("Drafted {number}."),
                    INTERNAL: _("Created {number}.")}[view]
            self.done_label.setText(done.format(number=document["number"]))

    def new_incoming(self) -> NewIncomingDialog:
        dialog = NewIncomingDialog(self.desk, self.actor, self)
        self.run_dialog(dialog, lambda document: self._created(INCOMING, document))
        return dialog

    def new_outgoing(self) -> DraftDialog:
        dialog = DraftDialog(self.desk, self.actor, parent=self)
        self.run_dialog(dialog, lambda document: self._created(OUTGOING, document))
        return dialog

    def new_liaison(self) -> LiaisonDialog:
        dialog = LiaisonDialog(self.desk, self.actor, self)
        self.run_dialog(dialog, lambda document: self._created(INTERNAL, document))
        return dialog

    def chase(self, row: dict[str, Any]) -> ChaseDialog:
        """Chase… on the chase list: the chase recorded without opening the document."""
        dialog = ChaseDialog(self.desk, self.actor, row, self)
        self.run_dialog(dialog)
        return dialog
