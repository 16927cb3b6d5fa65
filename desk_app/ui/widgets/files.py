"""The one way the program asks for a file: Qt's file dialog, opening where the user works.

Each kind of file (``"export"``, ``"backup"``, ``"pdf"``, …) remembers the folder it was last
taken from or saved to (QSettings ``files/<kind>``); the first time, or when that folder is
gone, the dialog opens in the user's Documents folder, made if missing::

    path = save_file_name(self, _("Export to"), "export", "loans-20261231.pdf",
                          _("PDF files (*.pdf)"))
    if not path:
        return  # cancelled

A suggested name that is already a full path (the Export dialog's field) is used as it is.

**The dialog never opens a file to draw it.** Qt's default icon provider reads a file's
first bytes to guess its type; opening and closing the SQLite database file (or its
``-wal``) from this process drops every POSIX lock the process holds on it — SQLite's
locks — so another program closing the database (``desk-app verify-pdf``, a backup, a
second desk) believes it is the last one, folds and deletes the WAL, and every later write
of this window goes into a deleted file and is lost (found in issue 15's new-user walk).
``_PlainIcons`` draws icons from the name alone; the Qt (non-native) dialog is used so that
no other dialog code reads the folder's files.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QFileInfo, QMimeDatabase, QSettings, QStandardPaths
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QFileDialog, QFileIconProvider, QWidget

log = logging.getLogger(__name__)

SETTINGS_GROUP = "files"


def documents_folder() -> Path:
    """The user's Documents folder, made if it does not exist (else the home folder)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home() / "Documents"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.warning("cannot make the documents folder %s: %s", folder, error)
        return Path.home()
    return folder


def last_folder(kind: str) -> Path | None:
    value = QSettings().value(f"{SETTINGS_GROUP}/{kind}")
    if not value:
        return None
    folder = Path(str(value))
    return folder if folder.is_dir() else None


def start_folder(kind: str) -> Path:
    """Where a dialog for ``kind`` opens: the last folder used, else Documents."""
    return last_folder(kind) or documents_folder()


def remember_folder(kind: str, path: str | Path) -> None:
    """Remember the folder of a chosen file (or a chosen folder) for the next dialog."""
    chosen = Path(path)
    folder = chosen if chosen.is_dir() else chosen.parent
    QSettings().setValue(f"{SETTINGS_GROUP}/{kind}", str(folder))


def _start(kind: str, suggested: str | Path = "") -> str:
    text = str(suggested or "")
    if text and Path(text).is_absolute():
        parent = Path(text).parent
        if parent.is_dir():
            return text
        text = Path(text).name  # its folder is gone: the name, in the usual place
    folder = start_folder(kind)
    return str(folder / text) if text else str(folder)


class _PlainIcons(QFileIconProvider):
    """A folder or a file icon, and "Folder"/"File", from the name alone (see above)."""

    def icon(self, what: object) -> QIcon:  # type: ignore[override]
        if isinstance(what, QFileInfo):
            kind = (QFileIconProvider.IconType.Folder if what.isDir()
                    else QFileIconProvider.IconType.File)
            return super().icon(kind)
        return super().icon(what)  # type: ignore[call-overload]

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return super().type(info)  # "Folder", translated; a folder is not read
        by_name = QMimeDatabase().mimeTypeForFile(info, QMimeDatabase.MatchMode.MatchExtension)
        return by_name.comment()


def make_dialog(parent: QWidget | None, title: str, start: str, filter_text: str,
                mode: QFileDialog.FileMode, accept: QFileDialog.AcceptMode,
                options: QFileDialog.Option | None = None) -> QFileDialog:
    """Qt's file dialog that reads no file of the folder it shows (see above)."""
    dialog = QFileDialog(parent, title, start, filter_text)
    dialog.setOptions((options or QFileDialog.Option(0)) | QFileDialog.Option.DontUseNativeDialog)
    icons = _PlainIcons()
    dialog.setIconProvider(icons)
    dialog.setFileMode(mode)
    dialog.setAcceptMode(accept)
    start_path = Path(start)
    if accept == QFileDialog.AcceptMode.AcceptSave and not start_path.is_dir():
        dialog.setDirectory(str(start_path.parent))
        dialog.selectFile(start_path.name)
    dialog.icons = icons  # type: ignore[attr-defined]  # kept alive with the dialog
    return dialog


def _run_dialog(parent: QWidget | None, title: str, start: str, filter_text: str,
                mode: QFileDialog.FileMode, accept: QFileDialog.AcceptMode,
                options: QFileDialog.Option | None = None) -> list[str]:
    dialog = make_dialog(parent, title, start, filter_text, mode, accept, options)
    chosen = dialog.selectedFiles() if dialog.exec() == QDialog.DialogCode.Accepted else []
    dialog.deleteLater()
    return [str(path) for path in chosen]


def save_file_name(parent: QWidget | None, title: str, kind: str, suggested: str | Path = "",
                   filter_text: str = "", confirm_overwrite: bool = True) -> str:
    """The file to write, or "" if cancelled. ``confirm_overwrite=False`` when the caller
    asks "Replace it?" itself."""
    options = QFileDialog.Option(0)
    if not confirm_overwrite:
        options |= QFileDialog.Option.DontConfirmOverwrite
    found = _run_dialog(parent, title, _start(kind, suggested), filter_text,
                        QFileDialog.FileMode.AnyFile, QFileDialog.AcceptMode.AcceptSave, options)
    path = found[0] if found else ""
    if path:
        remember_folder(kind, path)
    return str(path)


def open_file_name(parent: QWidget | None, title: str, kind: str,
                   filter_text: str = "") -> str:
    """An existing file to read, or "" if cancelled."""
    found = _run_dialog(parent, title, _start(kind), filter_text,
                        QFileDialog.FileMode.ExistingFile, QFileDialog.AcceptMode.AcceptOpen)
    path = found[0] if found else ""
    if path:
        remember_folder(kind, path)
    return str(path)


def open_file_names(parent: QWidget | None, title: str, kind: str,
                    filter_text: str = "") -> list[str]:
    """Existing files to read (none if cancelled)."""
    paths = _run_dialog(parent, title, _start(kind), filter_text,
                        QFileDialog.FileMode.ExistingFiles, QFileDialog.AcceptMode.AcceptOpen)
    if paths:
        remember_folder(kind, paths[0])
    return [str(path) for path in paths]
