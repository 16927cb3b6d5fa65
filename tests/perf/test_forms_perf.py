"""Forms benchmarks (not in the default run: ``.venv/bin/pytest -s tests/perf/test_forms_perf.py``).

Prints figures; asserts only correctness, never timings.
"""

from __future__ import annotations

import gc
import io
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from desk_app.forms import pki
from desk_app.forms.render import render_form, render_to
from desk_app.forms.signing import SignatureAppearance, prepare_fields, sign
from desk_app.forms.spec import FormSpec
from desk_app.forms.verify import verify_pdf

GENERATED = datetime(2025, 3, 4, 9, 5, 9)


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(10, 100), (80, 30), (150, 120), (220, 40), (390, 20)], fill=(0, 0, 0, 255), width=6
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _median(fn, repeat: int = 9) -> float:
    fn()  # warm up (imports, font parsing)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_one_page_form_signed_vs_bare():
    ca = pki.create_ca("CA", "某某客服中心", "s")
    user = pki.issue_user(ca, "s", "zhang.san", "张三", "pw")
    png = _png()

    def ours() -> bytes:
        spec = FormSpec("某某客服中心", "档案借阅单 / 檔案借閱單", "LN-2025-000123", GENERATED)
        spec.key_values([("借阅人", "张三"), ("档案", "规划 2024 年度档案 規劃"), ("用途", "年度审计")])
        spec.paragraph("借阅档案应于三个工作日内归还，逾期须由主管审批。" * 3)
        spec.signatures([("clerk", "经办人"), ("supervisor", "主管")])
        rendered = render_form(spec)
        pdf = prepare_fields(rendered.pdf, rendered.slots)
        return sign(
            pdf,
            "clerk",
            user.key_pem,
            "pw",
            user.cert_pem,
            ca.cert_pem,
            SignatureAppearance(png, "张三", "经办人", GENERATED),
        )

    def bare(reserved: int | None = None) -> bytes:
        from asn1crypto import keys, pem
        from asn1crypto import x509 as ax509
        from cryptography.hazmat.primitives import serialization
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore
        from reportlab.pdfgen.canvas import Canvas

        from desk_app.forms.fonts import FONT, register_fonts

        register_fonts()
        out = io.BytesIO()
        canv = Canvas(out, initialFontName=FONT)
        canv.setFont(FONT, 12)
        for i, line in enumerate(
            ["某某客服中心", "档案借阅单 / 檔案借閱單", "借阅人 张三", "档案 规划 2024 年度档案 規劃"]
        ):
            canv.drawString(40, 780 - 20 * i, line)
        canv.showPage()
        canv.save()
        key = pki.load_private_key(user.key_pem, "pw")
        signer = signers.SimpleSigner(
            signing_cert=ax509.Certificate.load(pem.unarmor(user.cert_pem)[2]),
            signing_key=keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            cert_registry=SimpleCertificateStore.from_certs(
                [ax509.Certificate.load(pem.unarmor(ca.cert_pem)[2])]
            ),
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(out.getvalue()))
        signed = io.BytesIO()
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="sig", subfilter=fields.SigSeedSubFilter.PADES),
            signer=signer,
            new_field_spec=fields.SigFieldSpec("sig"),
        ).sign_pdf(writer, bytes_reserved=reserved, output=signed)
        return signed.getvalue()

    assert verify_pdf(ours(), ca.cert_pem).ok
    assert verify_pdf(bare(), ca.cert_pem).ok
    t_ours, t_bare = _median(ours), _median(bare)
    print(f"\none-page form + 1 signature (appearance): {t_ours * 1000:.1f} ms")
    print(f"bare reportlab page + bare pyHanko signature: {t_bare * 1000:.1f} ms")
    print(f"ratio: {t_ours / t_bare:.2f}x (target <= 1.3x)")
    t_bare_reserved = _median(lambda: bare(8192))
    print(
        "bare with the same fixed signature reservation as ours (no dry run): "
        f"{t_bare_reserved * 1000:.1f} ms, ratio {t_ours / t_bare_reserved:.2f}x"
    )

    spec = FormSpec("公司", "表", "X", GENERATED).key_values([("a", "张三")]).signatures([("c", "经办人")])
    rendered = render_form(spec)
    fields_pdf = prepare_fields(rendered.pdf, rendered.slots)
    t_render = _median(lambda: render_form(spec))
    t_sign = _median(
        lambda: sign(
            fields_pdf,
            "c",
            user.key_pem,
            "pw",
            user.cert_pem,
            ca.cert_pem,
            SignatureAppearance(png, "张三", "经办人", GENERATED),
        )
    )
    signed = sign(fields_pdf, "c", user.key_pem, "pw", user.cert_pem, ca.cert_pem, None)
    t_verify = _median(lambda: verify_pdf(signed, ca.cert_pem))
    print(
        f"render {t_render * 1000:.1f} ms, sign with appearance {t_sign * 1000:.1f} ms, "
        f"verify {t_verify * 1000:.1f} ms"
    )


def _audit_rows(count: int):
    start = datetime(2025, 1, 1)
    for i in range(count):
        yield (
            i + 1,
            (start + timedelta(seconds=7 * i)).strftime("%Y-%m-%d %H:%M:%S"),
            "zhang.san",
            "loan.return",
            "archive_item",
            100000 + i,
            f"状态 借出→归还，位置 A-{i % 40}-{i % 7}，备注 规划",
            f"{(i * 2654435761) % (1 << 32):08x}",
        )


def _peak_rss_mb() -> float:
    """Peak RSS of this process. ru_maxrss survives fork+exec (it would report the parent pytest's
    peak), so prefer VmHWM, which belongs to the new address space."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export(count: int, path: str) -> dict:
    """Runs in a fresh process, so peak RSS is this export's own (after imports and a warm-up)."""
    render_form(FormSpec("w", "w", "w", GENERATED).paragraph("预热"))  # imports and font parsing
    gc.collect()
    before = _peak_rss_mb()
    spec = FormSpec(
        "某某客服中心", "审计记录导出", "AUD-2025-0001", GENERATED, head_hash="ab" * 32, landscape=True
    )
    spec.heading("审计记录 / 審計記錄").rows(
        ["#", "时间", "操作人", "动作", "对象", "ID", "变更", "哈希"],
        _audit_rows(count),
        col_widths=[0.8, 1.7, 1.1, 1.1, 1.1, 0.8, 3.0, 0.9],
        total=count,
    )
    start = time.perf_counter()
    info = render_to(spec, path, progress=lambda done, total: True)
    seconds = time.perf_counter() - start
    growth_mb = _peak_rss_mb() - before
    return {"seconds": seconds, "growth_mb": growth_mb, "pages": info.pages, "baseline_mb": before}


def test_audit_export_100k_rows(tmp_path):
    root = Path(__file__).resolve().parents[2]
    results = {}
    for count in (10_000, 100_000):
        path = tmp_path / f"audit-{count}.pdf"
        code = (
            "import json; from tests.perf.test_forms_perf import _export; "
            f"print(json.dumps(_export({count}, {str(path)!r})))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["size_mb"] = path.stat().st_size / 1e6
        results[count] = result
        print(
            f"\n{count:>7} rows: {result['seconds']:5.1f} s, {result['pages']} pages, "
            f"{result['size_mb']:.1f} MB file, "
            f"peak RSS growth {result['growth_mb']:.1f} MB (process baseline {result['baseline_mb']:.0f} MB)"
        )
    assert results[100_000]["pages"] > results[10_000]["pages"] * 9
