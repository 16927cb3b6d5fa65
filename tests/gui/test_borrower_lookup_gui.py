"""The borrower field (issue 14): typing ``zw`` offers 张伟, Down/Enter chooses, a scanned
badge (an exact user name + Enter) chooses at once, a remembered visitor is found by pinyin
and phone, and the lend dialog lends to the person chosen; the borrower card opens."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk_app.services.loans import BorrowerInput
from desk_app.store.archive import Borrower, Loan, LoanSlip
from desk_app.store.models import User
from desk_app.ui.loans import lend as lend_module
from desk_app.ui.loans.borrower_card import BorrowerCard
from desk_app.ui.loans.lend import LendDialog
from desk_app.ui.widgets.borrower_field import BorrowerField
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.gui.conftest import shown

# The offscreen platform cannot raise a popup or give it the keyboard; Qt says so. The keys
# are sent to the completion popup directly.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise",
                                       "This plugin does not support grabbing the keyboard")
VISITOR = BorrowerInput(name="欧阳娜娜", contact="13912345678", organisation="市档案馆")


@pytest.fixture
def unsigned(monkeypatch):
    """Signing is cancelled at once (the loan stays, unsigned): this test is about who."""
    monkeypatch.setattr(SignDialog, "ask", staticmethod(lambda *args, **kwargs: None))
    monkeypatch.setattr(lend_module, "notice", lambda *args, **kwargs: None)
    # the "not signed" question: register without signature (issue 14, circulation)
    monkeypatch.setattr(lend_module, "register_unsigned", lambda *args, **kwargs: True)


@pytest.fixture
def ref(demo_desk, clerk_actor) -> str:
    return demo_desk.archive.add_item(clerk_actor, title="借阅测试档案", kind="BG", dept="GC",
                                      level="internal", ref="QA-B-1").ref


def _field(qtbot, demo_desk, clerk_actor) -> BorrowerField:
    field = shown(qtbot, BorrowerField(demo_desk, clerk_actor), (520, 80))
    field.activateWindow()
    qtbot.waitUntil(field.isActiveWindow)
    field.line_edit.setFocus()
    return field


def _popup_rows(field: BorrowerField) -> list[str]:
    model = field.completer.completionModel()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _pick(qtbot, field: BorrowerField, key: str) -> None:
    """Down through the popup to ``key``'s row, then Enter (keyboard only)."""
    popup = field.popup()
    qtbot.waitUntil(popup.isVisible)
    model = field.completer.completionModel()
    for _step in range(model.rowCount()):
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        if popup.currentIndex().data(Qt.ItemDataRole.UserRole + 1) == key:
            break
    assert popup.currentIndex().data(Qt.ItemDataRole.UserRole + 1) == key
    qtbot.keyClick(popup, Qt.Key.Key_Return)


def test_typing_zw_offers_zhang_wei_and_enter_chooses(qtbot, demo_desk, clerk_actor):
    field = _field(qtbot, demo_desk, clerk_actor)
    chosen = []
    field.chosen.connect(lambda: chosen.append(field.chosen_key()))
    qtbot.keyClicks(field.line_edit, "zw")
    qtbot.waitUntil(field.popup().isVisible)
    rows = _popup_rows(field)
    assert rows[0].startswith("张伟 (zhangwei)")
    _pick(qtbot, field, "user:zhangwei")
    assert chosen == ["user:zhangwei"]
    assert field.line_edit.text() == "张伟 (zhangwei)"
    assert field.details.text().startswith("staff")
    assert field.borrower_input() == BorrowerInput(user_name="zhangwei")
    # typing again forgets the choice
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Backspace)
    assert field.chosen_key() is None


def test_scanned_badge_chooses_at_once(qtbot, demo_desk, clerk_actor):
    field = _field(qtbot, demo_desk, clerk_actor)
    qtbot.keyClicks(field.line_edit, "liqiang")
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Return)  # before any lookup timer
    assert field.chosen_key() == "user:liqiang"
    assert not field.popup().isVisible()


def test_remembered_visitor_found_by_pinyin_initials_and_phone(qtbot, demo_desk, clerk_actor,
                                                               ref):
    demo_desk.loans.lend(clerk_actor, [ref], VISITOR, "查阅")
    person = Borrower.get(Borrower.name == "欧阳娜娜")
    field = _field(qtbot, demo_desk, clerk_actor)
    for typed in ("oynn", "ouyang", "13912345678"):
        field.clear()
        qtbot.keyClicks(field.line_edit, typed)
        qtbot.keyClick(field.line_edit, Qt.Key.Key_Return)  # the only match: chosen
        assert field.chosen_key() == f"borrower:{person.id}", typed
    assert "13912345678" in field.details.text() and "1 open loan" in field.details.text()
    assert field.borrower_input() == VISITOR


