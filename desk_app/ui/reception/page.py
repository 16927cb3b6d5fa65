"""The Reception page: the frame around its tabs — the toolbar with every shortcut, the tabs
(Now, Log, Call-backs, Complaints, Timeouts, Service report, Phrase library: one module each)
and the one-second timer.

The timers tick in the display only (a QTimer, no database): the Now tab's live columns are
repainted from the entries and the current time. Every 15 s the page asks the service to
record new timeout levels, which also escalates severe ones to the supervisor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QTableView, QTabWidget, QToolBar, QToolButton, QWidget

from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception import VisitView
from desk_app.ui.errors import show_error
from desk_app.ui.reception import follow_up
from desk_app.ui.reception.callbacks_tab import CallbacksTab
from desk_app.ui.reception.complaints_tab import ComplaintsTab
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.reception.library_tab import LibraryTab
from desk_app.ui.reception.log_tab import LogTab
from desk_app.ui.reception.messages_tab import MessagesTab
from desk_app.ui.reception.now_tab import NowTab, end_action_text
from desk_app.ui.reception.palette import PaletteDialog, PrompterView
from desk_app.ui.reception.report_tab import ServiceReportTab
from desk_app.ui.reception.timeouts_tab import TimeoutsTab
from desk_app.ui.widgets.export_dialog import ExportDialog
from desk_app.ui.widgets.page import Page

SWEEP_EVERY = 15  # ticks (seconds)


class ReceptionPage(Page):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Reception"), _("Phrases for visitors and calls (Ctrl+K), the "
                                           "visitor and call log with response timers."), parent)
        self.desk, self.actor = desk, actor
        self.can_use = actor.can(ReceptionPermission.RECEPTION_USE)
        self.can_view = actor.can(ReceptionPermission.RECEPTION_VIEW)
        self.can_edit = actor.can(ReceptionPermission.SCRIPTS_EDIT)
        self.can_review = actor.can(ReceptionPermission.RECEPTION_SUPERVISE)
        self.can_manage = actor.can(ReceptionPermission.RECEPTION_MANAGE)
        self.can_report = actor.can(ReceptionPermission.RECEPTION_REPORT)
        self.palette: PaletteDialog | None = None  # type: ignore[assignment]  # QWidget.palette()
        self.prompter: PrompterView | None = None
        self.dialog: FormDialog | None = None
        self.last_phrase = ""
        self.ticks = 0
        self.staff_names: dict[str, str] | None = None  # read again after each refresh

        self.tabs = QTabWidget()
        self.tabs.setObjectName("reception_tabs")
        self.now_tab = NowTab(self)
        self.log_tab = LogTab(self)
        self.callbacks_tab = CallbacksTab(self)
        self.complaints_tab = ComplaintsTab(self)
        self.messages_tab = MessagesTab(self)
        self.timeouts_tab = TimeoutsTab(self)
        self.library_tab = LibraryTab(self)
        # made only for those who may read it; it reads its month when first shown
        self.report_tab = ServiceReportTab(self) if self.can_report else None
        self.timeouts_index = -1
        if self.can_view:
            self.tabs.addTab(self.now_tab, _("Now"))
            self.tabs.addTab(self.log_tab, _("Log"))
            self.tabs.addTab(self.callbacks_tab, _("Call-backs"))
            self.tabs.addTab(self.complaints_tab, _("Complaint register"))
            self.tabs.addTab(self.messages_tab, _("Messages"))
            self.timeouts_index = self.tabs.addTab(self.timeouts_tab, _("Timeouts"))
        if self.report_tab is not None:  # supervisors, the manager, the auditor
            self.tabs.addTab(self.report_tab, _("Service report"))
        self.tabs.addTab(self.library_tab, _("Phrase library"))

        now = self.now_tab
        self.actions_by_name: dict[str, QAction] = {}
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("reception_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name, text, shortcut, slot, allowed in (
            ("palette", _("Phrases…"), "Ctrl+K", self.open_palette, True),
            ("prompter", _("Prompter"), "F11", self.open_prompter, True),
            ("new_visitor", _("Visitor arrives…"), "F2", now.new_visitor, self.can_use),
            ("incoming_call", _("Phone rings"), "F3", now.incoming_call, self.can_use),
            ("outgoing_call", _("Call out…"), "F4", now.outgoing_call, self.can_use),
            ("answer", _("Mark answered"), "F5", now.answer_selected, self.can_use),
            ("resolve", _("Mark resolved…"), "F6", now.resolve_selected, self.can_use),
            ("close", end_action_text(None), "F7", now.close_selected, self.can_use),
            ("edit", _("Details…"), "F8", self.details, self.can_use),
            ("complaint", _("Complaint…"), "Ctrl+Shift+C", self.new_complaint, self.can_use),
            ("callback", _("Call-back…"), "Ctrl+Shift+B", self.new_callback, self.can_use),
            ("message", _("Message…"), "Ctrl+Shift+M", self.new_message, self.can_use),
            ("export", _("Export…"), "Ctrl+Shift+E", self.export, self.can_view),
        ):
            if allowed:
                self._add_action(name, text, shortcut, slot)
        if self.can_use:  # what the desk owes the caller: one button, a menu (the width)
            self._add_follow_up_menu()
        self.body.addWidget(self.toolbar)
        self.body.addWidget(self.tabs, 1)
        # the actions on an entry, on its row's context menu too (Menu key, right click)
        self.entry_menus = {now.table: ("answer", "resolve", "close", "edit", "", "promise",
                                        "transfer", "escalate", "", "complaint", "callback",
                                        "message"),
                            self.log_tab.table: ("edit", "", "promise", "transfer", "escalate",
                                                 "", "complaint", "callback", "message")}
        for table in self.entry_menus:
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(
                lambda point, t=table: self.show_entry_menu(t, point))
        # F7 says what it does to the chosen entry: sign a visitor out, or end a call.
        for table in (now.table, self.timeouts_tab.table):
            selection = table.selectionModel()
            assert selection is not None
            selection.selectionChanged.connect(lambda *_args: self.update_actions())
        self.tabs.currentChanged.connect(lambda _index: self.update_actions())

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.refresh()

    def update_actions(self) -> None:
        """Name F7 after the selected entry: "Sign out visitor…" or "End call…"."""
        action = self.actions_by_name.get("close")
        if action is not None:
            text = end_action_text(self.selected_visit())
            action.setText(text)
            action.setToolTip("{text} ({keys})".format(text=text, keys=action.shortcut().toString(
                QKeySequence.SequenceFormat.NativeText)))

    def _add_follow_up_menu(self) -> None:
        """*Follow-up* on the toolbar, after *Details*: Promise reply…, Transfer…,
        Escalate… (their keys work without opening it)."""
        menu = QMenu(self)
        menu.setObjectName("follow_up_menu")
        for name, text, shortcut, slot in (
            ("promise", _("Promise reply…"), "Ctrl+Shift+R", self.promise_reply),
            ("transfer", _("Transfer…"), "Ctrl+Shift+T", self.transfer),
            ("escalate", _("Escalate…"), "Ctrl+Shift+L", self.escalate),
        ):
            menu.addAction(self._add_action(name, text, shortcut, slot, toolbar=False))
        button = QToolButton()
        button.setObjectName("follow_up")
        button.setText(_("Follow-up") + " ▾")
        button.setStyleSheet("QToolButton::menu-indicator { image: none; }")  # the ▾ says it
        button.setToolTip(_("Promise a reply (Ctrl+Shift+R), transfer (Ctrl+Shift+T) or "
                            "escalate (Ctrl+Shift+L) the selected entry"))
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.insertWidget(self.actions_by_name["complaint"], button)
        self.follow_up_button = button

    def _add_action(self, name: str, text: str, shortcut: str, slot: Callable[[], object],
                    toolbar: bool = True) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{name}")
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False, s=slot: self.run(s))
        self.addAction(action)
        self.actions_by_name[name] = action
        keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{text} ({keys})")
        if toolbar:
            self.toolbar.addAction(action)
        return action

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.can_view:
            self.timer.start()

    def hideEvent(self, event) -> None:
        self.timer.stop()  # the timers tick only while the page is on screen
        super().hideEvent(event)

    # ---------------------------------------------------------------- what the tabs use

    def run(self, slot: Callable[[], object]) -> None:
        try:
            slot()
        except DeskError as error:
            show_error(self, error)

    def dialog_for(self, title: str, fields: list[FieldSpec],
                   submit: Callable[[dict[str, Any], bool], Any],
                   done: Callable[[Any], None] | None = None) -> FormDialog:
        return self.show_dialog(FormDialog(title, fields, submit, self), done)

    def show_dialog(self, dialog: FormDialog,
                    done: Callable[[Any], None] | None = None) -> FormDialog:
        """Open a form (window-modal) as ``self.dialog``; once it is accepted
        ``done(result_value)``, and the tabs show what it changed."""
        self.dialog = dialog

        def finished(result: int) -> None:
            if result and done is not None:
                done(dialog.result_value)
            self.refresh()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def show_view(self, view: str) -> None:
        """``messages``: the Messages tab (Today's "Show messages"); ``complaints``, or
        ``complaint:ID``: the Complaint register with that complaint selected (Today's
        complaints waiting for a decision); ``visit:ID``: that entry on the Now tab, else
        in the Log (Today's promised replies due); ``timeout:ID``: the Timeouts tab with that
        entry's case selected (Today's appeals)."""
        if view == "messages" and self.tabs.indexOf(self.messages_tab) >= 0:
            self.tabs.setCurrentWidget(self.messages_tab)
        kind, _sep, number = view.partition(":")
        if kind == "visit" and number.isdigit() and self.can_view:
            self.show_visit(int(number))
        if kind in ("complaints", "complaint") and self.tabs.indexOf(self.complaints_tab) >= 0:
            self.tabs.setCurrentWidget(self.complaints_tab)
            if number.isdigit():
                self.run(lambda: self.complaints_tab.select_complaint(int(number)))
        if kind in ("timeouts", "timeout") and self.tabs.indexOf(self.timeouts_tab) >= 0:
            self.tabs.setCurrentWidget(self.timeouts_tab)
            if number.isdigit():
                self.run(lambda: self.timeouts_tab.select_entry(int(number)))

    def show_now(self) -> None:
        self.tabs.setCurrentWidget(self.now_tab)

    def selected_visit(self) -> VisitView | None:
        if not self.can_view:
            return None
        if self.tabs.currentWidget() is self.timeouts_tab:
            return self.timeouts_tab.selected_visit()
        return self.now_tab.selected()

    def select_visit(self, visit_id: int) -> None:
        self.now_tab.select_visit(visit_id)

    def show_visit(self, visit_id: int) -> None:
        """The entry selected where it is: on the Now tab while open, else in the Log."""
        if visit_id in [view.id for view in self.now_tab.views]:
            self.show_now()
            self.now_tab.select_visit(visit_id)
            self.now_tab.table.setFocus()
            return
        self.tabs.setCurrentWidget(self.log_tab)
        self.log_tab.select_visit(visit_id)
        self.log_tab.table.setFocus()

    def entry(self) -> VisitView:
        """The entry the follow-up actions act on: selected on the Log tab when it is on
        screen, else on the Now (or Timeouts) tab."""
        view = (self.log_tab.selected() if self.tabs.currentWidget() is self.log_tab
                else self.selected_visit())
        if view is None:
            raise ValidationError(_("Select an entry in the list first."))
        return view

    def staff_name(self, user: str) -> str:
        """A colleague's full name for a user name (the user name if not an active user)."""
        if self.staff_names is None:
            self.staff_names = {}
            if self.can_use:
                for name, label in self.desk.messages.addressees(self.actor):
                    self.staff_names[name] = label.rsplit(" (", 1)[0] or name
        return self.staff_names.get(user, user)

    def show_entry_menu(self, table: QTableView, point: QPoint) -> None:
        """A right click selects the row under it; the Menu key keeps the selection."""
        menu = self.entry_menu(table)
        if menu is not None:
            menu.popup(table.viewport().mapToGlobal(point))

    def entry_menu(self, table: QTableView) -> QMenu | None:
        """The actions on the selected entry of ``table``, those this user has."""
        menu = QMenu(self)
        menu.setObjectName("entry_menu")
        for name in self.entry_menus.get(table, ()):
            if not name:
                menu.addSeparator()
            elif name in self.actions_by_name:
                menu.addAction(self.actions_by_name[name])
        if menu.isEmpty():  # (a user who may only read the log)
            menu.deleteLater()
            return None
        menu.aboutToHide.connect(menu.deleteLater)
        return menu

    # ---------------------------------------------------------------- actions of the toolbar

    def new_complaint(self) -> FormDialog:
        return self.complaints_tab.new_complaint(self.selected_visit())

    def new_callback(self) -> FormDialog:
        return self.callbacks_tab.schedule(self.selected_visit())

    def new_message(self) -> FormDialog:
        """A message for an absent colleague, from the selected call if there is one."""
        return self.messages_tab.take(self.selected_visit())

    def details(self) -> FormDialog:
        """The selected entry's details (Now, Timeouts or Log), its promise and hand-offs."""
        return self.now_tab.details(self.entry())

    def promise_reply(self) -> FormDialog:
        return follow_up.promise_reply(self, self.entry())

    def transfer(self) -> FormDialog:
        return follow_up.hand_off(self, self.entry(), "transfer")

    def escalate(self) -> FormDialog:
        return follow_up.hand_off(self, self.entry(), "escalate")

    def export(self) -> ExportDialog:
        """The Export… dialog of the current tab's register (the log's when it has none)."""
        tab = self.tabs.currentWidget()
        button = getattr(tab, "export_button", None) or self.log_tab.export_button
        assert button is not None
        return button.open_dialog()

    def open_palette(self) -> PaletteDialog:
        if self.palette is None:
            self.palette = PaletteDialog(self.desk, self.actor, parent=self)
            self.palette.copied.connect(self.phrase_copied)
            self.palette.prompt.connect(self.open_prompter)
            self.palette.finished.connect(lambda _result: self.window().activateWindow())
        else:
            self.palette.reload()
        self.palette.open()
        return self.palette

    def phrase_copied(self, key: str, text: str) -> None:
        """Saying the first phrase to a waiting visitor or caller answers them."""
        self.last_phrase = text
        if self.prompter is not None and self.prompter.isVisible():
            self.prompter.set_text(text)
        view = self.selected_visit()
        if self.can_use and view is not None and view.answered_at is None and view.open:
            self.run(lambda: self.now_tab.answer(view))

    def open_prompter(self, text: str | None = None) -> PrompterView:
        if self.prompter is None:
            self.prompter = PrompterView(parent=self)
        self.prompter.set_text(text or self.last_phrase
                               or _("Choose a phrase with Ctrl+K, then Ctrl+Enter."))
        self.prompter.show()
        return self.prompter

    # ---------------------------------------------------------------- refresh and timers

    def activated(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.staff_names = None  # a colleague added or renamed meanwhile
        try:
            if self.can_view:
                for tab in (self.now_tab, self.log_tab, self.callbacks_tab, self.complaints_tab,
                            self.messages_tab):
                    tab.refresh()
                self.refresh_timeouts()
            self.library_tab.refresh()
        except DeskError as error:
            show_error(self, error)
        self.update_actions()

    def refresh_timeouts(self) -> None:
        """The Timeouts tab, its title counting the entries waiting for a review."""
        self.timeouts_tab.refresh()
        count = self.desk.timeouts.count_cases(self.actor, "to_review")
        title = _("Timeouts")
        self.tabs.setTabText(self.timeouts_index, f"{title} ({count})" if count else title)

    def tick(self) -> None:
        self.ticks += 1
        self.now_tab.tick()
        if self.ticks % SWEEP_EVERY == 0 and self.can_use:
            try:
                if self.desk.visits.sweep_timeouts(self.actor):
                    self.refresh_timeouts()
            except DeskError:
                pass
