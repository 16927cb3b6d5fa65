"""desk-app handover against a database edited behind the app's back (adversarial test of
issue 13): a swapped waiting form is refused with one line, an edited locked record says so."""

from __future__ import annotations

import sqlite3

from tests.cli.test_handover_cli import run  # noqa: F401  (the fixture)


def _ready(run) -> str:  # noqa: F811
    code, out, err = run("handover", "start", "--incoming", "amy")
    assert code == 0, err
    hid = out.strip()
    assert run("handover", "count", hid, "1", "--found", "1", user="amy")[0] == 0  # K-101
    assert run("handover", "count", hid, "2", "--found", "1", user="amy")[0] == 0
    assert run("handover", "add", hid, "--kind", "unfinished", "--text", "归档")[0] == 0
    return hid


def _db(run):  # noqa: F811
    import os

    return sqlite3.connect(os.environ["DESK_DB"].removeprefix("sqlite:///"))


def test_a_form_put_back_is_refused_in_one_line(run):  # noqa: F811
    hid = _ready(run)
    assert run("handover", "sign", hid)[0] == 0
    with _db(run) as db:
        first = db.execute("SELECT pending_pdf FROM handover WHERE id = ?", (hid,)).fetchone()[0]
    assert run("handover", "flag", hid, "--equipment-changing", "锅炉", user="amy")[0] == 0
    assert run("handover", "flag", hid, "--clear-equipment", user="amy")[0] == 0
    with _db(run) as db:
        db.execute("UPDATE handover SET pending_pdf = ?, status = 'outgoing_signed', "
                   "equipment_note = NULL WHERE id = ?", (first, hid))
    writes = run.writes()
    code, _out, err = run("handover", "sign", hid, user="amy")
    assert code != 0 and "changed in the database" in err and len(err.strip().splitlines()) == 1
    assert run.writes() == writes


def test_an_edited_locked_record_is_marked(run, tmp_path):  # noqa: F811
    hid = _ready(run)
    for user in ("bob", "amy"):
        assert run("handover", "sign", hid, user=user)[0] == 0
    assert run("handover", "countersign", hid, user="sue")[0] == 0
    code, out, _err = run("handover", "show", hid)
    assert code == 0 and "WARNING" not in out
    with _db(run) as db:
        db.execute("UPDATE handover_entry SET text = '一切正常' WHERE handover_id = ?", (hid,))
    code, out, _err = run("handover", "show", hid, "--pdf", str(tmp_path / "h.pdf"))
    assert code == 0 and "WARNING" in out and "一切正常" in out
    assert run("verify-pdf", str(tmp_path / "h.pdf"), user="sue")[0] == 0
