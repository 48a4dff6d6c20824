"""One run in full (params, metrics and their history, tags, artifacts, lineage), and comparing runs."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from ct_tui.domain.lineage import Lineage, read_lineage, read_lock_md5s
from ct_tui.domain.project import Project
from ct_tui.domain.runs_client import call, open_client, run_row_from_mlflow
from ct_tui.domain.runs_query import ModelVersionRef, RunRow

log = logging.getLogger(__name__)

MAX_ARTIFACTS = 200
"""Artifacts listed per run; a model folder alone can hold dozens of files."""

MAX_ARTIFACT_DEPTH = 3
"""Folder levels listed below the run's artifact root."""


@dataclass(frozen=True)
class MetricPoint:
    step: int
    timestamp: int
    value: float


@dataclass(frozen=True)
class Artifact:
    path: str
    is_dir: bool
    size: int | None


@dataclass(frozen=True)
class LoggedModel:
    """A model logged by the run (MLflow 3 keeps these apart from the run's artifacts)."""

    name: str
    model_id: str
    artifact_location: str


@dataclass
class RunDetail:
    """A run with every tag, each metric's history, its artifacts, lineage and model versions."""

    run: RunRow
    histories: dict[str, list[MetricPoint]] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    artifacts_truncated: bool = False
    logged_models: list[LoggedModel] = field(default_factory=list)
    lineage: Lineage | None = None
    model_versions: list[ModelVersionRef] = field(default_factory=list)


def load_run_detail(project: Project, run_id: str, lock_md5s: dict[str, str] | None = None) -> RunDetail:
    """Read one run through MlflowClient; blocks, so call it from a worker.

    Raises TrackingError when the store fails. A run without lineage tags gets
    a lineage of unknowns, not an error.
    """
    client = open_client(project)
    uri = project.tracking_uri
    run = call(uri, lambda: client.get_run(run_id))
    row = run_row_from_mlflow(run)
    histories = {}
    for key in sorted(row.metrics):
        history = call(uri, lambda key=key: client.get_metric_history(run_id, key))
        histories[key] = sorted(
            (MetricPoint(point.step, point.timestamp, float(point.value)) for point in history),
            key=lambda point: (point.step, point.timestamp),
        )
    artifacts, truncated = _list_artifacts(client, uri, run_id)
    logged_models = _logged_models(client, uri, row.experiment_id, run_id)
    versions = call(uri, lambda: list(client.search_model_versions(f"run_id = '{run_id}'")))
    registered = _with_aliases(client, uri, versions)
    lineage = read_lineage(project.root, row.tags, lock_md5s if lock_md5s is not None else read_lock_md5s(project.root))
    row.model_versions = tuple(registered)
    return RunDetail(row, histories, artifacts, truncated, logged_models, lineage, registered)


def _list_artifacts(client, uri: str, run_id: str) -> tuple[list[Artifact], bool]:
    found: list[Artifact] = []
    folders: list[tuple[str | None, int]] = [(None, 0)]
    while folders:
        folder, depth = folders.pop(0)
        for info in call(uri, lambda folder=folder: client.list_artifacts(run_id, folder)):
            if len(found) >= MAX_ARTIFACTS:
                return found, True
            found.append(Artifact(info.path, info.is_dir, info.file_size))
            if info.is_dir and depth + 1 < MAX_ARTIFACT_DEPTH:
                folders.append((info.path, depth + 1))
    return sorted(found, key=lambda item: item.path), False


def _logged_models(client, uri: str, experiment_id: str, run_id: str) -> list[LoggedModel]:
    search = getattr(client, "search_logged_models", None)
    if search is None:  # MLflow 2 has no logged models
        return []
    found = call(uri, lambda: list(search([experiment_id], filter_string=f"source_run_id = '{run_id}'", max_results=100)))
    return [LoggedModel(model.name, model.model_id, model.artifact_location) for model in found]


def _with_aliases(client, uri: str, versions: list) -> list[ModelVersionRef]:
    aliases: dict[str, dict[str, str]] = {}
    refs = []
    for version in sorted(versions, key=lambda item: (item.name, int(item.version))):
        if version.name not in aliases:
            model = call(uri, lambda name=version.name: client.get_registered_model(name))
            aliases[version.name] = dict(getattr(model, "aliases", None) or {})
        names = tuple(sorted(alias for alias, number in aliases[version.name].items() if int(number) == int(version.version)))
        refs.append(ModelVersionRef(version.name, int(version.version), names))
    return refs


@dataclass(frozen=True)
class ComparedValue:
    """One param or metric across the compared runs."""

    section: str
    """`param` or `metric`."""

    key: str
    values: tuple[str, ...]
    """The value in each run, in the order of the runs; empty where a run lacks it."""

    differs: bool


def compare_runs(runs: list[RunRow]) -> list[ComparedValue]:
    """Line up the params, then the metrics, of `runs`; mark each key whose values are not all equal.

    A key that one run lacks differs. Metrics compare by value (NaN equals NaN),
    params by their text as MLflow stores it.
    """
    compared = []
    for key in sorted({key for run in runs for key in run.params}):
        values = tuple(run.params.get(key, "") for run in runs)
        present = [key in run.params for run in runs]
        compared.append(ComparedValue("param", key, values, len(set(values)) > 1 or not all(present)))
    for key in sorted({key for run in runs for key in run.metrics}):
        numbers = [run.metrics.get(key) for run in runs]
        values = tuple(format_metric(number) if number is not None else "" for number in numbers)
        differs = any(number is None for number in numbers) or len({_metric_identity(number) for number in numbers}) > 1
        compared.append(ComparedValue("metric", key, values, differs))
    return compared


def _metric_identity(value: float | None) -> object:
    return "nan" if value is not None and math.isnan(value) else value


def format_metric(value: float) -> str:
    """Format a metric value for a table cell: 4 decimals when they fit, else 4 significant digits."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.4g}"
    return f"{value:.4f}"
