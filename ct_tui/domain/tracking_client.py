"""The MLflow client ct-tui uses, with short HTTP timeouts and readable errors.

MLflow's HTTP defaults (a 120 s timeout and 7 retries with backoff) add up to
minutes when a tracking server hangs. ct-tui sets shorter values for its own
process, unless the user set them, and keeps them out of the training
subprocess, which should wait as long as MLflow's defaults allow. MLflow 3.17
reads these variables on every request (`mlflow.utils.rest_utils.http_request`),
so setting them after mlflow is imported takes effect.
"""

from __future__ import annotations

import logging
import os
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ct_tui.domain.errors import (
    TrackingAuthError,
    TrackingError,
    TrackingTimeout,
    TrackingUnreachable,
)
from ct_tui.domain.project import Project, mask_secrets

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)

SHORT_HTTP_SETTINGS = {
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "5",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
}
"""ct-tui's own timeout in seconds, retry count and backoff factor for tracking-server calls."""

OWN_LOGGING_SETTINGS = {"MLFLOW_CONFIGURE_LOGGING": "false"}
"""Stops mlflow from giving its loggers a stderr handler, so its records reach ct-tui's log file."""

_PROCESS_ONLY_SETTINGS = {**SHORT_HTTP_SETTINGS, **OWN_LOGGING_SETTINGS}

_injected: set[str] = set()

CREDENTIAL_VARIABLES = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN")
"""The variables MLflow reads credentials for a tracking server from."""


def use_short_http_timeouts(environ: dict[str, str] | None = None) -> set[str]:
    """Set the short HTTP settings in this process where the user has not; return what was set."""
    return _set_defaults(SHORT_HTTP_SETTINGS, environ)


def keep_mlflow_logs_in_file(environ: dict[str, str] | None = None) -> set[str]:
    """Let mlflow's log records propagate to ct-tui's log file instead of stderr.

    Must run before mlflow is imported, since mlflow reads the variable at import.
    Unless the user set `MLFLOW_CONFIGURE_LOGGING` themselves.
    """
    return _set_defaults(OWN_LOGGING_SETTINGS, environ)


def _set_defaults(settings: dict[str, str], environ: dict[str, str] | None) -> set[str]:
    env = os.environ if environ is None else environ
    for name, value in settings.items():
        if name not in env:
            env[name] = value
            _injected.add(name)
    return set(_injected)


def subprocess_environ(base: dict[str, str] | None = None) -> dict[str, str]:
    """Return a copy of the environment without the settings ct-tui set for itself."""
    env = dict(os.environ if base is None else base)
    for name in _injected:
        if env.get(name) == _PROCESS_ONLY_SETTINGS[name]:
            del env[name]
    return env


def make_client(project: Project) -> "MlflowClient":
    """Return an MlflowClient on the project's tracking and registry store."""
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=project.tracking_uri, registry_uri=project.tracking_uri)


_TIMEOUT_WORDS = ("read timed out", "timed out", "timeout")
_CONNECT_WORDS = (
    "connection refused",
    "failed to establish a new connection",
    "name or service not known",
    "temporary failure in name resolution",
    "no route to host",
    "network is unreachable",
)
_DROPPED_WORDS = (
    "connection aborted",
    "connection reset",
    "remotedisconnected",
    "remote end closed connection",
    "broken pipe",
)
_STATUS_IN_TEXT = re.compile(r"(?:error code|status(?: code)?|HTTP)\s*(\d{3})\b", re.IGNORECASE)


def tracking_error(error: BaseException, tracking_uri: str) -> TrackingError:
    """Turn an exception from MLflow or its HTTP layer into a message a user can act on.

    The message never contains a password or token: URIs are masked, and so is
    any value of the credential variables.
    """
    where = mask_secrets(tracking_uri)
    text = mask_secrets(str(error))
    lowered = text.lower()
    status = http_status(error, text)

    if status == 401:
        return _unauthenticated(where, tracking_uri)
    if status == 403:
        user = _username(tracking_uri)
        subject = f"user {user!r}" if user else "this user"
        return TrackingAuthError(
            f"the tracking server at {where} denied {subject} permission for this (HTTP 403): ask "
            "an MLflow admin for access, or sign in as another user with "
            "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
        )
    if any(word in lowered for word in _TIMEOUT_WORDS):
        timeout = os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")
        return TrackingTimeout(
            f"the tracking server at {where} did not respond within {timeout} s "
            f"({_attempts()}): check that it is healthy, or raise MLFLOW_HTTP_REQUEST_TIMEOUT"
        )
    if any(word in lowered for word in _CONNECT_WORDS) or isinstance(error, ConnectionRefusedError):
        return TrackingUnreachable(
            f"cannot connect to the tracking server at {where}: start it, or check "
            "MLFLOW_TRACKING_URI and the SSH tunnel"
        )
    if any(word in lowered for word in _DROPPED_WORDS):
        return TrackingUnreachable(
            f"the tracking server at {where} closed the connection: it may be restarting; "
            "retry in a moment, or check its log"
        )
    if status is not None and status >= 500 and _is_http(tracking_uri):
        return TrackingError(
            f"the tracking server at {where} failed (HTTP {status}): check its log and its "
            f"database; it said: {_first_line(text)}"
        )
    return TrackingError(f"the tracking store at {where} failed: {text}")


def http_status(error: BaseException, text: str | None = None) -> int | None:
    """Return the HTTP status of the tracking server's response, or None if it sent no response."""
    response = getattr(error, "response", None)
    code = getattr(response, "status_code", None)
    if isinstance(code, int):
        return code
    error_code = getattr(error, "error_code", None)
    if error_code == "UNAUTHENTICATED":
        return 401
    if error_code == "PERMISSION_DENIED":
        return 403
    match = _STATUS_IN_TEXT.search(text if text is not None else str(error))
    if match:
        return int(match.group(1))
    if _is_rest_error(error) and hasattr(error, "get_http_status_code"):
        # A JSON error from the server; MLflow maps its error code to the status.
        return int(error.get_http_status_code())
    return None


def _unauthenticated(where: str, tracking_uri: str) -> TrackingAuthError:
    user = _username(tracking_uri)
    if user or os.environ.get("MLFLOW_TRACKING_TOKEN"):
        whose = f"of user {user!r}" if user else "(a token)"
        return TrackingAuthError(
            f"the tracking server at {where} rejected the credentials {whose} (HTTP 401): check "
            "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
        )
    return TrackingAuthError(
        f"the tracking server at {where} requires credentials (HTTP 401): set "
        "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
    )


def _username(tracking_uri: str) -> str | None:
    """Return the user ct-tui signs in as: MLFLOW_TRACKING_USERNAME, else the URI's user info."""
    user = os.environ.get("MLFLOW_TRACKING_USERNAME")
    if user:
        return user
    parts = urlsplit(tracking_uri)
    return unquote(parts.username) if parts.username and parts.password else None


def _attempts() -> str:
    retries = os.environ.get("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "7")
    try:
        count = int(retries) + 1
    except ValueError:
        return f"MLFLOW_HTTP_REQUEST_MAX_RETRIES={retries}"
    return "1 attempt" if count == 1 else f"{count} attempts"


def _is_http(tracking_uri: str) -> bool:
    return urlsplit(tracking_uri).scheme in ("http", "https")


def _is_rest_error(error: BaseException) -> bool:
    return type(error).__name__ == "RestException"


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:300]
