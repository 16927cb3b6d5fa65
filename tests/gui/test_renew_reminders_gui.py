"""The Renew dialog (a chosen date, refused dates said at the field, the renewal slip signed)
and the reminders dialog (the whole batch through a real local SMTP server, the log)."""

from __future__ import annotations

from datetime import timedelta

from desk_app.forms.verify import verify_pdf
from desk_app.services.loans import BorrowerInput
from desk_app.store.archive import Renewal, SignedDocument
from desk_app.ui.loans.reminders import RemindersDialog
from desk_app.ui.loans.renew import RenewDialog
from tests.gui.conftest import shown
from tests.gui.test_loans_gui import OUTSIDER, page, refs, signing  # noqa: F401 (fixtures)
from tests.services.test_reminders import Mailbox, _free_port


def test_renew_dialog_takes_a_chosen_date_and_signs_the_renewal_slip(
        qtbot, page, demo_desk, clerk_actor, refs, signing):  # noqa: F811
    demo_desk.loans.lend(clerk_actor, [refs[0]], BorrowerInput(name=OUTSIDER, contact="138"), "查阅")
    page.borrower_edit.setText(OUTSIDER)
    page.apply_filter()
    panel = page.panels["open"]
    page.tabs.setCurrentWidget(panel)
    panel.table.selectRow(0)
    page.buttons["renew"].click()
    dialog = page.open_dialog
    assert isinstance(dialog, RenewDialog)
    terms = dialog.terms
    assert dialog.due_field.value() == terms["proposed"]
    too_late = terms["latest"] + timedelta(days=1)
    dialog.due_field.line_edit.setText(too_late.isoformat())
    dialog.ok_button.click()
    assert dialog.field_errors["due"].text()  # said at the field
    assert Renewal.select().count() == 0 and page.open_dialog is dialog
    chosen = terms["due_on"] + timedelta(days=3)
    dialog.due_field.line_edit.setText(chosen.strftime("%Y/%m/%d"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: signing["previews"] != [])
    (name, pdf), = signing["previews"]
    renewal = Renewal.get()
    assert renewal.new_due == chosen and name == f"{renewal.number}.pdf"
    assert verify_pdf(pdf, demo_desk.keys.ca_certificate()).ok
    assert SignedDocument.get_by_id(renewal.document_id).kind == "renewal"
    assert [ask[2:] for ask in signing["asks"]] == [(False, True), (True, True)]  # borrower, clerk
    assert panel.model.row(0)["due_on"] == chosen


def test_reminders_dialog_sends_the_batch_and_shows_the_log(
        qtbot, demo_desk, clerk_actor, admin_actor, refs, clock, signing):  # noqa: F811
    from aiosmtpd.controller import Controller

    box = Mailbox()
    box.port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        demo_desk.settings.set_many(admin_actor, {
            "smtp_host": "127.0.0.1", "smtp_port": str(box.port), "smtp_starttls": "no",
            "smtp_from": "archive@example.com"})
        demo_desk.loans.lend(clerk_actor, refs[:2], BorrowerInput(
            name=OUTSIDER, contact="qa@example.com"), "查阅")
        clock.advance(days=40)
        dialog = shown(qtbot, RemindersDialog(demo_desk, clerk_actor), (820, 460))
        assert "e-mail" in dialog.mail_note.text()
        dialog.send_all_button.click()
        qtbot.waitUntil(lambda: dialog.job is None, timeout=60_000)
        outcome = dialog.result_value
        assert [b["borrower"] for b in outcome["sent"]] == [OUTSIDER]
        assert any(message["To"] == "qa@example.com" for message in box.messages)
        assert dialog.tabs.currentWidget() is dialog.log
        rows = [[dialog.log.topLevelItem(n).text(c) for c in range(7)]
                for n in range(dialog.log.topLevelItemCount())]
        mine = next(row for row in rows if row[1] == OUTSIDER)
        assert mine[2:6] == ["2", "E-mail", "qa@example.com", "Sent"] and mine[6] == "王芳"
        assert "+00:00" not in mine[0]
        printed = len(outcome["printed"]) + len(outcome["failed"])
        assert dialog.status.text().startswith("1 e-mailed")
        if printed:
            assert signing["previews"][-1][0] == "overdue-reminders.pdf"
        dialog.reject()
    finally:
        controller.stop()


def test_the_smtp_password_is_not_shown_back_in_the_settings_form(qtbot, demo_desk, admin_actor):
    from PySide6.QtWidgets import QLineEdit

    from desk_app.ui.admin.settings_form import SettingsForm

    demo_desk.settings.set_many(admin_actor, {"smtp_password": "geheim-123"})
    form = shown(qtbot, SettingsForm(demo_desk, admin_actor))
    editor = form.editors["smtp_password"]
    assert isinstance(editor, QLineEdit) and editor.text() == ""
    assert editor.echoMode() == QLineEdit.EchoMode.Password and editor.placeholderText()
    form.editors["smtp_host"].setText("mail.example.com")
    assert form.save()  # an empty password field keeps the saved one
    assert demo_desk.settings.value("smtp_password") == "geheim-123"
    assert demo_desk.settings.value("smtp_host") == "mail.example.com"
