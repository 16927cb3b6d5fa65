"""Anchors of the audit trail outside the database (R16): this desk's checkpoint files and
the chain heads signed PDFs carry.

**Checkpoint files.** Each desk (process) appends a line to
``paths.checkpoint_dir() / <database id>.jsonl`` — the chain's head (sequence number, hash,
the head entry's time), the database's identity, this machine's wall time, the reason — at
each sign-in or unlock, after a backup or a restore, and whenever one of its own writes
takes the chain into a new block of ``CHECKPOINT_EVERY`` entries. ``Service.write`` calls
``CheckpointRecorder.committed`` after the commit with what the append returned: no query,
and a failure to write the file is logged, never raised into the user's action. Someone holding a copy of
the database does not hold these files: removing entries from the end, rewriting the chain
or appending back-dated entries shows when the chain is verified against them
(``AuditService.verify``).

The file stays small: past ``COMPACT_BYTES`` it is rewritten with the newest ``KEEP_LINES``
checkpoints plus the one with the highest sequence number (the one that catches a trail
shortened and then written on again).

**Signed PDFs.** Register exports and signed checkpoints carry ``/DeskAuditHead``
(``"seq:hash"``) and ``/DeskDatabaseId`` in their document information, covered by the
signature (forms.checkpoint); ``anchors_in`` reads either kind of file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from desk_app.domain.audit import CHECKPOINT_EVERY, RESTORE_ACTION, Anchor, AnchorKind
from desk_app.domain.clock import iso_utc
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.paths import checkpoint_dir

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
COMPACT_BYTES = 512 * 1024
KEEP_LINES = 1000
# Actions after which a checkpoint is written whatever the sequence number: a session begins
# or resumes, a backup is taken, the database was replaced by a restore.
CHECKPOINT_ACTIONS = frozenset({"auth.login", "auth.unlock", "backup.create", RESTORE_ACTION})


def checkpoint_file(database_id: str, folder: Path | None = None) -> Path:
    return (folder or checkpoint_dir()) / f"{database_id}.jsonl"


def _wall_now() -> str:
    """This machine's clock (not the standard clock): when the desk saw the head."""
    return iso_utc(datetime.now(UTC).replace(tzinfo=None))


class CheckpointRecorder:
    """Writes this desk's checkpoints for one database; safe to call from any thread."""

    def __init__(self, database_id: str, location: str,
                 folder: Callable[[], Path] = checkpoint_dir,
                 identity: Callable[[], str] | None = None) -> None:
        self.database_id = database_id
        self.location = location
        self._folder = folder
        self._identity = identity  # read again after a restore: the content was replaced
        self._lock = threading.Lock()
        self._last_seq: int | None = None
        self.desk = f"{socket.gethostname()}:{os.getpid()}"

    @property
    def path(self) -> Path:
        return checkpoint_file(self.database_id, self._folder())

    def committed(self, seq: int, hash: str, at: str, action: str) -> None:
        """An entry was committed by this desk: note the head when it is time to."""
        with self._lock:
            last = self._last_seq
            if action in CHECKPOINT_ACTIONS:
                reason = action
            elif last is None or seq // CHECKPOINT_EVERY != last // CHECKPOINT_EVERY:
                reason = f"every {CHECKPOINT_EVERY}"
            else:
                return
            self._last_seq = seq
            try:
                if action == RESTORE_ACTION and self._identity is not None:
                    self.database_id = self._identity()
                self._write(seq, hash, at, reason)
            except Exception as error:  # never the user's action's problem
                log.warning("cannot write the audit checkpoint %s: %s", self.path, error)

    def _write(self, seq: int, hash: str, at: str, reason: str) -> None:
        line = json.dumps({
            "v": FORMAT_VERSION, "database_id": self.database_id, "seq": seq, "hash": hash,
            "at": at, "written_at": _wall_now(), "reason": reason, "desk": self.desk,
            "location": self.location,
        }, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one short line in append mode: desks of the same user sharing the
        # file do not interleave within a line (a torn line is skipped when read).
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line)
        if path.stat().st_size > COMPACT_BYTES:
            _compact(path)


