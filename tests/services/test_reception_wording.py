"""Reception rules a clerk meets first: an empty arrival is refused, a name typed with its
title is not addressed twice, and the phrase check judges what staff say — not a customer's
words quoted in a request or a complaint."""

from __future__ import annotations

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.domain.reception import Channel, addressed, render, split_title
from desk_app.services.reception.phrases import ForbiddenPhraseFound
from desk_app.store.models import AuditEntry
from desk_app.store.reception import Complaint, Visit
from tests.conftest import add_user


@pytest.fixture
def clerk(desk, admin):
    return add_user(desk, admin, "wangfang", "clerk", "王芳")


def counts() -> tuple[int, int, int]:
    return AuditEntry.select().count(), Visit.select().count(), Complaint.select().count()


def test_an_arrival_with_nothing_filled_in_is_refused_and_nothing_stored(desk, clerk):
    before = counts()
    for blank in ({}, {"name": "   ", "request": "\n"}, {"caller_title": "女士"}):
        with pytest.raises(ValidationError) as refused:
            desk.visits.open_visit(clerk, Channel.VISIT, **blank)
        assert refused.value.field == "name" and "empty arrival" in str(refused.value)
    with pytest.raises(ValidationError) as refused:  # a call out says whom we call
        desk.visits.open_visit(clerk, Channel.PHONE_OUT, request="通知停水")
    assert refused.value.field == "name" and "whom you are calling" in str(refused.value)
    assert counts() == before
    # Any one detail is enough; the ringing phone starts empty (details come with F8).
    assert desk.visits.open_visit(clerk, Channel.VISIT, request="领取快递").request == "领取快递"
    assert desk.visits.open_visit(clerk, Channel.PHONE_OUT, contact="13800000000").id
    assert desk.visits.open_visit(clerk, Channel.PHONE_IN).name == ""
    assert counts()[1] == before[1] + 3


def test_a_name_that_ends_in_its_title_is_not_doubled(desk, clerk, clock):
    visit = desk.visits.open_visit(clerk, Channel.VISIT, name="李女士", caller_title="女士")
    assert (visit.name, visit.caller_title) == ("李", "女士")
    assert desk.registers["visits"].cells(visit)[2] == "李女士"  # exports and PDFs too
    edited = desk.visits.update_visit(clerk, visit.id, name="王先生", caller_title="先生")
    assert (edited.name, edited.caller_title) == ("王", "先生")
    edited = desk.visits.update_visit(clerk, visit.id, name="王经理")  # title kept: 先生
    assert (edited.name, edited.caller_title) == ("王经理", "先生")
    callback = desk.callbacks.schedule_callback(
        clerk, "13800000000", "回访", clock.now(), name="赵女士", caller_title="女士")
    assert (callback.name, callback.caller_title) == ("赵", "女士")
    assert desk.scripts.render(clerk, "phone.not_available", "zh_CN",
                               {"caller": "李女士", "caller_title": "女士"}).startswith("李女士")


def test_titles_in_both_orders():
    assert split_title("李女士", "女士") == ("李", "女士")
    assert split_title("李", "女士") == ("李", "女士")
    assert split_title("女士", "女士") == ("女士", "")  # nothing else to call her
    assert split_title("Mr. Smith", "Mr") == ("Smith", "Mr")
    assert split_title("Mrs Smith", "Mr") == ("Mrs Smith", "Mr")
    assert addressed("李女士", "女士") == "李女士"
    assert addressed("Wang", "Ms") == "Ms Wang"
    assert addressed("Ms Wang", "Ms") == "Ms Wang"
    assert addressed("陈", "") == "陈"
    assert render("{caller}{caller_title}您好", {"caller": "李女士", "caller_title": "女士"}) \
        == "李女士您好"
    assert render("{caller_title} {caller}, hello", {"caller": "Ms Wang",
                                                     "caller_title": "Ms"}) == "Ms Wang, hello"


def test_the_phrase_check_ignores_the_customers_words_but_catches_staff_text(desk, clerk):
    # The complaint as the customer told it, and a visitor's request, are their words.
    complaint = desk.complaints.add_complaint(clerk, "service_attitude",
                                              "前台说“这个我不清楚”，还说没办法", "刘先生")
    assert "没办法" in complaint.description
    visit = desk.visits.open_visit(clerk, Channel.VISIT, name="孙", request="上次被告知不归我们管")
    before = counts()
    # What staff reply is checked; the refusal names the field and stores nothing.
    with pytest.raises(ForbiddenPhraseFound) as found:
        desk.complaints.reply_complaint(clerk, complaint.id, "这个我不清楚，您问别人")
    assert found.value.field == "result" and "不清楚" in str(found.value)
    with pytest.raises(ForbiddenPhraseFound):
        desk.visits.resolve(clerk, visit.id, "没办法")
    assert counts() == before
    assert desk.complaints.complaints(clerk)[0].replied_at is None
    # A reply may quote the customer in quotation marks.
    replied = desk.complaints.reply_complaint(
        clerk, complaint.id, "已向业主致歉；员工所说“这个我不清楚”已纠正，已培训")
    assert replied.replied_at is not None
    resolved = desk.visits.resolve(clerk, visit.id, "业主说「不归我们管」是误会，已解释")
    assert resolved.resolved_at is not None


