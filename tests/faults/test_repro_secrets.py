"""A repro started by ct-tui: MLflow's own HTTP defaults, and no credential in its output."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ct_tui.domain import tracking_client
from ct_tui.domain.dvc_commands import repro_command
from ct_tui.domain.project import Project
from ct_tui.domain.repro import subprocess_env
from tests.pipeline_projects import stage_script_project
from tests.unit.test_repro import Recorder

URI_PASSWORD = "uri-secret-pw"
ENV_PASSWORD = "env-secret-pw"

# Prints what a training stage prints: a tracking URI with user info, a
# run link, and (by mistake) the password variable; the last line is split
# across two writes so that ct-tui receives it as a partial line first.
LEAKY_STAGE = f"""\
import os
import sys
import time

uri = os.environ["MLFLOW_TRACKING_URI"]
print(f"logged run abc to {{uri}}")
print(f"View run at: {{uri}}/#/experiments/1/runs/abc")
print("password is " + os.environ["MLFLOW_TRACKING_PASSWORD"])
print(uri[:20], end="", flush=True)
time.sleep(1.0)
print(uri[20:] + " done", flush=True)
"""


def test_repro_env_drops_short_timeouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracking_client, "_injected", set())
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "9")
    tracking_client.use_short_http_timeouts()
    tracking_client.keep_mlflow_logs_in_file()
    project = Project(root=tmp_path, tracking_uri="http://127.0.0.1:5000")

    env = subprocess_env(project)

    assert "MLFLOW_HTTP_REQUEST_TIMEOUT" not in env
    assert "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR" not in env
    assert "MLFLOW_CONFIGURE_LOGGING" not in env
    assert env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "9"
    assert env["MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5000"


def test_repro_output_masks_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uri = f"http://alice:{URI_PASSWORD}@127.0.0.1:5000"
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", ENV_PASSWORD)
    root = stage_script_project(tmp_path / "project", "leaky", textwrap.dedent(LEAKY_STAGE))
    recorder = Recorder()

    run = recorder.start(Project(root=root, tracking_uri=uri), repro_command())
    assert recorder.finished.wait(60)

    assert recorder.result is not None and recorder.result.ok, recorder.texts()
    assert any(partial.startswith("http://…") for partial in recorder.partials), recorder.partials
    on_screen = "\n".join(recorder.texts() + recorder.partials)
    saved = run.log_path.read_text()
    for text in (on_screen, saved):
        assert "logged run abc to http://alice:***@127.0.0.1:5000" in text
        assert "password is ***" in text
        assert URI_PASSWORD[:7] not in text
        assert ENV_PASSWORD not in text
