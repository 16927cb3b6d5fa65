"""``desk-app``: the command line for admins and scripts; with no command it opens the GUI.

Commands that do not open a window never import Qt, so they start fast on a server.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from desk_app import __version__
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import _, set_language, system_language
from desk_app.logs import log_file, setup_logging

log = logging.getLogger(__name__)

EXIT_UNEXPECTED = 70


class CliError(DeskError):
    exit_code = 2


# ---------------------------------------------------------------- arguments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desk-app",
        description=_("Front desk and archive room register."),
    )
    parser.add_argument("--version", action="version", version=f"desk-app {__version__}")
    parser.add_argument("--db", help=_("database URL (default: env DESK_DB, else a SQLite file "
                                       "in your data folder)"))
    parser.add_argument("--user", help=_("acting user (default: env DESK_USER)"))
    parser.add_argument("--lang", help=_("language: en, zh_CN or zh_TW (default: env DESK_LANG)"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", help=_("create or migrate the database and the first admin"))
    init.add_argument("--admin", required=True, metavar="NAME")
    init.add_argument("--full-name", default="")
    init.add_argument("--password-stdin", action="store_true")
    init.set_defaults(run=cmd_init)

    demo = commands.add_parser("demo", help=_("fill the database with demo data"))
    demo.add_argument("--scale", type=int, default=1, metavar="N")
    demo.add_argument("--if-empty", action="store_true",
                      help=_("do nothing when the database already has users"))
    demo.set_defaults(run=cmd_demo)

    user = commands.add_parser("user", help=_("manage users"))
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", help=_("add a user"))
    add.add_argument("name")
    add.add_argument("--role", required=True, help=_("ROLE[,ROLE...]"))
    add.add_argument("--full-name", default="")
    add.add_argument("--password-stdin", action="store_true")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_user_add)
    listing = user_commands.add_parser("list", help=_("list users"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_user_list)
    for action, helptext, handler in (
        ("deactivate", _("deactivate a user (history keeps the name)"), cmd_user_deactivate),
        ("reactivate", _("reactivate a user"), cmd_user_reactivate),
    ):
        sub = user_commands.add_parser(action, help=helptext)
        sub.add_argument("name")
        sub.set_defaults(run=handler)
    passwd = user_commands.add_parser("passwd", help=_("set a user's password"))
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(run=cmd_user_passwd)
    roles = user_commands.add_parser("roles", help=_("replace a user's roles"))
    roles.add_argument("name")
    roles.add_argument("--role", required=True)
    roles.set_defaults(run=cmd_user_roles)

    audit = commands.add_parser("audit", help=_("the audit trail"))
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser("verify", help=_("verify the whole hash chain"))
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=cmd_audit_verify)
    audit_list = audit_commands.add_parser("list", help=_("list audit entries, newest first"))
    audit_list.add_argument("--actor")
    audit_list.add_argument("--action")
    audit_list.add_argument("--from", dest="since", type=parse_date, metavar="YYYY-MM-DD")
    audit_list.add_argument("--to", dest="until", type=parse_date, metavar="YYYY-MM-DD")
    audit_list.add_argument("--limit", type=int, default=100)
    audit_list.add_argument("--json", action="store_true")
    audit_list.set_defaults(run=cmd_audit_list)

    settings = commands.add_parser("settings", help=_("shared settings"))
    settings_commands = settings.add_subparsers(dest="settings_command", metavar="ACTION",
                                                required=True)
    settings_list = settings_commands.add_parser("list", help=_("show all settings"))
    settings_list.add_argument("--json", action="store_true")
    settings_list.set_defaults(run=cmd_settings_list)
    settings_set = settings_commands.add_parser("set", help=_("change a setting"))
    settings_set.add_argument("key")
    settings_set.add_argument("value")
    settings_set.set_defaults(run=cmd_settings_set)

    ca = commands.add_parser("ca", help=_("the database's certificate authority"))
    ca_commands = ca.add_subparsers(dest="ca_command", metavar="ACTION", required=True)
    ca_export = ca_commands.add_parser("export", help=_("write the CA certificate (PEM)"))
    ca_export.add_argument("file", type=Path)
    ca_export.set_defaults(run=cmd_ca_export)

    verify_pdf = commands.add_parser("verify-pdf", help=_("check every signature of a PDF"))
    verify_pdf.add_argument("file", type=Path)
    verify_pdf.add_argument("--ca", type=Path, metavar="PEM",
                            help=_("trust this CA certificate instead of the database's"))
    verify_pdf.add_argument("--json", action="store_true")
    verify_pdf.set_defaults(run=cmd_verify_pdf)

    export = commands.add_parser("export", help=_("export a register (PDF signed by you)"))
    export.add_argument("register", choices=["audit"])
    export.add_argument("--from", dest="since", type=parse_date, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="until", type=parse_date, metavar="YYYY-MM-DD")
    export.add_argument("--format", choices=["pdf", "csv"], required=True)
    export.add_argument("--out", type=Path, required=True)
    export.set_defaults(run=cmd_export)

    backup = commands.add_parser("backup", help=_("write an online, consistent backup"))
    backup.add_argument("file", type=Path)
    backup.set_defaults(run=cmd_backup)
    restore = commands.add_parser("restore", help=_("replace the database by a backup"))
    restore.add_argument("file", type=Path)
    restore.set_defaults(run=cmd_restore)
    return parser


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date: {text} (use YYYY-MM-DD)").format(text=text)
        ) from None


# ---------------------------------------------------------------- helpers


def database_url(args: argparse.Namespace) -> str:
    if args.db:
        return args.db
    if os.environ.get("DESK_DB"):
        return os.environ["DESK_DB"]
    from desk_app.paths import default_database_url

    return default_database_url()


def open_desk(args: argparse.Namespace, create: bool = False):
    from desk_app.desk import Desk

    return Desk.open(database_url(args), create=create)


def read_new_password(args: argparse.Namespace, prompt: str) -> str:
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise CliError(_("No password on standard input."))
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError(_("No terminal to ask for the password: use --password-stdin."))
    first = getpass.getpass(prompt)
    if getpass.getpass(_("Repeat the password: ")) != first:
        raise CliError(_("The passwords do not match."))
    return first


def sign_in(desk, args: argparse.Namespace):
    name = args.user or os.environ.get("DESK_USER")
    if not name:
        raise CliError(_("This command needs an acting user: --user NAME or env DESK_USER."))
    password = os.environ.get("DESK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise CliError(_("No terminal to ask for the password: set env DESK_PASSWORD."))
        password = getpass.getpass(_("Password for {name}: ").format(name=name))
    actor = desk.auth.login(name, password)
    args.signing_password = password  # the same password unseals the user's signing key
    return actor


def emit(args: argparse.Namespace, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """A list: JSON array with --json, else aligned text columns."""
    if getattr(args, "json", False):
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    if not rows:
        print(_("(none)"))
        return
    texts = [[_cell(row[column]) for column in columns] for row in rows]
    widths = [max(_width(column), *(_width(text[i]) for text in texts)) for i, column in
              enumerate(columns)]
    for line in [list(columns), *texts]:
        print("  ".join(_pad(cell, width) for cell, width in zip(line, widths, strict=True)).rstrip())


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple | frozenset | set):
        return ",".join(str(item) for item in value)
    return "" if value is None else str(value)


# ---------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace) -> int:
    desk = open_desk(args, create=True)
    try:
        if desk.demo.is_empty():
            password = read_new_password(args, _("Password for {name}: ").format(name=args.admin))
            admin = desk.users.create_first_admin(args.admin, password, args.full_name)
            print(_("Created the database {url} and the administrator {name}.").format(
                url=desk.ctx.url.display(), name=admin.name))
        else:
            print(_("The database {url} is ready (schema up to date); it already has users, "
                    "so no administrator was added.").format(url=desk.ctx.url.display()))
    finally:
        desk.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desk_app.services.demo import DEMO_PASSWORD, DEMO_USERS

    if args.scale < 1:
        raise ValidationError(_("--scale must be 1 or more."), field="scale")
    desk = open_desk(args, create=True)
    try:
        if desk.demo.is_empty():
            actor = None
        elif args.if_empty:
            print(_("The database already has users; demo data not added."))
            return 0
        else:
            actor = sign_in(desk, args)
        counts = desk.demo.generate(actor, scale=args.scale)
    finally:
        desk.close()
    print(_("Demo data ready: {users} users added.").format(users=counts["users"]))
    print(_("Demo users (password {password}):").format(password=DEMO_PASSWORD))
    from desk_app.domain.roles import role_label

    for demo in DEMO_USERS:
        roles = ", ".join(role_label(role) for role in demo.roles)
        print(f"  {demo.name:<10} {demo.full_name:<8} {roles}")
    return 0


def with_actor(handler: Callable[[Any, Any, argparse.Namespace], int]) -> Callable[..., int]:
    """Open the database, sign in the acting user, run, close."""

    def run(args: argparse.Namespace) -> int:
        desk = open_desk(args)
        try:
            return handler(desk, sign_in(desk, args), args)
        finally:
            desk.close()

    return run


@with_actor
def cmd_user_add(desk, actor, args) -> int:
    password = read_new_password(args, _("Password for {name}: ").format(name=args.name))
    user = desk.users.add(actor, args.name, password, args.role, args.full_name)
    if args.json:
        emit(args, [user.as_json()], ())
    else:
        print(_("Added user {name}.").format(name=user.name))
    return 0


@with_actor
def cmd_user_list(desk, actor, args) -> int:
    rows = [user.as_json() for user in desk.users.list(actor)]
    emit(args, rows, ("name", "full_name", "roles", "active", "created_at"))
    return 0


@with_actor
def cmd_user_deactivate(desk, actor, args) -> int:
    desk.users.set_active(actor, args.name, False)
    print(_("Deactivated {name}.").format(name=args.name))
    return 0


@with_actor
def cmd_user_reactivate(desk, actor, args) -> int:
    desk.users.set_active(actor, args.name, True)
    print(_("Reactivated {name}.").format(name=args.name))
    return 0


@with_actor
def cmd_user_passwd(desk, actor, args) -> int:
    password = read_new_password(args, _("New password for {name}: ").format(name=args.name))
    desk.users.reset_password(actor, args.name, password)
    print(_("Password of {name} changed.").format(name=args.name))
    return 0


@with_actor
def cmd_user_roles(desk, actor, args) -> int:
    user = desk.users.set_roles(actor, args.name, args.role)
    print(_("{name} now has the roles {roles}.").format(
        name=user.name, roles=",".join(sorted(user.roles))))
    return 0


@with_actor
def cmd_audit_verify(desk, actor, args) -> int:
    report = desk.audit.verify(actor)
    if args.json:
        json.dump({"ok": report.ok, "count": report.count, "head_hash": report.head_hash,
                   "broken_seq": report.broken_seq, "problem": report.problem}, sys.stdout)
        sys.stdout.write("\n")
    elif report.ok:
        print(_("Audit trail intact: {count} entries, head hash {hash}.").format(
            count=report.count, hash=report.head_hash))
    else:
        print(_("Audit trail BROKEN at entry {seq}: {problem}.").format(
            seq=report.broken_seq, problem=report.problem), file=sys.stderr)
    return 0 if report.ok else 1


@with_actor
def cmd_audit_list(desk, actor, args) -> int:
    from desk_app.services.audit import day_range
    from desk_app.store.audit_chain import AuditFilter

    since, until = day_range(args.since, args.until)
    flt = AuditFilter(actor=args.actor, action=args.action, since=since, until=until)
    rows = desk.audit.page(actor, flt, 0, max(1, args.limit))
    emit(args, rows, ("seq", "at", "actor", "action", "entity", "entity_id"))
    return 0


@with_actor
def cmd_settings_list(desk, actor, args) -> int:
    from desk_app.domain.settings import SCHEMA

    values = desk.settings.all()
    rows = [{"key": item.key, "value": values[item.key], "default": item.default,
             "label": _(item.label)} for item in SCHEMA]
    emit(args, rows, ("key", "value", "default", "label"))
    return 0


@with_actor
def cmd_settings_set(desk, actor, args) -> int:
    value = desk.settings.set(actor, args.key, args.value)
    print(f"{args.key} = {value}")
    return 0


def cmd_ca_export(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    try:
        pem = desk.keys.ca_certificate()
    finally:
        desk.close()
    write_file(args.file, pem)
    print(_("CA certificate written to {path}.").format(path=args.file))
    return 0


def write_file(path: Path, data: bytes) -> None:
    try:
        path.expanduser().write_bytes(data)
    except OSError as error:
        raise CliError(_("Cannot write {path}: {reason}").format(path=path, reason=error.strerror)) from None


def cmd_verify_pdf(args: argparse.Namespace) -> int:
    from desk_app.services.exports import verify_pdf_file

    if args.ca:
        try:
            trusted = args.ca.expanduser().read_bytes()
        except OSError as error:
            raise CliError(_("Cannot read {path}: {reason}").format(
                path=args.ca, reason=error.strerror)) from None
    else:
        desk = open_desk(args)
        try:
            trusted = desk.keys.ca_certificate()
        finally:
            desk.close()
    report = verify_pdf_file(args.file, trusted)
    if args.json:
        json.dump({"ok": report.ok, "signatures": [
            {"field": c.field_name, "signer": c.signer_name, "user": c.signer_user,
             "signed_at": c.signed_at.isoformat() if c.signed_at else None, "intact": c.intact,
             "trusted": c.trusted, "modified_after": c.modified_after, "problem": c.problem}
            for c in report.signatures], "unsigned_fields": report.unsigned_fields},
            sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0 if report.ok else 1
    print_verify_report(report)
    return 0 if report.ok else 1


def print_verify_report(report) -> None:
    yes, no = _("yes"), _("no")
    if not report.signatures:
        print(_("No signatures in this file."))
    for check in report.signatures:
        signer = check.signer_name + (f" ({check.signer_user})" if check.signer_user else "")
        print(_("Signature {field}: {signer}").format(field=check.field_name, signer=signer))
        when = check.signed_at.isoformat(sep=" ", timespec="seconds") if check.signed_at else "?"
        print("  " + _("signed at: {time}").format(time=when))
        print("  " + _("intact: {answer}").format(answer=yes if check.intact else no))
        print("  " + _("issued by this database's CA: {answer}").format(
            answer=yes if check.trusted else no))
        print("  " + _("changed or appended after signing: {answer}").format(
            answer=yes if check.modified_after else no))
        if check.problem:
            print("  " + _("problem: {text}").format(text=check.problem))
    for name in report.unsigned_fields:
        print(_("Signature field {field}: not signed").format(field=name))
    print(_("VALID: every signature is intact, trusted and unmodified.") if report.ok
          else _("NOT VALID."))


@with_actor
def cmd_export(desk, actor, args) -> int:
    result = desk.exports.export_audit(actor, args.since, args.until, args.format, args.out,
                                       password=args.signing_password)
    print(_("Exported {rows} entries to {path} (audit chain head {seq}: {hash}).").format(
        rows=result.rows, path=result.path, seq=result.head_seq, hash=result.head_hash))
    return 0


@with_actor
def cmd_backup(desk, actor, args) -> int:
    path = desk.backups.backup(actor, args.file)
    print(_("Backup written to {path}.").format(path=path))
    return 0


@with_actor
def cmd_restore(desk, actor, args) -> int:
    desk.backups.restore(actor, args.file)
    print(_("Database restored from {path}.").format(path=args.file))
    return 0


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging()
    if args.command is None:
        from desk_app.ui.app import run_gui

        return run_gui(database_url(args), language=args.lang or os.environ.get("DESK_LANG"))
    try:
        return args.run(args)
    except DeskError as error:
        log.info("command failed: %s", error)
        print(f"desk-app: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(_("desk-app: interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silence the flush at exit)
        return 0
    except Exception as error:
        log.exception("unexpected error in %s", args.command)
        print(_("desk-app: unexpected error: {error} (details in {log})").format(
            error=error, log=log_file()), file=sys.stderr)
        return EXIT_UNEXPECTED


def _language_from(argv: list[str]) -> str:
    """The language is needed before argparse runs, for translated help texts."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("DESK_LANG") or system_language()
