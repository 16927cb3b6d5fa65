"""The "Phrase library" tab: the scripts of one language, their versions, and the editor that
flags unknown placeholders and phrases not to use as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import reception as rules
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.services.reception import check_text
from desk_app.ui.reception.common import Host, time_text
from desk_app.ui.reception.palette import LANG_NAMES, default_script_language


def _column(*widgets: tuple[QWidget, int]) -> QWidget:
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    for widget, stretch in widgets:
        column.addWidget(widget, stretch)
    return holder


class LibraryTab(QSplitter):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.lang = QComboBox()
        self.lang.setObjectName("library_lang")
        for code in rules.LANGS:
            self.lang.addItem(LANG_NAMES[code], code)
        self.lang.setCurrentIndex(self.lang.findData(default_script_language()))
        self.list = QListWidget()
        self.list.setObjectName("library_list")
        self.title = QLineEdit()
        self.title.setObjectName("script_title")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("script_editor")
        self.editor.setReadOnly(not host.can_edit)
        self.flags = QLabel()
        self.flags.setObjectName("script_flags")
        self.flags.setWordWrap(True)
        self.flags.setStyleSheet("color: #8a5a00;")
        placeholders = ", ".join("{" + name + "}" for name in rules.PLACEHOLDERS)
        help_label = QLabel(_("Placeholders: {names}. {{name|text}} uses the text when no value "
                              "is given.").format(names=placeholders))
        help_label.setWordWrap(True)
        help_label.setEnabled(False)
        self.history = QListWidget()
        self.history.setObjectName("script_history")
        self.save_button = QPushButton(_("Save as new version"))
        self.save_button.setObjectName("save_script")
        self.save_button.setVisible(host.can_edit)
        self.save_button.clicked.connect(lambda _c=False: host.run(self.save))
        self.addWidget(_column((self.lang, 0), (self.list, 1)))
        self.addWidget(_column((self.title, 0), (self.editor, 2), (self.flags, 0),
                               (help_label, 0), (self.save_button, 0),
                               (QLabel(_("Versions")), 0), (self.history, 1)))
        self.setStretchFactor(1, 2)
        self.setSizes([360, 700])  # the list wide enough for "situation · title (vN)"
        self.lang.currentIndexChanged.connect(lambda _i: host.run(self.load))
        self.list.currentRowChanged.connect(lambda _r: host.run(self.show_script))
        self.editor.textChanged.connect(self.flag_editor)

    def load(self) -> None:
        host = self.host
        current = self.list.currentItem()
        key = current.data(Qt.ItemDataRole.UserRole).key if current else None
        self.list.blockSignals(True)
        self.list.clear()
        for view in host.desk.scripts.scripts(host.actor, self.lang.currentData()):
            item = QListWidgetItem(f"{rules.situation_label(view.situation)} · "
                                   f"{view.title or view.key}  (v{view.version})")
            item.setData(Qt.ItemDataRole.UserRole, view)
            self.list.addItem(item)
            if view.key == key:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.show_script()

    def refresh(self) -> None:
        if self.list.count() == 0:
            self.load()

    def show_script(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        view = item.data(Qt.ItemDataRole.UserRole)
        self.title.setText(view.title)
        self.editor.setPlainText(view.text)
        self.history.clear()
        for old in self.host.desk.scripts.history(self.host.actor, view.key, view.lang):
            self.history.addItem(_("v{version}  {time}  {user}: {text}").format(
                version=old.version, time=time_text(old.created_at), user=old.created_by,
                text=old.text))

    def flag_editor(self) -> None:
        text = self.editor.toPlainText()
        problems: list[str] = []
        try:
            unknown = rules.unknown_placeholders(text)
            if unknown:
                problems.append(_("Unknown placeholder: {names}").format(
                    names=", ".join("{" + n + "}" for n in unknown)))
        except ValidationError as error:
            problems.append(str(error))
        problems += [_("Avoid “{found}”: {suggestion}").format(found=f.found,
                                                               suggestion=f.suggestion)
                     for f in check_text(text, self.lang.currentData())]
        self.flags.setText("\n".join(problems))
        self.flags.setVisible(bool(problems))

    def save(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        view = item.data(Qt.ItemDataRole.UserRole)
        self.host.desk.scripts.save_script(self.host.actor, view.key, view.lang,
                                             self.editor.toPlainText(), self.title.text())
        self.load()
