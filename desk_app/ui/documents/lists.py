"""The Documents page's lists: a register of one direction (paged, filtered by status and a
search), "Waiting for me" (what the user is expected to do, in groups) and the chase list
(handling past its due date). Each says ``open_document(id)`` when a row is opened."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import documents as rules
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.documents.common import STATUSES, WAITING_GROUPS, at_text, status_label
from desk_app.ui.models.paged import Column, Index, PagedTableModel
from desk_app.ui.widgets.registers import (
    HighlightDelegate,
    RegisterTable,
    apply_widths,
    day_text,
    register_table,
)

OVERDUE_COLOUR = "#b00020"


def _overdue_tip(row: dict[str, Any]) -> str | None:
    return _("Handling is overdue.") if row.get("overdue") else None


def document_columns(direction: rules.Direction) -> tuple[list[Column], tuple[int, ...]]:
    """The columns of one direction's register and their default widths (the status column
    wide enough for its longest state, e.g. "Signed off, to be numbered and sent")."""
    number = Column(lambda: _("Number"), lambda row: row["number"])
    status = Column(lambda: _("Status"), lambda row: row["status_label"])
    title = Column(lambda: _("Title"), lambda row: row["title"], tooltip=lambda row: row["title"])
    where = Column(lambda: _("Where / next"), lambda row: row.get("where") or "",
                   tooltip=lambda row: row.get("where") or None)
    if direction == rules.Direction.INCOMING:
        return [number, status,
                Column(lambda: _("Received on"), lambda row: day_text(row["received_on"])),
                Column(lambda: _("Sender"), lambda row: row["sender"],
                       tooltip=lambda row: row["sender"]),
                title,
                Column(lambda: _("Handling due"), lambda row: day_text(row["due_on"]),
                       tooltip=_overdue_tip),
                where], (110, 180, 90, 150, 260, 90, 200)
    if direction == rules.Direction.OUTGOING:
        return [number, status,
                Column(lambda: _("Issued number"), lambda row: row["issued_no"]),
                Column(lambda: _("Addressee"), lambda row: row["addressee"],
                       tooltip=lambda row: row["addressee"]),
                title,
                # the issued document must be carried out (§1.8): its state is in the list
                Column(lambda: _("Execution"), lambda row: row.get("execution_label") or ""),
                where], (110, 240, 170, 150, 260, 90, 200)
    return [number, status,
            Column(lambda: _("Addressee"), lambda row: row.get("to_dept_name") or row["addressee"]),
            title, where], (110, 210, 150, 300, 220)


class DocumentModel(PagedTableModel):
    """The register's rows; a handling date that has passed is shown in red."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.row(index.row())
            if row is not None and row.get("overdue") and self.columns[index.column()].tooltip \
                    is _overdue_tip:
                return QBrush(QColor(OVERDUE_COLOUR))
            return None
        return super().data(index, role)


