"""A realistic handover ``show`` dict, built by hand (no database), for the form test and the
PDF benchmark: entries of every kind in Chinese and English, a checklist of any length with
discrepancies, carried-forward entries, refusals and a correction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

SECTIONS = {"supply": "Office supplies", "phone": "Communication equipment",
            "radio": "Communication equipment", "document": "Documents and materials",
            "key": "Keys", "other": "Other shared articles"}
KIND_ORDER = ("supply", "phone", "radio", "document", "key", "other")
SCHEDULED = datetime(2026, 11, 30, 9, 30)  # 17:30 in Taipei, naive UTC
PRINTED = datetime(2026, 11, 30, 9, 52)


def person(name: str, full_name: str) -> dict[str, str]:
    return {"name": name, "full_name": full_name}


def checklist(count: int) -> list[dict[str, Any]]:
    """``count`` lines ordered by kind: every 9th line a discrepancy (a missing radio, a
    damaged phone, one ream short), a few out with someone, the rest counted as expected."""
    lines = []
    for index in range(count):
        kind = KIND_ORDER[index * len(KIND_ORDER) // count]
        no = index + 1
        tag = f"{kind[0].upper()}-{100 + no}"
        label = {"supply": f"A4 影印紙 (reams) 第{no}箱", "phone": f"Desk phone 分機 {no}",
                 "radio": f"對講機 Radio {no}", "document": f"交接文件夾 folder {no}",
                 "key": f"樣品室鑰匙 Sample room {no} key", "other": f"Umbrella {no}"}[kind]
        expected = 10 if kind == "supply" else 1
        out_with = ""
        if no % 23 == 0:
            expected, out_with = 0, "王小明 Wang Xiaoming, due 2026-11-30 18:30"
        found: int | None = expected
        condition, note = "good", ""
        if no % 9 == 0:
            if kind == "supply":
                found, note = expected - 1, "少一令紙：會議室借用，未登記 (one ream short)"
            elif kind in ("phone", "radio"):
                found, condition, note = 0, "missing", "對講機不在充電座上，已通知主管 — not on the charger"
            else:
                condition, note = "damaged", "鑰匙環斷裂 ring broken"
        if no == count:
            found, condition = None, "good"  # the last line is still to be counted
        lines.append({
            "no": no, "kind": kind, "section": SECTIONS[kind], "label": label, "tag": tag,
            "expected": expected, "out_with": out_with, "found": found, "condition": condition,
            "note": note, "counted_by": "chen" if found is not None else None,
            "counted_at": SCHEDULED - timedelta(minutes=20) if found is not None else None,
            "discrepancy": found is not None and (found != expected or condition != "good"),
        })
    return lines


def entries() -> list[dict[str, Any]]:
    long_cjk = ("二號空調機組於十五時二十分跳脫，值班人員依程序通知機電，現場確認為過載保護動作，"
                "已於十六時零五分復歸並持續觀察運轉電流。" * 3)

    def entry(no, kind, text, cause="", process="", result="", major=False, resolved=False,
              carried_from=None):
        labels = {"problem": "Problem", "instruction": "Instruction",
                  "unfinished": "Unfinished work", "repair": "Repair"}
        return {"no": no, "kind": kind, "kind_label": labels[kind], "text": text, "cause": cause,
                "process": process, "result": result, "major": major, "resolved": resolved,
                "carried_from": carried_from}

    return [
        entry(1, "problem", "二號空調機組跳脫 (AHU-2 tripped)", cause="過載保護 overload",
              process=long_cjk, result="已復歸，持續觀察 — reset, watched", major=True,
              resolved=True),
        entry(2, "problem", "Visitor lost an access card at the lobby gate", cause="Card dropped",
              process="Searched lobby with security; logged in the lost-property book",
              result="Not found yet; card disabled", carried_from="JB2026-0412"),
        entry(3, "problem", "漏水：B1 茶水間天花板滴水", cause="冷凝水管堵塞 blocked drain",
              process="Bucket placed, 機電 called at 16:40", result="Drain cleared 17:10",
              major=True, resolved=True),
        entry(4, "instruction", "主管指示：本週起夜班每兩小時巡查一次機房 (Supervisor: patrol the "
              "server room every two hours on night shift)", carried_from="JB2026-0398"),
        entry(5, "instruction", "New visitor badge procedure from Monday", resolved=True),
        entry(6, "unfinished", "Courier parcel for 財務部 waiting at the desk; call ext. 2231"),
        entry(7, "repair", "3F 男廁感應水龍頭故障，已報修 (work order R-7781)",
              carried_from="JB2026-0377"),
        entry(8, "repair", "Lobby revolving door: contractor due Thursday", result="Quoted",
              resolved=False),
    ]


def show(lines: int = 300, preparing: bool = False) -> dict[str, Any]:
    """A handover handed over late (12 min), awaiting the supervisor's countersignature; or,
    ``preparing``, one still in preparation with both R12 flags set and what blocks it."""
    data = {
        "id": 431, "number": "JB2026-0431", "shift": "day", "shift_day": date(2026, 11, 30),
        "scheduled_at": SCHEDULED, "started_at": SCHEDULED - timedelta(minutes=45),
        "status": "handed_over", "status_label": "handed over, awaiting countersignature",
        "outgoing": person("lin", "林美玲"), "incoming": person("chen", "陳志明"),
        "substitute": person("huang", "黃大衛"), "supervisor": None,
        "outgoing_signed_at": SCHEDULED + timedelta(minutes=8),
        "handed_over_at": SCHEDULED + timedelta(minutes=12),
        "locked_at": None, "late": True,
        "equipment_note": "冷水主機 CH-1 停機保養中 (chiller CH-1 stopping for maintenance)",
        "unfit_note": "陳志明 身體不適 (unwell); 黃大衛 substitutes", "version": 57,
        "document_no": None, "entries": entries(), "lines": checklist(lines), "blockers": [],
        "refusals": [
            {"at": SCHEDULED + timedelta(minutes=2), "by": "lin", "reasons": [
                {"code": "major_event", "message": "A major or emergency event is unresolved: "
                 "entries 1, 3"},
                {"code": "preparation", "message": "Preparation is incomplete: checklist lines "
                 "not counted: 17, 18, 19"}]},
            {"at": SCHEDULED + timedelta(minutes=6), "by": "huang", "reasons": [
                {"code": "equipment", "message": "Major equipment is starting or stopping: "
                 "冷水主機 CH-1 停機保養中"}]},
        ],
        "corrections": [{"at": SCHEDULED + timedelta(hours=2), "by": "lin",
                         "text": "Entry 2: 卡號應為 A-20931 (card number corrected)"}],
        "printed_at": PRINTED,
    }
    if preparing:
        data.update(status="preparing", status_label="in preparation", outgoing_signed_at=None,
                    handed_over_at=None, substitute=None, entries=[*entries(), {
                        "no": 9, "kind": "problem", "kind_label": "Problem",
                        "text": "火警受信總機誤報 3F (fire panel false alarm)", "cause": "",
                        "process": "", "result": "", "major": True, "resolved": False,
                        "carried_from": None}],
                    blockers=[
                        {"code": "major_event", "message": "A major or emergency event is "
                         "unresolved: entries 9"},
                        {"code": "equipment", "message": "Major equipment is starting or "
                         "stopping: 冷水主機 CH-1 停機保養中"},
                        {"code": "unfit", "message": "The incoming person is unfit and no "
                         "substitute is named: 陳志明 身體不適"}])
    else:
        data.update(equipment_note=None, unfit_note="陳志明 身體不適 (unwell); 黃大衛 substitutes")
    return data
