"""Short HTTP settings for ct-tui itself, kept out of the training subprocess; error wording."""

import pytest

from ct_tui.domain import tracking_client
from ct_tui.domain.errors import TrackingAuthError, TrackingError
from ct_tui.domain.project import mask_secrets
from ct_tui.domain.tracking_client import (
    keep_mlflow_logs_in_file,
    subprocess_environ,
    tracking_error,
    use_short_http_timeouts,
)


def test_short_timeouts_set_but_not_passed_on(monkeypatch) -> None:
    monkeypatch.setattr(tracking_client, "_injected", set())
    env: dict[str, str] = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "9"}
    injected = use_short_http_timeouts(env)
    assert env["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "5"
    assert env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "9"
    assert "MLFLOW_HTTP_REQUEST_MAX_RETRIES" not in injected
    child = subprocess_environ(env)
    assert "MLFLOW_HTTP_REQUEST_TIMEOUT" not in child
    assert child["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "9"


def test_mlflow_logging_setting_not_passed_on(monkeypatch) -> None:
    monkeypatch.setattr(tracking_client, "_injected", set())
    env: dict[str, str] = {}
    keep_mlflow_logs_in_file(env)
    assert env["MLFLOW_CONFIGURE_LOGGING"] == "false"
    assert "MLFLOW_CONFIGURE_LOGGING" not in subprocess_environ(env)


def test_user_mlflow_logging_setting_kept(monkeypatch) -> None:
    monkeypatch.setattr(tracking_client, "_injected", set())
    env = {"MLFLOW_CONFIGURE_LOGGING": "true"}
    keep_mlflow_logs_in_file(env)
    assert env["MLFLOW_CONFIGURE_LOGGING"] == "true"
    assert subprocess_environ(env)["MLFLOW_CONFIGURE_LOGGING"] == "true"


def test_error_messages_name_the_fix() -> None:
    uri = "http://bob:pw@127.0.0.1:5999"
    refused = tracking_error(ConnectionError("Connection refused"), uri)
    assert "cannot connect" in str(refused)
    assert "pw" not in str(refused)
    denied = tracking_error(Exception("HTTP 401 Unauthorized"), uri)
    assert isinstance(denied, TrackingAuthError)
    assert "user 'bob'" in str(denied)
    assert "MLFLOW_TRACKING_USERNAME" in str(denied)
    assert "MLFLOW_TRACKING_TOKEN" in str(denied)


def test_server_error_names_status() -> None:
    error = Exception("API request to endpoint /api/2.0/mlflow/runs/search failed with error code 503 != 200")
    converted = tracking_error(error, "http://127.0.0.1:5999")
    assert type(converted) is TrackingError
    assert "failed (HTTP 503)" in str(converted)


@pytest.mark.parametrize("name", ["MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"])
def test_mask_secrets_hides_variable_values(name: str) -> None:
    text = "header was Basic s3cr3t-value and uri http://u:p4ss@host"
    masked = mask_secrets(text, {name: "s3cr3t-value"})
    assert "s3cr3t-value" not in masked
    assert "p4ss" not in masked
    assert "Basic ***" in masked


def test_mask_secrets_leaves_short_values() -> None:
    assert mask_secrets("a cat sat", {"MLFLOW_TRACKING_PASSWORD": "at"}) == "a cat sat"


def test_error_masks_variable_password(monkeypatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "very-secret-pw")
    converted = tracking_error(Exception("bad request with very-secret-pw inside"), "http://h:1")
    assert "very-secret-pw" not in str(converted)
