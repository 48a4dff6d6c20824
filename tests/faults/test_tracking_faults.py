"""ct-tui's MLflow calls against servers that refuse, never respond, or hang up."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ct_tui.domain.errors import TrackingAuthError, TrackingTimeout, TrackingUnreachable
from ct_tui.domain.project import Project
from ct_tui.domain.tracking_client import make_client, tracking_error
from tests.faulty_servers import FaultyServer


def read_experiments(tracking_uri: str) -> list[str]:
    """One MLflow call as ct-tui's domain functions make it, errors included."""
    project = Project(root=Path("/nonexistent"), tracking_uri=tracking_uri)
    try:
        return [experiment.name for experiment in make_client(project).search_experiments()]
    except Exception as error:  # the same net as the domain layer's store calls
        raise tracking_error(error, tracking_uri) from error


def test_refused_says_cannot_connect(refused_uri: str, short_http_timeouts) -> None:
    started = time.monotonic()
    with pytest.raises(TrackingUnreachable) as raised:
        read_experiments(refused_uri)
    assert time.monotonic() - started < 5
    message = str(raised.value)
    assert message.startswith(f"cannot connect to the tracking server at {refused_uri}")
    assert "MLFLOW_TRACKING_URI" in message
    assert "SSH tunnel" in message


def test_silent_server_times_out_fast(silent_server: FaultyServer, short_http_timeouts) -> None:
    started = time.monotonic()
    with pytest.raises(TrackingTimeout) as raised:
        read_experiments(silent_server.uri)
    elapsed = time.monotonic() - started
    # 5 s per attempt, 2 attempts; MLflow's own defaults would wait minutes.
    assert 9 < elapsed < 16
    assert silent_server.accepted == 2
    message = str(raised.value)
    assert "did not respond within 5 s (2 attempts)" in message
    assert "MLFLOW_HTTP_REQUEST_TIMEOUT" in message


def test_user_timeout_wins(silent_server: FaultyServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own settings apply, read at call time although mlflow is imported already."""
    import mlflow  # noqa: F401 - imported before the variables are set, as in ct-tui

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    started = time.monotonic()
    with pytest.raises(TrackingTimeout) as raised:
        read_experiments(silent_server.uri)
    assert time.monotonic() - started < 4
    assert silent_server.accepted == 1
    assert "within 1 s (1 attempt)" in str(raised.value)


def test_hang_up_says_connection_closed(hanging_up_server: FaultyServer, short_http_timeouts) -> None:
    with pytest.raises(TrackingUnreachable) as raised:
        read_experiments(hanging_up_server.uri)
    assert "closed the connection" in str(raised.value)


def test_unreachable_is_not_auth_error(refused_uri: str, short_http_timeouts) -> None:
    with pytest.raises(TrackingUnreachable) as raised:
        read_experiments(refused_uri)
    assert not isinstance(raised.value, TrackingAuthError)
    assert "MLFLOW_TRACKING_PASSWORD" not in str(raised.value)


def test_uri_password_never_in_message(silent_server: FaultyServer, short_http_timeouts, monkeypatch) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    uri = f"http://alice:hunter2-secret@127.0.0.1:{silent_server.port}"
    with pytest.raises(TrackingTimeout) as raised:
        read_experiments(uri)
    message = str(raised.value)
    assert "hunter2-secret" not in message
    assert "alice:***@127.0.0.1" in message
