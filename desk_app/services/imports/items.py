"""The archive catalogue (档案目录): one item per row, checked by the rules of a typed entry
(services/archive.add_item), written in chunks of ``CHUNK`` rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.ledger import (
    clean_free_text,
    clean_text,
    parse_item_status,
    parse_ledger_date,
    parse_level,
    parse_retention,
)
from desk_app.domain.pinyin import sort_key
from desk_app.domain.retention import review_on
from desk_app.i18n import _
from desk_app.services.archive import ArchiveService
from desk_app.services.imports.codes import Locations, departments, kinds
from desk_app.services.imports.job import CHUNK, Importer, Job, Row, bulk_insert
from desk_app.services.personnel import PersonnelService
from desk_app.store import search
from desk_app.store.archive import SEALED_TITLE, Item, tuples


@dataclass
class ItemRecord:
    row: int
    ref: str
    title: str
    kind: int
    dept: int
    doc_date: date | None
    location: int | None
    level: rules.Level
    retention: int | None
    keywords: str
    destroyed: bool = False


def _ref(value: object) -> str:
    text = clean_text(value)
    return rules.check_ref(text) if text else ""


def _date(value: object) -> date | None:
    return parse_ledger_date(value, "doc_date") if clean_text(value) else None


class ItemImporter(Importer):
    def __init__(self, job: Job, archive: ArchiveService, personnel: PersonnelService) -> None:
        super().__init__(job)
        self.archive, self.personnel = archive, personnel
        self.kinds, self.depts, self.locations = kinds(job), departments(job), Locations(job)
        self.pending: list[ItemRecord] = []
        self.first_row: dict[str, int] = {}  # reference → the row that gave it first
        self.key_checked = False
        # Rows without a reference are numbered at the end, after every reference the file
        # gives is in: a drawn number then never takes one a later row brings.
        self.to_number: list[ItemRecord] = []

    def add(self, row: Row) -> None:
        actor = self.job.actor
        level = row.take("level", parse_level, rules.Level.PUBLIC)
        personnel = level == rules.Level.PERSONNEL
        if personnel and not actor.can(ArchivePermission.PERSONNEL_REGISTER):
            row.fail("level", _("Only a personnel officer imports personnel files (R6)."))
        elif not personnel and not actor.can(ArchivePermission.ARCHIVE_EDIT):
            row.fail("level", _("Only personnel files: you may not register other files."))
        elif personnel and not self.key_checked:
            self.personnel.require_key(actor)  # refuses the whole import: not admitted
            self.key_checked = True
        ref = row.take("ref", _ref, "")
        if ref:
            ref = row.take("ref", lambda _value: rules.check_ref_series(ref, level), ref)
        record = ItemRecord(
            row=row.number, ref=ref,
            title=row.take("title", lambda v: rules.check_title(clean_free_text(v)), ""),
            kind=row.take("kind", self.kinds.find, 0),
            dept=row.take("dept", self.depts.find, 0),
            doc_date=row.take("doc_date", _date, None),
            location=row.take("location", self.locations.find, None),
            level=level,
            retention=row.take("retention_years",
                               lambda v: rules.check_retention(parse_retention(v)), None),
            keywords=row.take("keywords", lambda v: rules.check_keywords(clean_free_text(v)), ""),
            destroyed=row.take("status", parse_item_status, False))
        if ref:  # a reference given again: the later row is the error (a repeated entry)
            first = self.first_row.setdefault(ref, row.number)
            if first != row.number:
                row.fail("ref", _("The reference {ref} repeats row {row}.").format(
                    ref=ref, row=first))
        if row.ok:
            self.pending.append(record)
            if len(self.pending) >= CHUNK:
                self._flush()

    def finish(self) -> None:
        self._flush()
        numbered, self.to_number = self.to_number, []
        for start in range(0, len(numbered), CHUNK):
            self._write(numbered[start:start + CHUNK])

    def _flush(self) -> None:
        pending, self.pending = self.pending, []
        refs = [record.ref for record in pending if record.ref]
        existing = {row[0] for row in tuples(Item.select(Item.ref).where(Item.ref.in_(refs)))} \
            if refs else set()
        keep = []
        for record in pending:
            if record.ref in existing:
                self.job.problem(record.row, "ref", _("The reference {ref} exists already.")
                                 .format(ref=record.ref), record.ref)
            else:
                keep.append(record)
        self.imported += len(keep)
        if self.job.dry:
            return
        self.to_number.extend(record for record in keep if not record.ref)
        given = [record for record in keep if record.ref]
        if given:
            self._write(given)

    def _write(self, records: list[ItemRecord]) -> None:
        at, actor = self.job.at, self.job.actor
        kinds_, depts = self.kinds.rows, self.depts.rows
        rows: list[dict[str, Any]] = []
        for record in records:
            year = (record.doc_date or at.date()).year
            if not record.ref:
                record.ref = self._number(record, year)
            personnel = record.level == rules.Level.PERSONNEL
            title = SEALED_TITLE if personnel else record.title
            rows.append({
                "ref": record.ref, "title": title, "title_key": sort_key(title),
                "kind": record.kind, "dept": record.dept, "doc_date": record.doc_date,
                "keywords": "" if personnel else record.keywords, "location": record.location,
                "level": record.level.value, "retention_years": record.retention,
                "review_on": review_on(year, record.retention, kinds_[record.kind].retention_years),
                "status": (rules.Status.DESTROYED if record.destroyed
                           else rules.Status.AVAILABLE).value, "created_at": at,
                "created_by": actor.user_id})
        bulk_insert(Item, rows)
        ids: dict[str, int] = dict(tuples(Item.select(Item.ref, Item.id).where(
            Item.ref.in_([record.ref for record in records]))))
        search.upsert((ids[r.ref], search.item_text(r.ref, r.title, r.keywords,
                                                    depts[r.dept].name, kinds_[r.kind].name,
                                                    r.level.value)) for r in records)
        for record in records:
            if record.level == rules.Level.PERSONNEL:
                item = Item(id=ids[record.ref], ref=record.ref)
                self.personnel.seal_new(actor, item, record.title, record.keywords, at)

    def _number(self, record: ItemRecord, year: int) -> str:
        if record.level == rules.Level.PERSONNEL:
            return self.archive._next_personnel_ref(year)
        return self.archive._next_ref(self.depts.rows[record.dept].code,
                                     self.kinds.rows[record.kind].code, year)
