"""Importing an office's existing ledgers (issue 16): ``preview`` a file, ``check`` it (a dry
run: the full report, nothing written) and ``run`` it — one transaction and one audit entry
``import.<kind>`` per file, all or nothing unless only the valid rows are asked for.

The rows stream from ``files.open_ledger`` (memory stays flat) and each kind's importer
(items, loans, people, keys) checks them by the rules of a typed entry and writes them in
chunks. See docs/imports.md."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.areas.handover import KeysPermission
from desk_app.domain.areas.imports import ImportPermission
from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import Conflict, PermissionDenied, ValidationError
from desk_app.domain.ledger import (
    LedgerKind,
    clean_text,
    field_names,
    fields,
    guess_mapping,
    header_key,
)
from desk_app.domain.roles import Permission
from desk_app.domain.users import Actor, check_new_password
from desk_app.i18n import _, ngettext
from desk_app.services.archive import ArchiveService
from desk_app.services.base import Service
from desk_app.services.imports.files import LedgerTable, file_sha256, open_ledger
from desk_app.services.imports.items import ItemImporter
from desk_app.services.imports.job import Importer, Job, Row
from desk_app.services.imports.keys import KeyImporter
from desk_app.services.imports.loans import LoanImporter
from desk_app.services.imports.people import BorrowerImporter, UserImporter
from desk_app.services.imports.report import (
    ImportOptions,
    ImportReport,
    LedgerPreview,
)
from desk_app.services.personnel import PersonnelService
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.store.db import is_postgresql
from desk_app.store.imports import ImportBatch
from desk_app.store.models import User

Progress = Callable[[int, int], bool]
PROGRESS_EVERY = 500
PREVIEW_ROWS = 20

# The permission a typed entry of each kind needs (any one of them; items: a personnel
# officer imports personnel files only, R6, checked per row).
KIND_PERMISSIONS: dict[LedgerKind, tuple[str, ...]] = {
    LedgerKind.ITEMS: (ArchivePermission.ARCHIVE_EDIT, ArchivePermission.PERSONNEL_REGISTER),
    LedgerKind.LOANS: (ArchivePermission.ARCHIVE_EDIT,),
    LedgerKind.BORROWERS: (ArchivePermission.ARCHIVE_EDIT,),
    LedgerKind.USERS: (Permission.USERS_MANAGE,),
    LedgerKind.KEYS: (KeysPermission.KEYS_MANAGE,),
}

# The audit action of each ledger, written out (tests/unit/test_audit_text.py reads every
# action the code writes and wants its sentence in domain/audit_text.ACTIONS).
AUDIT_ACTIONS: dict[LedgerKind, str] = {
    LedgerKind.ITEMS: "import.items",
    LedgerKind.LOANS: "import.loans",
    LedgerKind.BORROWERS: "import.borrowers",
    LedgerKind.USERS: "import.users",
    LedgerKind.KEYS: "import.keys",
}


def _kind(kind: LedgerKind | str) -> LedgerKind:
    try:
        return LedgerKind(kind)
    except ValueError:
        raise ValidationError(_("Unknown ledger {kind}: use {kinds}.").format(
            kind=kind, kinds=", ".join(k.value for k in LedgerKind)), field="kind") from None


def resolve_mapping(headers: list[str], kind: LedgerKind,
                    mapping: dict[str, str] | None) -> dict[int, str]:
    """Column index → field: the guess from the headers, with ``mapping`` (header → field,
    "" to ignore a column) laid over it. A header the file lacks, a field unknown, a
    required field left without a column or no field at all is refused."""
    result = guess_mapping(headers, kind)
    known = field_names(kind)
    for header, field in (mapping or {}).items():
        index = _column(headers, header)
        if field and field not in known:
            raise ValidationError(_("No field {field} in this ledger; the fields are {known}.")
                                  .format(field=field, known=", ".join(known)), field="map")
        if field:
            result = {i: f for i, f in result.items() if f != field}
            result[index] = field
        else:
            result.pop(index, None)
    if not result:
        raise ValidationError(
            _("No column of this file is a field of the {ledger} (its headers: {headers}); "
              "map the columns by hand.").format(ledger=kind.label, headers=", ".join(
                  header or "—" for header in headers)), field="map")
    missing = [spec for spec in fields(kind) if spec.required and spec.name not in result.values()]
    if missing:
        raise ValidationError(ngettext("No column gives the {fields}: map one.",
                                       "No columns give the {fields}: map them.", len(missing))
                              .format(fields=", ".join(_(spec.label) for spec in missing)),
                              field="map")
    return result


def _column(headers: list[str], header: str) -> int:
    text = clean_text(header)
    if text in headers:
        return headers.index(text)
    keys = [header_key(value) for value in headers]
    if header_key(text) and header_key(text) in keys:
        return keys.index(header_key(text))
    raise ValidationError(_("The file has no column “{header}”; its columns are {headers}.")
                          .format(header=header, headers=", ".join(h or "—" for h in headers)),
                          field="map")


class ImportService(Service):
    settings: SettingsService
    archive: ArchiveService
    personnel: PersonnelService
    keys: KeyService

    @staticmethod
    def kinds_for(actor: Actor) -> list[LedgerKind]:
        """The ledgers ``actor`` may import (what the wizard offers)."""
        if not actor.can(ImportPermission.IMPORT_RUN):
            return []
        return [kind for kind in LedgerKind
                if any(actor.can(permission) for permission in KIND_PERMISSIONS[kind])]

    def _require(self, actor: Actor, kind: LedgerKind) -> None:
        self.require(actor, ImportPermission.IMPORT_RUN)
        needed = KIND_PERMISSIONS[kind]
        if not any(actor.can(permission) for permission in needed):
            raise PermissionDenied(_("{user} may not do this ({permission}).").format(
                user=actor.name, permission=needed[0]))

    def preview(self, actor: Actor, kind: LedgerKind | str, path: Path | str,
                sheet: str | None = None) -> LedgerPreview:
        """The file as the wizard shows it: sheets, header row, guessed mapping, first rows."""
        ledger = _kind(kind)
        self._require(actor, ledger)
        with open_ledger(path, ledger, sheet) as table:
            rows = []
            for _number, cells in table.rows():
                rows.append([clean_text(cell) for cell in cells])
                if len(rows) >= PREVIEW_ROWS:
                    break
            return LedgerPreview(sheets=list(table.sheets), sheet=table.sheet,
                                 header_row=table.header_row, headers=list(table.headers),
                                 mapping=guess_mapping(table.headers, ledger), rows=rows,
                                 encoding=table.encoding, estimated_rows=table.estimated_rows)

    def check(self, actor: Actor, kind: LedgerKind | str, path: Path | str,
              options: ImportOptions, progress: Progress | None = None) -> ImportReport:
        """The dry run: every row checked against the rules and the database, the report
        returned; nothing is written."""
        return self._import(actor, _kind(kind), Path(path), options, progress, dry=True)

    def run(self, actor: Actor, kind: LedgerKind | str, path: Path | str,
            options: ImportOptions, progress: Progress | None = None) -> ImportReport:
        """Import the file in one transaction with one audit entry. A row with an error
        imports nothing (ValidationError with ``.report``) unless ``options.only_valid``."""
        return self._import(actor, _kind(kind), Path(path), options, progress, dry=False)

    def _import(self, actor: Actor, kind: LedgerKind, path: Path, options: ImportOptions,
                progress: Progress | None, dry: bool) -> ImportReport:
        self._require(actor, kind)
        # Staff start with one password: checked by the check too, when given, so the wizard
        # says so before the import rather than after.
        if kind == LedgerKind.USERS and (options.initial_password or not dry):
            if not options.initial_password:
                raise ValidationError(_("Give the password the imported users start with."),
                                      field="password")
            check_new_password(options.initial_password,
                               int(self.settings.value("min_password_length")))
        with open_ledger(path, kind, options.sheet) as table:
            mapping = resolve_mapping(table.headers, kind, options.mapping)
            sha256 = file_sha256(path)
            report = ImportReport(kind=kind.value, file_name=path.name, sha256=sha256,
                                  sheet=table.sheet, header_row=table.header_row, dry_run=dry)
            self._refuse_repeat(kind, sha256, options.force)
            columns = {field: table.headers[index] for index, field in mapping.items()}
            if dry:
                job = Job(actor, kind, options, report, columns, self.ctx.clock.now(), dry=True)
                self._read(table, mapping, self._importer(job), progress)
                return report
            with self.write() as tx:
                if is_postgresql(self.ctx.db):  # two desks importing one file: one waits,
                    self.ctx.db.execute_sql(     # then finds the other's import
                        "SELECT pg_advisory_xact_lock(hashtext(%s))",
                        (f"import:{kind.value}:{sha256}",))
                    self._refuse_repeat(kind, sha256, options.force)
                batch = ImportBatch.create(kind=kind.value, file_name=path.name[:255],
                                           sha256=sha256, sheet=table.sheet, rows=0, imported=0,
                                           skipped=0, only_valid=options.only_valid,
                                           forced=options.force, created_at=tx.at,
                                           created_by=actor.user_id)
                job = Job(actor, kind, options, report, columns, tx.at, dry=False,
                          batch_id=batch.id)
                self._read(table, mapping, self._importer(job), progress)
                if report.error_count and not options.only_valid:
                    report.imported, report.skipped = 0, report.rows  # as it stands: none
                    error = ValidationError(ngettext(
                        "{count} problem in the file: nothing was imported.",
                        "{count} problems in the file: nothing was imported.",
                        report.error_count).format(count=report.error_count), field="file")
                    error.report = report  # type: ignore[attr-defined]
                    raise error
                batch.rows, batch.imported, batch.skipped = (report.rows, report.imported,
                                                             report.skipped)
                batch.save()
                after: dict[str, Any] = {
                    "file": path.name, "sha256": sha256, "sheet": table.sheet,
                    "rows": report.rows, "imported": report.imported, "skipped": report.skipped,
                    "only_valid": options.only_valid, "forced": options.force,
                    "created": {what: names for what, names in report.created.items()
                                if what != "user"}}
                if kind == LedgerKind.LOANS:
                    after["historical"] = True
                tx.audit(actor, AUDIT_ACTIONS[kind], "import_batch", batch.id, after=after)
            report.batch_id = batch.id
        report.dry_run = False
        return report

    def _importer(self, job: Job) -> Importer:
        kind = job.kind
        if kind == LedgerKind.ITEMS:
            return ItemImporter(job, self.archive, self.personnel)
        if kind == LedgerKind.LOANS:
            return LoanImporter(job)
        if kind == LedgerKind.BORROWERS:
            return BorrowerImporter(job)
        if kind == LedgerKind.USERS:
            return UserImporter(job, self.keys, job.options.initial_password or "")
        return KeyImporter(job)

    @staticmethod
    def _read(table: LedgerTable, mapping: dict[int, str], importer: Importer,
              progress: Progress | None) -> None:
        report = importer.job.report
        columns = list(mapping.items())
        total = table.estimated_rows
        for number, cells in table.rows():
            report.rows += 1
            importer.add(Row(importer.job, number,
                             {field: cells[index] for index, field in columns
                              if index < len(cells)}))
            if progress and report.rows % PROGRESS_EVERY == 0 \
                    and progress(report.rows, max(total, report.rows)) is False:
                raise InterruptedError
        importer.finish()
        report.errors.sort(key=lambda problem: problem.row)  # cross-row checks come last
        report.imported = importer.imported
        report.skipped = report.rows - importer.imported
        if progress and progress(report.rows, report.rows) is False:
            raise InterruptedError

    @staticmethod
    def _refuse_repeat(kind: LedgerKind, sha256: str, force: bool) -> None:
        earlier = (ImportBatch.select(ImportBatch, User.name, User.full_name).join(User)
                   .where((ImportBatch.sha256 == sha256) & (ImportBatch.kind == kind.value))
                   .order_by(ImportBatch.id.desc()).first())
        if earlier is None or force:
            return
        who = earlier.created_by.full_name or earlier.created_by.name
        raise Conflict(_("This file was imported on {date} by {user}. Import it again only if "
                         "you mean to.").format(date=format_datetime(earlier.created_at),
                                                user=who))

    def batches(self, actor: Actor) -> list[dict[str, Any]]:
        """Past imports, newest first (what the wizard lists)."""
        self.require(actor, ImportPermission.IMPORT_RUN)
        return [{"id": batch.id, "kind": batch.kind, "file": batch.file_name,
                 "sha256": batch.sha256, "rows": batch.rows, "imported": batch.imported,
                 "skipped": batch.skipped, "only_valid": batch.only_valid,
                 "forced": batch.forced, "at": batch.created_at}
                for batch in ImportBatch.select().order_by(ImportBatch.id.desc()).limit(200)]
