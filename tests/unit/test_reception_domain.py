"""Reception rules: templates and placeholders, the forbidden-phrase checker, timer levels."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.domain.phrase_check import ForbiddenPhrase, find_forbidden
from desk_app.domain.reception import (
    PLACEHOLDERS,
    Level,
    MissingValues,
    Targets,
    check_script_text,
    format_elapsed,
    missing_values,
    placeholders,
    render,
    time_greeting,
    timer_status,
    unknown_placeholders,
)
from desk_app.services.reception.phrases import check_text

ALL = ("{time_greeting}，{company}，{agent}为您服务。{caller}{caller_title}，我们会在{reply_time}前回复。"
       "您在{date}反映的{issue}：{result}。{holiday_greeting}")
VALUES = {"time_greeting": "上午好", "company": "示例物业", "agent": "王芳", "caller": "李",
          "caller_title": "先生", "reply_time": "今天17:00", "date": "11月28日",
          "issue": "楼道灯不亮", "result": "已更换", "holiday_greeting": "祝您新春快乐"}


def test_render_with_every_placeholder():
    assert set(placeholders(ALL)) == set(PLACEHOLDERS)
    assert render(ALL, VALUES) == ("上午好，示例物业，王芳为您服务。李先生，我们会在今天17:00前回复。"
                                   "您在11月28日反映的楼道灯不亮：已更换。祝您新春快乐")


@pytest.mark.parametrize("missing", sorted(PLACEHOLDERS))
def test_each_missing_value_is_named(missing):
    values = {**VALUES, missing: "  "}
    assert missing_values(ALL, values) == [missing]
    with pytest.raises(MissingValues) as error:
        render(ALL, values)
    assert error.value.names == [missing] and "{" + missing + "}" in str(error.value)


def test_fallback_text_and_literal_braces():
    text = "{caller|您}好{caller_title|}，{{不是占位符}}"
    assert missing_values(text, {}) == []
    assert render(text, {}) == "您好，{不是占位符}"
    assert render(text, {"caller": "王", "caller_title": "女士"}) == "王好女士，{不是占位符}"


def test_unknown_and_malformed_placeholders_are_flagged():
    assert unknown_placeholders("{company} {callr} {agent}") == ["callr"]
    with pytest.raises(ValidationError, match="callr"):
        check_script_text("您好 {callr}")
    with pytest.raises(ValidationError, match="brace"):
        check_script_text("您好 {company")
    with pytest.raises(ValidationError):
        check_script_text("{公司}")
    check_script_text("{company}")


@pytest.mark.parametrize(("hour", "lang", "expected"), [
    (5, "zh_CN", "上午好"), (11, "en", "Good morning"), (12, "zh_TW", "午安"),
    (17, "zh_CN", "下午好"), (18, "en", "Good evening"), (2, "zh_CN", "晚上好"),
])
def test_time_greeting_by_the_clock(hour, lang, expected):
    assert time_greeting(datetime(2026, 11, 2, hour, 59), lang) == expected


PHRASES = [ForbiddenPhrase("不知道", "我帮您确认", "zh_CN", ("不知道您",)),
           ForbiddenPhrase("我们没做过", "我确认后回复您", "zh_CN"),
           ForbiddenPhrase("I don't know", "Let me find out", "en"),
           ForbiddenPhrase("no idea", "Let me check", "en")]


@pytest.mark.parametrize(("text", "found"), [
    ("这个我不知道。", ["不知道"]),
    ("不　知　道！", ["不　知　道"]),  # ideographic spaces
    ("“不知道”", ["不知道"]),
    ("我們沒做過這種", ["我們沒做過"]),  # Traditional
    ("我们 没 做過", ["我们 没 做過"]),  # mixed, spaced
    ("I DON’T KNOW", ["I DON’T KNOW"]),  # curly apostrophe, capitals
    ("Ｉ　ｄｏｎ＇ｔ　ｋｎｏｗ", ["Ｉ　ｄｏｎ＇ｔ　ｋｎｏｗ"]),  # full-width letters
    ("I don't\u200b know", ["I don't\u200b know"]),  # zero-width space
    ("不知道您是否方便？", []),  # polite “I wonder whether…”
    ("不，知道了", []),  # punctuation is a boundary
    ("a piano idea", []),  # Latin phrases match whole words only
    ("我知道", []),
])
def test_forbidden_phrases_on_tricky_text(text, found):
    assert [f.found for f in find_forbidden(text, PHRASES)] == found


def test_positions_point_into_the_original_text():
    text = "您好！我們沒做過，不知道。"
    findings = find_forbidden(text, PHRASES)
    assert [(text[f.start:f.end], f.suggestion) for f in findings] == [
        ("我們沒做過", "我确认后回复您"), ("不知道", "我帮您确认")]


def test_shipped_lists_with_opencc_and_suggestion_language():
    traditional = check_text("這件事不歸我管，你自己看")
    assert [f.found for f in traditional] == ["不歸我管", "你自己看"]
    assert "負責" in traditional[0].suggestion  # Traditional text → Traditional suggestion
    assert check_text("不清楚", "zh_CN")[0].suggestion.startswith("我帮您查询")
    assert check_text("对不起，我没听清楚") == []
    assert check_text("I have no idea, calm down.", "en")[0].found == "no idea"


T = Targets()
START = datetime(2026, 11, 2, 9, 0, 0)


@pytest.mark.parametrize(("answer_after", "level"), [
    (9, Level.NONE), (10, Level.MINOR), (15, Level.MINOR), (16, Level.MODERATE),
    (31, Level.SEVERE)])
def test_answer_levels(answer_after, level):
    answered = START + timedelta(seconds=answer_after)
    status = timer_status(START, answered, None, answered, T)
    assert status.answer_level is level and not status.answer_running
    assert status.reply_running


@pytest.mark.parametrize(("minutes", "level"), [
    (3, Level.NONE), (5, Level.NONE), (5.1, Level.MINOR), (10.5, Level.MODERATE),
    (31, Level.SEVERE)])
def test_reply_levels_with_a_running_clock(minutes, level):
    now = START + timedelta(minutes=minutes)
    status = timer_status(START, START + timedelta(seconds=3), None, now, T)
    assert status.reply_level is level and status.level is level
    assert status.escalate is (level is Level.SEVERE)


def test_finished_timers_stop_and_outgoing_calls_have_no_answer_timer():
    resolved = START + timedelta(minutes=2)
    later = START + timedelta(hours=5)
    status = timer_status(START, START + timedelta(seconds=5), resolved, later, T)
    assert status.reply_elapsed == timedelta(minutes=2) and status.level is Level.NONE
    unanswered = timer_status(START, None, resolved, later, T)  # answered when resolved
    assert unanswered.answer_elapsed == timedelta(minutes=2)
    assert unanswered.answer_level is Level.SEVERE
    outgoing = timer_status(START, None, None, START + timedelta(minutes=1), T,
                            answer_timed=False)
    assert outgoing.answer_level is Level.NONE and outgoing.level is Level.NONE


def test_targets_from_settings_and_elapsed_text():
    targets = Targets.from_settings({"reception_answer_seconds": 6, "reception_reply_minutes": 3})
    assert targets.answer == 6 and targets.reply == 180 and targets.reply_severe == 1800
    assert format_elapsed(timedelta(seconds=9)) == "0:09"
    assert format_elapsed(timedelta(seconds=3723)) == "1:02:03"
