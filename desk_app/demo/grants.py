"""Demo grants of personnel files (R6): the demo's personnel officer lets the supervisor and
the manager read one file each for a few weeks; a grant to the clerk is already revoked (so
the demo's clerk, whom most walkthroughs use, sees no personnel file)."""

from __future__ import annotations

from datetime import timedelta

from desk_app.domain.roles import parse_roles
from desk_app.domain.users import Actor
from desk_app.services.personnel import PersonnelService
from desk_app.services.personnel_grants import today
from desk_app.store.archive import Item, PersonnelGrant, tuples
from desk_app.store.models import User

GRANTS = (("zhoumin", 14, "绩效复核：部门主管要求查阅", False),
          ("zhangwei", 30, "调岗审批：核对历年考核", False),
          ("wangfang", 7, "核对入职材料", True))


def generate_grants(personnel: PersonnelService, officer_name: str = "liuyang") -> int:
    """A few grants, once (none when there are grants already, no officer or no key)."""
    officer = User.get_or_none(User.name == officer_name)
    if officer is None or not officer.active or PersonnelGrant.select().exists():
        return 0
    actor = Actor(user_id=officer.id, name=officer.name, roles=parse_roles(officer.roles),
                  full_name=officer.full_name)
    if personnel.key_for(actor) is None:
        return 0
    files = [row[0] for row in tuples(Item.select(Item.ref).where(Item.level == "personnel")
                                      .order_by(Item.ref).limit(len(GRANTS)))]
    made = 0
    for ref, (user, days, reason, revoke) in zip(files, GRANTS, strict=False):
        if User.get_or_none((User.name == user) & User.active) is None:
            continue
        grant = personnel.grant(actor, ref, user, today() + timedelta(days=days), reason)
        if revoke:
            personnel.revoke_grant(actor, grant["id"], "已核对完毕")
        made += 1
    return made
