"""Reception page, keyboard only: greet a visitor and answer a call through the palette, log
both, see a late reply's timeout level."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desk_app.domain.reception import Channel, Level
from desk_app.ui.reception.page import ReceptionPage


def activate(qtbot, widget) -> None:
    """Make ``widget``'s window the active one (shortcuts need it). An earlier test can leave
    the offscreen application inactive; then the window is activated directly."""
    window = widget.window()
    window.activateWindow()
    try:
        qtbot.waitUntil(window.isActiveWindow, timeout=1000)
    except Exception:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            QApplication.setActiveWindow(window)
        qtbot.waitUntil(window.isActiveWindow)


def shown_page(qtbot, desk, actor) -> Iterator[ReceptionPage]:
    """The page on screen, its window active; the timer stops afterwards."""
    widget = ReceptionPage(desk, actor)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    activate(qtbot, widget)
    yield widget
    widget.timer.stop()


@pytest.fixture
def page(qtbot, demo_desk, clerk_actor) -> Iterator[ReceptionPage]:
    yield from shown_page(qtbot, demo_desk, clerk_actor)


def key_on_page(qtbot, page: ReceptionPage, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key pressed where the focus is on the page (its window active again)."""
    activate(qtbot, page)
    target = QApplication.focusWidget()
    if target is None or not page.isAncestorOf(target):
        target = page.now_tab.table
        target.setFocus()
    qtbot.keyClick(target, key, modifier)


