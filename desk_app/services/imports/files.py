"""Opening a ledger file as a table: which kind of file it is, its encoding and delimiter
(CSV) or its sheet (.xlsx), which row is the header, and the data rows after it, streamed.

Cells come out raw (text, numbers, dates, None): ``domain.ledger`` cleans and parses them
in the import service. Every file this cannot read gives ONE ValidationError(field="file")
saying what the user should do with it (save as .xlsx, remove the password, …).

Header cells spanning several columns or rows (merged in Excel): read-only openpyxl does not
report merged ranges, so the header is rebuilt from what the cells hold. When the row
directly above the header row is also a header row (a two-row header), a blank cell of the
header row takes the text of the cell above it, and a blank cell of that upper row takes
the text to its left (the merged group it belongs to); a column whose upper and lower texts
together name a field (借阅 + 日期 → 借阅日期) is headed by both, 「借阅 日期」; a lower text
naming nothing under an upper one naming a field (柜号 and 盒号 under 存放位置) is headed by
the upper text, so the first such column maps to the field. The lower row is the header
when the pair scores higher than the upper row alone, or as high while looking merged (a
text under a blank continuation of a group, and a blank under a text). A blank cell to the
right of a merged-looking cell in a one-row header stays "". (Reading the sheet XML's
<mergeCells>, at its end, would cost a pass over the whole sheet.)
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import zipfile
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from types import TracebackType

from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import LedgerKind, clean_text, header_score
from desk_app.i18n import _

HEADER_SEARCH_ROWS = 30   # the header is among the first 30 non-blank rows
SAMPLE_BYTES = 64 * 1024  # what encoding detection and delimiter sniffing read of a CSV
DELIMITERS = ",;\t|"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
# Files people rename to .xlsx or .csv by mistake: PDF, PNG, JPEG, GIF, empty zip, RAR, 7z.
_NOT_SPREADSHEETS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x05\x06", b"Rar!",
                     b"7z\xbc\xaf")
_BOMS = ((codecs.BOM_UTF32_LE, "utf_32"), (codecs.BOM_UTF32_BE, "utf_32"),
         (codecs.BOM_UTF8, "utf_8_sig"), (codecs.BOM_UTF16_LE, "utf_16"),
         (codecs.BOM_UTF16_BE, "utf_16"))
# GB18030 is a superset of GBK and GB2312: what Excel writes as "CSV" on a Chinese Windows.
_CHINESE = {"gb2312", "gbk", "gb18030", "hz", "cp936"}


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _blank(cells: Sequence[object]) -> bool:
    return not any(cell is not None and (not isinstance(cell, str) or cell.strip())
                   for cell in cells)


class LedgerTable:
    """An opened ledger: its header and a stream of its data rows. A context manager;
    ``close()`` releases the file."""

    path: Path
    format: str
    encoding: str | None = None
    sheets: list[str]
    sheet: str | None = None
    header_row: int
    headers: list[str]
    estimated_rows: int = 0

    def __init__(self, path: Path, format: str) -> None:
        self.path = path
        self.format = format
        self.sheets = []
        self.header_row = 0
        self.headers = []
        self._workbook: object = None
        self._dialect: type[csv.Dialect] = csv.excel

    def __enter__(self) -> LedgerTable:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()  # type: ignore[attr-defined]
            self._workbook = None

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """(1-based row number in the file, raw cells padded/truncated to the headers) for
        each row after the header that is not wholly blank; streamed, from the start on
        every call."""
        width = len(self.headers)
        padding: list[object] = [None] * width
        for number, cells in self._raw_rows(self.header_row + 1):
            if _blank(cells):
                continue
            row = list(cells[:width])
            if len(row) < width:
                row.extend(padding[len(row):])
            yield number, row

    # ------------------------------------------------------------ sources

    def _raw_rows(self, start: int) -> Iterator[tuple[int, Sequence[object]]]:
        if self.format == "csv":
            yield from self._csv_rows(start)
        else:
            worksheet = self._workbook[self.sheet]  # type: ignore[index]
            yield from enumerate(worksheet.iter_rows(min_row=start, values_only=True), start)

    def _csv_rows(self, start: int) -> Generator[tuple[int, Sequence[object]], None, None]:
        assert self.encoding is not None
        number = 0
        with open(self.path, encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, self._dialect)
            try:
                for number, cells in enumerate(reader, 1):
                    if number >= start:
                        yield number, cells
            except UnicodeDecodeError as error:
                raise ValidationError(
                    _("Row {row} of {name} cannot be read as {encoding}: save the file from "
                      "Excel again as “CSV UTF-8” or as .xlsx.").format(
                        row=_first_bad_line(self.path, self.encoding), name=self.path.name,
                        encoding=self.encoding),
                    field="file") from error
            except csv.Error as error:
                raise ValidationError(
                    _("Row {row} of {name} is not valid CSV ({error}).").format(
                        row=number + 1, name=self.path.name, error=str(error)),
                    field="file") from error


def _first_bad_line(path: Path, encoding: str) -> int:
    """The line where decoding fails: text mode reads ahead in blocks, so the csv reader's
    row is not where the bad bytes are. Only on that error path."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open(path, "rb") as handle:
        for chunk in handle:
            try:
                line += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError:
                return line
    return line


