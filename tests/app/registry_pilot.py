"""Helpers for driving the Registry screen with Textual's Pilot."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from textual.pilot import Pilot
from textual.widgets import Static

from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp
from ct_tui.ui.widgets.versions_table import VersionsTable


def make_app(root: Path) -> CtTuiApp:
    project = open_project(root)
    return CtTuiApp(project, load_settings(project.root))


async def wait_for(pilot: Pilot, condition: Callable[[], bool], description: str, timeout: float = 15.0) -> None:
    """Let the app run until `condition()` is true; fail naming `description` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {description}")
        await pilot.pause(0.05)


async def open_registry(pilot: Pilot) -> VersionsTable:
    """Switch to the Registry screen and wait until its versions are shown."""
    await pilot.press("4")
    await wait_for(pilot, lambda: _versions(pilot) is not None and _versions(pilot).row_count > 0, "the versions table")
    return _versions(pilot)


async def wait_for_screen(pilot: Pilot, name: str):
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == name, f"the {name}")
    await pilot.pause()
    return pilot.app.screen


async def select_version(pilot: Pilot, table: VersionsTable, version: int) -> None:
    table.focus()
    table.move_cursor(row=table.get_row_index(str(version)))
    await pilot.pause()
    assert table.selected_version() == version


def text_of(widget: Static) -> str:
    """The plain text a Static shows."""
    content = widget.render()
    return getattr(content, "plain", None) or str(content)


def _versions(pilot: Pilot) -> VersionsTable | None:
    found = pilot.app.screen.query(VersionsTable)
    return found.first() if found else None
