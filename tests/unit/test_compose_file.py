"""docker-compose.yml for team mode: local-only ports, no secrets, health checks, volumes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.server.mlflow_server import (
    COMPOSE_FILE,
    REPO_ROOT,
    build_server,
    read_compose_service,
)

ENV_EXAMPLE = REPO_ROOT / ".env.example"
VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe", pure=True).load(COMPOSE_FILE.read_text())


def test_ports_bound_to_loopback(compose: dict) -> None:
    published = [port for service in compose["services"].values() for port in service.get("ports", [])]
    assert published
    for port in published:
        assert str(port).startswith("127.0.0.1:"), f"{port} is reachable from other machines"


def test_both_services_have_healthchecks(compose: dict) -> None:
    for name in ("postgres", "mlflow"):
        assert "test" in compose["services"][name]["healthcheck"], name


def test_mlflow_waits_for_healthy_postgres(compose: dict) -> None:
    assert compose["services"]["mlflow"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_data_on_named_volumes(compose: dict) -> None:
    declared = set(compose["volumes"])
    for service in compose["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            assert source in declared, f"{mount} is not on a named volume"
    assert {"postgres-data", "mlflow-artifacts"} <= declared


def test_server_proxies_artifacts(compose: dict) -> None:
    command = compose["services"]["mlflow"]["command"]
    assert "--serve-artifacts" in command
    destination = command[command.index("--artifacts-destination") + 1]
    mounts = [mount.split(":")[1] for mount in compose["services"]["mlflow"]["volumes"]]
    assert destination in mounts


def test_no_secret_written_in_file() -> None:
    text = COMPOSE_FILE.read_text()
    for line in text.splitlines():
        if re.search(r"PASSWORD|SECRET", line) and ":" in line and not line.lstrip().startswith("#"):
            value = line.split(":", 1)[1].strip()
            assert value.startswith("${"), f"a secret written in the file: {line.strip()}"
    assert not re.search(r"postgresql(\+\w+)?://[^@/\s]+:[^@/\s]+@", text), "a password in a database URI"


def test_required_secrets_fail_loudly() -> None:
    for match in VARIABLE.finditer(COMPOSE_FILE.read_text()):
        name = match.group(1)
        if "PASSWORD" in name or "SECRET" in name:
            assert ":?" in match.group(0), f"{name} has no error for a missing value"


def test_env_example_lists_every_variable() -> None:
    documented = set(re.findall(r"^#?(\w+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    used = {match.group(1) for match in VARIABLE.finditer(COMPOSE_FILE.read_text())}
    assert used == documented


def test_env_file_ignored_by_git() -> None:
    result = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO_ROOT)
    assert result.returncode == 0


def test_test_server_uses_compose_command(tmp_path: Path) -> None:
    service = read_compose_service()
    server = build_server(tmp_path, "postgresql+psycopg2://postgres@127.0.0.1:5432/x", auth=True, port=5999)
    assert server.argv[1:] == [
        *_replaced(service.command[1:], {
            "--host": "127.0.0.1",
            "--port": "5999",
            "--backend-store-uri": "postgresql+psycopg2://postgres@127.0.0.1:5432/x",
            "--artifacts-destination": str(tmp_path / "artifacts"),
            "--workers": "1",
        })
    ]
    assert server.environ["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] == "false"
    assert server.environ["MLFLOW_AUTH_CONFIG_PATH"] == str(tmp_path / "basic_auth.ini")


def test_missing_option_detected(tmp_path: Path) -> None:
    """A compose command without an option the tests replace fails, not silently differs."""
    document = YAML(typ="safe", pure=True).load(COMPOSE_FILE.read_text())
    command = document["services"]["mlflow"]["command"]
    index = command.index("--artifacts-destination")
    del command[index : index + 2]
    changed = tmp_path / "docker-compose.yml"
    YAML().dump(document, changed)
    with pytest.raises(ValueError, match="--artifacts-destination"):
        build_server(tmp_path, "postgresql+psycopg2://x", auth=False, compose=read_compose_service(changed))


def _replaced(argv: list[str], values: dict[str, str]) -> list[str]:
    result = list(argv)
    for option, value in values.items():
        result[result.index(option) + 1] = value
    return result
