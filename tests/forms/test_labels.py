"""Folder and box labels: text extractable, fonts embedded, sheets laid out, start position."""

from __future__ import annotations

import re

import pytest

from desk_app.forms.labels import SHEETS, Label, render_labels, wrap

from .conftest import SIMPLIFIED, TRADITIONAL, poppler

LONG = "2025年度园区规划报告 — 绿化与道路改造工程（第二期）技术图纸及验收资料汇编" * 3


def labels(count: int) -> list[Label]:
    return [Label(f"GC-BG-2026-{n:04d}", f"{SIMPLIFIED} {TRADITIONAL} {n}", "A101 › 柜1 › 盒3")
            for n in range(1, count + 1)]


def write(tmp_path, data: bytes) -> str:
    path = tmp_path / "labels.pdf"
    path.write_bytes(data)
    return str(path)


def pages(path: str) -> int:
    return int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", path)).group(1))


@pytest.mark.parametrize("sheet", ["single", "L7163", "L7160"])
@pytest.mark.parametrize("code", ["code128", "qr"])
def test_refs_titles_locations_extract_and_fonts_embedded(tmp_path, sheet, code):
    path = write(tmp_path, render_labels(labels(3), sheet=sheet, code=code))
    text = poppler("pdftotext", path, "-")
    for n in (1, 2, 3):
        assert f"GC-BG-2026-{n:04d}" in text
    assert SIMPLIFIED in text.replace("\n", "")
    assert "A101 › 柜1 › 盒3" in text
    fonts = poppler("pdffonts", path).splitlines()[2:]
    assert fonts
    for line in fonts:
        assert re.search(r"\s(yes)\s+(yes)\s+(yes)\s+\d+\s+\d+\s*$", line), line
    assert "Helvetica" not in poppler("pdffonts", path)


def test_page_sizes(tmp_path):
    single = poppler("pdfinfo", write(tmp_path, render_labels(labels(1))))
    assert re.search(r"Page size:\s+255\.1\d* x 141\.7\d* pts", single), single
    sheet = poppler("pdfinfo", write(tmp_path, render_labels(labels(1), sheet="L7163")))
    assert "(A4)" in sheet


def test_one_page_per_single_label_and_sheets_fill_up(tmp_path):
    assert pages(write(tmp_path, render_labels(labels(3)))) == 3
    assert pages(write(tmp_path, render_labels(labels(14), sheet="L7163"))) == 1
    assert pages(write(tmp_path, render_labels(labels(15), sheet="L7163"))) == 2
    assert pages(write(tmp_path, render_labels(labels(21), sheet="L7160"))) == 1
    # skipping 20 used labels leaves one on the first sheet
    assert pages(write(tmp_path, render_labels(labels(2), sheet="L7160", start=20))) == 2


def test_start_position_moves_the_first_label(tmp_path):
    def first_label_y(start: int) -> float:
        path = write(tmp_path, render_labels(labels(1), sheet="L7163", start=start))
        bbox = poppler("pdftotext", "-bbox", path, "-")
        match = re.search(r'yMin="([\d.]+)"[^>]*>GC-BG-2026-0001<', bbox)
        return float(match.group(1))

    assert first_label_y(2) - first_label_y(0) == pytest.approx(38.1 * 72 / 25.4, abs=0.5)


def test_sheet_geometry_fits_on_a4():
    for sheet in SHEETS.values():
        x, y = sheet.origin(sheet.per_page - 1)
        assert x >= 0 and y >= 0
        assert x / 72 * 25.4 + sheet.label_w <= sheet.page_w + 0.01


def test_long_title_wrapped_and_cut():
    from desk_app.forms.fonts import FONT, register_fonts

    register_fonts()
    lines = wrap(LONG, FONT, 8, 150, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert wrap("short", FONT, 8, 150, 2) == ["short"]
    assert wrap("Owner file of Zhang Wei building", FONT, 10, 80, 3)[0].endswith(("of", "file"))


def test_bad_arguments():
    with pytest.raises(ValueError):
        render_labels(labels(1), sheet="A5")
    with pytest.raises(ValueError):
        render_labels(labels(1), code="ean13")
    with pytest.raises(ValueError):
        render_labels(labels(1), sheet="L7160", start=21)
    with pytest.raises(ValueError):
        render_labels([])
