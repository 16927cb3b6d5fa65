"""The document register: who belongs to and heads which department (docs/documents.md,
"Departments and heads"). A user has at most one department; heading it is a flag, not a
role. The administrator sets both; everybody who reads the register sees the list."""

from __future__ import annotations

from typing import Any

from desk_app.domain import text
from desk_app.domain.areas.documents import DocumentsPermission as P
from desk_app.domain.errors import ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.documents.common import DocumentBase, department, is_office_staff
from desk_app.store.archive import Department, tuples
from desk_app.store.documents import StaffDepartment
from desk_app.store.models import User


def _dept_text(dept: Department | None) -> str:
    return f"{dept.name} ({dept.code})" if dept is not None else ""


class DepartmentsMixin(DocumentBase):

    def departments(self, actor: Actor) -> list[dict[str, Any]]:
        """Every department in code order with its heads' full names and its members (heads
        first, then by user name); inactive users are left out."""
        if not (actor.can(P.DOCUMENT_VIEW) or actor.can(P.DOCUMENT_DEPARTMENTS)):
            self.require(actor, P.DOCUMENT_VIEW)
        members: dict[int, list[dict[str, Any]]] = {}
        query = (StaffDepartment.select(StaffDepartment.dept, StaffDepartment.head, User.name,
                                        User.full_name)
                 .join(User).where(User.active)
                 .order_by(StaffDepartment.head.desc(), User.name))
        for dept_id, head, name, full_name in tuples(query):
            members.setdefault(dept_id, []).append(
                {"name": name, "full_name": full_name or "", "head": bool(head)})
        result = []
        for dept in Department.select().order_by(Department.code):
            people = members.get(dept.id, [])
            result.append({"code": dept.code, "name": dept.name,
                           "heads": [p["full_name"] or p["name"] for p in people if p["head"]],
                           "members": people})
        return result

    def my_department(self, actor: Actor) -> dict[str, Any] | None:
        """The actor's own department ({code, name, head}), or None."""
        return self._department_of(actor.user_id) if actor.user_id is not None else None

    def office_staff(self, actor: Actor) -> bool:
        """Whether the actor is the office's staff (signs in, carries, numbers, sends and
        files documents): what the window offers follows what the services allow."""
        return is_office_staff(actor)

    def set_department(self, actor: Actor, user_name: str, dept: str | None,
                       head: bool = False) -> dict[str, Any]:
        """Put a user in a department (as its head or not), or take them out of any
        (``dept`` None or ""). Returns the user's name, full name and department now
        (``code`` "" when out of any)."""
        self.require(actor, P.DOCUMENT_DEPARTMENTS)
        name = text.lookup(user_name or "").strip().lower()
        if not name:
            raise ValidationError(_("Give the user's name."), field="user")
        target_dept = department(dept) if dept else None
        if target_dept is None and head:
            raise ValidationError(_("Only a member of a department can head it."), field="head")
        with self.write() as tx:
            user = self.locked(User.select().where(User.name == name), of=User).first()
            if user is None:
                raise ValidationError(_("No user {name}.").format(name=name), field="user")
            if not user.active and target_dept is not None:
                raise ValidationError(_("{name} is deactivated: reactivate the user first.")
                                      .format(name=name), field="user")
            current = self.locked(StaffDepartment.select().where(
                StaffDepartment.user == user.id), of=StaffDepartment).first()
            old_dept = (Department.get_by_id(current.dept_id) if current is not None else None)
            before = {"department": _dept_text(old_dept),
                      "head": bool(current.head) if current is not None else False}
            after = {"name": user.name, "full_name": user.full_name or user.name,
                     "department": _dept_text(target_dept),
                     "head": bool(head) if target_dept is not None else False}
            if before["department"] == after["department"] and before["head"] == after["head"]:
                tx.unchanged()
                return self._placed(user)
            if target_dept is None:
                StaffDepartment.delete().where(StaffDepartment.user == user.id).execute()
            elif current is None:
                StaffDepartment.create(user=user.id, dept=target_dept.id, head=bool(head))
            else:
                StaffDepartment.update(dept=target_dept.id, head=bool(head)).where(
                    StaffDepartment.user == user.id).execute()
            tx.audit(actor, "user.department", "user", user.id, before, after)
        return self._placed(user)

    def _placed(self, user: User) -> dict[str, Any]:
        now = self._department_of(user.id) or {"code": "", "name": "", "head": False}
        return {"user": user.name, "full_name": user.full_name or user.name,
                "code": now["code"], "dept_name": now["name"], "head": now["head"]}

    @staticmethod
    def _department_of(user_id: int) -> dict[str, Any] | None:
        row = (StaffDepartment.select(StaffDepartment.head, Department.code, Department.name)
               .join(Department).where(StaffDepartment.user == user_id).objects().first())
        if row is None:
            return None
        return {"code": row.code, "name": row.name, "head": bool(row.head)}
