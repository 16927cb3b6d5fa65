"""Admin page, "Signing keys" tab: CA holders, recovery code, CA certificate, CRL."""

from __future__ import annotations

from desk_app.store.models import SealedSecret
from desk_app.ui.admin.page import AdminPage
from tests.gui.conftest import shown


def test_status_recovery_code_and_recover(qtbot, demo_desk, admin_actor, tmp_path):
    page = shown(qtbot, AdminPage(demo_desk, admin_actor))
    page.activated()
    panel = page.keys
    assert panel.holders.text() == "admin"
    assert panel.here.text() == "yes"
    assert not panel.buttons["recover"].isEnabled()

    code = panel.make_recovery_code()
    assert code and code in panel.last_box.informativeText()
    panel.last_box.close()

    # The admin's copy is gone (e.g. restored users): the panel says so; the code reopens it.
    SealedSecret.delete().where(SealedSecret.user == admin_actor.user_id).execute()
    demo_desk.auth.sign_out(admin_actor)
    panel.refresh()
    assert panel.here.text() == "no" and panel.warning.text()
    assert panel.buttons["recover"].isEnabled()
    assert not panel.recover("WRONG-CODE")
    assert panel.recover(code)
    assert panel.here.text() == "yes"

    written = panel.export_ca(tmp_path / "ca.pem")
    assert written is not None and b"BEGIN CERTIFICATE" in written.read_bytes()
    crl = panel.export_crl(tmp_path / "ca.crl")
    assert crl is not None and b"BEGIN X509 CRL" in crl.read_bytes()
