"""Who borrows: one field that finds staff and remembered outside borrowers as the clerk types
(Chinese name, pinyin, pinyin initials, user name, phone), keyboard and scanner first.

Typing offers the matches in a popup (Down/Up to move, Enter to choose). Enter on the field
itself chooses at once when the text is an exact user name (a scanned staff badge) or finds
exactly one person; with several matches it opens the popup instead. The chosen person is
shown under the field with their contact and open and overdue loans; Ctrl+I (or the button)
opens their card when the caller gives one (``card``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.borrowers import BorrowerInput, input_for

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
SHORT_ROLE = Qt.ItemDataRole.UserRole + 2  # what the field shows once a person is chosen
LOOKUP_DELAY_MS = 120  # a scanner types faster than this: one lookup per badge


def short_text(row: dict[str, Any]) -> str:
    """The chosen person in the field: the name, and the user name of a staff member."""
    if row.get("user_name") and row["user_name"] != row["name"]:
        return "{name} ({user})".format(name=row["name"], user=row["user_name"])
    return str(row["name"])


def details_text(row: dict[str, Any]) -> str:
    """One line under the field: staff or outside, contact, organisation, loans."""
    parts = [_("staff") if row["kind"] == "staff" else _("outside borrower")]
    parts += [part for part in (row.get("contact"), row.get("organisation")) if part]
    loans = ngettext("{count} open loan", "{count} open loans", row.get("open_loans", 0)).format(
        count=row.get("open_loans", 0))
    if row.get("overdue_loans"):
        loans += ", " + ngettext("{count} overdue", "{count} overdue", row["overdue_loans"]).format(
            count=row["overdue_loans"])
    parts.append(loans)
    return " · ".join(parts)


class BorrowerField(QWidget):
    """``chosen`` fires when a person is picked; ``borrower_input()`` is what lending takes."""

    chosen = Signal()

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None, *,
                 card: Callable[[QWidget, str], Any] | None = None,
                 placeholder: str = "") -> None:
        super().__init__(parent)
        self.desk, self.actor, self.card = desk, actor, card
        self._key: str | None = None
        self._rows: list[dict[str, Any]] = []
        self.line_edit = QLineEdit()
        self.line_edit.setObjectName("borrower_lookup")
        self.line_edit.setPlaceholderText(
            placeholder or _("name, pinyin (zhangwei, zw), user name or phone"))
        self.line_edit.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCompletionRole(SHORT_ROLE)
        self.completer.setMaxVisibleItems(10)
        self.popup().setObjectName("borrower_popup")
        self.line_edit.setCompleter(self.completer)
        self.completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._activated)
        self.details = QLabel()
        self.details.setObjectName("borrower_details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.card_button = QPushButton(_("Card…"))
        self.card_button.setObjectName("borrower_card_button")
        self.card_button.setToolTip(_("The borrower's card (Ctrl+I)"))
        self.card_button.setAutoDefault(False)
        self.card_button.clicked.connect(self.open_card)
        self.card_button.setVisible(card is not None)
        self.card_button.setEnabled(False)
        shortcut = QShortcut(QKeySequence("Ctrl+I"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.open_card)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line_edit, 1)
        row.addWidget(self.card_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.details)
        self.details.hide()
        self.setFocusProxy(self.line_edit)
        # A label's mnemonic (Alt+U) focuses its buddy only if the buddy takes focus; the
        # proxy then passes it on to the line edit.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(LOOKUP_DELAY_MS)
        self.timer.timeout.connect(self.offer)
        self.line_edit.textEdited.connect(self._edited)
        # Enter while the popup is open reaches the field through the completer, not
        # through the event filter: choose from the text when no row is highlighted.
        self.line_edit.returnPressed.connect(self._return_from_popup)
        self.line_edit.installEventFilter(self)

    def popup(self) -> QAbstractItemView:
        """The completion list (QCompleter makes it on first use)."""
        popup = self.completer.popup()
        assert popup is not None
        return popup

    # ---------------------------------------------------------------- the contract

    def chosen_key(self) -> str | None:
        return self._key

    def borrower_input(self) -> BorrowerInput | None:
        """The chosen person, or an exact user name typed and not yet chosen; else None."""
        if self._key is not None:
            try:
                return input_for(self._key)
            except DeskError:
                return None
        typed = self.line_edit.text().strip()
        exact = self._exact_user(typed)
        return BorrowerInput(user_name=exact["user_name"]) if exact else None

    def set_key(self, key: str) -> None:
        """Show ``key`` as chosen (from the completion, a scan, or the caller)."""
        row = next((row for row in self._rows if row["key"] == key), None)
        if row is None:
            try:
                row = self.desk.borrowers.card(self.actor, key)
            except DeskError as error:
                self._show_details(str(error), error=True)
                return
        self._choose(row)

    def refresh_details(self) -> None:
        """Read the chosen person's open and overdue loans again (after a lend or return),
        without choosing anew."""
        if self._key is None:
            return
        try:
            row = self.desk.borrowers.card(self.actor, self._key)
        except DeskError as error:
            self._show_details(str(error), error=True)
            return
        self._show_details(details_text(row))

    def clear(self) -> None:
        self.timer.stop()
        self._key = None
        self.line_edit.clear()
        self.model.clear()
        self._show_details("")
        self.card_button.setEnabled(False)

    # ---------------------------------------------------------------- finding

    def _edited(self, _text: str) -> None:
        if self._key is not None:  # typing again: the chosen person is no longer chosen
            self._key = None
            self.card_button.setEnabled(False)
            self._show_details("")
        self.timer.start()

    def lookup(self, text: str) -> list[dict[str, Any]]:
        try:
            return self.desk.borrowers.lookup(self.actor, text)
        except DeskError as error:
            self._show_details(str(error), error=True)
            return []

    def offer(self) -> list[dict[str, Any]]:
        """Look up what is typed and show the matches in the popup."""
        self.timer.stop()
        text = self.line_edit.text().strip()
        self._rows = self.lookup(text) if text else []
        self.model.clear()
        for row in self._rows:
            item = QStandardItem(row["label"] + self._loans_suffix(row))
            item.setData(row["key"], KEY_ROLE)
            item.setData(short_text(row), SHORT_ROLE)
            item.setToolTip(details_text(row))
            item.setEditable(False)
            self.model.appendRow(item)
        if self._rows and self.line_edit.hasFocus():
            self.completer.complete()
        elif not self._rows:
            self.popup().hide()
            if text:
                self._show_details(_("Nobody found: for a new visitor, fill in the outside "
                                     "borrower's details."))
        return self._rows

    @staticmethod
    def _loans_suffix(row: dict[str, Any]) -> str:
        if not row.get("open_loans"):
            return ""
        suffix = "  — " + ngettext("{count} open", "{count} open", row["open_loans"]).format(
            count=row["open_loans"])
        if row.get("overdue_loans"):
            suffix += ", " + ngettext("{count} overdue", "{count} overdue",
                                      row["overdue_loans"]).format(count=row["overdue_loans"])
        return suffix

    def _exact_user(self, typed: str) -> dict[str, Any] | None:
        """The active staff member whose user name is exactly ``typed`` (a scanned badge)."""
        if not typed:
            return None
        wanted = typed.lower()
        rows = self._rows if any(row.get("user_name") == wanted for row in self._rows) \
            else self.lookup(typed)
        return next((row for row in rows if row.get("user_name") == wanted), None)

    def choose_typed(self) -> bool:
        """Enter: an exact user name, or the only match, is chosen at once; several matches
        open the popup. True when someone was chosen."""
        self.timer.stop()
        typed = self.line_edit.text().strip()
        exact = self._exact_user(typed)
        if exact is not None:
            self._choose(exact)
            return True
        rows = self.offer()
        if len(rows) == 1:
            self._choose(rows[0])
            return True
        return False

    def _activated(self, index: QModelIndex) -> None:
        key = index.data(KEY_ROLE)
        if key:
            self.set_key(str(key))

    def _return_from_popup(self) -> None:
        popup = self.popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            return  # the completer activates the highlighted row
        if self._key is None:
            self.choose_typed()

    def _choose(self, row: dict[str, Any]) -> None:
        self.timer.stop()
        self._key = str(row["key"])
        self.popup().hide()
        self.line_edit.setText(short_text(row))
        self._show_details(details_text(row))
        self.card_button.setEnabled(True)
        self.chosen.emit()

    def _show_details(self, text: str, error: bool = False) -> None:
        self.details.setStyleSheet("color: #b00020;" if error else "")
        self.details.setText(text)
        self.details.setVisible(bool(text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on the field chooses (and is not the dialog's default button) until someone
        is chosen; once chosen, Enter goes on to the dialog."""
        if watched is self.line_edit and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._key is None:
                if self.line_edit.text().strip():
                    self.choose_typed()
                return True
            if key == Qt.Key.Key_Down and not self.popup().isVisible() \
                    and self.line_edit.text().strip():
                self.offer()
                return True
        return super().eventFilter(watched, event)

    # ---------------------------------------------------------------- the card

    def open_card(self) -> None:
        if self.card is not None and self._key is not None:
            self.card(self, self._key)
