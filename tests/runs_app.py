"""Helpers for Pilot tests of the Runs screen: open it on a project and wait until it has settled."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerCancelled

from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp
from ct_tui.ui.widgets.runs_table import RunsTable


def make_app(root: Path) -> CtTuiApp:
    return CtTuiApp(open_project(root), load_settings(root))


async def settle(pilot: Pilot, rounds: int = 40) -> None:
    """Wait until no worker runs and no message is pending (a worker's message may start another)."""
    for _ in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            # An exclusive worker replaced by a newer one while waiting: wait again.
            continue
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            await pilot.pause()
            if not any(worker.is_running for worker in pilot.app.workers):
                return


async def open_runs(pilot: Pilot) -> RunsTable:
    await pilot.press("3")
    await settle(pilot)
    return pilot.app.screen.query_one(RunsTable)


def plain(static: Static) -> str:
    """Return the text a Static shows, without markup."""
    content = static.content
    if isinstance(content, Text):
        return content.plain
    return Text.from_markup(str(content)).plain


def status_text(pilot: Pilot) -> str:
    return plain(pilot.app.screen.query_one("#runs-status", Static))


def column_cells(table: RunsTable, label: str) -> list[str]:
    index = [column.label for column in table.columns].index(label)
    return [row.cells[index] for row in table.rows]
