"""Files a user asks for — exports, reports, forms, backups, the CA certificate.

One order for all of them, so a record always says what really happened (R16):

1. ``check_target``: a clear message before any work if the file may not be written — never
   the open database (nor its ``-wal``/``-shm``/``-journal``, nor a link to it), never an
   existing file unless the user forces it, never a folder.
2. The caller checks what could still refuse (e.g. the signing password) and writes into
   ``FILE.<random>.partial`` (``OutputFile``), which nobody mistakes for a finished file.
3. ``publish``: the audit entry, carrying the file's SHA-256, and the rename to ``FILE`` in
   one transaction — never over a file another desk wrote meanwhile, unless the user asked
   to replace it. A failure, a cancel or a wrong password before this point leaves no
   file and no entry.

A killed process leaves its ``.partial`` behind; every in-flight partial is listed in the
user's state folder, and the next start removes those whose process is gone
(``clean_stale_partials``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.domain.errors import TargetExists, ValidationError
from desk_app.i18n import _
from desk_app.paths import state_dir
from desk_app.store.db import database_proxy, open_database_files

if TYPE_CHECKING:
    from desk_app.domain.users import Actor
    from desk_app.services.base import Service

log = logging.getLogger(__name__)
PARTIAL_SUFFIX = ".partial"


def _registry() -> Path:
    return state_dir() / "partials"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_target(out: Path | str, *, force: bool = False, field: str = "out") -> Path:
    """The path to write, or a ValidationError before anything is written."""
    text = str(out).strip()
    if not text:
        raise ValidationError(_("Give a file name."), field)
    path = Path(text).expanduser()
    if "\x00" in text:
        raise ValidationError(_("The file name contains a NUL character."), field)
    absolute = Path(os.path.abspath(path))
    database = open_database_files(database_proxy.obj if database_proxy.obj else None)
    for protected in database:
        if absolute == Path(os.path.abspath(protected)) or _same_file(path, protected) or (
                path.is_symlink() and Path(os.path.realpath(path)) == Path(os.path.realpath(protected))):
            raise ValidationError(
                _("{path} is the open database; choose another file.").format(path=path), field)
    if path.is_dir():
        raise ValidationError(_("{path} is a folder; give a file name.").format(path=path), field)
    parent = absolute.parent
    if not parent.is_dir():
        raise ValidationError(_("The folder {folder} does not exist.").format(folder=parent), field)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValidationError(_("Cannot write to {folder}.").format(folder=parent), field)
    if (path.exists() or path.is_symlink()) and not force:
        raise TargetExists(_("{path} exists already.").format(path=path), field, path)
    return path


@dataclass(frozen=True)
class Published:
    path: Path
    sha256: str
    size: int


class OutputFile:
    """``FILE.<random>.partial`` while it is written; removed again unless published.

    with OutputFile(target, replace=force) as output:
        write(output.partial)
        output.publish(service, actor, "export.loans", "loan", {...})

    Each writer has a partial of its own: two desks writing the same file name in a shared
    folder at once never write into one another's. ``replace``: the user allowed an existing
    file to be replaced; otherwise a file that appeared there since ``check_target`` (another
    desk's) is never overwritten — the publish is refused and nothing is recorded.
    """

    def __init__(self, target: Path, replace: bool = False) -> None:
        self.target = target
        self.replace = replace
        self.partial = target.with_name(f"{target.name}.{uuid.uuid4().hex[:12]}{PARTIAL_SUFFIX}")
        self._entry: Path | None = None
        self.published: Published | None = None

    def __enter__(self) -> OutputFile:
        self._entry = _register(self.partial)
        self.partial.unlink(missing_ok=True)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.partial.unlink(missing_ok=True)
        if self._entry is not None:
            self._entry.unlink(missing_ok=True)

    def digest(self) -> tuple[str, int]:
        sha = hashlib.sha256()
        size = 0
        with self.partial.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                sha.update(chunk)
                size += len(chunk)
        return sha.hexdigest(), size

    def publish(self, service: Service, actor: Actor | str, action: str, entity: str,
                details: dict[str, Any], entity_id: Any = None) -> Published:
        """Record the finished file (with its hash) and give it its name, in one transaction."""
        sha, size = self.digest()
        renamed = False
        try:
            with service.write() as tx:
                tx.audit(actor, action, entity, entity_id,
                         after={**details, "file": str(self.target), "sha256": sha, "bytes": size})
                self._rename()  # a failed rename undoes the entry
                renamed = True
        except BaseException:
            if renamed:  # the commit failed after the rename: no file without its record
                self.target.unlink(missing_ok=True)
            raise
        self.published = Published(self.target, sha, size)
        return self.published


    def _rename(self) -> None:
        """The partial becomes the target: replacing it only when allowed. Without
        ``replace`` a hard link claims the name atomically (it fails if the name is taken);
        where links are not supported (FAT, some network shares) the check and the rename
        are two steps."""
        if self.replace:
            os.replace(self.partial, self.target)
            return
        try:
            os.link(self.partial, self.target)
        except FileExistsError:
            raise self._taken() from None
        except OSError:
            if self.target.exists() or self.target.is_symlink():
                raise self._taken() from None
            os.replace(self.partial, self.target)
            return
        self.partial.unlink()

    def _taken(self) -> TargetExists:
        return TargetExists(_("{path} was written meanwhile, by another program or desk; "
                              "nothing was replaced.").format(path=self.target), "out",
                            self.target)


def save_bytes(out: Path | str, data: bytes, *, force: bool = False) -> Path:
    """Write a copy of something already recorded (a signed form, a preview) safely:
    the same target rules, through a ``.partial``; nothing is audited."""
    path = check_target(out, force=force, field="file")
    with OutputFile(path, replace=force) as output:
        try:
            output.partial.write_bytes(data)
            output._rename()
        except OSError as error:
            raise ValidationError(_("Cannot write {path}: {reason}").format(
                path=path, reason=error.strerror or error), "file") from None
    return path


def _register(partial: Path) -> Path | None:
    """Note an in-flight partial so a later start can remove it if this process dies."""
    folder = _registry()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        entry = folder / f"{os.getpid()}-{uuid.uuid4().hex}.json"
        entry.write_text(json.dumps({"pid": os.getpid(), "path": str(Path(os.path.abspath(partial)))}))
        return entry
    except OSError as error:  # a read-only home must not stop an export
        log.warning("cannot note the partial file %s: %s", partial, error)
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_partials() -> list[Path]:
    """Remove partial files left by processes that are gone (killed mid-export/backup)."""
    folder = _registry()
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.glob("*.json"):
        try:
            noted = json.loads(entry.read_text())
            pid, partial = int(noted["pid"]), Path(noted["path"])
        except (OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                entry.unlink()
            continue
        if pid == os.getpid() or _alive(pid):
            continue  # still being written
        if partial.name.endswith(PARTIAL_SUFFIX) and partial.exists():
            with contextlib.suppress(OSError):
                partial.unlink()
                removed.append(partial)
                log.info("removed %s left by process %s", partial, pid)
        with contextlib.suppress(OSError):
            entry.unlink()
    return removed
