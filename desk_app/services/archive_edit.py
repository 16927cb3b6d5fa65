"""Correcting the catalogue (R1): edit an item's description, place or move it, move a whole
location (a box to another shelf) with everything in it.

Each is one use case: the permission, one transaction, one audit entry with the fields that
changed before and after — written only when something changed. Signed records stay as they
were signed (R3): slips, receipts and approvals keep their stored PDF and text; only the
catalogue entry changes. A personnel file is edited by an admitted personnel officer only;
its title and keywords are sealed again and the trail keeps digests, no text (R6). Anyone
else gets the same answer as for an unknown reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.pinyin import sort_key
from desk_app.domain.retention import file_year, review_on
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import ArchiveService, ItemView, visible_items
from desk_app.services.base import Service
from desk_app.services.personnel import PersonnelService, seal_fields, sealed_digest
from desk_app.store import search
from desk_app.store.archive import Item, Location, PersonnelSealed, tuples


class _Unchanged:
    """The value of an edit argument not given (None means "empty" for some fields)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()
PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class MovedLocation:
    path: str  # the new path
    before: str
    items: int  # the items moved with it that the mover may see


class ArchiveEditService(Service):
    archive: ArchiveService
    personnel: PersonnelService

    # ------------------------------------------------------------ one item

    def edit_item(self, actor: Actor, ref: str, *, title: Any = UNCHANGED, kind: Any = UNCHANGED,
                  dept: Any = UNCHANGED, keywords: Any = UNCHANGED, location: Any = UNCHANGED,
                  retention_years: Any = UNCHANGED) -> ItemView:
        """Change what is given (``location`` None or "": no location yet; ``retention_years``
        None: its kind's). Bad input changes nothing."""
        self._require_any(actor)
        wanted = self._checked(title, keywords, retention_years)
        with self.write() as tx:
            item = self._visible_item(actor, ref)
            personnel = item.level == rules.Level.PERSONNEL
            self.require(actor, ArchivePermission.PERSONNEL_REGISTER if personnel
                         else ArchivePermission.ARCHIVE_EDIT)
            if item.status == rules.Status.DESTROYED:
                raise ValidationError(_("{ref} was destroyed: its record stays as it was.")
                                      .format(ref=item.ref), field="ref")
            old_kind, old_dept, old_location = item.kind, item.dept, item.location
            new_kind = old_kind if kind is UNCHANGED else self.archive._kind(kind)
            new_dept = old_dept if dept is UNCHANGED else self.archive._dept(dept)
            new_location = (old_location if location is UNCHANGED
                            else self.archive._location(location))
            old_title, old_keywords = self._texts(actor, item, personnel)
            new_title = wanted.get("title", old_title)
            new_keywords = wanted.get("keywords", old_keywords)
            new_retention = wanted.get("retention_years", item.retention_years)
            before = {"title": old_title, "kind": old_kind.code, "dept": old_dept.code,
                      "keywords": old_keywords,
                      "location": old_location.path if old_location else None,
                      "retention_years": item.retention_years}
            after = {"title": new_title, "kind": new_kind.code, "dept": new_dept.code,
                     "keywords": new_keywords,
                     "location": new_location.path if new_location else None,
                     "retention_years": new_retention}
            changed = [name for name in before if before[name] != after[name]]
            if not changed:
                tx.unchanged()
                return self.archive._get_view(actor, item.id)
            year = file_year(item.doc_date, item.created_at.date())
            Item.update(
                kind=new_kind.id, dept=new_dept.id,
                location=new_location.id if new_location else None,
                retention_years=new_retention,
                review_on=review_on(year, new_retention, new_kind.retention_years),
                **({} if personnel else {"title": new_title, "title_key": sort_key(new_title),
                                         "keywords": new_keywords}),
            ).where(Item.id == item.id).execute()
            old = {name: before[name] for name in changed}
            new = {name: after[name] for name in changed}
            if personnel:  # R6: the text sealed again; the trail keeps digests, never words
                sealed = self._reseal(actor, item, new_title, new_keywords, tx.at)
                for name in ("title", "keywords"):
                    old.pop(name, None)
                    new.pop(name, None)
                if sealed[0] != sealed[1] and {"title", "keywords"} & set(changed):
                    old["sealed"], new["sealed"] = sealed
            else:
                search.upsert([(item.id, search.item_text(item.ref, new_title, new_keywords,
                                                          new_dept.name, new_kind.name,
                                                          item.level))])
            # Only its place changed (the Archive page's Move…, placing it): a move, which the
            # trail names as such; anything else is an edit.
            action = "item.move" if changed == ["location"] else "item.edit"
            tx.audit(actor, action, "item", item.id, before={"ref": item.ref, **old},
                     after={"ref": item.ref, **new})
        return self.archive._get_view(actor, item.id)

    def place_item(self, actor: Actor, ref: str, location: str | None) -> ItemView:
        """Put an item (one registered without a location, or moved) at ``location``."""
        return self.edit_item(actor, ref, location=location)

    @staticmethod
    def _require_any(actor: Actor) -> None:
        if not (actor.can(ArchivePermission.ARCHIVE_EDIT)
                or actor.can(ArchivePermission.PERSONNEL_REGISTER)):
            raise PermissionDenied(_("You may not change the catalogue."))

    @staticmethod
    def _checked(title: Any, keywords: Any, retention_years: Any) -> dict[str, Any]:
        """The given values, checked before anything is read or written."""
        wanted: dict[str, Any] = {}
        if title is not UNCHANGED:
            wanted["title"] = rules.check_title(title)
        if keywords is not UNCHANGED:
            wanted["keywords"] = rules.check_keywords(keywords or "")
        if retention_years is not UNCHANGED:
            wanted["retention_years"] = rules.check_retention(retention_years)
        return wanted

    def _visible_item(self, actor: Actor, ref: str) -> Item:
        """The item, locked for the change; unknown and hidden alike are NotFound (R6)."""
        wanted = (ref or "").strip().upper()
        item = self.locked(Item.select().where((Item.ref == wanted) & visible_items(actor)),
                           of=Item).first()
        if item is None:
            raise rules.no_such_item(ref)
        return item

    def _texts(self, actor: Actor, item: Item, personnel: bool) -> tuple[str, str]:
        if not personnel:
            return item.title, item.keywords
        self.personnel.require_key(actor)  # an officer not admitted cannot reseal
        return self.personnel.fields(actor, [(item.id, item.ref)])[item.id]

    def _reseal(self, actor: Actor, item: Item, title: str, keywords: str,
                at: Any) -> tuple[str, str]:
        """Seal the personnel file's text anew; (old digest, new digest)."""
        key = self.personnel.require_key(actor)
        row = PersonnelSealed.get_or_none(PersonnelSealed.item == item.id)
        old = sealed_digest(row.blob) if row is not None else ""
        current = self.personnel.fields(actor, [(item.id, item.ref)])[item.id]
        if row is not None and current == (title, keywords):
            return old, old
        blob = seal_fields(key, item.id, item.ref, title, keywords)
        if row is None:
            PersonnelSealed.create(item=item.id, blob=blob, sealed_at=at)
        else:
            PersonnelSealed.update(blob=blob, sealed_at=at).where(
                PersonnelSealed.item == item.id).execute()
        return old, sealed_digest(blob)

    # ------------------------------------------------------------ locations

    def move_location(self, actor: Actor, path: str, new_parent: str) -> MovedLocation:
        """Move a box to another shelf (a shelf to another cabinet, a cabinet to another room)
        with everything in it: the items keep their box, whose place changes. One audit entry
        lists the items moved."""
        self.require(actor, ArchivePermission.ARCHIVE_EDIT)
        with self.write() as tx:
            location = self._location_named(path)
            parent = self._location_named(new_parent)
            depth = rules.LOCATION_LEVELS.index(location.level)
            if depth == 0:
                raise ValidationError(_("A room stays where it is; move what is in it."),
                                      field="path")
            above = rules.LOCATION_LEVELS[depth - 1]
            if parent.level != above:
                raise ValidationError(_("{path} goes into a {level}: {parent} is not one.").format(
                    path=location.path, level=_level_name(above), parent=parent.path),
                    field="parent")
            old_path = location.path
            new_path = f"{parent.path}{PATH_SEPARATOR}{location.name}"
            if location.parent is not None and location.parent.id == parent.id:
                tx.unchanged()
                return MovedLocation(old_path, old_path, 0)
            if Location.select().where(Location.path == new_path).exists():
                raise Conflict(_("The location {path} exists already.").format(path=new_path))
            # Locations are a few hundred: the subtree is picked here, not with LIKE (a name
            # may hold % or _).
            subtree = [row for row in self.locked(Location.select().order_by(Location.id),
                                                  of=Location)
                       if row.path == old_path or row.path.startswith(old_path + PATH_SEPARATOR)]
            for row in subtree:
                moved = new_path + row.path[len(old_path):]
                if len(moved) > 300:
                    raise ValidationError(_("The location's full name would be too long: "
                                            "{path}").format(path=moved), field="parent")
            ids = [row.id for row in subtree]
            for row in subtree:
                Location.update(path=new_path + row.path[len(old_path):],
                                **({"parent": parent.id} if row.id == location.id else {})
                                ).where(Location.id == row.id).execute()
            refs = [ref for (ref,) in tuples(Item.select(Item.ref).where(Item.location.in_(ids))
                                             .order_by(Item.ref))]
            seen = Item.select().where(Item.location.in_(ids) & visible_items(actor)).count()
            tx.audit(actor, "location.move", "location", location.id,
                     before={"path": old_path}, after={"path": new_path, "items": refs,
                                                       "locations": len(ids)})
        return MovedLocation(new_path, old_path, seen)

    @staticmethod
    def _location_named(path: str) -> Location:
        location = Location.get_or_none(Location.path == (path or "").strip())
        if location is None:
            raise NotFound(_("No location {path}.").format(path=path))
        return location


def _level_name(level: str) -> str:
    return {"room": _("room"), "cabinet": _("cabinet"), "shelf": _("shelf"),
            "box": _("box")}[level]
