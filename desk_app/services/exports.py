"""Auditor exports (R16): any register over a period as CSV or as a signed PDF.

A PDF export carries the audit chain's head at the time of export — printed, and as
``/DeskAuditHead`` in its document information (forms.checkpoint) — so a later rewrite or
shortening of the chain is caught against it (``audit verify --anchor``), and it is signed
(PAdES) by the exporting user.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from desk_app.domain.errors import ValidationError
from desk_app.domain.roles import role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.base import Service
from desk_app.services.registers import FORMATS, Period, RegisterSource
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store import audit_chain
from desk_app.store.db import is_postgresql

Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    head_seq: int
    head_hash: str


def check_target(out: Path, fmt: str, formats: tuple[str, ...] = FORMATS,
                 force: bool = False) -> Path:
    """The output file of an export, or a ValidationError before anything is written."""
    if fmt not in formats:
        raise ValidationError(_("Unknown format {fmt}: use {choices}.").format(
            fmt=fmt, choices=", ".join(formats)), "format")
    return output.check_target(out, force=force)


def write_failed(out: Path, error: OSError) -> ValidationError:
    """A full disk or a vanished folder while writing: a clear message, nothing kept."""
    return ValidationError(_("Cannot write {path}: {reason}").format(
        path=out, reason=error.strerror or error), "out")


def exporter_text(actor: Actor) -> str:
    return f"{actor.display_name} ({actor.name})"


def period_text(since: date | None, until: date | None) -> str:
    return "{} – {}".format(since.isoformat() if since else _("beginning"),
                            until.isoformat() if until else _("today"))


def counting(rows: Iterator[list[str]], total: int, progress: Progress | None,
             every: int = 2000) -> Iterator[list[str]]:
    """Pass rows through, reporting progress; a False from ``progress`` cancels."""
    for done, row in enumerate(rows, start=1):
        if progress and done % every == 0 and progress(done, total) is False:
            raise InterruptedError
        yield row


def write_table(path: Path, fmt: str, title: str, header: list[str],
                rows: Iterator[list[str]]) -> None:
    """CSV (UTF-8 with BOM, for Excel) or a streamed, write-only XLSX: memory stays flat."""
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    try:
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    except BaseException:
        sheet.close()  # a cancel mid-way: end the sheet's stream (else it complains at exit)
        raise
    book.save(path)


class ExportService(Service):
    """Writes any register source (services.registers) as CSV, XLSX or a signed PDF, in the
    one order every file the program writes follows (services.output)."""

    settings: SettingsService
    keys: KeyService
    sources: dict[str, RegisterSource]

    def registers(self, actor: Actor) -> list[tuple[str, str]]:
        """(name, translated title) of the registers this actor may export."""
        return [(name, _(source.title)) for name, source in sorted(self.sources.items())
                if actor.can(source.export_permission)]

    def source(self, register: str) -> RegisterSource:
        try:
            return self.sources[register]
        except KeyError:
            raise ValidationError(_("Unknown register {name}.").format(name=register),
                                  field="register") from None

    def formats(self, register: str) -> tuple[str, ...]:
        return self.source(register).formats

    def check(self, actor: Actor, register: str, since: date | None, until: date | None,
              fmt: str, out: Path | str, password: str | None = None,
              force: bool = False) -> Path:
        """What ``export`` checks first, for a dialog to ask before anyone signs: the
        permission, the period, the file (its folder exists and is writable, it is not the
        database; an existing one only with ``force``) and, when given for a PDF, the signing
        password. Writes no file and no export entry (a wrong password is counted and
        audited like every password check). The file's path, or the error."""
        source = self.source(register)
        self.require(actor, source.export_permission)
        if since and until and since > until:
            raise ValidationError(_("The start date is after the end date."), field="from")
        path = check_target(Path(out) if isinstance(out, str) else out, fmt, source.formats,
                            force=force)
        if password is not None and fmt == "pdf":
            self.keys.check_signing_password(actor, password)
        return path

    def export(self, actor: Actor, register: str, since: date | None, until: date | None,
               fmt: str, out: Path, password: str | None = None,
               handwriting_png: bytes | None = None, progress: Progress | None = None,
               force: bool = False) -> ExportResult:
        """Check the target and the signing key, write ``FILE.partial``, then record the
        export with the file's hash and rename it (services.output): a failure, a cancel or
        a wrong password leaves neither a file nor an ``export.*`` entry. A PDF is signed
        with the actor's key, so the actor's password is needed."""
        source = self.source(register)
        out = self.check(actor, register, since, until, fmt, out, force=force)
        if fmt == "pdf":
            self.keys.check_signing_password(actor, password)
        with output.OutputFile(out, replace=force) as target:
            try:
                # One snapshot for the head, the count and the rows: entries and rows other
                # desks add meanwhile are neither written nor counted. Signing (a password
                # check, which may write) and the record come after it.
                with self._snapshot():
                    head_seq, head_hash, head_at = audit_chain.head_entry()
                    total, cells = source.export_rows(actor, Period(since, until, head_seq))
                    rows = counting(cells, total, progress)
                    try:
                        if fmt == "pdf":
                            self._register_pdf(actor, source, rows, total, (
                                head_seq, head_hash, head_at), period_text(since, until), progress,
                                target.partial)
                        else:
                            write_table(target.partial, fmt, _(source.title), source.header(),
                                        rows)
                    finally:
                        cells.close()  # a cancel: end the reading while its transaction is open
                if fmt == "pdf":
                    from desk_app.forms.registers import EXPORTER_SLOT

                    signer_role = role_label(sorted(actor.roles)[0]) if actor.roles else ""
                    self.keys.sign_pdf_file(actor, target.partial, EXPORTER_SLOT, password or "",
                                            handwriting_png, signer_role)
            except InterruptedError:
                raise  # cancelled (an OSError too, but not a write failure)
            except OSError as error:
                raise write_failed(out, error) from None
            target.publish(self, actor, f"export.{source.name}", source.name, {
                "from": since.isoformat() if since else None,
                "to": until.isoformat() if until else None, "format": fmt,
                "rows": total, "chain_head": head_seq})
        return ExportResult(out, total, head_seq, head_hash)

    def _snapshot(self) -> AbstractContextManager[Any]:
        return snapshot(self.ctx.db)

    def _register_pdf(self, actor: Actor, source: RegisterSource, rows: Iterator[list[str]],
                      total: int, head: tuple[int, str, str | None], period: str,
                      progress: Progress | None, path: Path) -> None:
        """Write the export's PDF with its empty exporter signature field to ``path``."""
        from desk_app.forms.checkpoint import AuditHead
        from desk_app.forms.registers import RegisterExport, write_register_pdf

        head_seq, head_hash, head_at = head
        database_id = audit_chain.database_id()
        export = RegisterExport(
            str(self.settings.value("company_name")), _(source.title),
            f"{source.name[:3].upper()}-{head_seq:08d}", self.ctx.clock.now(), head_hash,
            period, exporter_text(actor), source.header(), source.widths(), total,
            AuditHead(head_seq, head_hash, database_id, head_at) if database_id else None,
            wrapped=source.wrapped_columns())
        write_register_pdf(export, rows, path, progress)


