"""The registry over HTTP: a real `mlflow server` on 127.0.0.1 in front of the test store.

The server serves a copy of the registry project's SQLite store, so the same
three versions are read over HTTP as the other tests read from the file.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ct_tui.domain.audit import read_history
from ct_tui.domain.project import open_project
from ct_tui.domain.promotion import AliasMoved, apply_move, plan_promotion, plan_rollback
from ct_tui.domain.registration import register_run_model
from ct_tui.domain.registry import read_aliases, read_model
from ct_tui.domain.tracking_client import make_client
from ct_tui.settings import load_settings
from tests.app.registry_pilot import make_app, open_registry, select_version, wait_for, wait_for_screen
from tests.conftest import BIN_DIR
from tests.registry_store import MODEL, run_ids

pytestmark = pytest.mark.server

STARTUP_SECONDS = 90
"""Seconds the server may take before /health responds; it took 9 to 18 s on a 2-core machine."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server_project(registry_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the registry project and the URL of an MLflow server on its store."""
    root = tmp_path_factory.mktemp("registry-server") / "project"
    shutil.copytree(registry_template, root, symlinks=True)
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("MLFLOW_")}
    log_file = (root.parent / "server.log").open("w")
    server = subprocess.Popen(
        [os.path.join(BIN_DIR, "mlflow"), "server", "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield root, url
    finally:
        # The server forks a worker, so the whole session it leads is stopped.
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
        log_file.close()


def _wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"mlflow server exited with {server.returncode}; see server.log")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise RuntimeError(f"mlflow server at {url} not healthy after {STARTUP_SECONDS} s")


@pytest.fixture
def over_http(server_project, monkeypatch: pytest.MonkeyPatch):
    root, url = server_project
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    project = open_project(root)
    assert project.tracking_uri == url
    # Each test starts from champion on v1, whatever the one before did.
    make_client(project).set_registered_model_alias(MODEL, "champion", "1")
    return project


def test_moves_and_race_over_http(over_http) -> None:
    project = over_http
    settings = load_settings(project.root)
    detail = read_model(project, MODEL, "accuracy")
    assert [info.version for info in detail.versions][-3:] == [3, 2, 1]
    assert detail.version(2).metrics["accuracy"] == 0.95
    assert detail.version(2).lineage.data_matches_lock is True

    plan = plan_promotion(project, settings, MODEL, 2, "champion")
    make_client(project).set_registered_model_alias(MODEL, "champion", "3")
    with pytest.raises(AliasMoved):
        apply_move(project, settings, plan)
    assert read_aliases(project, MODEL)["champion"] == 3

    record = apply_move(project, settings, plan_promotion(project, settings, MODEL, 2, "champion"))
    assert (record.from_version, record.to_version) == (3, 2)
    apply_move(project, settings, plan_rollback(project, settings, MODEL, "champion"))
    assert read_aliases(project, MODEL)["champion"] == 3
    assert read_history(make_client(project), MODEL, "champion")[0].action == "rollback"


def test_register_run_model_over_http(over_http) -> None:
    project = over_http
    result = register_run_model(project, run_ids(project.root)["unregistered"], "http-model")
    assert (result.model, result.version, result.created) == ("http-model", 1, True)


async def test_screen_promotes_over_http(over_http) -> None:
    app = make_app(over_http.root)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_registry(pilot)
        await select_version(pilot, table, 2)
        await pilot.press("p")
        await wait_for_screen(pilot, "TextInputDialog")
        await pilot.press("enter")
        await wait_for_screen(pilot, "PromoteDialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: str(table.get_row("2")[1]) == "champion", "champion on v2")
    assert read_aliases(over_http, MODEL)["champion"] == 2
