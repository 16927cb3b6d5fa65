"""The signed PDF of any register export (R16): period, row count, exporter and the audit
chain head on top, the rows streamed below, one signature field for the exporter. The chain
head is also in the document information, under the signature (forms.checkpoint), so the
export is an anchor for ``desk-app audit verify --anchor``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from desk_app.forms.checkpoint import AuditHead, add_audit_head
from desk_app.forms.render import render_to
from desk_app.forms.signing import add_fields, rendered_pdf_writer
from desk_app.forms.spec import FormSpec, Progress
from desk_app.i18n import _

EXPORTER_SLOT = "exporter"


@dataclass(frozen=True)
class RegisterExport:
    company: str
    title: str
    record_no: str
    at: datetime  # the standard clock's time of the export
    head_hash: str  # the audit chain head the export is stamped with
    period: str
    exporter: str  # "Full name (user name)"
    header: Sequence[str]
    widths: Sequence[float]
    total: int
    audit_head: AuditHead | None = None  # machine-readable, for audit verify --anchor
    wrapped: Sequence[int] = ()  # columns printed in full over several lines, never cut


def write_register_pdf(export: RegisterExport, rows: Iterable[Sequence[str]],
                       path: str | os.PathLike[str], progress: Progress | None = None) -> None:
    """The export written to ``path``, with its empty exporter signature field
    (``EXPORTER_SLOT``) and the audit head added in one incremental update appended to the
    file: a big export is never held in memory whole (pyHanko reads the file as needed)."""
    spec = FormSpec(export.company, export.title, export.record_no, export.at,
                    head_hash=export.head_hash, landscape=True)
    spec.key_values([(_("Period"), export.period), (_("Entries"), str(export.total)),
                     (_("Exported by"), export.exporter),
                     (_("Audit chain head"), export.head_hash)])
    spec.rows(export.header, rows, col_widths=export.widths, total=export.total,
              wrapped=export.wrapped)
    spec.signatures([(EXPORTER_SLOT, _("Exported by"))])
    rendered = render_to(spec, path, progress)
    with open(path, "r+b") as stream:
        writer = rendered_pdf_writer(stream)
        add_fields(writer, rendered.slots)
        if export.audit_head:
            add_audit_head(writer, export.audit_head)
        writer.write_in_place()
