"""Run the team-mode MLflow server of docker-compose.yml as a local process.

There is no Docker engine on the test machines, so the tests start the very
command of the compose file's `mlflow` service natively. Only what must differ
on a test machine is replaced: the host, the port, the backend store (a
PostgreSQL database that the tests create on 127.0.0.1:5432), the artifacts
folder, the auth database and the secrets that compose reads from `.env`.
Every replaced option must exist in the compose file, so the file and the
tests cannot drift apart without a test failing.
"""

from __future__ import annotations

import configparser
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
AUTH_CONFIG_FILE = REPO_ROOT / "docker" / "mlflow" / "basic_auth.ini"
BIN_DIR = Path(sys.executable).parent

POSTGRES_URI = "postgresql+psycopg2://postgres@127.0.0.1:5432"
"""The machine's PostgreSQL server (trust authentication), without a database."""

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "team-mode-admin-pw"
"""The basic-auth admin of every test server; a test value, not a secret."""

SERVICE = "mlflow"
"""The compose service whose command the tests run."""


@dataclass(frozen=True)
class ComposeService:
    """The parts of the compose file's mlflow service that the tests use."""

    command: list[str]
    environment: dict[str, str]


def read_compose_service(path: Path = COMPOSE_FILE) -> ComposeService:
    """Read the command and environment of the mlflow service from `path`."""
    from ruamel.yaml import YAML

    document = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    service = document["services"][SERVICE]
    command = service["command"]
    if not isinstance(command, list) or command[:2] != ["mlflow", "server"]:
        raise ValueError(
            f"{path}: services.{SERVICE}.command must be a list that starts with "
            f"mlflow, server; got {command!r}"
        )
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return ComposeService([str(arg) for arg in command], {k: str(v) for k, v in environment.items()})


def replace_option(argv: list[str], option: str, value: str) -> list[str]:
    """Return `argv` with the value after `option` replaced; raise if `option` is absent."""
    if option not in argv:
        raise ValueError(f"the compose command has no {option}; tests expect to replace it")
    index = argv.index(option)
    return [*argv[: index + 1], value, *argv[index + 2 :]]


def remove_option(argv: list[str], option: str) -> list[str]:
    """Return `argv` without `option` and its value; raise if `option` is absent."""
    if option not in argv:
        raise ValueError(f"the compose command has no {option}; tests expect to remove it")
    index = argv.index(option)
    return [*argv[:index], *argv[index + 2 :]]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_database(name: str) -> str:
    """Create the PostgreSQL database `name` on 127.0.0.1:5432; return its SQLAlchemy URI."""
    _run_sql(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES_URI}/{name}"


def drop_database(name: str) -> None:
    """Drop the database `name`, closing any connection a killed server left open."""
    _run_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_sql(statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=5)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def unique_database_name(label: str) -> str:
    return f"ct_tui_test_{label}_{os.getpid()}_{secrets.token_hex(3)}"


@dataclass
class MlflowServer:
    """An `mlflow server` process started from the compose command, on 127.0.0.1."""

    argv: list[str]
    environ: dict[str, str]
    port: int
    log_path: Path
    auth: bool
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 90.0) -> None:
        """Start the server in its own process group and wait until /health returns 200."""
        if self.running:
            return
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                self.argv,
                env=self.environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            log.close()
        self._wait_healthy(timeout)

    def stop(self) -> None:
        """Stop the server's own process group: SIGTERM, then SIGKILL after 10 s."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        # start_new_session made the server the leader of a group whose id
        # is its pid, so this reaches its uvicorn workers and nothing else.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        self._kill_leftover_group(process.pid)

    def _kill_leftover_group(self, group: int) -> None:
        # Workers may outlive the leader for a moment; wait for the group to empty.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.killpg(group, signal.SIGKILL)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(
                    f"mlflow server exited with code {self.process and self.process.returncode} "
                    f"before it was healthy; its log ends with:\n{self.log_tail()}"
                )
            if self._health_ok():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"mlflow server was not healthy within {timeout} s; log:\n{self.log_tail()}")

    def _health_ok(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.uri}/health", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False  # not listening yet

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def client_environ(self, username: str | None = ADMIN_USERNAME, password: str | None = ADMIN_PASSWORD) -> dict[str, str]:
        """Return the variables a client sets to use this server, with credentials when it has auth."""
        environ = {"MLFLOW_TRACKING_URI": self.uri}
        if self.auth and username is not None and password is not None:
            environ["MLFLOW_TRACKING_USERNAME"] = username
            environ["MLFLOW_TRACKING_PASSWORD"] = password
        return environ


def build_server(
    folder: Path,
    backend_uri: str,
    *,
    auth: bool,
    port: int | None = None,
    compose: ComposeService | None = None,
) -> MlflowServer:
    """Make (not start) the compose file's server for a test, with its files under `folder`."""
    compose = compose or read_compose_service()
    port = port or free_port()
    artifacts = folder / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)

    argv = list(compose.command)
    argv[0] = str(BIN_DIR / "mlflow")
    argv = replace_option(argv, "--host", "127.0.0.1")
    argv = replace_option(argv, "--port", str(port))
    argv = replace_option(argv, "--backend-store-uri", backend_uri)
    argv = replace_option(argv, "--artifacts-destination", str(artifacts))
    # One worker process starts faster on the 2-core test machines.
    argv = replace_option(argv, "--workers", "1")
    if not auth:
        argv = remove_option(argv, "--app-name")

    substitutes = {
        # The test PostgreSQL trusts local connections.
        "PGPASSWORD": None,
        "MLFLOW_AUTH_CONFIG_PATH": str(write_auth_config(folder)) if auth else None,
        "MLFLOW_AUTH_ADMIN_PASSWORD": ADMIN_PASSWORD if auth else None,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(16) if auth else None,
    }
    environ = {name: value for name, value in os.environ.items() if not name.startswith("MLFLOW_")}
    for name, value in compose.environment.items():
        if name in substitutes:
            if substitutes[name] is not None:
                environ[name] = substitutes[name]
        elif "${" in value:
            raise ValueError(
                f"docker-compose.yml sets {name} from .env; give the test server a value for it "
                "in tests/server/mlflow_server.py"
            )
        else:
            environ[name] = value
    environ["PATH"] = f"{BIN_DIR}{os.pathsep}{environ.get('PATH', '')}"
    return MlflowServer(argv, environ, port, folder / "server.log", auth)


def write_auth_config(folder: Path) -> Path:
    """Write the compose image's basic-auth config with a database under `folder`."""
    config = configparser.ConfigParser()
    config.read(AUTH_CONFIG_FILE)
    if "database_uri" not in config["mlflow"]:
        raise ValueError(f"{AUTH_CONFIG_FILE} has no database_uri; tests expect to replace it")
    config["mlflow"]["database_uri"] = f"sqlite:///{folder / 'basic_auth.db'}"
    path = folder / "basic_auth.ini"
    with path.open("w") as handle:
        config.write(handle)
    return path
