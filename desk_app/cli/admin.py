"""Set-up and administration: init, demo, users, settings, audit trail, backups."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from desk_app.cli.common import (
    CliError,
    add_actions,
    add_command,
    bounded_int,
    date_range_options,
    emit,
    force_option,
    json_option,
    json_text,
    limit_option,
    open_desk,
    option,
    read_new_password,
    safe_text,
    sign_in,
    with_actor,
)
from desk_app.i18n import _
from desk_app.paths import checkpoint_dir


def register(commands) -> None:
    password_stdin = option("--password-stdin", action="store_true")
    user_name = option("name")
    add_command(commands, "init", _("create or migrate the database and the first admin"),
                cmd_init, option("--admin", required=True, metavar="NAME"),
                option("--full-name", default=""), password_stdin)
    # 100 is the documented large set (500,000 items, 1,000,000 loans).
    add_command(commands, "demo", _("fill the database with demo data"), cmd_demo,
                option("--scale", type=bounded_int(1, 100), default=1, metavar="N"),
                option("--if-empty", action="store_true",
                       help=_("do nothing when the database already has users")))

    user = add_actions(commands, "user", _("manage users"))
    add_command(user, "add", _("add a user"), cmd_user_add, user_name,
                option("--role", required=True, help=_("ROLE[,ROLE...]")),
                option("--full-name", default=""), password_stdin, json_option())
    add_command(user, "list", _("list users"), cmd_user_list, json_option())
    add_command(user, "deactivate", _("deactivate a user (history keeps the name)"),
                cmd_user_deactivate, user_name)
    add_command(user, "reactivate", _("reactivate a user"), cmd_user_reactivate, user_name)
    add_command(user, "passwd", _("set a user's password"), cmd_user_passwd, user_name,
                password_stdin)
    add_command(user, "roles", _("replace a user's roles"), cmd_user_roles, user_name,
                option("--role", required=True))

    audit = add_actions(commands, "audit", _("the audit trail"))
    add_command(audit, "verify", _("verify the whole hash chain, against this desk's "
                                   "checkpoints and any anchors given"), cmd_audit_verify,
                option("--anchor", type=Path, action="append", default=[], metavar="FILE",
                       help=_("a checkpoint file or a signed export or checkpoint PDF the "
                              "trail must still hold (repeatable)")),
                json_option())
    add_command(audit, "checkpoint", _("write a signed PDF stating the chain head"),
                cmd_audit_checkpoint, option("--out", type=Path, required=True, metavar="FILE"),
                force_option())
    add_command(audit, "list", _("list audit entries, newest first"), cmd_audit_list,
                option("--actor"), option("--action"), *date_range_options(),
                limit_option(100), json_option())

    settings = add_actions(commands, "settings", _("shared settings"))
    add_command(settings, "list", _("show all settings"), cmd_settings_list, json_option())
    add_command(settings, "set", _("change a setting"), cmd_settings_set, option("key"),
                option("value"))

    add_command(commands, "backup", _("write an online, consistent backup"), cmd_backup,
                option("file", type=Path), force_option())
    add_command(commands, "restore", _("replace the database by a backup"), cmd_restore,
                option("file", type=Path),
                option("--force", action="store_true",
                       help=_("restore even though the plan names problems (needs --reason)")),
                option("--reason", default="", metavar="TEXT",
                       help=_("why the restore is forced; recorded in the audit trail")),
                option("--dry-run", action="store_true",
                       help=_("only print the plan: exit 0 when the restore needs no force, "
                              "1 when it does")))


def cmd_init(args: argparse.Namespace) -> int:
    desk = open_desk(args, create=True)
    try:
        if desk.demo.is_empty():
            password = read_new_password(args, _("Password for {name}: ").format(name=args.admin))
            admin = desk.users.create_first_admin(args.admin, password, args.full_name)
            print(_("Created the database {url} and the administrator {name}.").format(
                url=desk.ctx.url.display(), name=admin.name))
            _print_recovery_code(desk)
        else:
            print(_("The database {url} is ready (schema up to date); it already has users, "
                    "so no administrator was added.").format(url=desk.ctx.url.display()))
    finally:
        desk.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desk_app.demo.service import DEMO_PASSWORD, DEMO_USERS

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
        _print_recovery_code(desk)
    finally:
        desk.close()
    print(_("Demo data ready: {users} users, {items} archive items, {loans} loans added.").format(
        users=counts["users"], items=counts.get("items", 0), loans=counts.get("loans", 0)))
    print(_("Demo users (password {password}):").format(password=DEMO_PASSWORD))
    from desk_app.domain.roles import role_label

    for demo in DEMO_USERS:
        roles = ", ".join(role_label(role) for role in demo.roles)
        print(f"  {demo.name:<10} {demo.full_name:<8} {roles}")
    return 0


def _print_recovery_code(desk) -> None:
    from desk_app.cli.forms import print_recovery_code

    code = desk.keys.take_recovery_code()
    if code:
        print_recovery_code(code)


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
    report = desk.audit.verify(actor, anchors=args.anchor)
    if args.json:
        sys.stdout.write(json_text(_verify_json(report)) + "\n")
        return 0 if report.ok else 1
    if not report.chain_ok:
        print(_("Audit trail BROKEN at entry {seq}: {problem}.").format(
            seq=report.broken_seq, problem=report.problem), file=sys.stderr)
    elif report.failed_anchors:
        print(_("Audit trail BROKEN: {count} entries, head hash {hash}, but it no longer holds "
                "what was seen of it earlier (below).").format(
            count=report.count, hash=report.head_hash), file=sys.stderr)
    else:
        print(_("Audit trail intact: {count} entries, head hash {hash}.").format(
            count=report.count, hash=report.head_hash))
    checks = report.anchors
    if checks:
        passed = sum(1 for check in checks if check.verdict == "ok")
        print(_("Anchors checked: {count} ({passed} held by the trail, {notices} with a notice, "
                "{failed} failed).").format(
            count=len(checks), passed=passed, notices=len(report.notices),
            failed=len(report.failed_anchors)))
    else:
        print(_("No anchors to check: this desk has no checkpoint of this database yet."))
    for check in report.notices:
        print(_("NOTICE: {message}").format(message=check.message()))
    for check in report.failed_anchors:
        print(_("BROKEN: {message}").format(message=check.message()), file=sys.stderr)
    return 0 if report.ok else 1


def _verify_json(report) -> dict:
    return {
        "ok": report.ok, "count": report.count, "head_hash": report.head_hash,
        "broken_seq": report.broken_seq, "problem": report.problem,
        "database_id": report.database_id,
        "anchors": [{
            "source": check.anchor.source, "kind": str(check.anchor.kind),
            "seq": check.anchor.seq, "hash": check.anchor.hash,
            "database_id": check.anchor.database_id, "verdict": str(check.verdict),
            "passed": check.passed, "notice": check.notice, "message": check.message(),
            "restore": None if check.restore is None else {
                "seq": check.restore.seq, "at": check.restore.at,
                "actor": check.restore.actor, "reason": check.restore.reason,
                "replaced_head": list(check.restore.replaced_head),
                "backup_head": list(check.restore.backup_head),
                "lost_entries": check.restore.lost_entries, "forced": check.restore.forced},
        } for check in report.anchors],
    }


@with_actor
def cmd_audit_checkpoint(desk, actor, args) -> int:
    result = desk.audit.checkpoint(actor, args.out, args.signing_password, force=args.force)
    print(_("Checkpoint of entry {seq} (hash {hash}) of database {database} signed and written "
            "to {path}.").format(seq=result.seq, hash=result.head_hash,
                                 database=result.database_id, path=result.path))
    return 0


@with_actor
def cmd_audit_list(desk, actor, args) -> int:
    from desk_app.services.audit import day_range
    from desk_app.store.audit_chain import AuditFilter

    since, until = day_range(args.since, args.until)
    flt = AuditFilter(actor=args.actor, action=args.action, since=since, until=until)
    rows = desk.audit.page(actor, flt, 0, max(1, args.limit))
    if not args.json:  # people read local times; --json keeps the stored UTC text
        from desk_app.domain.clock import parse_iso_utc

        rows = [{**row, "at": parse_iso_utc(row["at"])} for row in rows]
    emit(args, rows, ("seq", "at", "actor", "action", "entity", "entity_id", "sentence"))
    return 0


@with_actor
def cmd_settings_list(desk, actor, args) -> int:
    from desk_app.domain.settings import schema

    values = desk.settings.all()
    rows = [{"key": item.key, "value": item.shown(values[item.key]), "default": item.default,
             "label": _(item.label)} for item in schema()]
    emit(args, rows, ("key", "value", "default", "label"))
    return 0


@with_actor
def cmd_settings_set(desk, actor, args) -> int:
    from desk_app.domain.settings import setting

    value = desk.settings.set(actor, args.key, args.value)
    print(f"{safe_text(args.key)} = {safe_text(setting(args.key).shown(value))}")
    return 0


@with_actor
def cmd_backup(desk, actor, args) -> int:
    path = desk.backups.backup(actor, args.file, force=args.force)
    print(_("Backup written to {path}.").format(path=path))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Onto a database in use: sign in to it. Onto a new one (a new PC, no ``init`` first:
    the database is created), no one can sign in yet: the acting user must be an
    administrator of the backup, with the password the backup holds."""
    desk = open_desk(args, create=True)
    try:
        if desk.demo.is_empty():
            actor = _backup_admin(desk, args)
            code = _restore(desk, actor, args)
            if code == 0 and not args.dry_run:
                print(_("This PC holds no checkpoints of the restored trail yet: copy the "
                        "old PC's checkpoint file of this database into {folder}, or check "
                        "the trail against a signed checkpoint PDF (audit verify --anchor).")
                      .format(folder=checkpoint_dir()))
            return code
        return _restore(desk, sign_in(desk, args), args)
    finally:
        desk.close()


