"""The Runs screen and its index against a real `mlflow server` on 127.0.0.1 (SQLite backend).

The server is started by the tests on a free port and stopped by its process id.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from ct_tui.domain.project import Project
from ct_tui.domain.runs_index import IndexedRunsStore
from ct_tui.domain.runs_query import RunsQuery, parse_order_by
from ct_tui.domain.tracking_client import SHORT_HTTP_SETTINGS
from ct_tui.ui.screens.dialogs import ErrorDialog
from tests.conftest import make_ct_project
from tests.runs_app import make_app, open_runs, plain, settle, status_text
from tests.runs_cases import build_case_store, mlflow_run_ids

pytestmark = pytest.mark.server

MLFLOW = str(Path(sys.executable).parent / "mlflow")


@dataclass
class RunsServer:
    """An `mlflow server` process serving one SQLite store."""

    store: Path
    log: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            MLFLOW, "server", "--backend-store-uri", f"sqlite:///{self.store}",
            "--default-artifact-root", str(self.store.parent / "artifacts"),
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2",
        ]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"mlflow server did not answer on {self.url}; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def runs_server(mlflow_schema_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunsServer]:
    folder = tmp_path_factory.mktemp("runs-server")
    build_case_store(folder / "mlflow.db", mlflow_schema_template)
    server = RunsServer(folder / "mlflow.db", folder / "server.log", free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use ct-tui's own short HTTP timeout and retries, as the `ct-tui` command does."""
    for name, value in SHORT_HTTP_SETTINGS.items():
        monkeypatch.setenv(name, value)


def test_index_over_http_matches_search_runs(runs_server: RunsServer, tmp_path: Path) -> None:
    index = IndexedRunsStore(Project(tmp_path, runs_server.url))
    index.sync("1")
    client = MlflowClient(runs_server.url)
    for filter_string, order_by in [("", "metrics.accuracy DESC"), ("params.seed = '1.0'", None)]:
        sort = parse_order_by(order_by) if order_by else None
        query = RunsQuery(("1",), filter_string, sort, include_deleted=True)
        expected = mlflow_run_ids(client, "1", filter_string, query.order_by, True)
        assert index.search(query).run_ids == expected, f"{filter_string!r} ordered by {order_by}"


async def test_runs_screen_survives_a_stopped_server(
    runs_server: RunsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, short_timeouts: None
) -> None:
    root = make_ct_project(tmp_path / "project")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", runs_server.url)
    app = make_app(root)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            table = await open_runs(pilot)
            for _ in range(50):
                if len(table.rows) and "until the index is built" not in status_text(pilot):
                    break
                await pilot.pause(0.1)
                await settle(pilot)
            assert status_text(pilot).startswith("960 runs")
            title = plain(app.screen.query_one("#runs-title"))
            assert f"server {runs_server.url} (indexed locally)" in title
            shown = [row.key for row in table.rows]

            runs_server.stop()
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, ErrorDialog)
            assert f"cannot connect to the tracking server at {runs_server.url}" in app.screen._message
            await pilot.press("escape")
            assert [row.key for row in table.rows] == shown
            assert "stale" in status_text(pilot)

            runs_server.start()
            await pilot.press("r")
            await settle(pilot)
            assert "stale" not in status_text(pilot)
            assert [row.key for row in table.rows] == shown
    finally:
        if runs_server.process is None:
            runs_server.start()