def _compact(path: Path) -> None:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
             if line.strip()]
    parsed = [(_seq_of(line), index) for index, line in enumerate(lines)]
    best = max(parsed, default=(-1, -1))[1]
    keep = set(range(max(0, len(lines) - KEEP_LINES), len(lines))) | {best}
    temporary = path.with_name(path.name + ".compact")
    temporary.write_text("".join(lines[index] for index in sorted(keep) if index >= 0),
                         encoding="utf-8")
    os.replace(temporary, path)


def _seq_of(line: str) -> int:
    try:
        return int(json.loads(line)["seq"])
    except (ValueError, KeyError, TypeError):
        return -1


# --------------------------------------------------------------------------- reading


def read_checkpoints(path: Path) -> list[Anchor]:
    """The checkpoints of a file; damaged lines (a torn write) are skipped. A file with none
    → ValidationError."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise ValidationError(_("No file at {path}.").format(path=path), "anchor") from None
    except OSError as error:
        raise ValidationError(_("Cannot read {path}: {reason}").format(
            path=path, reason=error.strerror or error), "anchor") from None
    anchors: list[Anchor] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchors.append(Anchor(
                seq=int(data["seq"]), hash=str(data["hash"]),
                database_id=str(data["database_id"]), kind=AnchorKind.CHECKPOINT,
                source=f"{path}:{number}", at=data.get("at"),
                recorded_at=data.get("written_at"), by=str(data.get("desk") or ""),
                location=str(data.get("location") or "")))
        except (ValueError, KeyError, TypeError):
            log.warning("skipped a damaged checkpoint line %s:%s", path, number)
    if not anchors and text.strip():
        raise ValidationError(_("{path} is neither a checkpoint file nor a signed PDF.").format(
            path=path), "anchor")
    return anchors


def read_signed_head(path: Path, data: bytes, trusted_ca_pem: bytes) -> Anchor:
    """The chain head a signed PDF carries. A PDF without one → ValidationError; one whose
    signatures do not hold (changed, not by this database's CA) is an anchor with a
    ``problem``: the verdict says so rather than stopping the check."""
    from desk_app.forms.checkpoint import audit_head_of
    from desk_app.forms.verify import verify_pdf
    from desk_app.services.exports import database_revocations

    head = audit_head_of(data)
    if head is None:
        raise ValidationError(_("{path} carries no audit chain head that can be read (a PDF "
                                "made before chain heads were recorded, or not a signed "
                                "export or checkpoint).").format(path=path), "anchor")
    report = verify_pdf(data, trusted_ca_pem, revoked=database_revocations())
    problem = "" if report.ok else "; ".join(report.problems) or _("not valid")
    signed = report.signatures[-1] if report.signatures else None
    return Anchor(
        seq=head.seq, hash=head.hash, database_id=head.database_id, kind=AnchorKind.SIGNED,
        source=str(path), at=head.at,
        recorded_at=iso_utc(signed.signed_at.astimezone(UTC).replace(tzinfo=None))
        if signed and signed.signed_at else None,
        by=signed.signer_user if signed else "", problem=problem)


def anchors_in(path: Path, trusted_ca_pem: Callable[[], bytes]) -> list[Anchor]:
    """Every anchor a file holds: a checkpoint file's lines, or a signed PDF's head."""
    path = path.expanduser()
    if path.is_dir():
        raise ValidationError(_("{path} is a folder; give a file name.").format(path=path),
                              "anchor")
    try:
        with path.open("rb") as handle:
            start = handle.read(1024)
    except FileNotFoundError:
        raise ValidationError(_("No file at {path}.").format(path=path), "anchor") from None
    except OSError as error:
        raise ValidationError(_("Cannot read {path}: {reason}").format(
            path=path, reason=error.strerror or error), "anchor") from None
    if start.lstrip().startswith(b"%PDF-"):
        return [read_signed_head(path, path.read_bytes(), trusted_ca_pem())]
    return read_checkpoints(path)


def own_checkpoints(database_id: str) -> tuple[Path, list[Anchor]]:
    """This desk's checkpoint file for the database and what it holds (none yet: empty)."""
    path = checkpoint_file(database_id)
    if not path.exists():
        return path, []
    with contextlib.suppress(ValidationError):
        return path, [replace(anchor, implicit=True) for anchor in read_checkpoints(path)]
    return path, []
