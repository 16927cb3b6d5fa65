"""A timeout's case, read-only (the Timeouts tab's *Details…*): the entry, the supervisor's
review with its evidence files (name, size, SHA-256), the appeal and its decision; *Save
evidence…* writes the chosen file where the user says, checked against its SHA-256 first.

The texts the tab, the forms and the case share are made here too (the state of a case, its
request type, who is held responsible) and the summaries the forms show on top."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import reception as rules
from desk_app.domain.clock import to_local
from desk_app.domain.timeouts import Cause, Measure, Outcome, RequestType, Urgency
from desk_app.i18n import _
from desk_app.services.output import save_bytes
from desk_app.services.reception.timeouts import TimeoutCase
from desk_app.ui.reception.common import Host, close_button_and_size, time_text
from desk_app.ui.widgets.files import save_file_name
from desk_app.ui.widgets.jobs import Job

ALERT = "#b00020"
EVIDENCE_HEIGHT = 90


# ---------------------------------------------------------------------- texts


def label_of(enum: Any, value: str) -> str:
    """A stored choice's label (the value itself if the choice is unknown)."""
    try:
        return str(enum(value).label) if value else ""
    except ValueError:
        return value


def type_text(request_type: str, urgency: str) -> str:
    """"Technical question", "Complaint · urgent"."""
    text = label_of(RequestType, request_type)
    if urgency == Urgency.URGENT.value:
        return _("{type} · urgent").format(type=text)
    return text


def outcome_word(outcome: str) -> str:
    return {Outcome.UPHELD.value: _("upheld"), Outcome.CHANGED.value: _("changed"),
            Outcome.ANNULLED.value: _("annulled")}.get(outcome, outcome)


def state_text(case: TimeoutCase, now: datetime) -> str:
    """Where the case stands: to review; reviewed (appeal until …); appealed; decided."""
    state = case.state
    if state == "to_review":
        return _("to review")
    if state == "not_reviewed":
        return _("not reviewed")
    if state == "reviewed":
        if case.appealable(now) and case.appeal_until is not None:
            return _("reviewed, appeal until {time}").format(
                time=to_local(case.appeal_until).strftime("%m-%d %H:%M"))
        return _("reviewed")
    if state == "appealed":
        return _("appealed")
    return _("decided: {outcome}").format(outcome=outcome_word(case.outcome))


def responsible_text(case: TimeoutCase) -> str:
    """"王芳", or "王芳 + 李强" with the supervisor jointly liable."""
    if not case.responsible:
        return ""
    if case.joint_supervisor:
        return _("{person} + {supervisor}").format(person=case.full(case.responsible),
                                                   supervisor=case.full(case.joint_supervisor))
    return case.full(case.responsible)


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return _("{size:.1f} MB").format(size=size / 1048576)
    return _("{size} KB").format(size=max(1, round(size / 1024)))


def case_actions(case: TimeoutCase | None, me: str, now: datetime, can_review: bool,
                 can_manage: bool) -> set[str]:
    """What may be done now with ``case`` by the user ``me`` (the service checks again): a
    supervisor reviews; the person held responsible (or the supervisor jointly liable) appeals
    within the window; a supervisor with no part in the case, or the manager, decides an
    appeal."""
    if case is None:
        return set()
    allowed = {"details"}
    if case.state in ("to_review", "not_reviewed") and can_review:
        allowed.add("review")
    if case.appealable(now) and me in {case.responsible, case.joint_supervisor} - {""}:
        allowed.add("appeal")
    parties = {case.reviewed_by, case.appellant, case.responsible, case.joint_supervisor}
    if case.state == "appealed" and (can_manage or (can_review and me not in parties)):
        allowed.add("decide")
    return allowed


# ---------------------------------------------------------------------- the case as HTML


def _text(text: str) -> str:
    return html.escape(text or "").replace("\n", "<br>")


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    """A two-column table of labels and (already HTML) values; empty values left out."""
    cells = "".join(f"<tr><td style='padding-right:12px; color:#555'>{html.escape(label)}</td>"
                    f"<td>{value}</td></tr>" for label, value in pairs if value)
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def _heading(text: str) -> str:
    return f"<h4>{html.escape(text)}</h4>"


def _who_when(case: TimeoutCase, user: str, moment: datetime | None) -> str:
    return _text(f"{case.full(user)}  {time_text(moment)}".strip()) if user else ""


def title_html(case: TimeoutCase, now: datetime) -> str:
    entry = html.escape(_("Entry {id}").format(id=case.visit_id))
    level = html.escape(rules.level_label(case.level))
    state = html.escape(state_text(case, now))
    return f"<h3>{entry} · <span style='color:{ALERT}'>{level}</span> · {state}</h3>"


def entry_html(case: TimeoutCase) -> str:
    return _rows([
        (_("Time in"), _text(time_text(case.arrived_at))),
        (_("Channel"), _text(label_of(rules.Channel, case.channel))),
        (_("Name"), _text(case.name) or "—"),
        (_("Request"), _text(case.request) or "—"),
        (_("Type"), _text(type_text(case.request_type, case.urgency))),
        (_("Handler"), _text(case.full(case.handler))),
    ])


def review_html(case: TimeoutCase) -> str:
    measure = _text(label_of(Measure, case.measure))
    if case.measure_text:
        measure += f": {_text(case.measure_text)}"
    return _rows([
        (_("Cause"), f"<b>{_text(label_of(Cause, case.cause))}</b>"),
        (_("Cause analysis"), _text(case.cause_text)),
        (_("Responsible"), _text(case.full(case.responsible))),
        (_("Supervisor jointly liable"), _text(case.full(case.joint_supervisor))),
        (_("Measure"), measure),
        (_("Retraining"), _text(case.retraining_note) if case.retraining else ""),
        (_("Timeout reviewed"), _who_when(case, case.reviewed_by, case.reviewed_at)),
        (_("Appeal until"), _text(time_text(case.appeal_until))),
    ])


