"""File dialogs (issue 14): Qt's own dialog fully in Chinese, opening in Documents (made if
missing) or the folder last used for that kind of file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QFileInfo
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QLabel, QPushButton

from desk_app.ui.language import apply_language
from desk_app.ui.widgets import files
from tests.gui.conftest import shown


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A home folder without Documents (XDG: Documents is $HOME/Documents)."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    return folder


def test_documents_is_made_if_missing(home) -> None:
    documents = files.documents_folder()
    assert documents == home / "Documents" and documents.is_dir()
    assert files.start_folder("export") == documents


def test_the_last_folder_is_remembered_per_kind(home, tmp_path) -> None:
    chosen = tmp_path / "exports"
    chosen.mkdir()
    files.remember_folder("export", chosen / "loans.pdf")
    assert files.start_folder("export") == chosen
    assert files.start_folder("backup") == home / "Documents"  # another kind: its own
    assert files._start("export", "loans.csv") == str(chosen / "loans.csv")
    # A full path is kept; one whose folder went away falls back to the usual place.
    assert files._start("export", str(chosen / "x.pdf")) == str(chosen / "x.pdf")
    assert files._start("export", str(tmp_path / "gone" / "x.pdf")) == str(chosen / "x.pdf")
    chosen.rmdir()
    assert files.start_folder("export") == home / "Documents"


def _label(dialog: QFileDialog, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    assert label is not None
    return label.text()


@pytest.mark.parametrize(("language", "look_in", "file_type", "folder"), [
    ("zh_CN", "查找范围(&L)：", "文件类型(&T)：", "文件夹"),
    ("zh_TW", "尋找於(&L)：", "檔案型態(&T)：", "資料夾"),
])
def test_qt_file_dialog_is_fully_chinese(qtbot, tmp_path, language, look_in, file_type,
                                         folder) -> None:
    """Qt's zh catalogues are Qt 5's: "&Look in:", "Files of &type:" and the file kinds
    came out in English until language.QtSupplement answered them."""
    apply_language(language)
    dialog = QFileDialog(None, "", str(tmp_path))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    shown(qtbot, dialog)
    assert _label(dialog, "lookInLabel") == look_in
    assert _label(dialog, "fileTypeLabel") == file_type
    assert _label(dialog, "fileNameLabel").startswith("文件名称" if language == "zh_CN"
                                                      else "檔名")
    assert QFileIconProvider().type(QFileInfo(str(tmp_path))) == folder
    buttons = [button.text() for button in dialog.findChildren(QPushButton)
               if button.isVisibleTo(dialog)]
    assert buttons and not any(text.isascii() for text in buttons), buttons
    apply_language("en")
    assert QFileIconProvider().type(QFileInfo(str(tmp_path))) == "Folder"


def _locks_held(path: Path) -> int:
    """POSIX locks this process holds on ``path``: /proc/locks lines read
    "1: POSIX  ADVISORY  READ <pid> <major>:<minor>:<inode> <start> <end>"."""
    import os

    inode, pid = os.stat(path).st_ino, str(os.getpid())
    with open("/proc/locks") as table:
        return sum(1 for line in table
                   if len(parts := line.split()) > 5 and parts[1] == "POSIX"
                   and parts[4] == pid and parts[5].endswith(f":{inode}"))


def test_the_dialog_does_not_drop_the_databases_locks(qtbot, tmp_path) -> None:
    """Qt's default icon provider opened and closed each file of the folder shown, the open
    database included — and closing any descriptor of a file drops every POSIX lock the
    process holds on it: SQLite's. Another program closing the database then deleted the
    WAL under the running window, whose later writes were lost (issue 15's walk)."""
    import sqlite3
    import time

    from PySide6.QtWidgets import QApplication

    database = tmp_path / "desk.db"
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (a)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    connection.execute("SELECT * FROM t").fetchall()
    before = _locks_held(database)
    assert before >= 1  # the WAL read lock (shared-memory file) and the database's own
    dialog = files.make_dialog(None, "", str(tmp_path), "", QFileDialog.FileMode.AnyFile,
                               QFileDialog.AcceptMode.AcceptSave)
    shown(qtbot, dialog)
    end = time.monotonic() + 1.5
    while time.monotonic() < end:  # the folder is listed and its icons drawn meanwhile
        QApplication.processEvents()
        time.sleep(0.02)
    assert _locks_held(database) == before
    dialog.close()
    connection.close()
