"""What the reception tabs share: the page they work for, cell texts and the list view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import reception as rules
from desk_app.domain.clock import format_datetime
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.models.live import refresh_keeping_selection, selected_row
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.reception.palette import default_script_language
from desk_app.ui.widgets.export_dialog import ExportButton


class Host(Protocol):
    """The reception page as its tabs see it."""

    desk: Any
    actor: Actor
    can_use: bool
    can_view: bool
    can_edit: bool
    can_review: bool
    can_manage: bool

    def run(self, slot: Callable[[], object]) -> None: ...

    def refresh(self) -> None: ...

    def show_now(self) -> None: ...

    def staff_name(self, user: str) -> str: ...

    # the actions on the selected entry (Now, Timeouts or Log tab)
    def details(self) -> Any: ...

    def promise_reply(self) -> Any: ...

    def transfer(self) -> Any: ...

    def escalate(self) -> Any: ...

    def dialog_for(self, title: str, fields: list[FieldSpec],
               submit: Callable[[dict[str, Any], bool], Any],
               done: Callable[[Any], None] | None = None) -> FormDialog: ...

    def show_dialog(self, dialog: FormDialog,
                    done: Callable[[Any], None] | None = None) -> FormDialog: ...


def time_text(moment: datetime | None) -> str:
    return format_datetime(moment)


def channel_text(view) -> str:
    return rules.Channel(view.channel).label


def who(view) -> str:
    return rules.addressed(view.name, view.caller_title) if view.name else _("(unknown)")


def title_choices() -> list[tuple[str, str]]:
    return [(t, t) for t in ("", *rules.CALLER_TITLES.get(default_script_language(), ()))]


def number_column() -> Column:
    return Column(lambda: _("No."), lambda v: v.id, align=Qt.AlignmentFlag.AlignRight)


def visit_columns() -> list[Column]:
    """No., channel, name, request, handler, time in: the start of every visit list."""
    return [
        number_column(),
        Column(lambda: _("Channel"), channel_text),
        Column(lambda: _("Name"), who),
        Column(lambda: _("Request"), lambda v: v.request, tooltip=lambda v: v.request),
        Column(lambda: _("Handler"), lambda v: v.handler_name),
        Column(lambda: _("Time in"), lambda v: time_text(v.arrived_at)),
    ]


def paged_model(host: Host, count: Callable[[], int],
                fetch: Callable[[int, int], Sequence[Any]], columns: Sequence[Column],
                parent: QWidget) -> PagedTableModel:
    """A paged register model; empty for a user who may not see the reception lists (the
    page then shows only the phrase library)."""
    return PagedTableModel(lambda: count() if host.can_view else 0, fetch, columns,
                           parent=parent)


def list_view(name: str, model: PagedTableModel, widths: tuple[int, ...],
              time_columns: tuple[int, ...] = ()) -> QTableView:
    """A read-only, one-row-at-a-time list on a paged model; time columns fit
    "2026-11-30 10:52" in the view's own font."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(True)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    time_width = view.fontMetrics().horizontalAdvance("2026-11-30 10:52") + 16
    for column in time_columns:
        view.setColumnWidth(column, time_width)
    fit_headers(view)
    return view


def fit_headers(view: QTableView) -> None:
    """Widen a column whose title would be cut (a translated title may be longer)."""
    model, header = view.model(), view.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(model.columnCount()):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        needed = metrics.horizontalAdvance(title) + 20
        if view.columnWidth(column) < needed:
            view.setColumnWidth(column, needed)


def button_row(host: Host, buttons: list[tuple[str, str, Callable[[], object], bool]]) -> QHBoxLayout:
    """Buttons (object name, text, slot, allowed) under a list; a slot's errors are shown."""
    row = QHBoxLayout()
    for name, text, slot, allowed in buttons:
        if allowed:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(lambda _c=False, s=slot: host.run(s))
            row.addWidget(button)
    row.addStretch(1)
    return row


class ListTab(QWidget):
    """A tab holding one paged list (``self.table`` on ``self.model``) and buttons below it;
    a tab showing a register has its shared *Export…* button (``export_button``) at the
    right of that row."""

    register: str | None = None  # the register this tab shows, for Export…

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.layout_ = QVBoxLayout(self)
        self.export_button: ExportButton | None = None

    def set_list(self, name: str, count: Callable[[], int],
                 fetch: Callable[[int, int], Sequence[Any]], columns: Sequence[Column],
                 widths: tuple[int, ...], time_columns: tuple[int, ...]) -> None:
        self.model = paged_model(self.host, count, fetch, columns, self)
        self.table = list_view(name, self.model, widths, time_columns)
        self.layout_.addWidget(self.table, 1)

    def add_buttons(self, buttons: list[tuple[str, str, Callable[[], object], bool]]) -> None:
        row = button_row(self.host, buttons)
        if self.register is not None:
            self.export_button = ExportButton(self.host.desk, self.host.actor, self.register,
                                              self)
            row.addWidget(self.export_button)
        self.layout_.addLayout(row)

    def refresh(self) -> None:
        refresh_keeping_selection(self.table)

    def selected(self) -> Any | None:
        return selected_row(self.table)


def close_button_and_size(dialog: QDialog, layout: QVBoxLayout, parent: QWidget | None,
                          size: tuple[int, int], smallest: tuple[int, int]) -> None:
    """A case dialog's Close button, and its size: ``size``, within a small main window (40
    pixels to spare), never below ``smallest``."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    window = parent.window() if parent is not None else None
    width, height = size
    if window is not None:
        width, height = min(width, window.width() - 40), min(height, window.height() - 40)
    dialog.resize(max(width, smallest[0]), max(height, smallest[1]))
