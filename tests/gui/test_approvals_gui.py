"""Approvals page (R5, R2, R3, R6): every role opens it, a clerk files a request, the
manager decides and signs, the lend dialog names the approval or says why none matches, the
retention tab lists what is due, bad input is shown at the field and writes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PySide6.QtCore import QTimer

from desk_app.services.loans import BorrowerInput
from desk_app.services.retention import DestructionFilter
from desk_app.ui.approvals.dialogs import (
    CarryOutDialog,
    DecisionDialog,
    GrantDialog,
    NewRequestDialog,
)
from desk_app.ui.approvals.page import ApprovalsPage
from desk_app.ui.loans import lend as lend_module
from desk_app.ui.loans.lend import LendDialog
from desk_app.ui.widgets import signing as common_module
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.gui.conftest import DEMO_PASSWORD, shown, sign_in

ROLES = ("admin", "wangfang", "zhoumin", "liqiang", "zhangwei", "chenjing", "liuyang")
OUTSIDER = "外部审计师"


@pytest.fixture(autouse=True)
def _event_loops_run(qapp) -> None:
    QTimer.singleShot(0, qapp.quit)
    qapp.exec()


def small_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(5, 60), (60, 10), (120, 70), (195, 15)], fill=(0, 0, 0, 255),
                               width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def signing(monkeypatch) -> dict[str, list]:
    """SignDialog answers at once (demo password and a drawn signature); previews collected."""
    seen: dict[str, list] = {"asks": [], "previews": []}
    png = small_png()

    def ask(parent, signer_label, prompt, need_password=True, need_pad=True):
        seen["asks"].append((signer_label, prompt, need_password, need_pad))
        return (DEMO_PASSWORD if need_password else "", png)

    def ask_and_sign(parent, signer_label, prompt, attempt, tries=3):
        password, handwriting = ask(parent, signer_label, prompt)
        return attempt(password, handwriting)

    def preview(parent, pdf, name):
        seen["previews"].append((name, pdf))

    monkeypatch.setattr(SignDialog, "ask", staticmethod(ask))
    monkeypatch.setattr(SignDialog, "ask_and_sign", staticmethod(ask_and_sign))
    monkeypatch.setattr(common_module, "preview_pdf", preview)
    monkeypatch.setattr(lend_module, "preview_pdf", preview)
    return seen


@pytest.fixture
def clerk(demo_desk):
    return sign_in(demo_desk, "wangfang")


@pytest.fixture
def manager(demo_desk):
    return sign_in(demo_desk, "zhangwei")


@pytest.fixture
def secret_ref(demo_desk, clerk) -> str:
    item = demo_desk.archive.add_item(clerk, title="测试机密合同", kind="BG", dept="GC",
                                      level="secret", ref="QA-SECRET-9")
    return item.ref


def file_request(desk, clerk, ref, **kwargs):
    today = desk.today()
    values = dict(requester=BorrowerInput(name=OUTSIDER, contact="13800000000",
                                          organisation="审计所"),
                  purpose="年度审计", access="take-out", window_from=today,
                  window_to=today + timedelta(days=10))
    values.update(kwargs)
    return desk.approvals.request(clerk, [ref], **values)


@pytest.mark.parametrize("user", ROLES)
def test_the_page_opens_for_every_role(qtbot, demo_desk, user):
    actor = sign_in(demo_desk, user)
    page = shown(qtbot, ApprovalsPage(demo_desk, actor), (1280, 760))
    page.activated()
    titles = [page.tabs.tabText(n).replace("&", "") for n in range(page.tabs.count())]
    expected = {
        "admin": [], "wangfang": ["Access requests", "Retention"],
        "zhoumin": ["Access requests", "Retention"], "liqiang": ["Access requests", "Retention"],
        "zhangwei": ["Access requests", "Retention"],
        "chenjing": ["Access requests", "Retention", "Personnel grants"],
        "liuyang": ["Personnel grants"],
    }[user]
    assert titles == expected
    if page.requests is not None:
        assert page.requests.buttons["decide"].isVisibleTo(page) == (user == "zhangwei")
        assert page.requests.buttons["new"].isVisibleTo(page) == (user in ("wangfang", "zhoumin",
                                                                           "liqiang"))
    if page.grants is not None:
        assert page.grants.grant_button.isVisibleTo(page) == (user == "liuyang")


def open_requests(qtbot, desk, actor) -> ApprovalsPage:
    page = shown(qtbot, ApprovalsPage(desk, actor), (1280, 760))
    assert page.requests is not None
    return page


def test_a_clerk_files_a_request_through_the_dialog(qtbot, demo_desk, clerk, secret_ref):
    page = open_requests(qtbot, demo_desk, clerk)
    before = page.requests.panels["all"].model.rowCount()
    dialog = page.requests.new_request()
    assert isinstance(page.requests.open_dialog, NewRequestDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.refs_edit, secret_ref)
    dialog.outside_radio.setChecked(True)
    dialog.name_edit.setText(OUTSIDER)
    qtbot.keyClicks(dialog.contact_edit, "13800000000")
    dialog.organisation_edit.setText("审计所")
    dialog.purpose_edit.setText("年度审计")
    dialog.access_combo.setCurrentIndex(dialog.access_combo.findData("take-out"))
    assert not dialog.copies_spin.isEnabled()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.requests.open_dialog is None)

    rows = demo_desk.approvals.page(clerk, __import__(
        "desk_app.services.approvals", fromlist=["ApprovalFilter"]).ApprovalFilter(view="waiting"),
        0, 50)
    mine = [row for row in rows if row["refs"] == secret_ref]
    assert len(mine) == 1 and mine[0]["status"] == "pending" and mine[0]["borrower"] == OUTSIDER
    assert page.requests.panels["all"].model.rowCount() == before + 1
    # the new request is selected and its record shown beside the list
    assert page.requests.current_request is not None
    assert page.requests.current_request["id"] == mine[0]["id"]
    assert page.requests.detail.items.topLevelItem(0).text(0) == secret_ref
    assert page.requests.detail.events.topLevelItemCount() >= 1


@pytest.mark.qt_log_ignore("This plugin does not support raise",
                           "This plugin does not support grabbing the keyboard")  # the popup
def test_the_requester_is_found_by_pinyin_initials(qtbot, demo_desk, clerk, secret_ref):
    """The request dialog finds its requester like the lend dialog: 李强 by ``lq``."""
    from PySide6.QtCore import Qt

    from desk_app.services.approvals import ApprovalFilter

    page = open_requests(qtbot, demo_desk, clerk)
    dialog = page.requests.new_request([secret_ref])
    qtbot.waitExposed(dialog)
    field = dialog.borrower_field
    assert field is not None and dialog.user_edit is field.line_edit
    dialog.activateWindow()
    field.line_edit.setFocus()
    qtbot.keyClicks(field.line_edit, "lq")
    popup = field.popup()
    qtbot.waitUntil(popup.isVisible)
    for _step in range(field.completer.completionModel().rowCount()):
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        if popup.currentIndex().data(Qt.ItemDataRole.UserRole + 1) == "user:liqiang":
            break
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert field.chosen_key() == "user:liqiang"
    dialog.purpose_edit.setText("查阅")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.requests.open_dialog is None)
    rows = demo_desk.approvals.page(clerk, ApprovalFilter(view="waiting"), 0, 50)
    assert [row["borrower"] for row in rows if row["refs"] == secret_ref] == ["李强"]


def test_bad_input_is_shown_at_the_field_and_nothing_is_written(qtbot, demo_desk, clerk,
                                                               secret_ref):
    from desk_app.services.approvals import ApprovalFilter

    page = open_requests(qtbot, demo_desk, clerk)
    before = demo_desk.approvals.count(clerk, ApprovalFilter(view="all"))
    dialog = page.requests.new_request([secret_ref])
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.user_edit, "liqiang")
    dialog.purpose_edit.setText("查阅")

    # a day that is not one: refused at the field, nothing asked
    dialog.to_edit.line_edit.setText("2026-02-30")
    dialog.ok_button.click()
    assert "28 days" in dialog.field_errors["window_to"].text()
    assert page.requests.open_dialog is dialog and dialog.isVisible()

    # a window that ends before it starts
    dialog.to_edit.set_value(dialog.from_edit.value() - timedelta(days=2))
    dialog.ok_button.click()
    assert dialog.field_errors["window_to"].isVisible()
    assert dialog.field_errors["window_to"].text()
    assert page.requests.open_dialog is dialog and dialog.isVisible()

    # a copy count of 0
    dialog.to_edit.set_value(dialog.from_edit.value() + timedelta(days=3))
    dialog.access_combo.setCurrentIndex(dialog.access_combo.findData("copy"))
    dialog.copies_spin.setValue(0)
    dialog.ok_button.click()
    assert dialog.field_errors["copies"].isVisible()
    assert not dialog.field_errors["window_to"].isVisible()

    # a file that is not secret
    internal = demo_desk.archive.add_item(clerk, title="普通文件", kind="BG", dept="GC",
                                          level="internal", ref="QA-INTERNAL-9")
    dialog.copies_spin.setValue(2)
    dialog.refs_edit.setText(internal.ref)
    dialog.ok_button.click()
    assert dialog.field_errors["refs"].isVisible()
    assert "not secret" in dialog.field_errors["refs"].text()
    assert demo_desk.approvals.count(clerk, ApprovalFilter(view="all")) == before
    dialog.reject()


def test_the_manager_decides_with_a_signature(qtbot, demo_desk, clerk, manager, secret_ref,
                                             signing):
    from desk_app.forms.verify import verify_pdf

    filed = file_request(demo_desk, clerk, secret_ref)
    page = open_requests(qtbot, demo_desk, manager)
    assert page.tabs.currentWidget() is page.requests
    assert page.requests.panel() is page.requests.panels["waiting"]
    page.show_view(f"decide:{filed['id']}")
    dialog = page.requests.open_dialog
    assert isinstance(dialog, DecisionDialog)
    qtbot.waitExposed(dialog)

    # no reason: refused at the field before anything is signed
    dialog.ok_button.click()
    assert dialog.field_errors["reason"].isVisible()
    assert signing["asks"] == []
    assert demo_desk.approvals.show(manager, filed["id"])["status"] == "pending"

    dialog.reason_edit.setPlainText("审计需要，准予带出")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.requests.open_dialog is None)
    assert len(signing["asks"]) == 1 and "张伟" in signing["asks"][0][0]
    decided = demo_desk.approvals.show(manager, filed["id"])
    assert decided["status"] == "approved" and decided["signed"]
    assert decided["decision_reason"] == "审计需要，准予带出"
    report = verify_pdf(demo_desk.approvals.document(manager, filed["id"]),
                        demo_desk.keys.ca_certificate())
    assert report.ok

    # the record beside the list, and the signed form through the preview
    page.requests.show_tab("all")
    assert page.requests.panel().select_id(filed["id"])
    assert page.requests.buttons["form"].isEnabled()
    assert not page.requests.buttons["decide"].isEnabled()
    assert page.requests.buttons["revoke"].isEnabled()
    page.requests.show_form()
    qtbot.waitUntil(lambda: bool(signing["previews"]), timeout=10_000)
    assert signing["previews"][0][0] == f"{filed['number']}.pdf"


def test_revoke_needs_a_reason(qtbot, demo_desk, clerk, manager, secret_ref):
    filed = file_request(demo_desk, clerk, secret_ref)
    demo_desk.approvals.decide(manager, filed["id"], True, "同意", DEMO_PASSWORD, small_png())
    page = open_requests(qtbot, demo_desk, manager)
    page.requests.show_tab("all")
    assert page.requests.panel().select_id(filed["id"])
    page.requests.revoke()
    dialog = page.requests.open_dialog
    qtbot.waitExposed(dialog)
    dialog.ok_button.click()
    assert dialog.field_errors["reason"].isVisible()
    assert demo_desk.approvals.show(manager, filed["id"])["status"] == "approved"
    dialog.reason_edit.setPlainText("审计提前结束")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.reason_edit.setFocus()
    from PySide6.QtCore import Qt

    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.requests.open_dialog is None)
    assert demo_desk.approvals.show(manager, filed["id"])["status"] == "revoked"


def test_the_lend_dialog_names_the_approval_or_the_reason(qtbot, demo_desk, clerk, manager,
                                                         secret_ref):
    filed = file_request(demo_desk, clerk, secret_ref)
    dialog = shown(qtbot, LendDialog(demo_desk, clerk))
    assert dialog.add_ref(secret_ref)
    dialog.outside_radio.setChecked(True)
    dialog.name_edit.setText(OUTSIDER)
    dialog.contact_edit.setText("13800000000")
    rows = dialog.explain()
    assert rows[0]["approval"] is None and rows[0]["problem"]
    assert dialog.approval_label.isVisible()
    assert dialog.approval_label.text() == rows[0]["problem"]
    assert dialog.approval_label.text().startswith(secret_ref)

    demo_desk.approvals.decide(manager, filed["id"], True, "同意", DEMO_PASSWORD, small_png())
    rows = dialog.explain()  # the usual loan period ends after the window
    assert rows[0]["approval"] is None and "window" in rows[0]["problem"]
    dialog.due_edit.setText((demo_desk.today() + timedelta(days=5)).isoformat())
    rows = dialog.explain()
    assert rows[0]["approval"] == filed["number"], rows
    assert dialog.approval_label.text() == f"{secret_ref}: under approval {filed['number']}"
    assert filed["number"] in dialog.approval_label.text()

    dialog.name_edit.setText("另一个人")  # another person: no approval for them
    rows = dialog.explain()
    assert rows[0]["approval"] is None and rows[0]["problem"]
    dialog.in_office_check.setChecked(True)  # a take-out approval is not a reading one
    assert not dialog.due_edit.isEnabled()
    dialog.name_edit.setText(OUTSIDER)
    rows = dialog.explain()
    assert rows[0]["approval"] is None and rows[0]["problem"]
    dialog.reject()


def test_lend_under_the_approval_puts_its_number_on_the_slip(qtbot, demo_desk, clerk, manager,
                                                            secret_ref, signing):
    filed = file_request(demo_desk, clerk, secret_ref)
    demo_desk.approvals.decide(manager, filed["id"], True, "同意", DEMO_PASSWORD, small_png())
    dialog = shown(qtbot, LendDialog(demo_desk, clerk))
    assert dialog.add_ref(secret_ref)
    dialog.outside_radio.setChecked(True)
    dialog.name_edit.setText(OUTSIDER)
    dialog.contact_edit.setText("13800000000")
    dialog.purpose_edit.setText("年度审计")
    dialog.due_edit.setText((demo_desk.today() + timedelta(days=5)).isoformat())
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    slip = dialog.result_value
    assert [item.get("approval") for item in slip["items"]] == [filed["number"]]


def test_the_retention_tab_lists_a_due_item_and_proposes_it(qtbot, demo_desk, clerk, manager,
                                                            signing):
    from datetime import date

    old = demo_desk.archive.add_item(clerk, title="过期文件", kind="BG", dept="GC",
                                     level="internal", ref="QA-OLD-1", doc_date=date(2001, 3, 1),
                                     retention_years=10)
    page = shown(qtbot, ApprovalsPage(demo_desk, clerk), (1280, 760))
    page.show_view("due")
    tab = page.retention
    assert tab is not None and tab.current_key() == "due"
    model = tab.panels["due"].model
    assert model.rowCount() == demo_desk.retention.due_count(clerk) >= 1
    refs = [model.row(n)["ref"] for n in range(model.rowCount())]
    assert old.ref in refs
    tab.panels["due"].table.selectRow(refs.index(old.ref))
    assert tab.buttons["propose"].isEnabled()

    dialog = tab.propose()
    qtbot.waitExposed(dialog)
    lists_before = demo_desk.retention.count(clerk, DestructionFilter())
    dialog.ok_button.click()  # no reason: said at the field, nothing written
    assert dialog.field_errors["reason"].isVisible()
    assert demo_desk.retention.count(clerk, DestructionFilter()) == lists_before
    dialog.reason_edit.setPlainText("保管期满，无保存价值")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: tab.open_dialog is None)
    assert tab.current_key() == "destructions"
    assert tab.panels["destructions"].model.rowCount() == lists_before + 1

    # the manager approves it with a signature, the clerk carries it out with a witness
    listed = tab.panels["destructions"].model.row(0)
    manager_page = shown(qtbot, ApprovalsPage(demo_desk, manager), (1280, 760))
    manager_page.show_view("destructions")
    mtab = manager_page.retention
    assert mtab.panels["destructions"].select_id(listed["id"])
    decision = mtab.decide()
    qtbot.waitExposed(decision)
    decision.reason_edit.setPlainText("同意销毁")
    decision.ok_button.click()
    qtbot.waitUntil(lambda: mtab.open_dialog is None)
    assert demo_desk.retention.show(manager, listed["id"])["status"] == "approved"

    tab.refresh()
    assert tab.panels["destructions"].select_id(listed["id"])
    assert tab.buttons["carry_out"].isEnabled()
    carry = tab.carry_out()
    assert isinstance(carry, CarryOutDialog)
    qtbot.waitExposed(carry)
    qtbot.keyClicks(carry.witness_edit, "wangfang")  # oneself: refused at the field
    qtbot.keyClicks(carry.witness_password, DEMO_PASSWORD)
    carry.ok_button.click()
    assert carry.field_errors["witness"].isVisible()
    assert demo_desk.retention.show(clerk, listed["id"])["status"] == "approved"
    carry.witness_edit.setText("zhoumin")
    qtbot.keyClicks(carry.witness_password, DEMO_PASSWORD)
    carry.ok_button.click()
    qtbot.waitUntil(lambda: tab.open_dialog is None)
    done = demo_desk.retention.show(clerk, listed["id"])
    assert done["status"] == "done" and done["signed_record"]
    assert demo_desk.archive.scan(clerk, old.ref).status == "destroyed"


def test_grants_tab_for_the_personnel_officer(qtbot, demo_desk):
    officer = sign_in(demo_desk, "liuyang")
    personnel_file = demo_desk.archive.add_item(officer, title="测试人事档案", kind="YH",
                                                dept="XZ", level="personnel")
    page = shown(qtbot, ApprovalsPage(demo_desk, officer), (1280, 760))
    page.show_view("grants")
    tab = page.grants
    assert tab is not None and page.tabs.currentWidget() is tab
    before = tab.panel.model.rowCount()
    dialog = tab.grant(personnel_file.ref)
    assert isinstance(dialog, GrantDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.user_edit, "zhangwei")
    dialog.ok_button.click()  # no reason
    assert any(error.isVisible() for error in dialog.field_errors.values()) \
        or dialog.general_error.isVisible()
    assert len(demo_desk.personnel.grants(officer)) == before
    dialog.reason_edit.setPlainText("调动审查")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: tab.open_dialog is None)
    assert tab.panel.model.rowCount() == before + 1

    auditor = sign_in(demo_desk, "chenjing")
    audit_page = shown(qtbot, ApprovalsPage(demo_desk, auditor), (1280, 760))
    assert audit_page.grants is not None
    assert audit_page.grants.panel.model.rowCount() == before + 1
    row = audit_page.grants.panel.model.row(0)
    assert row["title"] != "测试人事档案"  # the auditor sees a placeholder
    assert not audit_page.grants.grant_button.isVisibleTo(audit_page)


def test_today_the_manager_approves_from_the_waiting_box(qtbot, demo_desk, clerk, manager,
                                                         secret_ref, signing):
    from desk_app.ui.main_window import MainWindow

    filed = file_request(demo_desk, clerk, secret_ref)
    window = MainWindow(demo_desk, manager, idle_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    today = window.page("today")
    waiting = demo_desk.approvals.waiting_count(manager)
    assert waiting >= 1
    assert today.waiting_label.text().startswith(f"{waiting} request")
    assert today.due_label is not None and today.expiring_label is not None
    assert today.waiting_button.isEnabled()
    today.waiting_button.click()
    assert window.current_area() == "approvals"
    page = window.page("approvals")
    dialog = page.requests.open_dialog
    assert isinstance(dialog, DecisionDialog)
    assert page.requests.panel() is page.requests.panels["waiting"]
    first = demo_desk.approvals.page(manager, __import__(
        "desk_app.services.approvals", fromlist=["ApprovalFilter"]).ApprovalFilter(view="waiting"),
        0, 500)[-1]  # the oldest waiting request
    assert first["number"] in dialog.windowTitle()
    dialog.reason_edit.setPlainText("同意")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.requests.open_dialog is None)
    assert demo_desk.approvals.show(manager, first["id"])["status"] == "approved"
    assert demo_desk.approvals.waiting_count(manager) == waiting - 1
    del filed
    window.close()


def test_today_boxes_follow_the_roles(qtbot, demo_desk):
    from desk_app.ui.pages.today import TodayPage

    for user, box, waiting, due in (("admin", False, False, False), ("wangfang", True, False, True),
                                    ("liuyang", False, False, False),
                                    ("chenjing", True, False, True)):
        widget = TodayPage(demo_desk, sign_in(demo_desk, user))
        qtbot.addWidget(widget)
        assert (widget.approvals_box is not None) == box, user
        assert (widget.waiting_label is not None) == waiting, user
        assert (widget.due_label is not None) == due, user


def test_archive_grant_access_for_the_personnel_officer(qtbot, demo_desk):
    from desk_app.ui.archive.dialogs import GrantAccessDialog
    from desk_app.ui.archive.page import ArchivePage

    officer = sign_in(demo_desk, "liuyang")
    made = demo_desk.archive.add_item(officer, title="测试人事档案二", kind="YH", dept="XZ",
                                      level="personnel")
    page = shown(qtbot, ArchivePage(demo_desk, officer), (1280, 760))
    assert page.grant_button.isVisibleTo(page)
    page.scan(made.ref)
    assert page.grant_button.isEnabled()
    before = len(demo_desk.personnel.grants(officer))
    page.grant_access()
    dialog = page.open_dialog
    assert isinstance(dialog, GrantAccessDialog)
    qtbot.keyClicks(dialog.user_edit, "nobody")
    dialog.reason_edit.setPlainText("审查")
    dialog.ok_button.click()
    assert dialog.field_errors["user"].isVisible()
    assert len(demo_desk.personnel.grants(officer)) == before
    dialog.user_edit.setText("zhangwei")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.open_dialog is None)
    grants = demo_desk.personnel.grants(officer)
    assert len(grants) == before + 1
    assert any(g["ref"] == made.ref and g["user"] in ("zhangwei", "张伟") for g in grants)

    clerk_page = shown(qtbot, ArchivePage(demo_desk, sign_in(demo_desk, "wangfang")))
    assert not clerk_page.grant_button.isVisibleTo(clerk_page)


def test_a_real_signature_dialog_wrong_password_then_right(qtbot, demo_desk, clerk, manager,
                                                           secret_ref):
    """No shortcut: the manager draws in the real SignDialog; a wrong password asks again."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtWidgets import QApplication

    filed = file_request(demo_desk, clerk, secret_ref)
    page = open_requests(qtbot, demo_desk, manager)
    page.show_view(f"decide:{filed['id']}")
    dialog = page.requests.open_dialog
    qtbot.waitExposed(dialog)
    dialog.refuse_radio.setChecked(True)
    dialog.reason_edit.setPlainText("用途不明")

    def sign_dialog() -> SignDialog:
        found = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, SignDialog) and w.isVisible()]
        assert len(found) == 1
        return found[0]

    seen: list[str] = []

    def first() -> None:
        sign = sign_dialog()
        points = [(20 + 18 * step, 40 if step % 2 else 95) for step in range(16)]
        qtbot.mousePress(sign.pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
        for point in points[1:]:
            qtbot.mouseMove(sign.pad, QPoint(*point))
        qtbot.mouseRelease(sign.pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))
        sign.password_edit.setText("wrong-password")
        QTimer.singleShot(0, second)
        sign.accept()

    def second() -> None:
        sign = sign_dialog()
        seen.append(sign.password_error.text())
        assert demo_desk.approvals.show(manager, filed["id"])["status"] == "pending"
        sign.password_edit.setText(DEMO_PASSWORD)
        sign.accept()

    QTimer.singleShot(0, first)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.requests.open_dialog is None)
    assert seen and seen[0]
    decided = demo_desk.approvals.show(manager, filed["id"])
    assert decided["status"] == "refused" and decided["signed"]


