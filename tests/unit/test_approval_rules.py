"""Pure rules of access approvals (R5): status with expiry, and which problem a refusal names."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from desk_app.domain.approvals import (
    Approval,
    RequestStatus,
    Wanted,
    choose,
    parse_closing_time,
    status_of,
    window_end,
)

TODAY = date(2026, 11, 2)
NOW = datetime(2026, 11, 2, 3, 0)


def _approval(number: str, status: str, access: str = "take-out", person: int = 1,
              days: int = 7) -> Approval:
    return Approval(int(number[-1]), number, person, access, status, TODAY,
                    TODAY + timedelta(days=days))


def test_expired_once_the_last_day_is_over():
    end = window_end(TODAY)
    assert status_of("approved", TODAY, end - timedelta(seconds=1)) == RequestStatus.APPROVED
    assert status_of("approved", TODAY, end) == RequestStatus.EXPIRED
    assert status_of("pending", TODAY, end) == RequestStatus.EXPIRED
    assert status_of("revoked", TODAY, end) == RequestStatus.REVOKED


def test_the_closest_approval_explains_the_refusal():
    wanted = Wanted(1, False, TODAY + timedelta(days=3), NOW, TODAY)
    older_read, newer_pending = _approval("SP-1", "approved", "read"), _approval("SP-2", "pending")
    approval, why = choose("R-1", [newer_pending, older_read], wanted)
    assert approval is None and "SP-1 is for read in the office only" in why
    approval, why = choose("R-1", [_approval("SP-3", "approved", person=2)], wanted)
    assert approval is None and "no approval for this person" in why
    good = _approval("SP-4", "approved")
    assert choose("R-1", [newer_pending, good, older_read], wanted) == (good, "")


@pytest.mark.parametrize("text", ["", "17", "17:5", "25:00", "aa:bb", "17:30:00"])
def test_closing_time_is_a_time_of_day(text):
    with pytest.raises(ValueError):
        parse_closing_time(text)
