"""The report an auditor reads after a signed PDF (R15) was verified."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.clock import format_datetime
from desk_app.i18n import _

log = logging.getLogger(__name__)


GOOD, BAD = "#1b5e20", "#b00020"


def _yes_no(value: bool, good: bool) -> QLabel:
    """"Yes"/"No" in green when it is the good answer, else in bold red."""
    label = QLabel(_("Yes") if value else _("No"))
    fine = value == good
    label.setStyleSheet(f"color: {GOOD if fine else BAD};" + ("" if fine else " font-weight: bold;"))
    return label


def _local_time(moment) -> str:
    return format_datetime(moment, seconds=True, empty="—")


def verdict_text(report) -> str:
    if report.ok:
        return _("Valid: every signature intact, trusted and unmodified")
    if not report.signatures:
        return _("NOT valid: the document has no signature")
    return _("NOT valid")


class PdfReportDialog(QDialog):
    """The verdict in large type, then one group per signature."""

    def __init__(self, path: Path, report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdf_report")
        self.setWindowTitle(_("Signature check – {name}").format(name=path.name))
        self.report = report
        layout = QVBoxLayout(self)

        self.verdict_label = QLabel(verdict_text(report))
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setWordWrap(True)
        font = self.verdict_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.verdict_label.setFont(font)
        colour = GOOD if report.ok else BAD
        self.verdict_label.setStyleSheet(
            f"color: white; background: {colour}; padding: 10px 14px; border-radius: 4px;")
        layout.addWidget(self.verdict_label)
        self.advice_label = QLabel(
            _("The document is exactly as it was signed, by people this database knows.")
            if report.ok else _("Do not rely on this document; the problems are listed below."))
        self.advice_label.setObjectName("advice")
        self.advice_label.setWordWrap(True)
        layout.addWidget(self.advice_label)

        file_label = QLabel(_("File: {path}").format(path=path))
        file_label.setWordWrap(True)
        file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(file_label)

        groups = QWidget()
        groups_layout = QVBoxLayout(groups)
        groups_layout.setContentsMargins(0, 0, 0, 0)
        self.signature_groups: list[QGroupBox] = []
        for number, check in enumerate(report.signatures, start=1):
            group = self._signature_group(number, check)
            groups_layout.addWidget(group)
            self.signature_groups.append(group)
        if not report.signatures:
            groups_layout.addWidget(QLabel(_("This PDF carries no signature.")))
        if report.unsigned_fields:
            unsigned = QLabel(_("Signature fields not signed: {fields}").format(
                fields=", ".join(report.unsigned_fields)))
            unsigned.setWordWrap(True)
            groups_layout.addWidget(unsigned)
        groups_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(groups)
        scroll.setMinimumHeight(min(groups.sizeHint().height(), 460))
        layout.addWidget(scroll, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(max(560, self.sizeHint().width()), self.sizeHint().height())

    def _signature_group(self, number: int, check) -> QGroupBox:
        group = QGroupBox(_("Signature {number}: {field}").format(number=number,
                                                                   field=check.slot_label))
        group.setObjectName(f"signature_{number}")
        form = QFormLayout(group)
        signer = check.signer_name or "—"
        if check.signer_user:
            signer = _("{name} (user {user})").format(name=signer, user=check.signer_user)
        signer_label = QLabel(signer)
        signer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_("Signed by:"), signer_label)
        if check.role:
            form.addRow(_("Signed as:"), QLabel(check.role))
        form.addRow(_("Signed at:"), QLabel(_local_time(check.signed_at)))
        form.addRow(_("Intact (no byte changed):"), _yes_no(check.intact, good=True))
        form.addRow(_("Certificate issued by this office:"), _yes_no(check.trusted, good=True))
        form.addRow(_("Changed or appended after signing:"), _yes_no(check.modified_after, good=False))
        if check.revoked_at is not None:
            # Revoked after this signature: the signature stays valid, and the reader should
            # know the key is no longer in use.
            form.addRow(_("Certificate revoked:"), QLabel(_local_time(check.revoked_at)))
        if check.problem:
            problem = QLabel(check.problem)
            problem.setWordWrap(True)
            problem.setStyleSheet(f"color: {BAD};")
            problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(_("Problem:"), problem)
        return group
