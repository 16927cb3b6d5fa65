"""``desk-app import KIND FILE``: bring an office's existing ledger in (issue 16).

Prints the report (rows, imported, skipped, each problem as "row N, column C: message
(value)") or, with --json, the report as JSON. Exit 0 when nothing was refused; 2 when any
row has a problem (also with --only-valid, after importing the valid rows); 5 when the file
was imported before (--force imports it again); 3 without the permission."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from desk_app.cli.common import (
    CliError,
    _ask_password,
    add_command,
    json_option,
    json_text,
    option,
    safe_text,
    with_actor,
)
from desk_app.domain.errors import Conflict, DeskError, ValidationError
from desk_app.domain.ledger import LedgerKind, parse_map_args
from desk_app.i18n import N_, _
from desk_app.services.imports.report import ImportOptions, ImportReport

PASSWORD_ENV = "DESK_IMPORT_PASSWORD"
# What the report's unknown and created lists name, in words.
WHAT = {"kind": N_("kinds of file"), "dept": N_("departments"), "location": N_("locations"),
        "user": N_("users")}


def parse_values(args: list[str]) -> dict[tuple[str, str], str]:
    """``['kind:文书档案=WS', 'dept:综合部=ZB']`` → {(field, text): code}."""
    values: dict[tuple[str, str], str] = {}
    for arg in args:
        field, colon, rest = arg.partition(":")
        text, equals, code = rest.rpartition("=")
        if not colon or not equals or field.strip() not in ("kind", "dept") or not code.strip():
            raise CliError(_("“{arg}”: write a value as field:text=CODE (field kind or dept).")
                           .format(arg=safe_text(arg)))
        values[(field.strip(), text.strip())] = code.strip()
    return values


def _password(kind: str) -> str | None:
    if kind != LedgerKind.USERS:
        return None
    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise CliError(_("No terminal to ask for the users' initial password: set env {env}.")
                       .format(env=PASSWORD_ENV))
    return _ask_password(_("Initial password of the imported users: "))


def print_report(report: ImportReport, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json_text(report.as_json()) + "\n")
        return
    lines = [_("{file}: {rows} rows, {imported} imported, {skipped} skipped{dry}.").format(
        file=safe_text(report.file_name), rows=report.rows, imported=report.imported,
        skipped=report.skipped, dry=_(" (check only, nothing written)") if report.dry_run else "")]
    for problem in report.errors:
        line = _("row {row}, column {column}: {message}").format(
            row=problem.row, column=safe_text(problem.column or "—"),
            message=safe_text(problem.message))
        lines.append(f"{line} ({safe_text(problem.value)})" if problem.value else line)
    if report.error_count > len(report.errors):
        lines.append(_("… and {count} more problems.").format(
            count=report.error_count - len(report.errors)))
    for field, texts in report.unknown.items():
        lines.append(_("Unknown {field}: {texts} (map with --value or add --create-missing)")
                     .format(field=_(WHAT.get(field, field)),
                             texts=", ".join(safe_text(t) for t in texts)))
    for field, names in report.created.items():
        made = _("Would create {field}: {names}") if report.dry_run else _("Created {field}: {names}")
        lines.append(made.format(
            field=_(WHAT.get(field, field)), names=", ".join(safe_text(n) for n in names)))
    sys.stdout.write("\n".join(lines) + "\n")


def _refused_json(args: argparse.Namespace, error: DeskError) -> None:
    """With --json, a refused file still prints a report a script can read (the one-line
    message goes to stderr as for every command)."""
    if args.json:
        sys.stdout.write(json_text({
            "kind": args.kind, "file": Path(args.file).name, "rows": 0, "imported": 0,
            "skipped": 0, "error_count": 1, "refused": True, "dry_run": bool(args.dry_run),
            "errors": [{"row": 0, "column": "", "message": str(error), "value": ""}]}) + "\n")


@with_actor
def cmd_import(desk: Any, actor: Any, args: argparse.Namespace) -> int:
    options = ImportOptions(
        sheet=args.sheet, mapping=parse_map_args(args.map, args.kind) if args.map else None,
        values=parse_values(args.value), create_missing=args.create_missing,
        location_separator=args.location_separator, location_under=args.location_under,
        only_valid=args.only_valid,
        force=args.force, initial_password=None if args.dry_run else _password(args.kind))
    path = Path(args.file)
    try:
        if args.dry_run:
            report = desk.imports.check(actor, args.kind, path, options)
        else:
            report = desk.imports.run(actor, args.kind, path, options)
    except ValidationError as error:
        refused = getattr(error, "report", None)
        if refused is None:
            _refused_json(args, error)
            raise
        print_report(refused, args.json)
        sys.stderr.write("desk-app: " + safe_text(str(error)) + "\n")
        return error.exit_code
    except Conflict as error:  # imported before
        error = Conflict(str(error) + " " + _("Add --force to import it again."))
        _refused_json(args, error)
        raise error from None
    except DeskError as error:
        _refused_json(args, error)
        raise
    print_report(report, args.json)
    return ValidationError.exit_code if report.error_count else 0


def register(commands: Any) -> None:
    add_command(
        commands, "import", _("import an existing ledger from Excel (.xlsx) or CSV"), cmd_import,
        option("kind", choices=[kind.value for kind in LedgerKind],
               help=_("the ledger; imported users start with the password in env "
                      "DESK_IMPORT_PASSWORD")),
        option("file", metavar="FILE"),
        option("--sheet", metavar="NAME", help=_("the sheet of a workbook to read")),
        option("--map", action="append", default=[], metavar="'Column=field'",
               help=_("read a column as a field (field empty: ignore the column)")),
        option("--value", action="append", default=[], metavar="'field:text=CODE'",
               help=_("an unknown kind or department of the file is this code")),
        option("--create-missing", action="store_true",
               help=_("create the unknown kinds and departments")),
        option("--location-separator", metavar="SEP",
               help=_("what separates room, cabinet, shelf and box (guessed if not given)")),
        option("--location-under", metavar="PATH",
               help=_("an existing room, cabinet or shelf (as 档案室01 › 2号柜) whose levels the "
                      "file's locations leave out")),
        option("--only-valid", action="store_true",
               help=_("import the valid rows and skip the others (recorded)")),
        option("--force", action="store_true", help=_("import a file imported before")),
        option("--dry-run", action="store_true", help=_("check only: write nothing")),
        json_option())
