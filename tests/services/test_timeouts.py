"""Timeouts and responsibility (issue 18, regulation 002): request types and urgency set
the reply targets; a supervisor reviews a timeout with its cause, the responsible person,
joint liability, evidence (SHA-256) and the measure from the office's table; the person held
responsible appeals within the window; someone other than the reviewer decides. Bad input
says what is wrong and writes nothing."""

from __future__ import annotations

import hashlib
import json

import pytest

from desk_app.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from desk_app.domain.reception import Level
from desk_app.store.models import AuditEntry
from desk_app.store.reception import TimeoutAppeal, TimeoutEvidence, TimeoutReview
from tests.conftest import add_user


@pytest.fixture
def people(desk, admin):
    return {"clerk": add_user(desk, admin, "wangfang", "clerk", "王芳"),
            "other": add_user(desk, admin, "sunli", "clerk", "孙丽"),
            "supervisor": add_user(desk, admin, "zhoumin", "clerk,supervisor", "周敏"),
            "second": add_user(desk, admin, "liqiang", "supervisor", "李强"),
            "manager": add_user(desk, admin, "zhangwei", "manager", "张伟"),
            "admin": admin}


def _written() -> tuple[int, int, int, int]:
    return (AuditEntry.select().count(), TimeoutReview.select().count(),
            TimeoutEvidence.select().count(), TimeoutAppeal.select().count())


def _timed_out(desk, clock, clerk, minutes: int = 31, **kinds) -> int:
    visit = desk.visits.open_visit(clerk, "visit", name="赵先生", request="门禁卡失效", **kinds)
    desk.visits.answer(clerk, visit.id)
    clock.advance(minutes=minutes)
    desk.visits.resolve(clerk, visit.id, "已补办")
    return visit.id


def test_a_request_types_targets_and_urgency_set_its_level(desk, people, clock):
    clerk = people["clerk"]
    # technical questions: 15/30/60 minutes by default; an ordinary enquiry: 5/10/30
    technical = _timed_out(desk, clock, clerk, 12, request_type="technical")
    enquiry = _timed_out(desk, clock, clerk, 12)
    urgent = _timed_out(desk, clock, clerk, 12, request_type="technical", urgency="urgent")
    levels = [desk.visits.get_visit(clerk, i).timeout_level for i in (technical, enquiry, urgent)]
    assert levels == [Level.NONE, Level.MODERATE, Level.MINOR]  # urgent: 7.5/15/30 minutes
    desk.settings.set_many(people["admin"], {"reception_type_targets": "enquiry=20/40/60"})
    assert desk.visits.get_visit(clerk, _timed_out(desk, clock, clerk, 12)).timeout_level \
        is Level.NONE
    before = _written()
    with pytest.raises(ValidationError, match="request type"):
        desk.visits.open_visit(clerk, "visit", name="钱女士", request_type="gossip")
    with pytest.raises(ValidationError, match="rise"):
        desk.settings.set_many(people["admin"], {"reception_type_targets": "query=30/20/60"})
    assert _written() == before


