"""The one way the program asks for a file: Qt's file dialog, opening where the user works.

Each kind of file (``"export"``, ``"backup"``, ``"pdf"``, …) remembers the folder it was last
taken from or saved to (QSettings ``files/<kind>``); the first time, or when that folder is
gone, the dialog opens in the user's Documents folder, made if missing::

    path = save_file_name(self, _("Export to"), "export", "loans-20261231.pdf",
                          _("PDF files (*.pdf)"))
    if not path:
        return  # cancelled

A suggested name that is already a full path (the Export dialog's field) is used as it is.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

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


def save_file_name(parent: QWidget | None, title: str, kind: str, suggested: str | Path = "",
                   filter_text: str = "", confirm_overwrite: bool = True) -> str:
    """The file to write, or "" if cancelled. ``confirm_overwrite=False`` when the caller
    asks "Replace it?" itself."""
    options = QFileDialog.Option(0)
    if not confirm_overwrite:
        options |= QFileDialog.Option.DontConfirmOverwrite
    path, _filter = QFileDialog.getSaveFileName(parent, title, _start(kind, suggested),
                                                filter_text, options=options)
    if path:
        remember_folder(kind, path)
    return str(path)


def open_file_name(parent: QWidget | None, title: str, kind: str,
                   filter_text: str = "") -> str:
    """An existing file to read, or "" if cancelled."""
    path, _filter = QFileDialog.getOpenFileName(parent, title, _start(kind), filter_text)
    if path:
        remember_folder(kind, path)
    return str(path)


def open_file_names(parent: QWidget | None, title: str, kind: str,
                    filter_text: str = "") -> list[str]:
    """Existing files to read (none if cancelled)."""
    paths, _filter = QFileDialog.getOpenFileNames(parent, title, _start(kind), filter_text)
    if paths:
        remember_folder(kind, paths[0])
    return [str(path) for path in paths]
