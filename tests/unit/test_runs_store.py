"""Runs read directly from MLflow's SQLite store give exactly MLflow's rows and order."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from ct_tui.domain.errors import TrackingError
from ct_tui.domain.project import Project
from ct_tui.domain.runs_client import ClientRunsStore
from ct_tui.domain.runs_query import RunsQuery, parse_order_by
from ct_tui.domain.runs_store import SqlRunsStore, open_runs_store, resolve_experiment
from tests.runs_cases import CASE_RUNS, FILTERS, SORTS, build_case_store, mlflow_run_ids
from tests.runs_store import build_store, copy_store


@pytest.fixture(scope="module")
def case_store(mlflow_schema_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("case-store") / "mlflow.db"
    build_case_store(path, mlflow_schema_template)
    return path


def store_for(path: Path) -> SqlRunsStore:
    return SqlRunsStore(path, Project(path.parent, f"sqlite:///{path}"))


def query(filter_string: str = "", order_by: str | None = None, deleted: bool = False) -> RunsQuery:
    return RunsQuery(("1",), filter_string, parse_order_by(order_by) if order_by else None, deleted)


@pytest.mark.parametrize("deleted", [False, True], ids=["active", "all"])
@pytest.mark.parametrize("order_by", SORTS)
def test_order_equals_search_runs(case_store: Path, order_by: str | None, deleted: bool) -> None:
    wanted = query("", order_by, deleted)
    cursor = store_for(case_store).search(wanted)
    client = MlflowClient(f"sqlite:///{case_store}")
    assert cursor.run_ids == mlflow_run_ids(client, "1", "", wanted.order_by, deleted)


@pytest.mark.parametrize("filter_string", FILTERS)
def test_filter_equals_search_runs(case_store: Path, filter_string: str) -> None:
    for order_by in (None, "metrics.accuracy DESC"):
        wanted = query(filter_string, order_by, deleted=True)
        cursor = store_for(case_store).search(wanted)
        client = MlflowClient(f"sqlite:///{case_store}")
        expected = mlflow_run_ids(client, "1", filter_string, wanted.order_by, True)
        assert cursor.run_ids == expected, f"{filter_string} ordered by {order_by}"


def test_pages_cover_every_run_once(case_store: Path) -> None:
    cursor = store_for(case_store).search(query("", "metrics.accuracy DESC", deleted=True))
    assert cursor.total == CASE_RUNS
    rows = []
    while cursor.has_more:
        rows += cursor.fetch(500)
    assert [row.run_id for row in rows] == cursor.run_ids
    assert len({row.run_id for row in rows}) == CASE_RUNS
    assert math.isinf(rows[0].metrics["accuracy"])
    nan_rows = [row for row in rows if math.isnan(row.metrics.get("accuracy", 0.0))]
    assert nan_rows, "the store holds NaN metrics"
    assert "accuracy" not in rows[-1].metrics, "runs without the metric come last"


def test_rows_carry_lineage_tags_and_deleted_state(case_store: Path) -> None:
    rows = store_for(case_store).search(query("tags.`ct.git_dirty` = 'true'", deleted=True)).fetch(100)
    assert rows
    assert all(row.tags["ct.git_dirty"] == "true" for row in rows)
    assert all(len(row.tags["ct.git_commit"]) == 40 for row in rows)
    assert any(row.deleted for row in rows)


def test_columns_list_keys_and_differing_params(case_store: Path) -> None:
    keys = store_for(case_store).list_columns(query())
    assert keys.metrics == ["accuracy", "f1", "roc_auc"]
    assert keys.params == ["seed", "train.C_hyperparameter", "train.max_iter"]
    assert keys.differing_params == ["seed", "train.C_hyperparameter", "train.max_iter"]


def test_params_equal_in_every_run_do_not_differ(mlflow_schema_template: Path, tmp_path: Path) -> None:
    def same_seed(runs) -> None:
        for run in runs:
            run.params["seed"] = "42"

    path = tmp_path / "mlflow.db"
    build_store(path, 20, template=mlflow_schema_template, change=same_seed)
    keys = store_for(path).list_columns(query())
    assert "seed" in keys.params
    assert "seed" not in keys.differing_params


def test_model_versions_and_aliases_on_rows(mlflow_schema_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    _, runs = build_store(path, 3, template=mlflow_schema_template)
    client = MlflowClient(tracking_uri=f"sqlite:///{path}", registry_uri=f"sqlite:///{path}")
    client.create_registered_model("ct-model")
    client.create_model_version("ct-model", "file:///tmp/model", run_id=runs[0].run_id)
    client.create_model_version("ct-model", "file:///tmp/model", run_id=runs[0].run_id)
    client.set_registered_model_alias("ct-model", "champion", "2")

    rows = store_for(path).search(query()).fetch(10)
    by_id = {row.run_id: row for row in rows}
    assert [version.label for version in by_id[runs[0].run_id].model_versions] == ["ct-model v1", "ct-model v2 @champion"]
    assert by_id[runs[1].run_id].model_versions == ()


def test_missing_store_reads_empty_and_stays_missing(tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    store = open_runs_store(Project(tmp_path, f"sqlite:///{path}"))
    assert isinstance(store, SqlRunsStore)
    assert store.list_experiments() == []
    assert resolve_experiment(store, "") is None
    assert store.search(query()).total == 0
    assert not path.exists()


def test_unknown_schema_uses_mlflow_client(mlflow_schema_template: Path, tmp_path: Path) -> None:
    path = copy_store(mlflow_schema_template, tmp_path / "mlflow.db")
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    store = open_runs_store(Project(tmp_path, f"sqlite:///{path}"))
    assert isinstance(store, ClientRunsStore)
    with pytest.raises(TrackingError, match="tracking store"):
        store.search(query()).fetch(10)


def test_experiment_by_name_or_latest_run(mlflow_schema_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    build_store(path, 5, template=mlflow_schema_template)
    client = MlflowClient(f"sqlite:///{path}")
    other = client.create_experiment("other")
    client.create_run(other)
    store = store_for(path)
    assert resolve_experiment(store, "ct-project").experiment_id == "1"
    assert resolve_experiment(store, "").name == "other"
    assert resolve_experiment(store, "missing") is None


def test_poll_notices_a_new_run(mlflow_schema_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    build_store(path, 5, template=mlflow_schema_template)
    store = store_for(path)
    store.poll("1")
    assert store.poll("1") is False
    MlflowClient(f"sqlite:///{path}").create_run("1")
    assert store.poll("1") is True
    assert store.search(query()).total == 6
