"""App-wide keys: help lists every screen's keys; quitting from the palette is guarded."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp
from ct_tui.ui.screens.dialogs import ConfirmDialog
from ct_tui.ui.screens.help import HelpScreen
from tests.app.pipeline_pilot import log_lines, make_app, pipeline_screen, wait_for_stages, wait_until
from tests.pipeline_projects import LOOP_STAGE, live_group_members, stage_script_project


async def test_help_lists_screens_and_log(ct_project: Path) -> None:
    project = open_project(ct_project)
    app = CtTuiApp(project, load_settings(project.root))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        for section in ("Everywhere", "Pipeline", "Params", "Runs", "Registry"):
            assert section in text
        assert str(project.app_log_path) in text
        assert "ctrl+r" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_quit_asks_during_repro(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "loop", LOOP_STAGE, outs="loop.txt")
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: "tick 0" in log_lines(app), 30, "the first tick")
        group = pipeline_screen(app).dvc_run.pid

        # The command palette's Quit calls action_quit.
        await app.action_quit()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running
        assert live_group_members(group) != []

        await app.action_quit()
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, 20, "the app to exit")

    assert live_group_members(group) == []
