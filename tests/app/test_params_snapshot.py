"""Snapshot of the Params screen at 80x24."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp

from tests.app.params_pilot import move_to, open_params

EXTRA_PARAMS = """
# Not used by any stage yet.
experimental:
  use_amp: on
  lr: &lr 1e-3
  warmup_lr: *lr
  out_dir: ${paths.root}/out
"""


class TestParamsScreenSnapshot:
    def test_params_screen_80x24(self, ct_project: Path, snap_compare) -> None:
        """The tree of params.yaml shows values, types and stages, with `experimental` dimmed as unused.

        `use_amp` has the YAML 1.1 mark `!`, and its note is in the detail line.
        The anchor and the alias have `&` and the interpolated value has `$`.
        The footer lists the screen's keys.
        """
        params_path = ct_project / "params.yaml"
        params_path.write_text(params_path.read_text() + EXTRA_PARAMS)
        app = CtTuiApp(open_project(ct_project), load_settings(ct_project))

        async def run_before(pilot: Pilot) -> None:
            # The header shows the project path, which is a new temporary folder each run.
            app.sub_title = "snapshot project"
            screen = await open_params(pilot)
            await move_to(pilot, screen, "experimental.use_amp")
            await pilot.pause()

        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