def _backup_admin(desk, args: argparse.Namespace):
    name = args.user or os.environ.get("DESK_USER")
    if not name:
        raise CliError(_("This database is new: name an administrator of the backup with "
                         "--user NAME (or env DESK_USER)."))
    password = os.environ.get("DESK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise CliError(_("No terminal to ask for the password: set env DESK_PASSWORD."))
        password = getpass.getpass(_("Password of {name} in the backup: ").format(name=name))
    return desk.backups.admin_of_backup(args.file, name, password)


def _restore(desk, actor, args: argparse.Namespace) -> int:
    """The plan first (what would be lost, the problems), then the restore — refused by the
    service when the plan has problems and ``--force --reason`` was not given."""
    plan = desk.backups.restore_plan(actor, args.file)
    _print_restore_plan(plan)
    if args.dry_run:
        return 1 if plan.needs_force else 0
    desk.backups.restore(actor, args.file, force=args.force, reason=args.reason, plan=plan)
    print(_("Database restored from {path}.").format(path=safe_text(args.file)))
    return 0


def _print_restore_plan(plan) -> None:
    from desk_app.domain.clock import format_datetime, parse_iso_utc

    def when(at: str | None) -> str:
        try:
            return format_datetime(parse_iso_utc(at), seconds=True) if at else ""
        except ValueError:
            return safe_text(at)

    def head(seq_hash: tuple[int, str]) -> str:
        return _("entry {seq}, hash {hash}").format(seq=seq_hash[0], hash=seq_hash[1][:16])

    relations = {
        "same": _("the backup holds exactly this database's audit trail"),
        "extends": _("the backup holds this database's audit trail and later entries"),
        "older": _("the backup's audit trail is the beginning of this database's"),
        "diverged": _("the two audit trails differ from entry {seq} on").format(
            seq=plan.common_seq + 1),
    }
    chain = plan.backup_chain
    rows = [
        (_("Backup"), _("{path} (SHA-256 {sha})").format(path=safe_text(plan.file),
                                                       sha=plan.sha256[:16])),
        (_("Backup head"), head(plan.backup_head)),
        (_("Current head"), head(plan.current_head)),
        (_("Relation"), relations[plan.relation.value]),
        (_("Recorded"), _("yes, by entry {seq}").format(seq=plan.recorded_seq)
         if plan.recorded else _("no")),
        (_("Backup's chain"), _("intact, {count} entries").format(count=chain.count)
         if chain.ok else _("broken at entry {seq}: {problem}").format(
            seq=chain.broken_seq, problem=chain.problem)),
    ]
    if plan.new_database:
        rows.append((_("This database"), _("new: it holds only its set-up")))
    if plan.lost_entries:
        lost = _("{count} (entries {first} to {last}, {since} – {until})").format(
            count=plan.lost_entries, first=plan.common_seq + 1, last=plan.current_head[0],
            since=when(plan.first_lost_at), until=when(plan.last_lost_at))
    else:
        lost = _("none")
    rows.append((_("Entries lost"), lost))
    if plan.expected_lost:
        rows.append(("", _("of them {count} expected: this backup's own record and your "
                           "sign-ins").format(count=plan.expected_lost)))
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        print(f"{label + ':' if label else '':<{width + 2}}{value}")
    if plan.lost:
        action_width = max(len(safe_text(item.action)) for item in plan.lost)
        for item in plan.lost:
            print(f"  {safe_text(item.action):<{action_width}}  {item.count:>7}  "
                  f"{when(item.first_at)} – {when(item.last_at)}")
    if plan.needs_force:
        print(_("Problems (the restore needs --force and --reason):"))
        for message in plan.messages():
            print(f"  - {message}")
    else:
        print(_("Problems: none; the restore needs no force."))
