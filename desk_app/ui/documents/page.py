"""The Documents page (being built for issue 15)."""

from __future__ import annotations

from desk_app.ui.widgets.page import Page


class DocumentsPage(Page):
    def __init__(self, desk, actor, parent=None) -> None:
        super().__init__("Documents", "", parent)
        self.desk, self.actor = desk, actor
