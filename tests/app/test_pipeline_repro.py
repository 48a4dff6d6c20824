"""Pilot tests of dvc commands on the Pipeline screen: repro, cancel, output, push, quit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ct_tui.domain import tags
from ct_tui.ui.messages import ReproFinished, ReproStarted
from ct_tui.ui.screens.dialogs import ConfirmDialog
from ct_tui.ui.widgets.log_view import LogView
from ct_tui.ui.widgets.stages import StageList
from tests.app.pipeline_pilot import (
    detail_text,
    log_lines,
    make_app,
    pipeline_screen,
    rendered_rows,
    row_of,
    stage_rows,
    status_line,
    wait_for_run_end,
    wait_for_stages,
    wait_until,
)
from tests.conftest import dvc, git
from tests.pipeline_projects import (
    LOOP_STAGE,
    OUTPUT_STAGE,
    live_group_members,
    stage_script_project,
    two_stage_project,
)

FLOOD_LINES = 200_000


def lineage_tags(store: Path) -> list[dict[str, str]]:
    """Return the tags of every run in the SQLite store, one dict per run."""
    with sqlite3.connect(store) as connection:
        run_ids = [row[0] for row in connection.execute("SELECT run_uuid FROM runs")]
        return [
            dict(connection.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (run_id,)).fetchall())
            for run_id in run_ids
        ]


def lock_md5(root: Path, path: str) -> str:
    from ruamel.yaml import YAML

    lock = YAML(typ="safe").load((root / "dvc.lock").read_text())
    for entry in lock["stages"]["data"]["outs"]:
        if entry["path"] == path:
            return entry["md5"]
    raise AssertionError(f"{path} not in dvc.lock")


async def test_repro_runs_pipeline(ct_project: Path) -> None:
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        seen: list[type] = []
        original_broadcast = app.broadcast
        app.broadcast = lambda make: (seen.append(type(make())), original_broadcast(make))[1]

        await pilot.press("r")
        await wait_until(pilot, lambda: app.repro is not None or seen, 5, "the repro to start")
        await wait_for_run_end(pilot, timeout=180)

        lines = log_lines(app)
        assert "Running stage 'train':" in lines
        assert any(line.startswith("train: fitting on") for line in lines)
        assert any(line.startswith("evaluate: accuracy=") for line in lines)
        assert any(line.startswith("# dvc repro finished: exit code 0") for line in lines)
        assert "repro finished: exit code 0" in status_line(app)
        assert seen == [ReproStarted, ReproFinished]
        await wait_until(
            pilot, lambda: all("up to date" in row for row in stage_rows(app)), 30, "every stage up to date"
        )

    runs = lineage_tags(ct_project / "mlflow.db")
    assert len(runs) == 1
    run_tags = runs[0]
    assert run_tags[tags.GIT_COMMIT] == git(ct_project, "rev-parse", "HEAD").strip()
    assert run_tags[tags.GIT_DIRTY] in ("true", "false")
    assert run_tags[tags.DATA_MD5] == lock_md5(ct_project, "data/raw/train.csv")
    assert run_tags[tags.DATA_PATH] == "data/raw/train.csv"
    assert list((ct_project / ".ct-tui" / "logs").glob("*-repro.log"))


async def test_repro_selected_stage_forced(trained_project: Path) -> None:
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        stages = pipeline_screen(app).query_one(StageList)
        stages.highlighted = [option.id for option in stages.options].index("train")

        await pilot.press("f")
        assert status_line(app).startswith("[force] ")
        await pilot.press("s")
        await wait_for_run_end(pilot, timeout=120)

        lines = log_lines(app)
        assert lines[0] == "$ dvc repro --force --single-item train"
        assert "Running stage 'train':" in lines
        assert "Running stage 'data':" not in lines
        assert "Running stage 'evaluate':" not in lines


async def test_dry_run_shows_plan(trained_project: Path) -> None:
    params = trained_project / "params.yaml"
    params.write_text(params.read_text().replace("batches: 3", "batches: 4"))
    lock_before = (trained_project / "dvc.lock").read_text()
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)

        await pilot.press("d")
        await wait_for_run_end(pilot, timeout=60)

        lines = log_lines(app)
        assert lines[0] == "$ dvc repro --dry"
        assert "Running stage 'data':" in lines
        assert "> python -m pipeline.data" in lines
        assert "repro dry run finished: exit code 0" not in status_line(app)
        assert "dry run finished: exit code 0" in status_line(app)
        assert (trained_project / "dvc.lock").read_text() == lock_before
        assert "changed" in row_of(app, "data")


async def test_failed_repro_names_stage(ct_project: Path) -> None:
    params = ct_project / "params.yaml"
    params.write_text(params.read_text().replace("batches: 3", "batches: 9"))
    app = make_app(ct_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)

        await pilot.press("r")
        await wait_for_run_end(pilot, timeout=60)

        assert "repro failed during stage 'data'" in status_line(app)
        assert any("invalid data.batches 9" in line for line in log_lines(app))


async def test_cancel_stops_process_group(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "loop", LOOP_STAGE, outs="loop.txt")
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        screen = pipeline_screen(app)

        await pilot.press("r")
        await wait_until(pilot, lambda: "tick 2" in log_lines(app), 30, "the third tick")
        group = screen.dvc_run.pid
        assert "repro running: stage 'loop'" in status_line(app)
        assert app.repro is screen.dvc_run

        await pilot.press("c")
        await wait_for_run_end(pilot, timeout=20)

        assert live_group_members(group) == []
        assert screen.dvc_run.result.cancelled
        assert "repro cancelled: stage 'loop' interrupted after" in status_line(app)
        lines = log_lines(app)
        assert "KeyboardInterrupt" in lines
        assert lines[-2] == "# the KeyboardInterrupt above is the stage stopping on cancel, not a crash"
        assert lines[-1].startswith("# dvc repro cancelled: stage 'loop' interrupted after ")
        await wait_until(pilot, lambda: "never run" in row_of(app, "loop"), 15, "the stage to show never run")
        assert not (root / "loop.txt").exists()


async def test_stage_list_follows_repro(tmp_path: Path) -> None:
    root = two_stage_project(tmp_path / "project")
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        assert "never run" in row_of(app, "first")

        await pilot.press("f", "r")
        await wait_until(pilot, lambda: "tick 1" in log_lines(app), 30, "the second tick")
        assert "done" in row_of(app, "first")
        assert "running" in row_of(app, "loop")
        assert "this repro ✓ done" in detail_text(app)

        await pilot.press("c")
        await wait_until(pilot, lambda: "interrupted" in row_of(app, "loop"), 20, "loop to show interrupted")
        await wait_for_run_end(pilot, timeout=20)
        await wait_until(pilot, lambda: "up to date" in row_of(app, "first"), 15, "the status read after the repro")
        assert "never run" in row_of(app, "loop")

        # The result and the stages' summary take two rows at 80 columns, the force mark first.
        rows = [row.strip() for row in rendered_rows(pipeline_screen(app).query_one("#pipeline-status"))]
        assert len(rows) == 2
        assert rows[0].startswith("[force] repro cancelled: stage 'loop' interrupted after")
        assert "2 stages, 1 never run" in " ".join(rows)


async def test_only_one_run_at_a_time(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "loop", LOOP_STAGE, outs="loop.txt")
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        screen = pipeline_screen(app)
        await pilot.press("r")
        await wait_until(pilot, lambda: "tick 0" in log_lines(app), 30, "the first tick")
        first = screen.dvc_run

        screen.start_repro(None)
        await pilot.pause()

        assert screen.dvc_run is first
        await pilot.press("ctrl+c")
        await wait_for_run_end(pilot, timeout=20)
        assert first.result.cancelled


async def test_output_streams_with_one_progress_line(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "chatty", OUTPUT_STAGE)
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        screen = pipeline_screen(app)

        await pilot.press("r")
        await wait_until(pilot, lambda: "first line" in log_lines(app), 30, "the first line")
        assert screen.dvc_run.running
        await wait_for_run_end(pilot, timeout=60)

        lines = log_lines(app)
        bars = [line for line in lines if line.startswith("work:")]
        assert len(bars) == 1, bars
        assert "100%" in bars[0]
        assert "green text" in lines
        assert not any("\x1b" in line for line in lines)


async def test_flood_keeps_log_bounded(tmp_path: Path) -> None:
    script = f"for n in range({FLOOD_LINES}):\n    print(f'line {{n}}')\n"
    root = stage_script_project(tmp_path / "project", "flood", script)
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)

        await pilot.press("r")
        await wait_for_run_end(pilot, timeout=120)

        log_view = pipeline_screen(app).query_one(LogView)
        lines = log_lines(app)
        assert len(lines) <= 10_000 + 1
        assert f"line {FLOOD_LINES - 1}" in lines
        assert "repro finished: exit code 0" in status_line(app)
        assert log_view.lines_written <= FLOOD_LINES + 100
        assert log_view.scroll_offset.y == log_view.max_scroll_y, "the log stopped following the output"
        saved = pipeline_screen(app).dvc_run.result.log_path.read_text().splitlines()
        assert sum(1 for line in saved if line.startswith("line ")) == FLOOD_LINES


async def test_push_to_local_remote(trained_project: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    dvc(trained_project, "remote", "add", "-d", "local", str(remote))
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        await wait_until(pilot, lambda: pipeline_screen(app).status.remotes == ("local",), 10, "the remote")

        await pilot.press("P")
        await wait_for_run_end(pilot, timeout=60)

        lines = log_lines(app)
        assert lines[0] == "$ dvc push"
        assert any("pushed" in line for line in lines), lines
        assert "push finished: exit code 0" in status_line(app)
    assert list((remote / "files" / "md5").rglob("*"))


async def test_push_without_remote_explains(trained_project: Path) -> None:
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        notified: list[str] = []
        notify = app.notify
        app.notify = lambda message, **options: (notified.append(message), notify(message, **options))[1]

        await pilot.press("P")
        await pilot.pause()

        assert any("dvc remote add -d NAME URL" in message for message in notified), notified
        assert pipeline_screen(app).dvc_run is None


async def test_quit_during_repro_asks_then_stops(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "loop", LOOP_STAGE, outs="loop.txt")
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_stages(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: "tick 0" in log_lines(app), 30, "the first tick")
        group = pipeline_screen(app).dvc_run.pid

        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, 20, "the app to exit")

    assert live_group_members(group) == []