def test_a_review_with_evidence_and_the_tables_measure(desk, people, clock, tmp_path):
    visit_id = _timed_out(desk, clock, people["clerk"])
    recording = tmp_path / "录音 0901.wav"
    recording.write_bytes(b"RIFF" + bytes(range(256)) * 40)
    before = _written()
    case = desk.timeouts.review(people["supervisor"], visit_id, cause="staff",
                                responsible="王芳", joint_supervisor="liqiang",
                                cause_text="午休交接时无人接待", retraining=True,
                                retraining_note="接待礼仪培训", evidence=[recording])
    assert _written()[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert case.level is Level.SEVERE and case.measure == "deduction"  # the table's, severe
    assert (case.responsible, case.joint_supervisor, case.state) == (
        "wangfang", "liqiang", "reviewed")
    assert case.evidence[0].sha256 == hashlib.sha256(recording.read_bytes()).hexdigest()
    name, data = desk.timeouts.evidence_file(people["clerk"], case.evidence[0].id)
    assert (name, data) == ("录音 0901.wav", recording.read_bytes())
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert entry.action == "timeout.review"
    assert json.loads(entry.change)["after"]["evidence"] == {name: case.evidence[0].sha256}
    with pytest.raises(Conflict, match="already reviewed"):
        desk.timeouts.review(people["second"], visit_id, cause="staff", responsible="wangfang")
    # the review's evidence changed in the database is found out when read, even with its
    # stored hash changed too: the audit trail recorded the file's hash
    TimeoutEvidence.update(data=b"forged").execute()
    with pytest.raises(Conflict, match="SHA-256"):
        desk.timeouts.evidence_file(people["supervisor"], case.evidence[0].id)
    TimeoutEvidence.update(sha256=hashlib.sha256(b"forged").hexdigest()).execute()
    with pytest.raises(Conflict, match="SHA-256"):
        desk.timeouts.evidence_file(people["supervisor"], case.evidence[0].id)


@pytest.mark.parametrize(("change", "message"), [
    ({"responsible": ""}, "responsible"),
    ({"responsible": "nobody"}, "not one active user"),
    ({"joint_supervisor": "sunli"}, "not a supervisor"),
    ({"cause": "weather"}, "cause"),
    ({"measure": "other"}, "other measure"),
    ({"retraining": True}, "retraining"),
    ({"evidence": ["missing.wav"]}, "cannot be read"),
    ({"evidence": ["."]}, "cannot be read"),
    ({"evidence": ["big.png"]}, "at most"),
    ({"cause_text": "a\x00b"}, "character"),
])
def test_bad_reviews_say_why_and_write_nothing(desk, people, clock, tmp_path, monkeypatch,
                                               change, message):
    visit_id = _timed_out(desk, clock, people["clerk"])
    desk.settings.set_many(people["admin"], {"timeout_evidence_mb": 1})
    (tmp_path / "big.png").write_bytes(b"\x89PNG" + b"0" * (1024 * 1024))
    monkeypatch.chdir(tmp_path)
    before = _written()
    values = {"cause": "staff", "responsible": "wangfang", **change}
    with pytest.raises(ValidationError, match=message):
        desk.timeouts.review(people["supervisor"], visit_id, **values)
    assert _written() == before


def test_only_a_supervisor_reviews_and_only_timeouts(desk, people, clock):
    visit_id = _timed_out(desk, clock, people["clerk"])
    on_time = desk.visits.open_visit(people["clerk"], "visit", name="孙女士")
    before = _written()
    with pytest.raises(PermissionDenied):
        desk.timeouts.review(people["clerk"], visit_id, cause="staff", responsible="wangfang")
    with pytest.raises(Conflict, match="did not time out"):
        desk.timeouts.review(people["supervisor"], on_time.id, cause="staff",
                             responsible="wangfang")
    assert _written() == before


def test_the_appeal_and_its_decision_by_someone_else(desk, people, clock):
    visit_id = _timed_out(desk, clock, people["clerk"])
    desk.timeouts.review(people["supervisor"], visit_id, cause="staff", responsible="wangfang")
    before = _written()
    with pytest.raises(PermissionDenied):  # not the person held responsible
        desk.timeouts.appeal(people["other"], visit_id, "不是我")
    with pytest.raises(ValidationError):
        desk.timeouts.appeal(people["clerk"], visit_id, "  ")
    assert _written() == before
    case = desk.timeouts.appeal(people["clerk"], visit_id, "当时系统故障，电话无法接通")
    assert case.state == "appealed"
    with pytest.raises(Conflict, match="already appealed"):
        desk.timeouts.appeal(people["clerk"], visit_id, "再次申诉")
    assert [c.visit_id for c in desk.timeouts.waiting_for_me(people["second"])] == [visit_id]
    assert desk.timeouts.waiting_for_me(people["supervisor"]) == []  # the reviewer: not theirs
    assert [c.state for c in desk.timeouts.waiting_for_me(people["clerk"])] == ["appealed"]
    before = _written()
    with pytest.raises(PermissionDenied, match="other than"):  # the reviewer
        desk.timeouts.decide_appeal(people["supervisor"], visit_id, "upheld", "维持")
    with pytest.raises(PermissionDenied):
        desk.timeouts.decide_appeal(people["other"], visit_id, "upheld", "维持")
    with pytest.raises(ValidationError, match="replaces"):
        desk.timeouts.decide_appeal(people["second"], visit_id, "changed", "改为口头警告")
    assert _written() == before
    case = desk.timeouts.decide_appeal(people["second"], visit_id, "changed", "系统日志证实故障",
                                       measure="verbal")
    assert (case.state, case.measure, case.measure_now) == ("decided", "deduction", "verbal")
    assert desk.timeouts.case(people["clerk"], visit_id).decided_by == "liqiang"
    with pytest.raises(Conflict, match="already decided"):
        desk.timeouts.decide_appeal(people["manager"], visit_id, "annulled", "撤销")


def test_the_manager_decides_and_the_window_closes(desk, people, clock):
    first = _timed_out(desk, clock, people["clerk"])
    desk.timeouts.review(people["supervisor"], first, cause="peak", responsible="wangfang")
    desk.timeouts.appeal(people["clerk"], first, "高峰期只有一人值班")
    case = desk.timeouts.decide_appeal(people["manager"], first, "annulled", "排班不足，不追究")
    assert case.measure_now == "none"
    late = _timed_out(desk, clock, people["clerk"])
    desk.timeouts.review(people["supervisor"], late, cause="staff", responsible="wangfang")
    clock.advance(days=5, minutes=1)  # the default window: 5 days
    before = _written()
    with pytest.raises(Conflict, match="appeal window"):
        desk.timeouts.appeal(people["clerk"], late, "迟到的申诉")
    assert _written() == before


def test_staff_see_their_own_record_only(desk, people, clock):
    mine = _timed_out(desk, clock, people["clerk"])
    theirs = _timed_out(desk, clock, people["clerk"])
    unreviewed = _timed_out(desk, clock, people["clerk"])
    desk.timeouts.review(people["supervisor"], mine, cause="staff", responsible="wangfang")
    desk.timeouts.review(people["supervisor"], theirs, cause="staff", responsible="sunli")
    assert [c.visit_id for c in desk.timeouts.cases(people["clerk"])] == [mine]
    assert desk.timeouts.count_cases(people["other"]) == 1
    with pytest.raises(PermissionDenied):
        desk.timeouts.case(people["clerk"], theirs)
    supervisor = people["supervisor"]
    assert {c.visit_id for c in desk.timeouts.cases(supervisor)} == {mine, theirs, unreviewed}
    assert [c.visit_id for c in desk.timeouts.cases(supervisor, state="to_review")] == [
        unreviewed]
    with pytest.raises(NotFound):
        desk.timeouts.case(supervisor, 9999)


def test_an_appeal_is_not_decided_by_a_supervisor_it_concerns(desk, people, clock):
    """The supervisor held jointly liable has a part in the case: not theirs to decide."""
    visit_id = _timed_out(desk, clock, people["clerk"])
    desk.timeouts.review(people["supervisor"], visit_id, cause="staff", responsible="wangfang",
                         joint_supervisor="liqiang")
    desk.timeouts.appeal(people["clerk"], visit_id, "交接不清")
    # on his Today once, as a case that names him (the appeal may change his part too)
    assert [c.visit_id for c in desk.timeouts.waiting_for_me(people["second"])] == [visit_id]
    before = _written()
    with pytest.raises(PermissionDenied, match="those it concerns"):
        desk.timeouts.decide_appeal(people["second"], visit_id, "upheld", "维持")
    assert _written() == before
    assert desk.timeouts.decide_appeal(people["manager"], visit_id, "upheld", "维持").decided_by \
        == "zhangwei"


def test_two_evidence_files_of_one_name_are_refused(desk, people, clock, tmp_path):
    visit_id = _timed_out(desk, clock, people["clerk"])
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "shot.png").write_bytes(folder.encode() * 10)
    before = _written()
    with pytest.raises(ValidationError, match=r"Two evidence files are called shot\.png"):
        desk.timeouts.review(people["supervisor"], visit_id, cause="staff",
                             responsible="wangfang",
                             evidence=[tmp_path / "a" / "shot.png", tmp_path / "b" / "shot.png"])
    assert _written() == before


