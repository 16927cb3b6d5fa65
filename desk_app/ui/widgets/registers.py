"""Small pieces every register page shares: the table view, column widths, PDF preview, times."""

from __future__ import annotations

import logging
from datetime import date, datetime

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desk_app.domain.clock import format_datetime, parse_iso_utc

log = logging.getLogger(__name__)


def register_table(name: str, parent: QWidget | None = None) -> QTableView:
    """A read-only register view like the Admin and Audit ones (model set by the caller)."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setSortingEnabled(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setHighlightSections(False)
    return table


def apply_widths(table: QTableView, widths: tuple[int, ...]) -> None:
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)


def day_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def local_text(moment: datetime | None) -> str:
    """A stored naive-UTC time as local time, to the minute."""
    return format_datetime(moment)


def local_time_text(at: str, with_seconds: bool = False) -> str:
    """An audit entry's ISO UTC text as local time."""
    return format_datetime(parse_iso_utc(at), seconds=with_seconds)


def preview_pdf(parent: QWidget | None, pdf: bytes, suggested_name: str) -> None:
    """Show a PDF in the shared preview (print / save from there)."""
    from desk_app.ui.widgets.pdf_view import show_pdf

    show_pdf(parent, pdf, suggested_name)
