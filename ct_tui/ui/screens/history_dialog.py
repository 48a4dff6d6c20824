"""The recorded alias moves of a registered model, newest first."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ct_tui.domain.audit import AuditRecord
from ct_tui.domain.gate import format_value
from ct_tui.ui.widgets.fitted_table import FittedColumn, FittedTable

COLUMNS = [
    FittedColumn("When (local)", "when"),
    FittedColumn("Action", "action"),
    FittedColumn("Alias", "alias", max_width=16, min_width=8),
    FittedColumn("Move", "move"),
    FittedColumn("By", "by", max_width=24, min_width=6),
    FittedColumn("Gate", "gate"),
]
"""The history table's columns; the selected record's line below shows what a narrow By cuts."""


class HistoryDialog(ModalScreen[None]):
    """List every audit record of a model; Esc, `h` or `q` closes it."""

    CSS_PATH = "history_dialog.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close", id="history.close"),
        Binding("h", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, model: str, records: list[AuditRecord]) -> None:
        super().__init__()
        self.model = model
        """Registered model whose moves are listed."""
        self.records = records
        """Audit records, newest first."""

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            count = len(self.records)
            moves = f"{count} alias move{'s' if count != 1 else ''}"
            yield Static(f"Audit trail of {self.model}: {moves} recorded, newest first", id="history-title", markup=False)
            if self.records:
                yield FittedTable(id="history-table", cursor_type="row", zebra_stripes=True)
                yield Static(id="history-record", markup=False)
            else:
                yield Static(
                    "No recorded alias moves yet. Promote a version with p to record the first one.",
                    id="history-empty",
                )
            yield Static("[b]Esc[/b] close", id="history-keys")

    def on_mount(self) -> None:
        if not self.records:
            return
        table = self.query_one("#history-table", FittedTable)
        rows = [
            (
                record.key,
                [
                    Text(record.when.astimezone().strftime("%Y-%m-%d %H:%M")),
                    Text(record.action),
                    Text(record.alias),
                    Text(_move(record)),
                    Text(f"{record.user}@{record.host}"),
                    Text(_gate_cell(record)),
                ],
            )
            for record in self.records
        ]
        table.fill(COLUMNS, rows)
        table.focus()
        self._show_record(self.records[0])

    @on(DataTable.RowHighlighted, "#history-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        record = next((record for record in self.records if record.key == event.row_key.value), None)
        if record is not None:
            self._show_record(record)

    def _show_record(self, record: AuditRecord) -> None:
        self.query_one("#history-record", Static).update(
            f"{record.action} {record.alias} {_move(record)} by {record.user}@{record.host} "
            f"via {record.via}; {_describe_gate(record)}"
        )

    def action_close(self) -> None:
        self.dismiss(None)


def _label(version: int | None) -> str:
    return "none" if version is None else f"v{version}"


def _move(record: AuditRecord) -> str:
    return f"{_label(record.from_version)} → {_label(record.to_version)}"


def _gate_cell(record: AuditRecord) -> str:
    # A move is made only when the gate passed, was overridden, or was not
    # enforced (a rollback), so "overridden" implies that the gate failed.
    gate = record.gate
    if gate is None:
        return "-"
    if not gate.get("enforced", True):
        return "not enforced"
    if record.overridden:
        return "overridden"
    return "passed" if gate.get("passed") else "failed"


def _describe_gate(record: AuditRecord) -> str:
    gate = record.gate
    if gate is None:
        return "no gate (removal)"
    metric = gate.get("metric", "?")
    if gate.get("holder") is None:
        values = f"{format_value(gate.get('candidate'))}, no holder value to compare"
    else:
        values = f"{format_value(gate.get('candidate'))} vs {format_value(gate.get('holder'))}"
    if not gate.get("enforced", True):
        outcome = "not enforced"
    elif gate.get("passed"):
        outcome = "passed"
    else:
        outcome = "failed, overridden" if record.overridden else "failed"
    warnings = gate.get("warnings") or []
    lineage = f" (lineage: {'; '.join(warnings)})" if warnings else ""
    return f"gate on {metric} {values}: {outcome}{lineage}"
