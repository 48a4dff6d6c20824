"""Pilot tests of the Pipeline screen's status: stages, reasons, busy, outside edits, snapshot."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from ct_tui.ui.widgets.stages import StageList
from tests.app.pipeline_pilot import (
    detail_text,
    make_app,
    pipeline_screen,
    row_of,
    stage_rows,
    status_line,
    wait_for_stages,
    wait_until,
)
from tests.pipeline_projects import (
    LockHolderProcess,
    status_cases,  # noqa: F401 - a fixture, used by name
    status_template,  # noqa: F401 - a fixture, used by name
)


async def test_pipeline_lists_stages(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)

        stages = pipeline_screen(app).query_one(StageList)
        assert [option.id for option in stages.options] == ["data", "train", "evaluate"]
        assert "never run" in row_of(app, "train")
        assert status_line(app).startswith("3 stages, 3 never run")
        assert "data" in detail_text(app)
        assert "never run: no entry in dvc.lock" in detail_text(app)


async def test_pipeline_detail_shows_reasons(status_cases: Path) -> None:
    (status_cases / "params.yaml").write_text("prepare:\n  rows: 20\n")
    app = make_app(status_cases)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        stages = pipeline_screen(app).query_one(StageList)

        stages.highlighted = [option.id for option in stages.options].index("prepare")
        await pilot.pause()
        assert "changed params: modified prepare.rows (params.yaml)" in detail_text(app)
        assert "changed" in row_of(app, "prepare")

        stages.highlighted = [option.id for option in stages.options].index("fit@small")
        await pilot.pause()
        assert "upstream not up to date: prepare" in detail_text(app)
        assert "frozen" in row_of(app, "archive")
        assert "changed" in row_of(app, "report")
        assert "up to date" in row_of(app, "sub/dvc.yaml:summarize")


async def test_pipeline_busy_keeps_last_status(status_cases: Path) -> None:
    app = make_app(status_cases)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        rows_before = stage_rows(app)

        holder = LockHolderProcess(status_cases)
        try:
            await pilot.press("f5")
            await wait_until(pilot, lambda: "pipeline busy" in status_line(app), 15, "the busy note")
            assert f"PID {holder.process.pid}" in status_line(app)
            assert stage_rows(app) == rows_before
        finally:
            holder.stop()

        assert holder.lock_path.exists()
        await wait_until(pilot, lambda: "pipeline busy" not in status_line(app), 15, "the busy note to clear")
        assert stage_rows(app) == rows_before


async def test_pipeline_notices_outside_edit(status_cases: Path) -> None:
    app = make_app(status_cases)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        assert "up to date" in row_of(app, "prepare")

        (status_cases / "params.yaml").write_text("prepare:\n  rows: 99\n")

        await wait_until(pilot, lambda: "changed" in row_of(app, "prepare"), 5, "prepare to show changed")


async def test_pipeline_invalid_dvc_yaml_shows_error(status_cases: Path) -> None:
    (status_cases / "dvc.yaml").write_text("stages:\n  broken:\n    cmd: [unclosed\n")
    app = make_app(status_cases)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "cannot read the pipeline" in status_line(app), 30, "the error")

        assert "dvc.yaml" in detail_text(app)
        assert app.is_running


async def test_footer_shows_every_key(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        await pilot.pause()

        keys = {key.description: key for key in pipeline_screen(app).query("FooterKey")}
        screen_keys = ["Repro", "Stage", "Force", "Dry run", "Cancel", "Push", "Refresh"]
        app_keys = ["Pipeline", "Params", "Runs", "Registry", "Keys", "Quit"]
        assert sorted(keys) == sorted(screen_keys + app_keys)
        for description, key in keys.items():
            label = f"{key.key_display} {description}"
            assert key.region.right <= 80, f"{label} ends at column {key.region.right}"
            assert key.region.y in (22, 23), f"{label} is on row {key.region.y}"
            assert key.region.width >= len(label), f"{label} is cut to {key.region.width} columns"
        assert {keys[name].region.y for name in screen_keys} == {22}
        assert {keys[name].region.y for name in app_keys} == {23}
        assert keys["Cancel"].has_class("-disabled")
        assert not keys["Repro"].has_class("-disabled")


def test_pipeline_snapshot(status_cases: Path, snap_compare) -> None:
    """The screen at 80x24 on a pipeline with every state: the stage list in run
    order with marks, the detail of the first stage, the summary line, an empty
    log and the footer keys."""
    (status_cases / "params.yaml").write_text("prepare:\n  rows: 20\n")
    app = make_app(status_cases)

    async def loaded(pilot) -> None:
        await wait_for_stages(pilot)
        pilot.app.sub_title = "status-cases"
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded)


def test_first_frame_imports_no_dvc_or_mlflow(ct_project: Path) -> None:
    script = textwrap.dedent(
        """
        import asyncio, sys
        from ct_tui.domain.project import open_project
        from ct_tui.settings import load_settings
        from ct_tui.ui.app import CtTuiApp

        async def main():
            project = open_project(sys.argv[1])
            app = CtTuiApp(project, load_settings(project.root))
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                heavy = ("dvc", "mlflow", "sklearn", "pandas")
                print(",".join(name for name in heavy if name in sys.modules))

        asyncio.run(main())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(ct_project)], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
