"""Admin → Import: where an office starts with the ledgers it already keeps (issue 16).

One button per kind of ledger opens the import wizard on that kind (File → Import… opens it
too). The imports themselves are in the audit trail (``import.*`` entries, with the file's
SHA-256) and their rows in the registers.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from desk_app.domain.ledger import LedgerKind
from desk_app.domain.users import Actor
from desk_app.i18n import _


class ImportsPanel(QWidget):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        intro = QLabel(_("Bring in the ledgers the office already keeps in Excel or CSV: the "
                         "archive catalogue first, then the loan book, the borrowers, the staff "
                         "list and the key list. Each import is checked first and written in one "
                         "go, or not at all."))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        self.buttons: dict[LedgerKind, QPushButton] = {}
        allowed = desk.imports.kinds_for(actor)
        for kind in LedgerKind:
            button = QPushButton(_("Import: {ledger}…").format(ledger=kind.label))
            button.setObjectName(f"import_{kind.value}")
            button.clicked.connect(lambda _checked=False, chosen=kind: self.open_wizard(chosen))
            button.setEnabled(kind in allowed)
            layout.addWidget(button)
            self.buttons[kind] = button
        layout.addStretch(1)

    def open_wizard(self, kind: LedgerKind) -> None:
        from desk_app.ui.widgets.import_wizard import ImportWizard

        ImportWizard(self.desk, self.actor, self, kind).open()
