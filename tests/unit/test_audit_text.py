"""Every audit action the code writes reads as a sentence, in English and Chinese, with
full names and field / old / new rows — never a dict, ``user #3`` or ``auth.login``."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from desk_app.domain import audit_text
from desk_app.domain.audit_text import action_label, change_text, describe, has_sentence
from desk_app.i18n import set_language

SOURCE = Path(audit_text.__file__).resolve().parents[1]
ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _sample(node: ast.expr) -> str | None:
    """An action argument as text: a literal, or an f-string / concatenation with "x" for
    the computed part (matched by the describer's patterns)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "x"
                       for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return (left or "x") + (right or "x")
    return None


def written_actions() -> set[str]:
    """Every action passed to ``tx.audit(actor, ACTION, …)`` or ``publish(service, actor,
    ACTION, …)``; an action held in a variable or parameter is found as the string
    constants of the same prefixes in the services (``"visit.close"`` passed on)."""
    found: set[str] = set()
    indirect: set[str] = set()
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                position = {"audit": 1, "publish": 2}.get(node.func.attr)
                if position is None or len(node.args) <= position:
                    continue
                sample = _sample(node.args[position])
                if sample is None:
                    indirect.add(str(path))
                elif sample != "x":
                    found.add(sample)
    prefixes = {action.split(".")[0] for action in found if "." in action}
    for path in sorted((SOURCE / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and ACTION.match(node.value) and node.value.split(".")[0] in prefixes
                    and not node.value.endswith("_")):
                found.add(node.value)
    assert indirect, "the scan no longer sees actions passed through variables"
    return found


def test_the_scan_finds_the_actions_of_every_area():
    actions = written_actions()
    for expected in ("auth.login", "loan.lend", "loan.return", "handover.flag_unfit",
                     "visit.close", "user.deactivate", "export.x", "auth.x_failed"):
        assert expected in actions
    assert len(actions) > 80


def test_every_written_action_has_a_sentence():
    missing = sorted(action for action in written_actions() if not has_sentence(action))
    assert missing == []


def test_actions_announced_by_other_parts_of_issue_14_have_sentences():
    for action in ("borrower.edit", "item.edit", "item.move", "location.move", "loan.renew",
                   "loan.remind", "backup.create", "backup.restore", "backup.daily"):
        assert has_sentence(action), action


NAMES = {"wangfang": "王芳", "zhoumin": "周敏"}


def _entry(action, before=None, after=None, actor="wangfang", entity="loan_slip", entity_id=4):
    return {"seq": 9, "action": action, "actor": actor, "entity": entity,
            "entity_id": entity_id, "change": json.dumps({"before": before, "after": after},
                                                         ensure_ascii=False)}


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("en")


def test_a_loan_reads_as_a_sentence_with_full_names(english):
    entry = _entry("loan.lend", after={"slip": "JY2026-000004", "refs": ["BA-BG-2026-00004"],
                                       "borrower": "李先生", "purpose": "审计",
                                       "due": {"BA-BG-2026-00004": "2026-12-14"}})
    described = describe(entry, NAMES)
    assert described.sentence == "王芳 lent BA-BG-2026-00004 to 李先生, due 2026-12-14"
    rows = {row.field: row.new for row in described.rows}
    assert rows["Borrower"] == "李先生" and rows["Slip"] == "JY2026-000004"
    assert rows["Due"] == "2026-12-14"


def test_a_sign_in_and_a_role_change_say_who_in_words(english):
    assert describe(_entry("auth.login", actor="zhoumin", entity="user"), NAMES).sentence \
        == "周敏 signed in"
    described = describe(_entry("user.roles", before={"name": "zhoumin", "roles": "clerk"},
                                after={"name": "zhoumin", "full_name": "周敏",
                                       "roles": "clerk,supervisor"},
                                actor="admin", entity="user", entity_id=3), NAMES)
    assert described.sentence == "admin changed the roles of 周敏 to Clerk, Supervisor"
    roles = next(row for row in described.rows if row.field == "Roles")
    assert (roles.old, roles.new) == ("Clerk", "Clerk, Supervisor")
    assert not any(row.field == "Name" for row in described.rows)  # unchanged: left out


def test_an_unknown_action_still_reads_without_dicts(english):
    described = describe(_entry("gizmo.polish", before={"shine": 1}, after={"shine": 2,
                                                                           "by": "zhoumin"}))
    assert "Gizmo polish" in described.sentence
    assert change_text(described.rows) == "Shine: 1 → 2; By: zhoumin"
    assert action_label("gizmo.polish") == "Gizmo polish"


def test_iso_times_are_local_and_never_carry_an_offset(english):
    described = describe(_entry("complaint.add", after={
        "description": "slow", "promised": "2026-12-01T08:00:00+00:00"}))
    text = change_text(described.rows)
    assert "+00:00" not in text and "T08" not in text


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_no_entry_shows_a_dict_or_a_user_number(language):
    set_language(language)
    try:
        samples = [_entry(action, before={"due": "2026-12-01"},
                          after={"refs": ["A-1"], "borrower": "wangfang", "number": "N1",
                                 "changes": {"due": "2026-12-09"}, "user": "zhoumin"})
                   for action in written_actions()]
        for entry in samples:
            described = describe(entry, NAMES)
            text = described.sentence + " " + change_text(described.rows)
            assert "{" not in text and "user #" not in text and "': " not in text, text
            assert entry["action"] not in described.sentence
    finally:
        set_language("en")


def test_chinese_sentences_are_chinese_once_translated():
    set_language("zh_CN")
    try:
        sentence = describe(_entry("auth.login", actor="wangfang"), NAMES).sentence
        assert sentence.startswith("王芳")
    finally:
        set_language("en")


def recorded_fields() -> dict[str, set[str]]:
    """Every key of a dict literal written in a ``tx.audit(…)`` call, with its files."""
    found: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "audit"):
                continue
            for part in ast.walk(node):
                if isinstance(part, ast.Dict):
                    for key in part.keys:
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            found.setdefault(key.value, set()).add(path.name)
    return found


def test_every_recorded_field_has_a_name():
    from desk_app.domain.manifest import settings_by_key

    fields = recorded_fields()
    assert {"refs", "borrower", "renewal", "channel", "purpose"} <= set(fields)
    missing = sorted(f"{key} ({', '.join(sorted(files))})" for key, files in fields.items()
                     if key not in audit_text.FIELDS and key not in settings_by_key()
                     and key not in ("before", "after"))
    assert missing == []


def _constants_of(path: Path, call: str, position: int) -> set[str]:
    """The string constants passed as argument ``position`` of ``….call(…)`` in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
             and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
             for target in node.targets if isinstance(target, ast.Name)}  # MADE = "made"
    found = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == call and len(node.args) > position):
            for part in ast.walk(node.args[position]):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.add(part.value)
                elif isinstance(part, ast.Name) and part.id in named:
                    found.add(named[part.id])
    return found


def stored_words() -> dict[str, set[str]]:
    """The enum-like values the services record, read from their source."""
    from desk_app.services import passwords

    services = SOURCE / "services"
    reasons = set()  # reason = "unknown" if … else "inactive"
    for node in ast.walk(ast.parse((services / "passwords.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] \
                == ["reason"]:
            reasons |= {part.value for part in ast.walk(node.value)
                        if isinstance(part, ast.Constant) and isinstance(part.value, str)}
    via = set()
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "via" \
                    and isinstance(node.value, ast.Constant):
                via.add(node.value.value)
            if isinstance(node, ast.arguments):  # def get(…, via: str = "show")
                named = list(zip(reversed(node.args), reversed(node.defaults), strict=False))
                via |= {default.value for arg, default in named
                        if arg.arg == "via" and isinstance(default, ast.Constant)}
    grants = (services / "personnel_grants.py").read_text(encoding="utf-8")
    status_of = grants[grants.index("def status_of"):].split("\n\n")[0]
    return {"purpose": set(passwords.PURPOSES), "reason": reasons,
            "channel": _constants_of(services / "reminders.py", "_record", 2),
            "result": _constants_of(services / "reminders.py", "_record", 4),
            "via": via | {"access_request", "access_approval"},
            "was": set(re.findall(r'"(\w+)"', status_of)), "key": {"created"}}


def test_every_stored_word_reads_as_words(english):
    words = stored_words()
    assert words["purpose"] >= {"login", "sign"} and words["channel"] == {"print", "email"}
    assert {"password", "locked_out"} <= words["reason"] and "live" in words["was"]
    assert {"show", "labels"} <= words["via"] and {"made", "failed"} <= words["result"]
    missing = sorted(f"{key}={value}" for key, values in words.items() for value in values
                     if value not in audit_text.VALUES.get(key, {}))
    assert missing == []
    described = describe(_entry("auth.sign_failed", after={"reason": "password",
                                                             "purpose": "sign"},
                                entity="user"), NAMES)
    assert change_text(described.rows) == "Reason: wrong password; Purpose: signing"


def test_a_renewal_says_what_and_for_whom(english):
    described = describe(_entry("loan.renew", before={"due": "2026-12-31"},
                                after={"ref": "BA-BG-2026-00004", "borrower": "李先生",
                                       "due": "2027-01-14", "renewals": 1,
                                       "renewal": "XJ2026-000001"}, entity="loan"), NAMES)
    assert described.sentence == ("王芳 renewed BA-BG-2026-00004 for 李先生: "
                                  "due 2026-12-31 → 2027-01-14")
    assert "Renewal slip" in {row.field for row in described.rows}
    earlier = describe(_entry("loan.renew", before={"due": "2026-12-31"},
                              after={"due": "2027-01-14", "renewals": 1}, entity="loan"), NAMES)
    assert earlier.sentence == "王芳 renewed a loan: due 2026-12-31 → 2027-01-14"
