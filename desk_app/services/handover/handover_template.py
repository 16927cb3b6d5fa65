"""The checklist template (R10): the lines every handover counts that are not tagged
articles of the register (the duty logbook, the monitors of the control room), edited by a
supervisor or the administrator."""

from __future__ import annotations

from typing import Any

import peewee

from desk_app.domain import text as texts
from desk_app.domain.areas.handover import HandoverPermission
from desk_app.domain.equipment import check_count, check_kind
from desk_app.domain.errors import NotFound
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.store.handover import ChecklistTemplateLine

H = HandoverPermission


class HandoverTemplate(Service):
    # ------------------------------------------------------------ the checklist template

    def template_lines(self, actor: Actor) -> list[dict[str, Any]]:
        """The template; also for whoever edits it (an admin does not see handovers)."""
        if not actor.can(H.HANDOVER_TEMPLATE):
            self.require(actor, H.HANDOVER_VIEW)
        return [self._template(line) for line in ChecklistTemplateLine.select().where(
            ChecklistTemplateLine.active).order_by(ChecklistTemplateLine.position,
                                                   ChecklistTemplateLine.id)]

    @staticmethod
    def _template(line: ChecklistTemplateLine) -> dict[str, Any]:
        return {"id": line.id, "label": line.label, "kind": line.kind,
                "expected": line.expected, "position": line.position}

    def add_template_line(self, actor: Actor, label: str, kind: str,
                          expected: object = 1) -> dict[str, Any]:
        self.require(actor, H.HANDOVER_TEMPLATE)
        label = texts.required(texts.line(label, "label", _("The label"), 200), "label",
                              _("Give the line a label."))
        section = check_kind(kind).value
        count = check_count(expected, "expected", allow_zero=False)
        with self.write() as tx:
            position = (ChecklistTemplateLine.select(peewee.fn.MAX(ChecklistTemplateLine.position))
                        .scalar() or 0) + 1
            line = ChecklistTemplateLine.create(label=label, kind=section, expected=count,
                                                position=position)
            tx.audit(actor, "handover.template_add", "checklist_template", line.id,
                     after=self._template(line))
        return self._template(line)

    def remove_template_line(self, actor: Actor, line_id: int) -> None:
        self.require(actor, H.HANDOVER_TEMPLATE)
        with self.write() as tx:
            line = self.locked(ChecklistTemplateLine.select().where(
                (ChecklistTemplateLine.id == line_id) & ChecklistTemplateLine.active)).first()
            if line is None:
                raise NotFound(_("No checklist template line {id}.").format(id=line_id))
            ChecklistTemplateLine.update(active=False).where(
                ChecklistTemplateLine.id == line.id).execute()
            tx.audit(actor, "handover.template_remove", "checklist_template", line.id,
                     before=self._template(line))
