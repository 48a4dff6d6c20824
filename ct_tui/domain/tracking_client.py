"""The MLflow client ct-tui uses, with short HTTP timeouts and readable errors.

MLflow's HTTP defaults (a 120 s timeout and 7 retries with backoff) add up to
minutes when a tracking server hangs. ct-tui sets shorter values for its own
process, unless the user set them, and keeps them out of the training
subprocess, which should wait as long as MLflow's defaults allow.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from ct_tui.domain.errors import TrackingError
from ct_tui.domain.project import Project, mask_uri

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = logging.getLogger(__name__)

SHORT_HTTP_SETTINGS = {
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "5",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
}
"""ct-tui's own timeout in seconds, retry count and backoff factor for tracking-server calls."""

_injected: set[str] = set()


def use_short_http_timeouts(environ: dict[str, str] | None = None) -> set[str]:
    """Set the short HTTP settings in this process where the user has not; return what was set."""
    env = os.environ if environ is None else environ
    for name, value in SHORT_HTTP_SETTINGS.items():
        if name not in env:
            env[name] = value
            _injected.add(name)
    return set(_injected)


def subprocess_environ(base: dict[str, str] | None = None) -> dict[str, str]:
    """Return a copy of the environment without the HTTP settings ct-tui set for itself."""
    env = dict(os.environ if base is None else base)
    for name in _injected:
        if env.get(name) == SHORT_HTTP_SETTINGS[name]:
            del env[name]
    return env


def make_client(project: Project) -> "MlflowClient":
    """Return an MlflowClient on the project's tracking and registry store."""
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=project.tracking_uri, registry_uri=project.tracking_uri)


def tracking_error(error: BaseException, tracking_uri: str) -> TrackingError:
    """Turn an exception from MLflow or its HTTP layer into a message a user can act on."""
    where = mask_uri(tracking_uri)
    text = mask_uri(str(error))
    status = _http_status(error, text)
    if status in (401, 403):
        return TrackingError(
            f"the tracking server at {where} rejected the credentials (HTTP {status}): set "
            "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
        )
    lowered = text.lower()
    if "timed out" in lowered or "timeout" in lowered or "read timed out" in lowered:
        timeout = os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")
        return TrackingError(
            f"the tracking server at {where} did not answer within {timeout} s: check that it "
            "is healthy, or raise MLFLOW_HTTP_REQUEST_TIMEOUT"
        )
    if any(word in lowered for word in ("connection refused", "max retries exceeded", "failed to establish", "connectionerror", "name or service not known")):
        return TrackingError(
            f"cannot connect to the tracking server at {where}: start it, or check "
            "MLFLOW_TRACKING_URI and the SSH tunnel"
        )
    return TrackingError(f"the tracking store at {where} failed: {text}")


def _http_status(error: BaseException, text: str) -> int | None:
    response = getattr(error, "response", None)
    code = getattr(response, "status_code", None)
    if isinstance(code, int):
        return code
    for candidate in (401, 403):
        if f"{candidate}" in text and ("unauthorized" in text.lower() or "forbidden" in text.lower() or "permission" in text.lower()):
            return candidate
    return None
