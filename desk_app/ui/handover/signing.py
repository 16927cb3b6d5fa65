"""The signatures of a handover (outgoing, incoming, supervisor) and its PDF, each in a
background job: rendering and signing the form takes about a second.

The incoming person signs at the outgoing person's desk with their own password: the job
signs them in (``auth.login``) and signs as them, so nobody signs for someone else. The same
sign-in lets them count the checklist at this desk."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.ui.handover.common import show_refusal
from desk_app.ui.handover.dialogs import PersonPasswordDialog
from desk_app.ui.handover.lines import person_text
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.registers import preview_pdf

if TYPE_CHECKING:
    from desk_app.ui.handover.record import RecordView


class Signing:
    def __init__(self, view: RecordView) -> None:
        self.view = view
        self.counter: Actor | None = None  # the incoming person, signed in at this desk
        self.job: Job | None = None

    def busy(self) -> bool:
        return self.job is not None

    def _start(self, work: Callable[[], Any], label: str, done: Callable[[Any], None],
               failed: Callable[[BaseException], None] | None = None) -> Job:
        view = self.view

        def finished(value: Any) -> None:
            self.job = None
            done(value)
            view._update_actions()

        def broke(error: BaseException) -> None:
            self.job = None
            view._update_actions()
            (failed or (lambda e: show_refusal(view, e)))(error)

        self.job = Job(lambda _progress: work(), desk=view.desk, parent=view, label=label,
                       on_success=finished, on_failure=broke)
        view._update_actions()
        return self.job.start()

    def _ask(self, signer: str, prompt: str, own: bool = False
             ) -> tuple[str, bytes | None] | None:
        """``own``: the signer is the signed-in user, whose password is checked before the
        dialog closes — a wrong one is refused there, the drawing kept (issue 14)."""
        from desk_app.ui.widgets.sign_dialog import SignDialog

        desk, actor = self.view.desk, self.view.actor
        check = (lambda password: desk.keys.check_signing_password(actor, password)) if own \
            else None
        return SignDialog.ask(self.view, signer, prompt, check=check)

    def _signed(self, record: dict[str, Any]) -> None:
        self.view._changed(record)

    def _refused(self, error: BaseException) -> None:
        show_refusal(self.view, error)
        self.view.reload()  # the refusal is on record; the blocking box is current again

    # ---------------------------------------------------------------- the three signatures

    def sign_outgoing(self) -> Job | None:
        view = self.view
        record = view.record
        if record is None or self.busy():
            return None
        answer = self._ask(view.actor.label, _(
            "You hand over {number}: sign with your password and your signature. The "
            "entries are frozen from now on.").format(number=record["number"]), own=True)
        if answer is None:
            return None
        desk, actor, handover_id = view.desk, view.actor, record["id"]
        password, png = answer
        return self._start(lambda: desk.handovers.sign(actor, handover_id, password, png),
                           _("Signing the handover…"), self._signed, self._refused)

    def sign_incoming(self) -> Job | None:
        """The incoming person (or the substitute) signs, here with their own password."""
        view = self.view
        record, receiver = view.record, view.receiver()
        if record is None or receiver is None or self.busy():
            return None
        here = receiver["name"] != view.actor.name
        prompt = _("{name}: you take over {number}. Sign with YOUR password and your "
                   "signature.").format(name=person_text(receiver), number=record["number"])
        answer = self._ask(_("Incoming: {name}").format(name=person_text(receiver)), prompt)
        if answer is None:
            return None
        desk, actor, handover_id, name = view.desk, view.actor, record["id"], receiver["name"]
        password, png = answer

        def sign() -> Any:
            signer = desk.auth.login(name, password) if here else actor
            return desk.handovers.sign(signer, handover_id, password, png)

        return self._start(sign, _("Signing the handover…"), self._signed, self._refused)

    def countersign(self) -> Job | None:
        view = self.view
        record = view.record
        if record is None or self.busy():
            return None
        answer = self._ask(view.actor.label, _(
            "Countersign {number} as supervisor: the record is locked afterwards.").format(
            number=record["number"]), own=True)
        if answer is None:
            return None
        desk, actor, handover_id = view.desk, view.actor, record["id"]
        password, png = answer
        return self._start(lambda: desk.handovers.countersign(actor, handover_id, password, png),
                           _("Countersigning the handover…"), self._signed)

    # ---------------------------------------------------------------- counting here, PDF

    def sign_in_counter(self) -> PersonPasswordDialog | None:
        """The incoming person types their password once; then they count at this desk."""
        view = self.view
        receiver = view.receiver()
        if receiver is None or self.busy():
            return None
        name = receiver["name"]
        dialog = PersonPasswordDialog(
            name, person_text(receiver),
            _("{name} counts the checklist at this desk: only the incoming person counts "
              "(R11).").format(name=person_text(receiver)), view)
        desk = view.desk

        def signed_in(counter: Actor) -> None:
            self.counter = counter
            view.scan_box.show_message(_("{name} is counting: scan the tags.").format(
                name=counter.label))
            view.scan_box.focus()

        view.run_dialog(dialog, lambda password: self._start(
            lambda: desk.auth.login(name, password), _("Checking the password…"), signed_in))
        return dialog

    def open_pdf(self) -> Job | None:
        view = self.view
        record = view.record
        if record is None:
            return None
        desk, actor, handover_id, number = view.desk, view.actor, record["id"], record["number"]
        job = Job(lambda _progress: desk.handovers.pdf(actor, handover_id), desk=desk,
                  parent=view, label=_("Preparing the form…"),
                  on_success=lambda pdf: preview_pdf(view, pdf, f"{number}.pdf"))
        return job.start()
