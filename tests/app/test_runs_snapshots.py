"""Snapshots of the Runs screen and the compare view at 80x24.

The project sits at a fixed path, the runs have fixed start times and seeded
ids, and times are shown in UTC, so every picture is the same on every machine.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from tests.conftest import make_ct_project
from tests.runs_app import make_app, settle
from tests.runs_store import build_store

SNAPSHOT_ROOT = Path("/tmp/ct-tui-snapshots/runs")
"""Shown in the header, so it must not vary between runs of the tests."""


@pytest.fixture(scope="module")
def snapshot_store(mlflow_schema_template: Path) -> Path:
    """Built once per module: MLflow caches its database engine by URI, so a store
    deleted and recreated at the same path would be written through a stale engine."""
    shutil.rmtree(SNAPSHOT_ROOT, ignore_errors=True)
    root = make_ct_project(SNAPSHOT_ROOT / "project")
    _, runs = build_store(root / "mlflow.db", 40, template=mlflow_schema_template)
    client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}", registry_uri=f"sqlite:///{root / 'mlflow.db'}")
    client.create_registered_model("ct-model")
    client.create_model_version("ct-model", "file:///models/ct", run_id=runs[-1].run_id)
    client.set_registered_model_alias("ct-model", "champion", "1")
    return root


@pytest.fixture
def snapshot_project(snapshot_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield snapshot_store
    monkeypatch.undo()
    time.tzset()


def test_runs_screen(snap_compare, snapshot_project: Path) -> None:
    """The newest runs first: start, status, duration, the three metrics, the differing params,
    the short commit, and `v1 @champion` on the newest run; the status line reads 40 runs."""

    async def open_runs(pilot) -> None:
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(make_app(snapshot_project), terminal_size=(80, 24), run_before=open_runs)


def test_compare_view(snap_compare, snapshot_project: Path) -> None:
    """Two marked runs side by side, differing rows highlighted, the accuracy of both overlaid in one plot."""

    async def compare_two(pilot) -> None:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("space", "space", "C")
        await settle(pilot)

    assert snap_compare(make_app(snapshot_project), terminal_size=(80, 24), run_before=compare_two)