def test_phrases_match_pinyin_and_initials_of_the_title_full_pinyin_of_the_text():
    from desk_app.domain.reception import phrase_matches, phrase_search_keys

    keys = phrase_search_keys(("转接电话", "Transfer a call"), ("好的，我马上为您转接。",))
    plain = "转接电话 好的，我马上为您转接。"
    assert phrase_matches(["zjdh"], plain, keys) and phrase_matches(["zhuanjie"], plain, keys)
    assert phrase_matches(["mashang", "zj"], plain, keys)
    assert not phrase_matches(["hdwms"], plain, keys)  # the text's initials would match anything
    assert phrase_matches(["转接"], plain) and not phrase_matches(["zj"], plain)


# ---------------------------------------------------------------- issue 18: the seed phrases

SEED_PHRASES = {  # 003 第一章: what the phone scripts of the regulation say, in zh_CN
    "phone.closing_honoured": "很荣幸能为您服务",
    "phone.answer_known": "请问需要我帮您做什么",
    "phone.check_understood": "是否已经清楚",
    "phone.direct_contact": "可随时打我手机",
    "phone.out_of_scope": "不在我们的服务范围内",
    "visitor.refuse_politely": "暂时无法满足",
    "phone.callback_result": "反映了{issue}的情况",
}


@pytest.mark.parametrize("lang", ["zh_CN", "zh_TW", "en"])
def test_the_regulations_phone_phrases_are_in_the_library(lang):
    from desk_app.services.reception.phrases import check_text, default_library

    scripts = {item["key"]: item for item in default_library(lang)["scripts"]}
    for key, words in SEED_PHRASES.items():
        assert key in scripts, (lang, key)
        assert not check_text(scripts[key]["text"], lang), (lang, key)
        if lang == "zh_CN":
            assert words in scripts[key]["text"], key


def test_a_call_back_tells_the_outcome_with_the_admins_placeholders(desk, clerk):
    from desk_app.domain.reception import MissingValues

    with pytest.raises(MissingValues) as missing:
        desk.scripts.render(clerk, "phone.callback_result", "zh_CN", {"date": "11月28日"})
    assert set(missing.value.names) == {"issue", "result"}
    text = desk.scripts.render(clerk, "phone.callback_result", "zh_CN",
                               {"date": "11月28日", "issue": "楼道灯不亮",
                                "result": "已更换灯具"})
    assert text == ("您曾经在11月28日致电我们反映了楼道灯不亮的情况，"
                    "关于这个问题，我们已经有跟进结果了：已更换灯具。")


def test_an_admin_may_use_date_issue_and_result_in_a_script(desk, admin):
    view = desk.scripts.save_script(admin, "phone.callback_opening", "en",
                                    "Hello {caller_title} {caller}, about {issue} on {date}: "
                                    "{result}.")
    assert view.version == 2


@pytest.mark.parametrize(("text", "flagged"), [
    ("喂？", True),
    ("喂，你找谁", True),
    ("喂，您好，这里是物业", True),
    ("您好，物业客服中心", False),
    ("请按时喂养宠物", False),
    ("喂，請問找誰", True),  # Traditional
])
def test_wei_alone_is_flagged_with_a_proper_greeting(text, flagged):
    from desk_app.services.reception.phrases import check_text

    found = [finding for finding in check_text(text) if finding.found == "喂"]
    assert bool(found) == flagged, text
    if found:
        assert "您好" in found[0].suggestion


def _to_local_noon(desk, clock, day) -> None:
    """Move the desk's clock to noon of ``day`` in this machine's time zone."""
    from datetime import datetime

    from desk_app.domain.clock import to_local

    local_now = to_local(clock.now())
    target = datetime(day.year, day.month, day.day, 12, tzinfo=local_now.tzinfo)
    clock.advance(seconds=(target - local_now).total_seconds())


def test_the_closing_phrase_wishes_the_holiday_and_the_everyday_otherwise(desk, clerk, clock):
    from datetime import date

    _to_local_noon(desk, clock, date(2026, 12, 2))
    assert desk.scripts.render(clerk, "phone.closing_holiday", "zh_CN") == \
        "感谢您的来电，祝您生活愉快，再见！"
    _to_local_noon(desk, clock, date(2027, 2, 6))  # 春节 2027
    assert desk.scripts.render(clerk, "phone.closing_holiday", "zh_CN") == \
        "感谢您的来电，祝您新春快乐、万事如意，再见！"
    assert desk.scripts.render(clerk, "visitor.farewell_holiday", "zh_TW") == \
        "請慢走，祝您新春快樂、萬事如意，歡迎再度光臨！"
    _to_local_noon(desk, clock, date(2027, 6, 9))  # 端午 2027
    assert desk.scripts.render(clerk, "phone.closing_holiday", "en") == \
        "Thank you for calling. Wishing you a peaceful Dragon Boat Festival, goodbye!"
