"""Running dvc as a process group: command lines, environment, streaming, logs, cancel."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from ct_tui.domain.dvc_commands import RunResult, push_command, repro_command
from ct_tui.domain.pipeline import StageState, load_status
from ct_tui.domain.project import Project, open_project
from ct_tui.domain.repro import DvcRun, subprocess_env
from ct_tui.domain.repro_progress import StageRunState
from tests.pipeline_projects import LOOP_STAGE, OUTPUT_STAGE, live_group_members, stage_script_project


class Recorder:
    """Collects what a DvcRun hands over, with the time each batch arrived."""

    def __init__(self) -> None:
        self.run: DvcRun | None = None
        self.lines: list[tuple[float, str]] = []
        self.partials: list[str] = []
        self.finished = threading.Event()
        self.result: RunResult | None = None

    def on_output(self) -> None:
        assert self.run is not None
        batch = self.run.buffer.take()
        now = time.monotonic()
        self.lines += [(now, line) for line in batch.lines]
        if batch.partial:
            self.partials.append(batch.partial)

    def on_finished(self, result: RunResult) -> None:
        self.on_output()
        self.result = result
        self.finished.set()

    def start(self, project: Project, command) -> DvcRun:
        self.run = DvcRun(project, command, self.on_output, self.on_finished)
        self.run.start()
        return self.run

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for _, line in self.lines):
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not in the output: {[line for _, line in self.lines]}")

    def texts(self) -> list[str]:
        return [line for _, line in self.lines]


def test_repro_command_whole_pipeline() -> None:
    assert repro_command().args == ("repro",)
    assert repro_command(force=True, all_pipelines=True).args == ("repro", "--force", "--all-pipelines")


def test_repro_command_one_stage() -> None:
    command = repro_command("train", force=True)

    assert command.args == ("repro", "--force", "--single-item", "train")
    assert command.title == "dvc repro --force --single-item train"


def test_repro_command_dry_run() -> None:
    command = repro_command(dry=True)

    assert command.args == ("repro", "--dry")
    assert command.kind == "dry run"


def test_push_command() -> None:
    assert push_command().args == ("push",)
    assert push_command("backup").args == ("push", "--remote", "backup")


def test_subprocess_env(tmp_path: Path) -> None:
    project = Project(root=tmp_path, tracking_uri="sqlite:////somewhere/mlflow.db")

    env = subprocess_env(project, {"PATH": "/usr/bin", "HOME": "/home/me"})

    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert env["PATH"].endswith("/usr/bin")
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["DVC_NO_ANALYTICS"] == "1"
    assert env["MLFLOW_TRACKING_URI"] == "sqlite:////somewhere/mlflow.db"
    assert env["HOME"] == "/home/me"


def test_run_streams_output_as_produced(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "chatty", OUTPUT_STAGE)
    recorder = Recorder()

    recorder.start(open_project(root), repro_command())
    assert recorder.finished.wait(60)

    result = recorder.result
    assert result is not None and result.ok, recorder.texts()
    arrived = {line: when for when, line in recorder.lines}
    assert arrived["first line"] < arrived["last line"] - 1.0
    bars = [line for line in recorder.texts() if line.startswith("work:")]
    assert len(bars) == 1, bars
    assert "100%" in bars[0]
    assert "green text" in recorder.texts()
    assert not any("\x1b" in line for line in recorder.texts())


def test_run_records_stage_and_log_file(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "chatty", OUTPUT_STAGE)
    recorder = Recorder()

    run = recorder.start(open_project(root), repro_command())
    assert recorder.finished.wait(60)

    result = recorder.result
    assert result.stage == "chatty"
    assert result.exit_code == 0
    assert result.seconds > 1.0
    assert result.log_path == run.log_path
    assert result.log_path.parent == root / ".ct-tui" / "logs"
    assert result.log_path.name.endswith("-repro.log")
    saved = result.log_path.read_text().splitlines()
    assert saved[0] == "$ dvc repro"
    assert "Running stage 'chatty':" in saved
    assert "green text" in saved
    assert saved[-1].startswith("# dvc repro finished: exit code 0")
    assert run.progress.states == {"chatty": StageRunState.DONE}


def test_run_failure_keeps_exit_code(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "broken", "raise SystemExit('broken on purpose')\n")
    recorder = Recorder()

    recorder.start(open_project(root), repro_command())
    assert recorder.finished.wait(60)

    result = recorder.result
    assert result.exit_code not in (0, None)
    assert not result.ok
    assert "failed during stage 'broken'" in result.describe()
    assert "broken on purpose" in result.log_path.read_text()


def test_stop_ends_whole_process_group(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "loop", LOOP_STAGE, outs="loop.txt")
    recorder = Recorder()
    run = recorder.start(open_project(root), repro_command())
    recorder.wait_for("tick 1")
    group = run.pid
    assert len(live_group_members(group)) >= 2

    run.stop()

    assert recorder.finished.wait(10)
    assert live_group_members(group) == []
    result = recorder.result
    assert result.cancelled
    assert result.stage == "loop"
    assert "cancelled: stage 'loop' interrupted" in result.describe()
    assert run.progress.states == {"loop": StageRunState.INTERRUPTED}
    assert result.keyboard_interrupt
    saved = result.log_path.read_text().splitlines()
    assert "KeyboardInterrupt" in saved
    assert saved[-2] == "# the KeyboardInterrupt above is the stage stopping on cancel, not a crash"
    assert saved[-1].startswith("# dvc repro cancelled: stage 'loop' interrupted after ")
    assert not run.running
    assert load_status(root).stage("loop").state is not StageState.UP_TO_DATE


def test_stop_before_start_never_starts(tmp_path: Path) -> None:
    root = stage_script_project(tmp_path / "project", "loop", LOOP_STAGE, outs="loop.txt")
    run = DvcRun(open_project(root), repro_command(), lambda: None, lambda result: None)

    run.stop()
    run.start()

    assert run.pid is None
    assert not run.running


@pytest.mark.parametrize("command", [repro_command(), push_command()])
def test_run_outside_dvc_reports_dvc_error(tmp_path: Path, command) -> None:
    (tmp_path / ".dvc").mkdir()
    recorder = Recorder()

    recorder.start(Project(root=tmp_path, tracking_uri="sqlite:////x.db"), command)
    assert recorder.finished.wait(60)

    assert recorder.result.exit_code != 0
    assert any("ERROR" in line for line in recorder.texts()), recorder.texts()