def palette_copy(qtbot, page: ReceptionPage, query: str):
    key_on_page(qtbot, page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = page.palette
    assert palette is not None
    qtbot.waitUntil(palette.isVisible)
    activate(qtbot, palette)
    qtbot.waitUntil(lambda: palette.search.hasFocus())
    qtbot.keyClicks(palette.search, query)
    return palette


def test_greet_a_visitor_and_answer_a_call_without_the_mouse(qtbot, page, demo_desk,
                                                             clerk_actor, clock):
    QApplication.clipboard().clear()
    # A visitor arrives: F2, type the name, Enter.
    key_on_page(qtbot, page, Qt.Key.Key_F2)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    activate(qtbot, dialog)
    name = dialog.widgets["name"]
    name.setFocus()
    qtbot.keyClicks(name, "Li Lei")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    visitor = demo_desk.visits.current_visitors(clerk_actor)[-1]
    assert visitor.name == "Li Lei" and visitor.answered_at is None
    assert page.selected_visit().id == visitor.id

    # Greet: Ctrl+K, "greet", Enter copies the rendered text and answers the visitor.
    palette = palette_copy(qtbot, page, "greeting a visitor")
    with qtbot.waitSignal(palette.copied):
        qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    text = QApplication.clipboard().text()
    assert "welcome to 示例物业服务有限公司" in text and "{" not in text
    assert demo_desk.visits.get_visit(clerk_actor, visitor.id).answered_at is not None

    # The phone rings: F3 starts the entry; 12 s later the clerk answers through the palette.
    key_on_page(qtbot, page, Qt.Key.Key_F3)
    call = demo_desk.visits.active(clerk_actor)[-1]
    assert call.channel is Channel.PHONE_IN and page.selected_visit().id == call.id
    clock.advance(seconds=12)
    palette = palette_copy(qtbot, page, "answering a call")
    with qtbot.waitSignal(palette.copied):
        qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert "customer service, 王芳 speaking" in QApplication.clipboard().text()
    answered = demo_desk.visits.get_visit(clerk_actor, call.id)
    assert answered.answered_at == clock.now() and answered.timeout_level is Level.MINOR

    # A phrase with missing values asks for them before copying.
    palette = palette_copy(qtbot, page, "not available")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "caller_title" in palette.value_edits)
    title = palette.value_edits["caller_title"]
    qtbot.waitUntil(title.hasFocus)
    qtbot.keyClicks(title, "Ms")
    qtbot.keyClick(title, Qt.Key.Key_Tab)
    caller = palette.value_edits["caller"]
    qtbot.waitUntil(caller.hasFocus)
    qtbot.keyClicks(caller, "Wang")
    with qtbot.waitSignal(palette.copied):
        qtbot.keyClick(caller, Qt.Key.Key_Return)
    assert QApplication.clipboard().text().startswith("Ms Wang, my colleague")

    # A late reply: 11 minutes without resolution show a moderate timeout on the timer row.
    clock.advance(minutes=11)
    page.tick()
    row = [v.id for v in page.now_tab.views].index(call.id)
    assert page.now_tab.model.index(row, 8).data() == "moderate timeout"

    # End the call (F7) with a result; Ctrl+Enter saves the form.
    page.select_visit(call.id)
    key_on_page(qtbot, page, Qt.Key.Key_F7)
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    activate(qtbot, dialog)
    result = dialog.widgets["result"]
    result.setFocus()
    qtbot.keyClicks(result, "Explained the parking fees")
    qtbot.keyClick(result, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    closed = demo_desk.visits.get_visit(clerk_actor, call.id)
    assert closed.ended_at is not None and closed.timeout_level is Level.MODERATE
    assert call.id not in [v.id for v in page.now_tab.views]


def test_palette_filters_moves_with_arrows_and_escape_closes(qtbot, page):
    palette = palette_copy(qtbot, page, "farewell")
    assert palette.results.count() == 3  # plain, by name, with the holiday's wish
    qtbot.keyClick(palette.search, Qt.Key.Key_Down)
    assert palette.results.currentRow() == 1
    qtbot.keyClick(palette.search, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not palette.isVisible())


def test_library_flags_unknown_placeholders_and_forbidden_phrases(qtbot, demo_desk,
                                                                  admin_actor):
    page = ReceptionPage(demo_desk, admin_actor)
    qtbot.addWidget(page)
    page.library_tab.editor.setPlainText("{caler}，这个我不清楚")
    assert "{caler}" in page.library_tab.flags.text() and "不清楚" in page.library_tab.flags.text()
    page.library_tab.editor.setPlainText("{company}欢迎您")
    page.library_tab.save()
    assert "(v2)" in page.library_tab.list.currentItem().text()


def test_the_call_back_form_masks_the_password_and_enter_tries_it_once(qtbot, page, demo_desk,
                                                                        clerk_actor, tmp_path,
                                                                        monkeypatch):
    """A wrong password typed and confirmed with Enter is one attempt (it used to save twice
    and count two failures), shown masked, and the file is asked about before signing."""
    from PySide6.QtWidgets import QLineEdit, QMessageBox

    from desk_app.store.models import AuditEntry

    page.refresh()
    page.callbacks_tab.table.selectRow(0)
    dialog = page.callbacks_tab.form_pdf()
    password = dialog.widgets["password"]
    assert isinstance(password, QLineEdit)
    assert password.echoMode() == QLineEdit.EchoMode.Password
    out = tmp_path / "callback.pdf"
    dialog.widgets["file"].setText(str(out))
    failures = AuditEntry.select().where(AuditEntry.action == "auth.sign_failed").count()
    password.setText("not-the-password")
    password.setFocus()
    boxes = []
    monkeypatch.setattr("desk_app.ui.widgets.form_dialog.show_error",
                        lambda parent, error: boxes.append(str(error)))
    qtbot.keyClick(password, Qt.Key.Key_Return)
    assert AuditEntry.select().where(AuditEntry.action == "auth.sign_failed").count() == failures + 1
    assert len(boxes) == 1 and boxes[0].startswith("Wrong password")
    assert dialog.isVisible() and not out.exists()

    out.write_bytes(b"an older form")
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: answers.pop(0))
    password.setText("demo1234")
    qtbot.keyClick(password, Qt.Key.Key_Return)  # "replace?" — No: nothing signed
    assert dialog.isVisible() and out.read_bytes() == b"an older form"
    assert "exists already" in dialog.errors["file"].text()
    assert not AuditEntry.select().where(AuditEntry.action == "callback.sign").exists()
    qtbot.keyClick(password, Qt.Key.Key_Return)  # Yes: signed once, written
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert out.read_bytes().startswith(b"%PDF")
    assert AuditEntry.select().where(AuditEntry.action == "callback.sign").count() == 1


def test_f3_on_reception_starts_a_call_though_the_loans_page_also_has_f3(qtbot, demo_desk,
                                                                        clerk_actor):
    """The Loans page's F3 (take back) is a window shortcut too; a hidden page's shortcuts
    do not fire, so on the Reception page F3 still starts a phone call."""
    from desk_app.ui.loans.circulation import CHECK_IN
    from desk_app.ui.main_window import MainWindow

    window = MainWindow(demo_desk, clerk_actor, idle_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    loans = window.show_area("loans")
    page = window.show_area("reception")
    assert isinstance(page, ReceptionPage) and not loans.isVisible()
    calls = len(demo_desk.visits.active(clerk_actor))
    key_on_page(qtbot, page, Qt.Key.Key_F3)
    active = demo_desk.visits.active(clerk_actor)
    assert len(active) == calls + 1 and active[-1].channel is Channel.PHONE_IN
    assert loans.circulation.mode != CHECK_IN
    window.show_area("loans")
    key_on_page(qtbot, loans, Qt.Key.Key_F3)  # and on the Loans page it takes back
    assert loans.circulation.mode == CHECK_IN
    page.timer.stop()
