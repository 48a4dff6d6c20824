"""The recorded alias moves of a registered model, newest first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ct_tui.domain.audit import AuditRecord


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
            yield Static(f"Alias moves of {self.model}: {count} recorded, newest first", id="history-title", markup=False)
            if self.records:
                yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
            else:
                yield Static(
                    "No recorded alias moves yet. Promote a version with p to record the first one.",
                    id="history-empty",
                )
            yield Static("[b]Esc[/b] close", id="history-keys")

    def on_mount(self) -> None:
        if not self.records:
            return
        table = self.query_one("#history-table", DataTable)
        table.add_columns("When (local)", "Action", "Alias", "Move", "By", "Gate")
        for record in self.records:
            table.add_row(
                record.when.astimezone().strftime("%Y-%m-%d %H:%M"),
                record.action,
                record.alias,
                f"{_label(record.from_version)} → {_label(record.to_version)}",
                f"{record.user}@{record.host} ({record.via})",
                _gate_cell(record),
                key=record.key,
            )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _label(version: int | None) -> str:
    return "none" if version is None else f"v{version}"


def _gate_cell(record: AuditRecord) -> str:
    gate = record.gate
    if gate is None:
        return "-"
    if not gate.get("enforced", True):
        return "not enforced"
    text = "passed" if gate.get("passed") else "failed"
    return f"{text}, overridden" if record.overridden else text
