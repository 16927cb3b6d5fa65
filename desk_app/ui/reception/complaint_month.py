"""The month's complaint review (the Complaint register's *Month review…*; the service is
``services/reception/complaint_month.py``): a month's complaints by category and by cause
beside the month before, the improvement measures signed for the month before (so their
effect can be judged), and — once the month has ended — the supervisor's analysis and
improvement measures, signed with password and handwriting. A signed month is shown as
signed, its form opens as a PDF; nothing in it changes.

Reading a month is a few small queries (~10 ms on the demo): it is done on the GUI thread
as the month changes."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import _
from desk_app.services.reception.complaint_month import MonthReview
from desk_app.services.reception.views import month_range
from desk_app.ui.reception.common import Host
from desk_app.ui.reception.complaint_case import text_html
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.fields import FieldError, grow_form, show_field_error
from desk_app.ui.widgets.signing import show_document, sign_as

TEXT_HEIGHT = 70  # the analysis and the measures: a few lines each


def last_month(today: date) -> date:
    first = today.replace(day=1)
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else \
        first.replace(month=first.month - 1)


def shifted(month: date, by: int) -> date:
    """The first day of the month ``by`` months after ``month`` (before, if negative)."""
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], last_bold: bool = False) -> str:
    """A ruled table; numbers right-aligned; the last row (a total) bold if asked."""
    head = "".join(f"<th align='{'left' if n == 0 else 'right'}'>{html.escape(t)}</th>"
                   for n, t in enumerate(header))
    body = []
    for number, row in enumerate(rows):
        cells = []
        for column, value in enumerate(row):
            text = html.escape(str(value))
            if last_bold and number == len(rows) - 1:
                text = f"<b>{text}</b>"
            cells.append(f"<td align='{'left' if column == 0 else 'right'}'>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table border='1' cellspacing='0' cellpadding='4'><tr>{head}</tr>"
            f"{''.join(body)}</table>")


def _tag(tag: str, text: str) -> str:
    """``text`` (translated before: babel sees no ``_()`` inside an f-string) in an HTML
    element, escaped, its line breaks kept."""
    return f"<{tag}>{text_html(text)}</{tag}>"


def _change(now: int, before: int) -> str:
    return "±0" if now == before else f"{now - before:+d}".replace("-", "−")


def review_html(review: MonthReview) -> str:
    """The month's figures, last month's measures and, once signed, the signed review."""
    total = review.stats.total.total if review.stats.total else 0
    parts = [_tag("h3", _("Complaints of {month}").format(month=review.month)),
             _tag("p", _("{count} complaints; the month before: {previous}.").format(
                 count=total, previous=review.previous_total)),
             _tag("h4", _("By category"))]
    rows = [row for row in review.stats.table()[:-1] if row[1]]
    if rows:
        parts.append(_table(review.stats.header(), [*rows, review.stats.table()[-1]],
                            last_bold=True))
    else:
        parts.append(_tag("p", _("No complaint was received this month.")))
    parts.append(_tag("h4", _("Causes")))
    if review.causes:
        parts.append(_table([_("Cause"), _("This month"), _("Last month"), _("Change")],
                            [[c.label, c.count, c.previous, _change(c.count, c.previous)]
                             for c in review.causes]))
    else:
        parts.append(_tag("p", _("No complaint in either month.")))
    parts.append(_tag("h4", _("Last month's improvement measures")))
    parts.append(_tag("p", review.previous_text() or _("None were recorded.")))
    record = review.record
    if record is not None:
        parts.append(_tag("h4", _("Signed review")))
        signed = _("{name}, {date}").format(name=record.signed_by_name,
                                             date=format_datetime(record.signed_at))
        cells = [(_("Signed by"), text_html(signed)), (_("Form"), text_html(record.number)),
                 (_("Cause analysis"), text_html(record.analysis)),
                 (_("Improvement measures"), text_html(record.measures))]
        parts.append("<table cellspacing='0' cellpadding='3'>" + "".join(
            f"<tr><td valign='top' style='padding-right:12px; color:#555'>"
            f"{html.escape(label)}</td><td>{value}</td></tr>" for label, value in cells)
            + "</table>")
    return "".join(parts)


class MonthReviewDialog(QDialog):
    """See the module doc. ``review`` is the month shown (None while the month typed is not
    one)."""

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.review: MonthReview | None = None
        self.month: date | None = None
        self.setObjectName("month_review_dialog")
        self.setWindowTitle(_("Complaints: month review"))
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        label = QLabel(_("&Month:"))
        self.month_edit = DateField(last_month(host.desk.today()), name="review_month",
                                    month=True)
        label.setBuddy(self.month_edit)
        self.previous_button = self._step_button("previous_month", "‹", -1,
                                                 _("The month before (Ctrl+Page Up)"))
        self.next_button = self._step_button("next_month", "›", 1,
                                             _("The month after (Ctrl+Page Down)"))
        top.addWidget(label)
        top.addWidget(self.month_edit)
        top.addWidget(self.previous_button)
        top.addWidget(self.next_button)
        top.addStretch(1)
        layout.addLayout(top)
        self.month_error = FieldError()
        self.month_error.setObjectName("error_month")
        layout.addWidget(self.month_error)
        for keys, step in (("Ctrl+PgUp", -1), ("Ctrl+PgDown", 1)):
            QShortcut(QKeySequence(keys), self, lambda s=step: self.step(s))

        self.text = QTextBrowser()
        self.text.setObjectName("review_text")
        self.text.setOpenLinks(False)
        layout.addWidget(self.text, 1)

        self.open_button = QPushButton(_("&Open signed form"))
        self.open_button.setObjectName("open_month_form")
        self.open_button.setToolTip(_("Open the signed form as a PDF (print or save it from "
                                      "there)."))
        self.open_button.clicked.connect(lambda _checked=False: self.open_form())
        self.state = QLabel()
        self.state.setObjectName("review_state")
        self.state.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(self.open_button)
        layout.addLayout(row)

        self.sign_box = QWidget()
        self.sign_box.setObjectName("sign_box")
        form = grow_form(self.sign_box)
        form.setContentsMargins(0, 0, 0, 0)
        self.analysis = self._text_field("analysis")
        self.measures = self._text_field("measures")
        self.errors: dict[str, FieldError] = {"month": self.month_error}
        for key, text, edit in (("analysis", _("&Analysis of the causes"), self.analysis),
                                ("measures", _("&Improvement measures"), self.measures)):
            title = QLabel(text)
            title.setBuddy(edit)
            form.addRow(title, edit)
            error = FieldError()
            error.setObjectName(f"error_{key}")
            form.addRow("", error)
            self.errors[key] = error
        self.sign_button = QPushButton(_("&Sign…"))
        self.sign_button.setObjectName("sign_month")
        self.sign_button.clicked.connect(lambda _checked=False: self.sign())
        sign_row = QHBoxLayout()
        sign_row.addStretch(1)
        sign_row.addWidget(self.sign_button)
        form.addRow("", sign_row)
        layout.addWidget(self.sign_box)
        self.general_error = FieldError()
        self.general_error.setObjectName("general_error")
        layout.addWidget(self.general_error)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.month_edit.changed.connect(self.load)
        window = parent.window() if parent is not None else None
        width, height = 760, 700
        if window is not None:  # within a small main window
            width, height = min(width, window.width() - 40), min(height, window.height() - 40)
        self.resize(max(width, 560), max(height, 460))
        self.load()

    def _step_button(self, name: str, text: str, step: int, tip: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Page Up / Down from anywhere
        button.clicked.connect(lambda _checked=False: self.step(step))
        return button

    def _text_field(self, name: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(f"field_{name}")
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(TEXT_HEIGHT)
        return edit

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.month_edit.setFocus()

    # ---------------------------------------------------------------- the month shown

    def step(self, by: int) -> None:
        if self.month is not None:
            self.month_edit.set_value(shifted(self.month, by))

    def load(self) -> None:
        """Read the month typed (nothing while it is not a month) and show it."""
        day = self.month_edit.value()
        for error in self.errors.values():
            error.clear_message()
        self.general_error.clear_message()
        if day is None:  # the month shown stays, but is not signed from here
            self.month_error.show_message(self.month_edit.error() or "")
            self.sign_button.setEnabled(False)
            return
        try:
            review = self.host.desk.complaint_months.month_review(self.host.actor, day.year,
                                                                  day.month)
        except DeskError as error:
            self.general_error.show_message(str(error))
            return
        self.month, self.review = day.replace(day=1), review
        self.show_review(review)

    def ended(self) -> bool:
        assert self.month is not None
        return month_range(self.month.year, self.month.month)[1] <= self.host.desk.now()

    def show_review(self, review: MonthReview) -> None:
        self.text.setHtml(review_html(review))
        signed = review.record is not None
        can_sign = self.host.can_review and not signed
        self.open_button.setVisible(signed)
        self.sign_box.setVisible(can_sign)
        self.sign_button.setEnabled(can_sign and self.ended())
        self.next_button.setEnabled(self.month is not None
                                    and self.month < self.host.desk.today().replace(day=1))
        if signed:
            text = _("Signed: the review of {month} is kept as signed.")
        elif not self.ended():
            text = _("{month} has not ended yet: its review is signed once the month is over.")
        elif can_sign:
            text = _("Not signed yet: write the analysis of the causes and the improvement "
                     "measures, then sign.")
        else:
            text = _("Not signed yet: the supervisor signs the analysis and the improvement "
                     "measures.")
        self.state.setText(text.format(month=review.month))

    # ---------------------------------------------------------------- sign, open

    def sign(self) -> Any:
        """Both texts are needed before anyone signs; the sign dialog asks for the password
        and the handwriting (a wrong password asks again). None when not signed."""
        assert self.month is not None
        year, month, desk, actor = self.month.year, self.month.month, self.host.desk, \
            self.host.actor
        analysis, measures = self.analysis.toPlainText().strip(), \
            self.measures.toPlainText().strip()
        if not analysis:
            return self.error_at("analysis", _("Write the analysis of the month's causes."))
        if not measures:
            return self.error_at("measures", _("Write the improvement measures."))
        try:
            record = sign_as(self, actor, _("the complaint review of {month}").format(
                month=f"{year:04d}-{month:02d}"),
                lambda password, png: desk.complaint_months.sign_month(
                    actor, year, month, analysis, measures, password, png))
        except ValidationError as error:
            return self.error_at(error.field, str(error))
        except DeskError as error:  # signed meanwhile by another supervisor: show it so
            self.load()
            return self.error_at(None, str(error))
        if record is None:  # cancelled: the texts stay
            return None
        self.analysis.clear()
        self.measures.clear()
        self.load()
        self.open_button.setFocus()
        return record

    def error_at(self, field: str | None, message: str) -> None:
        show_field_error(self.errors, self.general_error, field, message)
        target = {"analysis": self.analysis, "measures": self.measures}.get(field or "")
        if target is not None:
            target.setFocus()

    def open_form(self) -> None:
        review, desk, actor = self.review, self.host.desk, self.host.actor
        if review is None or review.record is None or self.month is None:
            return
        year, month = self.month.year, self.month.month
        show_document(self, desk, lambda: desk.complaint_months.month_form(actor, year, month),
                      f"{review.record.number}.pdf")
