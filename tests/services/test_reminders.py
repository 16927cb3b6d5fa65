"""Overdue reminders in one batch: e-mail through a real SMTP server on 127.0.0.1 where one is
configured, printed pages (one per borrower, pinyin order) for the rest, and the log."""

from __future__ import annotations

import json
import socket
from email import message_from_bytes
from email.message import Message

import pypdfium2
import pytest
from aiosmtpd.controller import Controller

from desk_app.domain.errors import ValidationError
from desk_app.domain.settings import setting
from desk_app.services.loans import BorrowerInput
from desk_app.store.archive import Reminder
from desk_app.store.models import AuditEntry
from tests.services.test_archive_loans import items, people  # noqa: F401 (fixtures)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler keeping every message that arrives; ``refuse``: addresses the
    server answers with a permanent error."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.messages: list[Message] = []
        self.refuse = refuse
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture
def mailbox():
    box = Mailbox(refuse=("nobody@example.com",))
    box.port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def _overdue(desk, people, items, clock):  # noqa: F811
    clerk = people["clerk"]
    lend = desk.loans.lend
    lend(clerk, [items["Fire safety manual"]],
         BorrowerInput(name="赵先生", contact="zhao@example.com", organisation="消防公司"), "检查")
    lend(clerk, [items["2025年度园区绿化规划报告"]],
         BorrowerInput(name="安女士", contact="13800000000"), "核对")
    lend(clerk, [items["業戶檔案：張偉（3棟1201）"]],
         BorrowerInput(name="陈先生", contact="电话 139, nobody@example.com"), "核对")
    clock.advance(days=40)
    desk.settings.set_many(people["admin"], {"office_contact": "档案室 0571-8888 8888"})
    return clerk


def _configure(desk, admin, port: int) -> None:
    desk.settings.set_many(admin, {"smtp_host": "127.0.0.1", "smtp_port": str(port),
                                   "smtp_starttls": "no", "smtp_from": "archive@example.com"})


def _pages(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def test_without_smtp_every_borrower_gets_a_printed_page_in_pinyin_order(
        desk, people, items, clock):  # noqa: F811
    clerk = _overdue(desk, people, items, clock)
    outcome = desk.loans.send_reminders(clerk)
    assert [b["borrower"] for b in outcome["printed"]] == ["安女士", "陈先生", "赵先生"]
    assert outcome["sent"] == outcome["failed"] == []
    pages = _pages(outcome["pdf"])
    assert len(pages) == 3
    for page, (name, ref) in zip(pages, [("安女士", "2025年度园区绿化规划报告"),
                                          ("陈先生", "業戶檔案：張偉（3棟1201）"),
                                          ("赵先生", "Fire safety manual")], strict=True):
        assert name in page and items[ref] in page and "0571-8888 8888" in page
    # A PDF made is not a notice printed, let alone delivered: recorded as "made".
    assert [(r.channel, r.result) for r in Reminder.select()] == [("print", "made")] * 3
    entries = list(AuditEntry.select().where(AuditEntry.action == "loan.remind"))
    assert len(entries) == 3
    changes = [json.loads(entry.change) for entry in entries]
    assert all(change["after"]["result"] == "made" and change["after"]["channel"] == "print"
               for change in changes), changes


def test_without_an_office_contact_the_notice_names_the_company_or_no_one(
        desk, people, items, clock):  # noqa: F811
    clerk = _overdue(desk, people, items, clock)
    desk.settings.set_many(people["admin"], {"office_contact": "", "company_name": "示例物业"})
    pages = _pages(desk.loans.send_reminders(clerk)["pdf"])
    assert all("Archive office: 示例物业" in page and "ask us" in page for page in pages)
    from desk_app.forms.loan_forms import reminder_batch_pdf

    bundles = desk.loans.overdue_by_borrower(clerk)  # a company name is required; still:
    pages = _pages(reminder_batch_pdf("", "TX2026-000001", bundles, clock.now(), ""))
    assert all("Archive office" not in page and "ask us" not in page for page in pages)


def test_email_through_a_local_smtp_server_and_one_refused_address(
        desk, people, items, clock, mailbox):  # noqa: F811
    clerk = _overdue(desk, people, items, clock)
    _configure(desk, people["admin"], mailbox.port)
    seen: list[tuple[int, int]] = []
    outcome = desk.loans.send_reminders(clerk, lambda done, total: seen.append((done, total))
                                        or True)
    assert seen[-1] == (3, 3)
    assert [b["borrower"] for b in outcome["sent"]] == ["赵先生"]
    assert [b["borrower"] for b in outcome["failed"]] == ["陈先生"]  # the server refused him
    assert outcome["failed"][0]["error"] == "550 5.1.1 mailbox unavailable"
    assert [b["borrower"] for b in outcome["printed"]] == ["安女士"]  # no e-mail address
    (message,) = mailbox.messages
    assert message["To"] == "zhao@example.com" and message["From"] == "archive@example.com"
    assert "Overdue" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert items["Fire safety manual"] in body and "赵先生" in body and "0571-8888" in body
    # the printed pages: whoever got no e-mail, in pinyin order
    pages = _pages(outcome["pdf"])
    assert len(pages) == 2 and "安女士" in pages[0] and "陈先生" in pages[1]
    log = {row["borrower"]: row for row in desk.loans.reminder_log(clerk)}
    assert (log["赵先生"]["channel"], log["赵先生"]["result"], log["赵先生"]["address"]) == (
        "email", "sent", "zhao@example.com")
    assert log["陈先生"]["result"] == "failed" and "550" in log["陈先生"]["error"]
    assert log["安女士"]["result"] == "made" and log["安女士"]["sent_by"] == "王芳"
    assert AuditEntry.select().where(AuditEntry.action == "loan.remind").count() == 3


def test_a_server_that_is_not_there_fails_each_e_mail_and_the_batch_goes_on(
        desk, people, items, clock):  # noqa: F811
    clerk = _overdue(desk, people, items, clock)
    _configure(desk, people["admin"], _free_port())  # nobody listens there
    outcome = desk.loans.send_reminders(clerk)
    assert outcome["sent"] == []
    assert sorted(b["borrower"] for b in outcome["failed"]) == ["赵先生", "陈先生"]
    assert len(_pages(outcome["pdf"])) == 3  # everyone is printed instead
    assert Reminder.select().where(Reminder.result == "failed").count() == 2


def test_a_cancelled_batch_keeps_what_was_done(desk, people, items, clock):  # noqa: F811
    clerk = _overdue(desk, people, items, clock)
    outcome = desk.loans.send_reminders(clerk, lambda done, total: done < 1)
    assert outcome["cancelled"] and [b["borrower"] for b in outcome["printed"]] == ["安女士"]
    assert Reminder.select().count() == 1 and len(_pages(outcome["pdf"])) == 1


def test_nothing_overdue_is_said(desk, people, items):  # noqa: F811
    with pytest.raises(ValidationError, match="Nothing is overdue"):
        desk.loans.send_reminders(people["clerk"])


def test_the_smtp_password_is_never_shown_back(desk, people):  # noqa: F811
    desk.settings.set_many(people["admin"], {"smtp_password": "geheim-123"})
    assert desk.settings.value("smtp_password") == "geheim-123"
    assert setting("smtp_password").shown("geheim-123") == "********"
    change = AuditEntry.select().where(AuditEntry.action == "setting.set").get().change
    assert "geheim" not in change and "********" in change
