"""A store of runs with every hard case of MLflow's ordering, and MLflow's own answer to compare with."""

from __future__ import annotations

import math
from pathlib import Path

from tests.runs_store import FakeRun, build_store

CASE_RUNS = 1_200
"""More than MLflow's 1,000-run page, so paging is exercised."""


def hard_cases(runs: list[FakeRun]) -> None:
    """Edit generated runs so that the store holds each case that sorting and filtering must get right."""
    for index, run in enumerate(runs):
        if index % 7 == 0:
            del run.metrics["accuracy"]
        if index % 11 == 0:
            run.metrics["accuracy"] = math.nan
        if index % 13 == 0:
            run.metrics["accuracy"] = 0.5
        if index % 17 == 0:
            run.metrics["accuracy"] = math.inf
        if index % 19 == 0:
            run.start_time = runs[0].start_time
        if index % 5 == 0:
            run.lifecycle_stage = "deleted"
        if index % 23 == 0:
            run.status = "RUNNING"
            run.end_time = None
        if index % 3 == 0:
            del run.params["seed"]
        if index % 29 == 0:
            run.tags["ct.git_dirty"] = "true"


def build_case_store(path: Path, template: Path) -> list[FakeRun]:
    _, runs = build_store(path, CASE_RUNS, template=template, change=hard_cases)
    return runs


SORTS = [
    None,
    "metrics.accuracy DESC",
    "metrics.accuracy ASC",
    "params.seed DESC",
    "tags.`ct.git_dirty` ASC",
    "attributes.end_time DESC",
    "start_time ASC",
    "run_name DESC",
]

FILTERS = [
    "metrics.accuracy > 0.5",
    "metrics.accuracy != 0.5",
    "params.seed = '1.0' and metrics.f1 <= 0.7",
    "params.seed IS NULL",
    "tags.`ct.git_dirty` = 'true'",
    "attributes.status = 'RUNNING'",
    "attributes.run_name ILIKE 'RUN-001%'",
    "params.seed LIKE '1%'",
    "attributes.start_time > 1767225600000",
]


def mlflow_run_ids(client, experiment_id: str, filter_string: str, order_by: list[str], include_deleted: bool) -> list[str]:
    """Return every matching run id in the order of MLflow's own `search_runs`, paging through it."""
    from mlflow.entities import ViewType

    view = ViewType.ALL if include_deleted else ViewType.ACTIVE_ONLY
    found: list[str] = []
    token = None
    while True:
        page = client.search_runs([experiment_id], filter_string, view, max_results=1000, order_by=order_by, page_token=token)
        found += [run.info.run_id for run in page]
        token = page.token
        if not token:
            return found
