"""The script palette (Ctrl+K): type to search — the text, or its pinyin and initials (转接 by
``zhuanjie`` or ``zj``) — ↑/↓ to choose, Enter to copy the rendered text.

A placeholder with no value (the caller's name, the form of address…) is asked for in the
palette itself before the text is copied; Ctrl+Enter shows the text in the large-type prompter.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import reception as rules
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, current_language
from desk_app.ui.errors import show_error
from desk_app.ui.widgets.fields import FieldError
from desk_app.ui.widgets.jobs import Job

LANG_NAMES = {"zh_CN": "简体中文", "zh_TW": "繁體中文", "en": "English"}


def default_script_language() -> str:
    language = current_language()
    return language if language in rules.LANGS else "en"


def plain_text(view) -> str:
    """What typed words are looked for in, as written (lower case)."""
    return " ".join((view.key, view.title, view.text, rules.situation_label(view.situation),
                     view.situation)).lower()


def pinyin_keys(views) -> dict[tuple[str, str], str]:
    """The pinyin keys of each phrase, by (key, language): slow work for a job."""
    return {(view.key, view.lang): rules.phrase_search_keys(
        (view.title, rules.situation_label(view.situation)), (view.text,)) for view in views}


def matches(view, words: list[str], keys: str = "") -> bool:
    return rules.phrase_matches(words, plain_text(view), keys)


class PaletteDialog(QDialog):
    copied = Signal(str, str)  # key, text
    prompt = Signal(str)  # text for the prompter

    def __init__(self, desk, actor: Actor, lang: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setObjectName("script_palette")
        self.setWindowTitle(_("Phrases"))
        self.resize(640, 460)
        self.values: dict[str, str] = {}
        self.pending: str | None = None  # key waiting for missing values
        self.value_edits: dict[str, QLineEdit] = {}

        self.lang_combo = QComboBox()
        self.lang_combo.setObjectName("palette_lang")
        for code in rules.LANGS:
            self.lang_combo.addItem(LANG_NAMES[code], code)
        self.lang_combo.setCurrentIndex(max(0, self.lang_combo.findData(
            lang or default_script_language())))
        self.search = QLineEdit()
        self.search.setObjectName("palette_search")
        self.search.setPlaceholderText(_("Type to search: greet, 接听, jieting, jt…"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("palette_results")
        self.results.setWordWrap(True)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.preview = QLabel()
        self.preview.setObjectName("palette_preview")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ask_box = QWidget()
        self.ask_form = QFormLayout(self.ask_box)
        self.ask_box.hide()
        self.error = FieldError()
        hint = QLabel(_("↑/↓ choose · Enter copy · Ctrl+Enter prompter · Esc close"))
        hint.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.lang_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.preview)
        layout.addWidget(self.ask_box)
        layout.addWidget(self.error)
        layout.addWidget(hint)

        self.search.textChanged.connect(self.refilter)
        self.lang_combo.currentIndexChanged.connect(self.reload)
        self.results.currentRowChanged.connect(self._show_preview)
        self.results.itemActivated.connect(lambda _item: self.accept_current())
        self.search.installEventFilter(self)
        self.scripts: list = []
        self.keys: dict[tuple[str, str], str] = {}  # pinyin of each phrase, once computed
        self.keys_job: Job | None = None
        self.reload()

    # ---------------------------------------------------------------- data

    def lang(self) -> str:
        return self.lang_combo.currentData()

    def reload(self, *_args) -> None:
        try:
            self.scripts = self.desk.scripts.scripts(self.actor, self.lang())
            self.auto = self.desk.scripts.automatic_values(self.actor, self.lang())
        except DeskError as error:
            self.scripts, self.auto = [], {}
            show_error(self, error)
        self.cancel_values()
        self.refilter()
        self._index_pinyin()

    def _index_pinyin(self) -> None:
        """Pinyin and initials of the phrases, computed off the GUI thread (importing pypinyin
        takes a moment); until they arrive, typed words match the text as written."""
        missing = [view for view in self.scripts if (view.key, view.lang) not in self.keys]
        if not missing or (self.keys_job is not None and self.keys_job.running):
            return
        # (A failure is logged by the job; the palette then matches the text as written.)
        self.keys_job = Job(lambda _progress: pinyin_keys(missing), parent=self,
                            on_success=self._indexed, on_failure=lambda _error: None)
        self.keys_job.start()

    def _indexed(self, keys: dict[tuple[str, str], str]) -> None:
        self.keys.update(keys)
        self.keys_job = None
        if self.search.text().strip() and not self.pending:
            self.refilter()
        self._index_pinyin()  # the language changed meanwhile

    def pinyin_ready(self) -> bool:
        return all((view.key, view.lang) in self.keys for view in self.scripts)

    def refilter(self, *_args) -> None:
        words = self.search.text().lower().split()
        self.results.clear()
        for view in self.scripts:
            if matches(view, words, self.keys.get((view.key, view.lang), "")):
                item = QListWidgetItem(f"{view.title or view.key}  ·  "
                                       f"{rules.situation_label(view.situation)}")
                item.setData(Qt.ItemDataRole.UserRole, view)
                item.setToolTip(view.text)
                self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        else:
            self.preview.setText(_("No phrase matches."))
        self.cancel_values()

    def current(self):
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _show_preview(self, _row: int) -> None:
        view = self.current()
        if view is None:
            self.preview.clear()
            return
        merged = {**self.auto, **self.values}
        try:
            text = rules.render(view.text, merged)
        except rules.MissingValues:
            text = view.text
        self.preview.setText(text)

    # ---------------------------------------------------------------- keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)):
            key_event = event
            key = key_event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5,
                        Qt.Key.Key_PageUp: -5}[Qt.Key(key)]
                row = min(max(self.results.currentRow() + step, 0), self.results.count() - 1)
                self.results.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                to_prompter = bool(key_event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                self.accept_current(to_prompter)
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.pending:
            to_prompter = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.accept_current(to_prompter)
            return
        if event.key() == Qt.Key.Key_Escape and self.pending:
            self.cancel_values()
            self.search.setFocus()
            return
        super().keyPressEvent(event)

    # ---------------------------------------------------------------- copy

    def accept_current(self, to_prompter: bool = False) -> None:
        view = self.current()
        if view is None:
            return
        for name, edit in self.value_edits.items():
            widget_text = edit.text().strip()
            if widget_text:
                self.values[name] = widget_text
        missing = rules.missing_values(view.text, {**self.auto, **self.values})
        if missing:
            self.ask_for(view.key, missing)
            return
        try:
            text = self.desk.scripts.render(self.actor, view.key, self.lang(), self.values)
        except DeskError as error:
            self.error.show_message(str(error))
            return
        QApplication.clipboard().setText(text)
        self.copied.emit(view.key, text)
        if to_prompter:
            self.prompt.emit(text)
        self.values = {}
        self.accept()

    def ask_for(self, key: str, names: list[str]) -> None:
        """Show a field for each missing value; Enter in the last one copies."""
        self.cancel_values()
        self.pending = key
        for name in names:
            edit = QLineEdit()
            edit.setObjectName(f"value_{name}")
            if name == "caller_title":
                combo = QComboBox()
                combo.setEditable(True)
                combo.addItems(rules.CALLER_TITLES.get(self.lang(), ()))
                combo.setCurrentIndex(-1)
                line = combo.lineEdit()
                assert line is not None
                line.setObjectName(f"value_{name}")
                edit.deleteLater()
                edit = line
                field: QWidget = combo
            else:
                field = edit
            edit.returnPressed.connect(lambda: self.accept_current())
            self.value_edits[name] = edit
            self.ask_form.addRow(f"{{{name}}} {_(rules.PLACEHOLDERS.get(name, name))}", field)
        self.ask_box.show()
        self.error.show_message(_("Fill in the missing values, then press Enter."))
        first = self.value_edits[names[0]]
        first.setFocus()

    def cancel_values(self) -> None:
        self.pending = None
        self.value_edits = {}
        while self.ask_form.rowCount():
            self.ask_form.removeRow(0)
        self.ask_box.hide()
        self.error.clear_message()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.search.setFocus()
        self.search.selectAll()


class PrompterView(QDialog):
    """Large type for reading a phrase aloud; Esc closes."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prompter")
        self.setWindowTitle(_("Prompter"))
        self.label = QLabel(text)
        self.label.setObjectName("prompter_text")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.label.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 2.6)
        self.label.setFont(font)
        self.label.setStyleSheet("background: #111; color: #fafafa; padding: 24px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.resize(900, 360)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
