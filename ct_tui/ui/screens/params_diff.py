"""The params diff view: changes since the last commit and since the last repro."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ct_tui.domain.params import ParamsDiff, describe_reruns


class ParamsDiffScreen(ModalScreen[None]):
    """Show a `ParamsDiff` in DVC's terms; Esc, `D` or `q` closes it."""

    CSS_PATH = "params_diff.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close", id="params-diff.close"),
        Binding("D", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, diff: ParamsDiff) -> None:
        super().__init__()
        self.diff = diff

    def compose(self) -> ComposeResult:
        diff = self.diff
        with VerticalScroll(classes="dialog", id="params-diff"):
            yield Static("Since the last commit (dvc params diff)", classes="diff-heading")
            if diff.head_error:
                yield Static(diff.head_error, classes="diff-error", markup=False)
            elif not diff.vs_head:
                yield Static("No param differs from the last commit.", classes="diff-none")
            else:
                table = _table("file", "param", "HEAD", "now")
                for change in diff.vs_head:
                    table.add_row(change.file, change.key, _show(change.old), _show(change.new))
                yield Static(table, classes="diff-table")

            yield Static("Since the last repro (dvc.lock)", classes="diff-heading", id="lock-heading")
            if not diff.vs_lock and not diff.never_run:
                yield Static("Every declared param has the value the last repro used.", classes="diff-none")
            if diff.vs_lock:
                table = _table("stage", "param", "status", "dvc.lock", "now")
                for lock_change in diff.vs_lock:
                    table.add_row(
                        lock_change.stage,
                        lock_change.key,
                        lock_change.status,
                        _show(lock_change.locked),
                        _show(lock_change.current),
                    )
                yield Static(table, classes="diff-table")
            if diff.never_run:
                yield Static(f"No params recorded in dvc.lock for: {', '.join(diff.never_run)}", markup=False)

            yield Static(describe_reruns(list(diff.reruns)), classes="diff-reruns", markup=False)
            yield Static("[b]Esc[/b] close", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)


def _table(*columns: str) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _show(value: Any) -> str:
    if value is None:
        return "—"
    return repr(value) if isinstance(value, str) else str(value)
