"""Admin page: users through the dialogs (keyboard-driven), settings form."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desk_app.domain.roles import Role
from desk_app.ui.admin.page import AdminPage
from tests.gui.conftest import shown

PASSWORD = "secret-pass-1"


@pytest.fixture
def page(qtbot, demo_desk, admin_actor) -> AdminPage:
    return shown(qtbot, AdminPage(demo_desk, admin_actor))


def open_add_dialog(qtbot, page: AdminPage):
    page.users.buttons["add"].click()
    dialog = page.users.open_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    return dialog


def fill(qtbot, dialog, name: str, full_name: str, password: str, repeat: str) -> None:
    """Keyboard only: the tab order is name → full name → password → repeat."""
    dialog.name_edit.setFocus()
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.full_name_edit, full_name)
    qtbot.keyClick(dialog.full_name_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.repeat_edit, repeat)


def test_users_table_lists_every_user(page, demo_desk, admin_actor):
    model = page.users.model
    assert model.rowCount() == demo_desk.users.count(admin_actor)
    names = [model.row(row).name for row in range(model.rowCount())]
    assert names == sorted(names)
    assert "wangfang" in names


def test_add_user_with_the_keyboard(qtbot, page, demo_desk, admin_actor):
    before = demo_desk.users.count(admin_actor)
    dialog = open_add_dialog(qtbot, page)
    fill(qtbot, dialog, "zhaoqian", "Zhao Lei", PASSWORD, PASSWORD)  # QTest types ASCII only
    qtbot.keyClick(dialog.repeat_edit, Qt.Key.Key_Return)

    assert not dialog.isVisible()
    user = demo_desk.users.get(admin_actor, "zhaoqian")
    assert user.full_name == "Zhao Lei" and user.roles == frozenset({Role.CLERK})
    assert demo_desk.users.count(admin_actor) == before + 1
    assert page.users.model.rowCount() == before + 1
    assert page.users.selected_user().name == "zhaoqian"
    assert demo_desk.auth.login("zhaoqian", PASSWORD).name == "zhaoqian"


def test_short_password_shows_message_at_the_field_and_adds_nothing(qtbot, page, demo_desk, admin_actor):
    before = demo_desk.users.count(admin_actor)
    dialog = open_add_dialog(qtbot, page)
    fill(qtbot, dialog, "zhaoqian", "", "abc", "abc")
    qtbot.keyClick(dialog.repeat_edit, Qt.Key.Key_Return)

    assert dialog.isVisible()
    error = dialog.field_errors["password"]
    assert error.isVisible()
    assert error.text() == "The password must have at least 8 characters."
    assert not dialog.field_errors["name"].isVisible()
    assert demo_desk.users.count(admin_actor) == before
    dialog.reject()


def test_bad_name_and_mismatch_are_shown_at_their_fields(qtbot, page, demo_desk, admin_actor):
    dialog = open_add_dialog(qtbot, page)
    fill(qtbot, dialog, "9x", "", PASSWORD, PASSWORD)
    dialog.ok_button.click()
    assert dialog.field_errors["name"].isVisible()
    dialog.name_edit.setText("goodname")
    dialog.repeat_edit.setText("different-1")
    dialog.ok_button.click()
    assert dialog.field_errors["repeat"].text() == "The passwords do not match."
    assert not dialog.field_errors["name"].isVisible()
    dialog.roles.boxes[Role.CLERK].setChecked(False)
    dialog.repeat_edit.setText(PASSWORD)
    dialog.ok_button.click()
    assert dialog.field_errors["roles"].text() == "Give at least one role."
    assert "goodname" not in [user.name for user in demo_desk.users.list(admin_actor)]
    dialog.reject()


def test_change_roles_reset_password_and_deactivate(qtbot, page, demo_desk, admin_actor):
    panel = page.users
    assert panel.select_name("wangfang")
    panel.roles_action.trigger()
    dialog = panel.open_dialog
    dialog.roles.boxes[Role.SUPERVISOR].setChecked(True)
    dialog.ok_button.click()
    assert demo_desk.users.get(admin_actor, "wangfang").roles == {Role.CLERK, Role.SUPERVISOR}

    panel.password_action.trigger()
    dialog = panel.open_dialog
    dialog.password_edit.setText("new-password-9")
    dialog.repeat_edit.setText("new-password-9")
    dialog.ok_button.click()
    assert demo_desk.auth.login("wangfang", "new-password-9").name == "wangfang"

    assert panel.buttons["deactivate"].isEnabled() and not panel.buttons["reactivate"].isEnabled()
    panel.set_active(False, confirm=False)
    assert not demo_desk.users.get(admin_actor, "wangfang").active
    assert panel.buttons["reactivate"].isEnabled()
    panel.set_active(True)
    assert demo_desk.users.get(admin_actor, "wangfang").active


def test_service_refusal_is_shown_not_raised(qtbot, page, demo_desk, admin_actor):
    panel = page.users
    panel.select_name("admin")
    panel.set_active(False, confirm=False)  # cannot deactivate yourself
    boxes = [box for box in panel.findChildren(QMessageBox) if box.isVisible()]
    assert [box.text() for box in boxes] == ["You cannot deactivate yourself."]
    boxes[0].accept()
    assert demo_desk.users.get(admin_actor, "admin").active


def test_settings_form_saves(page, demo_desk):
    form = page.settings
    page.tabs.setCurrentWidget(form)
    form.editors["company_name"].setText("测试物业")
    form.editors["idle_lock_minutes"].setValue(12)
    language = form.editors["language"]
    language.setCurrentIndex(language.findData("zh_TW"))
    assert language.currentText() == "繁體中文"
    assert form.save()
    assert demo_desk.settings.value("company_name") == "测试物业"
    assert demo_desk.settings.value("idle_lock_minutes") == 12
    assert demo_desk.settings.value("language") == "zh_TW"
    assert form.status.text() == "Settings saved."


def test_settings_error_is_shown_at_the_field(page, demo_desk):
    form = page.settings
    page.tabs.setCurrentWidget(form)
    form.editors["idle_lock_minutes"].setValue(500)
    form.editors["company_name"].setText("Other name")
    assert not form.save()
    error = form.errors["idle_lock_minutes"]
    assert error.isVisible() and "240" in error.text()
    assert demo_desk.settings.value("idle_lock_minutes") == 5
    assert demo_desk.settings.value("company_name") != "Other name"  # nothing changed
