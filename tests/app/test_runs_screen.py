"""The Runs screen on a real MLflow SQLite store: paging, sorting, filtering, columns, deleted runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from textual.widgets import OptionList, SelectionList

from ct_tui.ui.messages import ReproFinished, ReproStarted
from ct_tui.ui.screens.dialogs import ErrorDialog
from ct_tui.ui.screens.runs import RunsScreen
from ct_tui.ui.screens.runs_dialogs import SortPicker
from tests.conftest import make_ct_project
from tests.runs_app import column_cells, make_app, open_runs, settle, status_text
from tests.runs_cases import build_case_store, mlflow_run_ids
from tests.runs_store import build_store


@pytest.fixture(scope="module")
def case_project(mlflow_schema_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CT project whose store holds 1,200 runs with every hard case of sorting; tests only read it."""
    root = make_ct_project(tmp_path_factory.mktemp("runs-screen") / "project")
    build_case_store(root / "mlflow.db", mlflow_schema_template)
    return root


@pytest.fixture
def small_project(mlflow_schema_template: Path, tmp_path: Path) -> Path:
    root = make_ct_project(tmp_path / "project")
    build_store(root / "mlflow.db", 12, template=mlflow_schema_template)
    return root


async def choose_sort(pilot, label: str) -> None:
    await pilot.press("o")
    picker = pilot.app.screen
    assert isinstance(picker, SortPicker)
    picker.query_one(OptionList).highlighted = picker._labels.index(label)
    await pilot.press("enter")
    await settle(pilot)