def test_lend_dialog_lends_to_the_person_chosen(qtbot, demo_desk, clerk_actor, ref, unsigned):
    dialog = shown(qtbot, LendDialog(demo_desk, clerk_actor))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.add_ref(ref)
    dialog.user_edit.setFocus()
    qtbot.keyClicks(dialog.user_edit, "zw")
    _pick(qtbot, dialog.borrower_field, "user:zhangwei")
    assert dialog.purpose_edit.hasFocus()  # on to the purpose
    dialog.purpose_edit.setText("年度审计")  # (QTest types Latin-1 only)
    qtbot.keyClick(dialog.purpose_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    loan = Loan.get(Loan.item == demo_desk.archive.get(clerk_actor, ref).id)
    borrower = Borrower.get_by_id(loan.borrower_id)
    assert borrower.user_id == User.get(User.name == "zhangwei").id
    assert (borrower.name, loan.purpose, loan.returned_at) == ("张伟", "年度审计", None)
    assert LoanSlip.get_by_id(dialog.result_value["id"]).borrower_id == borrower.id


def test_unknown_text_is_refused_at_the_field(qtbot, demo_desk, clerk_actor, ref, unsigned):
    dialog = shown(qtbot, LendDialog(demo_desk, clerk_actor))
    dialog.add_ref(ref)
    dialog.user_edit.setText("nobody-like-this")
    dialog.purpose_edit.setText("查阅")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.result_value is None
    assert dialog.field_errors["borrower"].text().startswith("Choose the borrower")


def test_ctrl_i_opens_the_card(qtbot, demo_desk, clerk_actor, ref, unsigned):
    demo_desk.loans.lend(clerk_actor, [ref], BorrowerInput(user_name="zhangwei"), "查阅")
    dialog = shown(qtbot, LendDialog(demo_desk, clerk_actor))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.user_edit.setFocus()
    qtbot.keyClicks(dialog.user_edit, "zhangwei")
    qtbot.keyClick(dialog.user_edit, Qt.Key.Key_Return)
    dialog.user_edit.setFocus()
    qtbot.keyClick(dialog.user_edit, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.findChild(BorrowerCard) is not None)
    card = dialog.findChild(BorrowerCard)
    assert card.data["key"] == "user:zhangwei"
    assert card.data["open_loans"] >= 1
    assert ref in [row["ref"] for row in card.data["open"]]
    assert card.history_model.rowCount() == card.data["history_count"]
    card.close()


def test_borrowers_tab_lists_visitors_in_pinyin_order_and_opens_the_card(
        qtbot, demo_desk, clerk_actor, ref, qtmodeltester):
    from desk_app.ui.loans.page import LoansPage

    for name in ("赵六", "Baker", "陈七"):
        demo_desk.loans.lend(clerk_actor, [demo_desk.archive.add_item(
            clerk_actor, title="档案", kind="BG", dept="GC", level="internal").ref],
            BorrowerInput(name=name, contact="139"), "查阅")
    page = shown(qtbot, LoansPage(demo_desk, clerk_actor), (1200, 700))
    page.tabs.setCurrentWidget(page.borrowers_holder)  # the tab is built as it is shown
    tab = page.borrowers_tab
    qtmodeltester.check(tab.model)
    names = [tab.model.index(row, 0).data() for row in range(tab.model.rowCount())]
    keys = [demo_desk.registers["borrowers"].page(clerk_actor, tab.borrower_filter(), 0, 500)]
    assert names == [row[1] for row in keys[0]]
    from desk_app.domain.pinyin import name_sort_key

    assert names == sorted(names, key=name_sort_key)  # 曾 reads zeng as a surname
    assert page.count_label.text().endswith("outside borrowers")
    assert not page.buttons["renew"].isEnabled()  # no loan selected on this tab
    tab.search_edit.setText("zhaoliu")
    tab.refresh()
    assert [tab.model.index(row, 0).data() for row in range(tab.model.rowCount())] == ["赵六"]
    tab.table.selectRow(0)
    tab.open_card()
    card = page.findChild(BorrowerCard)
    assert card is not None and card.data["name"] == "赵六" and card.editable
    card.contact_edit.setText("13700000000")
    card.save()
    assert card.saved_label.text() == "Saved."
    assert Borrower.get(Borrower.name == "赵六").contact == "13700000000"
    card.close()


def test_loans_page_opens_the_card_of_the_selected_loan(qtbot, demo_desk, clerk_actor, ref):
    from desk_app.services.loans import LoanFilter
    from desk_app.ui.loans.page import LoansPage

    demo_desk.loans.lend(clerk_actor, [ref], VISITOR, "查阅")
    page = shown(qtbot, LoansPage(demo_desk, clerk_actor), (1200, 700))
    panel = page.show_tab("open")
    rows = [panel.model.row(n) for n in range(panel.model.rowCount())]
    mine = next(n for n, row in enumerate(rows) if row["ref"] == ref)
    panel.table.selectRow(mine)
    assert page.buttons["card"].isEnabled()
    page.buttons["card"].click()
    card = page.findChild(BorrowerCard)
    assert card is not None and card.data["name"] == "欧阳娜娜"
    assert [row["ref"] for row in card.data["open"]] == [ref]
    assert card.tabs.count() == 3
    assert demo_desk.loans.count(clerk_actor, LoanFilter(open_only=True)) >= 1
    card.close()
