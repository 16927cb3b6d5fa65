"""Deterministic demo data: the staff of a property-management customer-service office."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desk_app.demo.grants import generate_grants
from desk_app.domain.errors import PermissionDenied
from desk_app.domain.roles import Permission, Role, format_roles, parse_roles
from desk_app.domain.users import SYSTEM, Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.passwords import hash_password
from desk_app.services.personnel import PersonnelService
from desk_app.services.settings import SettingsService
from desk_app.services.users import UserService
from desk_app.store.models import User

if TYPE_CHECKING:
    from desk_app.demo.signers import DemoKeys

DEMO_PASSWORD = "demo1234"
SEED = 20261122


@dataclass(frozen=True)
class DemoUser:
    name: str
    full_name: str
    roles: tuple[Role, ...]


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "系统管理员", (Role.ADMIN,)),
    DemoUser("wangfang", "王芳", (Role.CLERK,)),
    DemoUser("zhoumin", "周敏", (Role.CLERK, Role.SUPERVISOR)),
    DemoUser("liqiang", "李强", (Role.SUPERVISOR,)),
    DemoUser("zhangwei", "张伟", (Role.MANAGER,)),
    DemoUser("chenjing", "陈静", (Role.AUDITOR,)),
    DemoUser("liuyang", "刘洋", (Role.PERSONNEL,)),
    # the document register's department staff (demo/documents.py: 保安部's head, 工程部)
    DemoUser("zhaolei", "赵磊", (Role.CLERK,)),
    DemoUser("sunli", "孙丽", (Role.CLERK,)),
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"  # noqa: E501
_GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红梅鑫斌宇浩凯慧晶佳琳"
_PINYIN_GIVEN = "wei fang na xiu min jing li qiang lei jun yang yong yan jie juan tao ming chao".split()


def staff_names(count: int, seed: int = SEED) -> list[tuple[str, str]]:
    """``count`` distinct (login, Chinese full name) pairs, the same for the same seed."""
    rng = random.Random(seed)
    names: list[tuple[str, str]] = []
    for index in range(count):
        full = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
        names.append((f"staff{index + 1:05d}{rng.choice(_PINYIN_GIVEN)}"[:32], full))
    return names


class DemoService(Service):
    settings: SettingsService
    users: UserService
    personnel: PersonnelService

    def is_empty(self) -> bool:
        return not User.select().exists()

    def generate(self, actor: Actor | None, scale: int = 1) -> dict[str, int]:
        """Fill the database. On an empty database no sign-in is needed (set-up)."""
        if actor is None:
            if not self.is_empty():
                raise PermissionDenied(
                    _("This database is in use: sign in as an administrator to add demo data.")
                )
            actor = SYSTEM
        self.require(actor, Permission.DEMO_GENERATE)
        from desk_app.demo.archive import page_cache

        with page_cache(self.ctx.db):
            return self._generate(actor, scale)

    def _generate(self, actor: Actor, scale: int) -> dict[str, int]:
        users = self.users
        created = 0
        existing = {user.name for user in User.select(User.name)}
        for demo in DEMO_USERS:
            if demo.name in existing:
                continue
            if self.is_empty():
                users.create_first_admin(demo.name, DEMO_PASSWORD, demo.full_name)
            else:
                users.add(actor, demo.name, DEMO_PASSWORD, [r.value for r in demo.roles],
                          demo.full_name)
            created += 1
        self.settings.set_many(actor, {"company_name": "示例物业服务有限公司",
                                          # whom the overdue notices name (issue 14)
                                          "office_contact": "档案室 电话 010-8888 6666 转 203，"
                                                            "周一至周五 8:30–17:30"})
        created += self._staff(actor, max(0, scale - 1) * 50, existing)
        counts = {"users": created, **self._archive(actor, scale), **self._reception(actor, scale)}
        self._seal_personnel_files()
        counts["grants"] = generate_grants(self.personnel)
        # The signing that follows opens each demo signer's key once, for this run only.
        from desk_app.demo.signers import DemoKeys

        keys = DemoKeys(self.users.keys)
        counts.update(self._retention(actor, keys))
        counts.update(self._approvals(keys))
        counts.update(self._handover(keys))
        counts.update(self._complaint_loop(keys))
        counts.update(self._follow_ups(keys))
        counts.update(self._timeouts())
        counts.update(self._documents(actor, scale, keys))
        return counts

    def _documents(self, actor: Actor, scale: int, keys: DemoKeys) -> dict[str, int]:
        from desk_app.demo.documents import generate_documents

        return generate_documents(self, keys, actor, DEMO_PASSWORD, scale)

    def _handover(self, keys: DemoKeys) -> dict[str, int]:
        from desk_app.demo.handover import generate_handover

        return generate_handover(self, keys, DEMO_PASSWORD)

    def _complaint_loop(self, keys: DemoKeys) -> dict[str, int]:
        from desk_app.demo.reception import generate_complaint_loop

        return generate_complaint_loop(self, keys, DEMO_PASSWORD)

    def _follow_ups(self, keys: DemoKeys) -> dict[str, int]:
        from desk_app.demo.reception_follow_up import generate_follow_ups

        return generate_follow_ups(self, keys, DEMO_PASSWORD)

    def _timeouts(self) -> dict[str, int]:
        from desk_app.demo.reception_timeouts import generate_timeouts

        return generate_timeouts(self)

    def _approvals(self, keys: DemoKeys) -> dict[str, int]:
        from desk_app.demo.approvals import generate_approvals

        return generate_approvals(self, keys, DEMO_PASSWORD)

    def _retention(self, actor: Actor, keys: DemoKeys) -> dict[str, int]:
        from desk_app.demo.retention import generate_retention

        return generate_retention(self, keys, actor, DEMO_PASSWORD)

    def _seal_personnel_files(self) -> None:
        """The demo's personnel files are written in clear text (demo.archive); seal them at
        once for the demo's personnel officer, so the demo database holds no personnel text
        (the key is sealed to the officer's certificate: no password needed)."""
        officer = User.get_or_none(User.name == "liuyang")
        if officer is not None and officer.active:
            self.personnel.key_for(Actor(user_id=officer.id, name=officer.name,
                                         roles=parse_roles(officer.roles)))

    def _archive(self, actor: Actor, scale: int) -> dict[str, int]:
        """Catalogue and loan history in one transaction, under one audit entry."""
        from desk_app.demo.archive import generate_archive, unchecked_references
        from desk_app.store.archive import Item

        if Item.select().exists():
            return {}
        rng = random.Random(SEED + scale)
        with unchecked_references(self.ctx.db), self.write() as tx:
            counts = generate_archive(self.ctx, tx, actor, rng, scale)
            tx.audit(actor, "demo.archive", "item", None, after=counts)
        return counts

    def _reception(self, actor: Actor, scale: int) -> dict[str, int]:
        from desk_app.demo.reception import generate_reception
        from desk_app.demo.reception_history import generate_history
        from desk_app.store.reception import Visit

        if Visit.select().exists():
            return {}
        visits = generate_reception(self, actor, random.Random(SEED + 7 * scale), scale)
        # the months before, for the service report's trend: before the months are signed
        return {"visits": visits, **generate_history(self, actor, scale)}

    def _staff(self, actor: Actor, count: int, existing: set[str]) -> int:
        """Extra clerks for volume, inserted in bulk under one audit entry."""
        if count == 0:
            return 0
        password_hash = hash_password(DEMO_PASSWORD)
        with self.write() as tx:
            rows = [
                {"name": name, "full_name": full, "roles": format_roles([Role.CLERK]),
                 "password_hash": password_hash, "created_at": tx.at, "updated_at": tx.at}
                for name, full in staff_names(count)
                if name not in existing
            ]
            for start in range(0, len(rows), 500):
                User.insert_many(rows[start:start + 500]).execute()
            tx.audit(actor, "demo.generate", "user", None, after={"staff": len(rows)})
        return len(rows)
