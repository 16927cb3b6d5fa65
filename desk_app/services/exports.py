"""Auditor exports (R16): any register over a period as CSV or as a signed PDF.

A PDF export carries the audit chain's head hash at the time of export, so a later rewrite
of the whole chain is caught against it, and it is signed (PAdES) by the exporting user.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desk_app.domain.clock import format_datetime, parse_iso_utc
from desk_app.domain.errors import ValidationError
from desk_app.domain.roles import Permission, role_label
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.audit import day_range
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store import audit_chain
from desk_app.store.audit_chain import AuditFilter

Progress = Callable[[int, int], bool]
FORMATS = ("pdf", "csv", "xlsx")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    head_seq: int
    head_hash: str


def _audit_header() -> list[str]:
    return [_("No."), _("Time"), _("User"), _("Action"), _("Entity"), _("ID"), _("Change"), _("Hash")]


def _audit_row(entry) -> list[str]:
    at = format_datetime(parse_iso_utc(entry.at), seconds=True)
    return [str(entry.seq), at, entry.actor, entry.action, entry.entity, entry.entity_id,
            entry.change, entry.hash[:16]]


def check_target(out: Path, fmt: str, formats: tuple[str, ...] = FORMATS,
                 force: bool = False) -> Path:
    """The output file of an export, or a ValidationError before anything is written."""
    if fmt not in formats:
        raise ValidationError(_("Unknown format {fmt}: use {choices}.").format(
            fmt=fmt, choices=", ".join(formats)), "format")
    return output.check_target(out, force=force)


def write_rows(path: Path, fmt: str, register: Register, progress: Progress | None) -> None:
    """CSV (UTF-8 with BOM, for Excel) or a streamed XLSX of a register."""
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(register.header)
            writer.writerows(_counting(register.rows, register.total, progress))
    else:
        _write_xlsx(path, register, progress)


def write_failed(out: Path, error: OSError) -> ValidationError:
    """A full disk or a vanished folder while writing: a clear message, nothing kept."""
    return ValidationError(_("Cannot write {path}: {reason}").format(
        path=out, reason=error.strerror or error), "out")


def exporter_text(actor: Actor) -> str:
    return f"{actor.display_name} ({actor.name})"


def period_text(since: date | None, until: date | None) -> str:
    return "{} – {}".format(since.isoformat() if since else _("beginning"),
                            until.isoformat() if until else _("today"))


def _counting(rows: Iterator[list[str]], total: int, progress: Progress | None,
              every: int = 2000) -> Iterator[list[str]]:
    for done, row in enumerate(rows, start=1):
        if progress and done % every == 0 and progress(done, total) is False:
            raise InterruptedError
        yield row


@dataclass(frozen=True)
class Register:
    """What one export writes: a title, columns and the rows (pulled lazily)."""

    code: str  # record-number prefix and audit action suffix, e.g. "audit"
    title: str
    header: list[str]
    rows: Iterator[list[str]]
    total: int
    col_widths: list[float]


def _write_xlsx(path: Path, register: Register, progress: Progress | None) -> None:
    """A write-only workbook: rows stream to disk, memory stays flat."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(register.title[:31])
    sheet.append(register.header)
    for row in _counting(register.rows, register.total, progress):
        sheet.append(row)
    book.save(path)