def snapshot(db: Any) -> AbstractContextManager[Any]:
    """A read transaction that blocks no other desk: REPEATABLE READ READ ONLY on
    PostgreSQL (it also keeps the rows' server-side cursor), a deferred transaction on
    SQLite (a WAL snapshot), as AuditService.verify reads the chain."""
    if is_postgresql(db):
        return _read_only(db)
    return db.atomic("DEFERRED")


@contextmanager
def _read_only(db: Any) -> Iterator[None]:
    with db.atomic(isolation_level="REPEATABLE READ"):
        db.execute_sql("SET TRANSACTION READ ONLY")
        yield


def verify_pdf_file(path: Path, trusted_ca_pem: bytes,
                    revoked: Mapping[int, datetime] | None = None):
    """Read and verify a signed PDF against a CA certificate (no sign-in needed); ``revoked``
    (serial → revocation time: ``database_revocations()`` or ``forms.crl.load_crl``) makes
    signatures made at or after a revocation invalid."""
    from desk_app.forms import verify

    path = path.expanduser()
    if not path.is_file():
        raise ValidationError(_("No file at {path}.").format(path=path), field="file")
    return verify.verify_pdf(path.read_bytes(), trusted_ca_pem, revoked=revoked)


def database_revocations() -> dict[int, datetime]:
    """Certificate serial → revocation time (aware UTC) of every retired signing key of the open
    database: a key is retired (never deleted) when its user's password is reset or the user is
    deactivated, and its certificate counts as revoked from then on (R15)."""
    from desk_app.store.models import UserKey

    revoked: dict[int, datetime] = {}
    for key in UserKey.select(UserKey.serial, UserKey.retired_at).where(
            UserKey.retired_at.is_null(False)):
        try:
            number = int(str(key.serial), 16)
        except ValueError:
            continue  # not a certificate serial: nothing to match a signature against
        retired_at = key.retired_at
        if retired_at is None:
            continue
        when = retired_at.replace(tzinfo=UTC) if retired_at.tzinfo is None else retired_at
        revoked[number] = min(when, revoked.get(number, when))
    return revoked
