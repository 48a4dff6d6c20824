"""Short HTTP settings for ct-tui itself, kept out of the training subprocess."""

from ct_tui.domain import tracking_client
from ct_tui.domain.tracking_client import subprocess_environ, tracking_error, use_short_http_timeouts


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


def test_error_messages_name_the_fix() -> None:
    uri = "http://bob:pw@127.0.0.1:5999"
    refused = tracking_error(ConnectionError("Connection refused"), uri)
    assert "cannot connect" in str(refused)
    assert "pw" not in str(refused)
    denied = tracking_error(Exception("HTTP 401 Unauthorized"), uri)
    assert "MLFLOW_TRACKING_USERNAME" in str(denied)
    assert "MLFLOW_TRACKING_TOKEN" in str(denied)
