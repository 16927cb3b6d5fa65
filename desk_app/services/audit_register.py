"""The audit trail as a register (R16): its page, its exports, the CLI's ``export audit``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import fields
from typing import Any

from desk_app.domain.audit import AuditRecord
from desk_app.domain.audit_text import change_text
from desk_app.domain.clock import format_datetime_cached, parse_iso_utc
from desk_app.domain.roles import Permission
from desk_app.domain.users import Actor
from desk_app.i18n import N_
from desk_app.services.audit import day_range, in_words
from desk_app.services.registers import (
    Period,
    RegisterColumn,
    RegisterSource,
    in_chunks,
    in_id_order,
)
from desk_app.store import audit_chain
from desk_app.store.audit_chain import AuditFilter
from desk_app.store.models import AuditEntry

# What ``audit_chain.dump_row`` holds: the fields of an AuditRecord, then the hash.
_ENTRY_KEYS = (*(field.name for field in fields(AuditRecord)), "hash")


def _field(name: str, show=str):
    """A column of an entry: a model row (exports) or a dict (pages)."""
    return lambda entry: show(entry[name] if isinstance(entry, dict) else getattr(entry, name))


class AuditRegister(RegisterSource):
    """Rows are audit entries; an export stops at the chain head it is stamped with, so
    entries appended meanwhile by other desks are neither written nor counted."""

    name = "audit"
    title = N_("Audit trail")
    view_permission = Permission.AUDIT_VIEW
    export_permission = Permission.AUDIT_VIEW
    columns = (
        RegisterColumn(N_("No."), 5, _field("seq")),
        RegisterColumn(N_("Time"), 13,
                       _field("at", lambda at: format_datetime_cached(parse_iso_utc(at),
                                                                     seconds=True))),
        RegisterColumn(N_("User"), 7, _field("actor_name")),
        RegisterColumn(N_("Action"), 10, _field("label")),
        RegisterColumn(N_("What happened"), 26, _field("sentence")),
        RegisterColumn(N_("Change"), 32, _field("rows", change_text)),
        RegisterColumn(N_("Hash"), 10, _field("hash", lambda value: value[:16])),
    )
    wrapped = (N_("Action"), N_("What happened"), N_("Change"))  # the PDF wraps these in full, never cut
    BATCH = 500  # entries read per full-name lookup while an export streams

    def period(self, period: Period) -> Any:
        start, end = day_range(period.since, period.until)
        return AuditFilter(since=start, until=end), period.up_to_seq

    def _count(self, actor: Actor, flt: Any) -> int:
        audit_filter, up_to = flt
        return audit_chain.count(audit_filter, up_to)

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        audit_filter, _up_to = flt
        return in_words(audit_chain.page(audit_filter, offset, limit))

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        """The entries as ``audit_chain.dump_row`` gives them, from one statement in sequence
        order (keyset batches sorted a period's entries again per batch, through the index
        on the time), the full names looked up per chunk."""
        audit_filter, up_to = flt
        query = audit_filter.where(AuditEntry.select(*(getattr(AuditEntry, name)
                                                       for name in _ENTRY_KEYS)))
        if up_to is not None:
            query = query.where(AuditEntry.seq <= up_to)
        entries = (dict(zip(_ENTRY_KEYS, row, strict=True))
                   for row in in_id_order(query, AuditEntry.seq))
        for chunk in in_chunks(entries, self.BATCH):
            yield from in_words(chunk)
