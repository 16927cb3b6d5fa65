"""Demo data for timeouts and responsibility (002, issue 18): timed-out entries of the demo's
log in every state, made through ``TimeoutService`` as the demo's users would (every step
audited) — a severe one still to review (on the Timeouts tab), one reviewed by 李强 with a
screenshot as evidence that 王芳 may still appeal, one appealed by 王芳 waiting for a
decision (李强's to decide: 周敏 reviewed it), one whose appeal 李强 upheld and one whose
measure the manager 张伟 changed."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from desk_app.demo.people import demo_actor
from desk_app.store.reception import TimeoutReview, Visit

_SCREENSHOT = "来电记录截图.png"


def call_log_screenshot() -> bytes:
    """A small picture of the telephone system's call list (the same bytes every run): the
    rows of calls, the one left ringing marked red."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 160), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 319, 18), fill=(40, 90, 160))
    for row in range(7):
        top = 24 + row * 19
        colour = (200, 40, 40) if row == 2 else (120, 120, 130)
        draw.rectangle((8, top, 311, top + 14), outline=(210, 212, 218))
        for left, width in ((14, 60), (90, 110), (216, 40), (270, 34)):
            draw.line((left, top + 7, left + width, top + 7), fill=colour, width=3)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def _timed_out(handler: str, level: int, taken: set[int], **kind: str) -> int | None:
    """The latest entry of ``handler`` that timed out at ``level`` (of this channel or
    request type when there is one), not reviewed in the log's old way (no review to take
    over) nor already used here."""
    query = (Visit.select(Visit.id)
             .where((Visit.handler == handler) & (Visit.timeout_level == level)
                    & Visit.reviewed_at.is_null() & Visit.resolved_at.is_null(False)
                    & Visit.id.not_in(sorted(taken) or [0]))
             .order_by(Visit.arrived_at.desc(), Visit.id.desc()))
    row = None
    if kind:
        row = query.where(*(getattr(Visit, key) == value for key, value in kind.items())).first()
    row = row or query.first()
    if row is None:
        return None
    taken.add(row.id)
    return int(row.id)


def generate_timeouts(demo: Any) -> dict[str, int]:
    """Runs once per database (none reviewed yet), as the demo's users."""
    from desk_app.services.reception.timeouts import TimeoutService

    if TimeoutReview.select().exists():
        return {}
    clerk, night_clerk = demo_actor("wangfang"), demo_actor("zhoumin")
    supervisor, manager = demo_actor("liqiang"), demo_actor("zhangwei")
    if clerk is None or night_clerk is None or supervisor is None or manager is None:
        return {}
    timeouts = TimeoutService(demo.ctx, settings=demo.settings)
    taken: set[int] = set()
    # the latest severe one of each clerk stays to review (the supervisor's Timeouts tab)
    for handler in ("wangfang", "zhoumin"):
        _timed_out(handler, 3, taken)
    found = {"appealable": _timed_out("wangfang", 3, taken, channel="phone_in"),
             "appealed": _timed_out("wangfang", 2, taken, channel="visit"),
             "upheld": _timed_out("wangfang", 1, taken, request_type="query"),
             "changed": _timed_out("zhoumin", 3, taken, request_type="technical")}
    entries = {key: entry for key, entry in found.items() if entry is not None}
    if len(entries) < len(found):  # a log without them (not the demo's)
        return {}
    with tempfile.TemporaryDirectory(prefix="desk-demo-") as folder:
        screenshot = Path(folder) / _SCREENSHOT
        screenshot.write_bytes(call_log_screenshot())
        # reviewed with evidence, the table's measure for a severe timeout, retraining;
        # 王芳 may still appeal (on her Today)
        timeouts.review(supervisor, entries["appealable"], cause="staff", responsible="wangfang",
                        joint_supervisor="zhoumin",
                        cause_text="午休交接时电话无人接听，来电系统显示振铃超过 40 秒",
                        retraining=True, retraining_note="接听规范与交接班培训（2 课时）",
                        evidence=[screenshot])
    # appealed, waiting for a decision: 周敏 reviewed it, so 李强 (or 张伟) decides
    timeouts.review(night_clerk, entries["appealed"], cause="staff", responsible="wangfang",
                    cause_text="来访业主等候超过十分钟无人接待")
    timeouts.appeal(clerk, entries["appealed"], "当时正值午间来访高峰，同时接待三位业主，并非怠慢")
    # the appeal upheld by 李强: the measure stands
    timeouts.review(night_clerk, entries["upheld"], cause="staff", responsible="wangfang",
                    cause_text="查询结果答复超时，事先未告知业主需要等待")
    timeouts.appeal(clerk, entries["upheld"], "业主要求的资料需要到档案室调取")
    timeouts.decide_appeal(supervisor, entries["upheld"], "upheld",
                           "调取资料前应先告知业主预计等待时间，维持口头警告")
    # the measure changed by the manager: the system was down
    timeouts.review(supervisor, entries["changed"], cause="system", responsible="zhoumin",
                    cause_text="报修系统故障，派单延迟")
    timeouts.appeal(night_clerk, entries["changed"], "报修系统当天上午宕机两小时，有工单系统日志为证")
    timeouts.decide_appeal(manager, entries["changed"], "changed",
                           "系统故障属实，个人责任较轻，改为口头警告", measure="verbal")
    return {"timeout_reviews": 4, "timeout_appeals": 3}
