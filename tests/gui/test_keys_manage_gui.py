"""Managing the register on the Keys & equipment page: edit an article, retire it (hidden
unless "Retired" is ticked), and the handover checklist template an admin edits from here."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desk_app.domain.errors import PermissionDenied
from desk_app.ui.keys.manage import EditArticleDialog, TemplateDialog
from desk_app.ui.keys.page import KeysPage
from tests.gui import test_keys_gui
from tests.gui.conftest import shown
from tests.gui.test_keys_gui import activate

crew = test_keys_gui.crew  # the fixtures of the Keys page's tests
admin_of = test_keys_gui.admin_of

SHOTS = Path(os.environ.get("DESK_GUI_SHOTS") or tempfile.gettempdir()) / (
    "" if os.environ.get("DESK_GUI_SHOTS") else "desk_gui_shots")


def save_shot(widget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    path = SHOTS / f"{name}.png"
    widget.grab().save(str(path))
    return path


@pytest.fixture
def answers(monkeypatch) -> list:
    """What the confirmation questions answer, in order."""
    queue: list = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: queue.pop(0))
    return queue


def tags(page: KeysPage) -> list[str]:
    rows = (page.model.row(n) for n in range(page.model.rowCount()))
    return [row["tag"] for row in rows if row is not None]


def test_edit_an_article_with_a_bad_count_then_a_good_one(qtbot, sqlite_desk, crew):
    desk = sqlite_desk
    page = shown(qtbot, KeysPage(desk, crew["sue"]), (1100, 700))
    assert page.manage_button.isVisible()
    assert not page.actions_by_name["edit"].isEnabled()
    assert page.select_tag("P-1")
    assert page.actions_by_name["edit"].isEnabled()
    activate(qtbot, page)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = page.open_dialog
    assert isinstance(dialog, EditArticleDialog)
    assert dialog.name_edit.text() == "A4纸" and dialog.count_spin.value() == 10
    assert not dialog.active_box.isVisibleTo(dialog)
    dialog.count_spin.setValue(0)
    dialog.ok_button.click()
    assert page.open_dialog is dialog  # stays open, nothing written
    assert dialog.field_errors["count"].isVisibleTo(dialog)
    assert dialog.field_errors["count"].text()
    assert desk.equipment.get(crew["sue"], "P-1")["count"] == 10
    save_shot(dialog, "keys-edit-article")
    dialog.count_spin.setValue(8)
    dialog.name_edit.setText("A4纸（包）")
    dialog.home_edit.setText("文具柜")
    dialog.checklist_box.setChecked(False)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    row = desk.equipment.get(crew["sue"], "P-1")
    assert (row["name"], row["count"], row["home"], row["on_checklist"]) == (
        "A4纸（包）", 8, "文具柜", False)
    assert (page.selected() or {}).get("tag") == "P-1"


def test_retire_an_article_hidden_unless_show_retired(qtbot, sqlite_desk, crew, answers):
    desk = sqlite_desk
    page = shown(qtbot, KeysPage(desk, crew["sue"]), (1100, 700))
    desk.equipment.checkout(crew["sue"], "K-101", "bob", "开样品室")
    page.refresh()
    page.select_tag("K-101")
    assert not page.actions_by_name["retire"].isEnabled()  # out: check it in first
    page.select_tag("K-102")
    answers.append(QMessageBox.StandardButton.No)
    assert not page.retire_selected()
    assert "K-102" in tags(page)
    answers.append(QMessageBox.StandardButton.Yes)
    assert page.retire_selected()
    assert "K-102" not in tags(page)
    assert not desk.equipment.get(crew["sue"], "K-102")["active"]
    page.retired_box.setChecked(True)
    assert "K-102" in tags(page)
    page.select_tag("K-102")
    number = tags(page).index("K-102")
    assert "retired" in page.model.data(page.model.index(number, 1))
    assert not page.actions_by_name["retire"].isEnabled()
    assert not page.actions_by_name["checkout"].isEnabled()
    dialog = page.edit_selected()  # put back in use
    assert dialog is not None and dialog.active_box.isVisibleTo(dialog)
    dialog.active_box.setChecked(True)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    assert desk.equipment.get(crew["sue"], "K-102")["active"]


def test_clerk_sees_no_manage_actions(qtbot, sqlite_desk, crew):
    page = shown(qtbot, KeysPage(sqlite_desk, crew["bob"]), (1100, 700))
    assert not page.manage_button.isVisible()
    assert not page.retired_box.isVisible()
    for name in ("edit", "retire", "template"):
        assert not page.actions_by_name[name].isVisible()
    assert page.edit_template() is None and page.edit_selected() is None


def test_admin_edits_the_checklist_template(qtbot, sqlite_desk, crew, admin_of, answers):
    desk = sqlite_desk
    page = shown(qtbot, KeysPage(desk, admin_of), (1100, 700))
    assert page.manage_button.isVisible()
    assert page.actions_by_name["template"].isVisible()
    with pytest.raises(PermissionDenied):  # an admin does not see handovers …
        desk.handovers.current(admin_of)
    activate(qtbot, page)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    dialog = page.open_dialog
    assert isinstance(dialog, TemplateDialog)  # … but edits the template
    assert dialog.lines() == [] and not dialog.remove_button.isEnabled()

    dialog.label_edit.setText("   ")  # bad input: no label
    dialog.add_button.click()
    assert dialog.error.isVisibleTo(dialog) and dialog.error.text()
    assert desk.handovers.template_lines(admin_of) == []

    dialog.label_edit.setText("值班日志")
    dialog.kind.setCurrentIndex(dialog.kind.findData("document"))
    qtbot.keyClick(dialog.label_edit, Qt.Key.Key_Return)  # Enter adds the line
    assert not dialog.error.isVisibleTo(dialog)
    dialog.label_edit.setText("表格")
    dialog.kind.setCurrentIndex(dialog.kind.findData("supply"))
    dialog.expected_spin.setValue(3)
    dialog.add_button.click()
    assert [(line["label"], line["kind"], line["expected"]) for line in dialog.lines()] == [
        ("值班日志", "document", 1), ("表格", "supply", 3)]
    second = dialog.tree.topLevelItem(1)
    assert second is not None and second.text(1) != "supply"  # the translated kind label
    save_shot(dialog, "keys-checklist-template")

    first = dialog.tree.topLevelItem(0)
    assert first is not None
    dialog.tree.setCurrentItem(first)
    answers.append(QMessageBox.StandardButton.No)
    assert not dialog.remove()
    assert len(desk.handovers.template_lines(admin_of)) == 2
    answers.append(QMessageBox.StandardButton.Yes)
    assert dialog.remove()
    assert [line["label"] for line in desk.handovers.template_lines(admin_of)] == ["表格"]
    assert [line["label"] for line in dialog.lines()] == ["表格"]
    dialog.reject()
    qtbot.waitUntil(lambda: page.open_dialog is None)
