"""The checklist of one handover as a table model (its lines come with the record: one
handover's checklist, a few hundred lines at most), and the texts the record view shows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desk_app.domain.clock import format_clock, format_datetime
from desk_app.domain.equipment import CONDITION_LABELS, Condition
from desk_app.domain.shifts import shift_label
from desk_app.i18n import _

Index = QModelIndex | QPersistentModelIndex
UNCOUNTED_BACKGROUND = QColor("#fff1c7")  # amber: still to count
DISCREPANCY_BACKGROUND = QColor("#fbd9d9")  # red: found differs or not in good condition
DISCREPANCY_TEXT = QColor("#8b0000")


def person_text(person: dict[str, Any] | None) -> str:
    if not person:
        return ""
    full = person.get("full_name") or ""
    return f"{full} ({person['name']})" if full and full != person["name"] else person["name"]


def condition_text(condition: str | None) -> str:
    if not condition:
        return ""
    try:
        return _(CONDITION_LABELS[Condition(condition)])
    except ValueError:
        return condition


def header_text(record: dict[str, Any]) -> str:
    """Number, shift, scheduled time, status, late mark: one or two lines of rich text."""
    late = ('  <b style="color:#b00020">' + _("LATE") + "</b>") if record.get("late") else ""
    first = _("<b>{number}</b> · {shift} shift of {day} · due {scheduled} · {status}").format(
        number=record["number"], shift=shift_label(record["shift"]), day=str(record["shift_day"]),
        scheduled=format_clock(record["scheduled_at"]), status=record["status_label"]) + late
    people = _("Outgoing: {outgoing} → incoming: {incoming}").format(
        outgoing=person_text(record["outgoing"]), incoming=person_text(record["incoming"]))
    if record.get("substitute"):
        people += " · " + _("substitute: {name}").format(name=person_text(record["substitute"]))
    if record.get("supervisor"):
        people += " · " + _("countersigned by {name}").format(
            name=person_text(record["supervisor"]))
    times = []
    if record.get("outgoing_signed_at"):
        times.append(_("outgoing signed {at}").format(at=format_datetime(record["outgoing_signed_at"])))
    if record.get("handed_over_at"):
        times.append(_("handed over {at}").format(at=format_datetime(record["handed_over_at"])))
    if record.get("locked_at"):
        times.append(_("locked {at}").format(at=format_datetime(record["locked_at"])))
    lines = [first, people] + ([" · ".join(times)] if times else [])
    return "<br>".join(lines)


class LinesModel(QAbstractTableModel):
    """The checklist: uncounted lines amber, discrepancies red."""

    LINE_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.lines: list[dict[str, Any]] = []
        self.columns = [
            (lambda: _("No."), lambda line: line["no"]),
            (lambda: _("Item"), lambda line: line["label"]),
            (lambda: _("Tag"), lambda line: line.get("tag") or ""),
            (lambda: _("Expected"), lambda line: line["expected"]),
            (lambda: _("Out with"), lambda line: line.get("out_with") or ""),
            (lambda: _("Found"), lambda line: "" if line.get("found") is None else line["found"]),
            (lambda: _("Condition"), lambda line: condition_text(line.get("condition"))
             if line.get("found") is not None else ""),
            (lambda: _("Note"), lambda line: line.get("note") or ""),
        ]

    def set_lines(self, lines: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def update_line(self, line: dict[str, Any]) -> int | None:
        """Put a counted line in place (one row repainted); its row number."""
        for number, old in enumerate(self.lines):
            if old["no"] == line["no"]:
                self.lines[number] = {**old, **line}
                self.dataChanged.emit(self.index(number, 0),
                                      self.index(number, len(self.columns) - 1))
                return number
        return None

    def line(self, number: int) -> dict[str, Any] | None:
        return self.lines[number] if 0 <= number < len(self.lines) else None

    def row_of(self, line_no: int) -> int | None:
        for number, line in enumerate(self.lines):
            if line["no"] == line_no:
                return number
        return None

    def uncounted(self) -> int:
        return sum(1 for line in self.lines if line.get("found") is None)

    def discrepancies(self) -> int:
        return sum(1 for line in self.lines if line.get("discrepancy"))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.line(index.row()) if index.isValid() else None
        if line is None:
            return None
        if role == self.LINE_ROLE:
            return line
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.columns[index.column()][1](line)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [line.get("section") or ""]
            if line.get("counted_by"):
                parts.append(_("counted by {who} at {at}").format(
                    who=line["counted_by"], at=format_datetime(line.get("counted_at"))))
            if line.get("discrepancy"):
                parts.append(_("Discrepancy: expected {expected}, found {found}").format(
                    expected=line["expected"], found=line["found"]))
            return "\n".join(part for part in parts if part)
        if role == Qt.ItemDataRole.BackgroundRole:
            if line.get("discrepancy"):
                return QBrush(DISCREPANCY_BACKGROUND)
            if line.get("found") is None:
                return QBrush(UNCOUNTED_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(DISCREPANCY_TEXT) if line.get("discrepancy") else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 3, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return self.columns[section][0]() if 0 <= section < len(self.columns) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
