"""Today's "Messages" box (issue 18): the messages the desk took for me while I was away,
oldest first, each confirmed here once read; and, for the desk, how many messages wait
unconfirmed past the chase time (their list is the Reception page's Messages tab)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.reception.messages import MessageView
from desk_app.ui.errors import show_error
from desk_app.ui.pages.box_line import box_line

ALERT = "color: #b00020;"


class MessagesBox(QGroupBox):
    """``navigate(page, view)`` goes to the Reception page's Messages tab."""

    navigate = Signal(str, str)

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Messages for you"), parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("today_messages")
        self.desk_user = actor.can(ReceptionPermission.RECEPTION_USE)
        self.messages: list[MessageView] = []
        layout = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setObjectName("today_messages_count")
        self.confirm_button = QPushButton(_("Con&firm read"))
        self.confirm_button.setObjectName("today_messages_confirm")
        self.confirm_button.clicked.connect(lambda _checked=False: self.confirm_selected())
        row = QHBoxLayout()
        row.addWidget(self.label, 1)
        row.addWidget(self.confirm_button)
        layout.addLayout(row)
        self.list = QTreeWidget()  # at most my_messages' limit (20) rows
        self.list.setObjectName("today_messages_list")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels([_("Taken"), _("Caller"), _("Contact"), _("Message"),
                                   _("Taken by")])
        for column, width in enumerate((130, 90, 110, 260)):
            self.list.setColumnWidth(column, width)
        self.list.setMaximumHeight(160)
        layout.addWidget(self.list)
        self.chase_label, self.chase_button = box_line(
            layout, "today_messages_chase", _("Show &messages"),
            lambda: self.navigate.emit("reception", "messages"))
        for widget in (self.chase_label, self.chase_button):
            widget.setVisible(self.desk_user)

    def figures(self) -> tuple[list[MessageView], int]:
        """What the box shows, from the services only (Today reads it off the GUI thread)."""
        mine = self.desk.messages.my_messages(self.actor)
        to_chase = (self.desk.messages.count_messages(self.actor,
                                                      self.desk.messages.to_chase(self.actor))
                    if self.desk_user else 0)
        return mine, to_chase

    def show_figures(self, figures: tuple[list[MessageView], int]) -> None:
        self.messages, to_chase = figures
        count = len(self.messages)
        self.label.setText(ngettext("{count} message is waiting for you to read.",
                                    "{count} messages are waiting for you to read.", count)
                           .format(count=count) if count else _("No message is waiting for you."))
        self.label.setStyleSheet(ALERT if count else "")
        self.list.clear()
        for message in self.messages:
            item = QTreeWidgetItem([format_datetime(message.taken_at),
                                    rules.addressed(message.caller, message.caller_title),
                                    message.contact, message.text, message.taken_by_name])
            item.setToolTip(3, message.text)
            item.setData(0, Qt.ItemDataRole.UserRole, message.id)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self.list.setVisible(bool(self.messages))
        self.confirm_button.setEnabled(bool(self.messages))
        self.chase_label.setText(
            ngettext("{count} message taken at the desk is still unconfirmed: chase it.",
                     "{count} messages taken at the desk are still unconfirmed: chase them.",
                     to_chase).format(count=to_chase)
            if to_chase else _("Every message taken at the desk was confirmed in time."))
        self.chase_label.setStyleSheet(ALERT if to_chase else "")
        self.chase_button.setEnabled(bool(to_chase))

    def confirm_selected(self) -> MessageView | None:
        """Confirm the selected message (the oldest, unless another was chosen)."""
        item = self.list.currentItem()
        if item is None:
            return None
        try:
            view = self.desk.messages.confirm_message(self.actor,
                                                      int(item.data(0, Qt.ItemDataRole.UserRole)))
            self.show_figures(self.figures())
        except DeskError as error:
            show_error(self, error)
            return None
        return view

    def refresh(self) -> None:
        try:
            self.show_figures(self.figures())
        except DeskError as error:
            self.setToolTip(str(error))