class ExportService(Service):
    def export_audit(self, actor: Actor, since: date | None, until: date | None, fmt: str,
                     out: Path, password: str | None = None, handwriting_png: bytes | None = None,
                     progress: Progress | None = None, force: bool = False) -> ExportResult:
        """Write the audit trail of a period. A PDF is signed with the actor's key, so the
        actor's password is needed; a wrong one is refused before anything is written."""
        self.require(actor, Permission.AUDIT_VIEW)

        def register(head_seq: int) -> Register:
            start, end = day_range(since, until)
            flt = AuditFilter(since=start, until=end)
            return Register("audit", _("Audit trail"), _audit_header(),
                            (_audit_row(e) for e in audit_chain.in_order(flt, head_seq)),
                            audit_chain.count(flt, head_seq), [5, 13, 8, 11, 7, 6, 38, 12])

        return self._export(actor, register, since, until, fmt, out, password, handwriting_png,
                            progress, force)

    def export_register(self, actor: Actor, name: str, since: date | None, until: date | None,
                        fmt: str, out: Path, password: str | None = None,
                        handwriting_png: bytes | None = None,
                        progress: Progress | None = None, force: bool = False) -> ExportResult:
        """Items (by registration date) or loans (by lending date) of a period."""
        from desk_app.services import register_exports

        self.require(actor, Permission.REGISTER_EXPORT)
        builders = {"items": register_exports.items, "loans": register_exports.loans}
        if name not in builders:
            raise ValidationError(_("Unknown register {name}.").format(name=name), field="register")
        return self._export(actor, lambda head_seq: builders[name](actor, since, until), since,
                            until, fmt, out, password, handwriting_png, progress, force)

    def _export(self, actor: Actor, build, since: date | None, until: date | None, fmt: str,
                out: Path, password: str | None, handwriting_png: bytes | None,
                progress: Progress | None, force: bool = False) -> ExportResult:
        """Check the target and the signing key, write ``FILE.partial``, then record the
        export with the file's hash and rename it (services.output): a failure, a cancel or
        a wrong password leaves neither a file nor an ``export.*`` entry."""
        if since and until and since > until:
            raise ValidationError(_("The start date is after the end date."), field="from")
        out = check_target(out, fmt, force=force)
        keys = KeyService(self.ctx)
        if fmt == "pdf":
            keys.check_signing_password(actor, password)
        head_seq, head_hash = audit_chain.head()
        register = build(head_seq)
        with output.OutputFile(out) as target:
            try:
                if fmt == "pdf":
                    pdf = self._signed_pdf(actor, keys, password or "", handwriting_png, register,
                                           f"{register.code[:3].upper()}-{head_seq:08d}",
                                           head_hash, period_text(since, until), progress)
                    target.partial.write_bytes(pdf)
                else:
                    write_rows(target.partial, fmt, register, progress)
            except InterruptedError:
                raise  # cancelled (an OSError too, but not a write failure)
            except OSError as error:
                raise write_failed(out, error) from None
            target.publish(self, actor, f"export.{register.code}", register.code, {
                "from": since.isoformat() if since else None,
                "to": until.isoformat() if until else None, "format": fmt,
                "rows": register.total, "chain_head": head_seq})
        return ExportResult(out, register.total, head_seq, head_hash)

    def _signed_pdf(self, actor: Actor, keys: KeyService, password: str,
                    handwriting_png: bytes | None, register: Register, record_no: str,
                    head_hash: str, period: str, progress: Progress | None) -> bytes:
        from desk_app.forms import signing
        from desk_app.forms.render import render_form
        from desk_app.forms.spec import FormSpec

        company = str(SettingsService(self.ctx).value("company_name"))
        signer_role = role_label(sorted(actor.roles)[0]) if actor.roles else ""
        spec = FormSpec(company, register.title, record_no, self.ctx.clock.now(),
                        head_hash=head_hash, landscape=True)
        spec.key_values([(_("Period"), period), (_("Entries"), str(register.total)),
                         (_("Exported by"), exporter_text(actor)),
                         (_("Audit chain head"), head_hash)])
        spec.rows(register.header, register.rows, col_widths=register.col_widths,
                  total=register.total)
        spec.signatures([("exporter", _("Exported by"))])
        rendered = render_form(spec, progress)
        pdf = signing.prepare_fields(rendered.pdf, rendered.slots)
        return keys.sign_pdf(actor, pdf, "exporter", password, handwriting_png, signer_role)


def verify_pdf_file(path: Path, trusted_ca_pem: bytes):
    """Read and verify a signed PDF against a CA certificate (no sign-in needed)."""
    from desk_app.forms import verify

    path = path.expanduser()
    if not path.is_file():
        raise ValidationError(_("No file at {path}.").format(path=path), field="file")
    return verify.verify_pdf(path.read_bytes(), trusted_ca_pem)
