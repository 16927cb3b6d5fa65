"""Signed PDFs: the CA certificate, verifying signatures, register exports."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from desk_app.cli.common import (
    CliError,
    add_actions,
    add_command,
    date_range_options,
    force_option,
    json_option,
    json_text,
    open_desk,
    option,
    safe_text,
    with_actor,
)
from desk_app.domain.clock import format_datetime, local_iso
from desk_app.domain.manifest import register_names
from desk_app.i18n import _


def register(commands) -> None:
    ca = add_actions(commands, "ca", _("the database's certificate authority"))
    add_command(ca, "export", _("write the CA certificate (PEM)"), cmd_ca_export,
                option("file", type=Path), force_option())
    add_command(ca, "crl", _("write the list of revoked certificates (CRL, signed by the CA)"),
                cmd_ca_crl, option("file", type=Path), force_option())
    add_command(ca, "status", _("who holds the CA's key, and whether a recovery code exists"),
                cmd_ca_status, json_option())
    add_command(ca, "recovery-code", _("make a new recovery code (the old one stops working)"),
                cmd_ca_recovery_code)
    add_command(ca, "recover", _("open the CA with the recovery code and keep it sealed for you"),
                cmd_ca_recover)
    add_command(commands, "verify-pdf", _("check every signature of a PDF"), cmd_verify_pdf,
                option("file", type=Path),
                option("--ca", type=Path, metavar="PEM",
                       help=_("trust this CA certificate instead of the database's")),
                option("--crl", type=Path, metavar="CRL",
                       help=_("the CA's list of revoked certificates (from 'ca crl'); with --ca "
                              "no database is needed")),
                json_option())
    add_command(commands, "export", _("export a register (PDF signed by you)"), cmd_export,
                option("register", choices=register_names()), *date_range_options(),
                option("--format", choices=["pdf", "csv", "xlsx"], required=True),
                option("--out", type=Path, required=True), force_option())


@with_actor
def cmd_ca_export(desk, actor, args: argparse.Namespace) -> int:
    path = desk.keys.export_ca(actor, args.file, force=args.force)
    print(_("CA certificate written to {path}.").format(path=path))
    return 0


@with_actor
def cmd_ca_crl(desk, actor, args: argparse.Namespace) -> int:
    path = desk.keys.export_crl(actor, args.file, force=args.force)
    print(_("Revocation list written to {path}.").format(path=path))
    return 0


@with_actor
def cmd_ca_status(desk, actor, args: argparse.Namespace) -> int:
    status = desk.keys.ca_status(actor)
    if args.json:
        sys.stdout.write(json_text(status) + "\n")
        return 0
    print(_("Administrators holding the CA's key: {names}").format(
        names=", ".join(safe_text(name) for name in status["holders"]) or _("none")))
    print(_("Recovery code: {state}").format(
        state=_("made") if status["recovery_code"] else _("none — make one with `ca recovery-code`")))
    if status["legacy"]:
        print(_("The CA's secret is still stored in clear: an administrator's sign-in seals it."))
    return 0


def print_recovery_code(code: str) -> None:
    print(_("Recovery code of the certificate authority (print it, keep it locked away; it is "
            "shown only now):"))
    print(f"    {code}")


@with_actor
def cmd_ca_recovery_code(desk, actor, args: argparse.Namespace) -> int:
    print_recovery_code(desk.keys.new_recovery_code(actor))
    return 0


@with_actor
def cmd_ca_recover(desk, actor, args: argparse.Namespace) -> int:
    import getpass

    code = os.environ.get("DESK_RECOVERY_CODE")
    if code is None:
        if not sys.stdin.isatty():
            raise CliError(_("No terminal to ask for the code: set env DESK_RECOVERY_CODE."))
        code = getpass.getpass(_("Recovery code: "))
    desk.keys.recover(actor, code)
    print(_("The certificate authority is sealed for {name} again.").format(name=actor.name))
    return 0


def cmd_verify_pdf(args: argparse.Namespace) -> int:
    """With --ca no database is opened: revocations then come only from --crl. Without --ca the
    database gives the CA and, unless --crl is given, its retired keys as revocations."""
    from desk_app.services.exports import database_revocations, verify_pdf_file

    def read(path: Path) -> bytes:
        try:
            return path.expanduser().read_bytes()
        except OSError as error:
            raise CliError(_("Cannot read {path}: {reason}").format(
                path=path, reason=error.strerror)) from None

    revoked = None
    if args.ca:
        trusted = read(args.ca)
    else:
        desk = open_desk(args)
        try:
            trusted = desk.keys.ca_certificate()
            if not args.crl:
                revoked = database_revocations()
        finally:
            desk.close()
    if args.crl:
        from desk_app.forms.crl import load_crl

        revoked = load_crl(read(args.crl), trusted)
    report = verify_pdf_file(args.file, trusted, revoked)
    if args.json:
        sys.stdout.write(json_text({"ok": report.ok, "signatures": [
            {"field": c.field_name, "signer": c.signer_name, "user": c.signer_user, "role": c.role,
             "signed_at": local_iso(c.signed_at), "intact": c.intact,
             "trusted": c.trusted, "modified_after": c.modified_after,
             "revoked_at": local_iso(c.revoked_at), "problem": c.problem}
            for c in report.signatures], "unsigned_fields": report.unsigned_fields}) + "\n")
        return 0 if report.ok else 1
    print_verify_report(report)
    return 0 if report.ok else 1


def print_verify_report(report) -> None:
    """What the PDF says about its signers comes from whoever made the file: one line each,
    no control characters (a signer named "x\nVALID: …" must not fake the verdict)."""
    yes, no = _("yes"), _("no")
    if not report.signatures:
        print(_("No signatures in this file."))
    for check in report.signatures:
        signer = check.signer_name + (f" ({check.signer_user})" if check.signer_user else "")
        print(_("Signature {field}: {signer}").format(field=safe_text(check.slot_label),
                                                      signer=safe_text(signer)))
        if check.role:
            print("  " + _("signed as: {role}").format(role=safe_text(check.role)))
        when = format_datetime(check.signed_at, seconds=True, empty="?")
        print("  " + _("signed at: {time}").format(time=when))
        print("  " + _("intact: {answer}").format(answer=yes if check.intact else no))
        print("  " + _("certificate issued by this office: {answer}").format(
            answer=yes if check.trusted else no))
        print("  " + _("changed or appended after signing: {answer}").format(
            answer=yes if check.modified_after else no))
        if check.revoked_at is not None:
            print("  " + _("certificate revoked: {time}").format(
                time=format_datetime(check.revoked_at, seconds=True)))
        if check.problem:
            print("  " + _("problem: {text}").format(text=safe_text(check.problem)))
    for name in report.unsigned_fields:
        print(_("Signature field {field}: not signed").format(field=safe_text(name)))
    print(_("VALID: every signature is intact, trusted and unmodified.") if report.ok
          else _("NOT VALID."))


@with_actor
def cmd_export(desk, actor, args) -> int:
    result = desk.exports.export(actor, args.register, args.since, args.until, args.format,
                                 args.out, password=args.signing_password, force=args.force)
    print(_("Exported {rows} entries to {path} (audit chain head {seq}: {hash}).").format(
        rows=result.rows, path=result.path, seq=result.head_seq, hash=result.head_hash))
    return 0
