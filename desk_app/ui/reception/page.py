"""The Reception page: live log with response timers, current visitors, call-backs, complaints,
timeouts for the supervisor and the script library. Everything has a keyboard shortcut.

Over 500 lines because it still holds every tab; issue 10 splits it into a page plus one
module per tab with paged view-models (the QTableWidget tabs go then).

The timers tick in the display only (a QTimer, no database); levels come from the domain's
timer functions. Every 15 s the page asks the service to record new timeout levels, which also
escalates severe ones to the supervisor.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.reception import Channel, Level
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.output import check_target, save_bytes
from desk_app.services.reception import VisitFilter, VisitView, check_text
from desk_app.ui.errors import replacing, show_error
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.reception.palette import LANG_NAMES, PaletteDialog, PrompterView, default_script_language
from desk_app.ui.widgets.fields import local_qdatetime, to_qdate
from desk_app.ui.widgets.page import Page

LEVEL_COLOURS = {Level.MINOR: "#fff3c4", Level.MODERATE: "#ffd8a8", Level.SEVERE: "#ffb3b3"}
SWEEP_EVERY = 15  # ticks (seconds)


def _time(moment) -> str:
    return format_datetime(moment)


def _channel(view) -> str:
    return _(rules.CHANNEL_LABELS[view.channel])


def _who(view) -> str:
    return f"{view.name}{view.caller_title}" if view.name else _("(unknown)")


def _fit_times(view: QTableView, columns: tuple[int, ...]) -> None:
    """Time columns wide enough for "2026-11-30 10:52" in the view's own font."""
    width = view.fontMetrics().horizontalAdvance("2026-11-30 10:52") + 16
    for column in columns:
        view.setColumnWidth(column, width)


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.setAlternatingRowColors(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[Any, list[str]]]) -> None:
    keep = _selected_data(table)
    table.setRowCount(len(rows))
    for number, (data, cells) in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, data)
            table.setItem(number, column, item)
    ids = [getattr(data, "id", None) for data, _cells in rows]
    if keep is not None and getattr(keep, "id", None) in ids:
        table.selectRow(ids.index(keep.id))


def _selected_data(table: QTableWidget):
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return item.data(Qt.ItemDataRole.UserRole) if item else None


