"""Stages of the DVC pipeline, the order they run in, and why each would rerun.

The status comes from `ct_tui.domain.status_probe`, run in a subprocess so
that the app's process does not import dvc: the first frame does not wait
for dvc's imports, and a slow status does not block the UI.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ct_tui.domain.errors import DvcError

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 120.0
"""Seconds to wait for the status probe; hashing large deps for the first time can take long."""

PREFETCH_MAX_AGE = 5.0
"""Seconds after which a status started by `prefetch_status` is too old to use."""


class StageState(str, Enum):
    """The state of a stage, which decides whether `dvc repro` reruns it."""

    UP_TO_DATE = "up to date"
    CHANGED = "changed"
    NEVER_RUN = "never run"
    FROZEN = "frozen"


@dataclass(frozen=True)
class Reason:
    """One reason why DVC considers a stage changed, in DVC's own terms."""

    kind: str
    """`deps`, `params`, `outs`, `changed command`, `changed checksum`, `always changed`,
    `frozen` or `never run`."""

    path: str = ""
    """The dep, params file or out that changed, relative to the project root."""

    param: str = ""
    """The parameter that changed (`train.C_hyperparameter`), for kind `params`."""

    change: str = ""
    """DVC's word for the change: `modified`, `new`, `deleted` or `not in cache`."""

    def describe(self) -> str:
        """Return the reason as one line, worded as `dvc status` words it."""
        if self.kind == "deps":
            return f"changed deps: {self.change} {self.path}"
        if self.kind == "outs":
            return f"changed outs: {self.change} {self.path}"
        if self.kind == "params":
            if self.param:
                return f"changed params: {self.change} {self.param} ({self.path})"
            return f"changed params: {self.change} {self.path}"
        if self.kind == "never run":
            return "never run: no entry in dvc.lock"
        if self.kind == "frozen":
            return "frozen: dvc repro skips it and its deps are not checked"
        return self.kind


@dataclass(frozen=True)
class Stage:
    """A stage of a dvc.yaml, with its status."""

    address: str
    """The stage's name on DVC's command line: `train`, `fit@small`, `sub/dvc.yaml:prep`."""

    cmd: str
    dvcfile: str
    """The dvc.yaml that declares the stage, relative to the project root."""

    needs: tuple[str, ...] = ()
    """Addresses of the stages that write this stage's deps."""

    deps: tuple[str, ...] = ()
    outs: tuple[str, ...] = ()
    frozen: bool = False
    always_changed: bool = False
    never_run: bool = False
    reasons: tuple[Reason, ...] = ()

    @property
    def state(self) -> StageState:
        if self.frozen:
            return StageState.FROZEN
        if self.never_run:
            return StageState.NEVER_RUN
        if self.reasons:
            return StageState.CHANGED
        return StageState.UP_TO_DATE


@dataclass(frozen=True)
class LockHolder:
    """Another process that holds DVC's repository lock or a stage's files."""

    pid: int | None
    command: str
    detail: str
    """The lock or file that the holder keeps, such as `the DVC repository lock is held`."""

    def describe(self) -> str:
        holder = f"PID {self.pid}" if self.pid is not None else "another process"
        if self.command:
            holder += f" ({_shorten(self.command, 60)})"
        return f"pipeline busy: {holder}; {self.detail}"


@dataclass(frozen=True)
class PipelineStatus:
    """The stages of a project in dependency order, or the process that keeps them busy."""

    stages: tuple[Stage, ...] = ()
    busy: LockHolder | None = None
    """Set when another DVC process held a lock; `stages` is then empty."""

    watch: tuple[Path, ...] = ()
    """Files whose change can change a stage's status: dvc.yaml, dvc.lock, params files, deps, outs."""

    remotes: tuple[str, ...] = ()
    default_remote: str = ""
    seconds: float = 0.0
    """Wall time of the probe that produced this status."""

    def stage(self, address: str) -> Stage | None:
        for stage in self.stages:
            if stage.address == address:
                return stage
        return None

    def used_by(self, address: str) -> list[str]:
        """Return the stages that need the stage at `address`."""
        return [stage.address for stage in self.stages if address in stage.needs]

    def stale_upstream(self, address: str) -> list[str]:
        """Return the stages upstream of `address` that are not up to date.

        DVC reports a stage as changed only when its own deps changed, so a
        stage below a changed one shows up to date until the upstream stage
        has rerun and rewritten its outs.
        """
        by_address = {stage.address: stage for stage in self.stages}
        stale: list[str] = []
        seen: set[str] = set()
        pending = list(by_address[address].needs) if address in by_address else []
        while pending:
            name = pending.pop()
            if name in seen or name not in by_address:
                continue
            seen.add(name)
            upstream = by_address[name]
            if upstream.state in (StageState.CHANGED, StageState.NEVER_RUN):
                stale.append(name)
            pending.extend(upstream.needs)
        return sorted(stale)

    def depth(self, address: str) -> int:
        """Return the length of the longest chain of stages that `address` needs."""
        by_address = {stage.address: stage for stage in self.stages}
        memo: dict[str, int] = {}

        def longest(name: str) -> int:
            if name not in memo:
                needs = [need for need in by_address[name].needs if need in by_address]
                memo[name] = 1 + max(map(longest, needs)) if needs else 0
            return memo[name]

        return longest(address) if address in by_address else 0


