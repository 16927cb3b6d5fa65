"""Overdue reminders: the borrowers with overdue items (pinyin order), one notice for the
selected borrower or the whole batch — e-mailed where an SMTP server is set up, the rest
printed one page each — in a background job with progress and cancel, and the log of what
was sent."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.registers import day_text, local_text, preview_pdf

LOG_ROWS = 200  # the newest reminders shown in the log tab


def _channel(row: dict[str, Any]) -> str:
    return _("E-mail") if row["channel"] == "email" else _("Print")


def _result(row: dict[str, Any]) -> str:
    if row["result"] == "sent":
        return _("Sent")
    if row["result"] == "failed":
        return _("Failed: {error}").format(error=row["error"])
    return _("PDF made for printing")  # "made" (older rows: "printed"): not known to be printed


class RemindersDialog(QDialog):
    """Borrowers with overdue items; one bundled notice each; the log of reminders."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.result_value: Any = None
        self.job: Job | None = None  # reminders being recorded, sent and printed
        self.setObjectName("reminders_dialog")
        self.setWindowTitle(_("Overdue reminders"))
        self.tree = QTreeWidget()
        self.tree.setObjectName("reminder_bundles")
        self.tree.setHeaderLabels([_("Borrower / reference"), _("Contact / title"), _("Due"),
                                   _("Days overdue")])
        for column, width in enumerate((200, 240, 90)):
            self.tree.setColumnWidth(column, width)
        self.log = QTreeWidget()
        self.log.setObjectName("reminder_log")
        self.log.setRootIsDecorated(False)
        self.log.setHeaderLabels([_("Sent at"), _("Borrower"), _("Items"), _("Channel"),
                                  _("Address"), _("Result"), _("Sent by")])
        for column, width in enumerate((130, 110, 50, 70, 170, 150)):
            self.log.setColumnWidth(column, width)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reminder_tabs")
        self.tabs.addTab(self.tree, _("&Overdue"))
        self.tabs.addTab(self.log, _("Sent &log"))
        self.send_button = QPushButton(_("&Send reminder"))
        self.send_button.setObjectName("send_reminder")
        self.send_button.setToolTip(_("A printed notice for the selected borrower"))
        self.send_button.clicked.connect(self.send)
        self.send_all_button = QPushButton(_("Send &all reminders…"))
        self.send_all_button.setObjectName("send_all_reminders")
        self.send_all_button.clicked.connect(self.send_all)
        self.status = QLabel()
        self.status.setObjectName("reminder_status")
        self.status.setWordWrap(True)
        self.mail_note = QLabel()
        self.mail_note.setObjectName("reminder_mail_note")
        self.mail_note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.send_button)
        row.addWidget(self.send_all_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.mail_note)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(820, 460)
        self.tree.currentItemChanged.connect(lambda *_args: self._update())
        self.load()

    def load(self) -> None:
        self.tree.clear()
        try:
            bundles = self.desk.loans.overdue_by_borrower(self.actor)
        except DeskError as error:
            self.status.setText(str(error))
            bundles = []
        for bundle in bundles:
            worst = max(loan["days_overdue"] for loan in bundle["loans"])
            top = QTreeWidgetItem([bundle["borrower"], bundle["contact"] or "",
                                   ngettext("{count} item", "{count} items", len(bundle["loans"])).format(
                count=len(bundle["loans"])), str(worst)])
            top.setData(0, Qt.ItemDataRole.UserRole, bundle["borrower_id"])
            for loan in bundle["loans"]:
                child = QTreeWidgetItem([loan["ref"], loan["title"], day_text(loan["due_on"]),
                                         str(loan["days_overdue"])])
                child.setData(0, Qt.ItemDataRole.UserRole, bundle["borrower_id"])
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        if not bundles and not self.status.text():
            self.status.setText(_("Nothing is overdue."))
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self.mail_note.setText(
            _("Borrowers whose contact is an e-mail address get an e-mail; the others a "
              "printed page.") if self.desk.loans.smtp_configured() else
            _("No e-mail server is set up (Admin › Settings): every reminder is printed."))
        self.load_log()
        self._update()

    def load_log(self) -> None:
        self.log.clear()
        try:
            rows = self.desk.loans.reminder_log(self.actor, 0, LOG_ROWS)
        except DeskError as error:
            self.status.setText(str(error))
            return
        for row in rows:
            item = QTreeWidgetItem([local_text(row["sent_at"]), row["borrower"], str(row["items"]),
                                    _channel(row), row["address"], _result(row), row["sent_by"]])
            item.setToolTip(5, _result(row))
            self.log.addTopLevelItem(item)

    def _update(self) -> None:
        idle = self.job is None
        self.send_button.setEnabled(self.tree.currentItem() is not None and idle)
        self.send_all_button.setEnabled(self.tree.topLevelItemCount() > 0 and idle)

    def send(self) -> None:
        """Record the reminder and make its notice in a background job, then preview it."""
        item = self.tree.currentItem()
        if item is None or self.job is not None:
            return
        desk, actor = self.desk, self.actor
        borrower_id = item.data(0, Qt.ItemDataRole.UserRole)
        self.status.setText(_("Preparing the reminder…"))
        self.job = Job(lambda _progress: desk.loans.send_reminder(actor, borrower_id), desk=desk,
                       parent=self, on_success=self._sent, on_failure=self._not_sent)
        self._update()
        self.job.start()

    def send_all(self) -> None:
        """Every overdue borrower in one batch, in the background with progress and cancel."""
        if self.job is not None:
            return
        desk, actor = self.desk, self.actor
        self.status.setText(_("Sending the reminders…"))
        self.job = Job(lambda progress: desk.loans.send_reminders(actor, progress), desk=desk,
                       parent=self, label=_("Sending the overdue reminders…"),
                       on_success=self._batch_sent, on_failure=self._not_sent,
                       on_cancel=self._batch_stopped)
        self._update()
        self.job.start()

    def _not_sent(self, error: BaseException) -> None:
        self.job = None
        self.status.clear()
        self._update()
        show_error(self, error)

    def _batch_stopped(self) -> None:
        self.job = None
        self.status.setText(_("Stopped."))
        self.load()

    def _sent(self, sent: tuple[dict[str, Any], bytes]) -> None:
        self.job = None
        self._update()
        bundle, pdf = sent
        self.result_value = bundle
        self.load_log()
        self.status.setText(_("Reminder to {name} recorded.").format(name=bundle["borrower"]))
        preview_pdf(self, pdf, _("reminder-{name}.pdf").format(name=bundle["borrower"]))

    def _batch_sent(self, outcome: dict[str, Any]) -> None:
        self.job = None
        self.result_value = outcome
        text = _("{sent} e-mailed, {failed} e-mails failed, {printed} to print.").format(
            sent=len(outcome["sent"]), failed=len(outcome["failed"]),
            printed=len(outcome["printed"]) + len(outcome["failed"]))
        if outcome["cancelled"]:
            text = _("Stopped part-way.") + " " + text
        self.load()
        self.status.setText(text)
        self.tabs.setCurrentWidget(self.log)
        if outcome["pdf"] is not None:
            preview_pdf(self, outcome["pdf"], _("overdue-reminders.pdf"))
