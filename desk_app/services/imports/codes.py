"""Kinds, departments and locations named in a ledger's cells: matched to existing rows by
code or name, mapped by the user (``ImportOptions.values``), or created (``create_missing``;
locations are always created from their text, room › cabinet › shelf › box)."""

from __future__ import annotations

from typing import Any

from desk_app.domain import archive as rules
from desk_app.domain import pinyin, text
from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import clean_text, parse_location
from desk_app.i18n import _, display_name
from desk_app.services.imports.job import Job
from desk_app.store.archive import Department, Kind, Location

MISSING = -1  # the id of a row a check would create (nothing is written in a check)


class Codes:
    """The kinds or departments, read once; ``find`` gives the row's id for a cell."""

    def __init__(self, job: Job, model: Any, field: str) -> None:
        self.job, self.model, self.field = job, model, field
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        self.rows: dict[int, Any] = {}
        for row in model.select():
            self._remember(row)
        self.mapped: dict[str, int] = {}

    def _remember(self, row: Any) -> None:
        self.by_code[row.code] = row.id
        self.by_name.setdefault(clean_text(row.name), row.id)
        self.by_name.setdefault(clean_text(display_name(row.name)), row.id)
        self.rows[row.id] = row

    def find(self, cell: object) -> int:
        """The id for the cell's text; raises ValidationError for an unknown one (and lists
        it in the report's ``unknown``)."""
        name = clean_text(cell)
        if not name:
            raise ValidationError(_("Empty: every row needs one."), field=self.field)
        if name in self.mapped:
            return self.mapped[name]
        found = self._lookup(name)
        self.mapped[name] = found
        return found

    def _lookup(self, name: str) -> int:
        chosen = self.job.options.values.get((self.field, name))
        if chosen:
            code = chosen.strip().upper()
            if code not in self.by_code:
                raise ValidationError(_("“{text}” is mapped to {code}, which does not exist.")
                                      .format(text=name, code=code), field=self.field)
            return self.by_code[code]
        if name.upper() in self.by_code:
            return self.by_code[name.upper()]
        if name in self.by_name:
            return self.by_name[name]
        if not self.job.options.create_missing:
            self.job.unknown(self.field, name)
            raise ValidationError(_("Unknown “{text}”: map it to an existing one or create it.")
                                  .format(text=name), field=self.field)
        return self._create(name)

    def _create(self, name: str) -> int:
        name = text.line(name, self.field, _("The name"), 64)
        code = self._new_code(name)
        self.job.created(self.field, code)
        if self.job.dry:
            self.by_code[code] = MISSING
            return MISSING
        row = self.model.create(code=code, name=name)
        self._remember(row)
        return int(row.id)

    def _new_code(self, name: str) -> str:
        """Pinyin initials (文书档案 → WSDA), made unique with a number."""
        base = "".join(ch for ch in pinyin.initials(name).upper() if ch.isascii() and ch.isalnum())
        if not base or not base[0].isalpha():
            base = "X" + base
        base = base[:8]
        code, number = base, 1
        while code in self.by_code:
            number += 1
            code = f"{base[:8 - len(str(number))]}{number}"
        return rules.check_code(code, self.field)


def kinds(job: Job) -> Codes:
    return Codes(job, Kind, "kind")


def departments(job: Job) -> Codes:
    return Codes(job, Department, "dept")


class Locations:
    """Location paths (``档案室02 › 2号柜 › 3层 › 03盒``) to ids, creating the missing levels."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.ids: dict[str, int] = {}
        self.levels: dict[str, str] = {}
        self.found: dict[str, int | None] = {}  # cell text → location id (errors not kept)
        for location in Location.select(Location.id, Location.path, Location.level):
            self.ids[location.path] = location.id
            self.levels[location.path] = location.level
        under = job.options.location_under
        if under and self.levels.get(under) in (None, rules.LOCATION_LEVELS[-1]):
            raise ValidationError(_("No room, cabinet or shelf {path} to put the locations "
                                    "under.").format(path=under), field="location_under")

    def find(self, cell: object) -> int | None:
        """The location a cell names; the same text (a ledger repeats its boxes) is read once."""
        if isinstance(cell, str) and cell in self.found:
            return self.found[cell]
        found = self._find(cell)
        if isinstance(cell, str):
            self.found[cell] = found
        return found

    def _find(self, cell: object) -> int | None:
        parts = parse_location(cell, self.job.options.location_separator)
        if not parts:
            return None
        under = self.job.options.location_under  # the ledger names levels below this one
        if under:
            parts = [*under.split(" › "), *parts]
            if len(parts) > len(rules.LOCATION_LEVELS):
                raise ValidationError(_("Under {under}, “{text}” has too many levels: a box "
                                        "holds no further locations.").format(
                                            under=under, text=clean_text(cell)), field="location")
        path, parent = "", None
        for depth, part in enumerate(parts):
            name = text.line(part, "location", _("A location's name"), 64)
            if "›" in name:
                raise ValidationError(_("A location name cannot contain ›."), field="location")
            path = f"{path} › {name}" if path else name
            if path not in self.ids:
                parent = self._create(path, name, parent, depth)
            else:
                if self.levels.get(path) != rules.LOCATION_LEVELS[depth]:
                    raise ValidationError(
                        _("{path} exists already at another level of the locations (room › "
                          "cabinet › shelf › box).").format(path=path), field="location")
                parent = self.ids[path]
        return parent

    def _create(self, path: str, name: str, parent: int | None, depth: int) -> int:
        self.job.created("location", path)
        self.levels[path] = rules.LOCATION_LEVELS[depth]
        if self.job.dry:
            self.ids[path] = MISSING
            return MISSING
        location = Location.create(parent=parent, name=name, level=rules.LOCATION_LEVELS[depth],
                                   path=path)
        self.ids[path] = location.id
        return int(location.id)
