"""The Archive page's detail pane: every field of one item and its loan history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import ItemView
from desk_app.ui.widgets.registers import day_text, local_text


class ItemDetail(QGroupBox):
    """Every field of one item and its loan history."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Item"), parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("item_detail")
        self.item: ItemView | None = None
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, title in (("ref", _("Reference:")), ("title", _("Title:")), ("kind", _("Kind:")),
                           ("dept", _("Department:")), ("date", _("Date:")),
                           ("keywords", _("Keywords:")), ("location", _("Location:")),
                           ("level", _("Level:")), ("retention", _("Retention:")),
                           ("status", _("Status:"))):
            label = QLabel()
            label.setObjectName(f"detail_{key}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(title, label)
            self.values[key] = label
        self.empty_label = QLabel(_("Select an item in the list, or scan its label."))
        self.empty_label.setWordWrap(True)
        self.history_title = QLabel(_("Loan history"))
        font = self.history_title.font()
        font.setBold(True)
        self.history_title.setFont(font)
        self.history = QTreeWidget()
        self.history.setObjectName("item_history")
        self.history.setRootIsDecorated(False)
        self.history.setUniformRowHeights(True)
        self.history.setHeaderLabels([_("Lent"), _("Borrower"), _("Due"), _("Returned"),
                                      _("Condition")])
        for column, width in enumerate((110, 70, 80, 110)):
            self.history.setColumnWidth(column, width)
        self.history.setVisible(actor.can(ArchivePermission.LOAN_VIEW))
        self.history_title.setVisible(actor.can(ArchivePermission.LOAN_VIEW))
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addLayout(form)
        layout.addWidget(self.history_title)
        layout.addWidget(self.history, 1)
        self.show_item(None)

    def show_item(self, item: ItemView | None) -> None:
        """Opening an item asks the service once (an audited view of a secret item, R7); the
        same item shown again after a refresh of the list is not opened again, unless its
        status changed (a lend or return here)."""
        same = (item is not None and self.item is not None and item.id == self.item.id
                and item.status == self.item.status)
        self.item = item
        self.empty_label.setVisible(item is None)
        texts: dict[str, str] = dict.fromkeys(self.values, "")
        if item is not None:
            texts = {
                "ref": item.ref, "title": item.title, "kind": f"{item.kind_name} ({item.kind})",
                "dept": f"{item.dept_name} ({item.dept})", "date": day_text(item.doc_date) or "—",
                "keywords": item.keywords or "—", "location": item.location or "—",
                "level": rules.level_label(item.level),
                "retention": (_("as its kind") if item.retention_years is None
                              else _("{years} years").format(years=item.retention_years)
                              if item.retention_years else _("permanent")),
                "status": rules.status_label(item.status),
            }
        for key, label in self.values.items():
            label.setText(texts[key])
        if same:
            return
        self.history.clear()
        if item is None:
            return
        try:
            _view, loans = self.desk.archive.open_item(self.actor, item.ref)
        except DeskError as error:
            self.history.addTopLevelItem(QTreeWidgetItem([str(error)]))
            return
        if loans is None:
            return
        for loan in loans:
            condition = loan["condition"]
            self.history.addTopLevelItem(QTreeWidgetItem([
                local_text(loan["lent_at"]), loan["borrower"], day_text(loan["due_on"]),
                local_text(loan["returned_at"]) or _("(on loan)"),
                _(rules.CONDITION_LABELS[condition]) if condition else "",
            ]))
        if not loans:
            self.history.addTopLevelItem(QTreeWidgetItem([_("(never lent)")]))
