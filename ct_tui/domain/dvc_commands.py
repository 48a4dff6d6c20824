"""The dvc command lines ct-tui runs with streamed output, and how a run ended."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DvcCommand:
    """A dvc command line that ct-tui runs with streamed output."""

    kind: str
    """`repro`, `dry run` or `push`: what the log file and the messages call it."""

    args: tuple[str, ...]
    """Arguments after `dvc`."""

    stage: str | None = None
    force: bool = False

    @property
    def title(self) -> str:
        return "dvc " + " ".join(self.args)

    @property
    def log_suffix(self) -> str:
        return {"repro": "repro", "dry run": "repro-dry", "push": "push"}.get(self.kind, "dvc")


def repro_command(
    stage: str | None = None, *, force: bool = False, dry: bool = False, all_pipelines: bool = False
) -> DvcCommand:
    """Return `dvc repro` for the whole pipeline, or for `stage` alone.

    `--single-item` runs `stage` without checking the stages before or after
    it, so a stale upstream stage is not rerun first.

    Without a target, `dvc repro` runs only the stages of the dvc.yaml at the
    root; `all_pipelines` adds those of nested dvc.yaml files.
    """
    args = ["repro"]
    if force:
        args.append("--force")
    if dry:
        args.append("--dry")
    if stage is not None:
        args += ["--single-item", stage]
    elif all_pipelines:
        args.append("--all-pipelines")
    return DvcCommand(kind="dry run" if dry else "repro", args=tuple(args), stage=stage, force=force)


def push_command(remote: str | None = None) -> DvcCommand:
    """Return `dvc push` to the default remote, or to `remote`."""
    args = ["push"] + (["--remote", remote] if remote else [])
    return DvcCommand(kind="push", args=tuple(args))


@dataclass(frozen=True)
class RunResult:
    """The end of a dvc command: exit code, duration, cancel and the last stage."""

    command: DvcCommand
    exit_code: int | None
    """The exit code; negative when a signal ended dvc (-2 for SIGINT)."""

    seconds: float
    cancelled: bool
    stage: str | None
    """The stage DVC announced last (`Running stage 'x':`) or reported failing.

    For a cancelled run, the stage that was interrupted, or None when no
    stage was running at the cancel."""

    log_path: Path
    keyboard_interrupt: bool = False
    """Whether a stage printed a Python `KeyboardInterrupt`, as it does when SIGINT stops it."""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.cancelled

    def describe(self, *, short: bool = False) -> str:
        """Return one line for the user: what ran, how it ended, after how long.

        The short form names the kind of command (`repro`) instead of its
        whole command line. A cancelled run's exit code is left out because it
        only says that dvc was interrupted.
        """
        name = self.command.kind if short else self.command.title
        if self.cancelled:
            interrupted = f": stage '{self.stage}' interrupted" if self.stage else ""
            return f"{name} cancelled{interrupted} after {self.seconds:.1f} s"
        if self.exit_code == 0:
            return f"{name} finished: exit code 0 in {self.seconds:.1f} s"
        during = f" during stage '{self.stage}'" if self.stage else ""
        return f"{name} failed{during}: exit code {self.exit_code} after {self.seconds:.1f} s"

    def summary_lines(self) -> list[str]:
        """Return the lines that end the run's log: `describe()`, after a note on an expected traceback."""
        lines = [self.describe()]
        if self.cancelled and self.keyboard_interrupt:
            lines.insert(0, "the KeyboardInterrupt above is the stage stopping on cancel, not a crash")
        return lines
