"""Archive page and personnel files (R6, issue 11): the officer registers them and admits a
second officer; anyone else with the role sees them sealed."""

from __future__ import annotations

import pytest

from desk_app.ui.archive.dialogs import AdmitOfficerDialog, NewItemDialog
from desk_app.ui.archive.page import ArchivePage
from tests.gui.conftest import shown, sign_in

TITLE = "人事档案：欧阳修远奖惩记录"
SEALED = "Sealed — ask a personnel officer to admit you."


def titles(page: ArchivePage) -> dict[str, str]:
    return {page.model.row(n).ref: page.model.row(n).title for n in range(page.model.rowCount())}


def open_page(qtbot, desk, actor) -> ArchivePage:
    page = shown(qtbot, ArchivePage(desk, actor), (1200, 700))
    page.level_combo.setCurrentIndex(page.level_combo.findData("personnel"))
    page.apply_filter()
    return page


@pytest.fixture
def officer(demo_desk):
    return sign_in(demo_desk, "liuyang")


def test_the_officer_registers_a_personnel_file_and_reads_it(qtbot, demo_desk, officer):
    page = open_page(qtbot, demo_desk, officer)
    assert page.new_item_button.isVisibleTo(page) and page.admit_button.isVisibleTo(page)
    assert not page.new_location_button.isVisibleTo(page)
    page.new_item_button.click()
    dialog = page.open_dialog
    assert isinstance(dialog, NewItemDialog)
    levels = [dialog.level_combo.itemData(n) for n in range(dialog.level_combo.count())]
    assert levels == ["personnel"]  # only these are the officer's to register
    dialog.title_edit.setText(TITLE)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    ref = page.detail.item.ref
    assert ref.startswith("RS-") and page.detail.item.title == TITLE
    assert titles(page)[ref] == TITLE
    assert page.detail.values["title"].text() == TITLE


def test_the_role_alone_shows_the_seal_until_an_officer_admits(qtbot, demo_desk, officer):
    ref = demo_desk.archive.add_item(officer, title=TITLE, kind="YH", dept="XZ",
                                     level="personnel").ref
    admin = sign_in(demo_desk, "admin")
    demo_desk.users.set_roles(admin, "admin", "admin,personnel")
    admin = sign_in(demo_desk, "admin")
    page = open_page(qtbot, demo_desk, admin)
    shown_titles = titles(page)
    assert shown_titles[ref] == SEALED and set(shown_titles.values()) == {SEALED}
    page.close()

    officer = sign_in(demo_desk, "liuyang")
    page = open_page(qtbot, demo_desk, officer)
    page.admit_button.click()
    dialog = page.open_dialog
    assert isinstance(dialog, AdmitOfficerDialog)
    assert "Held by: liuyang" in dialog.hint.text()
    assert "Admit a second officer" in dialog.hint.text()
    dialog.widgets["user"].setText("wangfang")
    dialog.ok_button.click()
    assert "not a personnel officer" in dialog.field_errors["user"].text()
    dialog.widgets["user"].setText("admin")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    assert demo_desk.personnel.status(officer)["holders"] == ["admin", "liuyang"]
    page.close()

    admin = sign_in(demo_desk, "admin")
    page = open_page(qtbot, demo_desk, admin)
    assert titles(page)[ref] == TITLE


def test_others_see_no_personnel_actions(qtbot, demo_desk):
    clerk = sign_in(demo_desk, "wangfang")
    page = shown(qtbot, ArchivePage(demo_desk, clerk), (1200, 700))
    assert not page.admit_button.isVisibleTo(page)
    page.new_item_button.click()
    dialog = page.open_dialog
    levels = [dialog.level_combo.itemData(n) for n in range(dialog.level_combo.count())]
    assert levels == ["public", "internal", "secret"]
    dialog.reject()
