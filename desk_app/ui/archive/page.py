"""The Archive area (R1): find items fast, see one with its loans, add items and locations,
print labels, scan a label to open its item, lend what is selected."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.archive import ItemFilter, ItemView, visible_levels
from desk_app.ui.archive.detail import ItemDetail
from desk_app.ui.archive.dialogs import (
    AdmitOfficerDialog,
    GrantAccessDialog,
    LabelsDialog,
    NewItemDialog,
    NewLocationDialog,
)
from desk_app.ui.archive.edit import EditActions
from desk_app.ui.errors import show_error
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.export_dialog import ExportButton
from desk_app.ui.widgets.lazy import LazyWidget
from desk_app.ui.widgets.page import Page
from desk_app.ui.widgets.registers import (
    HighlightDelegate,
    apply_widths,
    day_text,
    preview_pdf,
    register_table,
)
from desk_app.ui.widgets.scan_box import ScanBox, scan_shortcuts

log = logging.getLogger(__name__)
SEARCH_DELAY_MS = 150
NO_YEAR = 1899  # the year spin boxes' "—"


def item_columns() -> list[Column]:
    return [
        Column(lambda: _("Reference"), lambda item: item.ref),
        Column(lambda: _("Title"), lambda item: item.title, tooltip=lambda item: item.title),
        Column(lambda: _("Keywords"), lambda item: item.keywords,
               tooltip=lambda item: item.keywords or None),
        Column(lambda: _("Kind"), lambda item: item.kind_name),
        Column(lambda: _("Department"), lambda item: item.dept_name),
        Column(lambda: _("Date"), lambda item: day_text(item.doc_date)),
        Column(lambda: _("Level"), lambda item: rules.level_label(item.level)),
        Column(lambda: _("Status"), lambda item: rules.status_label(item.status)),
        Column(lambda: _("Location"), lambda item: item.location,
               tooltip=lambda item: item.location or None),
    ]


MATCHED_COLUMNS = (1, 2)  # title and keywords: searched words are marked there
# Reference to Status fit the list at 1366×768 beside the detail pane; the location (also in
# the detail pane) takes the rest. Long titles are elided, whole in their tooltip.
DEFAULT_WIDTHS = (118, 184, 90, 48, 70, 78, 58, 64, 52)
SORT_OF_COLUMN = {0: "ref", 1: "title", 3: "kind", 5: "date"}
SORTS = (("ref", lambda: _("Reference")), ("title", lambda: _("Title")),
         ("date", lambda: _("Date, newest first")), ("kind", lambda: _("Kind")))


class ArchivePage(Page, EditActions):
    item_shown = Signal(object)  # the ItemView in the detail pane (or None)
    loaded_when_built = True

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Archive"), _("Find files by reference, title, keywords, kind, "
                                         "department or year. Scan a label (F2) to open its item."),
                         parent)
        self.desk, self.actor = desk, actor
        self.filter = ItemFilter()

        # --- search and scan
        self.search_edit = QLineEdit()
        self.initial_focus = self.search_edit
        self.search_edit.setObjectName("archive_search")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(_("Reference, title, keywords, department…"))
        search_label = QLabel(_("&Search:"))
        search_label.setBuddy(self.search_edit)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)

        # --- filters
        self.kind_combo = self._combo("filter_kind", _("All kinds"),
                                      [(code, name) for code, name, _days in desk.archive.kinds()])
        self.dept_combo = self._combo("filter_dept", _("All departments"), desk.archive.departments())
        self.level_combo = self._combo("filter_level", _("All levels"),
                                       [(level.value, rules.level_label(level))
                                        for level in visible_levels(actor)])
        self.status_combo = self._combo("filter_status", _("Any status"),
                                        [(status.value, rules.status_label(status))
                                         for status in rules.Status])
        self.year_from = self._year_spin("filter_year_from")
        self.year_to = self._year_spin("filter_year_to")
        self.available_check = QCheckBox(_("A&vailable only"))
        self.available_check.setObjectName("filter_available")
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sort")
        self.sort_combo.setMinimumWidth(56)
        for key, title in SORTS:
            self.sort_combo.addItem(title(), key)
        year_label = QLabel(_("&Years:"))
        year_label.setBuddy(self.year_from)
        sort_label = QLabel(_("S&ort:"))
        sort_label.setBuddy(self.sort_combo)
        top = QHBoxLayout()  # two rows, so that the page fits a small screen
        widget: QWidget
        for widget in (search_label, self.search_edit, self.kind_combo, self.dept_combo):
            top.addWidget(widget, 3 if widget is self.search_edit else 0)
        top.addSpacing(12)
        top.addWidget(sort_label)
        top.addWidget(self.sort_combo)
        filters = QHBoxLayout()
        for widget in (self.level_combo, self.status_combo, year_label, self.year_from,
                       QLabel("–"), self.year_to):
            filters.addWidget(widget)
        filters.addSpacing(12)
        filters.addWidget(self.available_check)
        filters.addStretch(1)
        self.body.addLayout(top)
        self.body.addLayout(filters)

        # --- register and detail
        self.model = PagedTableModel(self._count, self._fetch, item_columns(), parent=self,
                                     desk=desk)
        self.model.counted.connect(lambda _total: self._update_count())
        self.table = register_table("archive_table")
        self.table.setModel(self.model)
        apply_widths(self.table, DEFAULT_WIDTHS)
        self.highlight = HighlightDelegate(self.table)
        self.highlight.mark_in(self.table, MATCHED_COLUMNS)
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        remembered = self.table.remembered("sort", "ref")
        self.sort_combo.setCurrentIndex(max(0, self.sort_combo.findData(remembered)))
        self.filter = ItemFilter(sort=self.sort_combo.currentData() or "ref")
        self._show_sort()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        # The scan box, the detail pane and the item's actions are built just after the
        # register's first rows are painted (or when used first): a first sign-in waits
        # for the rows only (issue 17). The pane keeps its width meanwhile: nothing moves.
        self._scan_box: ScanBox | None = None
        self._detail: ItemDetail | None = None
        self.side = LazyWidget(self._make_side)
        self.side.built.connect(lambda _side: self._update_actions())
        self.side.after_paint(self.table.viewport())
        scan_shortcuts(self, lambda: self.scan_box.focus())  # F2 at once, built or not
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 420])
        splitter.setChildrenCollapsible(False)
        self.body.addWidget(splitter, 1)

        # --- buttons
        self.count_label = QLabel()
        self.count_label.setObjectName("archive_count")
        self.new_item_button = QPushButton(_("&New item…"))
        self.new_item_button.setObjectName("new_item")
        self.new_location_button = QPushButton(_("New &location…"))
        self.new_location_button.setObjectName("new_location")
        self.labels_button = QPushButton(_("&Print labels…"))
        self.labels_button.setObjectName("print_labels")
        self.lend_button = QPushButton(_("L&end selected…"))
        self.lend_button.setObjectName("lend_selected")
        self.admit_button = QPushButton(_("A&dmit officer…"))
        self.admit_button.setObjectName("admit_officer")
        self.admit_button.setToolTip(_("Give another personnel officer the personnel key"))
        self.grant_button = QPushButton(_("&Grant access…"))
        self.grant_button.setObjectName("grant_access")
        self.grant_button.setToolTip(_("Let one user read this personnel file until a day"))
        self.export_button = ExportButton(desk, actor, "items", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        for button in (self.new_item_button, self.new_location_button, self.labels_button,
                       self.lend_button, self.admit_button, self.grant_button, self.export_button):
            buttons.addWidget(button)
        self.body.addLayout(buttons)
        can_edit = actor.can(ArchivePermission.ARCHIVE_EDIT)
        self.new_item_button.setVisible(can_edit
                                        or actor.can(ArchivePermission.PERSONNEL_REGISTER))
        self.new_location_button.setVisible(can_edit)
        self.admit_button.setVisible(actor.can(ArchivePermission.PERSONNEL_ADMIT))
        self.lend_button.setVisible(actor.can(ArchivePermission.LOAN_HANDLE))
        self.grant_button.setVisible(actor.can(ArchivePermission.PERSONNEL_GRANT))

        # --- wiring
        self.search_edit.textChanged.connect(lambda _text: self.search_timer.start())
        self.search_edit.returnPressed.connect(self.apply_filter)
        self.search_timer.timeout.connect(self.apply_filter)
        for combo in (self.kind_combo, self.dept_combo, self.level_combo, self.status_combo,
                      self.sort_combo):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.year_from.valueChanged.connect(self.apply_filter)
        self.year_to.valueChanged.connect(self.apply_filter)
        self.available_check.toggled.connect(self.apply_filter)
        self.table.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.new_item_button.clicked.connect(self.new_item)
        self.new_location_button.clicked.connect(self.new_location)
        self.labels_button.clicked.connect(self.print_labels)
        self.lend_button.clicked.connect(self.lend_selected)
        self.admit_button.clicked.connect(self.admit_officer)
        self.grant_button.clicked.connect(self.grant_access)
        self._update_count()
        self._update_actions()

    # ---------------------------------------------------------------- construction

    def _make_side(self) -> QWidget:
        self._scan_box = scan_box = ScanBox()
        scan_box.setObjectName("archive_scan")
        scan_box.scanned.connect(self.scan)
        self._detail = ItemDetail(self.desk, self.actor)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(scan_box)  # a scanned label opens its item right below
        scroller = QScrollArea()  # the details scroll on a small screen
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self._detail)
        side_layout.addWidget(scroller, 1)
        item_actions = QHBoxLayout()  # what acts on the item shown above
        item_actions.addStretch(1)
        for button in self.build_edit_actions(self):
            item_actions.addWidget(button)
        side_layout.addLayout(item_actions)
        return side

    @property
    def scan_box(self) -> ScanBox:
        self.side.content()
        assert self._scan_box is not None
        return self._scan_box

    @property
    def detail(self) -> ItemDetail:
        self.side.content()
        assert self._detail is not None
        return self._detail

    def _item_in_detail(self) -> ItemView | None:
        return self._detail.item if self._detail is not None else None

    @staticmethod
    def _combo(name: str, everything: str, choices: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(everything, None)
        for value, title in choices:
            combo.addItem(title, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumWidth(56)  # shrinks on a small screen; full width when there is room
        return combo

    @staticmethod
    def _year_spin(name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(NO_YEAR, 2100)
        spin.setSpecialValueText("—")
        spin.setValue(NO_YEAR)
        spin.setKeyboardTracking(False)
        return spin

    # ---------------------------------------------------------------- data

    def _count(self) -> int:
        return self.desk.archive.count(self.actor, self.filter)

    def _fetch(self, offset: int, limit: int) -> list[ItemView]:
        return self.desk.archive.page(self.actor, self.filter, offset, limit)

    def current_filter(self) -> ItemFilter:
        def year(spin: QSpinBox) -> int | None:
            return None if spin.value() == NO_YEAR else spin.value()

        return ItemFilter(query=self.search_edit.text(), kind=self.kind_combo.currentData(),
                          dept=self.dept_combo.currentData(), level=self.level_combo.currentData(),
                          status=self.status_combo.currentData(), year_from=year(self.year_from),
                          year_to=year(self.year_to),
                          available_only=self.available_check.isChecked(),
                          sort=self.sort_combo.currentData() or "ref")

    def apply_filter(self, *_args) -> None:
        self.search_timer.stop()
        self.filter = self.current_filter()
        self.highlight.set_query(self.filter.query)
        self.table.remember("sort", self.filter.sort)
        self._show_sort()
        self.refresh()

    def _header_clicked(self, column: int) -> None:
        """A click on a sortable column's header sorts by it (the Sort box follows)."""
        sort = SORT_OF_COLUMN.get(column)
        if sort is not None:
            self.sort_combo.setCurrentIndex(self.sort_combo.findData(sort))
        self._show_sort()

    def _show_sort(self) -> None:
        columns = {sort: column for column, sort in SORT_OF_COLUMN.items()}
        header = self.table.horizontalHeader()
        header.blockSignals(True)  # the indicator follows the sort; it is not a new one
        order = (Qt.SortOrder.DescendingOrder if self.filter.sort == "date"
                 else Qt.SortOrder.AscendingOrder)
        header.setSortIndicator(columns.get(self.filter.sort, -1), order)
        header.blockSignals(False)

    def refresh(self, select: str | None = None) -> None:
        shown = self._item_in_detail()
        keep = select or (shown.ref if shown else None)
        try:
            self.model.refresh()
        except DeskError as error:
            show_error(self, error)
        self._update_count()
        if keep and not self.select_ref(keep) and self._detail is not None:
            self._detail.show_item(None)

    def _update_count(self) -> None:
        count = self.model.rowCount()
        self.count_label.setText(
            ngettext("{count} item", "{count} items", count).format(count=count)
            if self.model.count_known else _("Counting…"))
        self.table.set_empty_text(self.empty_message() if count == 0 else "")

    def empty_message(self) -> str:
        """What the table area says when nothing is listed: what was searched, where, and
        what to try."""
        flt = self.filter
        scope = [combo.currentText() for combo in (self.kind_combo, self.dept_combo,
                                                   self.level_combo, self.status_combo)
                 if combo.currentData()]
        if flt.year_from or flt.year_to:
            scope.append(f"{flt.year_from or '…'}–{flt.year_to or '…'}")
        if flt.available_only:
            scope.append(_("available only"))
        where = " · ".join(scope) or _("the whole catalogue")
        if flt.query.strip():
            return _("No items match “{query}” in {where}.\nCheck the spelling, search fewer "
                     "words or part of a word, or clear the filters.").format(
                query=flt.query.strip(), where=where)
        if scope:
            return _("No items in {where}.\nClear a filter to see more.").format(where=where)
        return _("The catalogue is empty.\nAdd a file with New item….")

    def activated(self) -> None:
        self.refresh()

    # ---------------------------------------------------------------- selection

    def select_ref(self, ref: str) -> bool:
        """Select ``ref`` if it is on the first page of the list."""
        for number in range(min(self.model.rowCount(), self.model.page_size)):
            item = self.model.row(number)
            if item is not None and item.ref == ref:
                self.table.selectRow(number)
                self.table.scrollTo(self.model.index(number, 0))
                return True
        return False

    def _current_changed(self, current, _previous) -> None:
        item = self.model.row(current.row()) if current.isValid() else None
        self.show_item(item)

    def show_item(self, item: ItemView | None) -> None:
        self.detail.show_item(item)
        self.item_shown.emit(item)

    def selected_items(self) -> list[ItemView]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        items = [item for item in (self.model.row(row) for row in rows) if item is not None]
        shown = self._item_in_detail()
        if not items and shown is not None:
            items = [shown]
        return items

    def _update_actions(self, *_args) -> None:
        has = bool(self.selected_items())
        self.labels_button.setEnabled(has)
        self.lend_button.setEnabled(has)
        items = self.selected_items()
        if self.side.is_built:
            self.update_edit_actions(items)
        self.grant_button.setEnabled(len(items) == 1 and items[0].level == rules.Level.PERSONNEL)

    # ---------------------------------------------------------------- scanning

    def scan(self, code: str) -> None:
        """A scanned label opens its item in the detail pane (and selects its row if listed)."""
        try:
            item = self.desk.archive.scan(self.actor, code)
        except DeskError as error:
            self.scan_box.show_message(str(error))
            return
        self.table.clearSelection()
        if not self.select_ref(item.ref):
            self.show_item(item)
        self._update_actions()

    # ---------------------------------------------------------------- actions

    def new_item(self) -> None:
        self.run_dialog(NewItemDialog(self.desk, self.actor, self), self._item_added)

    def _item_added(self, item: ItemView) -> None:
        self.refresh()
        self.table.clearSelection()
        if not self.select_ref(item.ref):
            self.show_item(item)

    def new_location(self) -> None:
        self.run_dialog(NewLocationDialog(self.desk, self.actor, self), lambda _path: None)

    def print_labels(self) -> None:
        refs = [item.ref for item in self.selected_items()]
        if refs:
            self.run_dialog(LabelsDialog(self.desk, self.actor, refs, self),
                      lambda pdf: preview_pdf(self, pdf, _("labels-{ref}.pdf").format(ref=refs[0])))

    def admit_officer(self) -> None:
        try:
            dialog = AdmitOfficerDialog(self.desk, self.actor, self)
        except DeskError as error:
            show_error(self, error)
            return
        self.run_dialog(dialog)

    def grant_access(self) -> None:
        """R6: the personnel officer lets one named user read the selected personnel file."""
        items = self.selected_items()
        if len(items) == 1 and items[0].level == rules.Level.PERSONNEL:
            self.run_dialog(GrantAccessDialog(self.desk, self.actor, items[0].ref, self),
                            lambda _grant: None)

    def lend_selected(self) -> None:
        """Lending is the Loans page's: it opens its lend dialog with the selected items."""
        items = self.selected_items()
        if items:
            self.navigate.emit("loans", "lend:" + ",".join(item.ref for item in items))