async def test_sorted_paging_matches_search_runs(case_project: Path) -> None:
    client = MlflowClient(f"sqlite:///{case_project / 'mlflow.db'}")
    expected = mlflow_run_ids(client, "1", "", ["metrics.`accuracy` DESC"], include_deleted=False)
    app = make_app(case_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        await choose_sort(pilot, "accuracy ↓ highest first")

        assert table.rows[0].key == expected[0]
        assert column_cells(table, "accuracy")[0] == "inf"
        assert len(table.rows) < len(expected)
        assert status_text(pilot).startswith(f"{len(expected):,} runs, {len(table.rows):,} loaded, more below")

        while table.has_more:
            await pilot.press("end")
            await settle(pilot)
        assert [row.key for row in table.rows] == expected
        assert status_text(pilot).startswith(f"{len(expected):,} runs · sorted by accuracy ↓")
        assert column_cells(table, "accuracy")[-1] == "", "runs without the metric come last"


async def test_filter_string_and_invalid_filter(case_project: Path) -> None:
    filter_string = "params.seed = '1.0' and metrics.f1 <= 0.7"
    client = MlflowClient(f"sqlite:///{case_project / 'mlflow.db'}")
    expected = mlflow_run_ids(client, "1", filter_string, [], include_deleted=False)
    app = make_app(case_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        await pilot.press("slash")
        await pilot.press(*filter_string, "enter")
        await settle(pilot)
        assert [row.key for row in table.rows] == expected
        assert f"filter: {filter_string}" in status_text(pilot)

        await pilot.press("slash", "ctrl+u")
        await pilot.press(*"metrics.f1 >> 2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "invalid filter 'metrics.f1 >> 2'" in app.screen._message
        await pilot.press("escape")
        assert [row.key for row in table.rows] == expected, "the last rows stay on screen"
        assert "stale" in status_text(pilot)
        assert f"filter: {filter_string}" in status_text(pilot)


async def test_column_choice(case_project: Path) -> None:
    app = make_app(case_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        labels = [column.label for column in table.columns]
        assert labels == ["Start", "Status", "Time", "accuracy", "f1", "roc_auc", "Commit", "Models", "seed", "train.C_hyperparameter", "train.max_iter"]

        await pilot.press("c")
        selection = app.screen.query_one(SelectionList)
        selection.deselect("metric:f1")
        selection.deselect("param:seed")
        selection.deselect("param:train.max_iter")
        await pilot.press("a")
        await pilot.pause()
        labels = [column.label for column in table.columns]
        assert labels == ["Start", "Status", "Time", "accuracy", "roc_auc", "Commit", "Models", "train.C_hyperparameter"]
        assert all(cell for cell in column_cells(table, "train.C_hyperparameter"))


async def test_deleted_runs_toggle(case_project: Path) -> None:
    app = make_app(case_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        assert status_text(pilot).startswith("960 runs")
        assert not any(row.deleted for row in table.rows)

        await pilot.press("d")
        await settle(pilot)
        assert status_text(pilot).startswith("1,200 runs")
        assert "deleted shown" in status_text(pilot)
        deleted = [row for row in table.rows if row.deleted]
        assert deleted
        assert all(row.cells[1] == "deleted" for row in deleted)

        await pilot.press("d")
        await settle(pilot)
        assert status_text(pilot).startswith("960 runs")


async def test_new_runs_appear_while_repro_runs(small_project: Path) -> None:
    app = make_app(small_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        assert len(table.rows) == 12
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        assert screen._poll_timer is None, "no polling while nothing runs"

        app.broadcast(lambda: ReproStarted(None))
        await pilot.pause()
        client = MlflowClient(f"sqlite:///{small_project / 'mlflow.db'}")
        run = client.create_run("1", run_name="during-repro")
        client.set_terminated(run.info.run_id)
        for _ in range(40):
            await pilot.pause(0.1)
            await settle(pilot)
            if len(table.rows) == 13:
                break
        assert table.rows[0].key == run.info.run_id

        app.broadcast(lambda: ReproFinished(0, False))
        await settle(pilot)
        assert screen._poll_timer is None


async def test_store_failure_keeps_last_rows(small_project: Path) -> None:
    app = make_app(small_project)
    store = small_project / "mlflow.db"
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        shown = [row.key for row in table.rows]
        shutil.move(store, store.with_suffix(".moved"))
        store.write_bytes(b"not a database, " * 512)

        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "mlflow.db" in app.screen._message
        await pilot.press("escape")
        assert [row.key for row in table.rows] == shown
        assert "stale" in status_text(pilot)

        shutil.move(store.with_suffix(".moved"), store)
        await pilot.press("r")
        await settle(pilot)
        assert "stale" not in status_text(pilot)
        assert [row.key for row in table.rows] == shown


async def test_experiment_picker(small_project: Path) -> None:
    client = MlflowClient(f"sqlite:///{small_project / 'mlflow.db'}")
    other = client.create_experiment("other")
    run = client.create_run(other, run_name="elsewhere")
    app = make_app(small_project)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_runs(pilot)
        assert len(table.rows) == 12
        await pilot.press("e")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        options.highlighted = [option.id for option in options.options].index(other)
        await pilot.press("enter")
        await settle(pilot)
        assert [row.key for row in table.rows] == [run.info.run_id]


async def test_client_store_pages_without_a_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store ct-tui cannot read with SQL (here a file store) pages through MlflowClient."""
    from ct_tui.ui.screens import runs as runs_screen

    root = make_ct_project(tmp_path / "project")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    store_uri = (tmp_path / "mlruns").as_uri()
    client = MlflowClient(store_uri)
    experiment = client.create_experiment("ct-project")
    for index in range(25):
        started = 1_767_225_600_000 + index * 1000
        run = client.create_run(experiment, run_name=f"run-{index:02d}", start_time=started)
        client.log_metric(run.info.run_id, "accuracy", index / 100)
        client.set_terminated(run.info.run_id, end_time=started + 500)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store_uri)
    monkeypatch.setattr(runs_screen, "FIRST_PAGE", 10)
    monkeypatch.setattr(runs_screen, "NEXT_PAGE", 10)

    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        # Pages of 10 are shorter than the screen, so the table asks for the next ones itself.
        table = await open_runs(pilot)
        assert len(table.rows) == 25
        assert not table.has_more
        assert status_text(pilot).startswith("25 runs")
        expected = mlflow_run_ids(client, experiment, "", [], include_deleted=False)
        assert [row.key for row in table.rows] == expected


PROBE = """
import asyncio, json, sys
from ct_tui.domain.project import open_project
from ct_tui.settings import load_settings
from ct_tui.ui.app import CtTuiApp
from ct_tui.ui.widgets.runs_table import RunsTable

project = open_project(sys.argv[1])
app = CtTuiApp(project, load_settings(project.root))
seen = {}

async def first_page(pilot):
    await pilot.press("3")
    table = app.screen.query_one(RunsTable)
    while not table.rows:
        await asyncio.sleep(0.01)
    await pilot.pause()
    seen.update(rows=len(table.rows), mlflow="mlflow" in sys.modules)
    app.exit()

app.run(headless=True, size=(80, 24), auto_pilot=first_page)
print(json.dumps(seen))
"""


def test_sorted_first_page_without_mlflow(case_project: Path) -> None:
    """On the embedded store the first page, sorted by a metric, needs no mlflow import."""
    env = {**os.environ, "CT_TUI_RUNS_ORDER_BY": "metrics.accuracy DESC"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(case_project)], capture_output=True, text=True, timeout=120, check=True, env=env
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["rows"] == 200
    assert seen["mlflow"] is False
