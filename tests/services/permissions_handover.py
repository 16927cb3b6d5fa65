"""The role × action rows of keys, shifts and the handover (issue 13), merged into
``tests/services/test_permissions.py``'s tables.

Identity rules (only the incoming person counts, only the outgoing person signs first) are
tested in tests/services/test_handover_rules.py; here each call is made by the person the
step belongs to: the call first names the actor as that party with a plain UPDATE, which
leaves every table's row count — the matrix's snapshot — as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.services.handover.equipment import EquipmentFilter
from desk_app.services.handover.handover_queries import HandoverFilter
from desk_app.store.handover import Equipment, Handover
from tests.conftest import PASSWORD

CLERK, SUPERVISOR, MANAGER = Role.CLERK, Role.SUPERVISOR, Role.MANAGER
AUDITOR, ADMIN = Role.AUDITOR, Role.ADMIN

KEYS_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR, ADMIN})
KEYS_DESK = frozenset({CLERK, SUPERVISOR})
KEYS_MANAGE = frozenset({SUPERVISOR, ADMIN})
HANDOVER_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR})
HANDOVER_DESK = frozenset({CLERK, SUPERVISOR})
ONLY_SUPERVISOR = frozenset({SUPERVISOR})
TEMPLATE = frozenset({SUPERVISOR, ADMIN})
SHIFT_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR, ADMIN})
SIGNED_IN = frozenset(Role)
REGISTER_EXPORT = frozenset({MANAGER, AUDITOR, ADMIN})

ALLOWED: dict[str, frozenset[Role]] = {
    "EquipmentService.add": KEYS_MANAGE,
    "EquipmentService.edit": KEYS_MANAGE,
    "EquipmentService.get": KEYS_READ,
    "EquipmentService.count": KEYS_READ,
    "EquipmentService.page": KEYS_READ,
    "EquipmentService.history": KEYS_READ,
    "EquipmentService.out_summary": KEYS_READ,
    "EquipmentService.checkout": KEYS_DESK,
    "EquipmentService.checkin": KEYS_DESK,
    "ShiftService.rota": SHIFT_READ,
    "ShiftService.swaps": SHIFT_READ,
    "ShiftService.swap_count": SHIFT_READ,
    "ShiftService.waiting_swaps": SIGNED_IN,  # 0 for whoever may not decide swaps
    "ShiftService.assign": ONLY_SUPERVISOR,
    "ShiftService.request_swap": HANDOVER_DESK,
    "ShiftService.decide_swap": ONLY_SUPERVISOR,
    "HandoverService.current": HANDOVER_READ,
    "HandoverService.show": HANDOVER_READ,
    "HandoverService.check": HANDOVER_READ,
    "HandoverService.line_for_tag": HANDOVER_READ,
    "HandoverService.count_history": HANDOVER_READ,
    "HandoverService.page": HANDOVER_READ,
    "HandoverService.summary": HANDOVER_READ,
    "HandoverService.template_lines": HANDOVER_READ | TEMPLATE,
    "HandoverService.pdf": HANDOVER_READ,
    "HandoverService.start": HANDOVER_DESK,
    "HandoverService.add_entry": HANDOVER_DESK,
    "HandoverService.edit_entry": HANDOVER_DESK,
    "HandoverService.resolve": HANDOVER_DESK,
    "HandoverService.flag_equipment": HANDOVER_DESK,
    "HandoverService.flag_unfit": HANDOVER_DESK,
    "HandoverService.count": HANDOVER_DESK,
    "HandoverService.sign": HANDOVER_DESK,
    "HandoverService.correct": HANDOVER_DESK,
    "HandoverService.countersign": ONLY_SUPERVISOR,
    "HandoverService.add_template_line": TEMPLATE,
    "HandoverService.remove_template_line": TEMPLATE,
}

_VIEW = {"EquipmentRegister": KEYS_READ, "EquipmentLoanRegister": KEYS_READ,
         "ShiftSwapRegister": SHIFT_READ, "HandoverRegister": HANDOVER_READ}
_EXPORT = {"EquipmentRegister": KEYS_READ, "EquipmentLoanRegister": KEYS_READ,
           "ShiftSwapRegister": SHIFT_READ, "HandoverRegister": REGISTER_EXPORT}
ALLOWED.update({f"{cls}.{method}": roles for cls, roles in _VIEW.items()
                for method in ("count", "page", "rows")})
ALLOWED.update({f"{cls}.export_rows": roles for cls, roles in _EXPORT.items()})

EXPORTS: dict[str, frozenset[Role]] = {
    "keys": KEYS_READ,
    "key_loans": KEYS_READ,
    "shift_swaps": SHIFT_READ,
    "handovers": REGISTER_EXPORT,
}

SOURCE_CLASSES = {"EquipmentRegister": "keys", "EquipmentLoanRegister": "key_loans",
                  "ShiftSwapRegister": "shift_swaps", "HandoverRegister": "handovers"}

Call = Callable[[Actor], Any]


def _tag(w: Any, out: bool = False) -> str:
    tag = f"K-{w.n():04d}"
    w.desk.equipment.add(w.staff, tag, "Office key", "key")
    if out:
        w.desk.equipment.checkout(w.staff, tag, "target", "cleaning")
    return tag


def _fresh_handover(w: Any, counted: bool = True, signed: int = 0) -> dict[str, Any]:
    """A new open handover deskhelper → target on the next shift (the clock moves half a
    day; an earlier open one of this world is closed straight in the table)."""
    if not Equipment.select().exists():
        _tag(w)
    Handover.update(open_slot=None, status="locked").where(Handover.open_slot == 1).execute()
    w.desk.ctx.clock.advance(hours=12)
    data = w.desk.handovers.start(w.staff, "target")
    target = w.desk.auth.login("target", PASSWORD)
    if counted:
        for line in data["lines"]:
            w.desk.handovers.count(target, data["id"], line["no"], line["expected"])
    if signed >= 1:
        w.desk.handovers.sign(w.staff, data["id"], PASSWORD)
    if signed >= 2:
        w.desk.handovers.sign(target, data["id"], PASSWORD)
    if signed >= 3:
        w.desk.handovers.countersign(w.actors[SUPERVISOR], data["id"], PASSWORD)
    return w.desk.handovers.show(w.staff, data["id"])


def _as(handover_id: int, party: str, actor: Actor) -> None:
    Handover.update({getattr(Handover, party): actor.user_id}).where(
        Handover.id == handover_id).execute()


def _handover_call(method: str, *args: Any, party: str | None = None, counted: bool = True,
                   signed: int = 0, **kwargs: Any) -> Callable[[Any], Call]:
    def prepare(w: Any) -> Call:
        data = _fresh_handover(w, counted, signed)

        def call(a: Actor) -> Any:
            if party is not None:
                _as(data["id"], party, a)
            return getattr(w.desk.handovers, method)(a, data["id"], *args, **kwargs)
        return call
    return prepare


def _count(w: Any) -> Call:
    data = _fresh_handover(w, counted=False)
    line = data["lines"][0]

    def call(a: Actor) -> Any:
        _as(data["id"], "incoming", a)
        return w.desk.handovers.count(a, data["id"], line["no"], line["expected"])
    return call


def _sign(w: Any) -> Call:
    data = _fresh_handover(w)

    def call(a: Actor) -> Any:
        _as(data["id"], "outgoing", a)
        return w.desk.handovers.sign(a, data["id"], PASSWORD)
    return call


def _entry_call(method: str, *args: Any, **kwargs: Any) -> Callable[[Any], Call]:
    def prepare(w: Any) -> Call:
        data = _fresh_handover(w)
        data = w.desk.handovers.add_entry(w.staff, data["id"], "instruction", "交接钥匙柜")
        no = data["entries"][-1]["no"]

        def call(a: Actor) -> Any:
            _as(data["id"], "outgoing", a)
            return getattr(w.desk.handovers, method)(a, data["id"], no, *args, **kwargs)
        return call
    return prepare


def _line_for_tag(w: Any) -> Call:
    data = _fresh_handover(w, counted=False)
    tag = next(line["tag"] for line in data["lines"] if line["tag"])
    return lambda a: w.desk.handovers.line_for_tag(a, data["id"], tag)


def _start(w: Any) -> Call:
    Handover.update(open_slot=None, status="locked").where(Handover.open_slot == 1).execute()
    w.desk.ctx.clock.advance(hours=12)
    return lambda a: w.desk.handovers.start(a, "target")


def _template_remove(w: Any) -> Call:
    line = w.desk.handovers.add_template_line(w.actors[ADMIN], f"值班日志 {w.n()}", "document")
    return lambda a: w.desk.handovers.remove_template_line(a, line["id"])


def _decide_swap(w: Any) -> Call:
    day = w.desk.today() + timedelta(days=2 + w.n())
    w.desk.shifts.assign(w.actors[SUPERVISOR], day, "day", ["target"])
    swap = w.desk.shifts.request_swap(w.staff, day, "day", "target", "asclerk", "家中有事")
    return lambda a: w.desk.shifts.decide_swap(a, swap["id"], True, "同意")


def _request_swap(w: Any) -> Call:
    day = w.desk.today() + timedelta(days=2 + w.n())
    w.desk.shifts.assign(w.actors[SUPERVISOR], day, "day", ["target"])
    return lambda a: w.desk.shifts.request_swap(a, day, "day", "target", "deskhelper", "调班")


def _assign(w: Any) -> Call:
    day = w.desk.today() + timedelta(days=1 + w.n())
    return lambda a: w.desk.shifts.assign(a, day, "night", ["target"])


ACTIONS: dict[str, Callable[[Any], Call]] = {
    "EquipmentService.add":
        lambda w: (lambda tag: lambda a: w.desk.equipment.add(a, tag, "钥匙", "key"))(
            f"N-{w.n():04d}"),
    "EquipmentService.edit":
        lambda w: (lambda tag: lambda a: w.desk.equipment.edit(a, tag, home="钥匙柜 B"))(_tag(w)),
    "EquipmentService.get": lambda w: (lambda tag: lambda a: w.desk.equipment.get(a, tag))(_tag(w)),
    "EquipmentService.count": lambda w: lambda a: w.desk.equipment.count(a, EquipmentFilter()),
    "EquipmentService.page": lambda w: lambda a: w.desk.equipment.page(a, EquipmentFilter(), 0, 10),
    "EquipmentService.history": lambda w: lambda a: w.desk.equipment.history(a),
    "EquipmentService.out_summary": lambda w: lambda a: w.desk.equipment.out_summary(a),
    "EquipmentService.checkout":
        lambda w: (lambda tag: lambda a: w.desk.equipment.checkout(a, tag, "target", "巡楼"))(
            _tag(w)),
    "EquipmentService.checkin":
        lambda w: (lambda tag: lambda a: w.desk.equipment.checkin(a, tag))(_tag(w, out=True)),
    "ShiftService.rota":
        lambda w: lambda a: w.desk.shifts.rota(a, w.desk.today(), w.desk.today() + timedelta(6)),
    "ShiftService.swaps": lambda w: lambda a: w.desk.shifts.swaps(a),
    "ShiftService.swap_count": lambda w: lambda a: w.desk.shifts.swap_count(a),
    "ShiftService.waiting_swaps": lambda w: lambda a: w.desk.shifts.waiting_swaps(a),
    "ShiftService.assign": _assign,
    "ShiftService.request_swap": _request_swap,
    "ShiftService.decide_swap": _decide_swap,
    "HandoverService.current": lambda w: lambda a: w.desk.handovers.current(a),
    "HandoverService.show": _handover_call("show", counted=False),
    "HandoverService.check": _handover_call("check", counted=False),
    "HandoverService.line_for_tag": _line_for_tag,
    "HandoverService.count_history":
        lambda w: lambda a: w.desk.handovers.count_history(a, HandoverFilter()),
    "HandoverService.page":
        lambda w: lambda a: w.desk.handovers.page(a, HandoverFilter(), 0, 10),
    "HandoverService.summary": lambda w: lambda a: w.desk.handovers.summary(a),
    "HandoverService.template_lines": lambda w: lambda a: w.desk.handovers.template_lines(a),
    "HandoverService.pdf": _handover_call("pdf", counted=False),
    "HandoverService.start": _start,
    "HandoverService.add_entry":
        _handover_call("add_entry", "problem", "电梯困人", "停电", "报修", "已解救",
                       party="outgoing"),
    "HandoverService.edit_entry": _entry_call("edit_entry", text="交接钥匙柜和对讲机"),
    "HandoverService.resolve": _entry_call("resolve", "已完成"),
    "HandoverService.flag_equipment": _handover_call("flag_equipment", "空调机组停机",
                                                     party="outgoing"),
    "HandoverService.flag_unfit": _handover_call("flag_unfit", "身体不适", party="outgoing"),
    "HandoverService.count": _count,
    "HandoverService.sign": _sign,
    "HandoverService.correct": _handover_call("correct", "补记：对讲机已找回", party="outgoing",
                                              signed=3),
    "HandoverService.countersign": _handover_call("countersign", PASSWORD, signed=2),
    "HandoverService.add_template_line":
        lambda w: lambda a: w.desk.handovers.add_template_line(a, f"值班日志 {w.n()}", "document"),
    "HandoverService.remove_template_line": _template_remove,
}