class ReceptionPage(Page):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Reception"), _("Phrases for visitors and calls (Ctrl+K), the "
                                           "visitor and call log with response timers."), parent)
        self.desk, self.actor = desk, actor
        self.can_use = actor.can(ReceptionPermission.RECEPTION_USE)
        self.can_view = actor.can(ReceptionPermission.RECEPTION_VIEW)
        self.can_edit = actor.can(ReceptionPermission.SCRIPTS_EDIT)
        self.can_review = actor.can(ReceptionPermission.RECEPTION_SUPERVISE)
        self.palette: PaletteDialog | None = None
        self.prompter: PrompterView | None = None
        self.dialog: FormDialog | None = None
        self.active_views: list[VisitView] = []
        self.ticks = 0
        self.targets = rules.Targets()

        self.actions_by_name: dict[str, QAction] = {}
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("reception_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name, text, shortcut, slot, allowed in (
            ("palette", _("Phrases…"), "Ctrl+K", self.open_palette, True),
            ("prompter", _("Prompter"), "F11", self.open_prompter, True),
            ("new_visitor", _("Visitor arrives…"), "F2", self.new_visitor, self.can_use),
            ("incoming_call", _("Phone rings"), "F3", self.incoming_call, self.can_use),
            ("outgoing_call", _("Call out…"), "F4", self.outgoing_call, self.can_use),
            ("answer", _("Answered"), "F5", self.answer_selected, self.can_use),
            ("resolve", _("Resolved…"), "F6", self.resolve_selected, self.can_use),
            ("close", _("Time out…"), "F7", self.close_selected, self.can_use),
            ("edit", _("Details…"), "F8", self.edit_selected, self.can_use),
            ("complaint", _("Complaint…"), "Ctrl+Shift+C", self.new_complaint, self.can_use),
            ("callback", _("Call-back…"), "Ctrl+Shift+B", self.new_callback, self.can_use),
            ("export", _("Export…"), "Ctrl+Shift+E", self.export, self.can_view),
        ):
            if not allowed:
                continue
            action = QAction(text, self)
            action.setObjectName(f"action_{name}")
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _checked=False, s=slot: self._run(s))
            self.addAction(action)
            self.actions_by_name[name] = action
            keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text} ({keys})")
            self.toolbar.addAction(action)
        self.body.addWidget(self.toolbar)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("reception_tabs")
        self.body.addWidget(self.tabs, 1)
        if self.can_view:
            self._build_now()
            self._build_log()
            self._build_callbacks()
            self._build_complaints()
            self._build_timeouts()
        self._build_library()

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.can_view:
            self.timer.start()

    def hideEvent(self, event) -> None:
        self.timer.stop()  # the timers tick only while the page is on screen
        super().hideEvent(event)

    # ---------------------------------------------------------------- building

    def _build_now(self) -> None:
        self.active_table = _table("active_table", [
            _("No."), _("Channel"), _("Name"), _("Request"), _("Handler"), _("Time in"),
            _("To answer"), _("To reply"), _("Timeout")])
        for column, width in enumerate((50, 80, 100, 220, 80, 90, 80, 80)):
            self.active_table.setColumnWidth(column, width)
        _fit_times(self.active_table, (5,))
        self.visitors_list = QListWidget()
        self.visitors_list.setObjectName("current_visitors")
        self.targets_label = QLabel()
        self.targets_label.setObjectName("targets")
        self.targets_label.setWordWrap(True)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel(_("On site now")))
        column.addWidget(self.visitors_list, 1)
        column.addWidget(self.targets_label)
        splitter = QSplitter()
        splitter.addWidget(self.active_table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.tabs.addTab(splitter, _("Now"))

    def _build_log(self) -> None:
        self.log_filter = VisitFilter()
        self.log_search = QLineEdit()
        self.log_search.setObjectName("log_search")
        self.log_search.setPlaceholderText(_("Search name, contact, company, request…"))
        self.log_search.returnPressed.connect(self.apply_log_filter)
        columns = [
            Column(lambda: _("No."), lambda v: v.id, align=Qt.AlignmentFlag.AlignRight),
            Column(lambda: _("Channel"), _channel),
            Column(lambda: _("Name"), _who),
            Column(lambda: _("Contact"), lambda v: v.contact),
            Column(lambda: _("Request"), lambda v: v.request, tooltip=lambda v: v.request),
            Column(lambda: _("Handler"), lambda v: v.handler),
            Column(lambda: _("Time in"), lambda v: _time(v.arrived_at)),
            Column(lambda: _("Time out"), lambda v: _time(v.ended_at)),
            Column(lambda: _("Timeout"), lambda v: rules.level_label(v.timeout_level)
                   if v.timeout_level else ""),
            Column(lambda: _("Result"), lambda v: v.result, tooltip=lambda v: v.result),
        ]
        self.log_model = PagedTableModel(
            lambda: self.desk.reception.count_visits(self.actor, self.log_filter),
            lambda offset, limit: self.desk.reception.visits(self.actor, self.log_filter,
                                                             offset, limit),
            columns, parent=self)
        self.log_view = QTableView()
        self.log_view.setObjectName("log_table")
        self.log_view.setModel(self.log_model)
        self.log_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.log_view.verticalHeader().hide()
        self.log_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.log_view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((50, 70, 90, 110, 220, 80, 90, 90, 90)):
            self.log_view.setColumnWidth(column, width)
        _fit_times(self.log_view, (6, 7))
        self.log_count = QLabel()
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.addWidget(self.log_search)
        layout.addWidget(self.log_view, 1)
        layout.addWidget(self.log_count)
        self.tabs.addTab(widget, _("Log"))

    def _build_callbacks(self) -> None:
        self.callback_table = _table("callback_table", [
            _("No."), _("Due"), _("Customer"), _("Contact"), _("Purpose"), _("Handler"),
            _("Status"), _("Result")])
        for column, width in enumerate((50, 90, 90, 110, 220, 80, 80)):
            self.callback_table.setColumnWidth(column, width)
        _fit_times(self.callback_table, (1,))
        row = QHBoxLayout()
        for text, slot, allowed in ((_("Record result…"), self.record_callback, self.can_use),
                                    (_("Save form as PDF…"), self.callback_pdf, True)):
            if allowed:
                button = QPushButton(text)
                button.clicked.connect(lambda _c=False, s=slot: self._run(s))
                row.addWidget(button)
        row.addStretch(1)
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.addWidget(self.callback_table, 1)
        layout.addLayout(row)
        self.tabs.addTab(widget, _("Call-backs"))

    def _build_complaints(self) -> None:
        self.complaint_table = _table("complaint_table", [
            _("No."), _("Received"), _("Category"), _("Customer"), _("Complaint"),
            _("Reply promised"), _("Replied"), _("Reply")])
        for column, width in enumerate((50, 90, 120, 80, 220, 100, 90)):
            self.complaint_table.setColumnWidth(column, width)
        _fit_times(self.complaint_table, (1, 5, 6))
        row = QHBoxLayout()
        if self.can_use:
            button = QPushButton(_("Reply…"))
            button.clicked.connect(lambda _c=False: self._run(self.reply_complaint))
            row.addWidget(button)
        stats = QPushButton(_("Monthly statistics…"))
        stats.setObjectName("complaint_stats")
        stats.clicked.connect(lambda _c=False: self._run(lambda: self.export("stats")))
        row.addWidget(stats)
        row.addStretch(1)
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.addWidget(self.complaint_table, 1)
        layout.addLayout(row)
        self.tabs.addTab(widget, _("Complaints"))

    def _build_timeouts(self) -> None:
        self.timeout_table = _table("timeout_table", [
            _("No."), _("Channel"), _("Name"), _("Request"), _("Handler"), _("Time in"),
            _("Escalated")])
        row = QHBoxLayout()
        if self.can_review:
            button = QPushButton(_("Review…"))
            button.clicked.connect(lambda _c=False: self._run(self.review_selected))
            row.addWidget(button)
        row.addStretch(1)
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.addWidget(QLabel(_("Severe timeouts are escalated to the supervisor for review.")))
        layout.addWidget(self.timeout_table, 1)
        layout.addLayout(row)
        self.timeouts_index = self.tabs.addTab(widget, _("Timeouts"))

    def _build_library(self) -> None:
        self.library_lang = QComboBox()
        self.library_lang.setObjectName("library_lang")
        for code in rules.LANGS:
            self.library_lang.addItem(LANG_NAMES[code], code)
        self.library_lang.setCurrentIndex(self.library_lang.findData(default_script_language()))
        self.library_list = QListWidget()
        self.library_list.setObjectName("library_list")
        self.editor_title = QLineEdit()
        self.editor_title.setObjectName("script_title")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("script_editor")
        self.editor.setReadOnly(not self.can_edit)
        self.editor_flags = QLabel()
        self.editor_flags.setObjectName("script_flags")
        self.editor_flags.setWordWrap(True)
        self.editor_flags.setStyleSheet("color: #8a5a00;")
        placeholders = ", ".join("{" + name + "}" for name in rules.PLACEHOLDERS)
        help_label = QLabel(_("Placeholders: {names}. {{name|text}} uses the text when no value "
                              "is given.").format(names=placeholders))
        help_label.setWordWrap(True)
        help_label.setEnabled(False)
        self.history_list = QListWidget()
        self.history_list.setObjectName("script_history")
        self.save_script_button = QPushButton(_("Save as new version"))
        self.save_script_button.setObjectName("save_script")
        self.save_script_button.setVisible(self.can_edit)
        self.save_script_button.clicked.connect(lambda _c=False: self._run(self.save_script))
        left = QWidget()
        lcol = QVBoxLayout(left)
        lcol.setContentsMargins(0, 0, 0, 0)
        lcol.addWidget(self.library_lang)
        lcol.addWidget(self.library_list, 1)
        right = QWidget()
        rcol = QVBoxLayout(right)
        rcol.setContentsMargins(0, 0, 0, 0)
        rcol.addWidget(self.editor_title)
        rcol.addWidget(self.editor, 2)
        rcol.addWidget(self.editor_flags)
        rcol.addWidget(help_label)
        rcol.addWidget(self.save_script_button)
        rcol.addWidget(QLabel(_("Versions")))
        rcol.addWidget(self.history_list, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        self.tabs.addTab(splitter, _("Phrase library"))
        self.library_lang.currentIndexChanged.connect(lambda _i: self._run(self.load_library))
        self.library_list.currentRowChanged.connect(lambda _r: self._run(self.show_script))
        self.editor.textChanged.connect(self.flag_editor)

    # ---------------------------------------------------------------- helpers

    def _run(self, slot: Callable[[], object]) -> None:
        try:
            slot()
        except DeskError as error:
            show_error(self, error)

    def now(self):
        return self.desk.ctx.clock.now()

    def selected_visit(self) -> VisitView | None:
        if not self.can_view:
            return None
        if self.tabs.currentIndex() == getattr(self, "timeouts_index", -1):
            return _selected_data(self.timeout_table)
        return _selected_data(self.active_table)

    def _dialog(self, title: str, fields: list[FieldSpec],
                submit: Callable[[dict[str, Any], bool], Any],
                done: Callable[[Any], None] | None = None) -> FormDialog:
        dialog = FormDialog(title, fields, submit, self)
        self.dialog = dialog

        def finished(result: int) -> None:
            if result and done is not None:
                done(dialog.result_value)
            self.refresh()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    # ---------------------------------------------------------------- refresh and timers

    def activated(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        try:
            self.targets = self.desk.reception.targets()
            if self.can_view:
                self.refresh_active()
                self.log_model.refresh()
                self.log_count.setText(_("{count} entries").format(count=self.log_model.rowCount()))
                self.refresh_callbacks()
                self.refresh_complaints()
                self.refresh_timeouts()
            if self.library_list.count() == 0:
                self.load_library()
        except DeskError as error:
            show_error(self, error)

    def refresh_active(self) -> None:
        self.active_views = self.desk.reception.active(self.actor)
        _fill(self.active_table, [(v, [str(v.id), _channel(v), _who(v), v.request, v.handler,
                                       _time(v.arrived_at), "", "", ""])
                                  for v in self.active_views])
        self.visitors_list.clear()
        for view in self.active_views:
            if view.channel is Channel.VISIT:
                self.visitors_list.addItem(
                    _("{who}  {company}  since {time}").format(
                        who=_who(view), company=view.company, time=_time(view.arrived_at)))
        t = self.targets
        self.targets_label.setText(_(
            "Targets: answer within {answer} s, reply within {reply} min. Minor after the target, "
            "moderate after {am} s / {rm} min, severe after {as_} s / {rs} min.").format(
            answer=t.answer, reply=t.reply // 60, am=t.answer_moderate,
            rm=t.reply_moderate // 60, as_=t.answer_severe, rs=t.reply_severe // 60))
        self.update_timers()

    def update_timers(self) -> None:
        now = self.now()
        for row, view in enumerate(self.active_views):
            status = view.status(now, self.targets)
            cells = {
                6: rules.format_elapsed(status.answer_elapsed)
                if view.channel is not Channel.PHONE_OUT else "—",
                7: rules.format_elapsed(status.reply_elapsed),
                8: rules.level_label(status.level) if status.level else "",
            }
            for column, text in cells.items():
                item = self.active_table.item(row, column)
                if item is not None:
                    item.setText(text)
            colour = LEVEL_COLOURS.get(status.level)
            for column in range(self.active_table.columnCount()):
                item = self.active_table.item(row, column)
                if item is not None:
                    item.setBackground(QBrush(QColor(colour)) if colour else QBrush())

    def tick(self) -> None:
        self.ticks += 1
        self.update_timers()
        if self.ticks % SWEEP_EVERY == 0 and self.can_use:
            try:
                if self.desk.reception.sweep_timeouts(self.actor):
                    self.refresh_timeouts()
            except DeskError:
                pass

    def refresh_callbacks(self) -> None:
        status = {"scheduled": _("Scheduled"), "done": _("Done"),
                  "unreachable": _("Not reached")}
        views = self.desk.reception.callbacks(self.actor)[:500]
        _fill(self.callback_table, [(c, [str(c.id), _time(c.due_at),
                                         f"{c.name}{c.caller_title}", c.contact, c.purpose,
                                         c.handler, status.get(c.status, c.status), c.result])
                                    for c in views])

    def refresh_complaints(self) -> None:
        views = self.desk.reception.complaints(self.actor, limit=500)
        _fill(self.complaint_table, [(c, [str(c.id), _time(c.received_at),
                                          rules.category_label(c.category), c.name,
                                          c.description, _time(c.promised_at),
                                          _time(c.replied_at), c.result]) for c in views])

    def refresh_timeouts(self) -> None:
        views = self.desk.reception.escalations(self.actor)
        _fill(self.timeout_table, [(v, [str(v.id), _channel(v), _who(v), v.request, v.handler,
                                        _time(v.arrived_at), _time(v.escalated_at)])
                                   for v in views])
        title = _("Timeouts")
        self.tabs.setTabText(self.timeouts_index, f"{title} ({len(views)})" if views else title)

    def apply_log_filter(self) -> None:
        self.log_filter = VisitFilter(text=self.log_search.text())
        self._run(self.refresh)

    def select_visit(self, visit_id: int) -> None:
        for row, view in enumerate(self.active_views):
            if view.id == visit_id:
                self.active_table.selectRow(row)
                return

    # ---------------------------------------------------------------- palette and prompter

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
            self._run(lambda: self.desk.reception.answer(self.actor, view.id))
            self.refresh()
            self.select_visit(view.id)

    def open_prompter(self, text: str | None = None) -> PrompterView:
        if self.prompter is None:
            self.prompter = PrompterView(parent=self)
        self.prompter.set_text(text or getattr(self, "last_phrase", "")
                               or _("Choose a phrase with Ctrl+K, then Ctrl+Enter."))
        self.prompter.show()
        return self.prompter

    # ---------------------------------------------------------------- log actions

    def _visit_fields(self, view: VisitView | None = None) -> list[FieldSpec]:
        lang = default_script_language()
        titles = [(t, t) for t in ("", *rules.CALLER_TITLES.get(lang, ()))]
        return [
            FieldSpec("name", _("&Name"), value=view.name if view else ""),
            FieldSpec("caller_title", _("&Title"), "choice", titles,
                      view.caller_title if view else "", editable_choice=True),
            FieldSpec("contact", _("&Contact"), value=view.contact if view else ""),
            FieldSpec("company", _("C&ompany"), value=view.company if view else ""),
            FieldSpec("request", _("&Request"), "text", value=view.request if view else ""),
        ]

    def _open(self, channel: Channel, title: str) -> FormDialog:
        def submit(values: dict[str, Any], confirm: bool):
            return self.desk.reception.open_visit(self.actor, channel, confirm_phrases=confirm,
                                                  **values)

        return self._dialog(title, self._visit_fields(), submit,
                            lambda view: self._after_open(view))

    def _after_open(self, view: VisitView) -> None:
        self.refresh()
        self.tabs.setCurrentIndex(0)
        self.select_visit(view.id)

    def new_visitor(self) -> FormDialog:
        return self._open(Channel.VISIT, _("Visitor arrives"))

    def outgoing_call(self) -> FormDialog:
        return self._open(Channel.PHONE_OUT, _("Call out"))

    def incoming_call(self) -> VisitView:
        """The phone rings: the entry (and its timer) starts now; details come later (F8)."""
        view = self.desk.reception.open_visit(self.actor, Channel.PHONE_IN)
        self._after_open(view)
        self.active_table.setFocus()
        return view

    def _need_selection(self) -> VisitView:
        view = self.selected_visit()
        if view is None:
            raise ValidationError(_("Select an entry in the list first."))
        return view

    def answer_selected(self) -> None:
        view = self._need_selection()
        self.desk.reception.answer(self.actor, view.id)
        self.refresh()
        self.select_visit(view.id)

    def edit_selected(self) -> FormDialog:
        view = self._need_selection()

        def submit(values: dict[str, Any], confirm: bool):
            return self.desk.reception.update_visit(self.actor, view.id, confirm_phrases=confirm,
                                                    **values)

        return self._dialog(_("Details of entry {id}").format(id=view.id),
                            self._visit_fields(view), submit)

    def resolve_selected(self) -> FormDialog:
        view = self._need_selection()

        def submit(values: dict[str, Any], confirm: bool):
            return self.desk.reception.resolve(self.actor, view.id, values["result"],
                                               confirm_phrases=confirm)

        return self._dialog(_("Resolved: entry {id}").format(id=view.id),
                            [FieldSpec("result", _("&Result"), "text", value=view.result)],
                            submit)

    def close_selected(self) -> FormDialog:
        view = self._need_selection()

        def submit(values: dict[str, Any], confirm: bool):
            return self.desk.reception.close_visit(self.actor, view.id, values["result"] or None,
                                                   confirm_phrases=confirm)

        return self._dialog(_("Time out: entry {id}").format(id=view.id),
                            [FieldSpec("result", _("&Result"), "text", value=view.result)],
                            submit)

    def review_selected(self) -> FormDialog:
        view = _selected_data(self.timeout_table)
        if view is None:
            raise ValidationError(_("Select an entry in the list first."))

        def submit(values: dict[str, Any], _confirm: bool):
            return self.desk.reception.review(self.actor, view.id, values["note"])

        return self._dialog(_("Review timeout of entry {id}").format(id=view.id),
                            [FieldSpec("note", _("What was &done"), "text")], submit)

    # ---------------------------------------------------------------- complaints, call-backs

    def new_complaint(self) -> FormDialog:
        view = self.selected_visit()
        choices = [(key, _(label)) for key, label in rules.COMPLAINT_CATEGORIES.items()]

        def submit(values: dict[str, Any], confirm: bool):
            return self.desk.reception.add_complaint(
                self.actor, values["category"], values["description"], values["name"],
                values["contact"], view.id if view else None, confirm_phrases=confirm)

        return self._dialog(_("Complaint"), [
            FieldSpec("category", _("C&ategory"), "choice", choices),
            FieldSpec("name", _("&Name"), value=_who(view) if view and view.name else ""),
            FieldSpec("contact", _("&Contact"), value=view.contact if view else ""),
            FieldSpec("description", _("&Complaint"), "text"),
        ], submit)

    def reply_complaint(self) -> FormDialog:
        complaint = _selected_data(self.complaint_table)
        if complaint is None:
            raise ValidationError(_("Select a complaint first."))

        def submit(values: dict[str, Any], confirm: bool):
            return self.desk.reception.reply_complaint(self.actor, complaint.id, values["result"],
                                                       confirm_phrases=confirm)

        return self._dialog(_("Reply to complaint {id}").format(id=complaint.id),
                            [FieldSpec("result", _("&Reply given"), "text")], submit)

    def new_callback(self) -> FormDialog:
        view = self.selected_visit()

        def submit(values: dict[str, Any], _confirm: bool):
            from datetime import UTC

            due = values["due_at"].astimezone(UTC).replace(tzinfo=None) \
                if values["due_at"].tzinfo else values["due_at"].astimezone().astimezone(
                    UTC).replace(tzinfo=None)
            return self.desk.reception.schedule_callback(
                self.actor, values["contact"], values["purpose"], due, values["name"],
                values["caller_title"], view.id if view else None)

        lang = default_script_language()
        titles = [(t, t) for t in ("", *rules.CALLER_TITLES.get(lang, ()))]
        return self._dialog(_("Schedule a call-back"), [
            FieldSpec("name", _("&Name"), value=view.name if view else ""),
            FieldSpec("caller_title", _("&Title"), "choice", titles,
                      view.caller_title if view else "", editable_choice=True),
            FieldSpec("contact", _("&Contact"), value=view.contact if view else ""),
            FieldSpec("purpose", _("&Purpose"), "text",
                      value=view.request if view else ""),
            FieldSpec("due_at", _("&When"), "datetime",
                      value=local_qdatetime(self.desk.now()).addSecs(3600)),
        ], submit)

    def record_callback(self) -> FormDialog:
        callback = _selected_data(self.callback_table)
        if callback is None:
            raise ValidationError(_("Select a call-back first."))
        choices = [(key, _(label)) for key, label in rules.SATISFACTION.items()]

        def submit(values: dict[str, Any], confirm: bool):
            return self.desk.reception.record_callback(self.actor, callback.id, values["result"],
                                                       values["satisfaction"],
                                                       confirm_phrases=confirm)

        return self._dialog(_("Call-back {id}: result").format(id=callback.id), [
            FieldSpec("satisfaction", _("&Satisfaction"), "choice", choices),
            FieldSpec("result", _("&Result"), "text"),
        ], submit)

    def callback_pdf(self) -> FormDialog:
        callback = _selected_data(self.callback_table)
        if callback is None:
            raise ValidationError(_("Select a call-back first."))

        def submit(values: dict[str, Any], _confirm: bool):
            # The file is checked (and "replace?" asked) before anything is signed.
            path = replacing(self, lambda force: check_target(values["file"], force=force,
                                                                field="file"))
            data = self.desk.reception.callback_form(self.actor, callback.id,
                                                     values["password"] or None)
            save_bytes(path, data, force=True)
            return path

        return self._dialog(_("Call-back record form"), [
            FieldSpec("file", _("&File"), value=str(Path.home() / f"callback-{callback.id}.pdf")),
            FieldSpec("password", _("&Password to sign (empty: sign by hand)"), "password"),
        ], submit)

    # ---------------------------------------------------------------- exports

    def export(self, kind: str = "visits") -> FormDialog:
        """Export the log or complaints (PDF/CSV) or the monthly statistics (PDF/XLSX)."""
        today = self.desk.today()
        kinds = [("visits", _("Visitor and call log")), ("complaints", _("Complaint register")),
                 ("stats", _("Monthly complaint statistics"))]
        formats = [("pdf", "PDF"), ("csv", "CSV"), ("xlsx", "XLSX")]

        def submit(values: dict[str, Any], _confirm: bool):
            since, until = values["since"].date(), values["until"].date()
            out = Path(values["file"]).expanduser()
            password = values["password"] or None
            fmt = values["format"]
            if values["kind"] == "stats":
                return replacing(self, lambda force: self.desk.reception.export_complaint_stats(
                    self.actor, since.year, since.month, fmt, out, password=password, force=force))
            method = (self.desk.reception.export_visits if values["kind"] == "visits"
                      else self.desk.reception.export_complaints)
            return replacing(self, lambda force: method(self.actor, since, until, fmt, out,
                                                         password=password, force=force))

        dialog = self._dialog(_("Export"), [
            FieldSpec("kind", _("&What"), "choice", kinds, kind),
            FieldSpec("since", _("&From (statistics: the month of this day)"), "datetime",
                      value=QDate(today.year, today.month, 1).startOfDay()),
            FieldSpec("until", _("&To"), "datetime", value=to_qdate(today).endOfDay()),
            FieldSpec("format", _("F&ormat"), "choice", formats,
                      "xlsx" if kind == "stats" else "pdf"),
            FieldSpec("file", _("F&ile"), value=str(Path.home() / f"{kind}-{today:%Y%m}")),
            FieldSpec("password", _("&Password to sign a PDF (optional)"), "password"),
        ], submit)
        return dialog

    # ---------------------------------------------------------------- library

    def load_library(self) -> None:
        lang = self.library_lang.currentData()
        current = self.library_list.currentItem()
        key = current.data(Qt.ItemDataRole.UserRole).key if current else None
        self.library_list.blockSignals(True)
        self.library_list.clear()
        for view in self.desk.reception.scripts(self.actor, lang):
            item = QListWidgetItem(f"{rules.situation_label(view.situation)} · "
                                   f"{view.title or view.key}  (v{view.version})")
            item.setData(Qt.ItemDataRole.UserRole, view)
            self.library_list.addItem(item)
            if view.key == key:
                self.library_list.setCurrentItem(item)
        self.library_list.blockSignals(False)
        if self.library_list.currentRow() < 0 and self.library_list.count():
            self.library_list.setCurrentRow(0)
        self.show_script()

    def show_script(self) -> None:
        item = self.library_list.currentItem()
        if item is None:
            return
        view = item.data(Qt.ItemDataRole.UserRole)
        self.editor_title.setText(view.title)
        self.editor.setPlainText(view.text)
        self.history_list.clear()
        for old in self.desk.reception.history(self.actor, view.key, view.lang):
            self.history_list.addItem(_("v{version}  {time}  {user}: {text}").format(
                version=old.version, time=_time(old.created_at), user=old.created_by,
                text=old.text))

    def flag_editor(self) -> None:
        text = self.editor.toPlainText()
        problems: list[str] = []
        try:
            unknown = rules.unknown_placeholders(text)
            if unknown:
                problems.append(_("Unknown placeholder: {names}").format(
                    names=", ".join("{" + n + "}" for n in unknown)))
        except ValidationError as error:
            problems.append(str(error))
        problems += [_("Avoid “{found}”: {suggestion}").format(found=f.found,
                                                               suggestion=f.suggestion)
                     for f in check_text(text, self.library_lang.currentData())]
        self.editor_flags.setText("\n".join(problems))
        self.editor_flags.setVisible(bool(problems))

    def save_script(self) -> None:
        item = self.library_list.currentItem()
        if item is None:
            return
        view = item.data(Qt.ItemDataRole.UserRole)
        self.desk.reception.save_script(self.actor, view.key, view.lang,
                                        self.editor.toPlainText(), self.editor_title.text())
        self.load_library()
