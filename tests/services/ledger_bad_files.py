"""Files an importer must refuse, each with one clear message (issue 16, "Bad input").

Each function writes one file into ``folder`` and returns its path. ``open_ledger`` refuses
all but ``unmapped_header_csv`` with a ValidationError(field="file"); BAD_FILES pairs each
with words of the expected (English) message.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NO_ENTRY = 0xFFFFFFFF
SECTOR = 512
# A real (if minimal) PNG and PDF: what people rename to .xlsx or .csv by mistake.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
       b"\x00\x00IEND\xaeB`\x82")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (the container of .xls and of password-protected .xlsx),
    version 3, 512-byte sectors: a FAT sector, a directory sector, then each stream padded
    to at least 4096 bytes so that it lives in ordinary sectors (no mini stream)."""
    assert 1 <= len(streams) <= 3, "one directory sector holds the root and three streams"
    datas = [data.ljust(4096, b"\x00") for data in streams.values()]
    datas = [data.ljust(-(-len(data) // SECTOR) * SECTOR, b"\x00") for data in datas]
    fat = [_FAT, _END]  # sector 0 the FAT, sector 1 the directory
    starts = []
    for data in datas:
        count = len(data) // SECTOR
        starts.append(len(fat))
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(_END)
    assert len(fat) <= SECTOR // 4, "one FAT sector"
    fat.extend([_FREE] * (SECTOR // 4 - len(fat)))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", _NO_ENTRY, right, child) + b"\x00" * 16
                + struct.pack("<I", 0) + b"\x00" * 16 + struct.pack("<IQ", start, size))

    names = list(streams)
    directory = entry("Root Entry", 5, 1, _NO_ENTRY, _END, 0)
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else _NO_ENTRY
        directory += entry(name, 2, _NO_ENTRY, right, starts[index], len(datas[index]))
    directory = directory.ljust(SECTOR, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108)
    assert len(header) == SECTOR
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + directory + b"".join(datas)


def old_xls(folder: Path) -> Path:
    """档案目录.xls: an OLE2 compound file holding a ``Workbook`` stream that starts with a
    BIFF8 BOF record, as Excel 97–2003 writes. Refused: "save it as .xlsx"."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    path = folder / "档案目录.xls"
    path.write_bytes(compound_file({"Workbook": bof}))
    return path


def protected_xlsx(folder: Path) -> Path:
    """档案目录（加密）.xlsx: what Excel saves when a password opens the workbook: not a zip
    but an OLE2 file with the streams ``EncryptionInfo`` and ``EncryptedPackage``.
    Refused: "protected by a password"."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?><encryption/>"
    path = folder / "档案目录（加密）.xlsx"
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": b"\x00" * 16}))
    return path


def empty_csv(folder: Path) -> Path:
    """空.csv: 0 bytes. Refused: "empty"."""
    path = folder / "空.csv"
    path.write_bytes(b"")
    return path


def blank_xlsx(folder: Path) -> Path:
    """空白.xlsx: a workbook whose only sheet holds spaces and empty strings. Refused:
    "empty"."""
    workbook = Workbook()
    workbook.active.append(("  ", None, "\n"))
    workbook.active.append(())
    path = folder / "空白.xlsx"
    workbook.save(path)
    return path


def blank_csv(folder: Path) -> Path:
    """空白.csv: only separators and line ends. Refused: "empty"."""
    path = folder / "空白.csv"
    path.write_bytes(b",,,\r\n , ,\r\n\r\n")
    return path


def _bytes_as(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def png_as_xlsx(folder: Path) -> Path:
    """照片.xlsx: a PNG image renamed. Refused: "not a spreadsheet"."""
    return _bytes_as(folder, "照片.xlsx", PNG)


def pdf_as_xlsx(folder: Path) -> Path:
    """扫描件.xlsx: a PDF renamed. Refused: "not a spreadsheet"."""
    return _bytes_as(folder, "扫描件.xlsx", PDF)


def png_as_csv(folder: Path) -> Path:
    """照片.csv: a PNG image renamed. Refused: "not a spreadsheet"."""
    return _bytes_as(folder, "照片.csv", PNG)


def pdf_as_csv(folder: Path) -> Path:
    """扫描件.csv: a PDF renamed. Refused: "not a spreadsheet"."""
    return _bytes_as(folder, "扫描件.csv", PDF)


def zip_not_workbook(folder: Path) -> Path:
    """资料.xlsx: a zip of a text file and a picture, not a workbook. Refused: "not a
    spreadsheet"."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("说明.txt", "档案目录见附件")
        archive.writestr("照片.png", PNG)
    return _bytes_as(folder, "资料.xlsx", buffer.getvalue())


def random_bytes_csv(folder: Path) -> Path:
    """乱码.csv: bytes no encoding reads as text (control bytes and NULs). Refused: "not a
    spreadsheet"."""
    data = bytes(range(256)) * 8
    return _bytes_as(folder, "乱码.csv", data)


def unmapped_header_csv(folder: Path) -> Path:
    """列表.csv (UTF-8): a header whose columns name no field of any ledger (列1, 列2, 备注)
    and two rows. ``open_ledger`` opens it (header row 1, headers 列1, 列2, 备注, the first
    non-blank row) so that a user can map the columns by hand; the import service refuses
    it without a mapping: "the header maps to nothing"."""
    return _bytes_as(folder, "列表.csv",
                     "列1,列2,备注\r\nGC-TZ-2009-0101,关于停水的通知,无\r\n"
                     "GC-TZ-2009-0102,关于停电的通知,无\r\n".encode())


# (writer, words the refusal says) for every file open_ledger refuses with field="file"
BAD_FILES = (
    (old_xls, "save it as .xlsx"),
    (protected_xlsx, "password"),
    (empty_csv, "empty"),
    (blank_xlsx, "empty"),
    (blank_csv, "empty"),
    (png_as_xlsx, "not a spreadsheet"),
    (pdf_as_xlsx, "not a spreadsheet"),
    (png_as_csv, "not a spreadsheet"),
    (pdf_as_csv, "not a spreadsheet"),
    (zip_not_workbook, "not a spreadsheet"),
    (random_bytes_csv, "not a spreadsheet"),
)
