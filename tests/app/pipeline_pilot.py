"""Helpers for Pilot tests of the Pipeline screen: start the app, wait, read what it shows."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp
from ct_tui.ui.screens.pipeline import PipelineScreen
from ct_tui.ui.widgets.log_view import LogView
from ct_tui.ui.widgets.stages import StageDetail, StageList


def make_app(root: Path) -> CtTuiApp:
    project = open_project(root)
    return CtTuiApp(project, load_settings(project.root))


async def wait_until(pilot: Pilot, predicate: Callable[[], bool], timeout: float, expected: str) -> None:
    """Let the app run until `predicate()` is true; fail naming `expected` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {expected}")
        await pilot.pause(0.05)


def pipeline_screen(app: CtTuiApp) -> PipelineScreen:
    screen = app.get_screen_stack("pipeline")[0]
    assert isinstance(screen, PipelineScreen)
    return screen


def status_line(app: CtTuiApp) -> str:
    return str(pipeline_screen(app).query_one("#pipeline-status").content)


def rendered_rows(widget: Widget) -> list[str]:
    """Return the text of each row the widget draws, its border and padding included."""
    width, height = widget.region.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def stage_rows(app: CtTuiApp) -> list[str]:
    return [str(option.prompt) for option in pipeline_screen(app).query_one(StageList).options]


def detail_text(app: CtTuiApp) -> str:
    return str(pipeline_screen(app).query_one(StageDetail).content)


def log_lines(app: CtTuiApp) -> list[str]:
    return pipeline_screen(app).query_one(LogView).lines


def row_of(app: CtTuiApp, address: str) -> str:
    """Return the stage list's row of `address`, such as `✓ └ train       up to date`."""
    for option in pipeline_screen(app).query_one(StageList).options:
        if option.id == address:
            return str(option.prompt)
    raise AssertionError(f"no row for {address!r} in {stage_rows(app)}")


async def wait_for_stages(pilot: Pilot, timeout: float = 30.0) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: bool(stage_rows(app)), timeout, "the stage list")


async def wait_for_run_end(pilot: Pilot, timeout: float = 120.0) -> None:
    """Wait until the dvc command started last has ended and its result is shown."""
    screen = pipeline_screen(pilot.app)

    def ended() -> bool:
        run = screen.dvc_run
        return run is not None and not run.running and run.result is not None and pilot.app.repro is None

    await wait_until(pilot, ended, timeout, "the end of the dvc command")
    await pilot.pause(0.1)
