"""Exporting the loan register at office scale (issue 17).

Run with ``make perf`` (or ``pytest tests/perf/test_export_perf.py -s``). The database is
``var/perf-<scale>.db`` (``DESK_PERF_SCALE``, default 100: 1,000,000 loans), built as
tests/perf/test_archive_perf.py builds it and copied to a temporary folder first (an export
writes its audit entry). The period holds about 1,000 loans per scale (~100,000;
``DESK_PERF_EXPORT_ROWS`` sets another number).

Each figure is one export through ``desk.exports.export`` next to a hand-written baseline in
the same run doing the same work with the same libraries: one ``sqlite3`` query (the app's
pragmas) into ``csv.writer`` — the files must be byte-identical —, the same rows into an
openpyxl write-only sheet — the sheets must be identical —, and a reportlab canvas with the
same font and row height plus one pyHanko signature. ``DESK_PERF_REPEAT`` (default 1) runs
each that many times and prints medians. Peak RSS growth is sampled during each run.
Figures only; no thresholds are asserted.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import statistics
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desk_app.demo.service import DEMO_PASSWORD
from desk_app.desk import Desk
from desk_app.domain.clock import to_local
from desk_app.i18n import _
from desk_app.services.exports import verify_pdf_file
from desk_app.store.db import SQLITE_PRAGMAS
from tests.perf.figures import record
from tests.perf.test_archive_perf import big_database

SCALE = int(os.environ.get("DESK_PERF_SCALE", "100"))
ROOT = Path(__file__).resolve().parents[2]
DB = ROOT / "var" / f"perf-{SCALE}.db"
REPEAT = int(os.environ.get("DESK_PERF_REPEAT", "1"))
WANTED_ROWS = int(os.environ.get("DESK_PERF_EXPORT_ROWS", 1000 * SCALE))
EXPORTER = "chenjing"  # the demo's auditor: may export the loan register

# The loan register's export by hand: the joins, R6 (loans of personnel files are left out:
# the auditor holds no grant) and local times made by SQLite itself.
LOANS_SQL = """
SELECT l.id, i.ref, CASE WHEN i.level = 'personnel' THEN '—' ELSE i.title END, b.name,
       l.purpose, COALESCE(NULLIF(u.full_name, ''), u.name),
       strftime('%Y-%m-%d %H:%M', l.lent_at, 'localtime'), l.due_on,
       strftime('%Y-%m-%d %H:%M', l.returned_at, 'localtime'), l.return_condition
FROM loan AS l JOIN item AS i ON i.id = l.item_id JOIN borrower AS b ON b.id = l.borrower_id
JOIN app_user AS u ON u.id = l.handler_id
WHERE l.lent_at >= ? AND l.lent_at < ?
  AND l.item_id NOT IN (SELECT id FROM item WHERE level = 'personnel')
ORDER BY l.id
"""


@pytest.fixture(scope="module")
def export_desk(tmp_path_factory):
    big_database()
    folder = tmp_path_factory.mktemp("exports")
    copy = folder / "desk.db"
    started = time.perf_counter()
    with sqlite3.connect(DB) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    print(f"\ncopied {DB.name} to {folder} in {time.perf_counter() - started:.1f} s")
    desk = Desk.open(f"sqlite:///{copy}")
    yield desk, copy, folder
    desk.close()


def _raw(path: Path) -> sqlite3.Connection:
    """A plain connection with the settings the app gives its own (store/db.py)."""
    raw = sqlite3.connect(path, timeout=10, isolation_level=None)
    for name, value in SQLITE_PRAGMAS.items():
        raw.execute(f"PRAGMA {name} = {value}")
    return raw


def _period(raw: sqlite3.Connection) -> tuple[date, date]:
    """Local days from the one of the ``WANTED_ROWS``-th newest loan to the newest one's."""
    newest = raw.execute("SELECT max(lent_at) FROM loan").fetchone()[0]
    nth = raw.execute("SELECT lent_at FROM loan ORDER BY lent_at DESC LIMIT 1 OFFSET ?",
                      (WANTED_ROWS - 1,)).fetchone()
    first = nth[0] if nth else raw.execute("SELECT min(lent_at) FROM loan").fetchone()[0]

    def day(text: str) -> date:
        return to_local(datetime.fromisoformat(text)).date()

    return day(first), day(newest)


