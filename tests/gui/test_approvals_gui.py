"""Approvals page (R5, R2, R3, R6): every role opens it, a clerk files a request, the
manager decides and signs, the lend dialog names the approval or says why none matches, the
retention tab lists what is due, bad input is shown at the field and writes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PySide6.QtCore import QTimer

from desk_app.services.loans import BorrowerInput
from desk_app.ui.approvals import common as common_module
from desk_app.ui.approvals.dialogs import (
    CarryOutDialog,
    DecisionDialog,
    GrantDialog,
    NewRequestDialog,
)
from desk_app.ui.approvals.page import ApprovalsPage
from desk_app.ui.loans import lend as lend_module
from desk_app.ui.loans.lend import LendDialog
from desk_app.ui.widgets.sign_dialog import SignDialog
from tests.gui.conftest import DEMO_PASSWORD, shown, sign_in

ROLES = ("admin", "wangfang", "zhoumin", "liqiang", "zhangwei", "chenjing", "liuyang")
OUTSIDER = "外部审计师"


@pytest.fixture(autouse=True)
def _event_loops_run(qapp) -> None:
    QTimer.singleShot(0, qapp.quit)
    qapp.exec()


def small_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(5, 60), (60, 10), (120, 70), (195, 15)], fill=(0, 0, 0, 255),
                               width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def signing(monkeypatch) -> dict[str, list]:
    """SignDialog answers at once (demo password and a drawn signature); previews collected."""
    seen: dict[str, list] = {"asks": [], "previews": []}
    png = small_png()

    def ask(parent, signer_label, prompt, need_password=True, need_pad=True):
        seen["asks"].append((signer_label, prompt, need_password, need_pad))
        return (DEMO_PASSWORD if need_password else "", png)

    def ask_and_sign(parent, signer_label, prompt, attempt, tries=3):
        password, handwriting = ask(parent, signer_label, prompt)
        return attempt(password, handwriting)

    def preview(parent, pdf, name):
        seen["previews"].append((name, pdf))

    monkeypatch.setattr(SignDialog, "ask", staticmethod(ask))
    monkeypatch.setattr(SignDialog, "ask_and_sign", staticmethod(ask_and_sign))
    monkeypatch.setattr(common_module, "preview_pdf", preview)
    monkeypatch.setattr(lend_module, "preview_pdf", preview)
    return seen


@pytest.fixture
def clerk(demo_desk):
    return sign_in(demo_desk, "wangfang")


@pytest.fixture
def manager(demo_desk):
    return sign_in(demo_desk, "zhangwei")


@pytest.fixture
def secret_ref(demo_desk, clerk) -> str:
    item = demo_desk.archive.add_item(clerk, title="测试机密合同", kind="BG", dept="GC",
                                      level="secret", ref="QA-SECRET-9")
    return item.ref


def file_request(desk, clerk, ref, **kwargs):
    today = desk.today()
    values = dict(requester=BorrowerInput(name=OUTSIDER, contact="13800000000",
                                          organisation="审计所"),
                  purpose="年度审计", access="take-out", window_from=today,
                  window_to=today + timedelta(days=10))
    values.update(kwargs)
    return desk.approvals.request(clerk, [ref], **values)


@pytest.mark.parametrize("user", ROLES)
def test_the_page_opens_for_every_role(qtbot, demo_desk, user):
    actor = sign_in(demo_desk, user)
    page = shown(qtbot, ApprovalsPage(demo_desk, actor), (1280, 760))
    page.activated()
    titles = [page.tabs.tabText(n).replace("&", "") for n in range(page.tabs.count())]
    expected = {
        "admin": [], "wangfang": ["Access requests", "Retention"],
        "zhoumin": ["Access requests", "Retention"], "liqiang": ["Access requests", "Retention"],
        "zhangwei": ["Access requests", "Retention"],
        "chenjing": ["Access requests", "Retention", "Personnel grants"],
        "liuyang": ["Personnel grants"],
    }[user]
    assert titles == expected
    if page.requests is not None:
        assert page.requests.buttons["decide"].isVisibleTo(page) == (user == "zhangwei")
        assert page.requests.buttons["new"].isVisibleTo(page) == (user in ("wangfang", "zhoumin",
                                                                           "liqiang"))
    if page.grants is not None:
        assert page.grants.grant_button.isVisibleTo(page) == (user == "liuyang")
