"""The date field (issue 14): strict typed dates, a keyboard-driven calendar, and the
dialogs that use it refusing a bad date at the field."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from desk_app.ui.widgets.date_field import DateField
from tests.gui.conftest import shown

# The offscreen platform cannot raise a popup or give it the keyboard; Qt says so. The keys
# are sent to the calendar directly.
POPUP_NOISE = pytest.mark.qt_log_ignore("This plugin does not support raise",
                                        "This plugin does not support grabbing the keyboard")


def type_text(qtbot, field: DateField, text: str) -> None:
    field.line_edit.selectAll()
    qtbot.keyClicks(field.line_edit, text)


def test_typing_a_full_date_gives_exactly_that_date(qtbot) -> None:
    field = shown(qtbot, DateField(date(2026, 11, 1), name="day"))
    assert field.line_edit.objectName() == "day_text"
    assert field.line_edit.text() == "2026-11-01"
    type_text(qtbot, field, "2026-12-31")
    assert field.value() == date(2026, 12, 31)
    assert field.error() is None
    field.line_edit.selectAll()
    field.line_edit.insert("2026年1月5日")  # as typed (keyClicks takes ASCII only)
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Return)  # editing finished: shown one way
    assert field.value() == date(2026, 1, 5)
    assert field.line_edit.text() == "2026-01-05"


def test_garbage_shows_the_reason_and_no_value(qtbot) -> None:
    field = shown(qtbot, DateField(date(2026, 11, 1), name="day"))
    with qtbot.waitSignal(field.changed):
        type_text(qtbot, field, "2026-02-30")
    assert field.value() is None
    assert "28 days" in (field.error() or "")
    assert "28 days" in field.line_edit.toolTip()
    assert "b00020" in field.line_edit.styleSheet()  # red
    type_text(qtbot, field, "next friday")
    assert field.value() is None and "not a date" in (field.error() or "")
    type_text(qtbot, field, "2026-03-01")
    assert field.value() == date(2026, 3, 1)
    assert field.line_edit.toolTip() == "" and field.line_edit.styleSheet() == ""


def test_empty_optional_and_required_and_the_range(qtbot) -> None:
    optional = shown(qtbot, DateField(None, name="opt", optional=True))
    assert optional.value() is None and optional.error() is None
    required = shown(qtbot, DateField(None, name="req"))
    assert required.value() is None and "enter a date" in (required.error() or "")
    bounded = shown(qtbot, DateField(date(2026, 5, 5), name="bound",
                                     minimum=date(2026, 5, 1), maximum=date(2026, 5, 31)))
    type_text(qtbot, bounded, "2026-04-30")
    assert bounded.value() is None and "before 2026-05-01" in (bounded.error() or "")
    bounded.set_value(date(2026, 5, 31))
    assert bounded.value() == date(2026, 5, 31)


@POPUP_NOISE
def test_the_calendar_picks_a_date_with_the_keyboard(qtbot) -> None:
    field = shown(qtbot, DateField(date(2026, 12, 10), name="due"))
    field.line_edit.setFocus()
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = field.popup
    assert popup is not None and popup.isVisible()
    calendar = popup.calendar
    assert calendar.selectedDate().toPython() == date(2026, 12, 10)
    qtbot.keyClick(popup.view, Qt.Key.Key_Right)   # the 11th
    qtbot.keyClick(popup.view, Qt.Key.Key_Down)    # a week later: the 18th
    qtbot.keyClick(popup.view, Qt.Key.Key_Return)  # picks
    assert not popup.isVisible()
    assert field.value() == date(2026, 12, 18)
    assert field.line_edit.text() == "2026-12-18"


@POPUP_NOISE
def test_escape_closes_the_calendar_without_a_change(qtbot) -> None:
    field = shown(qtbot, DateField(date(2026, 12, 10), name="due"))
    field.line_edit.setFocus()
    qtbot.keyClick(field.line_edit, Qt.Key.Key_F4)
    popup = field.popup
    assert popup is not None and popup.isVisible()
    qtbot.keyClick(popup.view, Qt.Key.Key_Right)
    qtbot.keyClick(popup.view, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert field.value() == date(2026, 12, 10)


@POPUP_NOISE
def test_the_button_opens_the_calendar(qtbot) -> None:
    field = shown(qtbot, DateField(None, name="due", optional=True))
    qtbot.mouseClick(field.button, Qt.MouseButton.LeftButton)
    assert field.popup is not None and field.popup.isVisible()
    qtbot.keyClick(field.popup.view, Qt.Key.Key_Enter)
    assert field.value() is not None


def test_a_month_field_reads_a_month(qtbot) -> None:
    field = shown(qtbot, DateField(date(2026, 12, 1), name="month", month=True))
    assert field.line_edit.text() == "2026-12"
    type_text(qtbot, field, "2027/3")
    assert field.value() == date(2027, 3, 1)
    type_text(qtbot, field, "2027-13")
    assert field.value() is None and "no month 13" in (field.error() or "")


# ------------------------------------------------------------------ the Export dialog


def test_the_export_dialog_refuses_an_invalid_period_and_stays_open(qtbot, demo_desk, tmp_path):
    from desk_app.store.models import AuditEntry
    from desk_app.ui.widgets.export_dialog import ExportDialog
    from tests.gui.conftest import sign_in

    auditor = sign_in(demo_desk, "chenjing")
    out = tmp_path / "out"
    out.mkdir()
    dialog = ExportDialog(demo_desk, auditor, "loans")
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.set_format("pdf")
    dialog.path_edit.setText(str(out / "loans.pdf"))
    exports = AuditEntry.select().where(AuditEntry.action == "export.loans").count()

    # What the issue saw: 2026-12-31 typed is exactly that day.
    type_text(qtbot, dialog.until_edit, "2026-12-31")
    assert dialog.until_edit.value() == date(2026, 12, 31)

    type_text(qtbot, dialog.since_edit, "2026-02-30")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.sign_dialog is None and dialog.job is None
    assert "28 days" in dialog.errors["from"].text()
    assert dialog.since_edit.line_edit.text() == "2026-02-30"  # what was typed stays

    type_text(qtbot, dialog.since_edit, "2027-01-01")  # after the end
    dialog.ok_button.click()
    assert dialog.sign_dialog is None
    assert dialog.errors["from"].text() == "The start date is after the end date."

    type_text(qtbot, dialog.since_edit, "2026-12-01")
    dialog.until_edit.line_edit.clear()
    dialog.ok_button.click()
    assert dialog.sign_dialog is None and "enter a date" in dialog.errors["to"].text()
    assert dialog.errors["from"].text() == ""
    assert not list(out.iterdir())
    assert AuditEntry.select().where(AuditEntry.action == "export.loans").count() == exports
    dialog.reject()


def test_a_labels_mnemonic_reaches_the_date_text(qtbot) -> None:
    """Alt+B on "Due &by:" focused nothing (the field took no focus itself, only forwarded
    it), so the typed date went into the previous field (issue 15's walk)."""
    from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

    form = QWidget()
    layout = QFormLayout(form)
    before = QLineEdit()
    field = DateField(date(2026, 11, 1), name="due")
    label = QLabel("Due &by:")
    label.setBuddy(field)
    layout.addRow("&Text:", before)
    layout.addRow(label, field)
    shown(qtbot, form)
    form.activateWindow()
    before.setFocus()
    qtbot.waitUntil(before.hasFocus)
    qtbot.keyClick(form, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(field.line_edit.hasFocus, timeout=2000)