def parse_status(report: dict, seconds: float = 0.0) -> PipelineStatus:
    """Build a PipelineStatus from the JSON report of the status probe.

    Raises DvcError with DVC's message when the probe reported an error.
    """
    if "error" in report:
        raise DvcError(f"cannot read the pipeline: {report['error']}")
    if "busy" in report:
        holder = report["busy"] or {}
        return PipelineStatus(
            busy=LockHolder(
                pid=holder.get("pid"),
                command=holder.get("cmd", ""),
                detail=holder.get("message", "") or "it holds a DVC lock",
            ),
            seconds=seconds,
        )
    stages = tuple(
        Stage(
            address=item["address"],
            cmd=item.get("cmd", ""),
            dvcfile=item.get("dvcfile", ""),
            needs=tuple(item.get("needs", ())),
            deps=tuple(item.get("deps", ())),
            outs=tuple(item.get("outs", ())),
            frozen=item.get("frozen", False),
            always_changed=item.get("always_changed", False),
            never_run=item.get("never_run", False),
            reasons=tuple(Reason(**reason) for reason in item.get("reasons", ())),
        )
        for item in report.get("stages", ())
    )
    return PipelineStatus(
        stages=stages,
        watch=tuple(Path(path) for path in report.get("watch", ())),
        remotes=tuple(report.get("remotes", ())),
        default_remote=report.get("default_remote", ""),
        seconds=seconds,
    )


@dataclass
class _ProbeRun:
    process: subprocess.Popen[str]
    started: float = field(default_factory=time.monotonic)


_prefetched: dict[Path, _ProbeRun] = {}
_prefetch_lock = threading.Lock()


def prefetch_status(root: Path) -> None:
    """Start the status probe of `root` now, for the next `load_status(root)` to use.

    The command line calls this before it imports the UI, so the probe and
    the app's start-up run side by side.
    """
    run = _start_probe(root)
    with _prefetch_lock:
        old = _prefetched.pop(root, None)
        _prefetched[root] = run
    if old is not None:
        _discard(old)


def load_status(root: Path, timeout: float = PROBE_TIMEOUT) -> PipelineStatus:
    """Return the status of every stage of the project at `root`; blocks until the probe ends.

    Raises DvcError when dvc cannot read the pipeline (an invalid dvc.yaml,
    say) or the probe times out.
    """
    with _prefetch_lock:
        run = _prefetched.pop(root, None)
    if run is not None and time.monotonic() - run.started > PREFETCH_MAX_AGE:
        _discard(run)
        run = None
    if run is None:
        run = _start_probe(root)

    try:
        stdout, stderr = run.process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as error:
        _discard(run)
        raise DvcError(
            f"reading the status of {root} timed out after {timeout:.0f} s; "
            "check that no dep is on a stalled network mount, then refresh"
        ) from error
    seconds = time.monotonic() - run.started
    if run.process.returncode != 0 or not stdout.strip():
        log.error("status probe exited with %s: %s", run.process.returncode, stderr.strip()[-2000:])
        raise DvcError(
            f"reading the status of {root} failed (exit code {run.process.returncode}): "
            f"{_last_line(stderr) or 'no output'}"
        )
    try:
        report = json.loads(stdout)
    except ValueError as error:
        raise DvcError(f"the status probe printed invalid JSON: {_shorten(stdout, 200)}") from error
    status = parse_status(report, seconds)
    log.info("status of %d stages read in %.2f s%s", len(status.stages), seconds, " (busy)" if status.busy else "")
    return status


def _start_probe(root: Path) -> _ProbeRun:
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ct_tui.domain.status_probe", str(root)],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return _ProbeRun(process)


def _discard(run: _ProbeRun) -> None:
    if run.process.poll() is None:
        run.process.kill()
    run.process.communicate()


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
