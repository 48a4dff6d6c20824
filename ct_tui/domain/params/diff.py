"""Param differences from the last commit (`dvc params diff`) and from the last repro (dvc.lock)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ct_tui.domain.params.snapshot import ParamsSnapshot
from ct_tui.domain.params.stages import StageRerun

log = logging.getLogger(__name__)

DVC_TIMEOUT_SECONDS = 120
"""How long `dvc params diff` may take before ct-tui gives up on it."""


@dataclass(frozen=True)
class HeadChange:
    """A param that differs between the last commit and the workspace, as `dvc params diff` reports it."""

    file: str
    key: str
    old: Any
    """The value at HEAD; None when the param is new."""

    new: Any
    """The value in the workspace; None when the param was removed."""


@dataclass(frozen=True)
class LockChange:
    """A declared param of a stage whose value differs from what dvc.lock recorded."""

    stage: str
    file: str
    key: str
    status: str
    """DVC's word for it: `modified`, `new` or `deleted`."""

    locked: Any
    current: Any


@dataclass(frozen=True)
class ParamsDiff:
    """Both comparisons, and the stages that will rerun."""

    vs_head: tuple[HeadChange, ...]
    head_error: str | None
    """The reason `dvc params diff` failed (no commit yet, say), or None."""

    vs_lock: tuple[LockChange, ...]
    never_run: tuple[str, ...]
    """Stages that dvc.lock has no params record of."""

    reruns: tuple[StageRerun, ...]


def diff_params(snapshot: ParamsSnapshot) -> ParamsDiff:
    """Compare params with git HEAD through `dvc params diff --json`, and with dvc.lock.

    Runs a dvc process: call it from a worker thread.
    """
    vs_head, head_error = _dvc_params_diff(snapshot.root)
    vs_lock = []
    never_run = []
    for declaration in snapshot.pipeline.declarations:
        if declaration.locked is None:
            never_run.append(declaration.stage)
            continue
        for key, status in declaration.changed.items():
            vs_lock.append(
                LockChange(
                    declaration.stage,
                    declaration.file,
                    key,
                    status,
                    declaration.locked.get(key),
                    declaration.current.get(key),
                )
            )
    return ParamsDiff(
        tuple(vs_head),
        head_error,
        tuple(vs_lock),
        tuple(dict.fromkeys(never_run)),
        tuple(snapshot.reruns),
    )


def _dvc_params_diff(root: Path) -> tuple[list[HeadChange], str | None]:
    command = [sys.executable, "-m", "dvc", "params", "diff", "--json"]
    try:
        result = subprocess.run(
            command, cwd=root, capture_output=True, text=True, timeout=DVC_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        log.warning("dvc params diff timed out after %d s in %s", DVC_TIMEOUT_SECONDS, root)
        return [], f"`dvc params diff` did not finish within {DVC_TIMEOUT_SECONDS} s"
    except OSError as error:
        log.warning("cannot run dvc params diff in %s: %s", root, error)
        return [], f"cannot run `dvc params diff`: {error}"
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        log.warning("dvc params diff failed in %s: %s", root, result.stderr.strip())
        return [], f"`dvc params diff` failed: {message[-1] if message else f'exit code {result.returncode}'}"
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError as error:
        log.warning("dvc params diff printed no JSON: %r", result.stdout[:200])
        return [], f"`dvc params diff --json` printed no JSON: {error}"

    changes = []
    for file, keys in report.items():
        for key, values in keys.items():
            changes.append(HeadChange(file, key, values.get("old"), values.get("new")))
    return changes, None
