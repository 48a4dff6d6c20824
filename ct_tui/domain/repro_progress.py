"""Follow the stages of a running `dvc repro` from the lines DVC prints.

DVC 3.67 (read in its source) logs `Running stage 'x':` before it runs a stage, `Stage 'x' didn't
change, skipping` for a stage it leaves alone, `Stage 'x' is cached -
skipping run, checking out outputs` when it restores a stage from the run
cache, and `ERROR: failed to reproduce 'x'` (or `stages: 'x', 'y'`) when
a stage fails. A stage is done when DVC writes its lock entry (`Updating
lock file`, logged only when the entry changed), moves on to the next
stage, or exits with code 0.
"""

from __future__ import annotations

import re
import threading
from enum import Enum


class StageRunState(str, Enum):
    """What the current repro did with a stage so far."""

    RUNNING = "running"
    DONE = "done"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


_STARTED = re.compile(r"^(?:Running stage '(?P<run>.+)':|Stage '(?P<cached>.+)' is cached - skipping run)")
_UNCHANGED = re.compile(r"^Stage '(?P<stage>.+)' didn't change, skipping$")
_FAILED = re.compile(r"^ERROR: failed to reproduce(?: stages:)? (?P<stages>'.+?')(?::|$)")
_QUOTED = re.compile(r"'([^']+)'")
_PREFIXES = ("Running stage '", "Stage '", "Updating lock file '", "ERROR: failed to reproduce", "KeyboardInterrupt")


class StageProgress:
    """The state of each stage that a repro has reached, fed with its output lines.

    The reader thread calls `feed` and `finish` while the UI thread reads,
    so changes and `states` hold a lock. The other properties are single
    values, which a reader may see one change late.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, StageRunState] = {}
        self._current: str | None = None
        self._last_named: str | None = None
        self._keyboard_interrupt = False
        self.version = 0
        """Increases on every change, so a reader can skip a redraw when nothing changed."""

    @property
    def states(self) -> dict[str, StageRunState]:
        """A copy of the state of every stage reached so far, by stage address."""
        with self._lock:
            return dict(self._states)

    @property
    def last_stage(self) -> str | None:
        """The stage DVC announced last (`Running stage 'x':`) or reported failing."""
        return self._last_named

    @property
    def keyboard_interrupt(self) -> bool:
        """Whether a stage printed `KeyboardInterrupt`, the last line of a Python traceback on SIGINT."""
        return self._keyboard_interrupt

    def feed(self, lines: list[str]) -> None:
        for line in lines:
            # Most lines are the stages' own output: one cheap test skips them.
            if line.startswith(_PREFIXES):
                self._note(line)

    def finish(self, *, exit_code: int | None, cancelled: bool) -> str | None:
        """Settle the stage still running when the repro ended: done, failed or interrupted.

        Returns the interrupted stage of a cancelled repro, or None when no
        stage was running at the cancel.
        """
        with self._lock:
            stage = self._current
            interrupted = None
            if cancelled:
                # DVC reports the stage it was running on SIGINT as failed; it was stopped on request.
                if stage is None and self._last_named is not None:
                    if self._states.get(self._last_named) is StageRunState.FAILED:
                        stage = self._last_named
                if stage is not None:
                    self._states[stage] = StageRunState.INTERRUPTED
                    interrupted = stage
            elif stage is not None:
                self._states[stage] = StageRunState.DONE if exit_code == 0 else StageRunState.FAILED
            self._current = None
            self.version += 1
            return interrupted

    def _note(self, line: str) -> None:
        if line == "KeyboardInterrupt" or line.startswith("KeyboardInterrupt:"):
            self._keyboard_interrupt = True
            return
        with self._lock:
            if line.startswith("Updating lock file '"):
                if self._current is not None:
                    self._settle_current()
                    self.version += 1
                return
            started = _STARTED.match(line)
            if started:
                self._settle_current()
                stage = started.group("run") or started.group("cached")
                self._states[stage] = StageRunState.RUNNING
                self._current = self._last_named = stage
                self.version += 1
                return
            unchanged = _UNCHANGED.match(line)
            if unchanged:
                self._settle_current()
                self._states[unchanged.group("stage")] = StageRunState.UNCHANGED
                self.version += 1
                return
            failed = _FAILED.match(line)
            if failed:
                stages = _QUOTED.findall(failed.group("stages"))
                for stage in stages:
                    self._states[stage] = StageRunState.FAILED
                if stages:
                    self._last_named = stages[-1]
                if self._current in stages:
                    self._current = None
                self.version += 1

    def _settle_current(self) -> None:
        # DVC runs one stage at a time, so the next stage starting means the last one is done.
        if self._current is not None:
            self._states[self._current] = StageRunState.DONE
            self._current = None
