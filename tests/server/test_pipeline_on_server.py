"""The pipeline trains and logs to the team server, with artifacts proxied by it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.conftest import SECOND_C, ServerProject


@pytest.fixture
def server_client(server_trained_project: ServerProject, use_server):
    from mlflow.tracking import MlflowClient

    use_server(server_trained_project.environ())
    return MlflowClient(server_trained_project.server.uri)


def test_repro_logs_runs_to_server(server_trained_project: ServerProject, server_client) -> None:
    experiment = server_client.get_experiment_by_name(server_trained_project.experiment)
    assert experiment is not None
    runs = server_client.search_runs([experiment.experiment_id], order_by=["attributes.start_time DESC"])
    assert len(runs) == 2
    for run in runs:
        assert run.info.status == "FINISHED"
        assert set(run.data.metrics) >= {"accuracy", "f1", "roc_auc"}
        assert run.data.tags["ct.git_dirty"] == "false"
        assert len(run.data.tags["ct.git_commit"]) == 40
    assert runs[0].data.params["train.C_hyperparameter"] == SECOND_C
    assert runs[1].data.params["train.C_hyperparameter"] == "1.0"


def test_repro_registers_versions_on_server(server_trained_project: ServerProject, server_client) -> None:
    versions = server_client.search_model_versions(f"name = '{server_trained_project.model_name}'")
    assert sorted(version.version for version in versions) == ["1", "2"]


def test_artifacts_go_through_server(server_trained_project: ServerProject, server_client) -> None:
    experiment = server_client.get_experiment_by_name(server_trained_project.experiment)
    assert experiment.artifact_location.startswith("mlflow-artifacts:")
    stored = list((server_trained_project.server.log_path.parent / "artifacts").rglob("MLmodel"))
    assert stored, "the server's artifacts folder holds no MLmodel file"
    assert not (server_trained_project.root / "mlartifacts").exists()
    assert not (server_trained_project.root / "mlflow.db").exists()


def test_model_downloads_through_server(server_trained_project: ServerProject, server_client, tmp_path: Path) -> None:
    import mlflow.artifacts

    path = mlflow.artifacts.download_artifacts(
        artifact_uri=f"models:/{server_trained_project.model_name}/1",
        dst_path=str(tmp_path),
        tracking_uri=server_trained_project.server.uri,
    )
    assert (Path(path) / "MLmodel").is_file()