# ---------------------------------------------------------------- opening


def open_ledger(path: Path | str, kind: LedgerKind | str, sheet: str | None = None) -> LedgerTable:
    """Open a CSV or .xlsx ledger of ``kind`` and find its header row (see the module)."""
    path = Path(path)
    kind = LedgerKind(kind)
    if not path.is_file():
        raise ValidationError(_("There is no file {name}.").format(name=str(path)), field="file")
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head:
        raise _empty(path)
    if head.startswith(_OLE2):
        if _ENCRYPTION_INFO in head or path.suffix.lower() in (".xlsx", ".xlsm"):
            raise ValidationError(
                _("{name} is protected by a password: open it in Excel, remove the password "
                  "and save it again, then import it.").format(name=path.name), field="file")
        raise ValidationError(
            _("{name} is an old Excel file (.xls): open it in Excel and save it as .xlsx "
              "(Excel Workbook), then import that.").format(name=path.name), field="file")
    if head.startswith(_ZIP):
        return _open_xlsx(path, kind, sheet)
    if head.startswith(_NOT_SPREADSHEETS) or path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise _not_spreadsheet(path)
    return _open_csv(path, kind, head)


def _empty(path: Path) -> ValidationError:
    return ValidationError(_("{name} is empty: there is no row to import.").format(name=path.name),
                           field="file")


def _not_spreadsheet(path: Path) -> ValidationError:
    return ValidationError(
        _("{name} is not a spreadsheet: import a CSV file or an Excel workbook (.xlsx).").format(
            name=path.name), field="file")


def _find_header(rows: Iterator[tuple[int, Sequence[object]]],
                 kind: LedgerKind) -> tuple[int, int, list[str]] | None:
    """(score, row number, headers) of the best header among the first non-blank rows, or
    None when there are none. A row scoring 0 everywhere: the first non-blank row."""
    best: tuple[int, int, list[str]] | None = None
    above: tuple[int, list[str]] | None = None  # the previous row, if non-blank
    seen = 0
    for number, cells in rows:
        if _blank(cells):
            above = None
            continue
        texts = _trim([clean_text(cell) for cell in cells])
        candidate = (header_score(texts, kind), number, texts)
        if above is not None and above[0] == number - 1:
            joined = _two_row_header(above[1], texts, kind)
            score = header_score(joined, kind)
            # the lower row of a two-row header is no data row: it wins a tie with its
            # upper row when it looks merged (cells under a group, blanks under a header)
            if score > candidate[0] and (score > (best[0] if best else 0) or (
                    best is not None and best[1] == above[0] and score == best[0]
                    and _looks_merged(above[1], texts))):
                candidate = (score, number, joined)
        if best is None or candidate[0] > best[0] or (
                candidate[0] == best[0] > 0 and candidate[2] is not texts
                and best[1] == number - 1):
            best = candidate
        above = (number, texts)
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return best


def _looks_merged(upper: list[str], lower: list[str]) -> bool:
    """Whether a lower row sits under merged upper cells: some cell under a blank upper cell
    right of a text (a group spanning columns) and some blank under an upper text (a header
    spanning two rows)."""
    under_group = any(lower[column] and not upper[column]
                      and any(upper[:column]) for column in range(min(len(upper), len(lower))))
    under_header = any(text and (column >= len(lower) or not lower[column])
                       for column, text in enumerate(upper))
    return under_group and under_header


def _trim(texts: list[str]) -> list[str]:
    end = len(texts)
    while end and not texts[end - 1]:
        end -= 1
    return texts[:end]


def _two_row_header(upper: list[str], lower: list[str], kind: LedgerKind) -> list[str]:
    width = max(len(upper), len(lower))
    groups: list[str] = []
    for column in range(width):  # a blank upper cell belongs to the merged group on its left
        text = upper[column] if column < len(upper) else ""
        groups.append(text or (groups[-1] if groups else ""))
    headers = []
    for column in range(width):
        top, bottom = groups[column], lower[column] if column < len(lower) else ""
        joined = f"{top} {bottom}".strip()
        if not bottom:
            headers.append(top)
        elif top and header_score([joined], kind) and not header_score([bottom], kind):
            headers.append(joined)
        elif top and not header_score([bottom], kind) and header_score([top], kind):
            headers.append(top)  # 存放位置 over 柜号/盒号: the column is a part of the location
        else:
            headers.append(bottom)
    return _trim(headers)


# ---------------------------------------------------------------- CSV


def _detect_encoding(path: Path, head: bytes) -> str:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    from charset_normalizer import from_bytes

    sample = head
    if len(head) == SAMPLE_BYTES and b"\n" in head:  # do not cut a character in two
        sample = head[:head.rindex(b"\n") + 1]
    match = from_bytes(sample).best()
    if match is None:
        raise ValidationError(
            _("Cannot tell which encoding {name} is written in: save it from Excel as "
              "“CSV UTF-8” or as .xlsx.").format(name=path.name), field="file")
    encoding = codecs.lookup(match.encoding).name.replace("-", "_")
    if encoding in _CHINESE:
        return "gb18030"
    if encoding == "ascii":
        return "utf_8"  # the rest of the file may hold more than the sample's ASCII
    return encoding


