"""Following a repro's stages from DVC's output lines, and how a run's end reads."""

from __future__ import annotations

from pathlib import Path

from ct_tui.domain.dvc_commands import RunResult, repro_command
from ct_tui.domain.repro_progress import StageProgress, StageRunState

RUNNING = StageRunState.RUNNING
DONE = StageRunState.DONE


def fed(*lines: str) -> StageProgress:
    progress = StageProgress()
    progress.feed(list(lines))
    return progress


def test_progress_running_then_done() -> None:
    progress = fed(
        "Running stage 'data':",
        "> python -m pipeline.data",
        "data: 3 of 5 batches arrived",
        "Generating lock file 'dvc.lock'",
        "Updating lock file 'dvc.lock'",
        "",
        "Running stage 'train':",
        "> python -m pipeline.train",
    )

    assert progress.states == {"data": DONE, "train": RUNNING}
    assert progress.last_stage == "train"


def test_progress_next_stage_settles_previous() -> None:
    # Without a changed lock entry DVC logs no `Updating lock file`.
    progress = fed("Running stage 'fit@small':", "Running stage 'sub/dvc.yaml:summarize':")

    assert progress.states == {"fit@small": DONE, "sub/dvc.yaml:summarize": RUNNING}


def test_progress_unchanged_and_cached_stages() -> None:
    progress = fed(
        "Stage 'data' didn't change, skipping",
        "Stage 'train' is cached - skipping run, checking out outputs",
    )

    assert progress.states == {"data": StageRunState.UNCHANGED, "train": RUNNING}


def test_progress_finish_marks_running_stage_done() -> None:
    progress = fed("Running stage 'evaluate':", "evaluate: accuracy=0.95")

    interrupted = progress.finish(exit_code=0, cancelled=False)

    assert interrupted is None
    assert progress.states == {"evaluate": DONE}


def test_progress_failed_stage() -> None:
    progress = fed(
        "Running stage 'data':",
        "ERROR: failed to reproduce 'data': failed to run: python -m pipeline.data, exited with 1",
    )
    progress.finish(exit_code=1, cancelled=False)

    assert progress.states == {"data": StageRunState.FAILED}
    assert progress.last_stage == "data"


def test_progress_several_failed_stages() -> None:
    progress = fed(
        "Running stage 'a':",
        "Running stage 'b':",
        "ERROR: failed to reproduce stages: 'a', 'b' and 'c': failed to run",
    )

    assert progress.states["a"] is StageRunState.FAILED
    assert progress.states["b"] is StageRunState.FAILED
    assert progress.states["c"] is StageRunState.FAILED


def test_progress_cancel_interrupts_failed_stage() -> None:
    progress = fed(
        "Running stage 'train':",
        "Updating lock file 'dvc.lock'",
        "Running stage 'evaluate':",
        "Traceback (most recent call last):",
        "KeyboardInterrupt",
        "ERROR: failed to reproduce 'evaluate': failed to run: python -m pipeline.evaluate, exited with -2",
    )

    interrupted = progress.finish(exit_code=255, cancelled=True)

    assert interrupted == "evaluate"
    assert progress.states == {"train": DONE, "evaluate": StageRunState.INTERRUPTED}
    assert progress.keyboard_interrupt


def test_progress_cancel_between_stages() -> None:
    progress = fed("Running stage 'data':", "Updating lock file 'dvc.lock'")

    interrupted = progress.finish(exit_code=255, cancelled=True)

    assert interrupted is None
    assert progress.states == {"data": DONE}
    assert not progress.keyboard_interrupt


def test_progress_version_counts_changes_only() -> None:
    progress = StageProgress()
    progress.feed(["plain output", "Stage output mentioning Running stage 'x':"])
    assert progress.version == 0

    progress.feed(["Running stage 'x':"])
    assert progress.version == 1


def cancelled_result(stage: str | None, keyboard_interrupt: bool) -> RunResult:
    return RunResult(
        command=repro_command(force=True),
        exit_code=255,
        seconds=4.52,
        cancelled=True,
        stage=stage,
        log_path=Path("/project/.ct-tui/logs/x-repro.log"),
        keyboard_interrupt=keyboard_interrupt,
    )


def test_cancel_summary_names_stage() -> None:
    result = cancelled_result("evaluate", keyboard_interrupt=True)

    assert result.describe(short=True) == "repro cancelled: stage 'evaluate' interrupted after 4.5 s"
    assert result.summary_lines() == [
        "the KeyboardInterrupt above is the stage stopping on cancel, not a crash",
        "dvc repro --force cancelled: stage 'evaluate' interrupted after 4.5 s",
    ]


def test_cancel_summary_without_traceback_or_stage() -> None:
    result = cancelled_result(None, keyboard_interrupt=False)

    assert result.summary_lines() == ["dvc repro --force cancelled after 4.5 s"]
