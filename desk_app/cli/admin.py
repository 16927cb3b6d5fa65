"""Set-up and administration: init, demo, users, settings, audit trail, backups."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from desk_app.cli.common import (
    MAX_ROWS,
    bounded_int,
    emit,
    open_desk,
    parse_date,
    read_new_password,
    safe_text,
    sign_in,
    with_actor,
)
from desk_app.i18n import _


def register(commands) -> None:
    init = commands.add_parser("init", help=_("create or migrate the database and the first admin"))
    init.add_argument("--admin", required=True, metavar="NAME")
    init.add_argument("--full-name", default="")
    init.add_argument("--password-stdin", action="store_true")
    init.set_defaults(run=cmd_init)

    demo = commands.add_parser("demo", help=_("fill the database with demo data"))
    # 100 is the documented large set (500,000 items, 1,000,000 loans).
    demo.add_argument("--scale", type=bounded_int(1, 100), default=1, metavar="N")
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
    audit_list.add_argument("--limit", type=bounded_int(1, MAX_ROWS), default=100)
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

    backup = commands.add_parser("backup", help=_("write an online, consistent backup"))
    backup.add_argument("file", type=Path)
    backup.add_argument("--force", action="store_true", help=_("replace the file if it exists"))
    backup.set_defaults(run=cmd_backup)
    restore = commands.add_parser("restore", help=_("replace the database by a backup"))
    restore.add_argument("file", type=Path)
    restore.set_defaults(run=cmd_restore)


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
    from desk_app.domain.settings import schema

    values = desk.settings.all()
    rows = [{"key": item.key, "value": values[item.key], "default": item.default,
             "label": _(item.label)} for item in schema()]
    emit(args, rows, ("key", "value", "default", "label"))
    return 0


@with_actor
def cmd_settings_set(desk, actor, args) -> int:
    value = desk.settings.set(actor, args.key, args.value)
    print(f"{safe_text(args.key)} = {safe_text(value)}")
    return 0


@with_actor
def cmd_backup(desk, actor, args) -> int:
    path = desk.backups.backup(actor, args.file, force=args.force)
    print(_("Backup written to {path}.").format(path=path))
    return 0


@with_actor
def cmd_restore(desk, actor, args) -> int:
    desk.backups.restore(actor, args.file)
    print(_("Database restored from {path}.").format(path=args.file))
    return 0
