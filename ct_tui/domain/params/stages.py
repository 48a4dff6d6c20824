"""Stages and their declared params, the values dvc.lock recorded, and the stages that will rerun.

Stages come from DVC's own index, so foreach and matrix stages, `vars`
interpolation and nested dvc.yaml files count exactly as `dvc repro` counts
them. Values are compared by DVC's own params dependency, which reports each
key as modified, new or deleted against dvc.lock.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ct_tui.domain.params.model import ParamPath

log = logging.getLogger(__name__)

DEFAULT_PARAMS_FILE = "params.yaml"
"""The params file DVC reads when a stage names a key without a file."""


@dataclass(frozen=True)
class StageParams:
    """The params one stage declares from one file, and their recorded and current values."""

    stage: str
    """The stage as `dvc repro` names it: `train`, `build@1`, or `sub/dvc.yaml:train`."""

    file: str
    """The params file, relative to the project root."""

    keys: tuple[str, ...]
    """The declared dotted keys; empty when the stage depends on the whole file."""

    locked: dict[str, Any] | None
    """The values dvc.lock recorded at the last repro, or None when it has none for this file."""

    current: dict[str, Any]
    """The values in the file now, by dotted key."""

    changed: dict[str, str] = field(default_factory=dict)
    """DVC's status of each key that differs from dvc.lock: `modified`, `new` or `deleted`."""

    def uses(self, path: ParamPath) -> bool:
        """Tell whether this declaration covers `path`, one of its parents or one of its children."""
        if not self.keys:
            return True
        parts = [str(part) for part in path]
        for key in self.keys:
            declared = key.split(".")
            common = min(len(declared), len(parts))
            if declared[:common] == parts[:common]:
                return True
        return False


@dataclass(frozen=True)
class StageRerun:
    """A stage that `dvc repro` will run again, and why."""

    stage: str
    reason: str
    """`params changed: train.C_hyperparameter`, `never run`, or `after train`."""

    direct: bool
    """True when the stage's own params (or missing record) cause it, False when an upstream stage does."""


@dataclass(frozen=True)
class PipelineParams:
    """The params side of the pipeline: declarations, stage order and what depends on what."""

    declarations: tuple[StageParams, ...] = ()
    order: tuple[str, ...] = ()
    """Every stage, each after the stages it depends on."""

    downstream: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For each stage, the stages that depend on its outputs, directly or not."""

    error: str | None = None
    """The reason DVC could not read the pipeline, or None."""

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(declaration.file for declaration in self.declarations))

    def stages_using(self, file: str, path: ParamPath) -> tuple[str, ...]:
        stages = [d.stage for d in self.declarations if d.file == file and d.uses(path)]
        return tuple(dict.fromkeys(stages))


def read_pipeline_params(root: Path) -> PipelineParams:
    """Read every stage's params dependencies through DVC.

    A DVC, file or value error is returned in `PipelineParams.error` instead of raised,
    so a broken dvc.yaml still lets the params files show.
    """
    from dvc.dependency.param import ParamsDependency
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(os.fspath(root)) as repo:
            stages = list(repo.index.stages)
            graph = repo.index.graph
            declarations = []
            for stage in stages:
                address = _address(root, stage)
                for dep in stage.deps:
                    if isinstance(dep, ParamsDependency):
                        declarations.append(_declaration(root, address, dep))
            order, downstream = _order(root, graph)
    except (DvcException, OSError, ValueError) as error:
        log.warning("DVC could not read the pipeline in %s: %s", root, error)
        return PipelineParams(error=f"DVC could not read the pipeline: {error}")
    return PipelineParams(tuple(declarations), order, downstream)


def _declaration(root: Path, address: str, dep: Any) -> StageParams:
    from dvc.exceptions import DvcException

    file = Path(os.path.relpath(dep.fs_path, root)).as_posix()
    locked = dep.hash_info.value if dep.hash_info and isinstance(dep.hash_info.value, dict) else None
    try:
        current = dep.read_params()
        status = dep.workspace_status().get(str(dep), {})
    except (DvcException, OSError, ValueError) as error:
        log.warning("DVC could not read %s for stage %s: %s", file, address, error)
        current, status = {}, {}
    changed = status if isinstance(status, dict) else {"*": str(status)}
    return StageParams(address, file, tuple(dep.params), locked, dict(current), dict(changed))


def _address(root: Path, stage: Any) -> str:
    dvcfile = Path(os.path.relpath(stage.dvcfile.path, root)).as_posix()
    return stage.name if dvcfile == "dvc.yaml" else f"{dvcfile}:{stage.name}"


def _order(root: Path, graph: Any) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    import networkx as nx
    from dvc.stage import PipelineStage

    # DVC's graph has an edge from each stage to the stages it depends on.
    pipeline_stages = [stage for stage in graph.nodes if isinstance(stage, PipelineStage)]
    names = {stage: _address(root, stage) for stage in pipeline_stages}
    run_order = [names[stage] for stage in reversed(list(nx.topological_sort(graph))) if stage in names]
    downstream = {}
    for stage in pipeline_stages:
        after = {names[other] for other in nx.ancestors(graph, stage) if other in names}
        downstream[names[stage]] = tuple(name for name in run_order if name in after)
    return tuple(run_order), downstream


def stages_to_rerun(pipeline: PipelineParams) -> list[StageRerun]:
    """Return the stages that `dvc repro` will run because of params, in run order.

    A stage reruns when a declared param differs from dvc.lock, or when
    dvc.lock has no record of it. The stages downstream of it are listed as
    running after it.
    NOTE: DVC skips a downstream stage whose inputs come out unchanged, so the
    list is the most that will run, not a promise.
    """
    direct: dict[str, list[str]] = {}
    never_run: set[str] = set()
    for declaration in pipeline.declarations:
        if declaration.locked is None:
            never_run.add(declaration.stage)
            continue
        if declaration.changed:
            keys = [key if key != "*" else declaration.file for key in declaration.changed]
            direct.setdefault(declaration.stage, []).extend(keys)

    reruns: dict[str, StageRerun] = {}
    for stage in pipeline.order or list(dict.fromkeys([*never_run, *direct])):
        if stage in never_run:
            reruns[stage] = StageRerun(stage, "never run", True)
        elif stage in direct:
            keys = ", ".join(dict.fromkeys(direct[stage]))
            reruns[stage] = StageRerun(stage, f"params changed: {keys}", True)
    for stage in pipeline.order:
        if stage in reruns:
            continue
        causes = [name for name, rerun in reruns.items() if stage in pipeline.downstream.get(name, ())]
        if causes:
            reruns[stage] = StageRerun(stage, f"after {causes[0]}", False)
    return [reruns[stage] for stage in pipeline.order if stage in reruns] or list(reruns.values())


def describe_reruns(reruns: list[StageRerun]) -> str:
    """Say which stages will rerun and why, in one sentence."""
    if not reruns:
        return "No stage will rerun because of params."
    parts = [f"{rerun.stage} ({rerun.reason})" for rerun in reruns]
    return "Will rerun: " + ", ".join(parts) + "."
