"""domain.handover: R12's blockers, each alone and all together, in the rule's order."""

from __future__ import annotations

from desk_app.domain.handover import (
    Block,
    EntryFacts,
    blockers,
    carries_forward,
    incomplete_entries,
    is_discrepancy,
)


def _entry(no, kind="problem", text="漏水", cause="a", process="b", result="c", major=False,
           resolved=False) -> EntryFacts:
    return EntryFacts(no, kind, text, cause, process, result, major, resolved)


def test_free_when_nothing_blocks():
    assert blockers([_entry(1), _entry(2, "instruction", cause="")], [], None, None, False) == []
    assert blockers([], [], None, "unfit", True) == []  # a substitute is named


def test_each_condition_alone():
    major = blockers([_entry(3, major=True)], [], None, None, False)
    assert [b.code for b in major] == [Block.MAJOR_EVENT] and "3" in major[0].message
    assert blockers([_entry(3, major=True, resolved=True)], [], None, None, False) == []
    equipment = blockers([], [], "发电机切换", None, False)
    assert [b.code for b in equipment] == [Block.EQUIPMENT] and "发电机切换" in equipment[0].message
    lines = blockers([], [4, 7], None, None, False)
    assert [b.code for b in lines] == [Block.PREPARATION] and "4, 7" in lines[0].message
    entry = blockers([_entry(5, cause=" ")], [], None, None, False)
    assert [b.code for b in entry] == [Block.PREPARATION] and "5" in entry[0].message
    unfit = blockers([], [], None, "发烧", False)
    assert [b.code for b in unfit] == [Block.UNFIT] and "发烧" in unfit[0].message


def test_all_together_in_order_and_long_lists_shortened():
    found = blockers([_entry(1, major=True), _entry(2, result="")], list(range(1, 31)), "x",
                     "y", False)
    assert [b.code for b in found] == [Block.MAJOR_EVENT, Block.EQUIPMENT, Block.PREPARATION,
                                       Block.UNFIT]
    assert "and 18 more" in found[2].message and "entries without cause" in found[2].message


def test_incomplete_entries_discrepancy_and_carry_forward():
    assert incomplete_entries([_entry(1), _entry(2, text=" "), _entry(3, "repair", cause=""),
                               _entry(4, process="")]) == [2, 4]
    assert not is_discrepancy(2, None, "")
    assert not is_discrepancy(2, 2, "good")
    assert is_discrepancy(2, 1, "good") and is_discrepancy(2, 2, "damaged")
    assert carries_forward("instruction", False) and not carries_forward("problem", True)
