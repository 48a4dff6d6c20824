"""Team-server faults for real: wrong or missing credentials, no permission, secrets in logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ct_tui.domain.errors import TrackingAuthError
from ct_tui.domain.project import Project
from ct_tui.domain.tracking_client import make_client, tracking_error
from ct_tui.logging_setup import setup_logging
from tests.server.conftest import ServerProject
from tests.server.mlflow_server import ADMIN_USERNAME, MlflowServer

VIEWER = "viewer"
VIEWER_PASSWORD = "viewer-password-1"


def read_experiments(tracking_uri: str) -> list[str]:
    """One MLflow call as ct-tui's domain functions make it, errors included."""
    project = Project(root=Path("/nonexistent"), tracking_uri=tracking_uri)
    try:
        return [experiment.name for experiment in make_client(project).search_experiments()]
    except Exception as error:  # the same net as the domain layer's store calls
        raise tracking_error(error, tracking_uri) from error


def test_admin_reads_server(team_server: MlflowServer, use_server) -> None:
    use_server(team_server.client_environ())
    assert "Default" in read_experiments(team_server.uri)


def test_missing_credentials_named(team_server: MlflowServer, use_server) -> None:
    use_server({"MLFLOW_TRACKING_URI": team_server.uri})
    with pytest.raises(TrackingAuthError) as raised:
        read_experiments(team_server.uri)
    message = str(raised.value)
    assert "requires credentials (HTTP 401)" in message
    assert "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD" in message
    assert "MLFLOW_TRACKING_TOKEN" in message
    assert "cannot connect" not in message


def test_wrong_password_named(team_server: MlflowServer, use_server) -> None:
    use_server(team_server.client_environ(password="wrong-password-123"))
    with pytest.raises(TrackingAuthError) as raised:
        read_experiments(team_server.uri)
    message = str(raised.value)
    assert f"rejected the credentials of user '{ADMIN_USERNAME}' (HTTP 401)" in message
    assert "MLFLOW_TRACKING_PASSWORD" in message
    assert "wrong-password-123" not in message


def test_wrong_token_named(team_server: MlflowServer, use_server) -> None:
    use_server({"MLFLOW_TRACKING_URI": team_server.uri, "MLFLOW_TRACKING_TOKEN": "not-a-valid-token"})
    with pytest.raises(TrackingAuthError) as raised:
        read_experiments(team_server.uri)
    message = str(raised.value)
    assert "rejected the credentials (a token) (HTTP 401)" in message
    assert "not-a-valid-token" not in message


def test_password_in_uri_masked(team_server: MlflowServer, use_server) -> None:
    uri = team_server.uri.replace("http://", "http://admin:uri-wrong-pw@")
    use_server({"MLFLOW_TRACKING_URI": uri})
    with pytest.raises(TrackingAuthError) as raised:
        read_experiments(uri)
    message = str(raised.value)
    assert "uri-wrong-pw" not in message
    assert "admin:***@127.0.0.1" in message


def test_no_permission_is_403(server_trained_project: ServerProject, use_server) -> None:
    """With the compose file's default EDIT permission, only an owner (MANAGE) removes an alias."""
    from mlflow.server import get_app_client

    server = server_trained_project.server
    model = "ct-model-permissions"
    use_server(server.client_environ())
    admin = get_app_client("basic-auth", tracking_uri=server.uri)
    admin.create_user(VIEWER, VIEWER_PASSWORD)
    owner = make_client(Project(server_trained_project.root, server.uri))
    owner.copy_model_version(f"models:/{server_trained_project.model_name}/1", model)
    owner.set_registered_model_alias(model, "staging", "1")

    use_server(server.client_environ(VIEWER, VIEWER_PASSWORD))
    client = make_client(Project(root=server_trained_project.root, tracking_uri=server.uri))
    assert client.get_registered_model(model).aliases == {"staging": "1"}
    with pytest.raises(Exception) as raised:
        client.delete_registered_model_alias(model, "staging")
    converted = tracking_error(raised.value, server.uri)
    use_server(server.client_environ())
    owner.delete_registered_model(model)

    assert isinstance(converted, TrackingAuthError)
    message = str(converted)
    assert f"denied user '{VIEWER}' permission for this (HTTP 403)" in message
    assert "MLFLOW_TRACKING_USERNAME" in message
    assert VIEWER_PASSWORD not in message


@pytest.fixture
def app_log(tmp_path: Path):
    """ct-tui's log file set up as the app does, with the root logger restored after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    path = tmp_path / "ct-tui.log"
    setup_logging(path)
    yield path
    for handler in list(root.handlers):
        handler.close()
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_log_file_has_no_password(team_server: MlflowServer, use_server, app_log: Path) -> None:
    secret = "log-secret-password"
    uri = team_server.uri.replace("http://", f"http://admin:{secret}@")
    use_server({"MLFLOW_TRACKING_URI": uri})
    log = logging.getLogger("ct_tui.test")
    try:
        read_experiments(uri)
    except TrackingAuthError as error:
        log.warning("%s: %s", error.title, error)
        log.error("worker failed", exc_info=error)
    # MLflow's own loggers and urllib3 write to the same file.
    logging.getLogger("mlflow.tracking").warning("client for %s", uri)
    logging.getLogger("urllib3.connectionpool").warning("retrying %s", uri)

    text = app_log.read_text()
    assert "HTTP 401" in text
    assert secret not in text
    assert "admin:***@" in text
