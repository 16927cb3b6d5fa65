from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from desk_app.forms.fonts import missing_characters
from desk_app.forms.render import render, render_form
from desk_app.forms.spec import FormSpec, format_time

from .conftest import GENERATED, SIMPLIFIED, TRADITIONAL, loan_spec, poppler


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_importing_the_package_loads_no_pdf_library():
    code = (
        "import sys, desk_app.forms, desk_app.forms.spec, desk_app.forms.render, "
        "desk_app.forms.drawing, desk_app.forms.labels, desk_app.forms.loan_forms, "
        "desk_app.forms.signing, desk_app.forms.verify, desk_app.forms.pki\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('reportlab', 'pyhanko', 'PySide6', 'peewee') or m.startswith(('desk_app.services', "
        "'desk_app.store', 'desk_app.ui'))]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_font_covers_both_scripts():
    assert missing_characters(SIMPLIFIED + TRADITIONAL + "第页共，。：（）／") == set()


def test_every_font_embedded_and_both_scripts_extract(tmp_path):
    rendered = render_form(loan_spec())
    path = write(tmp_path, "loan.pdf", rendered.pdf)
    fonts = poppler("pdffonts", path).splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        assert re.search(r"\s(yes)\s+(yes)\s+(yes)\s+\d+\s+\d+\s*$", line), line  # emb sub uni
    text = poppler("pdftotext", "-layout", path, "-")
    assert SIMPLIFIED in text
    assert TRADITIONAL in text
    assert "LN-2025-000123" in text
    assert "Page 1 of 1" in text
    assert "某某客服中心" in text


def test_signature_slots_are_reported(tmp_path):
    rendered = render_form(loan_spec())
    assert [s.name for s in rendered.slots] == ["clerk", "supervisor"]
    for slot in rendered.slots:
        assert slot.page_index == rendered.pages - 1
        x1, y1, x2, y2 = slot.rect
        assert 0 < x1 < x2 < 595 and 40 < y1 < y2 < 842
    assert rendered.slots[0].rect[2] <= rendered.slots[1].rect[0]


def test_generation_time_and_head_hash_on_every_page(tmp_path):
    spec = FormSpec(
        "公司", "交接记录", "HO-1", GENERATED, head_hash="f" * 64, display_tz=timezone(timedelta(hours=8))
    )
    spec.table(["序号", "事项"], [(i, f"事项 {i}") for i in range(150)])
    rendered = render_form(spec)
    assert rendered.pages >= 3
    path = write(tmp_path, "t.pdf", rendered.pdf)
    for page in range(1, rendered.pages + 1):
        text = poppler("pdftotext", "-f", str(page), "-l", str(page), path, "-")
        assert "2025-03-04 17:05" in text
        assert "+08:00" not in text and "+00:00" not in text
        assert "f" * 64 in text
        assert f"Page {page} of {rendered.pages}" in text


def test_table_repeats_header_on_each_page(tmp_path):
    spec = FormSpec("公司", "档案清单", "LIST-7", GENERATED)
    spec.paragraph("清单如下。")
    spec.table(
        ["序号", "档案名称 / 檔案名稱", "状态"],
        [(i, f"档案 {i} " + "规划文件 規劃 " * (1 + i % 4), "借出") for i in range(90)],
        col_widths=[1, 6, 1.5],
    )
    rendered = render_form(spec)
    assert rendered.pages >= 3
    path = write(tmp_path, "t.pdf", rendered.pdf)
    rows_seen = []
    for page in range(1, rendered.pages + 1):
        text = poppler("pdftotext", "-layout", "-f", str(page), "-l", str(page), path, "-")
        assert "档案名称 / 檔案名稱" in text, f"header missing on page {page}"
        assert f"Page {page} of {rendered.pages}" in text
        rows_seen += [int(m) for m in re.findall(r"^\s*(\d+)\s+档案 ", text, re.M)]
    assert rows_seen == list(range(90))


def test_streamed_rows_progress_split_and_cancel(tmp_path):
    seen = []

    def rows():
        for i in range(500):
            yield (
                i,
                f"2025-01-01 00:{i % 60:02d}",
                "张三",
                "loan.create",
                "item",
                i,
                "借出→归还 " * 20,
                "ab12",
            )

    spec = FormSpec("公司", "审计导出", "AUD-1", GENERATED, head_hash="a" * 64, landscape=True)
    header = ["#", "时间", "操作人", "动作", "对象", "ID", "变更", "哈希"]
    spec.rows(header, rows(), total=500)
    rendered = render_form(spec, progress=lambda done, total: seen.append((done, total)) is None)
    assert seen[-1] == (500, 500)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    path = write(tmp_path, "a.pdf", rendered.pdf)
    numbers = []
    for page in range(1, rendered.pages + 1):
        text = poppler("pdftotext", "-layout", "-f", str(page), "-l", str(page), path, "-")
        assert "操作人" in text and f"Page {page} of {rendered.pages}" in text
        numbers += [int(m) for m in re.findall(r"^\s*(\d+)\s+2025-01-01", text, re.M)]
    assert numbers == list(range(500))
    assert "…" in poppler("pdftotext", "-f", "1", "-l", "1", path, "-")  # long change text is cut

    def cancel(done, total):
        return done < 100

    spec2 = FormSpec("公司", "审计导出", "AUD-2", GENERATED, landscape=True).rows(header, rows(), total=500)
    with pytest.raises(InterruptedError):
        render(spec2, progress=cancel)


def test_empty_rows_and_format_time():
    spec = FormSpec("公司", "空", "E-1", GENERATED).rows(["a", "b"], iter(()))
    assert render(spec).startswith(b"%PDF-")
    assert (
        format_time(datetime(2025, 1, 1, 0, 0), timezone(timedelta(hours=8))) == "2025-01-01 08:00"
    )
    assert format_time(datetime(2025, 1, 1, tzinfo=UTC), UTC) == "2025-01-01 00:00"


def test_slot_names_must_be_unique_ascii():
    spec = FormSpec("公司", "表", "X", GENERATED)
    with pytest.raises(ValueError):
        spec.signatures([("clerk", "经办人"), ("clerk", "主管")])
    with pytest.raises(ValueError):
        spec.signatures([("经办", "经办人")])
