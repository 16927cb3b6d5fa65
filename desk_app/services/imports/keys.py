"""The key and equipment list: one article per row, by the rules of
``EquipmentService.add`` (tag, name, kind, count, where it is kept)."""

from __future__ import annotations

from desk_app.domain import equipment as rules
from desk_app.domain import text
from desk_app.domain.equipment import Condition, EquipmentKind
from desk_app.domain.ledger import clean_free_text, clean_text, parse_count
from desk_app.i18n import _
from desk_app.services.imports.job import Importer, Job, Row, chunks
from desk_app.store.archive import tuples
from desk_app.store.handover import Equipment

# What key lists write in their 类别 column.
_KIND_WORDS = {
    "钥匙": EquipmentKind.KEY, "鑰匙": EquipmentKind.KEY, "电话": EquipmentKind.PHONE,
    "電話": EquipmentKind.PHONE, "手机": EquipmentKind.PHONE, "手機": EquipmentKind.PHONE,
    "对讲机": EquipmentKind.RADIO, "對講機": EquipmentKind.RADIO, "文件": EquipmentKind.DOCUMENT,
    "资料": EquipmentKind.DOCUMENT, "資料": EquipmentKind.DOCUMENT,
    "办公用品": EquipmentKind.SUPPLY, "辦公用品": EquipmentKind.SUPPLY,
    "其他": EquipmentKind.OTHER, "其它": EquipmentKind.OTHER,
}


def parse_kind(value: object) -> EquipmentKind:
    """Empty: a key (it is the key list); a kind's name, its label or the office's word."""
    word = clean_text(value)
    if not word:
        return EquipmentKind.KEY
    labels = {_(label).lower(): kind for kind, label in rules.KIND_LABELS.items()}
    return _KIND_WORDS.get(word) or labels.get(word.lower()) or rules.check_kind(word)


def _name(value: object) -> str:
    name = text.line(clean_free_text(value), "name", _("Name"), 200)
    return text.required(name, "name", _("Give the article's name, e.g. Sample room key."))


def _count(value: object) -> int:
    return rules.check_count(parse_count(value), allow_zero=False)


class KeyImporter(Importer):
    def __init__(self, job: Job) -> None:
        super().__init__(job)
        self.first_row: dict[str, int] = {}
        self.pending: dict[str, dict[str, object]] = {}

    def add(self, row: Row) -> None:
        tag = row.take("tag", lambda v: rules.check_tag(clean_text(v)), "")
        article: dict[str, object] = {
            "tag": tag, "name": row.take("name", _name, ""),
            "kind": row.take("kind", parse_kind, EquipmentKind.KEY).value,
            "count": row.take("count", _count, 1),
            "home": row.take("home", lambda v: text.line(clean_text(v), "home", _("Home"), 200), ""),
            "condition": Condition.GOOD.value, "on_checklist": True, "active": True,
            "created_at": self.job.at, "_row": row.number}
        if tag:
            first = self.first_row.setdefault(tag, row.number)
            if first != row.number:  # the later row is the error, as for references
                row.fail("tag", _("Tag {tag} repeats row {row}.").format(tag=tag, row=first), tag)
        if row.ok:
            self.pending[tag] = article

    def finish(self) -> None:
        tags = list(self.pending)
        for some in chunks(tags):
            for (tag,) in tuples(Equipment.select(Equipment.tag).where(Equipment.tag.in_(some))):
                article = self.pending.pop(tag)
                self.job.problem(int(str(article["_row"])), "tag",
                                 _("Tag {tag} is in the register already.").format(tag=tag), tag)
        articles = [{key: value for key, value in article.items() if key != "_row"}
                    for article in self.pending.values()]
        self.imported = len(articles)
        if self.job.dry:
            return
        for part in chunks(articles):
            Equipment.insert_many(part).execute()
