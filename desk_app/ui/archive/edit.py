"""Correcting the catalogue from the Archive page: Edit… (Ctrl+E) an item's description and
place, Move… the selected items to another location, Move box… (a box to another shelf, with
everything in it). Each dialog calls one use case of ``desk.archive_edit``."""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QPushButton, QWidget

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.archive import ItemView
from desk_app.ui.archive.dialogs import RetentionSpin, location_combo
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog

BOX, SHELF = rules.LOCATION_LEVELS[-1], rules.LOCATION_LEVELS[-2]


def _choose(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def _code_combo(name: str, choices: list[tuple[str, str]], current: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for code, title in choices:
        combo.addItem(f"{title} ({code})", code)
    _choose(combo, current)
    return combo


def path_label(combo: QComboBox) -> QLabel:
    """The whole path of the location chosen in ``combo`` (closed, the indented list shows
    only its last part), kept up to date."""
    label = QLabel()
    label.setObjectName("location_path")
    label.setWordWrap(True)

    def show(*_args: object) -> None:
        label.setText(combo.currentData() or "—")

    combo.currentIndexChanged.connect(show)
    show()
    return label


class EditItemDialog(FormDialog):
    """The description and place of one item; reference, level and date stay as registered."""

    def __init__(self, desk, actor: Actor, item: ItemView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.item = desk, actor, item
        self.setObjectName("edit_item_dialog")
        self.setWindowTitle(_("Edit {ref}").format(ref=item.ref))
        self.title_edit = line_edit("title")
        self.title_edit.setText(item.title)
        self.kind_combo = _code_combo("kind", [(code, name) for code, name, _days
                                               in desk.archive.kinds()], item.kind)
        self.dept_combo = _code_combo("dept", desk.archive.departments(), item.dept)
        self.keywords_edit = line_edit("keywords")
        self.keywords_edit.setText(item.keywords)
        self.location_combo = location_combo(desk, _("(no location yet)"))
        self.location_combo.setObjectName("location")
        _choose(self.location_combo, item.location or None)
        self.location_path = path_label(self.location_combo)
        self.retention_spin = RetentionSpin()
        self.retention_spin.setObjectName("retention_years")
        self.retention_spin.setValue(-1 if item.retention_years is None else item.retention_years)
        note = QLabel(_("{ref} · {level}. Signed slips and approvals naming it keep the text "
                        "they were signed with.").format(ref=item.ref,
                                                          level=rules.level_label(item.level)))
        note.setWordWrap(True)
        self.form.addRow(note)
        self.add_field("title", _("&Title:"), self.title_edit)
        self.add_field("kind", _("&Kind:"), self.kind_combo)
        self.add_field("dept", _("&Department:"), self.dept_combo)
        self.add_field("keywords", _("Key&words:"), self.keywords_edit)
        self.add_field("location", _("L&ocation:"), self.location_combo)
        self.form.addRow("", self.location_path)
        self.add_field("retention_years", _("Re&tention:"), self.retention_spin)
        self.ok_button.setText(_("&Save"))
        self.setMinimumWidth(520)
        self.title_edit.setFocus()
        self.title_edit.selectAll()

    def submit(self) -> ItemView:
        return self.desk.archive_edit.edit_item(
            self.actor, self.item.ref, title=self.title_edit.text(),
            kind=self.kind_combo.currentData(), dept=self.dept_combo.currentData(),
            keywords=self.keywords_edit.text(), location=self.location_combo.currentData(),
            retention_years=self.retention_spin.years())


class MoveItemsDialog(FormDialog):
    """The selected items to one location (or none); one audited change per item."""

    def __init__(self, desk, actor: Actor, items: list[ItemView],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.items = desk, actor, items
        self.setObjectName("move_items_dialog")
        self.setWindowTitle(ngettext("Move {count} item", "Move {count} items",
                                     len(items)).format(count=len(items)))
        shown = ", ".join(item.ref for item in items[:5]) + (" …" if len(items) > 5 else "")
        now = {item.location for item in items}
        where = (now.pop() or _("no location yet")) if len(now) == 1 else _("several places")
        label = QLabel(_("{refs}\nNow: {where}").format(refs=shown, where=where))
        label.setWordWrap(True)
        self.form.addRow(label)
        self.location_combo = location_combo(self.desk, _("(no location)"))
        self.location_combo.setObjectName("location")
        if len({item.location for item in items}) == 1:
            _choose(self.location_combo, items[0].location or None)
        self.add_field("location", _("&To:"), self.location_combo)
        self.form.addRow("", path_label(self.location_combo))
        self.ok_button.setText(_("&Move"))
        self.location_combo.setFocus()

    def submit(self) -> list[ItemView]:
        target = self.location_combo.currentData()
        return [self.desk.archive_edit.place_item(self.actor, item.ref, target)
                for item in self.items]


class MoveBoxDialog(FormDialog):
    """A box to another shelf with everything in it (one audited step listing the items)."""

    def __init__(self, desk, actor: Actor, box: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("move_box_dialog")
        self.setWindowTitle(_("Move a box"))
        self.box_combo = QComboBox()
        self.box_combo.setObjectName("box")
        self.shelf_combo = QComboBox()
        self.shelf_combo.setObjectName("shelf")
        for path, level in desk.archive.locations():
            if level == BOX:
                self.box_combo.addItem(path, path)
            elif level == SHELF:
                self.shelf_combo.addItem(path, path)
        for combo in (self.box_combo, self.shelf_combo):
            combo.setMinimumContentsLength(30)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        if box:
            _choose(self.box_combo, box)
        hint = QLabel(_("The files in the box move with it: their location changes at once."))
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.add_field("path", _("&Box:"), self.box_combo)
        self.add_field("parent", _("&To shelf:"), self.shelf_combo)
        self.ok_button.setText(_("&Move box"))
        self.box_combo.setFocus()

    def submit(self) -> Any:
        return self.desk.archive_edit.move_location(self.actor, self.box_combo.currentData() or "",
                                                    self.shelf_combo.currentData() or "")


class EditActions:
    """The Archive page's Edit…, Move… and Move box… (a mixin of ArchivePage: it provides
    desk, actor, run_dialog, selected_items, refresh, select_ref, show_item)."""

    desk: Any
    actor: Actor
    detail: Any
    edit_button: QPushButton
    move_button: QPushButton

    def widget(self) -> QWidget:
        """The page itself (this is a mixin of a QWidget)."""
        return cast(QWidget, self)

    # provided by the page (Page, ArchivePage come first in its bases)
    def selected_items(self) -> list[ItemView]:
        raise NotImplementedError

    def run_dialog(self, dialog: Any, done: Any = None) -> Any:
        raise NotImplementedError

    def refresh(self, select: str | None = None) -> None:
        raise NotImplementedError

    def show_item(self, item: ItemView | None) -> None:
        raise NotImplementedError

    def build_edit_actions(self, page: QWidget) -> list[QPushButton]:
        self.edit_button = QPushButton(_("Ed&it…"))  # Alt+E is Lend selected…
        self.edit_button.setObjectName("edit_item")
        self.edit_button.setToolTip(_("Correct the selected item's description or place (Ctrl+E)"))
        self.move_button = QPushButton(_("&Move…"))
        self.move_button.setObjectName("move_items")
        menu = QMenu(self.move_button)
        self.move_items_action = QAction(_("Move selected items…"), page)
        self.move_items_action.setObjectName("move_items_action")
        self.move_box_action = QAction(_("Move a box with its items…"), page)
        self.move_box_action.setObjectName("move_box_action")
        menu.addAction(self.move_items_action)
        menu.addAction(self.move_box_action)
        self.move_button.setMenu(menu)
        self.edit_action = QAction(_("Edit…"), page)
        self.edit_action.setShortcut(QKeySequence("Ctrl+E"))
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        page.addAction(self.edit_action)
        self.edit_button.clicked.connect(self.edit_selected)
        self.edit_action.triggered.connect(self.edit_selected)
        self.move_items_action.triggered.connect(self.move_selected)
        self.move_box_action.triggered.connect(self.move_box)
        can = (self.actor.can(ArchivePermission.ARCHIVE_EDIT)
               or self.actor.can(ArchivePermission.PERSONNEL_REGISTER))
        self.edit_button.setVisible(can)
        self.edit_action.setEnabled(can)
        self.move_button.setVisible(self.actor.can(ArchivePermission.ARCHIVE_EDIT))
        return [self.edit_button, self.move_button]

    def update_edit_actions(self, items: list[ItemView]) -> None:
        """Edit… for one item its user may change: a personnel file for the officer, any
        other file for those who keep the catalogue."""
        needed = (ArchivePermission.PERSONNEL_REGISTER
                  if items and items[0].level == rules.Level.PERSONNEL
                  else ArchivePermission.ARCHIVE_EDIT)
        self.edit_button.setEnabled(len(items) == 1 and self.actor.can(needed))
        self.move_items_action.setEnabled(bool(items))

    def edit_selected(self) -> None:
        items = self.selected_items()
        if len(items) != 1 or not self.edit_button.isEnabled():
            return
        try:  # opened through the service: a secret item's view is audited (R7)
            item = self.desk.archive.get(self.actor, items[0].ref, via="edit")
        except DeskError as error:
            show_error(self.widget(), error)
            return
        self.run_dialog(EditItemDialog(self.desk, self.actor, item, self.widget()),
                        self._item_saved)

    def _item_saved(self, item: ItemView) -> None:
        self.refresh(select=item.ref)
        if self.detail.item is None or self.detail.item.ref != item.ref:
            self.show_item(item)

    def move_selected(self) -> None:
        items = self.selected_items()
        if items:
            self.run_dialog(MoveItemsDialog(self.desk, self.actor, items, self.widget()),
                            lambda moved: self._item_saved(moved[0]) if moved else None)

    def move_box(self) -> None:
        items = self.selected_items()
        box = items[0].location if len(items) == 1 else None
        self.run_dialog(MoveBoxDialog(self.desk, self.actor, box, self.widget()),
                        lambda _moved: self.refresh())