def test_only_severe_timeouts_wait_for_review_and_old_appeals_are_on_today(desk, people, clock):
    minor = _timed_out(desk, clock, people["clerk"], minutes=6)
    severe = _timed_out(desk, clock, people["clerk"])
    supervisor = people["supervisor"]
    assert [c.visit_id for c in desk.timeouts.cases(supervisor, state="to_review")] == [severe]
    assert [c.visit_id for c in desk.timeouts.cases(supervisor, state="not_reviewed")] == [minor]
    desk.timeouts.review(supervisor, minor, cause="peak", responsible="wangfang", measure="none")
    for _ in range(60):  # newer timeouts of the same clerk, reviewed: the old one stays on Today
        newer = _timed_out(desk, clock, people["clerk"], minutes=6)
        desk.timeouts.review(supervisor, newer, cause="peak", responsible="sunli")
    clock.advance(days=4)
    waiting = desk.timeouts.waiting_for_me(people["clerk"])
    assert [c.visit_id for c in waiting] == [minor]
    assert desk.timeouts.supervisors(supervisor) == [("liqiang", "李强"), ("zhoumin", "周敏")]


def test_old_reviews_count_as_reviewed_and_nobody_reviews_their_own_timeout(desk, people,
                                                                            clock):
    from desk_app.store.reception import Visit

    old = _timed_out(desk, clock, people["clerk"])
    Visit.update(reviewed_by="liqiang", reviewed_at=clock.now(),
                 review_note="已面谈").where(Visit.id == old).execute()  # before schema 21
    supervisor = people["supervisor"]
    case = desk.timeouts.case(supervisor, old)
    assert (case.state, case.cause_text, case.appealable(clock.now())) == (
        "reviewed", "已面谈", False)
    assert desk.timeouts.count_cases(supervisor, state="to_review") == 0
    own = _timed_out(desk, clock, supervisor)
    before = _written()
    with pytest.raises(Conflict, match="already reviewed"):
        desk.timeouts.review(supervisor, old, cause="staff", responsible="wangfang")
    with pytest.raises(PermissionDenied, match="another supervisor"):
        desk.timeouts.review(supervisor, own, cause="staff", responsible="zhoumin")
    desk.timeouts.review(people["second"], own, cause="staff", responsible="zhoumin")
    desk.timeouts.appeal(supervisor, own, "系统故障")
    with pytest.raises(ValidationError, match="changed"):  # a measure for "upheld"
        desk.timeouts.decide_appeal(people["manager"], own, "upheld", "维持", measure="verbal")
    with pytest.raises(NotFound):  # an entry on time is no timeout of anyone's
        desk.timeouts.case(people["clerk"], desk.visits.open_visit(people["clerk"], "visit",
                                                                   name="钱先生").id)
    assert _written()[:2] == (before[0] + 3, before[1] + 1)  # open, review, appeal