def appeal_html(case: TimeoutCase) -> str:
    pairs = [(_("Appealed"), _who_when(case, case.appellant, case.appealed_at)),
             (_("Reason"), _text(case.appeal_reason))]
    if case.decided_at is not None:
        measure = label_of(Measure, case.measure_now)
        pairs += [(_("Appeal outcome"), f"<b>{_text(label_of(Outcome, case.outcome))}</b>"),
                  (_("Decision"), _text(case.decision)),
                  (_("Measure now"), _text(measure)),
                  (_("Appeal decided"), _who_when(case, case.decided_by, case.decided_at))]
    return _rows(pairs)


def summary_html(case: TimeoutCase, now: datetime) -> str:
    """What a form shows on top: the appeal first once there (what is decided), the review,
    the entry."""
    parts = [title_html(case, now)]
    if case.appealed_at is not None:
        parts += [_heading(_("Appeal")), appeal_html(case)]
    if case.review_id is not None:
        parts += [_heading(_("Review")), review_html(case)]
    parts += [_heading(_("The entry")), entry_html(case)] if len(parts) > 1 else [
        entry_html(case)]
    return "".join(parts)


def case_html(case: TimeoutCase, now: datetime) -> str:
    """The whole case, as *Details* shows it."""
    parts = [title_html(case, now), entry_html(case), _heading(_("Review"))]
    if case.review_id is None:
        parts.append(f"<p>{html.escape(_('Not reviewed yet.'))}</p>")
        return "".join(parts)
    parts.append(review_html(case))
    parts.append(_heading(_("Evidence")))
    if case.evidence:
        parts.append("<ul>" + "".join(
            f"<li>{_text(e.file_name)} ({_text(size_text(e.size))})<br>"
            f"<small>SHA-256 {html.escape(e.sha256)}</small></li>" for e in case.evidence)
            + "</ul>")
    else:
        parts.append(f"<p>{html.escape(_('None.'))}</p>")
    parts.append(_heading(_("Appeal")))
    if case.appealed_at is None:
        parts.append(f"<p>{html.escape(_('Not appealed.'))}</p>")
    else:
        parts.append(appeal_html(case))
    return "".join(parts)


# ---------------------------------------------------------------------- the case


class TimeoutCaseDialog(QDialog):
    """The case, read-only; its evidence files listed, *Save evidence…* writes the chosen
    one where the user says (its SHA-256 is checked first)."""

    def __init__(self, host: Host, case: TimeoutCase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host, self.case = host, case
        self.job: Job | None = None
        self.saved_path: Path | None = None  # the last evidence file saved
        self.setObjectName("timeout_case")
        self.setWindowTitle(_("Timeout of entry {id}").format(id=case.visit_id))
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setObjectName("case_text")
        self.text.setOpenLinks(False)
        self.text.setHtml(case_html(case, host.desk.now()))
        layout.addWidget(self.text, 1)
        self.files = QListWidget()
        self.files.setObjectName("evidence_files")
        for evidence in case.evidence:
            item = QListWidgetItem(f"{evidence.file_name}  ({size_text(evidence.size)})")
            item.setData(Qt.ItemDataRole.UserRole, evidence.id)
            item.setToolTip(f"SHA-256 {evidence.sha256}")
            self.files.addItem(item)
        self.files.setCurrentRow(0)
        rows = sum(self.files.sizeHintForRow(row) for row in range(self.files.count()))
        self.files.setFixedHeight(min(EVIDENCE_HEIGHT, rows + 2 * self.files.frameWidth() + 4))
        self.files.itemActivated.connect(lambda _item: self.save_evidence())
        self.save_button = QPushButton(_("&Save evidence…"))
        self.save_button.setObjectName("save_evidence")
        self.save_button.clicked.connect(lambda _checked=False: self.save_evidence())
        row = QHBoxLayout()
        row.addWidget(self.files, 1)
        row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        self.files.setVisible(bool(case.evidence))
        self.save_button.setVisible(bool(case.evidence))
        close_button_and_size(self, layout, parent, (700, 600), (520, 400))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.text.setFocus()  # the arrow keys and Page Down scroll the case at once

    def save_evidence(self) -> Job | None:
        """The chosen evidence file written where the user says; None if cancelled. The
        file (up to 20 MB) is read, checked against its SHA-256 and written in a worker."""
        item = self.files.currentItem()
        if item is None or self.job is not None:
            return None
        evidence_id = int(item.data(Qt.ItemDataRole.UserRole))
        name = next(e.file_name for e in self.case.evidence if e.id == evidence_id)
        path = save_file_name(self, _("Save evidence"), "evidence", name)
        if not path:
            return None
        desk, actor = self.host.desk, self.host.actor

        def work(_progress: Any) -> Path:
            _name, data = desk.timeouts.evidence_file(actor, evidence_id)
            return save_bytes(path, data, force=True)  # the file dialog asked before replacing

        def ended(_outcome: str) -> None:
            self.job = None
            self.save_button.setEnabled(True)

        self.save_button.setEnabled(False)
        self.job = Job(work, desk=desk, parent=self, label=_("Saving the evidence file…"),
                       on_success=lambda saved: setattr(self, "saved_path", saved))
        self.job.ended.connect(ended)
        return self.job.start()
