"""The script library (R13): greeting and phone scripts in every language, versioned.

Default scripts ship in ``resources/scripts/<lang>.json`` and are copied into the database (as
version 1, by "system") when a desk opens it after its migrations; old versions stay.
"""

from __future__ import annotations

import re

import peewee

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.clock import to_local
from desk_app.domain.errors import Conflict, NotFound, ValidationError
from desk_app.domain.reception import LANGS
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception.base import ReceptionBase
from desk_app.services.reception.phrases import ForbiddenPhraseFound, check_text, default_library
from desk_app.services.reception.views import ScriptView, script_view
from desk_app.store.models import User
from desk_app.store.reception import ScriptVersion

_KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_READ = (ReceptionPermission.RECEPTION_VIEW, ReceptionPermission.SCRIPTS_EDIT)


class ScriptService(ReceptionBase):
    def on_open(self) -> None:
        """Shipped data belongs with the schema it needs: a new database, or an update that
        ships new scripts, gets them when a desk opens it (a cheap check otherwise)."""
        if "script_version" in self.ctx.db.get_tables():  # (a test may stop at an old schema)
            self.ensure_scripts()

    def ensure_scripts(self) -> int:
        """Copy shipped scripts missing from the database. Runs when a database is opened,
        after its migrations (desk.Desk.open): a new database, or an update that ships new
        scripts, gets them then — reading the library never writes."""
        have = {(row.key, row.lang) for row in
                ScriptVersion.select(ScriptVersion.key, ScriptVersion.lang).distinct()}
        missing = [(lang, item) for lang in LANGS for item in default_library(lang)["scripts"]
                   if (item["key"], lang) not in have]
        if not missing:
            return 0
        try:
            with self.write() as tx:
                ScriptVersion.insert_many([
                    {"key": item["key"], "lang": lang, "version": 1,
                     "situation": item["situation"], "title": item.get("title", ""),
                     "text": item["text"], "created_at": tx.at, "created_by": "system"}
                    for lang, item in missing]).execute()
                tx.audit("system", "script.seed", "script", None,
                         after={"count": len(missing),
                                "languages": sorted({lang for lang, _item in missing})})
        except peewee.IntegrityError:
            return 0  # another desk seeded at the same moment
        return len(missing)

    def _current_rows(self, lang: str | None = None) -> list[ScriptVersion]:
        latest = (ScriptVersion.select(ScriptVersion.key, ScriptVersion.lang,
                                       peewee.fn.MAX(ScriptVersion.version).alias("top"))
                  .group_by(ScriptVersion.key, ScriptVersion.lang))
        if lang:
            latest = latest.where(ScriptVersion.lang == lang)
        sub = latest.alias("latest")
        query = (ScriptVersion.select()
                 .join(sub, on=((ScriptVersion.key == sub.c.key)
                                & (ScriptVersion.lang == sub.c.lang)
                                & (ScriptVersion.version == sub.c.top)))
                 .order_by(ScriptVersion.key, ScriptVersion.lang))
        return list(query)

    def scripts(self, actor: Actor, lang: str | None = None) -> list[ScriptView]:
        """The current version of every script, ordered by situation, then key."""
        self.require_any(actor, *_READ)
        if lang is not None:
            self._check_lang(lang)
        order = {s.key: n for n, s in enumerate(rules.SITUATIONS)}
        views = [script_view(row) for row in self._current_rows(lang)]
        return sorted(views, key=lambda v: (LANGS.index(v.lang) if v.lang in LANGS else 9,
                                            order.get(v.situation, 999), v.key))

    def script(self, actor: Actor, key: str, lang: str) -> ScriptView:
        self.require_any(actor, *_READ)
        self._check_lang(lang)
        row = self._latest(key, lang)
        if row is None:
            raise NotFound(_("No script {key} in {lang}.").format(key=key, lang=lang))
        return script_view(row)

    def history(self, actor: Actor, key: str, lang: str) -> list[ScriptView]:
        """Every version of a script, newest first (who changed what, and when)."""
        self.require_any(actor, *_READ)
        rows = (ScriptVersion.select()
                .where((ScriptVersion.key == key) & (ScriptVersion.lang == lang))
                .order_by(ScriptVersion.version.desc()))
        return [script_view(row) for row in rows]

    @staticmethod
    def _latest(key: str, lang: str) -> ScriptVersion | None:
        return (ScriptVersion.select()
                .where((ScriptVersion.key == key) & (ScriptVersion.lang == lang))
                .order_by(ScriptVersion.version.desc()).first())

    @staticmethod
    def _check_lang(lang: str) -> None:
        if lang not in LANGS:
            raise ValidationError(_("Unknown language {lang}: use {choices}.").format(
                lang=lang, choices=", ".join(LANGS)), field="lang")

    def save_script(self, actor: Actor, key: str, lang: str, text: str,
                    title: str | None = None, situation: str | None = None) -> ScriptView:
        """A new version of a script (or a new script). Old versions stay."""
        self.require(actor, ReceptionPermission.SCRIPTS_EDIT)
        self._check_lang(lang)
        key = (key or "").strip()
        if not _KEY.match(key) or len(key) > 64:
            raise ValidationError(_("A script key looks like visitor.greet: letters a-z, digits "
                                    "and _, one dot."), field="key")
        text = rules.check_script_text(text)
        findings = check_text(text, lang)
        if findings:
            raise ForbiddenPhraseFound(findings, "text")
        current = self._latest(key, lang)
        situation = situation or (current.situation if current else None)
        if situation not in rules.SITUATION_BY_KEY:
            raise ValidationError(_("Choose the situation of the script."), field="situation")
        title = rules.text_field(title if title is not None else (current.title if current else ""),
                                 "title", _("The title"), 120)
        if current and (current.text, current.title, current.situation) == (text, title,
                                                                            situation):
            return script_view(current)
        version = current.version + 1 if current else 1
        try:
            with self.write() as tx:
                row = ScriptVersion.create(key=key, lang=lang, version=version,
                                           situation=situation, title=title, text=text,
                                           created_at=tx.at, created_by=actor.name)
                tx.audit(actor, "script.edit", "script", f"{key}/{lang}",
                         before={"version": current.version, "text": current.text,
                                 "title": current.title} if current else None,
                         after={"version": version, "text": text, "title": title})
        except peewee.IntegrityError:
            raise Conflict(_("Someone else changed this script just now; reload it and try "
                             "again.")) from None
        return script_view(row)

    def automatic_values(self, actor: Actor, lang: str) -> dict[str, str]:
        """Values the desk fills itself: company, agent (the signed-in user), time greeting,
        the holiday's wish (empty on an ordinary day: a script gives its everyday fallback)."""
        from desk_app.domain.holidays import holiday_greeting

        self.require_any(actor, *_READ)
        user = User.get_or_none(User.id == actor.user_id) if actor.user_id else None
        agent = (user.full_name if user and user.full_name else actor.name)
        local = to_local(self.now())
        return {"company": self.company(),
                "agent": agent,
                "time_greeting": rules.time_greeting(local, lang),
                "holiday_greeting": holiday_greeting(local.date(), lang)}

    def render(self, actor: Actor, key: str, lang: str,
               values: dict[str, str] | None = None) -> str:
        """The script's text with placeholders filled; MissingValues names what is missing."""
        view = self.script(actor, key, lang)
        merged = {**self.automatic_values(actor, lang),
                  **{k: v for k, v in (values or {}).items() if v}}
        return rules.render(view.text, merged)