def _utc_bounds(since: date, until: date) -> tuple[str, str]:
    """The period as the stored text bounds (local midnights in UTC)."""
    def start(day: date) -> str:
        moment = datetime(day.year, day.month, day.day).astimezone(UTC).replace(tzinfo=None)
        return moment.isoformat(" ")

    return start(since), start(until + timedelta(days=1))


class PeakRss:
    """The highest resident set size above the starting one while the block runs, sampled
    every 20 ms from /proc (ru_maxrss only ever grows over the whole process)."""

    def __init__(self) -> None:
        self.growth = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self, start: int) -> None:
        while not self._stop.wait(0.02):
            self.growth = max(self.growth, self.rss() - start)

    def __enter__(self) -> PeakRss:
        self._thread = threading.Thread(target=self._sample, args=(self.rss(),), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _timed(operation: Callable[[], object]) -> tuple[float, int, object]:
    """Median seconds over ``REPEAT`` runs, the largest RSS growth, the last result."""
    times, growth, result = [], 0, None
    for _run in range(REPEAT):
        with PeakRss() as peak:
            started = time.perf_counter()
            result = operation()
            times.append(time.perf_counter() - started)
        growth = max(growth, peak.growth)
    return statistics.median(times), growth, result


def _report(figure: str, ours: tuple[float, int, object], baseline: tuple[float, int, object],
            size: str) -> None:
    (ours_s, ours_rss, _), (base_s, base_rss, _) = ours, baseline
    record(f"{figure} ({size})", ours_s, base_s, unit="s", goal=GOALS[figure])
    print(f"    peak RSS +{ours_rss / 2**20:5.1f} MB (baseline +{base_rss / 2**20:5.1f} MB)")


GOALS = {"export loans to CSV": 1.5, "export loans to XLSX": 1.3,
         "export loans to signed PDF": 1.5}  # issue 17


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


@pytest.fixture(scope="module")
def setup(export_desk):
    desk, copy, folder = export_desk
    raw = _raw(copy)
    since, until = _period(raw)
    actor = desk.auth.login(EXPORTER, DEMO_PASSWORD)
    source = desk.registers["loans"]
    total, _cells = source.export_rows(actor, _period_of(since, until))
    print(f"\nperiod {since} – {until}: {total:,} loans of "
          f"{raw.execute('SELECT count(*) FROM loan').fetchone()[0]:,}; "
          f"TZ {time.tzname}; load {_load()}; {REPEAT} run(s) each")
    plan = raw.execute("EXPLAIN QUERY PLAN " + LOANS_SQL, _utc_bounds(since, until)).fetchall()
    print("baseline plan: " + "; ".join(row[3] for row in plan))
    # Warm up (imports, the font, the signing key), so neither side pays the first-use costs.
    for fmt in ("csv", "xlsx", "pdf"):
        _export(desk, actor, until, until, fmt, folder / f"warm.{fmt}",
                **({"password": DEMO_PASSWORD} if fmt == "pdf" else {}))()
    _baseline_pdf(iter(list(_raw_rows(raw, until, until))[:100]), source.header(),
                  source.widths(), folder / "warm-baseline.pdf")
    yield desk, raw, actor, source, since, until, total, folder
    raw.close()


def _period_of(since: date, until: date):
    from desk_app.services.registers import Period

    return Period(since, until)


def _raw_rows(raw: sqlite3.Connection, since: date, until: date) -> Iterator[tuple]:
    return raw.execute(LOANS_SQL, _utc_bounds(since, until))


def _export(desk, actor, since, until, fmt: str, out: Path, **options) -> Callable[[], object]:
    reports: list[int] = []

    def progress(done: int, total: int) -> bool:
        reports.append(done)
        return True

    def run():
        reports.clear()
        out.unlink(missing_ok=True)
        result = desk.exports.export(actor, "loans", since, until, fmt, out, progress=progress,
                                     **options)
        assert reports or result.rows < 2000, "the export reports its progress"
        return result

    return run


def test_export_csv(setup):
    desk, raw, actor, source, since, until, total, folder = setup
    ours_path, base_path = folder / "ours.csv", folder / "baseline.csv"
    ours = _timed(_export(desk, actor, since, until, "csv", ours_path))

    def baseline() -> None:
        with base_path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(source.header())
            writer.writerows(_raw_rows(raw, since, until))

    base = _timed(baseline)
    assert ours[2].rows == total
    assert ours_path.read_bytes() == base_path.read_bytes(), "the baseline writes the same file"
    _report("export loans to CSV", ours, base, f"{total:,} rows")


def test_export_xlsx(setup):
    from openpyxl import Workbook

    desk, raw, actor, source, since, until, total, folder = setup
    ours_path, base_path = folder / "ours.xlsx", folder / "baseline.xlsx"
    ours = _timed(_export(desk, actor, since, until, "xlsx", ours_path))

    def baseline() -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_(source.title)[:31])
        sheet.append(source.header())
        for row in _raw_rows(raw, since, until):
            sheet.append(["" if value is None else str(value) for value in row])
        book.save(base_path)

    base = _timed(baseline)
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(ours_path) as ours_zip, zipfile.ZipFile(base_path) as base_zip:
        assert ours_zip.read(sheet) == base_zip.read(sheet), "the baseline writes the same sheet"
    _report("export loans to XLSX", ours, base, f"{total:,} rows")


