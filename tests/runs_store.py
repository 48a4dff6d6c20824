"""Build large MLflow SQLite stores quickly, for tests and the Runs benchmark.

MLflow creates the schema (one experiment through MlflowClient), then the
runs are bulk-inserted with sqlite3 into MLflow's own tables, in the shapes
MLflow's SqlAlchemyStore writes: NaN metrics as value 0 with is_nan 1, the
run name both in `runs.name` and in the `mlflow.runName` tag.
"""

from __future__ import annotations

import math
import random
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

FIXED_START_MS = 1_767_225_600_000
"""2026-01-01 00:00:00 UTC in milliseconds: the start time of the first generated run."""

DEFAULT_METRICS = ("accuracy", "f1", "roc_auc")
DEFAULT_PARAMS = ("train.C_hyperparameter", "train.max_iter", "seed")


@dataclass
class FakeRun:
    """One run to insert; fields are MLflow's column values."""

    run_id: str
    name: str
    start_time: int
    end_time: int | None
    status: str = "FINISHED"
    lifecycle_stage: str = "active"
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def create_empty_store(path: Path, experiment: str = "ct-project") -> str:
    """Create an MLflow SQLite store at `path` with one experiment; return its id."""
    from mlflow.tracking import MlflowClient

    path.parent.mkdir(parents=True, exist_ok=True)
    client = MlflowClient(tracking_uri=f"sqlite:///{path}")
    return client.create_experiment(experiment, artifact_location=(path.parent / "mlartifacts").as_uri())


def copy_store(template: Path, path: Path) -> Path:
    """Copy an empty store made by `create_empty_store`: much faster than creating the schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return path


def generate_runs(
    count: int,
    *,
    seed: int = 0,
    metrics: Iterable[str] = DEFAULT_METRICS,
    params: Iterable[str] = DEFAULT_PARAMS,
    start_ms: int = FIXED_START_MS,
    step_ms: int = 60_000,
) -> list[FakeRun]:
    """Return `count` finished runs, one a minute, with random metrics and a few distinct params.

    Run ids come from the seeded generator, so the same arguments give the same store.
    """
    rng = random.Random(seed)
    metric_names = list(metrics)
    param_names = list(params)
    runs = []
    for index in range(count):
        start = start_ms + index * step_ms
        run = FakeRun(
            run_id=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
            name=f"run-{index:05d}",
            start_time=start,
            end_time=start + 5_000 + rng.randrange(60_000),
            metrics={name: round(rng.random(), 3) for name in metric_names},
            params={name: str(rng.choice([0.1, 0.5, 1.0, 2.0, 10.0])) for name in param_names},
            tags={"ct.git_commit": f"{rng.getrandbits(160):040x}", "ct.git_dirty": "false"},
        )
        runs.append(run)
    return runs


def insert_runs(path: Path, experiment_id: str, runs: Iterable[FakeRun], *, user: str = "tester") -> None:
    """Insert `runs` into the store at `path`, in one transaction."""
    connection = sqlite3.connect(path)
    artifact_root = (path.parent / "mlartifacts" / str(experiment_id)).as_uri()
    with connection:
        for run in runs:
            _insert_run(connection, int(experiment_id), run, artifact_root, user)
    connection.close()


def build_store(
    path: Path,
    count: int,
    *,
    template: Path | None = None,
    seed: int = 0,
    change: Callable[[list[FakeRun]], None] | None = None,
) -> tuple[str, list[FakeRun]]:
    """Create a store with `count` generated runs; `change` may edit the runs before insertion."""
    if template is not None:
        copy_store(template, path)
        experiment_id = "1"
    else:
        experiment_id = create_empty_store(path)
    runs = generate_runs(count, seed=seed)
    if change is not None:
        change(runs)
    insert_runs(path, experiment_id, runs)
    return experiment_id, runs


def _insert_run(connection: sqlite3.Connection, experiment_id: int, run: FakeRun, artifact_root: str, user: str) -> None:
    connection.execute(
        "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,"
        " start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)"
        " VALUES (?, ?, 'LOCAL', '', '', ?, ?, ?, ?, '', ?, ?, ?, ?)",
        (
            run.run_id,
            run.name,
            user,
            run.status,
            run.start_time,
            run.end_time,
            run.lifecycle_stage,
            f"{artifact_root}/{run.run_id}/artifacts",
            experiment_id,
            run.end_time if run.lifecycle_stage == "deleted" else None,
        ),
    )
    for key, value in run.metrics.items():
        is_nan = math.isnan(value)
        stored = 0.0 if is_nan else value
        timestamp = run.end_time or run.start_time
        connection.execute(
            "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, 0, ?)",
            (key, stored, timestamp, run.run_id, is_nan),
        )
        connection.execute(
            "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, 0, ?, ?)",
            (key, stored, timestamp, is_nan, run.run_id),
        )
    connection.executemany(
        "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
        [(key, value, run.run_id) for key, value in run.params.items()],
    )
    tags = {"mlflow.runName": run.name, "mlflow.user": user, "mlflow.source.type": "LOCAL", **run.tags}
    connection.executemany(
        "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
        [(key, value, run.run_id) for key, value in tags.items()],
    )