class DocumentList(QWidget):
    """One direction's register: status filter, search, the paged table."""

    open_document = Signal(int)
    counted = Signal()

    def __init__(self, desk, actor: Actor, direction: rules.Direction,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.direction = desk, actor, direction
        self.setObjectName(f"documents_{direction.value}")
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_filter")
        self.status_combo.addItem(_("All states"), "")
        for status in STATUSES[direction]:
            self.status_combo.addItem(status_label(status), status)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("search")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(
            _("number, title, sender, sender's or issued number"))
        status_caption = QLabel(_("St&atus:"))
        status_caption.setBuddy(self.status_combo)
        search_caption = QLabel(_("Sea&rch:"))
        search_caption.setBuddy(self.search_edit)
        top = QHBoxLayout()
        top.addWidget(status_caption)
        top.addWidget(self.status_combo)
        top.addSpacing(12)
        top.addWidget(search_caption)
        top.addWidget(self.search_edit, 1)
        columns, widths = document_columns(direction)
        self.model = DocumentModel(self._count, self._fetch, columns, parent=self)
        self.table: RegisterTable = register_table(f"documents_{direction.value}")
        self.table.setModel(self.model)
        self.table.set_empty_text(_("No documents here yet."))
        self.delegate = HighlightDelegate(self.table)
        self.delegate.mark_in(self.table)
        apply_widths(self.table, widths)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(300)
        self.timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _text: self.timer.start())
        self.search_edit.returnPressed.connect(self.refresh)
        self.status_combo.currentIndexChanged.connect(lambda _index: self.refresh())
        self.table.activated.connect(lambda index: self._open(index.row()))

    def document_filter(self) -> Any:
        from desk_app.services.documents.registers import DocumentFilter

        return DocumentFilter(direction=self.direction.value,
                              status=self.status_combo.currentData() or "",
                              text=self.search_edit.text().strip(), today=self.desk.today())

    def _count(self) -> int:
        return self.desk.documents.count(self.actor, self.document_filter())

    def _fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.desk.documents.page(self.actor, self.document_filter(), offset, limit)

    def refresh(self) -> None:
        self.timer.stop()
        self.delegate.set_query(self.search_edit.text())
        self.model.refresh()
        self.counted.emit()

    def count_text(self) -> str:
        count = self.model.rowCount()
        return ngettext("{count} document", "{count} documents", count).format(count=count)

    def current(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if len(rows) == 1 else None

    def select_id(self, doc_id: int) -> bool:
        """Select the document if it is on the first page."""
        for number in range(min(self.model.rowCount(), self.model.page_size)):
            row = self.model.row(number)
            if row is not None and row["id"] == doc_id:
                self.table.selectRow(number)
                return True
        return False

    def _open(self, number: int) -> None:
        row = self.model.row(number)
        if row is not None:
            self.open_document.emit(int(row["id"]))


def _tree(name: str, headers: list[str], widths: tuple[int, ...]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setObjectName(name)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setHeaderLabels(headers)
    for column, width in enumerate(widths):
        tree.setColumnWidth(column, width)
    return tree


class WaitingTab(QWidget):
    """What the user is expected to do now, one group per kind of work (at most 50 rows
    each, the service's limit); Enter or a double click opens the document."""

    open_document = Signal(int)
    counted = Signal()

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("documents_waiting")
        self.groups: dict[str, list[dict[str, Any]]] = {}
        self.tree = _tree("waiting_tree", [_("Number"), _("Title"), _("Status"),
                                           _("Handling due")],
                          (190, 360, 240))
        self.tree.itemActivated.connect(self._activated)
        self.empty = QLabel(_("Nothing is waiting for you."))
        self.empty.setObjectName("waiting_empty")
        self.empty.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)

    def refresh(self) -> None:
        self.groups = self.desk.documents.waiting_for_me(self.actor)
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for key, title in WAITING_GROUPS:
            rows = self.groups.get(key) or []
            if not rows:
                continue
            group = QTreeWidgetItem([f"{_(title)} ({len(rows)})"])
            group.setData(0, Qt.ItemDataRole.UserRole, key)
            group.setFirstColumnSpanned(True)
            group.setFont(0, bold)
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for row in rows:
                item = QTreeWidgetItem([row["number"], row["title"], row.get("status_label", ""),
                                        day_text(row.get("due_on"))])
                item.setData(0, Qt.ItemDataRole.UserRole + 1, int(row["id"]))
                item.setToolTip(1, row["title"])
                if key == "overdue":
                    item.setForeground(3, QBrush(QColor(OVERDUE_COLOUR)))
                group.addChild(item)
            group.setExpanded(True)
        self.empty.setVisible(self.tree.topLevelItemCount() == 0)
        self.counted.emit()

    def total(self) -> int:
        return sum(len(rows) for rows in self.groups.values())

    def count_text(self) -> str:
        count = self.total()
        return ngettext("{count} document waiting", "{count} documents waiting",
                        count).format(count=count)

    def select_group(self, key: str) -> bool:
        """Put the cursor on the first document of a group ("waiting:read" from Today)."""
        for number in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(number)
            if group is not None and group.data(0, Qt.ItemDataRole.UserRole) == key:
                first = group.child(0) if group.childCount() else None
                self.tree.setCurrentItem(first or group)
                return True
        return False

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        doc_id = item.data(0, Qt.ItemDataRole.UserRole + 1)
        if doc_id is not None:
            self.open_document.emit(int(doc_id))


def chase_columns() -> list[Column]:
    right = Qt.AlignmentFlag.AlignRight
    return [
        Column(lambda: _("Number"), lambda row: row["number"]),
        Column(lambda: _("Title"), lambda row: row["title"], tooltip=lambda row: row["title"]),
        Column(lambda: _("Handling department"), lambda row: row["handler_dept_name"]),
        Column(lambda: _("Handling due"), lambda row: day_text(row["due_on"])),
        Column(lambda: _("Days overdue"), lambda row: row["days_overdue"], align=right),
        Column(lambda: _("Chases"), lambda row: row["chases"] or "", align=right),
        Column(lambda: _("Last chased"), lambda row: at_text(row.get("last_chase_at"))),
    ]


class ChaseTab(QWidget):
    """Handling past its due date, the most overdue first (催办): open, or record a chase."""

    open_document = Signal(int)
    chase_document = Signal(dict)
    counted = Signal()

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("documents_chase")
        self.model = PagedTableModel(lambda: desk.documents.chase_count(actor),
                                     lambda offset, limit: desk.documents.chase_list(
                                         actor, offset, limit), chase_columns(), parent=self)
        self.table: RegisterTable = register_table("documents_chase")
        self.table.setModel(self.model)
        self.table.set_empty_text(_("No handling is overdue."))
        apply_widths(self.table, (110, 300, 120, 90, 90, 70))
        self.chase_button = QPushButton(_("&Chase…"))
        self.chase_button.setObjectName("chase_button")
        self.chase_button.clicked.connect(lambda _checked=False: self._chase())
        office = desk.documents.office_staff(actor)
        self.chase_button.setVisible(office)
        row = QHBoxLayout()
        hint = QLabel(_("Phone, visit or write to the handling department, then record the "
                        "chase here.") if office else
                      _("Handling past its due date; the office chases it."))
        hint.setWordWrap(True)
        row.addWidget(hint, 1)
        row.addWidget(self.chase_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.table.activated.connect(lambda index: self._open(index.row()))
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update())
        self._update()

    def refresh(self) -> None:
        self.model.refresh()
        self._update()
        self.counted.emit()

    def count_text(self) -> str:
        count = self.model.rowCount()
        return ngettext("{count} overdue", "{count} overdue", count).format(count=count)

    def current(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if len(rows) == 1 else None

    def _update(self) -> None:
        self.chase_button.setEnabled(self.current() is not None)

    def _chase(self) -> None:
        row = self.current()
        if row is not None:
            self.chase_document.emit(row)

    def _open(self, number: int) -> None:
        row = self.model.row(number)
        if row is not None:
            self.open_document.emit(int(row["id"]))
