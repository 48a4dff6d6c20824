"""Tables of the local runs index, shaped like MLflow's, and the writes that keep them in step."""

from __future__ import annotations

import hashlib
import sqlite3
from typing import TYPE_CHECKING

from ct_tui.domain.runs_client import metric_value

if TYPE_CHECKING:
    from mlflow.entities import Run

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS experiments (experiment_id INTEGER PRIMARY KEY, name TEXT, lifecycle_stage TEXT);
CREATE TABLE IF NOT EXISTS runs (
    run_uuid TEXT PRIMARY KEY, experiment_id INTEGER, name TEXT, status TEXT, start_time INTEGER,
    end_time INTEGER, lifecycle_stage TEXT, user_id TEXT, artifact_uri TEXT, ct_digest TEXT);
CREATE INDEX IF NOT EXISTS runs_experiment_start ON runs (experiment_id, start_time);
CREATE TABLE IF NOT EXISTS latest_metrics (
    key TEXT, value REAL, timestamp INTEGER, step INTEGER, is_nan INTEGER, run_uuid TEXT, PRIMARY KEY (key, run_uuid));
CREATE INDEX IF NOT EXISTS latest_metrics_run ON latest_metrics (run_uuid);
CREATE TABLE IF NOT EXISTS params (key TEXT, value TEXT, run_uuid TEXT, PRIMARY KEY (key, run_uuid));
CREATE INDEX IF NOT EXISTS params_run ON params (run_uuid);
CREATE TABLE IF NOT EXISTS tags (key TEXT, value TEXT, run_uuid TEXT, PRIMARY KEY (key, run_uuid));
CREATE INDEX IF NOT EXISTS tags_run ON tags (run_uuid);
CREATE TABLE IF NOT EXISTS model_versions (name TEXT, version INTEGER, run_id TEXT, current_stage TEXT, PRIMARY KEY (name, version));
CREATE INDEX IF NOT EXISTS model_versions_run ON model_versions (run_id);
CREATE TABLE IF NOT EXISTS registered_model_aliases (alias TEXT, version INTEGER, name TEXT, PRIMARY KEY (name, alias));
CREATE TABLE IF NOT EXISTS sync_state (experiment_id INTEGER PRIMARY KEY, complete INTEGER, full_synced_at REAL, synced_at REAL);
"""
"""Index tables: MLflow's names and the columns `runs_sql` reads, plus sync state and a digest per run."""


def write_runs(connection: sqlite3.Connection, runs: list[Run]) -> int:
    """Write the runs whose content differs from the index; return how many did.

    The caller commits: one transaction per page of runs.
    """
    digests = {run.info.run_id: digest(run) for run in runs}
    by_id = {run.info.run_id: run for run in runs}
    known: dict[str, str] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        known.update(
            connection.execute(
                f"SELECT run_uuid, ct_digest FROM runs WHERE run_uuid IN ({', '.join('?' * len(batch))})", batch
            ).fetchall()
        )
    changed = [run for run_id, run in by_id.items() if known.get(run_id) != digests[run_id]]
    if not changed:
        return 0
    delete_runs(connection, [run.info.run_id for run in changed], keep_runs=True)
    connection.executemany(
        "INSERT OR REPLACE INTO runs (run_uuid, experiment_id, name, status, start_time, end_time,"
        " lifecycle_stage, user_id, artifact_uri, ct_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run.info.run_id,
                int(run.info.experiment_id),
                run.info.run_name,
                run.info.status,
                run.info.start_time,
                run.info.end_time,
                run.info.lifecycle_stage,
                run.info.user_id,
                run.info.artifact_uri,
                digests[run.info.run_id],
            )
            for run in changed
        ],
    )
    metrics = []
    for run in changed:
        for key, value in run.data.metrics.items():
            stored, is_nan = metric_value(float(value))
            metrics.append((key, stored, is_nan, run.info.run_id))
    connection.executemany(
        "INSERT INTO latest_metrics (key, value, is_nan, run_uuid) VALUES (?, ?, ?, ?)", metrics
    )
    connection.executemany(
        "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
        [(key, value, run.info.run_id) for run in changed for key, value in run.data.params.items()],
    )
    connection.executemany(
        "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
        [(key, value, run.info.run_id) for run in changed for key, value in run.data.tags.items()],
    )
    return len(changed)


def delete_runs(connection: sqlite3.Connection, run_ids: list[str], *, keep_runs: bool = False) -> None:
    """Delete the metrics, params and tags of `run_ids`, and unless `keep_runs` the runs too."""
    tables = ("latest_metrics", "params", "tags") if keep_runs else ("latest_metrics", "params", "tags", "runs")
    for start in range(0, len(run_ids), 500):
        batch = run_ids[start : start + 500]
        marks = ", ".join("?" * len(batch))
        for table in tables:
            connection.execute(f"DELETE FROM {table} WHERE run_uuid IN ({marks})", batch)


def digest(run: Run) -> str:
    """Return a fingerprint of everything the index stores about `run`."""
    info, data = run.info, run.data
    content = (
        info.experiment_id, info.run_name, info.status, info.start_time, info.end_time,
        info.lifecycle_stage, info.user_id, info.artifact_uri,
        sorted(data.metrics.items()), sorted(data.params.items()), sorted(data.tags.items()),
    )
    return hashlib.sha1(repr(content).encode(), usedforsecurity=False).hexdigest()