def _baseline_pdf(rows: Iterator[tuple], header: list[str], widths: list[float],
                  path: Path) -> int:
    """The rows drawn on a reportlab canvas: landscape A4, the forms' font at 7.5 pt in
    11 pt rows under a header row, each cell cut by characters to its column, one text
    object and one path of lines per page; then one PAdES signature by pyHanko with a fresh
    key. Returns the page count."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from desk_app.forms.fonts import FONT, FONT_BOLD, register_fonts

    register_fonts()
    page_width, page_height = landscape(A4)
    margin, top, bottom, row_height, size = 40.0, page_height - 40 - 74, 40 + 24, 11.0, 7.5
    scale = (page_width - 2 * margin) / sum(widths)
    points = [width * scale for width in widths]
    lefts = [margin + sum(points[:index]) for index in range(len(points))]
    chars = [max(1, int((width - 5) / size)) for width in points]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    pages = 0

    def finish_page(text, lines, y: float) -> None:
        canvas.drawText(text)
        for line_y in [*lines, y]:
            lines_path.moveTo(margin, line_y)
            lines_path.lineTo(page_width - margin, line_y)
        canvas.drawPath(lines_path, stroke=1, fill=0)

    text, lines, y = None, [], 0.0
    for row in rows:
        if text is None or y - row_height < bottom:
            if text is not None:
                finish_page(text, lines, y)
                canvas.showPage()
                pages += 1
            lines_path = canvas.beginPath()
            text, lines = canvas.beginText(), []
            text.setFont(FONT_BOLD, size)
            for left, label in zip(lefts, header, strict=True):
                text.setTextOrigin(left + 2.5, top - 8)
                text.textLine(label)
            text.setFont(FONT, size)
            y = top - row_height
        for left, limit, value in zip(lefts, chars, row, strict=True):
            if value is not None:
                text.setTextOrigin(left + 2.5, y - 8)
                text.textLine(str(value)[:limit])
        lines.append(y)
        y -= row_height
    if text is not None:
        finish_page(text, lines, y)
    canvas.showPage()
    canvas.save()
    pages += 1
    path.write_bytes(_baseline_signature(buffer.getvalue()))
    return pages


def _baseline_signature(pdf: bytes) -> bytes:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "baseline")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        cert_registry=None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = io.BytesIO()
    signers.sign_pdf(writer, signers.PdfSignatureMetadata(
        field_name="exporter", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"),
        signer=signer, new_field_spec=fields.SigFieldSpec("exporter", box=(40, 40, 210, 112)),
        output=out, bytes_reserved=8192)
    return out.getvalue()


def _pages(path: Path) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    with path.open("rb") as handle:
        return int(PdfFileReader(handle).root["/Pages"]["/Count"])


def test_export_signed_pdf(setup):
    desk, raw, actor, source, since, until, total, folder = setup
    ours_path, base_path = folder / "ours.pdf", folder / "baseline.pdf"
    ours = _timed(_export(desk, actor, since, until, "pdf", ours_path, password=DEMO_PASSWORD))
    base = _timed(lambda: _baseline_pdf(_raw_rows(raw, since, until), source.header(),
                                        source.widths(), base_path))
    report = verify_pdf_file(ours_path, desk.keys.ca_certificate())
    assert report.ok and [s.signer_user for s in report.signatures] == [actor.name]
    ours_pages, base_pages = _pages(ours_path), base[2]
    _report("export loans to signed PDF", ours, base,
            f"{total:,} rows, {ours_pages:,} pages (baseline {base_pages:,}), "
            f"{ours_path.stat().st_size / 2**20:.1f} MB (baseline "
            f"{base_path.stat().st_size / 2**20:.1f} MB)")
