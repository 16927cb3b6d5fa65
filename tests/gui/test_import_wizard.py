"""File → Import… (issue 16): the wizard reads the file in the background, guesses the
columns, shows the check's problems, maps an unknown kind, and imports in one go."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desk_app.domain.ledger import LedgerKind
from desk_app.store.archive import Item, Kind
from desk_app.store.imports import ImportBatch
from desk_app.ui.widgets.import_pages import CREATE
from desk_app.ui.widgets.import_wizard import ImportWizard
from tests.gui.conftest import shown
from tests.services.ledger_bad_files import png_as_xlsx
from tests.services.ledger_files import catalogue_csv

pytestmark = pytest.mark.gui
WAIT = 30_000


def _wizard(qtbot, desk, actor, path, kind=LedgerKind.ITEMS) -> ImportWizard:
    wizard = shown(qtbot, ImportWizard(desk, actor, kind=kind))
    wizard.file_page.path_edit.setText(str(path))
    return wizard


def _to_mapping(qtbot, wizard: ImportWizard) -> None:
    wizard.next()  # reads the first rows in a job, then moves on by itself
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=WAIT)


def _to_check(qtbot, wizard: ImportWizard) -> None:
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.report is not None, timeout=WAIT)


# the offscreen platform cannot raise a popup or grab the keyboard for it
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
def test_a_gb18030_catalogue_imports_through_the_wizard(qtbot, demo_desk, admin_actor, out_dir):
    path = catalogue_csv(out_dir, "gb18030")
    items_before = Item.select().count()
    wizard = _wizard(qtbot, demo_desk, admin_actor, path)
    _to_mapping(qtbot, wizard)
    chosen = [combo.currentData() for combo in wizard.mapping_page.combos]
    assert {"ref", "title", "kind", "dept", "doc_date"} <= set(chosen)
    assert wizard.mapping_page.isComplete()
    assert wizard.mapping_page.preview.rowCount() == 8
    table = wizard.mapping_page.columns  # keyboard: Enter on a row opens its choice
    table.setFocus()
    table.setCurrentCell(2, 0)
    opened = wizard.mapping_page.combos[2]
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: opened.view().isVisible())
    assert wizard.currentPage() is wizard.mapping_page  # Enter did not also press Next
    opened.hidePopup()
    under = wizard.mapping_page.under_combo  # the cells name the room unless told otherwise
    assert wizard.mapping_page.under() is None and under.findData("档案室01") > 0

    _to_check(qtbot, wizard)
    report = wizard.check_page.report
    assert (report.rows, report.error_count, report.imported) == (8, 0, 8)
    assert Item.select().count() == items_before  # the check wrote nothing
    assert wizard.check_page.isComplete()

    wizard.next()
    qtbot.waitUntil(lambda: wizard.imported is not None, timeout=WAIT)
    assert wizard.imported.imported == 8
    assert Item.select().count() == items_before + 8
    assert "Imported 8 of 8 rows" in wizard.run_page.summary.text()
    assert ImportBatch.select().count() == 1


def test_an_unknown_kind_is_created_when_the_user_says_so(qtbot, demo_desk, admin_actor,
                                                          out_dir):
    path = out_dir / "目录.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["档号", "题名", "类别", "部门", "日期"])
        writer.writerow(["GC-XX-2009-0001", "一号楼竣工图", "竣工图纸", "GC", "2009年5月6日"])
        writer.writerow(["GC-XX-2009-0002", "二号楼竣工图", "竣工图纸", "GC", "2009.5.7"])
    wizard = _wizard(qtbot, demo_desk, admin_actor, path)
    _to_mapping(qtbot, wizard)
    _to_check(qtbot, wizard)
    page = wizard.check_page
    assert page.report.error_count == 2 and page.report.unknown == {"kind": ["竣工图纸"]}
    assert not page.isComplete()
    assert page.problems.rowCount() == 2 and page.unknown.rowCount() == 1

    combo = page.choices[("kind", "竣工图纸")]
    combo.setCurrentIndex(combo.findData(CREATE))
    page.recheck.click()
    qtbot.waitUntil(lambda: page.report is not None and page.report.error_count == 0,
                    timeout=WAIT)
    assert page.isComplete()
    assert page.unknown.rowCount() == 1  # the choice stays in view (and in force)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.imported is not None, timeout=WAIT)
    kind = Kind.get(Kind.name == "竣工图纸")
    assert Item.select().where(Item.kind == kind).count() == 2


def test_a_picture_named_xlsx_is_refused_and_the_wizard_stays(qtbot, demo_desk, admin_actor,
                                                              out_dir):
    wizard = _wizard(qtbot, demo_desk, admin_actor, png_as_xlsx(out_dir))
    wizard.next()

    def refused() -> list[QMessageBox]:
        return [box for box in wizard.findChildren(QMessageBox) if box.isVisible()]

    qtbot.waitUntil(lambda: bool(refused()), timeout=WAIT)
    assert "not a spreadsheet" in refused()[0].text()
    assert wizard.currentPage() is wizard.file_page


def test_the_wizard_offers_only_the_ledgers_one_may_import(qtbot, demo_desk, out_dir):
    from tests.gui.conftest import sign_in

    officer = sign_in(demo_desk, "liuyang")  # the personnel officer: the catalogue only
    wizard = shown(qtbot, ImportWizard(demo_desk, officer, kind=LedgerKind.KEYS))
    combo = wizard.file_page.kind_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["items"]
    admin = shown(qtbot, ImportWizard(demo_desk, sign_in(demo_desk, "admin"),
                                      kind=LedgerKind.USERS))
    admin.file_page.path_edit.setText(str(out_dir / "staff.csv"))
    assert not admin.file_page.isComplete()  # staff need their starting password first
    admin.file_page.password_edit.setText("start-2026")
    assert admin.file_page.isComplete()
    assert not admin.check_page.recheck.autoDefault()  # Return is Next/Finish, never this


def test_the_menu_offers_import_only_to_those_who_may(qtbot, demo_desk, admin_actor,
                                                      clerk_actor):
    from desk_app.ui.main_window import MainWindow

    admin_window = shown(qtbot, MainWindow(demo_desk, admin_actor))
    clerk_window = shown(qtbot, MainWindow(demo_desk, clerk_actor))
    assert admin_window.import_action.isVisible()
    assert not clerk_window.import_action.isVisible()
    assert admin_window.page("admin").imports.buttons[LedgerKind.LOANS].isEnabled()