def test_copies_made_and_returned(qtbot, demo_desk, clerk, manager, secret_ref):
    filed = file_request(demo_desk, clerk, secret_ref, access="copy", copies=2)
    demo_desk.approvals.decide(manager, filed["id"], True, "同意复印", DEMO_PASSWORD, small_png())
    page = open_requests(qtbot, demo_desk, clerk)
    page.requests.show_tab("all")
    assert page.requests.panel().select_id(filed["id"])
    assert page.requests.buttons["copies"].isEnabled()
    assert not page.requests.buttons["disposed"].isEnabled()
    page.requests.record_copies()
    dialog = page.requests.open_dialog
    qtbot.waitExposed(dialog)
    dialog.copies_spin.setValue(0)
    dialog.ok_button.click()
    assert dialog.field_errors["copies"].isVisible()
    assert demo_desk.approvals.show(clerk, filed["id"])["copies_made"] == []
    dialog.copies_spin.setValue(2)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.requests.open_dialog is None)
    made = demo_desk.approvals.show(clerk, filed["id"])["copies_made"]
    assert [(m["ref"], m["copies"]) for m in made] == [(secret_ref, 2)]
    assert page.requests.detail.copies.topLevelItemCount() == 1

    assert page.requests.buttons["disposed"].isEnabled()
    page.requests.dispose_copies()
    dialog = page.requests.open_dialog
    qtbot.waitExposed(dialog)
    dialog.disposal_combo.setCurrentIndex(dialog.disposal_combo.findData("destroyed"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.requests.open_dialog is None)
    made = demo_desk.approvals.show(clerk, filed["id"])["copies_made"]
    assert made[0]["disposal"] == "destroyed"
    assert not page.requests.buttons["disposed"].isEnabled()


def test_hold_and_release_need_a_reason(qtbot, demo_desk, clerk):
    from datetime import date

    old = demo_desk.archive.add_item(clerk, title="待定文件", kind="BG", dept="GC",
                                     level="internal", ref="QA-OLD-2", doc_date=date(2001, 3, 1),
                                     retention_years=10)
    page = shown(qtbot, ApprovalsPage(demo_desk, clerk), (1280, 760))
    page.show_view("due")
    tab = page.retention
    held_before = len(demo_desk.retention.holds(clerk))
    tab.hold()
    dialog = tab.open_dialog
    qtbot.waitExposed(dialog)
    dialog.ref_edit.setText(old.ref)
    dialog.ok_button.click()
    assert dialog.field_errors["reason"].isVisible()
    assert len(demo_desk.retention.holds(clerk)) == held_before
    dialog.reason_edit.setPlainText("诉讼未结")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: tab.open_dialog is None)
    assert len(demo_desk.retention.holds(clerk)) == held_before + 1
    page.show_view("holds")
    refs = [tab.panels["holds"].model.row(n)["ref"]
            for n in range(tab.panels["holds"].model.rowCount())]
    tab.panels["holds"].table.selectRow(refs.index(old.ref))
    assert tab.buttons["release"].isEnabled()
    tab.release()
    dialog = tab.open_dialog
    assert dialog.ref_edit.text() == old.ref
    dialog.reason_edit.setPlainText("诉讼已结")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: tab.open_dialog is None)
    assert len(demo_desk.retention.holds(clerk)) == held_before


