"""The background-job helper: outcome and progress on the GUI thread, cancel, a window closed
meanwhile, and the worker thread's database connection released."""

from __future__ import annotations

import logging
import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from desk_app.domain.errors import ValidationError
from desk_app.store.audit_chain import AuditFilter
from desk_app.ui.widgets.jobs import Job

WAIT = 10_000


class FakeDesk:
    """Records which threads released their database connection."""

    def __init__(self) -> None:
        self.released: list[int] = []

    def release_thread(self) -> None:
        self.released.append(threading.get_ident())


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def run(qtbot, job: Job) -> Job:
    with qtbot.waitSignal(job.ended, timeout=WAIT):
        job.start()
    return job


def test_success_is_delivered_on_the_gui_thread(qtbot):
    seen: list[tuple[str, object, int]] = []
    desk = FakeDesk()

    def work(progress):
        seen.append(("work", None, threading.get_ident()))
        return 42

    job = run(qtbot, Job(work, desk=desk,
                         on_success=lambda value: seen.append(("success", value, threading.get_ident())),
                         on_failure=lambda error: seen.append(("failure", error, 0))))
    main = threading.get_ident()
    assert [(kind, value) for kind, value, _thread in seen] == [("work", None), ("success", 42)]
    assert seen[0][2] != main and seen[1][2] == main
    assert job.outcome == "success" and not job.running
    assert desk.released == [seen[0][2]]  # released by the worker, once


def test_progress_reaches_the_gui_thread_and_the_progress_dialog(qtbot, window):
    reports: list[tuple[int, int, int]] = []
    gate = threading.Event()
    maxima: list[int] = []

    def work(progress):
        assert progress(0, 30)
        gate.wait(WAIT / 1000)
        for done in (10, 20, 30):
            assert progress(done, 30)
        return "done"

    def on_progress(done, total):
        reports.append((done, total, threading.get_ident()))
        if job.dialog is not None:
            maxima.append(job.dialog.maximum())
        gate.set()

    job = Job(work, parent=window, label="Working…", on_progress=on_progress)
    with qtbot.waitSignal(job.ended, timeout=WAIT):
        job.start()
        assert job.dialog is not None and job.dialog.labelText() == "Working…"
    assert reports[0][:2] == (0, 30) and reports[-1][:2] == (30, 30)  # the last one always comes
    assert {thread for _done, _total, thread in reports} == {threading.get_ident()}
    assert maxima and set(maxima) == {30}
    assert job.dialog is None and job.outcome == "success"


def test_a_desk_error_goes_to_on_failure_or_is_shown(qtbot, window):
    errors: list[BaseException] = []
    desk = FakeDesk()

    def refuse(progress):
        raise ValidationError("Please choose a file.", "out")

    run(qtbot, Job(refuse, desk=desk, on_failure=errors.append))
    assert [str(error) for error in errors] == ["Please choose a file."]

    job = run(qtbot, Job(refuse, desk=desk, parent=window))  # no on_failure: a message box
    assert job.outcome == "failure"
    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert [box.text() for box in boxes] == ["Please choose a file."]
    boxes[0].accept()
    assert len(desk.released) == 2


def test_an_unexpected_error_is_logged_with_its_traceback(qtbot, caplog):
    errors: list[BaseException] = []

    def crash(progress):
        raise KeyError("boom")

    with caplog.at_level(logging.ERROR, logger="desk_app.ui.widgets.jobs"):
        run(qtbot, Job(crash, on_failure=errors.append))
    assert isinstance(errors[0], KeyError)
    (record,) = [r for r in caplog.records if r.name == "desk_app.ui.widgets.jobs"]
    assert record.exc_info is not None and record.exc_info[1] is errors[0]


def test_cancel_makes_progress_return_false_and_ends_in_on_cancel(qtbot, window):
    outcomes: list[str] = []
    answers: list[bool] = []
    desk = FakeDesk()

    def work(progress):
        for done in range(5000):
            answer = progress(done, 5000)
            answers.append(answer)
            if not answer:
                raise InterruptedError
            threading.Event().wait(0.001)
        return "finished anyway"

    job = Job(work, desk=desk, parent=window, label="Long…",
              on_success=lambda _value: outcomes.append("success"),
              on_cancel=lambda: outcomes.append("cancel"),
              on_progress=lambda done, total: job.dialog.findChild(QPushButton).click())
    run(qtbot, job)
    assert outcomes == ["cancel"] and job.outcome == "cancel" and job.cancelled()
    assert answers[-1] is False and answers.count(False) == 1
    assert len(desk.released) == 1


def test_cancel_before_the_work_starts(qtbot):
    started: list[bool] = []
    outcomes: list[str] = []
    desk = FakeDesk()
    job = Job(lambda progress: started.append(True), desk=desk,
              on_cancel=lambda: outcomes.append("cancel"))
    job.cancel()
    run(qtbot, job)
    assert outcomes == ["cancel"] and not started and len(desk.released) == 1


def test_a_window_closed_mid_job_gets_no_callback(qtbot):
    window = QWidget()
    window.show()
    qtbot.waitExposed(window)
    called: list[str] = []
    answers: list[bool] = []
    entered, gate = threading.Event(), threading.Event()
    desk = FakeDesk()

    def work(progress):
        entered.set()
        gate.wait(WAIT / 1000)
        answers.append(progress(1, 2))
        return "result"

    job = Job(work, desk=desk, parent=window, label="Working…",
              on_success=lambda _value: called.append(window.windowTitle()),
              on_failure=lambda _error: called.append("failure"),
              on_cancel=lambda: called.append("cancel"),
              on_progress=lambda *_args: called.append("progress"))
    with qtbot.waitSignal(job.ended, timeout=WAIT) as blocker:
        job.start()
        assert entered.wait(WAIT / 1000)
        window.close()
        shiboken6.delete(window)  # the window and its progress dialog are gone
        gate.set()
    assert blocker.args == ["success"]  # the work did not raise; nobody is told
    assert answers == [False]  # the work was told to stop
    assert called == [] and not job.running and len(desk.released) == 1


def test_the_worker_releases_its_real_database_connection(qtbot, demo_desk, admin_actor,
                                                          monkeypatch):
    """Through a real desk: the worker's own peewee connection is closed when it is done."""
    seen: list[tuple[int, bool]] = []
    release = demo_desk.release_thread

    def recording_release() -> None:
        was_open = not demo_desk.ctx.db.is_closed()
        release()
        assert demo_desk.ctx.db.is_closed()  # this thread's connection
        seen.append((threading.get_ident(), was_open))

    monkeypatch.setattr(demo_desk, "release_thread", recording_release)
    results: list[int] = []
    run(qtbot, Job(lambda progress: demo_desk.audit.count(admin_actor, AuditFilter()),
                   desk=demo_desk, on_success=results.append))
    assert results and results[0] > 0
    assert len(seen) == 1 and seen[0][0] != threading.get_ident() and seen[0][1]
    assert not demo_desk.ctx.db.is_closed()  # the GUI thread's connection is untouched
