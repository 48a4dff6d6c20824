"""The local runs index: built and synced through MlflowClient, it returns what MLflow's search returns.

The index is meant for tracking servers; these tests sync it from a SQLite
store through the same MlflowClient calls, which exercises every path but HTTP.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from ct_tui.domain import runs_index
from ct_tui.domain.project import Project
from ct_tui.domain.runs_index import IndexedRunsStore, index_path
from ct_tui.domain.runs_query import RunsQuery, parse_order_by
from tests.runs_cases import CASE_RUNS, build_case_store, mlflow_run_ids
from tests.runs_store import build_store


@pytest.fixture(scope="module")
def case_store(mlflow_schema_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index-case-store") / "mlflow.db"
    build_case_store(path, mlflow_schema_template)
    return path


def index_for(store: Path, root: Path) -> IndexedRunsStore:
    return IndexedRunsStore(Project(root, f"sqlite:///{store}"))


def ids(index: IndexedRunsStore, filter_string: str = "", order_by: str | None = None, deleted: bool = True) -> list[str]:
    sort = parse_order_by(order_by) if order_by else None
    return index.search(RunsQuery(("1",), filter_string, sort, deleted)).run_ids


def test_index_answers_like_search_runs(case_store: Path, tmp_path: Path) -> None:
    index = index_for(case_store, tmp_path)
    progress: list[int] = []
    index.sync("1", on_progress=progress.append)
    assert progress[-1] == CASE_RUNS
    assert index.is_complete("1")
    client = MlflowClient(f"sqlite:///{case_store}")
    for filter_string, order_by in [
        ("", "metrics.accuracy DESC"),
        ("", "params.seed ASC"),
        ("", None),
        ("metrics.accuracy != 0.5", "metrics.f1 ASC"),
        ("params.seed IS NULL", "tags.`ct.git_dirty` DESC"),
    ]:
        sort = [parse_order_by(order_by).to_order_by()] if order_by else []
        assert ids(index, filter_string, order_by) == mlflow_run_ids(client, "1", filter_string, sort, True), (
            f"{filter_string!r} ordered by {order_by}"
        )


def test_index_persists_between_sessions(case_store: Path, tmp_path: Path) -> None:
    index_for(case_store, tmp_path).sync("1")
    reopened = index_for(case_store, tmp_path)
    assert reopened.is_complete("1")
    assert len(ids(reopened)) == CASE_RUNS
    assert index_path(reopened.project).parent == tmp_path / ".ct-tui" / "runs-index"


def test_incremental_sync_changes(mlflow_schema_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "mlflow.db"
    _, runs = build_store(store, 30, template=mlflow_schema_template)
    index = index_for(store, tmp_path)
    index.sync("1")
    assert index.sync("1") == 0, "nothing changed on the server"

    client = MlflowClient(f"sqlite:///{store}")
    new_run = client.create_run("1", run_name="fresh")
    client.log_metric(new_run.info.run_id, "accuracy", 0.99)
    client.delete_run(runs[3].run_id)
    assert index.poll("1") is True
    assert ids(index, order_by="metrics.accuracy DESC", deleted=False)[0] == new_run.info.run_id
    assert index.sync("1") > 0
    assert runs[3].run_id not in ids(index, deleted=False)
    assert runs[3].run_id in ids(index, deleted=True)

    client.restore_run(runs[3].run_id)
    client.delete_run(runs[4].run_id)
    index.sync("1")
    with sqlite3.connect(store) as connection:
        for table in ("latest_metrics", "metrics", "params", "tags", "runs"):
            connection.execute(f"DELETE FROM {table} WHERE run_uuid = ?", (runs[4].run_id,))
    index.sync("1")
    assert runs[3].run_id in ids(index, deleted=False)
    assert runs[4].run_id not in ids(index, deleted=True)


def test_running_run_updated_when_it_ends(mlflow_schema_template: Path, tmp_path: Path) -> None:
    store = tmp_path / "mlflow.db"
    build_store(store, 5, template=mlflow_schema_template)
    client = MlflowClient(f"sqlite:///{store}")
    running = client.create_run("1")
    index = index_for(store, tmp_path)
    index.sync("1")
    client.log_metric(running.info.run_id, "accuracy", 0.42)
    client.set_terminated(running.info.run_id)
    assert index.poll("1") is True
    row = index.search(RunsQuery(("1",), f"attributes.run_id = '{running.info.run_id}'")).fetch(1)[0]
    assert row.status == "FINISHED"
    assert row.metrics == {"accuracy": 0.42}


def test_index_of_another_format_is_rebuilt(mlflow_schema_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "mlflow.db"
    build_store(store, 5, template=mlflow_schema_template)
    index_for(store, tmp_path).sync("1")
    monkeypatch.setattr(runs_index, "INDEX_FORMAT", "next")
    rebuilt = index_for(store, tmp_path)
    assert not rebuilt.is_complete("1")
    rebuilt.sync("1")
    assert len(ids(rebuilt)) == 5


def test_index_file_name_hides_credentials(tmp_path: Path) -> None:
    first = index_path(Project(tmp_path, "https://alice:one@mlflow.example.org"))
    second = index_path(Project(tmp_path, "https://alice:two@mlflow.example.org"))
    assert first == second
    assert "alice" not in first.name
