"""Fixtures shared by every test: a clean environment and temporary CT projects.

Tests never run the pipeline inside the checkout: each gets a copy of the CT
project in `tmp_path`, with its own git repository, DVC cache and SQLite store.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.registry_store import registry_project, registry_template  # noqa: F401 - shared fixtures

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The checkout of ct-tui, whose top level is the CT project."""

PROJECT_FILES = ["pipeline", "params.yaml", "dvc.yaml", "pyproject.toml", ".gitignore"]
"""What a copy of the CT project needs, besides .dvc/config."""

BIN_DIR = str(Path(sys.executable).parent)
"""The virtual environment's bin folder, where `python`, `dvc` and `ct-tui` live."""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the developer's own MLflow, ct-tui, DVC and git settings out of every test."""
    for name in list(os.environ):
        if name.startswith(("MLFLOW_", "CT_TUI_", "DVC_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    monkeypatch.setenv("PATH", BIN_DIR + os.pathsep + os.environ.get("PATH", ""))
    gitconfig = tmp_path_factory.getbasetemp() / "gitconfig"
    if not gitconfig.exists():
        gitconfig.write_text("[user]\n\tname = CT Tester\n\temail = tester@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(root: Path, *args: str) -> str:
    """Run git in `root` and return its stdout; raise on failure."""
    result = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    )
    return result.stdout


def make_ct_project(root: Path) -> Path:
    """Copy the CT project into `root`, make it a git repository and commit it."""
    root.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    (root / ".dvc").mkdir()
    for name in ("config", ".gitignore"):
        shutil.copy2(REPO_ROOT / ".dvc" / name, root / ".dvc" / name)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add the CT project")
    return root


def dvc(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `dvc` from the test environment in `root`."""
    return subprocess.run(
        [sys.executable, "-m", "dvc", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=check,
    )


@pytest.fixture
def ct_project(tmp_path: Path) -> Path:
    """A fresh, committed, never-run copy of the CT project."""
    return make_ct_project(tmp_path / "project")


@pytest.fixture(scope="session")
def trained_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the CT project after one full `dvc repro`, built once per session.

    Copy it with `copy_trained_project` before changing anything: tests share it.
    """
    root = make_ct_project(tmp_path_factory.mktemp("trained") / "project")
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PATH": BIN_DIR + os.pathsep + os.environ["PATH"]}
    env.pop("MLFLOW_TRACKING_URI", None)
    subprocess.run(
        [sys.executable, "-m", "dvc", "repro"], cwd=root, env=env, check=True, capture_output=True
    )
    git(root, "add", "dvc.lock")
    git(root, "commit", "-q", "-m", "Record the first repro")
    return root


@pytest.fixture
def trained_project(trained_template: Path, tmp_path: Path) -> Path:
    """A private copy of the trained CT project.

    NOTE: the copied mlflow.db still names the template's artifact folder, so
    artifacts of its first run are read from the template, which is intact.
    """
    root = tmp_path / "project"
    shutil.copytree(trained_template, root, symlinks=True)
    return root


@pytest.fixture(scope="session")
def mlflow_schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow SQLite store with the schema and one experiment (`ct-project`, id 1), no runs.

    Copy it with `tests.runs_store.copy_store`: creating the schema takes seconds.
    """
    from tests.runs_store import create_empty_store

    path = tmp_path_factory.mktemp("mlflow-schema") / "mlflow.db"
    create_empty_store(path)
    return path
