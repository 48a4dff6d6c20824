"""Fixtures for team mode: the compose file's MLflow server, run natively on 127.0.0.1.

Each server gets a PostgreSQL database of its own on 127.0.0.1:5432, which the
fixture creates and drops, a free port and temporary folders. Servers are
shared per session or module where tests leave them as they found them,
because each start costs a few seconds.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import BIN_DIR, git, make_ct_project
from tests.faulty_servers import short_http_timeouts, silent_server  # noqa: F401 - fixtures
from tests.server.mlflow_server import (
    MlflowServer,
    build_server,
    create_database,
    drop_database,
    unique_database_name,
)

SERVER_TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `server`, so `-m "not server"` leaves them out."""
    for item in items:
        if SERVER_TESTS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.server)


def _require_postgres() -> None:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError as error:
        pytest.fail(
            f"PostgreSQL is not reachable on 127.0.0.1:5432 ({error}): start it, or leave "
            'the team-mode tests out with -m "not server"'
        )


def _serve(folder: Path, label: str, *, auth: bool) -> Iterator[MlflowServer]:
    _require_postgres()
    name = unique_database_name(label)
    backend_uri = create_database(name)
    server = build_server(folder, backend_uri, auth=auth)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        drop_database(name)


@pytest.fixture(scope="session")
def team_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """The compose file's server as it is, basic-auth included, for the whole session.

    Tests must leave it running; log in with `client_environ()` (the admin).
    """
    yield from _serve(tmp_path_factory.mktemp("team-server"), "team", auth=True)


@pytest.fixture(scope="module")
def restartable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """The compose file's server without basic-auth, which tests may stop and start.

    Shared by the tests of one module; each test starts it again if it stopped it.
    """
    yield from _serve(tmp_path_factory.mktemp("restartable-server"), "restart", auth=False)


@pytest.fixture
def running_restartable_server(restartable_server: MlflowServer) -> Iterator[MlflowServer]:
    """The restartable server, running at the start and again at the end of the test."""
    restartable_server.start()
    yield restartable_server
    restartable_server.start()


@pytest.fixture
def use_server(monkeypatch: pytest.MonkeyPatch):
    """Return a function that points this process's MLflow environment at a server."""

    def point_at(environ: dict[str, str]) -> None:
        for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)

    return point_at


@dataclass(frozen=True)
class ServerProject:
    """A copy of the CT project that tracks to a team server."""

    root: Path
    server: MlflowServer
    experiment: str
    model_name: str

    def environ(self) -> dict[str, str]:
        """The client environment of the project's server, with the admin's credentials."""
        return self.server.client_environ()


def make_server_project(root: Path, server: MlflowServer, label: str) -> ServerProject:
    """Copy the CT project to `root`, naming its experiment and model after `label`.

    Tests share one server, so each project gets an experiment and a registered
    model of its own, written to a committed ct-tui.toml.
    """
    make_ct_project(root)
    experiment = f"ct-project-{label}"
    model_name = f"ct-model-{label}"
    (root / "ct-tui.toml").write_text(f'experiment = "{experiment}"\nmodel_name = "{model_name}"\n')
    git(root, "add", "ct-tui.toml")
    git(root, "commit", "-q", "-m", "Name the experiment and model of this copy")
    return ServerProject(root, server, experiment, model_name)


def repro(project: ServerProject, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `dvc repro` in the project with the server's client environment."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MLFLOW_", "CT_TUI_", "DVC_"))
    }
    environ.update(project.environ())
    environ["DVC_NO_ANALYTICS"] = "1"
    environ["PATH"] = BIN_DIR + os.pathsep + os.environ.get("PATH", "")
    return subprocess.run(
        [sys.executable, "-m", "dvc", "repro", *args],
        cwd=project.root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=240,
    )


SECOND_C = "0.05"
"""train.C_hyperparameter of the second training run."""


@pytest.fixture(scope="session")
def server_trained_project(team_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> ServerProject:
    """A CT project trained twice against the team server: runs and model versions 1 and 2.

    The second run has train.C_hyperparameter = SECOND_C. Shared by the
    session, so tests that move aliases use a model of their own.
    """
    project = make_server_project(tmp_path_factory.mktemp("server-trained") / "project", team_server, "trained")
    _repro_and_commit(project, "Record the first repro")
    params = project.root / "params.yaml"
    params.write_text(params.read_text().replace("C_hyperparameter: 1.0", f"C_hyperparameter: {SECOND_C}"))
    git(project.root, "commit", "-q", "-am", "Regularize more")
    _repro_and_commit(project, "Record the second repro")
    return project


def _repro_and_commit(project: ServerProject, message: str) -> None:
    result = repro(project)
    if result.returncode != 0:
        raise RuntimeError(f"dvc repro against {project.server.uri} failed:\n{result.stdout}\n{result.stderr}")
    git(project.root, "add", "dvc.lock")
    git(project.root, "commit", "-q", "-m", message)