def test_keyboard_alt_n_opens_a_new_request(qtbot, demo_desk, clerk):
    from PySide6.QtCore import Qt

    page = open_requests(qtbot, demo_desk, clerk)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(page.requests.open_dialog, NewRequestDialog))
    dialog = page.requests.open_dialog
    qtbot.waitExposed(dialog)
    assert dialog.refs_edit.hasFocus() or dialog.focusWidget() is dialog.refs_edit
    dialog.reject()


def test_a_wrong_witness_password_is_shown_at_its_field(qtbot, demo_desk, clerk, manager,
                                                        signing):
    from datetime import date

    old = demo_desk.archive.add_item(clerk, title="待销毁文件", kind="BG", dept="GC",
                                     level="internal", ref="QA-OLD-3", doc_date=date(2001, 3, 1),
                                     retention_years=10)
    listed = demo_desk.retention.propose(clerk, [old.ref], "保管期满")
    demo_desk.retention.decide(manager, listed["id"], True, "同意", DEMO_PASSWORD, small_png())
    page = shown(qtbot, ApprovalsPage(demo_desk, clerk), (1280, 760))
    page.show_view("destructions")
    tab = page.retention
    assert tab.panels["destructions"].select_id(listed["id"])
    dialog = tab.carry_out()
    qtbot.waitExposed(dialog)
    dialog.witness_edit.setText("zhoumin")
    dialog.witness_password.setText("not-the-password")
    dialog.ok_button.click()
    assert dialog.field_errors["witness_password"].isVisible()
    assert "witness" in dialog.field_errors["witness_password"].text()
    assert dialog.witness_password.text() == ""
    assert demo_desk.retention.show(clerk, listed["id"])["status"] == "approved"
    assert demo_desk.archive.scan(clerk, old.ref).status != "destroyed"
    dialog.reject()
