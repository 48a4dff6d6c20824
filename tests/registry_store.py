"""A small project with a real MLflow SQLite store holding three versions of `ct-model`.

Built once per test session by a subprocess (`python -m tests.registry_store
ROOT`), so that MLflow's process-wide state stays out of the test process.
Everything a screen shows is fixed (commit, metrics, params, registration
times), so snapshot tests of this store are deterministic.

The versions, each logged as a small scikit-learn model by its own run:

| version | accuracy | f1   | train.C_hyperparameter |
| ------- | -------- | ---- | ---------------------- |
| 1       | 0.90     | 0.88 | 1.0                    |
| 2       | 0.95     | 0.93 | 0.5                    |
| 3       | 0.85     | 0.80 | 2.0                    |

Alias `champion` points at version 1, set with a plain MLflow call, so no
audit record exists yet. Two more runs: `unregistered` logged a model that
is not registered, and `no-model` logged none. `runs.json` maps run names to ids.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

MODEL = "ct-model"
DATA_PATH = "data/raw/train.csv"
DATA_MD5 = "5d41402abc4b2a76b9719d911017c592"
FIXED_DATE = "2026-01-05T10:00:00+00:00"
REGISTERED_AT_MS = 1_767_607_200_000
"""2026-01-05 10:00 UTC: version N is shown as registered N hours later."""

VERSIONS = [
    {"accuracy": 0.90, "f1": 0.88, "C": "1.0"},
    {"accuracy": 0.95, "f1": 0.93, "C": "0.5"},
    {"accuracy": 0.85, "f1": 0.80, "C": "2.0"},
]

DVC_LOCK = f"""schema: '2.0'
stages:
  data:
    cmd: python -m pipeline.data
    outs:
    - path: {DATA_PATH}
      hash: md5
      md5: {DATA_MD5}
      size: 1024
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "CT Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "CT Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
    "GIT_AUTHOR_DATE": FIXED_DATE,
    "GIT_COMMITTER_DATE": FIXED_DATE,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def build(root: Path) -> Path:
    """Build the project at `root` in a subprocess; return `root`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MLFLOW_", "CT_TUI_"))}
    repo_root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "-m", "tests.registry_store", str(root)],
        cwd=repo_root, env=env, check=True, capture_output=True, text=True,
    )
    return root


def run_ids(root: Path) -> dict[str, str]:
    """Return {run name: run id} of the project built at `root`."""
    return json.loads((root / "runs.json").read_text())


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def _make_repository(root: Path) -> str:
    root.mkdir(parents=True)
    (root / ".dvc").mkdir()
    (root / ".dvc" / "config").write_text("")
    (root / "dvc.lock").write_text(DVC_LOCK)
    (root / ".gitignore").write_text("/mlflow.db\n/mlartifacts/\n/runs.json\n/.ct-tui/\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Train the first model")
    return _git(root, "rev-parse", "HEAD").strip()


def _log_store(root: Path, commit: str) -> dict[str, str]:
    import mlflow
    import mlflow.sklearn
    import numpy as np
    from mlflow import MlflowClient
    from sklearn.linear_model import LogisticRegression

    uri = f"sqlite:///{root / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.create_experiment("ct-project", artifact_location=(root / "mlartifacts").as_uri())
    mlflow.set_experiment("ct-project")
    features = np.arange(40, dtype=float).reshape(20, 2)
    model = LogisticRegression().fit(features, [0] * 10 + [1] * 10)
    lineage = {
        "ct.git_commit": commit,
        "ct.git_dirty": "false",
        "ct.data_md5": DATA_MD5,
        "ct.data_path": DATA_PATH,
    }

    ids: dict[str, str] = {}
    for number, values in enumerate(VERSIONS, start=1):
        with mlflow.start_run(run_name=f"train-{number}") as run:
            mlflow.log_params({"train.C_hyperparameter": values["C"], "train.max_iter": "200"})
            mlflow.log_metrics({"accuracy": values["accuracy"], "f1": values["f1"]})
            mlflow.set_tags(lineage)
            mlflow.sklearn.log_model(model, name="model", registered_model_name=MODEL, pip_requirements=["scikit-learn"])
        ids[f"train-{number}"] = run.info.run_id
    with mlflow.start_run(run_name="unregistered") as run:
        mlflow.log_metrics({"accuracy": 0.91, "f1": 0.9})
        mlflow.set_tags(lineage)
        mlflow.sklearn.log_model(model, name="model", pip_requirements=["scikit-learn"])
    ids["unregistered"] = run.info.run_id
    with mlflow.start_run(run_name="no-model") as run:
        mlflow.log_metric("accuracy", 0.5)
    ids["no-model"] = run.info.run_id

    MlflowClient(uri, uri).set_registered_model_alias(MODEL, "champion", "1")
    return ids


def _fix_times(root: Path) -> None:
    """Give versions fixed registration times, which MLflow's API cannot set."""
    with sqlite3.connect(root / "mlflow.db") as connection:
        for number in range(1, len(VERSIONS) + 1):
            stamp = REGISTERED_AT_MS + number * 3_600_000
            connection.execute(
                "UPDATE model_versions SET creation_time = ?, last_updated_time = ? WHERE version = ?",
                (stamp, stamp, number),
            )


def main(root: Path) -> None:
    commit = _make_repository(root)
    ids = _log_store(root, commit)
    _fix_times(root)
    (root / "runs.json").write_text(json.dumps(ids, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]))


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry project, built once per session; copy it with `registry_project`."""
    return build(tmp_path_factory.mktemp("registry") / "project")


@pytest.fixture
def registry_project(registry_template: Path, tmp_path: Path) -> Path:
    """A private copy of the registry project, safe to change."""
    root = tmp_path / "project"
    shutil.copytree(registry_template, root, symlinks=True)
    return root
