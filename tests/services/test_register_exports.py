"""Every register of the manifest exports the same rows as CSV, as an XLSX a spreadsheet
reader opens (openpyxl round-trip) and as a signed PDF that verifies (our verifier, the
CLI's ``verify-pdf`` and poppler's ``pdfsig``)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from desk_app.demo.service import DEMO_PASSWORD, DEMO_USERS
from desk_app.domain.manifest import register_names
from desk_app.services.exports import verify_pdf_file


def _exporter(desk, register: str):
    """The first demo user allowed to export ``register``."""
    permission = desk.registers[register].export_permission
    for user in DEMO_USERS:
        actor = desk.auth.login(user.name, DEMO_PASSWORD)
        if actor.can(permission):
            return actor
    raise AssertionError(f"no demo user may export {register}")


@pytest.mark.parametrize("register", register_names())
def test_every_register_exports_csv_xlsx_and_a_signed_pdf(demo_desk, tmp_path, register):
    desk, source = demo_desk, demo_desk.registers[register]
    actor = _exporter(desk, register)
    until = desk.today()
    since = until - timedelta(days=30)

    def export(fmt: str, **options):
        return desk.exports.export(actor, register, since, until, fmt,
                                   tmp_path / f"{register}.{fmt}", **options)

    as_csv = export("csv")
    with as_csv.path.open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.reader(handle))
    assert csv_rows[0] == source.header()
    assert len(csv_rows) - 1 == as_csv.rows > 0, "the demo data has rows in the last 30 days"

    as_xlsx = export("xlsx")
    book = load_workbook(as_xlsx.path, read_only=True)
    xlsx_rows = [["" if value is None else str(value) for value in row]
                 for row in book.active.iter_rows(values_only=True)]
    book.close()
    # The audit trail's second export also holds the entry of the first one.
    assert xlsx_rows[:len(csv_rows)] == csv_rows
    assert len(xlsx_rows) - len(csv_rows) == (1 if register == "audit" else 0)

    as_pdf = export("pdf", password=DEMO_PASSWORD)
    assert as_pdf.rows == as_xlsx.rows + (1 if register == "audit" else 0)
    report = verify_pdf_file(as_pdf.path, desk.keys.ca_certificate())
    assert report.ok and [s.signer_user for s in report.signatures] == [actor.name]
    cli = subprocess.run([sys.executable, "-m", "desk_app", "--db", desk.ctx.url.display(),
                          "verify-pdf", str(as_pdf.path)], capture_output=True, text=True)
    assert cli.returncode == 0 and "VALID" in cli.stdout, cli.stdout + cli.stderr
    if shutil.which("pdfsig"):
        out = subprocess.run(["pdfsig", str(as_pdf.path)], capture_output=True, text=True).stdout
        assert "Signature is Valid" in out, out
