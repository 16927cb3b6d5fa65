"""The forms of a timeout's review (002; the service is ``services/reception/timeouts.py``):
the supervisor's review — the cause, what happened, the person directly responsible, a
supervisor held jointly liable, the measure (the office's table's for the level to start
with), retraining and evidence files —, the appeal of the person held responsible, and its
decision by someone else. The case read-only is ``timeout_case.py``.

Each form has the case summed up on top; a service's ``ValidationError`` shows at the field
it names and the form stays open; any other refusal shows in a message box; nothing is
written until the service accepts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import ValidationError
from desk_app.domain.timeouts import Cause, Measure, Outcome
from desk_app.i18n import _
from desk_app.services.reception.timeouts import TimeoutCase
from desk_app.ui.reception.common import Host
from desk_app.ui.reception.complaint_dialogs import LoopDialog, host_widget
from desk_app.ui.reception.dialogs import FieldSpec
from desk_app.ui.reception.messages_tab import addressee
from desk_app.ui.reception.timeout_case import size_text, summary_html
from desk_app.ui.widgets.files import open_file_names
from desk_app.ui.widgets.jobs import Job

CASE_HEIGHT = 300  # the review (and the appeal) on top of the appeal's forms


# ---------------------------------------------------------------------- evidence files


class EvidenceField(QWidget):
    """Files to keep with a review: *Add file…* (several at once), *Remove*; each line says
    the file's name and size. ``problem`` shows a refusal (the same name twice) at the
    field."""

    def __init__(self, problem: Callable[[str], object] = lambda _message: None) -> None:
        super().__init__()
        self.problem = problem
        self.paths: list[Path] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("evidence_list")
        self.list.setMinimumHeight(60)
        self.list.setMaximumHeight(90)
        buttons = QVBoxLayout()
        self.add_button = QPushButton(_("Add &file…"))
        self.add_button.setObjectName("evidence_add")
        self.add_button.clicked.connect(lambda _checked=False: self.choose())
        self.remove_button = QPushButton(_("Remo&ve"))
        self.remove_button.setObjectName("evidence_remove")
        self.remove_button.clicked.connect(lambda _checked=False: self.remove_current())
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.setFocusProxy(self.add_button)
        self._update()

    def choose(self) -> None:
        self.add(open_file_names(self, _("Evidence files"), "evidence"))

    def add(self, paths: Sequence[str | Path]) -> None:
        names = {path.name for path in self.paths}
        for given in paths:
            path = Path(given)
            if path in self.paths:
                continue
            if path.name in names:  # the review keeps files by name: one of each
                self.problem(_("A file named {name} is already in the list: rename one of "
                               "them first.").format(name=path.name))
                continue
            try:
                size = size_text(path.stat().st_size)
            except OSError as error:
                self.problem(_("The evidence file {path} cannot be read: {error}").format(
                    path=path, error=error.strerror or error))
                continue
            item = QListWidgetItem(f"{path.name}  ({size})")
            item.setToolTip(str(path))
            self.list.addItem(item)
            self.paths.append(path)
            names.add(path.name)
        self.list.setCurrentRow(self.list.count() - 1)
        self._update()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.paths):
            self.list.takeItem(row)
            del self.paths[row]
        self._update()
        if not self.paths:
            self.add_button.setFocus()

    def _update(self) -> None:
        self.remove_button.setEnabled(bool(self.paths))

    def value(self) -> list[Path]:
        return list(self.paths)


class TimeoutDialog(LoopDialog):
    """A reception form with the entry summed up on top and the field kind ``files``.

    A review with evidence files is saved in a worker behind a progress dialog: the service
    reads and hashes each file (up to 10 of 20 MB, about 0.2 s each), which must not freeze
    the window. A form without files is saved at once."""

    desk: Any = None  # for the worker's database connection
    job: Job | None = None

    def _on_ok(self) -> None:
        values = self.values()
        if not any(isinstance(w, EvidenceField) and w.value() for w in self.widgets.values()):
            super()._on_ok()
            return
        if self.job is not None:
            return
        confirm, submit = self.confirm, self.submit_values
        self.buttons.setEnabled(False)

        def saved(value: Any) -> None:
            self.job = None
            self.buttons.setEnabled(True)
            self.result_value = value
            self.accept()

        def refused(error: BaseException) -> None:
            self.job = None
            self.buttons.setEnabled(True)
            self.show_refusal(error)

        self.job = Job(lambda _progress: submit(values, confirm), desk=self.desk, parent=self,
                       label=_("Saving the review and its evidence files…"),
                       on_success=saved, on_failure=refused).start()

    def _widget(self, spec: FieldSpec) -> QWidget:
        if spec.kind == "files":
            name = spec.name
            return EvidenceField(lambda message: self.error_at(name, message))
        return super()._widget(spec)

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name, widget in self.widgets.items():
            if isinstance(widget, EvidenceField):
                values[name] = widget.value()
        return values


def _staff(host: Host) -> list[tuple[str, str]]:
    """(user name, "王芳 (wangfang)") of every active user."""
    return list(host.desk.messages.addressees(host.actor))


def _show(host: Host, dialog: TimeoutDialog, name: str) -> TimeoutDialog:
    dialog.setObjectName(name)
    dialog.desk = host.desk
    host.show_dialog(dialog)
    return dialog


# ---------------------------------------------------------------------- the forms


def review(host: Host, case: TimeoutCase) -> TimeoutDialog:
    """The supervisor's review: cause, what happened, who is responsible (the handler to
    start with), a supervisor jointly liable (none to start with), the measure (the office's
    table's for the level), retraining and evidence files."""
    desk, actor = host.desk, host.actor
    staff = _staff(host)
    supervisors = [(name, f"{full} ({name})" if full != name else name)  # as _staff's
                   for name, full in desk.timeouts.supervisors(actor)]
    causes = [("", _("(choose the cause)")), *((c.value, c.label) for c in Cause)]
    measures = [(m.value, m.label) for m in Measure]

    def submit(values: dict[str, Any], _confirm: bool):
        if not values["cause"]:  # (the service's message lists the causes' keys)
            raise ValidationError(_("Choose the cause of the timeout."), field="cause")
        retraining = bool(values["retraining"])
        return desk.timeouts.review(
            actor, case.visit_id, cause=values["cause"], cause_text=values["cause_text"],
            responsible=addressee(str(values["responsible"] or ""), staff),
            joint_supervisor=addressee(str(values["joint_supervisor"] or ""), supervisors),
            measure=values["measure"], measure_text=values["measure_text"],
            retraining=retraining,
            retraining_note=values["retraining_note"] if retraining else "",
            evidence=values["evidence"])

    dialog = TimeoutDialog(
        _("Review the timeout of entry {id}").format(id=case.visit_id),
        summary_html(case, desk.now()), [
            FieldSpec("cause", _("C&ause"), "choice", causes, ""),
            FieldSpec("cause_text", _("&What happened"), "text"),
            FieldSpec("responsible", _("&Responsible"), "choice", [("", ""), *staff],
                      case.handler, editable_choice=True),
            FieldSpec("joint_supervisor", _("Supervisor &jointly liable"), "choice",
                      [("", _("(none)")), *supervisors], "", editable_choice=True),
            FieldSpec("measure", _("&Measure"), "choice", measures,
                      desk.timeouts.measure_for(int(case.level))),
            FieldSpec("measure_text", _("Measure &details")),
            FieldSpec("retraining", _("Re&training ordered"), "check", value=False),
            FieldSpec("retraining_note", _("Retraining &note")),
            FieldSpec("evidence", _("&Evidence"), "files"),
        ], submit, host_widget(host), ok_text=_("&Save review"))
    check, note = dialog.widgets["retraining"], dialog.widgets["retraining_note"]
    assert isinstance(check, QCheckBox) and isinstance(note, QLineEdit)
    note.setEnabled(False)
    check.toggled.connect(note.setEnabled)
    responsible = dialog.widgets["responsible"]
    assert isinstance(responsible, QComboBox)
    line = responsible.lineEdit()
    if line is not None:
        line.setPlaceholderText(_("Type a name or user name"))
    return _show(host, dialog, "timeout_review_dialog")


def appeal(host: Host, case: TimeoutCase) -> TimeoutDialog:
    """The person held responsible (or the supervisor jointly liable) appeals, once."""
    desk, actor = host.desk, host.actor

    def submit(values: dict[str, Any], _confirm: bool):
        return desk.timeouts.appeal(actor, case.visit_id, values["reason"])

    dialog = TimeoutDialog(
        _("Appeal the review of entry {id}").format(id=case.visit_id),
        summary_html(case, desk.now()),
        [FieldSpec("reason", _("&Why you appeal"), "text")], submit, host_widget(host),
        ok_text=_("&Appeal"), summary_height=CASE_HEIGHT)
    return _show(host, dialog, "timeout_appeal_dialog")


def decide(host: Host, case: TimeoutCase) -> TimeoutDialog:
    """The decision on an appeal: upheld, changed (to another measure) or annulled."""
    desk, actor = host.desk, host.actor
    outcomes = [(o.value, o.label) for o in Outcome]
    measures = [("", ""), *((m.value, m.label) for m in Measure if m.value != case.measure)]

    def submit(values: dict[str, Any], _confirm: bool):
        changed = values["outcome"] == Outcome.CHANGED.value
        if changed and not values["measure"]:
            raise ValidationError(_("Choose the measure that replaces the reviewed one."),
                                  field="measure")
        return desk.timeouts.decide_appeal(actor, case.visit_id, values["outcome"],
                                           values["decision"],
                                           values["measure"] if changed else "")

    dialog = TimeoutDialog(
        _("Decide the appeal on entry {id}").format(id=case.visit_id),
        summary_html(case, desk.now()), [
            FieldSpec("outcome", _("&Outcome"), "choice", outcomes, Outcome.UPHELD.value),
            FieldSpec("decision", _("&Decision"), "text"),
            FieldSpec("measure", _("&New measure"), "choice", measures, ""),
        ], submit, host_widget(host), ok_text=_("De&cide"), summary_height=CASE_HEIGHT)
    outcome, measure = dialog.widgets["outcome"], dialog.widgets["measure"]
    assert isinstance(outcome, QComboBox) and isinstance(measure, QComboBox)

    def follow(_index: int = 0) -> None:
        measure.setEnabled(outcome.currentData() == Outcome.CHANGED.value)

    outcome.currentIndexChanged.connect(follow)
    follow()
    return _show(host, dialog, "timeout_decide_dialog")
