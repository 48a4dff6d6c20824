"""Run detail with its lineage, compare of marked runs, and "use these params", on real stores."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from rich.console import Console
from textual.widgets import DataTable, Static

from ct_tui.domain import tags
from ct_tui.domain.lineage import read_lock_md5s
from ct_tui.ui.screens.run_compare import RunCompareScreen
from ct_tui.ui.screens.run_detail import RunDetailScreen
from tests.conftest import git, make_ct_project
from tests.runs_app import make_app, open_runs, plain, settle
from tests.runs_store import build_store

DATA_PATH = "data/raw/train.csv"


def add_lineage_runs(root: Path) -> dict[str, str]:
    """Log four runs whose lineage differs; return {run name: run id}."""
    commit = git(root, "rev-parse", "HEAD~1").strip()
    md5 = read_lock_md5s(root)[DATA_PATH]
    clean = {tags.GIT_COMMIT: commit, tags.GIT_DIRTY: "false", tags.DATA_MD5: md5, tags.DATA_PATH: DATA_PATH}
    client = MlflowClient(f"sqlite:///{root / 'mlflow.db'}")
    variants = {
        "committed": clean,
        "uncommitted": {**clean, tags.GIT_DIRTY: "true"},
        "untagged": {},
        "other-data": {**clean, tags.DATA_MD5: "0" * 32},
    }
    ids = {}
    for name, run_tags in variants.items():
        run = client.create_run("1", run_name=name, tags=run_tags)
        client.log_metric(run.info.run_id, "accuracy", 0.9)
        client.set_terminated(run.info.run_id)
        ids[name] = run.info.run_id
    return ids


async def lineage_of(pilot, run_id: str) -> str:
    screen = pilot.app.screen
    table = screen.query_one("#runs-table")
    table.cursor_row = [row.key for row in table.rows].index(run_id)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RunDetailScreen)
    await pilot.press("l")
    text = plain(pilot.app.screen.query_one("#detail-lineage", Static))
    await pilot.press("escape")
    return text


async def test_lineage_panel(trained_project: Path) -> None:
    ids = add_lineage_runs(trained_project)
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_runs(pilot)

        committed = await lineage_of(pilot, ids["committed"])
        assert "Add the CT project" in committed
        assert "in this repository" in committed
        assert "clean at training time" in committed
        assert "same as the current dvc.lock" in committed

        uncommitted = await lineage_of(pilot, ids["uncommitted"])
        assert "uncommitted changes at training time" in uncommitted
        assert "! trained with uncommitted changes in the working tree" in uncommitted

        untagged = await lineage_of(pilot, ids["untagged"])
        assert "Commit   unknown: the run has no commit tag" in untagged
        assert "Data     unknown" in untagged

        other_data = await lineage_of(pilot, ids["other-data"])
        assert "differs from the current dvc.lock" in other_data
        assert "! data data/raw/train.csv differs from the current dvc.lock" in other_data


async def test_detail_of_trained_run_lists_params_and_models(trained_project: Path) -> None:
    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        models = [column.label for column in table.columns].index("Models")
        assert table.rows[0].cells[models] == "v1", "the run registered version 1 of ct-model"
        await pilot.press("enter")
        await settle(pilot)
        console = Console(width=80, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#detail-overview", Static).content)
        overview = [line.split() for line in console.export_text().splitlines()]
        assert ["train.C_hyperparameter", "1.0"] in overview
        assert ["ct.git_dirty", "false"] in overview
        assert "model model" in plain(app.screen.query_one("#detail-artifacts", Static))
        lineage = plain(app.screen.query_one("#detail-lineage", Static))
        assert "Models   ct-model v1" in lineage


def one_param_apart(runs) -> None:
    for run in runs:
        run.params = {"seed": "42", "train.C_hyperparameter": "1.0", "train.max_iter": "200"}
        run.metrics = {"accuracy": 0.9, "f1": 0.8}
    runs[0].params["train.C_hyperparameter"] = "0.5"


async def test_compare_only_differences(mlflow_schema_template: Path, tmp_path: Path) -> None:
    root = make_ct_project(tmp_path / "project")
    build_store(root / "mlflow.db", 2, template=mlflow_schema_template, change=one_param_apart)
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_runs(pilot)
        await pilot.press("space", "space", "C")
        await settle(pilot)
        assert isinstance(app.screen, RunCompareScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 5
        await pilot.press("d")
        keys = [row.value for row in table.rows]
        assert keys == ["param:train.C_hyperparameter"]
        assert [str(cell) for cell in table.get_row_at(0)[1:]] == ["1.0", "0.5"]
        await pilot.press("d")
        assert table.row_count == 5


async def test_compare_needs_two_marked_runs(mlflow_schema_template: Path, tmp_path: Path) -> None:
    root = make_ct_project(tmp_path / "project")
    build_store(root / "mlflow.db", 2, template=mlflow_schema_template)
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_runs(pilot)
        await pilot.press("space", "C")
        await pilot.pause()
        assert not isinstance(app.screen, RunCompareScreen)


async def test_use_params_writes_only_the_run_values(trained_project: Path) -> None:
    pytest.importorskip("ct_tui.domain.params", reason="the Params screen's safe write is not in this build")
    client = MlflowClient(f"sqlite:///{trained_project / 'mlflow.db'}")
    first = client.search_runs(["1"])[0]
    params = dict(first.data.params)
    params["train.C_hyperparameter"] = "0.5"
    run = client.create_run("1", run_name="older-params")
    for key, value in params.items():
        client.log_param(run.info.run_id, key, value)
    client.set_terminated(run.info.run_id)
    before = (trained_project / "params.yaml").read_text().splitlines()

    app = make_app(trained_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        assert table.rows[0].key == run.info.run_id
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)

    after = (trained_project / "params.yaml").read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert len(before) == len(after)
    assert changed == [("  C_hyperparameter: 1.0", "  C_hyperparameter: 0.5")]