def _sniff(text: str) -> type[csv.Dialect]:
    """The dialect of a CSV sample: Excel's, with the delimiter its hint line 「sep=;」 names
    or csv.Sniffer finds among , ; tab | (a comma when it finds none)."""
    lines = text.splitlines()[:50]
    if lines and len(lines[0]) == 5 and lines[0].startswith("sep="):
        delimiter = lines[0][4]
    else:
        try:
            delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
    if delimiter == ",":
        return csv.excel
    return type("Sniffed", (csv.excel,), {"delimiter": delimiter})


def _open_csv(path: Path, kind: LedgerKind, head: bytes) -> LedgerTable:
    try:
        encoding = _detect_encoding(path, head)
    except ValidationError:
        if b"\x00" in head:  # binary, not text in an unknown encoding
            raise _not_spreadsheet(path) from None
        raise
    if b"\x00" in head and not encoding.startswith(("utf_16", "utf_32")):
        raise _not_spreadsheet(path)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    sample = decoder.decode(head, final=False)
    controls = sum(1 for char in sample if char < " " and char not in "\t\r\n")
    if controls * 100 > len(sample):  # more than 1% control characters: not text
        raise _not_spreadsheet(path)
    table = LedgerTable(path, "csv")
    table.encoding = encoding
    table._dialect = _sniff(sample)
    rows = table._csv_rows(1)
    try:
        found = _find_header(rows, kind)
    finally:
        rows.close()  # the file, left open at the 30th row
    if found is None:
        raise _empty(path)
    _score, table.header_row, table.headers = found
    size = path.stat().st_size
    lines = sample.count("\n")
    if lines > 1 and size > len(head):
        table.estimated_rows = max(0, round(size * lines / len(head)) - table.header_row)
    else:
        table.estimated_rows = max(0, lines + (not sample.endswith("\n")) - table.header_row)
    return table


# ---------------------------------------------------------------- .xlsx


def _open_xlsx(path: Path, kind: LedgerKind, sheet: str | None) -> LedgerTable:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as error:
        raise _not_spreadsheet(path) from error
    if "xl/workbook.xml" not in names and not any(
            name.endswith("workbook.xml") for name in names):
        raise _not_spreadsheet(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises anything from KeyError to XML errors
        raise _not_spreadsheet(path) from error
    table = LedgerTable(path, "xlsx")
    table._workbook = workbook
    try:
        _choose_sheet(table, workbook, kind, sheet)
    except BaseException:
        table.close()
        raise
    return table


def _choose_sheet(table: LedgerTable, workbook: object, kind: LedgerKind,
                  sheet: str | None) -> None:
    worksheets = list(workbook.worksheets)  # type: ignore[attr-defined]
    table.sheets = [ws.title for ws in worksheets if ws.sheet_state == "visible"]
    if sheet is not None:
        chosen = [ws for ws in worksheets if ws.title == sheet]
        if not chosen:
            raise ValidationError(
                _("{name} has no sheet “{sheet}”; its sheets are {sheets}.").format(
                    name=table.path.name, sheet=sheet, sheets="、".join(table.sheets)),
                field="sheet")
    else:
        chosen = [ws for ws in worksheets if ws.sheet_state == "visible"]
    best: tuple[int, int, list[str], object] | None = None
    for worksheet in chosen:
        if (worksheet.max_row or 0) <= 1 or (worksheet.max_column or 0) <= 1:
            worksheet.reset_dimensions()  # a writer that left no (or a wrong) dimension
        rows = worksheet.iter_rows(values_only=True)
        try:
            found = _find_header(enumerate(rows, 1), kind)
        finally:
            rows.close()
        if found is not None and (best is None or found[0] > best[0]):
            best = (*found, worksheet)
    if best is None:
        raise _empty(table.path)
    _score, table.header_row, table.headers, worksheet = best
    table.sheet = worksheet.title  # type: ignore[attr-defined]
    max_row = worksheet.max_row or _last_row(  # type: ignore[attr-defined]
        table.path, worksheet._worksheet_path)  # type: ignore[attr-defined]
    table.estimated_rows = max(0, max_row - table.header_row) if max_row else 0


_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row [^>]*?r=\"(\d+)\"")


def _last_row(path: Path, member: str) -> int:
    """The last row number of a sheet saved without its dimension (openpyxl's write-only
    mode, many exporting programs): from the end of its XML. Seeking a zip member inflates
    it up to there, in C: a fraction of a second for 100,000 rows."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as stream:
            size = archive.getinfo(member.lstrip("/")).file_size
            stream.seek(max(0, size - 64 * 1024))
            numbers = _ROW_NUMBER.findall(stream.read())
    except (KeyError, OSError, zipfile.BadZipFile):
        return 0
    return int(numbers[-1]) if numbers else 0


__all__ = ["LedgerTable", "file_sha256", "open_ledger"]
